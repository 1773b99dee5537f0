/**
 * Result confirmation mails (结果录入确认): after results arrive through the form behind a link or
 * by replying to a reminder, the inspector gets one mail listing what was recorded and what was
 * refused and why. One composition and one idempotent delivery for both channels.
 */
import { deliver, type Recipient } from '../mail/events.js';
import { renderResultConfirmation, type ConfirmationMail } from '../mail/render.js';
import type { SendOutcome } from '../mail/send.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { getDepartment, getInspector } from '../store/registry.js';
import { getProgress, type ProgressRecord } from '../store/tasks.js';
import { getOwed, owedBefore, settleOwed, type OwedConfirmation } from '../store/outbox.js';
import type { ValidResult } from '../domain/result.js';
import { now } from '../clock.js';

const logger = new Logger({ serviceName: 'suiji-confirmations' });

/** How a confirmation of a reply joins the inspector's thread (and accepts further replies). */
export interface ReplyThread {
  replyTo: string;
  inReplyTo?: string | undefined;
  references: readonly string[];
}

/** Compose and send one confirmation; `key` makes a retried request send nothing twice. */
export function sendResultConfirmation(c: { key: string; to: Recipient; mail: Omit<ConfirmationMail, 'recipient'>; thread?: ReplyThread }): Promise<SendOutcome> {
  return deliver({
    key: c.key,
    kind: 'result-confirmation',
    to: [c.to],
    mail: renderResultConfirmation({ ...c.mail, recipient: c.to }),
    ...(c.thread ? { replyTo: c.thread.replyTo, inReplyTo: c.thread.inReplyTo, references: c.thread.references } : {}),
    mimeKind: 'result-confirmation',
  });
}

/**
 * The confirmation a stored result version owes (store/outbox.ts), sent now if it is still owed.
 * Called by the request that stored it and by whoever observes the result later (a retry of the
 * same submission, the drain below); the mail log's key makes it one mail whoever sends it. A
 * failure to send leaves it owed and is not the caller's failure: the result is stored.
 */
export async function confirmFormEntry(entry: { taskId: string; uscc: string }, res: { progress: ProgressRecord }): Promise<SendOutcome | 'owed' | undefined> {
  const version = res.progress.resultVersion;
  if (!version) return undefined;
  const owed = await getOwed(entry.taskId, entry.uscc, version);
  if (!owed) return undefined;
  try {
    return await sendOwed(owed, res.progress);
  } catch (e) {
    logger.warn('result confirmation not sent; it stays owed', { taskId: entry.taskId, version, error: e instanceof Error ? e.name : String(e) });
    return 'owed';
  }
}

/** Send one owed confirmation for the result as stored, then settle it. */
async function sendOwed(owed: OwedConfirmation, known?: ProgressRecord): Promise<SendOutcome | undefined> {
  const progress = known?.resultVersion === owed.version ? known : await getProgress(owed.taskId, owed.uscc);
  const result = progress?.result as (ValidResult & { enteredAt?: string }) | undefined;
  // Superseded by a later version (which owes its own confirmation), or gone: nothing to confirm.
  if (!progress || !result || progress.resultVersion !== owed.version) {
    await settleOwed(owed);
    return undefined;
  }
  const insp = await getInspector(owed.inspector.department, owed.inspector.id);
  if (!insp) {
    await settleOwed(owed);
    return undefined;
  }
  const dept = await getDepartment(insp.department);
  const outcome = await sendResultConfirmation({
    key: `confirm#${owed.taskId}#${owed.uscc}#v${owed.version}#${insp.id}`,
    to: { name: insp.name, email: insp.email },
    mail: {
      departmentName: dept?.name ?? insp.department,
      via: 'form',
      receivedAt: result.enteredAt ?? owed.owedAt,
      recorded: [{ uscc: owed.uscc, targetName: progress.name, codes: result.phrases, ...(result.remark ? { remark: result.remark } : {}) }],
      rejected: [],
    },
  });
  await settleOwed(owed);
  return outcome;
}

/**
 * Send the confirmations owed for longer than `olderThanMs` (their request failed after storing,
 * or was killed), oldest first, at most `limit`; stops at the first failure to send (the mail
 * service is down: the next drain tries again).
 */
export async function drainOwedConfirmations(opts: { olderThanMs?: number; limit?: number } = {}): Promise<{ sent: number; settled: number; failed: boolean }> {
  const before = new Date(now().getTime() - (opts.olderThanMs ?? 30_000)).toISOString();
  let sent = 0;
  let settled = 0;
  for (const owed of await owedBefore(before, opts.limit ?? 25)) {
    try {
      if ((await sendOwed(owed)) === 'sent') sent++;
      settled++;
    } catch (e) {
      logger.warn('owed confirmations not drained; mail is failing', { error: e instanceof Error ? e.name : String(e) });
      return { sent, settled, failed: true };
    }
  }
  return { sent, settled, failed: false };
}

let lastDrain = 0;

/**
 * A drain at most every `everyMs` per process, by requests that pass by anyway (result entry):
 * owed mail goes out within about a minute while people are working, without a schedule; the
 * daily deadline job drains what is left.
 */
export async function drainNowAndThen(everyMs = 20_000): Promise<void> {
  const t = performance.now();
  if (t - lastDrain < everyMs) return;
  lastDrain = t;
  try {
    await drainOwedConfirmations();
  } catch (e) {
    logger.warn('owed confirmations not drained', { error: e instanceof Error ? e.name : String(e) });
  }
}
