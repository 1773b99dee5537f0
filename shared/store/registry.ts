/**
 * 一单两库 + 专家库 + department set-up: departments, profiles, tag libraries, inspection items,
 * targets, inspectors and experts.
 */
import { createHash } from 'node:crypto';
import { K, poolShard } from './keys.js';
import { POOL_SHARDS, TABLE } from './table.js';
import { onDdbReset } from './db.js';
import {
  batchGet,
  batchWrite,
  clean,
  decodeCursor,
  deleteItem,
  encodeCursor,
  getItem,
  putIfAbsent,
  putItem,
  queryAll,
  queryPage,
  queryUpTo,
  runPool,
  type Item,
} from './base.js';
import type { Department, Expert, InspectionItem, Inspector, Target } from '../domain/schemas.js';
import { DomainError, invalid } from '../domain/errors.js';

const POOL = TABLE.indexes.pool;
const LOOKUP = TABLE.indexes.lookup;

// ---------------------------------------------------------------- departments and profiles

/**
 * Departments and their profile records change rarely but are read by every request and job run
 * (the fast-forward year read them ~20,000 times). They are cached in the process for 30 s and
 * dropped on every write through this module; another Lambda instance sees a change within 30 s.
 */
const CONFIG_TTL_MS = 30_000;
const configCache = new Map<string, { at: number; value: Promise<unknown> }>();
function cachedConfig<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = configCache.get(key);
  if (hit && performance.now() - hit.at < CONFIG_TTL_MS) return hit.value as Promise<T>;
  const value = load();
  configCache.set(key, { at: performance.now(), value });
  value.catch(() => configCache.delete(key));
  return value;
}
export function clearConfigCache(): void {
  configCache.clear();
}
onDdbReset(clearConfigCache);

export async function putDepartment(d: Department): Promise<void> {
  configCache.clear();
  await putItem({ ...K.department(d.id), gsi2pk: K.departmentsIndex(), gsi2sk: d.id, entity: 'department', ...d });
  configCache.clear();
}

export async function getDepartment(id: string): Promise<Department | undefined> {
  return cachedConfig(`dept#${id}`, async () => {
    const it = await getItem(K.department(id));
    return it ? clean<Department>(it) : undefined;
  });
}

/** `fresh`: read past the 30 s cache (a daily job must see a department created a moment ago). */
export async function listDepartments(opts: { fresh?: boolean } = {}): Promise<Department[]> {
  if (opts.fresh) configCache.delete('depts');
  return cachedConfig('depts', async () => {
    const items = await queryAll({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.departmentsIndex() });
    return items.map((i) => clean<Department>(i));
  });
}

/** The profile is stored as validated JSON; the schema lives in domain/profiles.ts. */
export async function putProfileRecord(dept: string, profile: unknown, by: string, at: string): Promise<void> {
  configCache.clear();
  await putItem({ ...K.profile(dept), entity: 'profile', profile, updatedBy: by, updatedAt: at });
  configCache.clear();
}

export async function getProfileRecord(dept: string): Promise<unknown | undefined> {
  return cachedConfig(`profile#${dept}`, async () => (await getItem(K.profile(dept)))?.profile);
}

// ---------------------------------------------------------------- tag library

export async function putTag(dept: string, kind: string, tag: string): Promise<void> {
  await putItem({ ...K.tag(dept, kind, tag), entity: 'tag', kind, tag });
}

export async function deleteTag(dept: string, kind: string, tag: string): Promise<void> {
  await deleteItem(K.tag(dept, kind, tag));
}

export async function listTags(dept: string): Promise<{ kind: string; tag: string }[]> {
  const items = await queryAll<Item & { kind: string; tag: string }>({ pk: K.department(dept).pk, skPrefix: 'TAG#' });
  return items.map(({ kind, tag }) => ({ kind, tag }));
}

// ---------------------------------------------------------------- items, inspectors, experts (per-department collections)

const itemItem = (i: InspectionItem): Item => ({ ...K.item(i.department, i.id), entity: 'item', hash: contentHash(i), ...i });
const expertItem = (e: Expert): Item => ({ ...K.expert(e.department, e.id), entity: 'expert', hash: contentHash(e), ...e });

export async function putInspectionItem(item: InspectionItem): Promise<void> {
  await putItem(itemItem(item));
}
export async function getInspectionItem(dept: string, id: string): Promise<InspectionItem | undefined> {
  const it = await getItem(K.item(dept, id));
  return it ? clean<InspectionItem>(it) : undefined;
}
export async function listInspectionItems(dept: string): Promise<InspectionItem[]> {
  return (await queryAll({ pk: K.department(dept).pk, skPrefix: 'ITEM#' })).map((i) => stripMeta<InspectionItem>(i));
}
export async function deleteInspectionItem(dept: string, id: string): Promise<void> {
  await deleteItem(K.item(dept, id));
}

