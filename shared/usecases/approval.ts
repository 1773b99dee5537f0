/**
 * The leader's decision on a task's plan form (抽查任务审批), signed in or through the approval
 * mail's link; the same request with `subject: 'redraw'` decides a requested re-draw
 * (`redraw.ts`). Each resumes (or ends) the execution through its stage's task token, once.
 */
import { z } from 'zod';
import { audit, type Actor } from '../store/tasks.js';
import { completeStage, failStage } from '../lifecycle/callbacks.js';
import { invalid } from '../domain/errors.js';
import { parseOrThrow } from '../domain/schemas.js';
import { actorOf, taskFor, type Staff } from './access.js';
import { decideRedraw } from './redraw.js';

export const ApprovalInput = z.object({ approve: z.boolean(), reason: z.string().optional(), subject: z.enum(['plan', 'redraw']).default('plan') });

export interface PlanDecision {
  approve: boolean;
  /** Required when not approving. */
  reason: string;
}

/** A decision on the plan form, checked before anything is used up (a single-use link, a token). */
export function planDecision(approve: boolean, reason: string | undefined): PlanDecision {
  const why = reason?.trim() ?? '';
  if (!approve && !why) throw invalid('不批准时请填写理由');
  return { approve, reason: why };
}

/**
 * Approve or reject the task's plan form. `applied` is false when the decision had been taken
 * already (a double click, the link and the console both used): nothing changes then.
 */
export async function decideTaskPlan(taskId: string, d: PlanDecision, who: Actor, via: 'api' | 'mail-link'): Promise<{ applied: boolean }> {
  const applied = d.approve ? await completeStage(taskId, 'approval', { approvedBy: who.by }) : await failStage(taskId, 'approval', 'PlanRejected', d.reason);
  if (applied) await audit(taskId, who, d.approve ? 'plan.approved' : 'plan.rejected', { reason: d.reason, via });
  return { applied };
}

export type ApprovalOutcome = { approved: boolean; applied: boolean; message?: string } | Awaited<ReturnType<typeof decideRedraw>>;

/** A signed-in leader's decision on the plan form (`subject: 'plan'`) or on a re-draw. */
export async function decideApproval(staff: Staff, taskId: string, input: unknown): Promise<ApprovalOutcome> {
  const t = await taskFor(staff, taskId, 'write');
  const body = parseOrThrow(ApprovalInput, input);
  if (body.subject === 'redraw') return decideRedraw(t, body.approve, body.reason, actorOf(staff));
  const { applied } = await decideTaskPlan(t.taskId, planDecision(body.approve, body.reason), actorOf(staff), 'api');
  return { approved: body.approve, applied, ...(applied ? {} : { message: '该审批已处理过，本次请求未产生变化' }) };
}
