/**
 * Bounces that arrive as mail: delivery status notifications (RFC 3464: multipart/report;
 * report-type=delivery-status) sent to the envelope sender of our SMTP mail, i.e. the polled
 * reply mailbox (MAIL_SMTP_ENVELOPE_FROM). A permanent failure (Action: failed, Status 5.x.x)
 * goes the way of an SES bounce event (events.ts `recordDeliveryProblem`: suppress, mark the
 * inspector, tell the coordinators once); a delay or a 4.x.x is only logged.
 *
 * Anyone can mail a DSN-shaped message to the mailbox, so a report acts only when it names a
 * message Suiji sent (the original Message-ID in its text/rfc822-headers or message/rfc822 part,
 * recorded by send.ts) and the failed recipient is one that message went to.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { simpleParser } from 'mailparser';
import { maskEmail } from '../lambda/redact.js';
import { recordDeliveryProblem } from './events.js';
import { sentMessage } from './send.js';

const logger = new Logger({ serviceName: 'suiji-mail-dsn' });

export interface RecipientStatus {
  address: string;
  /** failed | delayed | delivered | relayed | expanded */
  action: string;
  /** e.g. 5.1.1 */
  status: string;
  diagnostic?: string | undefined;
}

export interface DeliveryReport {
  reportingMta?: string | undefined;
  arrivalDate?: string | undefined;
  originalMessageId?: string | undefined;
  originalSubject?: string | undefined;
  recipients: RecipientStatus[];
}

/** Whether the raw message is a delivery status notification (looks at the top header block only). */
export function isDeliveryReport(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 65_536) : end).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const ct = /^content-type:\s*([^\r\n]*)/im.exec(head)?.[1] ?? '';
  return /^multipart\/report\b/i.test(ct) && /report-type\s*=\s*"?delivery-status"?/i.test(ct);
}

/** RFC 3464 field blocks: per-message first, then one per recipient. */
function fieldBlocks(text: string): Record<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) fields[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      return fields;
    })
    .filter((f) => Object.keys(f).length);
}

/** `rfc822; someone@example.com` → the address. */
const typedValue = (v: string | undefined): string => (v ?? '').replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '').trim();

/**
 * The parts of a multipart/report (mailparser folds message/delivery-status into the text body,
 * so the report's own parts are split here): content type and decoded body of each.
 */
function reportParts(raw: Buffer): { type: string; body: Buffer }[] {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = text.slice(0, headEnd).replace(/\r?\n[ \t]+/g, ' ');
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(/^content-type:[^\r\n]*/im.exec(head)?.[0] ?? '');
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return [];
  const out: { type: string; body: Buffer }[] = [];
  for (const chunk of text.slice(headEnd + 4).split(`--${b}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = chunk.replace(/^\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    const ph = (split < 0 ? part : part.slice(0, split)).replace(/\r?\n[ \t]+/g, ' ');
    const body = split < 0 ? '' : part.slice(split + 4).replace(/\r\n$/, '');
    const type = (/^content-type:\s*([^;\r\n]+)/im.exec(ph)?.[1] ?? 'text/plain').trim().toLowerCase();
    const cte = (/^content-transfer-encoding:\s*(\S+)/im.exec(ph)?.[1] ?? '7bit').toLowerCase();
    out.push({ type, body: cte === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'latin1') });
  }
  return out;
}

export async function parseDeliveryReport(raw: Buffer): Promise<DeliveryReport | undefined> {
  if (!isDeliveryReport(raw)) return undefined;
  const parts = reportParts(raw);
  const status = parts.find((a) => /^message\/(global-)?delivery-status$/.test(a.type));
  if (!status) return undefined;
  const [perMessage, ...perRecipient] = fieldBlocks(status.body.toString('utf8'));
  const report: DeliveryReport = {
    reportingMta: typedValue(perMessage?.['reporting-mta']) || undefined,
    arrivalDate: perMessage?.['arrival-date'],
    recipients: perRecipient
      .filter((f) => f['final-recipient'] || f['original-recipient'])
      .map((f) => ({
        address: typedValue(f['final-recipient'] ?? f['original-recipient']).toLowerCase(),
        action: (f.action ?? '').toLowerCase(),
        status: (f.status ?? '').split(/\s/)[0] ?? '',
        diagnostic: f['diagnostic-code'] ? typedValue(f['diagnostic-code']) || f['diagnostic-code'] : undefined,
      })),
  };
  const original = parts.find((a) => /^(text\/rfc822-headers|message\/(global-)?rfc822(-headers)?)$/.test(a.type));
  if (original) {
    const o = await simpleParser(original.body, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    report.originalMessageId = o.messageId ?? undefined;
    report.originalSubject = o.subject ?? undefined;
  }
  return report;
}

export interface DeliveryReportOutcome {
  /** bounce: suppressed; transient: logged; unmatched: names no message Suiji sent; not-a-report. */
  status: 'bounce' | 'transient' | 'unmatched' | 'not-a-report';
  addresses: string[];
}

const isoDate = (v: string | undefined): string | undefined => {
  const t = v ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

export async function handleDeliveryReport(raw: Buffer): Promise<DeliveryReportOutcome> {
  const report = await parseDeliveryReport(raw);
  if (!report) return { status: 'not-a-report', addresses: [] };
  const sent = report.originalMessageId ? await sentMessage(report.originalMessageId) : undefined;
  const ours = report.recipients.filter((r) => sent?.to.includes(r.address));
  if (!sent || !ours.length) {
    logger.warn('delivery report not matching a message Suiji sent: ignored', { reportingMta: report.reportingMta, recipients: report.recipients.map((r) => maskEmail(r.address)) });
    return { status: 'unmatched', addresses: [] };
  }
  const failed = ours.filter((r) => r.action === 'failed' && r.status.startsWith('5'));
  if (!failed.length) {
    logger.warn('transient delivery report, not suppressed', { recipients: ours.map((r) => ({ address: maskEmail(r.address), action: r.action, status: r.status })) });
    return { status: 'transient', addresses: ours.map((r) => r.address) };
  }
  await recordDeliveryProblem({
    problem: 'bounce',
    permanent: true,
    recipients: failed.map((r) => ({ address: r.address, detail: [r.status, r.diagnostic].filter(Boolean).join(' '), diagnostic: r.diagnostic })),
    bounceType: 'Permanent',
    occurredAt: isoDate(report.arrivalDate),
    failedSubject: report.originalSubject,
  });
  return { status: 'bounce', addresses: failed.map((r) => r.address) };
}
