/**
 * What each state of the lifecycle does. The Lambdas in functions/lifecycle are thin wrappers;
 * state payloads carry only the task id and small summaries — per-target data stays in DynamoDB.
 */
import { findTask } from '../store/plans.js';
import { createTaskRecord, getTask, saveToken, updateTask, audit, type CallbackStage, type TaskRecord } from '../store/tasks.js';
import { getDepartment } from '../store/registry.js';
import { LifecycleError, FAILURE_NAMES, HUMAN_OUTCOMES } from './errors.js';
import { emitCount, LIFECYCLE_HUMAN_OUTCOMES } from '../lambda/metrics.js';
import { failStage, resumeIfDone } from './callbacks.js';
import { ceremonyRoundOf, getCeremony } from '../store/ceremony.js';
import { nowIso } from '../clock.js';
import { notifyStageEntered } from './notify.js';
import { closeTaskSummary } from './summary.js';
import { checkTaskBeforeLaunch } from './validate.js';

export interface LifecycleInput {
  taskId: string;
}

const SYSTEM = { by: 'system', role: 'system' };

/** ValidatePlan: the task exists in a published plan and still passes the profile's rules. */
export async function validateStage(input: LifecycleInput): Promise<{ taskId: string; department: string }> {
  const found = await findTask(input.taskId);
  if (!found) throw new LifecycleError('PlanInvalid', `任务「${input.taskId}」不在任何已发布的年度抽查计划中`);
  const { plan, task } = found;
  const problems = await checkTaskBeforeLaunch(plan, task);
  // Launched through the API the record exists already; otherwise the execution creates it.
  await createTaskRecord(found, 'system');
  if (problems.length) {
    throw new LifecycleError('PlanInvalid', problems.map((p) => `${p.field}：${p.message}`).join('；'));
  }
  return { taskId: task.taskId, department: plan.department };
}

/**
 * Entering a human step: keep its task token, show the stage, tell the people concerned, and
 * resume at once if the step's condition already holds.
 */
export async function callbackStage(input: LifecycleInput & { stage: CallbackStage; taskToken: string }): Promise<void> {
  const task = await getTask(input.taskId);
  if (!task) throw new Error(`task ${input.taskId} has no record`);
  await saveToken(input.taskId, input.stage, input.taskToken, task.drawRound);
  // A resumed task's plan was approved before: its execution passes the approval at once, unannounced.
  const approvedBefore = input.stage === 'approval' && task.approval?.approved === true;
  // Tell the people concerned first: the coordinator sees the stage once its mail is out.
  if (!approvedBefore) await notifyStageEntered({ ...task, stage: input.stage }, input.stage);
  const updated = await updateTask(input.taskId, { stage: input.stage });
  await audit(input.taskId, SYSTEM, `stage.${input.stage}`, { round: task.drawRound });
  if (input.stage === 'ceremony') {
    // Aborted while the pool was being frozen: the ceremony ends as it begins.
    const round = ceremonyRoundOf(task);
    const c = await getCeremony(input.taskId, round);
    if (c?.status === 'aborted') await failStage(input.taskId, 'ceremony', 'CeremonyAborted', c.abortReason ?? `第 ${round} 轮抽取已中止`);
    return;
  }
  await resumeIfDone(input.taskId, updated);
}

/** CloseTask (and RecordFailure, when `failure` is given). */
export async function closeStage(input: LifecycleInput & { failure?: { Error?: string; Cause?: string } }): Promise<{ closed: boolean }> {
  if (input.failure) {
    const error = input.failure.Error ?? 'LifecycleError';
    let cause = input.failure.Cause ?? '';
    // Lambda errors arrive as a JSON cause {errorType, errorMessage, …}: keep the message.
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: string };
      if (parsed.errorMessage) cause = parsed.errorMessage;
    } catch {
      /* plain text cause */
    }
    const task = await getTask(input.taskId);
    if (task) {
      await updateTask(input.taskId, { stage: 'failed', failure: { error, cause: `${FAILURE_NAMES[error] ?? error}：${cause}`, at: nowIso() } });
    }
    await audit(input.taskId, SYSTEM, 'lifecycle.failed', { error, cause });
    // A person's decision is not an operations alarm (see infra/operations.ts).
    if (HUMAN_OUTCOMES.has(error)) emitCount(LIFECYCLE_HUMAN_OUTCOMES, 1, { error });
    return { closed: false };
  }
  const task = (await getTask(input.taskId)) as TaskRecord;
  if (task.stage === 'closed') return { closed: true };
  const summary = await closeTaskSummary(task);
  await updateTask(input.taskId, { stage: 'closed', closedAt: nowIso(), summary });
  await audit(input.taskId, SYSTEM, 'lifecycle.closed', summary);
  const dept = await getDepartment(task.department);
  if (dept) await notifyStageEntered({ ...task, stage: 'closed', summary }, 'closed');
  return { closed: true };
}