function inspectorItem(i: Inspector): Item {
  return {
    ...K.inspector(i.department, i.id),
    gsi2pk: K.emailLookup(i.email),
    gsi2sk: `INSP#${i.department}#${i.id}`,
    entity: 'inspector',
    hash: contentHash({ ...i, mailStatus: undefined }), // delivery status is the system's, not the file's
    ...i,
  };
}
export async function putInspector(i: Inspector): Promise<void> {
  await claimInspectorIds(i.department, [i.id]);
  await putItem(inspectorItem(i));
}
export async function getInspector(dept: string, id: string): Promise<Inspector | undefined> {
  const it = await getItem(K.inspector(dept, id));
  return it ? stripMeta<Inspector>(it) : undefined;
}
/** Several inspectors by (department, id) in one BatchGet; those not registered are left out. */
export async function getInspectors(refs: readonly { department: string; id: string }[], opts: { consistent?: boolean } = {}): Promise<Inspector[]> {
  if (!refs.length) return [];
  return (await batchGet(refs.map((r) => K.inspector(r.department, r.id)), 4, opts)).map(inspectorOfItem);
}
/** An inspector's stored item (from a batch read with other items) as the record. */
export const inspectorOfItem = (it: Record<string, unknown>): Inspector => stripMeta<Inspector>(it);
export async function listInspectors(dept: string): Promise<Inspector[]> {
  return (await queryAll({ pk: K.department(dept).pk, skPrefix: 'INSP#' })).map((i) => stripMeta<Inspector>(i));
}
export async function deleteInspector(dept: string, id: string): Promise<void> {
  await deleteItem(K.inspector(dept, id));
}
// ---------------------------------------------------------------- inspector ids: one department each

/**
 * An inspector id belongs to one department (shared/domain/identity.ts says why): the first to
 * register it, recorded in an `INSPID#<id>` claim that stays when the inspector is deleted, so an
 * id never passes to another department (draw records and past teams keep naming the person).
 * Ids registered before claims existed are found in the registries themselves; the first
 * department to write such an id again claims it.
 */
export async function inspectorIdOwners(dept: string, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const owners = new Map<string, string>();
  for (const c of await batchGet<Item & { id: string; department: string }>(unique.map((id) => K.inspectorId(id)))) owners.set(c.id, c.department);
  const unclaimed = unique.filter((id) => !owners.has(id));
  if (unclaimed.length) {
    const depts = (await listDepartments()).map((d) => d.id);
    const found = await batchGet<Item & { id: string; department: string }>(depts.flatMap((d) => unclaimed.map((id) => K.inspector(d, id))));
    // Held by this department (and perhaps a namesake elsewhere): it is this department's to claim.
    const here = new Set(found.filter((i) => i.department === dept).map((i) => i.id));
    for (const i of found) if (!here.has(i.id) && !owners.has(i.id)) owners.set(i.id, i.department);
    for (const id of here) owners.set(id, dept);
  }
  return owners;
}

/** Ids among `ids` that another department uses, with that department's name. */
export async function inspectorIdsTaken(dept: string, ids: readonly string[]): Promise<{ id: string; department: string; departmentName: string }[]> {
  const owners = await inspectorIdOwners(dept, ids);
  const taken = [...owners].filter(([, d]) => d !== dept);
  return Promise.all(taken.map(async ([id, d]) => ({ id, department: d, departmentName: (await getDepartment(d))?.name ?? d })));
}

export const inspectorIdTakenMessage = (t: { id: string; departmentName: string }): string =>
  `检查人员编号「${t.id}」已被${t.departmentName}使用：人员编号在全系统内唯一，请使用其他编号`;

/** Claim ids for `dept` before its inspectors are written; refuses (nothing written) if any is taken. */
export async function claimInspectorIds(dept: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const refuse = async (taken: { id: string; department: string; departmentName: string }[]) => {
    throw new DomainError('conflict', taken.map(inspectorIdTakenMessage).join('；'), {
      reason: 'InspectorIdTaken',
      issues: taken.map((t) => ({ field: 'id', message: inspectorIdTakenMessage(t) })),
    });
  };
  const owners = await inspectorIdOwners(dept, ids);
  const taken = [...owners].filter(([, d]) => d !== dept).map(([id]) => id);
  if (taken.length) return refuse(await inspectorIdsTaken(dept, taken));
  const lost: string[] = [];
  await runPool([...ids], 8, async (id) => {
    if (await putIfAbsent({ ...K.inspectorId(id), entity: 'inspectorId', id, department: dept })) return;
    const c = await getItem<Item & { department: string }>(K.inspectorId(id), true);
    if (c && c.department !== dept) lost.push(id); // another department claimed it meanwhile
  });
  if (lost.length) return refuse(await inspectorIdsTaken(dept, lost));
}

