/**
 * Sending mail through the configured transport (transport/: SES v2, or SMTP in the China
 * regions; the SES emulator or the local SMTP server locally). Every message carries an
 * idempotency key: the mail log records it before sending, so a retried handler or a job run
 * twice on the same day sends nothing twice; a failed send removes the record so the next run
 * retries. Throttling and connection trouble are retried with exponential backoff; the sending
 * rate is held to MAIL_SEND_RATE. Suppressed (bounced/complained) addresses are skipped and
 * reported to the caller.
 *
 * Over SMTP a message keeps our Message-ID, so a bounce that comes back as a DSN names it: the
 * id is recorded (`msgid#<Message-ID>` → key and recipients) for dsn.ts to tell a genuine bounce
 * of our mail from a forged one. Recipients the SMTP server refuses at once (5xx) are bounces
 * too and go the same way as SES bounce events (events.ts `recordDeliveryProblem`).
 */
import { K } from '../store/keys.js';
import { deleteItem, getItem, isConditionFailure, putIfAbsent, putItem, updateItem } from '../store/base.js';
import { config } from '../config.js';
import { now, nowIso } from '../clock.js';
import { mailTransport, resetMailTransport, sendSlot, type Accepted } from './transport/index.js';
import { resetSecrets } from '../secrets.js';

/** Drops the transport, its connections and cached credentials (after the environment changed). */
export function resetSes(): void {
  resetMailTransport();
  resetSecrets();
}

export interface OutgoingMail {
  /** Idempotency key, e.g. `digest#2026-04-01#inspector-17`. */
  key: string;
  to: string[];
  cc?: string[];
  /** Raw RFC 5322 message (built by mail/mime.ts). */
  raw: Buffer;
  kind: string;
}

export type SendOutcome = 'sent' | 'duplicate' | 'suppressed';

/** How long the Message-ID of a sent message is kept for matching bounces (DSNs arrive within days). */
export const SENT_ID_DAYS = 30;

export async function isSuppressed(address: string): Promise<boolean> {
  return Boolean(await getItem(K.mailLog(`suppressed#${address.toLowerCase()}`)));
}

export async function suppress(address: string, reason: 'bounce' | 'complaint', detail: string): Promise<void> {
  await putItem({ ...K.mailLog(`suppressed#${address.toLowerCase()}`), entity: 'suppression', address: address.toLowerCase(), reason, detail, at: nowIso() });
}

/** What was sent with a Message-ID (SMTP transport only), for matching a DSN. */
export interface SentMessage {
  key: string;
  kind: string;
  to: string[];
  at: string;
}

export const sentIdKey = (messageId: string) => K.mailLog(`msgid#${messageId.trim().toLowerCase()}`);

export async function sentMessage(messageId: string): Promise<SentMessage | undefined> {
  const it = await getItem<SentMessage & { pk: string }>(sentIdKey(messageId), true);
  return it ? { key: it.key, kind: it.kind, to: it.to, at: it.at } : undefined;
}

export interface SendOptions {
  /** Attempts of the transport call (throttling, connection trouble); default 6. */
  maxAttempts?: number;
  baseDelayMs?: number;
  /**
   * A log record still "sending" since before this instant (ISO) belonged to a sender that died,
   * perhaps before the mail service had the message: take it over and send (at least once),
   * instead of answering 'duplicate' (at most once). For owed mail (store/outbox.ts).
   */
  takeOverSendingBefore?: string;
  /**
   * The caller has just found none of the recipients suppressed (the daily jobs check first, to
   * tell the coordinators about an address they cannot reach): not read again for the send.
   */
  suppressionChecked?: boolean;
}

/** Take over a "sending" log record older than `before` (conditional: one taker). */
async function takeOverStale(logKey: { pk: string; sk: string }, before: string): Promise<boolean> {
  try {
    await updateItem(logKey, { set: { at: nowIso() }, condition: '#s = :sending AND #at < :before', names: { '#s': 'status', '#at': 'at' }, values: { ':sending': 'sending', ':before': before } });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** How long the record of a sent mail is retried (beyond the SDK's own retries) before giving up. */
export const SENT_RECORD_RETRY_MS = 120_000;

async function untilRecorded(write: () => Promise<void>): Promise<void> {
  const until = Date.now() + SENT_RECORD_RETRY_MS;
  for (let wait = 1000; ; wait = Math.min(wait * 2, 15_000)) {
    try {
      return await write();
    } catch (e) {
      if (Date.now() + wait > until) throw e;
      await new Promise((res) => setTimeout(res, wait));
    }
  }
}

export async function sendMail(m: OutgoingMail, opts: SendOptions = {}): Promise<SendOutcome> {
  const to: string[] = [];
  for (const a of m.to) if (opts.suppressionChecked || !(await isSuppressed(a))) to.push(a);
  if (!to.length) return 'suppressed';
  const logKey = K.mailLog(m.key);
  const fresh = await putIfAbsent({ ...logKey, entity: 'mail', kind: m.kind, to, cc: m.cc ?? [], at: nowIso(), status: 'sending' });
  if (!fresh && !(opts.takeOverSendingBefore && (await takeOverStale(logKey, opts.takeOverSendingBefore)))) return 'duplicate';
  const maxAttempts = opts.maxAttempts ?? 6;
  const base = opts.baseDelayMs ?? 200;
  const transport = mailTransport();
  let r: Accepted;
  for (let attempt = 1; ; attempt++) {
    try {
      await sendSlot();
      r = await transport.send({ from: config().mailFrom, to: [...to, ...(m.cc ?? [])], raw: m.raw, kind: m.kind });
      break;
    } catch (e) {
      if (transport.retryable(e) && attempt < maxAttempts) {
        await new Promise((res) => setTimeout(res, base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
        continue;
      }
      // Not sent: forget the key so a later run sends it.
      await deleteItem(logKey);
      throw e;
    }
  }
  const refused = new Set(r.rejected.map((x) => x.address.toLowerCase()));
  const delivered = to.filter((a) => !refused.has(a.toLowerCase()));
  // The mail is out: recording that must not fail with a short database outage, or a later
  // sender would find the record still "sending" and (after the lease) send it again.
  await untilRecorded(async () => {
    if (transport.keepsMessageId && r.messageId) {
      const ttl = Math.floor(now().getTime() / 1000) + SENT_ID_DAYS * 86_400;
      await putItem({ ...sentIdKey(r.messageId), entity: 'sentMessage', key: m.key, kind: m.kind, to: [...to, ...(m.cc ?? [])].map((a) => a.toLowerCase()), at: nowIso(), ttl });
    }
    await putItem({ ...logKey, entity: 'mail', kind: m.kind, to, cc: m.cc ?? [], at: nowIso(), status: delivered.length ? 'sent' : 'refused', messageId: r.messageId });
  });
  if (r.rejected.length) {
    // Loaded here: events.ts sends mail through this module.
    const { recordDeliveryProblem } = await import('./events.js');
    await recordDeliveryProblem({
      problem: 'bounce',
      permanent: true,
      recipients: r.rejected.map((x) => ({ address: x.address, diagnostic: x.response })),
      occurredAt: nowIso(),
    });
  }
  return delivered.length ? 'sent' : 'suppressed';
}
