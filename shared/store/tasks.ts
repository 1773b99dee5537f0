/**
 * Task runtime: the task record, task tokens of the human steps, per-target progress with its
 * status history, seats (inspector ↔ target), deadlines (the due index) and the audit trail.
 * Every status transition is one DynamoDB transaction: the progress item (conditional on its
 * current status), the task's counters, the audit record and the deadline changes. Aggregate
 * conditions ("the last result is entered") are read from the counters right after.
 */
import { randomUUID } from 'node:crypto';
import { K } from './keys.js';
import { TABLE } from './table.js';
import {
  batchGet,
  batchWrite,
  runPool,
  getItem,
  isConditionFailure,
  putIfAbsent,
  putItem,
  queryAll,
  queryPage,
  transact,
  updateItem,
  type Item,
  type TransactItem,
} from './base.js';
import { now, nowIso } from '../clock.js';
import { chinaToday } from '../domain/calendar.js';
import type { DeadlineKind, DeadlineStep, DueBasis } from '../domain/deadlines.js';
import type { InspectorRef } from '../domain/identity.js';
import { DomainError } from '../domain/errors.js';
import type { PlanTask, PlanVersion } from '../domain/schemas.js';
import type { LateLaunchRecord } from './late-launch.js';
import type { Stage, TaskReached } from '../domain/read-models.js';

