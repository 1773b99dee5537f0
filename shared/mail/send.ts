/**
 * Sending mail through SES v2 (the SES emulator locally). Every message carries an idempotency
 * key: the mail log records it before sending, so a retried handler or a job run twice on the
 * same day sends nothing twice; a failed send removes the record so the next run retries.
 * Throttling is retried with exponential backoff. Suppressed (bounced/complained) addresses
 * are skipped and reported to the caller.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { K } from '../store/keys.js';
import { deleteItem, getItem, putIfAbsent, putItem } from '../store/base.js';
import { config } from '../config.js';
import { nowIso } from '../clock.js';

let client: SESv2Client | undefined;
function ses(): SESv2Client {
  client ??= new SESv2Client({ maxAttempts: 1 });
  return client;
}
export function resetSes(): void {
  client = undefined;
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

const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'SendingPausedException']);
/** Transport failures worth another attempt (the message was not accepted). */
const TRANSIENT = new Set(['TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'NetworkingError', 'RequestTimeout', 'InternalFailure', 'ServiceUnavailable']);

export async function isSuppressed(address: string): Promise<boolean> {
  return Boolean(await getItem(K.mailLog(`suppressed#${address.toLowerCase()}`)));
}

export async function suppress(address: string, reason: 'bounce' | 'complaint', detail: string): Promise<void> {
  await putItem({ ...K.mailLog(`suppressed#${address.toLowerCase()}`), entity: 'suppression', address: address.toLowerCase(), reason, detail, at: nowIso() });
}

export async function sendMail(m: OutgoingMail, opts: { maxAttempts?: number; baseDelayMs?: number } = {}): Promise<SendOutcome> {
  const to: string[] = [];
  for (const a of m.to) if (!(await isSuppressed(a))) to.push(a);
  if (!to.length) return 'suppressed';
  const logKey = K.mailLog(m.key);
  const fresh = await putIfAbsent({ ...logKey, entity: 'mail', kind: m.kind, to, cc: m.cc ?? [], at: nowIso(), status: 'sending' });
  if (!fresh) return 'duplicate';
  const maxAttempts = opts.maxAttempts ?? 6;
  const base = opts.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await ses().send(
        new SendEmailCommand({
          FromEmailAddress: config().mailFrom,
          Destination: { ToAddresses: to, ...(m.cc?.length ? { CcAddresses: m.cc } : {}) },
          Content: { Raw: { Data: m.raw } },
          ConfigurationSetName: config().sesConfigurationSet,
          EmailTags: [{ Name: 'kind', Value: m.kind.replace(/[^A-Za-z0-9_-]/g, '_') }],
        }),
      );
      await putItem({ ...logKey, entity: 'mail', kind: m.kind, to, cc: m.cc ?? [], at: nowIso(), status: 'sent', messageId: r.MessageId ?? '' });
      return 'sent';
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      const code = (e as { code?: string }).code ?? '';
      if ((THROTTLED.has(name) || TRANSIENT.has(name) || TRANSIENT.has(code)) && attempt < maxAttempts) {
        await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)));
        continue;
      }
      // Not sent: forget the key so a later run sends it.
      await deleteItem(logKey);
      throw e;
    }
  }
}
