/**
 * Annual plans (年度抽查计划) in the table: one item collection per plan, read and written here;
 * the workflow that decides what may be written is `services/plans.ts`.
 *   PLAN#<planId> / META     pointers (latest, published, pending version) + gsi2 DEPT#<dept>#PLANS
 *   PLAN#<planId> / V#nnnn   every version, kept forever (history)
 *   TASKDECL#<taskId> / DECL which plan declares a task id (task ids are unique across plans)
 */
import { K } from './keys.js';
import { TABLE } from './table.js';
import { getItem, isConditionFailure, isTransactionConflict, queryAll, type Item, type TransactItem } from './base.js';
import type { PlanTask, PlanVersion } from '../domain/schemas.js';
import type { ExpectedSummary } from '../domain/plan.js';

const LOOKUP = TABLE.indexes.lookup;

export interface PlanMeta {
  planId: string;
  department: string;
  year: number;
  title: string;
  latestVersion: number;
  publishedVersion?: number;
  /** The one version not yet published (draft, pending-approval or approved). */
  pendingVersion?: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export type StoredPlanVersion = PlanVersion & {
  /** Bumped on every replacement of an unpublished version. */
  revision: number;
  /** Expected draw per task id, computed from the pool when the version was written. */
  expected?: Record<string, ExpectedSummary>;
  approvedByEmail?: string;
  publishedBy?: string;
  supersededAt?: string;
  updatedAt?: string;
};

export interface PlanWithVersions {
  meta: PlanMeta;
  /** Oldest first. */
  versions: StoredPlanVersion[];
  current?: StoredPlanVersion;
  pending?: StoredPlanVersion;
}

// ---------------------------------------------------------------- reading

const META_FIELDS = ['planId', 'department', 'year', 'title', 'latestVersion', 'publishedVersion', 'pendingVersion', 'createdAt', 'createdBy', 'updatedAt'] as const;

export function toMeta(it: Record<string, unknown>): PlanMeta {
  const out: Record<string, unknown> = {};
  for (const k of META_FIELDS) if (it[k] !== undefined) out[k] = it[k];
  return out as unknown as PlanMeta;
}

export function toVersion(it: Record<string, unknown>): StoredPlanVersion {
  const { pk: _p, sk: _s, entity: _e, ...rest } = it;
  return rest as unknown as StoredPlanVersion;
}

export async function readMeta(planId: string): Promise<PlanMeta | undefined> {
  const it = await getItem(K.plan(planId), true);
  return it ? toMeta(it) : undefined;
}

export async function readVersion(planId: string, v: number): Promise<StoredPlanVersion | undefined> {
  const it = await getItem(K.planVersion(planId, v), true);
  return it ? toVersion(it) : undefined;
}


export async function getPlan(planId: string): Promise<PlanWithVersions | undefined> {
  const items = await queryAll({ pk: K.plan(planId).pk, consistent: true });
  const metaItem = items.find((i) => i.sk === 'META');
  if (!metaItem) return undefined;
  const meta = toMeta(metaItem);
  const versions = items
    .filter((i) => i.sk.startsWith('V#'))
    .map(toVersion)
    .sort((a, b) => a.version - b.version);
  const current = versions.find((v) => v.version === meta.publishedVersion);
  const pending = versions.find((v) => v.version === meta.pendingVersion);
  return { meta, versions, ...(current ? { current } : {}), ...(pending ? { pending } : {}) };
}

export async function getPlanVersion(planId: string, version: number): Promise<StoredPlanVersion | undefined> {
  return readVersion(planId, version);
}

/** Plans of a department, newest year first. */
export async function listPlans(dept: string): Promise<PlanMeta[]> {
  const items = await queryAll({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.plansOfDept(dept), forward: false });
  return items.map(toMeta);
}

/**
 * A task of the currently published version of the plan that declares it — or, with `version`,
 * of that (published or superseded) version, e.g. the version a launched task was drawn under.
 */
export async function findTask(taskId: string, opts: { version?: number } = {}): Promise<{ plan: StoredPlanVersion; version: number; task: PlanTask } | undefined> {
  const decl = await getItem<Item & { planId: string }>(K.taskDecl(taskId), true);
  if (!decl) return undefined;
  const meta = await readMeta(decl.planId);
  const n = opts.version ?? meta?.publishedVersion;
  if (!meta || n === undefined) return undefined;
  const plan = await readVersion(decl.planId, n);
  if (!plan?.publishedAt) return undefined;
  const task = plan.tasks.find((t) => t.taskId === taskId);
  if (!task) return undefined;
  return { plan, version: plan.version, task };
}


// ---------------------------------------------------------------- writing helpers

export type Failure = 'condition' | 'contention' | undefined;

export function failureOf(e: unknown): Failure {
  if (isConditionFailure(e)) return 'condition';
  if (isTransactionConflict(e)) return 'contention'; // still conflicting after transact's retries
  return undefined;
}

export function declPut(taskId: string, planId: string, dept: string): TransactItem {
  return {
    Put: {
      Item: { ...K.taskDecl(taskId), entity: 'taskDecl', taskId, planId, department: dept },
      ConditionExpression: 'attribute_not_exists(pk) OR planId = :p',
      ExpressionAttributeValues: { ':p': planId },
    },
  };
}

/** After a failed write: name the task ids that another plan already declares. */
export async function declConflicts(taskIds: string[], planId: string): Promise<string[]> {
  const out: string[] = [];
  for (const id of taskIds) {
    const d = await getItem<Item & { planId: string }>(K.taskDecl(id), true);
    if (d && d.planId !== planId) out.push(`任务编号「${id}」已在计划「${d.planId}」中使用`);
  }
  return out;
}

export function versionItem(v: StoredPlanVersion): Item {
  return { ...K.planVersion(v.planId, v.version), entity: 'planVersion', ...v };
}

export const ids = (tasks: readonly PlanTask[]): string[] => tasks.map((t) => t.taskId);
