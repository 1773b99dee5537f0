/**
 * Late tasks (逾期启动). A task is not launched after its draw date or window as planned: the
 * coordinator either adjusts the annual plan (a new published version with new dates), or asks
 * for a late launch with a reason and new dates, which a leader approves or refuses (a reason is
 * required then). The approved dates are the task's dates from then on — the draw, the check
 * dates the result form accepts and every deadline count from them — and both the request and
 * the decision are audited and public on the task's announcement.
 */
import { z } from 'zod';
import { findTask } from '../store/plans.js';
import { audit, getTask } from '../store/tasks.js';
import { decideLateLaunchRecord, getLateLaunch, putLateLaunchRequest, type LateLaunchRecord } from '../store/late-launch.js';
import { launchTooLate, newDatesProblems, type TaskDates } from '../domain/late.js';
import { chinaToday } from '../domain/calendar.js';
import { conflict, DomainError, invalid, notFound } from '../domain/errors.js';
import { IsoDate, parseOrThrow } from '../domain/schemas.js';
import { LIMITS, tooLongMessage } from '../domain/limits.js';
import { now, nowIso } from '../clock.js';
import { actorOf, type Staff } from './access.js';

export const LateLaunchInput = z.object({
  reason: z.string().trim().min(5, { message: '请写明逾期启动的理由（至少 5 个字）' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }),
  drawDate: IsoDate,
  window: z.object({ start: IsoDate, end: IsoDate }),
});
export const LateLaunchDecision = z.object({ approve: z.boolean(), reason: z.string().max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }).optional() });

/** A task of a published plan that has not been launched (the caller's department: checked by the allow matrix). */
async function unlaunched(taskId: string): Promise<{ plan: { department: string; version: number }; task: TaskDates & { taskId: string; name: string } }> {
  const found = await findTask(taskId);
  if (!found) throw notFound(`已发布计划中的任务「${taskId}」`);
  if (await getTask(taskId)) throw conflict(`任务「${taskId}」已启动，逾期启动申请只适用于尚未启动的任务`);
  return found;
}

/** Ask for a late launch with new dates; a leader decides. */
export async function requestLateLaunch(staff: Staff, taskId: string, input: unknown): Promise<{ message: string }> {
  const { plan, task } = await unlaunched(taskId);
  const body = parseOrThrow(LateLaunchInput, input);
  const today = chinaToday(now());
  if (!launchTooLate(task, today)) throw conflict(`任务「${taskId}」的抽取日期（${task.drawDate}）未过，可以直接启动`);
  const problems = newDatesProblems(body, today);
  if (problems.length) throw new DomainError('invalid', problems.map((p) => p.message).join('；'), { issues: problems });
  const rec: LateLaunchRecord = {
    taskId,
    department: plan.department,
    reason: body.reason,
    drawDate: body.drawDate,
    window: body.window,
    original: { drawDate: task.drawDate, window: { start: task.window.start, end: task.window.end } },
    planVersion: plan.version,
    requestedBy: staff.email,
    requestedAt: nowIso(),
    status: 'pending',
  };
  if (!(await putLateLaunchRequest(rec))) throw conflict('已有待批准或已批准的逾期启动申请');
  await audit(taskId, actorOf(staff), 'late-launch.requested', { reason: rec.reason, drawDate: rec.drawDate, window: rec.window, original: rec.original });
  return { message: '逾期启动申请已提交，待分管领导批准；批准后即可按新的日期启动' };
}

/** A leader approves or refuses the pending late launch (a reason is required to refuse). */
export async function decideLateLaunch(staff: Staff, taskId: string, input: unknown): Promise<{ lateLaunch: 'approved' | 'rejected' }> {
  await unlaunched(taskId);
  const body = parseOrThrow(LateLaunchDecision, input);
  const comment = body.reason?.trim() ?? '';
  if (!body.approve && !comment) throw invalid('不批准时请填写理由');
  const rec = await getLateLaunch(taskId);
  if (rec?.status !== 'pending') throw conflict('没有待批准的逾期启动申请');
  const status = body.approve ? 'approved' : 'rejected';
  if (!(await decideLateLaunchRecord(taskId, { status, decidedBy: staff.email, decidedByName: staff.name, ...(comment ? { comment } : {}) }))) {
    throw conflict('该逾期启动申请已由他人处理');
  }
  await audit(taskId, actorOf(staff), `late-launch.${status}`, { comment, drawDate: rec.drawDate, window: rec.window });
  return { lateLaunch: status };
}

/**
 * The dates a task starts with when launched today: the published plan's, or — when those have
 * passed — an approved late launch's. Refused with what to do otherwise.
 */
export async function launchDates(taskId: string, planned: TaskDates): Promise<{ lateLaunch?: LateLaunchRecord }> {
  const today = chinaToday(now());
  const late = launchTooLate(planned, today);
  if (!late) return {};
  const ll = await getLateLaunch(taskId);
  const head = `任务「${taskId}」${late}，不能按原计划启动（各项期限会一开始就已逾期）`;
  const how = '请通过计划调整发布新的抽取日期和抽查时间，或提交逾期启动申请（写明理由和新的日期），经分管领导批准后启动';
  if (ll?.status === 'approved') {
    const again = launchTooLate(ll, today);
    if (!again) return { lateLaunch: ll };
    throw conflict(`${head}；经批准的逾期启动日期也已过（${again}），${how}`);
  }
  if (ll?.status === 'pending') throw conflict(`${head}；逾期启动申请已提交，待分管领导批准`);
  if (ll?.status === 'rejected') throw conflict(`${head}；逾期启动申请未获批准（${ll.comment ?? '未说明理由'}）。${how}`);
  throw conflict(`${head}。${how}`);
}
