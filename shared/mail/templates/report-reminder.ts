/**
 * Reminder to the department's liaison (信息联络员) that the monthly report (月报表) or the
 * quarterly summary (季度总结) is due, naming the due date and where it goes.
 */
import { describePeriod, type ReportPeriod } from '../../reports/stats.js';
import {
  SUBJECT_PREFIX,
  TextBuilder,
  button,
  callout,
  fmtDate,
  fmtDateWeekday,
  html,
  kvTable,
  list,
  para,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface ReportReminderMail {
  recipient: PersonRef;
  departmentName: string;
  period: ReportPeriod;
  /** Due date after working-day adjustment. */
  dueDate: string;
  /** The date as the plan writes it ("10月1日前"), when it differs from the due date. */
  nominalDate?: string | undefined;
  workingDaysLeft: number;
  /** Who receives the report (e.g. 局人事法规科, 区“双随机、一公开”领导小组办公室). */
  submitTo: string;
  /** Download of the report pre-filled from Suiji's data. */
  draftUrl?: string | undefined;
}

export function renderReportReminder(d: ReportReminderMail): RenderedMail {
  const monthly = d.period.kind === 'month';
  const what = monthly ? '“双随机、一公开”监管月报表' : '“双随机、一公开”监管工作季度总结';
  const periodText = describePeriod(d.period);
  const subject = `${SUBJECT_PREFIX}${monthly ? '月报表' : '季度总结'}报送提醒：${periodText}，${fmtDate(d.dueDate)}前报送`;
  const intro = `${d.recipient.name}：请于 ${fmtDateWeekday(d.dueDate)} 前将${d.departmentName}${periodText}${what}报送${d.submitTo}（${d.workingDaysLeft <= 0 ? '今天到期' : `还有 ${d.workingDaysLeft} 个工作日`}）。`;
  const moved = d.nominalDate && d.nominalDate !== d.dueDate ? `方案规定的报送日为${fmtDate(d.nominalDate)}，因当天不是工作日，按${fmtDate(d.dueDate)}报送。` : '';
  const tips = monthly
    ? ['月报表为本年度累计数据（按所在单位报表格式），数据取自系统，请核对后盖章报送。', '会议、发文、培训等情况系统无法统计，请在表中补充。']
    : ['季度总结应包括本季度随机抽查开展情况、联合抽查和信用风险分类监管情况、结果公示和后续处置情况、存在问题及下一步工作。', '系统已汇总逾期事项，可作为总结的附件。'];
  const body = html`${para(intro)}${kvTable([
    ['报送内容', `${periodText}${what}`],
    ['报送截止', fmtDateWeekday(d.dueDate)],
    ['报送对象', d.submitTo],
  ])}${moved ? callout(moved, 'warn') : ''}${list(tips)}${d.draftUrl ? html`<div style="margin:12px 0">${button(d.draftUrl, '下载系统预填的报表')}</div>` : ''}`;
  const text = new TextBuilder().line(intro).blank().kvs([
    ['报送内容', `${periodText}${what}`],
    ['报送截止', fmtDateWeekday(d.dueDate)],
    ['报送对象', d.submitTo],
  ]);
  if (moved) text.blank().line(moved);
  text.blank();
  for (const t of tips) text.line(`- ${t}`);
  if (d.draftUrl) text.blank().kv('系统预填的报表', d.draftUrl);
  textFooter(text);
  return { subject, html: shell({ title: `${monthly ? '月报表' : '季度总结'}报送提醒`, preheader: intro, department: d.departmentName, body }), text: text.toString() };
}
