/**
 * A re-draw (重新抽取): the coordinator asks for one with a reason, the leader approves or
 * rejects it. An approved re-draw sends the execution back to the witnesses of a new round; the
 * earlier rounds stay on record and public either way.
 */
import { z } from 'zod';
import { audit, type Actor, type TaskRecord } from '../store/tasks.js';
import { getCeremony, registerWitnesses, updateCeremony } from '../store/ceremony.js';
import { completeStage } from '../lifecycle/callbacks.js';
import { conflict } from '../domain/errors.js';
import { parseOrThrow } from '../domain/schemas.js';
import { LIMITS, tooLongMessage } from '../domain/limits.js';
import { nowIso } from '../clock.js';
import { actorOf, launchedTask, type Staff } from './access.js';

export const RedrawRequest = z.object({ reason: z.string().trim().min(5, { message: '请写明重新抽取的理由（至少 5 个字）' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }) });

/** Ask for a re-draw of a drawn task (during the checks); it waits for the leader's approval. */
export async function requestRedraw(staff: Staff, taskId: string, input: unknown): Promise<{ message: string }> {
  const t = await launchedTask(taskId);
  if (t.stage !== 'results') throw conflict('只有在检查阶段（抽取完成后）才能申请重新抽取');
  const { reason } = parseOrThrow(RedrawRequest, input);
  const who = actorOf(staff);
  await registerWitnesses(t.taskId, t.drawRound + 1, [], { reason, requestedBy: who.by, requestedAt: nowIso() });
  await audit(t.taskId, who, 'redraw.requested', { reason });
  return { message: '重新抽取申请已提交，待分管领导批准；原抽取记录保持公开' };
}

/** Approve or reject the re-draw requested for the next round. */
export async function decideRedraw(t: TaskRecord, approve: boolean, reason: string | undefined, who: Actor): Promise<{ redraw: 'approved' | 'already-handled' | 'rejected' }> {
  const round = t.drawRound + 1;
  const next = await getCeremony(t.taskId, round);
  if (!next?.redraw || next.redraw.approvedAt) throw conflict('没有待批准的重新抽取申请');
  if (!approve) {
    await updateCeremony(t.taskId, round, { status: 'aborted', abortReason: reason ?? '分管领导未批准重新抽取' });
    await audit(t.taskId, who, 'redraw.rejected', { reason: reason ?? '' });
    return { redraw: 'rejected' };
  }
  await updateCeremony(t.taskId, round, { redraw: { ...next.redraw, approvedBy: who.by, approvedAt: nowIso() } });
  const ok = await completeStage(t.taskId, 'results', { redraw: true });
  await audit(t.taskId, who, 'redraw.approved', { reason: next.redraw.reason });
  return { redraw: ok ? 'approved' : 'already-handled' };
}
