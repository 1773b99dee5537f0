/**
 * Confirmation of recorded results, after a form submission or a reply by mail: what was
 * recorded, what was rejected and why (per line for replies), and lines that were not read as
 * results. Sent as a reply (the caller sets In-Reply-To) so it threads with the inspector's mail.
 */
import {
  SUBJECT_PREFIX,
  TextBuilder,
  callout,
  dataTable,
  fmtDateTime,
  heading,
  html,
  link,
  list,
  para,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface RecordedResult {
  uscc: string;
  targetName: string;
  taskName?: string | undefined;
  codes: { code: string; text: string }[];
  remark?: string | undefined;
  /** The reply line it came from. */
  line?: string | undefined;
}

export interface RejectedResult {
  /** The reply line (reply) or the target (form). */
  line?: string | undefined;
  uscc?: string | undefined;
  targetName?: string | undefined;
  reasons: string[];
  /** Where to correct it (the target's form). */
  url?: string | undefined;
}

export interface ConfirmationMail {
  recipient: PersonRef;
  departmentName: string;
  via: 'form' | 'reply';
  /** When the submission was received (ISO instant). */
  receivedAt: string;
  recorded: RecordedResult[];
  rejected: RejectedResult[];
  /** Reply lines that were not read as results (greetings, signatures). */
  ignoredLines?: string[] | undefined;
  /** Original subject, for "Re: …" when answering a reply. */
  inReplyToSubject?: string | undefined;
  /**
   * 回执编号: the same for every copy of this confirmation (from its idempotency key), so a copy
   * sent again after a failure is recognisably the same confirmation, not a second entry.
   */
  receipt?: string | undefined;
}

const codesText = (r: RecordedResult) => r.codes.map((c) => `${c.code} ${c.text}`).join('；');

export function renderResultConfirmation(d: ConfirmationMail): RenderedMail {
  const n = d.recorded.length;
  const m = d.rejected.length;
  const status = m === 0 ? `已录入 ${n} 项` : n === 0 ? `未录入，${m} 项有误` : `已录入 ${n} 项，${m} 项未录入`;
  const subject = d.via === 'reply' && d.inReplyToSubject ? `Re: ${d.inReplyToSubject.replace(/^(re|回复|答复)\s*[:：]\s*/i, '')}（${status}）` : `${SUBJECT_PREFIX}结果录入确认：${status}`;
  const channel = d.via === 'reply' ? '您通过邮件回复' : '您通过表单';
  const intro = `${d.recipient.name}：${channel}于 ${fmtDateTime(d.receivedAt)} 提交的检查结果处理如下：${status}。`;

  const recordedHtml = n
    ? html`${heading(`已录入（${n} 项）`)}${dataTable(
        ['检查对象', '统一社会信用代码', '检查结果', '备注'],
        d.recorded.map((r) => [r.targetName, r.uscc, codesText(r), r.remark || null]),
      )}`
    : '';
  const rejectedHtml = m
    ? html`${heading(`未录入（${m} 项）`)}${dataTable(
        ['内容', '原因', '修改'],
        d.rejected.map((r) => [
          r.line ?? [r.targetName, r.uscc].filter(Boolean).join(' '),
          list(r.reasons),
          r.url ? link(r.url, '打开表单') : null,
        ]),
        { badRows: new Set(d.rejected.map((_, i) => i)) },
      )}${callout(d.via === 'reply' ? '请修改后重新回复（只需回复有误的行），或使用表单录入。' : '请打开表单修改后重新提交。', 'warn')}`
    : '';
  const ignoredHtml = d.ignoredLines?.length
    ? html`${heading('未作为结果处理的内容')}${list(d.ignoredLines)}${para('以上内容不是“统一社会信用代码 结果代码 [备注]”格式，已忽略。', 'color:#667085;font-size:12px')}`
    : '';
  const receiptNote = d.receipt ? `回执编号：${d.receipt}（编号相同的邮件是同一份确认，重复收到的可忽略）` : '';
  const body = html`${para(intro)}${recordedHtml}${rejectedHtml}${ignoredHtml}${n ? para('已录入的结果将按规定进入审核或公示流程；如需更正，请使用表单中的“更正”功能。', 'color:#667085;font-size:12px') : ''}${receiptNote ? para(receiptNote, 'color:#667085;font-size:12px') : ''}`;

  const text = new TextBuilder().line(intro);
  if (n) {
    text.heading(`已录入（${n} 项）`);
    d.recorded.forEach((r, i) => {
      text.line(`${i + 1}. ${r.targetName}（${r.uscc}）：${codesText(r)}${r.remark ? `；备注：${r.remark}` : ''}`);
    });
  }
  if (m) {
    text.heading(`未录入（${m} 项）`);
    d.rejected.forEach((r, i) => {
      text.line(`${i + 1}. ${r.line ?? [r.targetName, r.uscc].filter(Boolean).join(' ')}`);
      for (const reason of r.reasons) text.line(`   原因：${reason}`);
      if (r.url) text.kv('修改', r.url, '   ');
    });
    text.blank().line(d.via === 'reply' ? '请修改后重新回复（只需回复有误的行），或使用表单录入。' : '请打开表单修改后重新提交。');
  }
  if (d.ignoredLines?.length) {
    text.heading('未作为结果处理的内容');
    for (const l of d.ignoredLines) text.line(`- ${l}`);
  }
  if (receiptNote) text.blank().line(receiptNote);
  textFooter(text, d.via === 'reply');
  return {
    subject,
    html: shell({ title: `结果录入确认：${status}`, preheader: intro, department: d.departmentName, body, repliesAccepted: d.via === 'reply' }),
    text: text.toString(),
  };
}
