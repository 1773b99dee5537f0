/**
 * Result confirmation mails (结果录入确认): after results arrive through the form behind a link or
 * by replying to a reminder, the inspector gets one mail listing what was recorded and what was
 * refused and why. One composition and one idempotent delivery for both channels.
 */
import { deliver, type Recipient } from '../mail/events.js';
import { renderResultConfirmation, type ConfirmationMail } from '../mail/render.js';
import type { SendOptions, SendOutcome } from '../mail/send.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { getDepartment, inspectorOfItem } from '../store/registry.js';
import type { ProgressRecord } from '../store/tasks.js';
import { claimOwed, deferOwed, getOwed, owedDue, releaseOwed, settleOwed, type OwedConfirmation } from '../store/outbox.js';
import { batchGet, getItem, type Item } from '../store/base.js';
import { K } from '../store/keys.js';
import type { ValidResult } from '../domain/result.js';
import { now, nowIso } from '../clock.js';
import { invokeAsync } from '../lambda/invoke.js';
import { mailKeyId } from '../mail/mime.js';

const logger = new Logger({ serviceName: 'suiji-confirmations' });

/** How a confirmation of a reply joins the inspector's thread (and accepts further replies). */
export interface ReplyThread {
  replyTo: string;
  inReplyTo?: string | undefined;
  references: readonly string[];
}

/** Compose and send one confirmation; `key` makes a retried request send nothing twice. */
export function sendResultConfirmation(c: { key: string; to: Recipient; mail: Omit<ConfirmationMail, 'recipient'>; thread?: ReplyThread; send?: SendOptions }): Promise<SendOutcome> {
  return deliver(
    {
    key: c.key,
    kind: 'result-confirmation',
    to: [c.to],
    mail: renderResultConfirmation({ ...c.mail, recipient: c.to, receipt: receiptNo(c.key) }),
    ...(c.thread ? { replyTo: c.thread.replyTo, inReplyTo: c.thread.inReplyTo, references: c.thread.references } : {}),
    mimeKind: 'result-confirmation',
    },
    c.send,
  );
}

/** 回执编号 of a confirmation: from its idempotency key, the same for every copy of it. */
export const receiptNo = (key: string): string => mailKeyId(key).slice(0, 8).toUpperCase().replace(/^(.{4})/, '$1-');

/** How long a sender holds an owed item; a sender that dies frees it when this ends. */
export const OWED_LEASE_MS = 120_000;
/** Back-off of an owed item after failed sends: 30 s, 1 min, 2 min … at most an hour. */
export const owedBackoffMs = (attempts: number): number => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/**
 * The confirmation a stored result version owes (store/outbox.ts), sent now if it is still owed
 * and no other sender holds it: the sender the API invokes right after the answer (below), and
 * whoever else observes the stored version; the scheduled drain sends what they could not. A
 * failure to send leaves it owed. One attempt, no back-off here: the drain retries.
 */
export async function confirmFormEntry(o: { taskId: string; uscc: string; version: number }, known?: ProgressRecord): Promise<SendOutcome | 'owed' | undefined> {
  const owed = await claimOwed(o, nowIso(), OWED_LEASE_MS);
  if (!owed) return (await getOwed(o.taskId, o.uscc, o.version)) ? 'owed' : undefined;
  try {
    return (await sendOwed(owed, { ...(known ? { known } : {}), maxAttempts: 1 })) ?? undefined;
  } catch (e) {
    logger.warn('result confirmation not sent; it stays owed', { taskId: o.taskId, version: o.version, error: e instanceof Error ? e.name : String(e) });
    await deferOwed(owed, nowIso(), errorName(e)); // due at once for the drain, one attempt counted
    return 'owed';
  }
}

/** The event with which the API has the recovery function send one confirmation (functions/jobs/recover.ts). */
export interface ConfirmEvent {
  confirm: { taskId: string; uscc: string; version: number };
}

/**
 * After a result version is stored through the form: its confirmation is sent by the recovery
 * function, invoked asynchronously (Lambda queues the event and answers at once), so the
 * person's request waits for neither the mail service nor the mail log. If the invocation
 * cannot be queued, the owed item is still there: the every-minute drain sends it.
 */
export async function confirmAfterAnswer(o: ConfirmEvent['confirm']): Promise<void> {
  const fn = process.env.JOB_RECOVER_FUNCTION;
  try {
    if (fn) await invokeAsync(fn, { confirm: o } satisfies ConfirmEvent);
    // Outside a deployed function (scripts, tests without the platform): after this turn.
    else setImmediate(() => void confirmFormEntry(o).catch(() => undefined));
  } catch (e) {
    logger.warn('confirmation sender not invoked; the recovery job sends it', { taskId: o.taskId, version: o.version, error: errorName(e) });
  }
}

const errorName = (e: unknown): string => (e instanceof Error ? e.name : String(e)).slice(0, 100);

/**
 * Send one claimed owed confirmation for the result as stored, then settle it. 'owed' when the
 * mail log shows another sender in the middle of sending it (the item stays for a later drain,
 * which then finds it sent).
 */
