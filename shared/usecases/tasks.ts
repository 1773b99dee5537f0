/**
 * Launching and watching a task: start its execution (idempotent), its status, its draw record,
 * its drawn targets, and publishing its results.
 */
import { z } from 'zod';
import { findTask } from '../store/plans.js';
import { audit, createTaskRecord, getTask, deadlinesOfTask, listProgressPage, STATUS_NAMES, TARGET_STATUSES, updateTask, type ProgressRecord, type TargetStatus, type TaskRecord } from '../store/tasks.js';
import { describeExecution, startExecution, type ExecutionView } from '../lifecycle/callbacks.js';
import { getDrawRecordJson } from '../lifecycle/draw-stage.js';
import { openingFor, openingsOf, readFrozenBlob } from '../lifecycle/draw-v2.js';
import { checkCodeOf } from '../draw/v2/index.js';
import { listFollowUps, publishResults, type FollowUp } from '../lifecycle/progress.js';
import { chinaToday } from '../domain/calendar.js';
import { DEADLINE_LABELS, isOverdue } from '../domain/deadlines.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { parseOrThrow, Short } from '../domain/schemas.js';
import { decodeCursor, encodeCursor } from '../store/base.js';
import { LIMITS } from '../domain/limits.js';
import { normalizeUscc } from '../domain/uscc.js';
import { now } from '../clock.js';
import { actorOf, launchedTask, type Staff } from './access.js';
import { failedTaskAdvice } from './resume.js';
import { launchDates } from './late-launch.js';

/**
 * Start the lifecycle of a task of the department's published plan. Launching again returns the
 * running execution (same name and input: Step Functions answers with it) and writes nothing.
 */
export async function launchTask(staff: Staff, taskId: string): Promise<{ taskId: string; executionArn: string; created: boolean }> {
  const found = await findTask(taskId);
  if (!found) throw notFound(`已发布计划中的任务「${taskId}」`);
  // Too late for the planned dates: only with an approved late launch (or a plan adjustment).
  const dates = (await getTask(taskId)) ? {} : await launchDates(taskId, found.task);
  const { task, created } = await createTaskRecord(found, staff.email, dates);
  // A failed task does not go on by launching it again: say what does.
  if (!created && task.stage === 'failed') throw conflict(failedTaskAdvice(task));
  // Launched before: its execution (a resumed task's is not the one named after the task).
  const { executionArn } = !created && task.executionArn ? { executionArn: task.executionArn } : await startExecution(task.taskId, { taskId: task.taskId });
  if (!task.executionArn) await updateTask(task.taskId, { executionArn, executionName: task.taskId });
  if (created) await audit(task.taskId, actorOf(staff), 'task.launched', { executionArn, ...(task.lateLaunch ? { lateLaunch: { drawDate: task.lateLaunch.drawDate, window: task.lateLaunch.window } } : {}) });
  return { taskId: task.taskId, executionArn, created };
}

export interface TaskStatusView {
  taskId: string;
  name: string;
  department: string;
  stage: TaskRecord['stage'];
  drawRound: number;
  total: number;
  /** Targets per status (statuses with none left out), and the same with Chinese names. */
  counts: Record<string, number>;
  countsZh: Record<string, number>;
  reached: TaskRecord['reached'];
  overdue: { kind: string; name: string; ref: string; due: string | null; people: string[] }[];
  failure: TaskRecord['failure'];
  summary: TaskRecord['summary'];
  /** The execution's states (absent when Step Functions cannot be asked). */
  execution: ExecutionView | undefined;
}

