/**
 * Daily reminder digest: one mail per person per day listing every target whose result entry,
 * publication or follow-up falls due soon, with due dates and one link per target. When result
 * entries are due and a reply address is given, it explains answering by reply
 * (`<USCC> <result codes> [remark]`) and lists the department's result codes.
 */
import {
  SUBJECT_PREFIX,
  TextBuilder,
  callout,
  dataTable,
  fmtDate,
  fmtDateWeekday,
  heading,
  html,
  link,
  para,
  raw,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';
import { DEADLINE_KINDS, DEADLINE_LABELS, type DeadlineKind } from '../../domain/deadlines.js';

export interface ReminderEntry {
  kind: DeadlineKind;
  taskName: string;
  uscc: string;
  targetName: string;
  dueDate: string;
  /** Working days from today to the due date (0 = due today). */
  workingDaysLeft: number;
  /** Opens the form for this target and step. */
  url: string;
}

export interface ReminderDigestMail {
  recipient: PersonRef;
  departmentName: string;
  /** China-local date of the digest. */
  today: string;
  entries: ReminderEntry[];
  /** The department's result phrases (shown as the codes usable in a reply). */
  phrases: readonly { code: string; text: string }[];
  /** `r+<token>@…` address; when absent the reply instructions are left out. */
  replyAddress?: string | undefined;
}

const ORDER: readonly DeadlineKind[] = DEADLINE_KINDS;
const left = (n: number) => (n <= 0 ? '今天到期' : `剩 ${n} 个工作日`);

export function renderReminderDigest(d: ReminderDigestMail): RenderedMail {
  const sorted = [...d.entries].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.dueDate.localeCompare(b.dueDate) || a.uscc.localeCompare(b.uscc));
  const counts = ORDER.map((k) => [k, sorted.filter((e) => e.kind === k).length] as const).filter(([, n]) => n > 0);
  const summary = counts.map(([k, n]) => `${DEADLINE_LABELS[k]} ${n} 项`).join('、');
  const earliest = sorted.reduce((m, e) => (e.dueDate < m ? e.dueDate : m), sorted[0]?.dueDate ?? d.today);
  const subject = `${SUBJECT_PREFIX}到期提醒：${summary}，最早 ${fmtDate(earliest)} 到期`;
  const intro = `${d.recipient.name}：截至 ${fmtDateWeekday(d.today)}，您有以下事项即将到期（${summary}），请按期完成。`;
  const entryDue = sorted.filter((e) => e.kind === 'entry');
  const withReply = Boolean(d.replyAddress) && entryDue.length > 0;
  const example = entryDue[0] ? `${entryDue[0].uscc} ${d.phrases[0]?.code ?? '1'}` : '';

  const sections = counts.map(([kind]) => {
    const rows = sorted.filter((e) => e.kind === kind);
    return html`${heading(`${DEADLINE_LABELS[kind]}（${rows.length} 项）`)}${dataTable(
      ['检查对象', '统一社会信用代码', '抽查任务', '截止日期', '剩余', '办理'],
      rows.map((e) => [e.targetName, e.uscc, e.taskName, fmtDate(e.dueDate), left(e.workingDaysLeft), link(e.url, `去${DEADLINE_LABELS[kind]}`)]),
      { badRows: new Set(rows.map((e, i) => (e.workingDaysLeft <= 0 ? i : -1)).filter((i) => i >= 0)) },
    )}`;
  });
  const replyBlock = withReply
    ? callout(
        html`<strong>也可以直接回复本邮件录入结果</strong>：每行一个检查对象，格式为“统一社会信用代码 结果代码 [备注]”，多个结果代码用逗号或顿号分隔，例如：<br><code style="font-family:Consolas,monospace;font-size:14px">${example}</code><br>回复地址：${d.replyAddress}；请从您收到本邮件的邮箱回复。需填写问题描述的，写在备注中；录入后系统会回信告知结果。<br><br><strong>本部门结果代码：</strong><br>${raw(
          d.phrases.map((p) => html`<code>${p.code}</code> ${p.text}`.value).join('<br>'),
        )}`,
        'info',
      )
    : '';
  const body = html`${para(intro)}${sections}${replyBlock}${para('逾期未完成的，系统将于到期后的第一个工作日告知您和科室负责人。', 'color:#667085;font-size:12px')}`;

  const text = new TextBuilder().line(intro);
  for (const [kind] of counts) {
    text.heading(`${DEADLINE_LABELS[kind]}（${sorted.filter((e) => e.kind === kind).length} 项）`);
    sorted
      .filter((e) => e.kind === kind)
      .forEach((e, i) => {
        text.line(`${i + 1}. ${e.targetName}（${e.uscc}）`);
        text.kv('抽查任务', e.taskName, '   ').kv('截止日期', `${fmtDate(e.dueDate)}（${left(e.workingDaysLeft)}）`, '   ').kv('办理', e.url, '   ');
      });
  }
  if (withReply) {
    text.heading('回复录入结果');
    text.line('可直接回复本邮件录入结果：每行一个检查对象，格式为“统一社会信用代码 结果代码 [备注]”，多个结果代码用逗号或顿号分隔，例如：');
    text.line(`  ${example}`);
    text.line(`请从您收到本邮件的邮箱回复（回复地址：${d.replyAddress}）。需填写问题描述的，写在备注中；录入后系统会回信告知结果。`);
    text.line('本部门结果代码：');
    const w = Math.max(...d.phrases.map((p) => p.code.length));
    for (const p of d.phrases) text.line(`  ${p.code.padEnd(w)}  ${p.text}`);
  }
  text.blank().line('逾期未完成的，系统将于到期后的第一个工作日告知您和科室负责人。');
  textFooter(text, withReply);
  return {
    subject,
    html: shell({ title: '到期提醒', preheader: intro, department: d.departmentName, body, repliesAccepted: withReply }),
    text: text.toString(),
  };
}