async function sendOwed(owed: OwedConfirmation, opts: { known?: ProgressRecord; maxAttempts?: number } = {}): Promise<SendOutcome | 'owed' | undefined> {
  // the stored result and the inspector it goes to, in one round trip
  const known = opts.known?.resultVersion === owed.version ? opts.known : undefined;
  const keys = { progress: K.progress(owed.taskId, owed.uscc), inspector: K.inspector(owed.inspector.department, owed.inspector.id) };
  const items = await batchGet<Item>(known ? [keys.inspector] : [keys.progress, keys.inspector], 1, { consistent: true });
  const find = (k: { pk: string; sk: string }) => items.find((i) => i.pk === k.pk && i.sk === k.sk);
  const progress = known ?? (find(keys.progress) as (ProgressRecord & Item) | undefined);
  const result = progress?.result as (ValidResult & { enteredAt?: string }) | undefined;
  // Superseded by a later version (which owes its own confirmation), or gone: nothing to confirm.
  if (!progress || !result || progress.resultVersion !== owed.version) {
    await settleOwed(owed);
    return undefined;
  }
  const found = find(keys.inspector);
  const insp = found ? inspectorOfItem(found) : undefined;
  if (!insp) {
    await settleOwed(owed);
    return undefined;
  }
  const dept = await getDepartment(insp.department);
  const outcome = await sendResultConfirmation({
    key: confirmationKey(owed),
    to: { name: insp.name, email: insp.email },
    mail: {
      departmentName: dept?.name ?? insp.department,
      via: 'form',
      receivedAt: result.enteredAt ?? owed.owedAt,
      recorded: [{ uscc: owed.uscc, targetName: progress.name, codes: result.phrases, ...(result.remark ? { remark: result.remark } : {}) }],
      rejected: [],
    },
    // A send log left at "sending" longer than a lease: its sender died, maybe before sending.
    // Sending again risks a second copy (if it died after the mail service accepted) rather
    // than none at all; a confirmation is harmless twice and misleading when missing.
    send: { ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}), takeOverSendingBefore: new Date(now().getTime() - OWED_LEASE_MS).toISOString() },
  });
  if (outcome === 'duplicate') {
    const log = await getItem<{ status?: string }>(K.mailLog(confirmationKey(owed)), true);
    if (log?.status === 'sending') {
      await releaseOwed(owed);
      return 'owed';
    }
  }
  await settleOwed(owed);
  return outcome;
}

/** The mail log's idempotency key of the confirmation of one result version. */
export const confirmationKey = (o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version' | 'inspector'>): string => `confirm#${o.taskId}#${o.uscc}#v${o.version}#${o.inspector.id}`;

export interface DrainSummary {
  /** Mails sent, items settled (sent, superseded, or found sent), items whose send failed (deferred). */
  sent: number;
  settled: number;
  failed: number;
  /** Items another sender held. */
  busy: number;
  /** The run stopped early: consecutive failures (the mail service is down) or its time was up. */
  stopped?: 'failing' | 'time';
}

/**
 * The scheduled drain (functions/jobs/outbox.ts, every minute): every owed confirmation that is
 * due — owed for longer than the grace period of its request, or due again after a failed send —
 * is claimed, sent and settled. A failing item is deferred with exponential back-off and the
 * drain goes on with the next; after `stopAfterFailures` failures in a row the mail service is
 * taken to be down and the run ends (the next run tries again). Items are read page by page
 * until none is due or `deadline` (epoch ms) comes near.
 */
export async function drainOwedConfirmations(opts: { deadline?: number; stopAfterFailures?: number; pageSize?: number } = {}): Promise<DrainSummary> {
  const summary: DrainSummary = { sent: 0, settled: 0, failed: 0, busy: 0 };
  const stopAfter = opts.stopAfterFailures ?? 5;
  let inARow = 0;
  let next: Record<string, unknown> | undefined;
  do {
    const page = await owedDue(nowIso(), opts.pageSize ?? 100, next);
    next = page.next;
    for (const item of page.items) {
      if (opts.deadline && Date.now() > opts.deadline) return { ...summary, stopped: 'time' };
      const owed = await claimOwed(item, nowIso(), OWED_LEASE_MS);
      if (!owed) {
        summary.busy++;
        continue;
      }
      try {
        const outcome = await sendOwed(owed, { maxAttempts: 2 });
        inARow = 0;
        if (outcome === 'owed') summary.busy++;
        else {
          summary.settled++;
          if (outcome === 'sent') summary.sent++;
        }
      } catch (e) {
        summary.failed++;
        const attempts = (owed.attempts ?? 0) + 1;
        await deferOwed(owed, new Date(now().getTime() + owedBackoffMs(attempts)).toISOString(), errorName(e));
        if (++inARow >= stopAfter) {
          logger.warn('owed confirmations: the mail service keeps failing; next run', { failed: summary.failed, error: errorName(e) });
          return { ...summary, stopped: 'failing' };
        }
      }
    }
  } while (next);
  return summary;
}