/** Inspectors registered under an e-mail address (inbound mail, bounces). */
export async function findInspectorsByEmail(email: string): Promise<Inspector[]> {
  const items = await queryAll({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.emailLookup(email) });
  return items.filter((i) => i.entity === 'inspector').map((i) => stripMeta<Inspector>(i));
}

export async function putExpert(e: Expert): Promise<void> {
  await putItem(expertItem(e));
}
export async function listExperts(dept: string): Promise<Expert[]> {
  return (await queryAll({ pk: K.department(dept).pk, skPrefix: 'EXPERT#' })).map((i) => stripMeta<Expert>(i));
}
export async function deleteExpert(dept: string, id: string): Promise<void> {
  await deleteItem(K.expert(dept, id));
}

// ---------------------------------------------------------------- targets

/** Content hash of a stored entity, so a re-import can skip rows that did not change. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 22);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A target as stored (keys, pool index attributes, content hash); exported for the benchmarks' bulk loader. */
export function targetItem(t: Target): Item {
  return {
    ...K.target(t.department, t.uscc),
    gsi1pk: K.poolPk(t.department, poolShard(t.uscc)),
    gsi1sk: K.poolSk(t.jurisdiction, t.uscc),
    entity: 'target',
    // The hash covers what a registry file carries, not what the system records on the target
    // (its inspection history), so a re-import of the same file stays "unchanged" after draws.
    hash: contentHash({ ...t, lastInspections: undefined }),
    ...t,
  };
}

function stripMeta<T>(item: Record<string, unknown>): T {
  const { entity: _e, hash: _h, ...rest } = clean<Record<string, unknown>>(item);
  return rest as T;
}

export async function putTarget(t: Target): Promise<void> {
  await putItem(targetItem(t));
}
/** Write whole targets (e.g. after a draw records their last inspection). */
export async function putTargets(targets: Target[]): Promise<void> {
  await batchWrite(targets.map(targetItem), [], 6);
}

export async function getTarget(dept: string, uscc: string): Promise<Target | undefined> {
  const it = await getItem(K.target(dept, uscc));
  return it ? stripMeta<Target>(it) : undefined;
}
export async function getTargets(dept: string, usccs: string[]): Promise<Target[]> {
  return (await batchGet(usccs.map((u) => K.target(dept, u)))).map((i) => stripMeta<Target>(i));
}
export async function deleteTarget(dept: string, uscc: string): Promise<void> {
  await deleteItem(K.target(dept, uscc));
}

export interface TargetFilter {
  riskClass?: string;
  jurisdiction?: string;
  industry?: string;
  isKey?: boolean;
  status?: string;
  /** Part of the name (名称包含). */
  name?: string;
}

/**
 * Items a page of the targets list may read (matching or not), across shards. Only a jurisdiction
 * narrows the pool index by key; every other filter is a FilterExpression over what is read, so a
 * rare combination over a million targets would read them all (DynamoDB Local spends ~0.2 ms of
 * CPU per item read: seconds). With this bound a page answers within about one read of 1,000
 * items per shard touched, and says when it stopped short (`partial`): the client goes on from
 * the cursor (the console's 继续查找). docs/CONSOLE.md, Measurements.
 */
export const TARGET_PAGE_READ_BUDGET = 2000;

/**
 * List targets page by page across the pool shards. The cursor is `<shard>:<base64 key>` so a
 * client can resume; filters are applied server-side by DynamoDB (FilterExpression). At most
 * `readBudget` items are read: a page with fewer than `limit` items and a cursor is `partial`
 * (the budget ran out before the page filled; more may match further on).
 */