export async function taskStatus(staff: Staff, taskId: string): Promise<TaskStatusView> {
  const t = await launchedTask(taskId);
  const today = chinaToday(now());
  const overdue = (await deadlinesOfTask(t.taskId))
    .filter((d) => !d.metAt && d.due !== null && isOverdue(d.due, today))
    .map((d) => ({ kind: d.kind, name: DEADLINE_LABELS[d.kind], ref: d.ref, due: d.due, people: d.people }));
  let execution: ExecutionView | undefined;
  if (t.executionArn) {
    try {
      execution = await describeExecution(t.executionArn);
    } catch {
      execution = undefined;
    }
  }
  const counts = Object.fromEntries(Object.entries(t.counts).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>;
  return {
    taskId: t.taskId,
    name: t.name,
    department: t.department,
    stage: t.stage,
    drawRound: t.drawRound,
    total: t.total,
    counts,
    countsZh: Object.fromEntries(Object.entries(counts).map(([k, n]) => [STATUS_NAMES[k as keyof typeof STATUS_NAMES], n])),
    reached: t.reached,
    overdue,
    failure: t.failure,
    summary: t.summary,
    execution,
  };
}

/** The draw record of a round (default: the latest drawn), exactly as published. */
export async function drawRecordOf(staff: Staff, taskId: string, round?: number): Promise<{ json: string; round: number; filename: string }> {
  const t = await launchedTask(taskId);
  const r = round ?? t.drawRound;
  const json = await getDrawRecordJson(t.taskId, r);
  if (!json) throw notFound(`第 ${r} 轮抽取记录`);
  return { json, round: r, filename: `${t.taskId}-draw-${r}.json` };
}

/**
 * The supervisor's full inputs of a v2 round (signed-in coordinator or leader): the internal
 * openings (candidate text and salt, USCC order) and the pseudonym mapping — with them the
 * whole pool, its digest and every enterprise's stratum and check code are re-derived.
 */
export async function drawInputsOf(_staff: Staff, taskId: string, round?: number): Promise<{ json: string; filename: string }> {
  const t = await launchedTask(taskId);
  const r = round ?? Math.max(1, t.drawRound);
  const b = await readFrozenBlob(t.taskId, r);
  if (!b) throw notFound(`第 ${r} 轮的 suiji-draw-v2 冻结输入`);
  const departmentOf = b.departmentOf ?? {};
  const out = {
    algorithm: b.algorithm,
    note: '内部资料：未抽中企业的统一社会信用代码、风险分类和盐值不公开（docs/DRAW.md §16）',
    taskId: t.taskId,
    round: r,
    freezeDigest: b.freezeDigest,
    freeze: b.freeze,
    eligibility: b.eligibility,
    openings: openingsOf(b),
    pseudonyms: Object.entries(b.pseudonyms).map(([pseudonym, id]) => ({ pseudonym, id, department: departmentOf[id] ?? null })),
  };
  return { json: JSON.stringify(out, null, 2) + '\n', filename: `${t.taskId}-draw-${r}-inputs.json` };
}

/**
 * An enterprise's check code (核验码) for the public self-check, which the department gives on
 * request (signed-in coordinator or leader): from the round's internal opening of that USCC.
 */
export async function checkCodeFor(_staff: Staff, taskId: string, uscc: string, round?: number): Promise<{ uscc: string; round: number; code: string; stratum: string }> {
  const t = await launchedTask(taskId);
  const r = round ?? Math.max(1, t.drawRound);
  const u = uscc.trim().toUpperCase();
  if (!/^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(u)) throw invalid('统一社会信用代码应为 18 位（数字和大写字母，不含 I、O、S、V、Z）');
  const b = await readFrozenBlob(t.taskId, r);
  if (!b) throw notFound(`第 ${r} 轮的 suiji-draw-v2 冻结输入`);
  const line = openingFor(b, u);
  if (!line) throw notFound(`第 ${r} 轮对象池中的检查对象 ${u}（该企业不在本轮抽查范围内）`);
  return { uscc: u, round: r, code: checkCodeOf(line).code, stratum: line.split(',')[1]! };
}

/**
 * Drawn targets with their progress, a page at a time (`cursor` from the previous page);
 * `status`: only targets in these statuses (comma-separated codes).
 */
export async function drawnTargets(
  staff: Staff,
  taskId: string,
  opts: { limit: number; cursor?: string; status?: string },
): Promise<{ items: Omit<ProgressRecord, 'history'>[]; cursor?: string }> {
  const status = (opts.status ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const unknown = status.filter((x) => !(TARGET_STATUSES as readonly string[]).includes(x));
  if (unknown.length) throw invalid(`status：状态「${unknown.join('、')}」无效，可用：${TARGET_STATUSES.map((x) => `${x}（${STATUS_NAMES[x]}）`).join('、')}`);
  const t = await launchedTask(taskId);
  const start = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  const page = await listProgressPage(t.taskId, opts.limit, start, status as TargetStatus[]);
  return {
    items: page.items.map(({ history: _h, ...rest }) => rest),
    ...(page.next ? { cursor: encodeCursor(page.next) } : {}),
  };
}

export const PublishInput = z.object({ usccs: z.array(Short()).max(LIMITS.importRows).optional() });

/** Publish every valid result not yet published (or the given targets'). */
export async function publishTaskResults(staff: Staff, taskId: string, input: unknown): Promise<Awaited<ReturnType<typeof publishResults>>> {
  const t = await launchedTask(taskId);
  const body = parseOrThrow(PublishInput, input);
  return publishResults(t.taskId, actorOf(staff), body.usccs?.map(normalizeUscc));
}

/** Follow-up dispositions of a task (of one target with `uscc`; `status`: open or closed). */
export async function taskFollowUps(staff: Staff, taskId: string, opts: { uscc?: string; status?: string }): Promise<{ items: FollowUp[] }> {
  const t = await launchedTask(taskId);
  if (opts.status && opts.status !== 'open' && opts.status !== 'closed') throw invalid(`status：状态「${opts.status}」无效，可用：open（处置中）、closed（已办结）`);
  const items = (await listFollowUps(t.taskId, opts.uscc ? normalizeUscc(opts.uscc) : undefined)).map((f) => {
    const { pk: _p, sk: _s, entity: _e, ...rest } = f as FollowUp & { pk?: string; sk?: string; entity?: string };
    return rest;
  });
  return { items: opts.status ? items.filter((f) => f.status === opts.status) : items };
}
