/**
 * Result confirmation mails (结果录入确认): after results arrive through the form behind a link or
 * by replying to a reminder, the inspector gets one mail listing what was recorded and what was
 * refused and why. One composition and one idempotent delivery for both channels.
 */
import { deliver, type Recipient } from '../mail/events.js';
import { renderResultConfirmation, type ConfirmationMail } from '../mail/render.js';
import type { SendOutcome } from '../mail/send.js';
import { getDepartment, getInspector } from '../store/registry.js';
import type { ProgressRecord } from '../store/tasks.js';
import type { ValidResult } from '../domain/result.js';
import { nowIso } from '../clock.js';

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

/** The confirmation of a result entered through the form (nothing when it changed nothing). */
export async function confirmFormEntry(
  entry: { taskId: string; uscc: string; inspector: { department: string; id: string } },
  res: { progress: ProgressRecord; result: ValidResult; unchanged: boolean },
): Promise<SendOutcome | undefined> {
  if (res.unchanged) return undefined;
  const insp = await getInspector(entry.inspector.department, entry.inspector.id);
  if (!insp) return undefined;
  const dept = await getDepartment(insp.department);
  return sendResultConfirmation({
    key: `confirm#${entry.taskId}#${entry.uscc}#v${res.progress.resultVersion}#${insp.id}`,
    to: { name: insp.name, email: insp.email },
    mail: {
      departmentName: dept?.name ?? insp.department,
      via: 'form',
      receivedAt: nowIso(),
      recorded: [{ uscc: entry.uscc, targetName: res.progress.name, codes: res.result.phrases, ...(res.result.remark ? { remark: res.result.remark } : {}) }],
      rejected: [],
    },
  });
}