export async function listTargets(
  dept: string,
  filter: TargetFilter,
  limit: number,
  cursor?: string,
  readBudget = TARGET_PAGE_READ_BUDGET,
): Promise<{ items: Target[]; cursor?: string; partial?: true }> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conds: string[] = [];
  const add = (attr: string, v: unknown): void => {
    names[`#f_${attr}`] = attr;
    values[`:f_${attr}`] = v;
    conds.push(`#f_${attr} = :f_${attr}`);
  };
  if (filter.riskClass) add('riskClass', filter.riskClass);
  if (filter.industry) add('industry', filter.industry);
  if (filter.isKey !== undefined) add('isKey', filter.isKey);
  if (filter.status) add('status', filter.status);
  if (filter.name) {
    names['#f_name'] = 'name';
    values[':f_name'] = filter.name;
    conds.push('contains(#f_name, :f_name)');
  }
  let shard = 0;
  let startKey: Record<string, unknown> | undefined;
  if (cursor) {
    const m = /^(\d{1,2}):([A-Za-z0-9_-]*)$/.exec(cursor);
    shard = m ? Number(m[1]) : -1;
    if (!m || shard >= POOL_SHARDS) throw invalid('分页游标（cursor）无效，请使用上一页返回的 cursor');
    startKey = m[2] ? decodeCursor(m[2]) : undefined;
  }
  const out: Target[] = [];
  let read = 0;
  while (shard < POOL_SHARDS && out.length < limit && read < readBudget) {
    const page = await queryUpTo(
      {
        index: POOL.name,
        pkName: POOL.partitionKey,
        skName: POOL.sortKey,
        pk: K.poolPk(dept, shard),
        ...(filter.jurisdiction ? { skPrefix: `${filter.jurisdiction}#` } : {}),
        ...(conds.length ? { filter: conds.join(' AND '), names, values } : {}),
        ...(startKey ? { startKey } : {}),
      },
      limit - out.length,
      readBudget - read,
    );
    read += page.read;
    out.push(...page.items.map((i) => stripMeta<Target>(i)));
    if (page.next) {
      startKey = page.next;
    } else {
      shard += 1;
      startKey = undefined;
    }
  }
  const more = shard < POOL_SHARDS;
  return {
    items: out,
    ...(more ? { cursor: `${shard}:${startKey ? encodeCursor(startKey) : ''}` } : {}),
    ...(more && out.length < limit ? { partial: true as const } : {}),
  };
}

/**
 * Read a department's whole pool with one parallel query per shard, projecting only the
 * attributes a draw needs. Used by the draw (freeze) and by imports (to diff content hashes).
 */
export async function readPool<T = Record<string, unknown>>(
  dept: string,
  projection: string[],
  opts: { jurisdictions?: string[]; concurrency?: number } = {},
): Promise<T[]> {
  const parts: T[][] = [];
  await forEachPoolPage<T>(dept, projection, opts, (items) => parts.push(items));
  return parts.flat();
}

/**
 * The pool read page by page: the 16 shards (× jurisdiction prefixes) are queried in parallel and
 * each page is handed to `onPage` as it arrives, so a caller that condenses pages (the draw packs
 * them) never holds the whole scope as items. Returns the number of items read.
 */
export async function forEachPoolPage<T = Record<string, unknown>>(
  dept: string,
  projection: string[],
  opts: { jurisdictions?: string[]; concurrency?: number },
  onPage: (items: T[]) => void,
): Promise<number> {
  const shards = Array.from({ length: POOL_SHARDS }, (_, i) => i);
  const prefixes = opts.jurisdictions?.length ? opts.jurisdictions.map((j) => `${j}#`) : [undefined];
  const jobs = shards.flatMap((s) => prefixes.map((p) => ({ s, p })));
  let count = 0;
  await runPool(jobs, opts.concurrency ?? 8, async ({ s, p }) => {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await queryPage<T>({
        index: POOL.name,
        pkName: POOL.partitionKey,
        skName: POOL.sortKey,
        pk: K.poolPk(dept, s),
        ...(p ? { skPrefix: p } : {}),
        projection,
        ...(startKey ? { startKey } : {}),
      });
      count += page.items.length;
      onPage(page.items);
      startKey = page.next;
    } while (startKey);
  });
  return count;
}

export interface UpsertSummary {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Stored content hashes of a department's registry of one kind, by record key (USCC for targets,
 * sort key for the others). An import that writes in chunks reads it once and hands it to every
 * chunk's plan; applying a plan keeps it current (docs/ARCHITECTURE.md, "Large imports").
 */
export type HashIndex = Map<string, string | undefined>;
export type RegistryKind = 'targets' | 'inspectors' | 'items' | 'experts';

const COLLECTION_PREFIX = { inspectors: 'INSP#', items: 'ITEM#', experts: 'EXPERT#' } as const;

export async function registryHashes(kind: RegistryKind, dept: string): Promise<HashIndex> {
  if (kind === 'targets') return new Map((await readPool<{ uscc: string; hash?: string }>(dept, ['uscc', 'hash'])).map((r) => [r.uscc, r.hash]));
  return new Map(
    (await queryAll<Item & { hash?: string }>({ pk: K.department(dept).pk, skPrefix: COLLECTION_PREFIX[kind], projection: ['sk', 'hash'] })).map((i) => [i.sk, i.hash]),
  );
}

