/**
 * Resuming a failed task (恢复): the coordinator asks with a reason, a leader approves with a
 * reason of his own (or refuses). An approved resume starts a new execution of the lifecycle for
 * a new ceremony round — the plan form approved before passes at once; one the leader sent back
 * (PlanRejected) is sent to the leaders again, on the plan as published then — and everything
 * the earlier rounds left (aborted ceremonies, refused reveals, the failure, the rejection) stays
 * on record.
 */
import { z } from 'zod';
import { audit, clearResumeRequest, markResumed, setResumeRequest, updateTask, type Actor, type TaskRecord } from '../store/tasks.js';
import { abortRound, ceremonyRoundOf, getCeremony, OPEN_CEREMONY, openResumedRound } from '../store/ceremony.js';
import { startExecution } from '../lifecycle/callbacks.js';
import { conflict, invalid } from '../domain/errors.js';
import { parseOrThrow } from '../domain/schemas.js';
import { LIMITS, tooLongMessage } from '../domain/limits.js';
import { nowIso } from '../clock.js';
import { actorOf, launchedTask, type Staff } from './access.js';
import { findTask } from '../store/plans.js';

export const ResumeRequest = z.object({ reason: z.string().trim().min(5, { message: '请写明恢复的理由（至少 5 个字）' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }) });

/** What the coordinator is told when a failed task is launched again (the CLI and the console show it). */
export function failedTaskAdvice(t: TaskRecord): string {
  const why = t.failure ? `（${t.failure.cause}）` : '';
  if (t.resumeRequest) return `任务「${t.taskId}」已终止${why}；恢复申请已提交，待分管领导批准后${rejected(t) ? '重新报送任务计划审批' : '以新一轮抽取继续'}`;
  if (rejected(t)) {
    return `任务「${t.taskId}」的任务计划被分管领导退回${why}，再次启动不会继续。请按退回意见处理（需要改动计划内容的，先发布计划调整），再提交恢复申请并写明如何处理（suiji task resume request ${t.taskId} --reason …，或工作台任务页「申请恢复」）；分管领导批准恢复后，任务计划按现行已发布计划重新报送审批，退回记录保留`;
  }
  return `任务「${t.taskId}」已终止${why}，再次启动不会继续。请提交恢复申请并写明理由（suiji task resume request ${t.taskId} --reason …，或工作台任务页「申请恢复」），经分管领导批准后以新一轮抽取继续，原记录保留`;
}

/** The task failed because its plan form was sent back (PlanRejected). */
const rejected = (t: TaskRecord): boolean => t.failure?.error === 'PlanRejected' || t.approval?.approved === false;

/** Ask for a failed task to be resumed; it waits for a leader's decision. */
export async function requestResume(staff: Staff, taskId: string, input: unknown): Promise<{ message: string }> {
  const t = await launchedTask(taskId);
  if (t.stage !== 'failed') throw conflict(`任务未终止（当前阶段：${t.stage}），无需恢复`);
  const { reason } = parseOrThrow(ResumeRequest, input);
  const request = { reason, requestedBy: staff.email, requestedAt: nowIso() };
  if (!(await setResumeRequest(t.taskId, request))) throw conflict('已有待批准的恢复申请');
  await audit(t.taskId, actorOf(staff), 'resume.requested', { reason, failure: t.failure ?? null });
  return { message: '恢复申请已提交，待分管领导批准；原抽取记录保持公开' };
}

/**
 * A leader's decision on the requested resume, with a reason either way. Approving aborts the
 * round the failure left open, opens the next round and starts a new execution.
 */
export async function decideResume(t: TaskRecord, approve: boolean, reason: string | undefined, who: Actor): Promise<{ resume: 'approved' | 'rejected' | 'already-handled'; round?: number }> {
  const req = t.resumeRequest;
  if (t.stage !== 'failed' || !req) throw conflict('没有待批准的恢复申请');
  const why = reason?.trim() ?? '';
  if (!why) throw invalid(approve ? '批准恢复时请写明理由' : '不批准时请填写理由');
  if (!approve) {
    if (!(await clearResumeRequest(t.taskId))) return { resume: 'already-handled' };
    await audit(t.taskId, who, 'resume.rejected', { reason: why, request: req.reason });
    return { resume: 'rejected' };
  }
  const last = ceremonyRoundOf(t);
  const prev = await getCeremony(t.taskId, last);
  const failure = t.failure?.cause ?? '任务已终止';
  // The round the failure left open (e.g. the pool could not be frozen) ends on record.
  if (prev && OPEN_CEREMONY.includes(prev.status)) await abortRound(t.taskId, last, failure);
  const round = prev ? last + 1 : last;
  const at = nowIso();
  await openResumedRound(t.taskId, round, { ...req, approvedBy: who.by, approvedAt: at, approvalReason: why, after: failure });
  const name = `${t.taskId}_r${round}`;
  // A plan form sent back is decided again, on the plan as published now (an adjustment made meanwhile included).
  const reconsider = rejected(t);
  const current = reconsider ? await findTask(t.taskId) : undefined;
  if (reconsider && !current) throw conflict(`任务「${t.taskId}」已不在已发布的年度抽查计划中，不能恢复`);
  if (!(await markResumed(t, round, name, { ...(current ? { planVersion: current.plan.version } : {}), reconsider }))) return { resume: 'already-handled' };
  const { executionArn } = await startExecution(name, { taskId: t.taskId });
  await updateTask(t.taskId, { executionArn, executionName: name });
  await audit(t.taskId, who, 'resume.approved', { reason: why, request: req.reason, round, executionArn });
  return { resume: 'approved', round };
}