export const TARGET_STATUSES = [
  'assigned',
  'notified',
  'checked',
  'result_entered',
  'reviewed',
  'published',
  'followup_open',
  'closed',
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export const STATUS_NAMES: Record<TargetStatus, string> = {
  assigned: '已分派',
  notified: '已通知',
  checked: '已检查',
  result_entered: '已录入结果',
  reviewed: '已审核',
  published: '已公示',
  followup_open: '后续处置中',
  closed: '已办结',
};

export type { Stage } from '../domain/read-models.js';

export type CallbackStage = 'approval' | 'witnesses' | 'ceremony' | 'results' | 'publication' | 'followup';

export interface TaskRecord {
  taskId: string;
  department: string;
  planId: string;
  planVersion: number;
  name: string;
  stage: Stage;
  executionArn?: string;
  executionName?: string;
  launchedAt: string;
  launchedBy: string;
  drawRound: number;
  /** Number of drawn targets of the current round; counters below are per status. */
  total: number;
  counts: Partial<Record<TargetStatus, number>>;
  /** Targets whose status is at or beyond a milestone (monotonic counters). */
  reached: TaskReached;
  failure?: { error: string; cause: string; at: string };
  /** Failures a resumed task left behind, oldest first (each ended a round on record). */
  pastFailures?: { error: string; cause: string; at: string }[];
  /** Round of the next ceremony when a resumed task left an unfinished round behind (`ceremonyRoundOf`). */
  ceremonyRound?: number;
  /** The coordinator's request to resume the failed task, until a leader decides it. */
  resumeRequest?: { reason: string; requestedBy: string; requestedAt: string };
  /** An approved late launch: its dates replace the plan task's (shared/usecases/late-launch.ts). */
  lateLaunch?: LateLaunchRecord;
  /** The leader's decision on the plan form, once taken (shared/usecases/approval.ts). */
  approval?: ApprovalDecision;
  /** Decisions on the plan form before a resume sent it to the leaders again (a rejection, oldest first). */
  pastApprovals?: ApprovalDecision[];
  summary?: Record<string, unknown>;
  closedAt?: string;
  updatedAt: string;
}

export interface ApprovalDecision {
  approved: boolean;
  /** Address of the leader who decided (the audit's `by`). */
  by: string;
  /** His name, for pages and messages. */
  name: string;
  at: string;
  reason?: string;
  via: 'api' | 'mail-link';
}

export interface HistoryEntry {
  status: TargetStatus;
  at: string;
  by: string;
  ip?: string;
  note?: string;
}

export interface ProgressRecord {
  taskId: string;
  uscc: string;
  name: string;
  jurisdiction: string;
  industry: string;
  riskClass: string;
  stratum: string;
  isKey: boolean;
  kind: string;
  /** Inspector ids as the draw record has them. */
  team: string[];
  /** The department of each member, aligned with `team` (absent on progress drawn before it was kept). */
  teamDepartments?: string[];
  leader: string;
  priority: string;
  /**
   * suiji-draw-v2: the enterprise's check code (核验码: its salt, then `-<excluded pseudonyms>`)
   * for the public self-check, printed on its 一企一表 sheet. Public anyway for a drawn
   * enterprise (the record opens its salt); absent on rounds drawn before it was kept and on v1.
   */
  checkCode?: string;
  status: TargetStatus;
  history: HistoryEntry[];
  checkDate?: string;
  result?: Record<string, unknown>;
  resultVersion?: number;
  hasProblem?: boolean;
  /** The result needs a follow-up disposal (phrase data: e.g. A, 8; not E 已改正). */
  needsFollowUp?: boolean;
  publishedAt?: string;
  dueEntry?: string;
  duePublish?: string;
  /** The follow-up opened when such a result was entered: the day it arose and its due date (null: calendar year pending). */
  followUpArisenOn?: string;
  dueFollowUp?: string | null;
  followUps?: { open: number; closed: number };
}

export interface Actor {
  by: string;
  role?: string;
  ip?: string;
}

const LOOKUP = TABLE.indexes.lookup;
const DUE = TABLE.indexes.due;

// ---------------------------------------------------------------- task record

export async function getTask(taskId: string, consistent = true): Promise<TaskRecord | undefined> {
  return (await getItem<TaskRecord & Item>(K.task(taskId), consistent)) ?? undefined;
}

/** Create the task record once; returns the existing one when it is already there. */
export async function createTask(t: Omit<TaskRecord, 'updatedAt' | 'counts' | 'reached' | 'total' | 'drawRound'>): Promise<{ created: boolean; task: TaskRecord }> {
  const task: TaskRecord = { ...t, drawRound: 0, total: 0, counts: {}, reached: { resultEntered: 0, published: 0, closed: 0, followupOpened: 0 }, updatedAt: nowIso() };
  const created = await putIfAbsent({ ...K.task(t.taskId), gsi2pk: K.tasksOfDept(t.department), gsi2sk: t.taskId, entity: 'task', ...task });
  return { created, task: created ? task : ((await getTask(t.taskId)) as TaskRecord) };
}

/**
 * The one way a task record comes to exist: from its task in a published plan version, when the
 * task is launched (by a coordinator, or by the ValidatePlan state of an execution started
 * otherwise). Idempotent: the first launch wins and later calls return its record.
 */
export async function createTaskRecord(
  found: { plan: Pick<PlanVersion, 'department' | 'planId' | 'version'>; task: Pick<PlanTask, 'taskId' | 'name' | 'jointDepartments'> },
  launchedBy: string,
  extra: Pick<TaskRecord, 'lateLaunch'> = {},
): Promise<{ created: boolean; task: TaskRecord }> {
  // Every execution passes here (a resumed one too), so a task launched before partners were
  // indexed gets its entries on its next run; the puts are idempotent.
  await Promise.all(
    found.task.jointDepartments
      .filter((d) => d !== found.plan.department)
      .map((d) => putItem({ ...K.partnerTask(found.task.taskId, d), gsi2pk: K.partnerTasksOfDept(d), gsi2sk: found.task.taskId, entity: 'partner-task', taskId: found.task.taskId, department: d, lead: found.plan.department })),
  );
  return createTask({
    ...extra,
    taskId: found.task.taskId,
    department: found.plan.department,
    planId: found.plan.planId,
    planVersion: found.plan.version,
    name: found.task.name,
    stage: 'launched',
    launchedAt: nowIso(),
    launchedBy,
  });
}

export async function updateTask(taskId: string, set: Partial<TaskRecord>, condition?: string): Promise<TaskRecord> {
  return updateItem<TaskRecord>(K.task(taskId), { set: { ...set, updatedAt: nowIso() }, ...(condition ? { condition } : {}) });
}

/** Keep a request to resume a failed task; false when one is pending already or the task is not failed. */
export async function setResumeRequest(taskId: string, request: NonNullable<TaskRecord['resumeRequest']>): Promise<boolean> {
  try {
    await updateItem(K.task(taskId), {
      set: { resumeRequest: request, updatedAt: nowIso() },
      condition: 'attribute_not_exists(#rq) AND #stage = :failed',
      names: { '#rq': 'resumeRequest', '#stage': 'stage' },
      values: { ':failed': 'failed' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** Drop the pending resume request (refused); false when there was none. */
export async function clearResumeRequest(taskId: string): Promise<boolean> {
  try {
    await updateItem(K.task(taskId), { remove: ['resumeRequest'], set: { updatedAt: nowIso() }, condition: 'attribute_exists(#rq)', names: { '#rq': 'resumeRequest' } });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/**
 * Take a failed task with a pending resume request back into the lifecycle for `round` (once):
 * its failure moves to `pastFailures`. False when someone decided the request meanwhile.
 */
export async function markResumed(t: TaskRecord, round: number, executionName: string, plan: { planVersion?: number; reconsider?: boolean } = {}): Promise<boolean> {
  // A plan form sent back (PlanRejected) goes to the leaders again: its decision moves to pastApprovals.
  const reconsider = plan.reconsider && t.approval ? { pastApprovals: [...(t.pastApprovals ?? []), t.approval] } : undefined;
  try {
    await updateItem(K.task(t.taskId), {
      set: {
        stage: 'launched',
        ceremonyRound: round,
        executionName,
        pastFailures: [...(t.pastFailures ?? []), ...(t.failure ? [t.failure] : [])],
        ...(plan.planVersion !== undefined ? { planVersion: plan.planVersion } : {}),
        ...(reconsider ?? {}),
        updatedAt: nowIso(),
      },
      remove: ['failure', 'resumeRequest', ...(reconsider ? ['approval'] : [])],
      condition: '#stage = :failed AND attribute_exists(#rq)',
      names: { '#stage': 'stage', '#rq': 'resumeRequest' },
      values: { ':failed': 'failed' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

export async function listTasksOfDepartment(dept: string): Promise<TaskRecord[]> {
  return queryAll<TaskRecord & Item>({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.tasksOfDept(dept) });
}

/** Cross-department tasks another department runs with `dept` as a partner (their task records). */
export async function listPartnerTasksOfDepartment(dept: string): Promise<TaskRecord[]> {
  const entries = await queryAll<{ taskId: string } & Item>({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.partnerTasksOfDept(dept), projection: ['taskId'] });
  const tasks = await batchGet<TaskRecord & Item>(entries.map((e) => K.task(e.taskId)));
  return tasks.sort((a, b) => a.taskId.localeCompare(b.taskId));
}

// ---------------------------------------------------------------- task tokens

export interface TokenRecord {
  taskId: string;
  stage: CallbackStage;
  token: string;
  round: number;
  createdAt: string;
  /** Set when the token was claimed (success or failure); a second use is a no-op. */
  usedAt?: string;
  outcome?: 'success' | 'failure';
  /** Set when the claimed use reached Step Functions: the claim no longer expires. */
  sentAt?: string;
}

export async function saveToken(taskId: string, stage: CallbackStage, token: string, round: number): Promise<void> {
  // Overwrite: a re-draw re-enters a stage with a new token; the old one is dead in Step Functions.
  await putItem({ ...K.token(taskId, stage), entity: 'token', taskId, stage, token, round, createdAt: nowIso() });
}

export async function getToken(taskId: string, stage: CallbackStage): Promise<TokenRecord | undefined> {
  return getItem<TokenRecord & Item>(K.token(taskId, stage), true);
}

/**
 * How long a claim of a stage's token holds while its Step Functions call is not confirmed: a
 * claimer that died between the claim and the call (a Lambda timed out, the local platform was
 * killed, DynamoDB failed before the claim could be given back) frees the token after this, and
 * the next observer of the stored state (resumeIfDone, the recovery job) uses it.
 */
export const TOKEN_CLAIM_LEASE_MS = 60_000;

/**
 * Claim the stage's token for one use. Returns the token and the claim's time, or undefined
 * when there is none yet, it was used, or a live claim holds it — so a duplicate callback has no
 * second effect. A stale claim (no confirmed call after the lease) can be claimed again: using a
 * token twice is harmless (Step Functions refuses the second call), never using it is not.
 */
export async function claimToken(taskId: string, stage: CallbackStage, outcome: 'success' | 'failure'): Promise<{ token: string; usedAt: string } | undefined> {
  const usedAt = nowIso();
  try {
    const r = await updateItem<TokenRecord>(K.token(taskId, stage), {
      set: { usedAt, outcome },
      condition: 'attribute_exists(pk) AND (attribute_not_exists(usedAt) OR (attribute_not_exists(sentAt) AND usedAt < :stale))',
      values: { ':stale': new Date(now().getTime() - TOKEN_CLAIM_LEASE_MS).toISOString() },
    });
    return { token: r.token, usedAt };
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}

/** The claimed token's call went through (or the token is dead): the claim is final. */
export async function confirmTokenUsed(taskId: string, stage: CallbackStage, usedAt: string): Promise<void> {
  try {
    await updateItem(K.token(taskId, stage), { set: { sentAt: nowIso() }, condition: 'usedAt = :u', values: { ':u': usedAt } });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

/** Give a claimed token back when the Step Functions call failed, so it can be retried (only this claim). */
export async function releaseToken(taskId: string, stage: CallbackStage, usedAt: string): Promise<void> {
  try {
    await updateItem(K.token(taskId, stage), { remove: ['usedAt', 'outcome'], condition: 'usedAt = :u', values: { ':u': usedAt } });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

// ---------------------------------------------------------------- per-target progress

export async function getProgress(taskId: string, uscc: string): Promise<ProgressRecord | undefined> {
  return getItem<ProgressRecord & Item>(K.progress(taskId, uscc), true);
}

export async function listProgress(taskId: string, opts: { projection?: string[] } = {}): Promise<ProgressRecord[]> {
  return queryAll<ProgressRecord & Item>({ pk: K.task(taskId).pk, skPrefix: K.progressPrefix, ...(opts.projection ? { projection: opts.projection } : {}) });
}

/**
 * A page of drawn targets; with `status`, only those in one of the statuses. A filtered page reads
 * on until `limit` match or the task ends, asking each time for no more items than still fit,
 * so the cursor never skips a match.
 */
export async function listProgressPage(
  taskId: string,
  limit: number,
  startKey?: Record<string, unknown>,
  status?: readonly TargetStatus[],
): Promise<{ items: ProgressRecord[]; next?: Record<string, unknown> }> {
  const q = { pk: K.task(taskId).pk, skPrefix: K.progressPrefix };
  if (!status?.length) return queryPage<ProgressRecord & Item>({ ...q, limit, ...(startKey ? { startKey } : {}) });
  const values = Object.fromEntries(status.map((s, i) => [`:st${i}`, s]));
  const filter = { filter: `#st IN (${Object.keys(values).join(', ')})`, names: { '#st': 'status' }, values };
  const items: ProgressRecord[] = [];
  let next = startKey;
  do {
    const page = await queryPage<ProgressRecord & Item>({ ...q, ...filter, limit: limit - items.length, ...(next ? { startKey: next } : {}) });
    items.push(...page.items);
    next = page.next;
  } while (next && items.length < limit);
  return { items, ...(next ? { next } : {}) };
}

/**
 * Write the drawn targets of a round (idempotent: full puts keyed by task+USCC, and the
 * counters are set, not added, so a retried draw Lambda produces the same state).
 */
/**
 * Write a round's progress, seats and entry deadlines. `entryFiledOn`: the day the entry
 * deadlines are filed under in the due index (their first ladder step; all share one due date).
 */
export async function writeAssignments(taskId: string, round: number, rows: ProgressRecord[], actor: Actor, entryFiledOn?: string): Promise<void> {
  const at = nowIso();
  const puts: Item[] = [];
  for (const r of rows) {
    puts.push({ ...K.progress(taskId, r.uscc), entity: 'progress', round, ...r });
    r.team.forEach((m, k) => {
      const department = r.teamDepartments?.[k];
      puts.push({
        ...K.seat(taskId, m, r.uscc),
        // Seats of members whose department is not known are listed under the bare id (legacy).
        gsi2pk: department ? K.seatsOfInspector({ department, id: m }) : K.legacySeatsOfInspector(m),
        gsi2sk: `${taskId}#${r.uscc}`,
        entity: 'seat',
        taskId,
        uscc: r.uscc,
        inspectorId: m,
        ...(department ? { department } : {}),
        leader: r.leader === m,
        round,
      });
    });
    if (r.dueEntry) puts.push(deadlineItem(taskId, 'entry', r.uscc, { date: r.dueEntry, ...(entryFiledOn ? { filedOn: entryFiledOn } : {}) }, r.team));
  }
  await batchWrite(puts, [], 6);
  await updateTask(taskId, { total: rows.length, counts: { assigned: rows.length }, reached: { resultEntered: 0, published: 0, closed: 0, followupOpened: 0 }, drawRound: round });
  await audit(taskId, { ...actor }, 'draw.assigned', { round, targets: rows.length }, at);
}

/** Remove the previous round's progress and seats before a re-draw writes the new one. */
export async function clearAssignments(taskId: string): Promise<number> {
  const keys = await queryAll<Item>({ pk: K.task(taskId).pk, projection: ['pk', 'sk'] });
  const stale = keys.filter((k) => k.sk.startsWith('TGT#') || k.sk.startsWith('SEAT#') || k.sk.startsWith('DL#'));
  await batchWrite([], stale.map(({ pk, sk }) => ({ pk, sk })), 6);
  return stale.filter((k) => k.sk.startsWith('TGT#')).length;
}

export interface TransitionSpec {
  taskId: string;
  uscc: string;
  from: readonly TargetStatus[];
  to: TargetStatus;
  actor: Actor;
  note?: string;
  /** Extra attributes to set on the progress item in the same write. */
  set?: Record<string, unknown>;
  /** Attributes to remove from the progress item in the same write. */
  remove?: string[];
  /** Milestone counters to increment on the task. */
  reached?: Partial<Record<keyof TaskRecord['reached'], number>>;
  /** Deadlines to open (with due date and responsible people) or close. */
  openDeadlines?: { kind: DeadlineKind; ref: string; due: Due; people: string[] }[];
  closeDeadlines?: { kind: DeadlineKind; ref: string }[];
  /** Deadlines withdrawn (deleted, not met: e.g. a corrected result no longer needs follow-up). */
  dropDeadlines?: { kind: DeadlineKind; ref: string }[];
  auditWhat: string;
  auditData?: Record<string, unknown>;
  /** Further transaction items (e.g. a follow-up record). */
  extra?: TransactItem[];
  /**
   * The record as just read (consistently) by the caller, to save a second read. The write is
   * conditional on its status either way, so a stale record can only cause a rejection.
   */
  current?: ProgressRecord;
}

/** The target is not in a status the step starts from (e.g. a double submission). */
export class TransitionRejected extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'TransitionRejected';
  }
}

/**
 * Apply one status transition atomically. Fails with TransitionRejected (Chinese message) when
 * the target is not in one of the `from` statuses — e.g. a double-submitted request.
 */
export async function transition(spec: TransitionSpec): Promise<ProgressRecord> {
  const at = nowIso();
  // Read the current status (consistent) and make the write conditional on exactly it, so a
  // concurrent or repeated request fails the condition instead of miscounting.
  const prev = spec.current ?? (await getProgress(spec.taskId, spec.uscc));
  if (!prev) throw new TransitionRejected('该检查对象不在本任务的抽取名单中');
  if (!spec.from.includes(prev.status)) throw new TransitionRejected(rejectMessage(prev.status, spec.to));

  const entry: HistoryEntry = { status: spec.to, at, by: spec.actor.by, ...(spec.actor.ip ? { ip: spec.actor.ip } : {}), ...(spec.note ? { note: spec.note } : {}) };
  const names: Record<string, string> = { '#status': 'status', '#history': 'history' };
  const values: Record<string, unknown> = { ':to': spec.to, ':entry': [entry], ':prev': prev.status };
  const sets = ['#status = :to', '#history = list_append(#history, :entry)'];
  Object.entries(spec.set ?? {}).forEach(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    sets.push(`#s${i} = :s${i}`);
  });
  const removes = (spec.remove ?? []).map((k, i) => {
    names[`#x${i}`] = k;
    return `#x${i}`;
  });

  const counterNames: Record<string, string> = { '#upd': 'updatedAt' };
  const counterValues: Record<string, unknown> = { ':now': at };
  const adds: string[] = [];
  if (prev.status !== spec.to) {
    counterNames['#counts'] = 'counts';
    counterNames['#from'] = prev.status;
    counterNames['#to'] = spec.to;
    counterValues[':one'] = 1;
    counterValues[':minus'] = -1;
    adds.push('#counts.#from :minus', '#counts.#to :one');
  }
  const reached = Object.entries(spec.reached ?? {});
  if (reached.length) counterNames['#reached'] = 'reached';
  for (const [k, n] of reached) {
    counterNames[`#r_${k}`] = k;
    counterValues[`:r_${k}`] = n;
    adds.push(`#reached.#r_${k} :r_${k}`);
  }

  const items: TransactItem[] = [
    {
      Update: {
        Key: K.progress(spec.taskId, spec.uscc),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#status = :prev',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    {
      Update: {
        Key: K.task(spec.taskId),
        UpdateExpression: `SET #upd = :now${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ExpressionAttributeNames: counterNames,
        ExpressionAttributeValues: counterValues,
      },
    },
    auditItem(spec.taskId, spec.actor, spec.auditWhat, { uscc: spec.uscc, from: prev.status, to: spec.to, ...(spec.auditData ?? {}) }, at),
    ...(spec.openDeadlines ?? []).map((d) => ({ Put: { Item: deadlineItem(spec.taskId, d.kind, d.ref, d.due, d.people) } })),
    // Closing a deadline keeps the record (metAt, for on-time KPIs) and leaves the due index.
    ...(spec.closeDeadlines ?? []).map((d) => ({
      Update: {
        Key: K.deadline(spec.taskId, d.kind, d.ref),
        UpdateExpression: 'SET metAt = :now REMOVE gsi3pk, gsi3sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': at },
      },
    })),
    ...(spec.dropDeadlines ?? []).map((d) => ({ Delete: { Key: K.deadline(spec.taskId, d.kind, d.ref) } })),
    ...(spec.extra ?? []),
  ];
  try {
    await transact(items);
  } catch (e) {
    if (isConditionFailure(e)) {
      const now = await getProgress(spec.taskId, spec.uscc);
      throw new TransitionRejected(rejectMessage(now?.status ?? prev.status, spec.to));
    }
    throw e;
  }
  // What the update wrote (status, history, spec.set), without reading it back.
  return { ...prev, ...(spec.set ?? {}), status: spec.to, history: [...(prev.history ?? []), entry] } as ProgressRecord;
}

function rejectMessage(current: TargetStatus, to: TargetStatus): string {
  if (current === to) return `该检查对象已处于「${STATUS_NAMES[current]}」状态，本次请求未产生变化`;
  return `该检查对象当前为「${STATUS_NAMES[current]}」，不能变更为「${STATUS_NAMES[to]}」`;
}

/**
 * Mark drawn targets notified after their assignment mails went out. One conditional update
 * per target (only from `assigned`, so nothing entered meanwhile is overwritten), then the
 * task's status counters are recounted from the progress records.
 */
export async function markNotified(taskId: string, usccs: string[], by = 'system'): Promise<void> {
  const at = nowIso();
  const update = (uscc: string) => ({
    Key: K.progress(taskId, uscc),
    UpdateExpression: 'SET #st = :to, #h = list_append(#h, :entry)',
    ConditionExpression: '#st = :from',
    ExpressionAttributeNames: { '#h': 'history', '#st': 'status' },
    ExpressionAttributeValues: { ':from': 'assigned', ':to': 'notified', ':entry': [{ status: 'notified', at, by }] },
  });
  // 100 conditional updates per transaction (a 50,000-target task: 500 requests, not 50,000);
  // a chunk in which someone already moved a target on is redone one target at a time.
  const chunks: string[][] = [];
  for (let i = 0; i < usccs.length; i += 100) chunks.push(usccs.slice(i, i + 100));
  await runPool(chunks, 4, async (chunk) => {
    try {
      await transact(chunk.map((uscc) => ({ Update: update(uscc) })));
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      for (const uscc of chunk) {
        try {
          await transact([{ Update: update(uscc) }]);
        } catch (e2) {
          if (!isConditionFailure(e2)) throw e2;
        }
      }
    }
  });
  await recount(taskId);
}

/** Recompute the status counters of a task from its progress records (consistent read). */
export async function recount(taskId: string): Promise<Partial<Record<TargetStatus, number>>> {
  const rows = await queryAll<{ status: TargetStatus } & Item>({ pk: K.task(taskId).pk, skPrefix: K.progressPrefix, projection: ['status'], consistent: true });
  const counts: Partial<Record<TargetStatus, number>> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  await updateTask(taskId, { counts });
  return counts;
}

// ---------------------------------------------------------------- deadlines (due index)

export interface DeadlineRecord {
  taskId: string;
  kind: DeadlineKind;
  ref: string;
  /** Null while the calendar does not cover the year the deadline falls in (see pendingYear). */
  due: string | null;
  /** The uncovered calendar year; the daily job recomputes the due date once it is covered. */
  pendingYear?: number;
  /** What the due date is counted from (check date, arising date) and the rule, for recomputing. */
  basis?: DueBasis;
  people: string[];
  metAt?: string;
  /** Steps of the reminder/escalation ladder already taken (shared/domain/deadlines.ts). */
  steps?: DeadlineStep[];
  /** The day it is filed under in the due index: when the daily job next looks at it. */
  filedOn?: string;
}

/** Due-index partition of deadlines whose due date waits for next year's official calendar. */
export const PENDING_DUE = 'DUE#PENDING';

/**
 * The due index files an open deadline under the day of its next ladder step (`filedOn`; without
 * it, the day it is created — always correct, the job then files it further).
 */
function deadlineItem(taskId: string, kind: DeadlineKind, ref: string, due: Due, people: string[]): Item {
  const filedOn = due.date ? (due.filedOn ?? chinaToday(now())) : undefined;
  return {
    ...K.deadline(taskId, kind, ref),
    gsi3pk: filedOn ? K.duePk(filedOn) : PENDING_DUE,
    gsi3sk: K.dueSk(kind, taskId, ref),
    entity: 'deadline',
    taskId,
    kind,
    ref,
    due: due.date ?? null,
    people,
    ...(filedOn ? { filedOn } : {}),
    ...(due.pendingYear ? { pendingYear: due.pendingYear } : {}),
    ...(due.basis ? { basis: due.basis } : {}),
  };
}

/** A computed due date, or the year the calendar must cover before it can be computed. */
export interface Due {
  date?: string;
  pendingYear?: number;
  basis?: DeadlineRecord['basis'];
  /** The day to file it under in the due index (its first ladder step); default: today. */
  filedOn?: string;
}

/** Deadlines waiting for a calendar year (recomputed by the daily job once it is covered). */
export async function pendingDeadlines(): Promise<DeadlineRecord[]> {
  return queryAll<DeadlineRecord & Item>({ index: DUE.name, pkName: DUE.partitionKey, pk: PENDING_DUE });
}

/** Give a pending deadline its due date and file it under `filedOn` (its first ladder step). */
export async function settleDeadline(d: DeadlineRecord, due: string, filedOn: string): Promise<void> {
  await updateItem(K.deadline(d.taskId, d.kind, d.ref), {
    set: { due, filedOn, gsi3pk: K.duePk(filedOn) },
    remove: ['pendingYear'],
    condition: 'attribute_exists(pk) AND attribute_not_exists(metAt)',
  }).catch((e) => {
    if (!isConditionFailure(e)) throw e;
  });
}

/** Open deadlines filed under one day (the daily job reads the days since its last run). */
export async function deadlinesFiledOn(date: string): Promise<DeadlineRecord[]> {
  return queryAll<DeadlineRecord & Item>({ index: DUE.name, pkName: DUE.partitionKey, pk: K.duePk(date) });
}

/**
 * Record the ladder steps a deadline has had and file it under its next step's day (null: out of
 * the due index, the ladder is done). Conditional on its filing day: a deadline met or re-filed
 * meanwhile is left alone.
 */
export async function advanceDeadline(d: DeadlineRecord, steps: DeadlineStep[], next: string | null): Promise<void> {
  const filed = d.filedOn ?? d.due;
  await updateItem(K.deadline(d.taskId, d.kind, d.ref), {
    set: next ? { steps, filedOn: next, gsi3pk: K.duePk(next) } : { steps },
    ...(next ? {} : { remove: ['gsi3pk', 'gsi3sk', 'filedOn'] }),
    condition: 'attribute_not_exists(metAt) AND gsi3pk = :filed',
    values: { ':filed': K.duePk(filed ?? '') },
  }).catch((e) => {
    if (!isConditionFailure(e)) throw e;
  });
}

/** The last day the daily deadline job completed (its next run reads the days since). */
export async function lastDeadlineRun(): Promise<string | undefined> {
  return (await getItem<{ day: string }>(K.jobState('deadlines'), true))?.day;
}

export async function recordDeadlineRun(day: string): Promise<void> {
  await putItem({ ...K.jobState('deadlines'), entity: 'job-state', day }, { expr: 'attribute_not_exists(#d) OR #d < :day', names: { '#d': 'day' }, values: { ':day': day } }).catch((e) => {
    if (!isConditionFailure(e)) throw e;
  });
}

/** A task's deadlines; `openBefore` (a date): only those not met and due before it (filtered in the store). */
export async function deadlinesOfTask(taskId: string, opts: { openBefore?: string } = {}): Promise<DeadlineRecord[]> {
  return queryAll<DeadlineRecord & Item>({
    pk: K.task(taskId).pk,
    skPrefix: 'DL#',
    ...(opts.openBefore ? { filter: 'attribute_not_exists(metAt) AND #due < :before', names: { '#due': 'due' }, values: { ':before': opts.openBefore } } : {}),
  });
}

// ---------------------------------------------------------------- audit

function auditItem(taskId: string, actor: Actor, what: string, data: Record<string, unknown>, at: string): TransactItem {
  return { Put: { Item: { ...K.audit(taskId, at, randomUUID().slice(0, 8)), entity: 'audit', taskId, at, what, ...actor, data } } };
}

/** Record who did what, when and from where. */
export async function audit(taskId: string, actor: Actor, what: string, data: Record<string, unknown> = {}, at = nowIso()): Promise<void> {
  await putItem(auditItem(taskId, actor, what, data, at).Put!.Item as Item);
}

/** A task's audit entries, oldest first; `what`: only entries of these kinds (filtered in the store). */
export async function auditTrail(taskId: string, opts: { what?: string[] } = {}): Promise<Record<string, unknown>[]> {
  const what = opts.what ?? [];
  return queryAll({
    pk: K.task(taskId).pk,
    skPrefix: 'AUDIT#',
    ...(what.length
      ? { filter: `#what IN (${what.map((_, i) => `:w${i}`).join(', ')})`, names: { '#what': 'what' }, values: Object.fromEntries(what.map((w, i) => [`:w${i}`, w])) }
      : {}),
  });
}

export interface AuditEntry {
  at: string;
  what: string;
  by: string;
  role?: string;
  data?: Record<string, unknown>;
}

/** The first `limit` audit entries of a task, oldest first (launch, approval, ceremony …). */
export async function queryAuditPage(taskId: string, limit: number): Promise<AuditEntry[]> {
  return (await queryPage<AuditEntry & Item>({ pk: K.task(taskId).pk, skPrefix: 'AUDIT#', limit, consistent: true })).items;
}

// ---------------------------------------------------------------- seats

/**
 * The seats of an inspector (department, id), and those written before seats carried the
 * department (listed under the bare id): the caller checks each against the target's team.
 */
export async function seatsOfInspector(who: InspectorRef): Promise<{ taskId: string; uscc: string; leader: boolean }[]> {
  const q = (pk: string) => queryAll<Item & { taskId: string; uscc: string; leader: boolean; department?: string }>({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk });
  const [qualified, legacy] = await Promise.all([q(K.seatsOfInspector(who)), q(K.legacySeatsOfInspector(who.id))]);
  return [...qualified, ...legacy.filter((s) => s.department === undefined)].map(({ taskId, uscc, leader }) => ({ taskId, uscc, leader }));
}