/** What an upsert will write: the items of new and changed rows (with their index keys) and the counts. */
export interface UpsertPlan extends UpsertSummary {
  kind: RegistryKind;
  puts: Item[];
}

const indexKey = (kind: RegistryKind, item: Item): string => (kind === 'targets' ? (item.uscc as string) : item.sk);

/**
 * Plan an upsert without writing it (a plan of inspectors claims their ids for the department,
 * which is idempotent). Rows whose content hash equals the stored one are left out, so
 * re-importing the same file changes nothing (not even timestamps).
 */
export async function planUpsert(kind: RegistryKind, dept: string, rows: readonly unknown[], index: HashIndex): Promise<UpsertPlan> {
  switch (kind) {
    case 'targets':
      return planTargets(dept, rows as Target[], index);
    case 'inspectors': {
      // A re-imported inspector keeps the delivery status the system recorded (bounced address).
      const stored = await listInspectors(dept);
      const status = new Map(stored.map((i) => [i.id, i.mailStatus]));
      const have = new Set(stored.map((i) => i.id));
      const list = rows as Inspector[];
      await claimInspectorIds(dept, list.map((r) => r.id).filter((id) => !have.has(id)));
      return planCollection(kind, list, (i) => inspectorItem({ ...i, mailStatus: status.get(i.id) ?? i.mailStatus }), index);
    }
    case 'items':
      return planCollection(kind, rows as InspectionItem[], itemItem, index);
    case 'experts':
      return planCollection(kind, rows as Expert[], expertItem, index);
  }
}

/** Write a plan (idempotent full puts) and record the new hashes in the index. */
export async function applyUpsert(plan: UpsertPlan, index: HashIndex): Promise<void> {
  await batchWrite(plan.puts, [], 6);
  for (const p of plan.puts) index.set(indexKey(plan.kind, p), p.hash as string);
}

async function planTargets(dept: string, targets: Target[], existing: HashIndex): Promise<UpsertPlan> {
  let created = 0;
  let unchanged = 0;
  const puts: Item[] = [];
  const changed: Target[] = [];
  for (const t of targets) {
    const prev = existing.get(t.uscc);
    if (prev === undefined) {
      created++;
      puts.push(targetItem(t));
    } else if (prev === targetItem(t).hash) unchanged++;
    else changed.push(t);
  }
  // A changed row keeps what the system recorded on the target (its inspection history).
  const stored = new Map((await getTargets(dept, changed.map((t) => t.uscc))).map((t) => [t.uscc, t]));
  for (const t of changed) {
    const history = t.lastInspections.length ? t.lastInspections : (stored.get(t.uscc)?.lastInspections ?? []);
    puts.push(targetItem({ ...t, lastInspections: history }));
  }
  return { kind: 'targets', puts, created, updated: changed.length, unchanged };
}

function planCollection<T>(kind: RegistryKind, rows: T[], toItem: (r: T) => Item, existing: HashIndex): UpsertPlan {
  const plan: UpsertPlan = { kind, puts: [], created: 0, updated: 0, unchanged: 0 };
  for (const r of rows) {
    const item = toItem(r);
    const prev = existing.get(item.sk);
    if (prev === undefined) plan.created++;
    else if (prev === item.hash) {
      plan.unchanged++;
      continue;
    } else plan.updated++;
    plan.puts.push(item);
  }
  return plan;
}

/** Plan and write in one go (the synchronous import, the sample district). */
export async function upsertRegistry(kind: RegistryKind, dept: string, rows: readonly unknown[]): Promise<UpsertSummary> {
  const index = await registryHashes(kind, dept);
  const plan = await planUpsert(kind, dept, rows, index);
  await applyUpsert(plan, index);
  return { created: plan.created, updated: plan.updated, unchanged: plan.unchanged };
}

export const upsertTargets = (dept: string, rows: Target[]): Promise<UpsertSummary> => upsertRegistry('targets', dept, rows);
export const upsertInspectors = (dept: string, rows: Inspector[]): Promise<UpsertSummary> => upsertRegistry('inspectors', dept, rows);
export const upsertInspectionItems = (dept: string, rows: InspectionItem[]): Promise<UpsertSummary> => upsertRegistry('items', dept, rows);
export const upsertExperts = (dept: string, rows: Expert[]): Promise<UpsertSummary> => upsertRegistry('experts', dept, rows);
