/**
 * Bounce / complaint notice to the coordinator: an address Suiji writes to could not receive
 * mail (hard bounce) or its owner marked a message as spam; the address is now suppressed and
 * the person must be reached another way and their address corrected.
 */
import { SUBJECT_PREFIX, TextBuilder, button, callout, fmtDateTime, html, kvTable, para, shell, textFooter, type PersonRef, type RenderedMail } from './layout.js';

export interface DeliveryProblemMail {
  recipient: PersonRef;
  departmentName: string;
  problem: 'bounce' | 'complaint';
  /** SES bounce type (Permanent / Transient / Undetermined) and subtype, when a bounce. */
  bounceType?: string | undefined;
  bounceSubType?: string | undefined;
  address: string;
  /** Who the address belongs to, when known (inspector, leader, liaison…). */
  owner?: { name: string; role: string } | undefined;
  /** The diagnostic of the receiving server. */
  diagnostic?: string | undefined;
  occurredAt: string;
  /** Subject and kind of the message that failed. */
  failedSubject?: string | undefined;
  /** Where the coordinator corrects the address. */
  fixUrl?: string | undefined;
}

export function renderDeliveryProblemNotice(d: DeliveryProblemMail): RenderedMail {
  const who = d.owner ? `${d.owner.name}（${d.owner.role}）` : d.address;
  const what = d.problem === 'bounce' ? '邮件无法送达' : '收件人将系统邮件标记为垃圾邮件';
  const subject = `${SUBJECT_PREFIX}${what}：${who}`;
  const intro = `${d.recipient.name}：系统发给 ${who} 的邮件${d.problem === 'bounce' ? '被退回' : '被收件人投诉为垃圾邮件'}。该地址已停止发送，在更正或确认之前，此人不会再收到分派、提醒和逾期通知。`;
  const rows: [string, string | undefined][] = [
    ['邮件地址', d.address],
    ['收件人', d.owner ? `${d.owner.name}（${d.owner.role}）` : undefined],
    ['问题', d.problem === 'bounce' ? `退信${d.bounceType ? `（${d.bounceType}${d.bounceSubType ? ` / ${d.bounceSubType}` : ''}）` : ''}` : '投诉（标记为垃圾邮件）'],
    ['发生时间', fmtDateTime(d.occurredAt)],
    ['相关邮件', d.failedSubject],
    ['对方服务器说明', d.diagnostic],
  ];
  const action = '请尽快通过电话等方式联系本人，核实并更正邮件地址；待办的检查、录入事项请另行通知，避免逾期。';
  const body = html`${para(intro)}${kvTable(rows)}${callout(action, 'warn')}${d.fixUrl ? html`<div style="margin:12px 0">${button(d.fixUrl, '更正邮件地址')}</div>` : ''}`;
  const text = new TextBuilder().line(intro).blank().kvs(rows).blank().line(action);
  if (d.fixUrl) text.blank().kv('更正邮件地址', d.fixUrl);
  textFooter(text);
  return { subject, html: shell({ title: what, preheader: intro, department: d.departmentName, body }), text: text.toString() };
}
