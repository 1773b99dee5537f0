/**
 * The leader's decision on a task's plan form (抽查任务审批), signed in or through the approval
 * mail's link; the same request with `subject: 'redraw'` decides a requested re-draw
 * (`redraw.ts`). Each resumes (or ends) the execution through its stage's task token, once.
 */
import { z } from 'zod';
import { audit, getTask, queryAuditPage, updateTask, type Actor, type ApprovalDecision, type TaskRecord } from '../store/tasks.js';
import { getDepartment, listDepartments } from '../store/registry.js';
import { chinaDateTime } from '../domain/calendar.js';
import { nowIso } from '../clock.js';
import { completeStage, failStage } from '../lifecycle/callbacks.js';
import { invalid } from '../domain/errors.js';
import { parseOrThrow, Short } from '../domain/schemas.js';
import { LIMITS } from '../domain/limits.js';
import { actorOf, launchedTask, type Staff } from './access.js';
import { decideRedraw } from './redraw.js';
import { decideResume } from './resume.js';

export const ApprovalInput = z.object({ approve: z.boolean(), reason: Short(LIMITS.text).optional(), subject: z.enum(['plan', 'redraw', 'resume']).default('plan') });

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
 * already (a double click, the link and the console both used): nothing changes then, and
 * `decision` says who took it and when. The decision is kept on the task record.
 */
export async function decideTaskPlan(taskId: string, d: PlanDecision, who: Actor & { name?: string }, via: 'api' | 'mail-link'): Promise<{ applied: boolean; decision?: ApprovalDecision | undefined }> {
  const applied = d.approve ? await completeStage(taskId, 'approval', { approvedBy: who.by }) : await failStage(taskId, 'approval', 'PlanRejected', d.reason);
  const task = await getTask(taskId);
  if (!applied) return { applied, decision: task ? await planApprovalDecision(task) : undefined };
  const decision: ApprovalDecision = {
    approved: d.approve,
    by: who.by,
    // a principal without a name claim carries its address as name: look the name up instead
    name: (who.name && !who.name.includes('@') ? who.name : await staffName(who.by, task?.department)) ?? '分管领导',
    at: nowIso(),
    ...(d.reason ? { reason: d.reason } : {}),
    via,
  };
  await updateTask(taskId, { approval: decision });
  await audit(taskId, who, d.approve ? 'plan.approved' : 'plan.rejected', { reason: d.reason, via });
  return { applied, decision };
}

/**
 * The name of a staff member by e-mail: the task department's staff first, then every
 * department's. Pages show names, not addresses; an unknown address gives undefined.
 */
export async function staffName(email: string, department?: string): Promise<string | undefined> {
  const e = email.trim().toLowerCase();
  const own = department ? await getDepartment(department) : undefined;
  for (const dept of [...(own ? [own] : []), ...(await listDepartments())]) {
    const p = [...dept.leaders, ...dept.coordinators, ...dept.sectionHeads, dept.liaison].find((x) => x.email.toLowerCase() === e);
    if (p) return p.name;
  }
  return undefined;
}

/** The decision already taken on the task's plan form, if any. */
export async function planApprovalDecision(task: TaskRecord): Promise<ApprovalDecision | undefined> {
  if (task.approval) return task.approval;
  // sent to the leaders again after a resume: undecided (the earlier decision is in pastApprovals)
  if (task.pastApprovals?.length) return undefined;
  // Tasks decided before decisions were kept on the record: the decision is among the first
  // audit entries (launch, then the decision), so one page of the trail answers it.
  const hit = (await queryAuditPage(task.taskId, 50)).find((a) => (a.what === 'plan.approved' || a.what === 'plan.rejected') && a.data?.applied !== false);
  if (!hit) return undefined;
  return {
    approved: hit.what === 'plan.approved',
    by: hit.by,
    name: (await staffName(hit.by, task.department)) ?? '分管领导',
    at: hit.at,
    ...(typeof hit.data?.reason === 'string' && hit.data.reason ? { reason: hit.data.reason } : {}),
    via: hit.data?.via === 'mail-link' ? 'mail-link' : 'api',
  };
}

/** 「该抽查任务计划已由 张三 于 2026-01-12 09:05 批准」 / 「…退回（理由：…）」 */
export function describeDecision(d: ApprovalDecision): string {
  return `该抽查任务计划已由 ${d.name} 于 ${chinaDateTime(d.at)} ${d.approved ? '批准' : `退回（理由：${d.reason ?? '未说明'}）`}`;
}

export type ApprovalOutcome = { approved: boolean; applied: boolean; message?: string } | Awaited<ReturnType<typeof decideRedraw>> | Awaited<ReturnType<typeof decideResume>>;

/** A signed-in leader's decision on the plan form (`subject: 'plan'`), a re-draw or the resume of a failed task. */
export async function decideApproval(staff: Staff, taskId: string, input: unknown): Promise<ApprovalOutcome> {
  const t = await launchedTask(taskId);
  const body = parseOrThrow(ApprovalInput, input);
  if (body.subject === 'redraw') return decideRedraw(t, body.approve, body.reason, actorOf(staff));
  if (body.subject === 'resume') return decideResume(t, body.approve, body.reason, actorOf(staff));
  const { applied, decision } = await decideTaskPlan(t.taskId, planDecision(body.approve, body.reason), { ...actorOf(staff), name: staff.name }, 'api');
  return { approved: body.approve, applied, ...(applied ? {} : { message: `${decision ? describeDecision(decision) : '该审批已处理过'}，本次请求未产生变化` }) };
}
