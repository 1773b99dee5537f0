/**
 * A result that needs follow-up (后续处置) was entered: the follow-up is open from that day with
 * its due date; the target's team leader and the department's coordinators are told what was
 * found, by when the disposal must be entered, and where.
 */
import { SUBJECT_PREFIX, TextBuilder, button, callout, fmtDateWeekday, html, kvTable, para, shell, textFooter, type PersonRef, type RenderedMail } from './layout.js';

export interface FollowUpArisenMail {
  recipient: PersonRef;
  /** The team leader (who acts) or a coordinator (who watches). */
  as: 'leader' | 'coordinator';
  departmentName: string;
  taskName: string;
  targetName: string;
  uscc: string;
  /** The result's phrases, e.g. 「A 发现问题待后续处理」. */
  phrases: { code: string; text: string }[];
  /** Who entered the result and the team. */
  team: string[];
  /** Due date, or null while the calendar lacks the year. */
  dueDate: string | null;
  workingDays: number;
  /** Where to enter the disposal (the console's task page). */
  url: string;
}

export function renderFollowUpArisen(d: FollowUpArisenMail): RenderedMail {
  const due = d.dueDate ? fmtDateWeekday(d.dueDate) : '待工作日历收录当年节假日安排后确定';
  const subject = `${SUBJECT_PREFIX}后续处置：${d.targetName}，${d.dueDate ? `${fmtDateWeekday(d.dueDate)}前` : '期限待定'}录入处置情况`;
  const intro =
    d.as === 'leader'
      ? `${d.recipient.name}：您担任组长的检查对象「${d.targetName}」检查结果需要后续处置，请在 ${due} 前登记处置方式和责任单位，办结后录入办结情况。`
      : `${d.recipient.name}：检查对象「${d.targetName}」检查结果需要后续处置，已自动建立后续处置期限（${due}），由检查组组长登记处置。`;
  const rows: [string, string][] = [
    ['抽查任务', d.taskName],
    ['检查对象', `${d.targetName}（${d.uscc}）`],
    ['检查结果', d.phrases.map((p) => `${p.code} ${p.text}`).join('；')],
    ['检查组', d.team.join('、')],
    ['处置期限', `${due}（自发现之日起 ${d.workingDays} 个工作日）`],
  ];
  const rule = '到期前系统会提醒检查组，逾期未录入的将逐级提醒科室负责人和分管领导。';
  const body = html`${para(intro)}${kvTable(rows)}${callout(rule, 'warn')}<div style="margin:12px 0">${button(d.url, '打开任务，登记后续处置')}</div>`;
  const text = new TextBuilder().line(intro).blank().kvs(rows).blank().line(rule).blank().line(`登记后续处置：${d.url}`);
  textFooter(text);
  return { subject, html: shell({ title: '后续处置', preheader: intro, department: d.departmentName, body }), text: text.toString() };
}
