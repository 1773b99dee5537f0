/**
 * The workflow of annual plans (年度抽查计划): drafts, adjustments with a reason, the leader's
 * approval, publication — each version validated against the department's profile and today's
 * registries before it is written (`store/plans.ts` keeps the items).
 *
 * Lifecycle of a version:  draft (v1) → submitted: pending-approval (v≥2 starts there, carries
 *   调整理由) → approved (leader; who/when recorded) or rejected back to draft with a reason → published (coordinator; the previous published
 *   version becomes superseded). One unpublished version at a time (META.pendingVersion).
 * An unapproved (or approved, not yet published) version may be replaced; each replacement bumps
 * its `revision`, and approval/publication are conditional on the revision that was read, so an
 * approval never applies to content the approver has not seen. Every state change is a
 * conditional write; repeating approve/publish returns the same version and writes nothing.
 */
import { K } from '../store/keys.js';
import { getItem, transact, updateItem, type Item, type TransactItem } from '../store/base.js';
import { contentHash, getDepartment, listDepartments, listInspectionItems, listInspectors, readPool } from '../store/registry.js';
import {
  declConflicts,
  declPut,
  failureOf,
  ids,
  readMeta,
  readVersion,
  toVersion,
  versionItem,
  type PlanMeta,
  type StoredPlanVersion,
} from '../store/plans.js';
import { getProfile } from './profile.js';
import { conflict, forbidden, notFound } from '../domain/errors.js';
import { nowIso } from '../clock.js';
import { chinaDate } from '../domain/calendar.js';
import { Id, ValidationError, type FieldIssue, type PlanBody, type PlanTask } from '../domain/schemas.js';
import { summarizeExpected, summarizePool, validatePlan, type ExpectedSummary, type PlanContext, type PoolTarget } from '../domain/plan.js';

export interface PlanActor {
  email: string;
  name?: string;
  /** When given, the plan must belong to this department (a coordinator cannot touch another's). */
  department?: string;
}


export interface WriteOptions {
  /** A context already loaded (e.g. by the sample loader); otherwise it is loaded here. */
  context?: PlanContext;
}


async function metaOrThrow(planId: string, actor?: PlanActor): Promise<PlanMeta> {
  const meta = await readMeta(planId);
  if (!meta) throw notFound(`年度抽查计划「${planId}」`);
  if (actor?.department && actor.department !== meta.department) throw forbidden('只能操作本部门的年度抽查计划');
  return meta;
}


// ---------------------------------------------------------------- validation context

function looseIds(body: unknown): { departments: string[] } {
  const out = new Set<string>();
  const tasks = (body as { tasks?: unknown })?.tasks;
  if (Array.isArray(tasks)) {
    for (const t of tasks) {
      const jd = (t as { jointDepartments?: unknown })?.jointDepartments;
      const sd = (t as { inspectorScope?: { departments?: unknown } })?.inspectorScope?.departments;
      for (const list of [jd, sd]) if (Array.isArray(list)) for (const d of list) if (typeof d === 'string') out.add(d);
    }
  }
  return { departments: [...out] };
}

/**
 * Everything `validatePlan` needs for a department: its profile, all departments, the items and
 * inspectors of the department and of the departments the plan body names, and its pool summary.
 */
export async function loadPlanContext(dept: string, body?: unknown): Promise<PlanContext> {
  const department = await getDepartment(dept);
  if (!department) throw notFound(`部门「${dept}」`);
  const departments = await listDepartments();
  const known = new Set(departments.map((d) => d.id));
  const involved = [dept, ...looseIds(body).departments.filter((d) => d !== dept && known.has(d))];
  const [profile, items, inspectors, pool] = await Promise.all([
    getProfile(dept),
    Promise.all(involved.map((d) => listInspectionItems(d))).then((x) => x.flat()),
    Promise.all(involved.map((d) => listInspectors(d))).then((x) => x.flat()),
    readPool<PoolTarget>(dept, ['jurisdiction', 'industry', 'kind', 'riskClass', 'isKey', 'tags', 'status']).then(summarizePool),
  ]);
  return { department, profile, departments, items, inspectors, pool };
}

async function validated(dept: string, body: unknown, opts: WriteOptions, extra: FieldIssue[] = []): Promise<{ plan: PlanBody; expected: Record<string, ExpectedSummary> }> {
  const ctx = opts.context ?? (await loadPlanContext(dept, body));
  const r = validatePlan(body, ctx);
  const issues = [...extra, ...r.issues];
  if (issues.length || !r.plan) throw new ValidationError(issues);
  return { plan: r.plan, expected: summarizeExpected(r.expected) };
}


/**
 * An adjustment may not remove or change what a launched task was drawn from: once the lifecycle
 * of a task has started, only its name and notes may change (the draw record must stay valid).
 */
async function launchedTaskIssues(published: StoredPlanVersion | undefined, next: PlanBody): Promise<FieldIssue[]> {
  if (!published) return [];
  const issues: FieldIssue[] = [];
  const nextById = new Map(next.tasks.map((t, i) => [t.taskId, { t, i }]));
  for (const old of published.tasks) {
    const launched = await getItem<Item & { launchedAt?: string }>(K.task(old.taskId), true);
    if (!launched) continue;
    const when = launched.launchedAt ? `于 ${chinaDate(launched.launchedAt)} ` : '';
    const now = nextById.get(old.taskId);
    if (!now) {
      issues.push({ field: '抽查任务', message: `任务「${old.taskId} ${old.name}」已${when}启动，不能从计划中删除`, path: ['tasks'] });
      continue;
    }
    const strip = ({ name: _n, notes: _o, ...rest }: PlanTask) => rest;
    if (contentHash(strip(old)) !== contentHash(strip(now.t))) {
      issues.push({
        field: `抽查任务[${now.i + 1}]`,
        message: `任务「${old.taskId}」已${when}启动，只能调整任务名称和备注，不能修改抽查事项、对象范围、比例、日期或检查人员范围`,
        path: ['tasks', now.i],
      });
    }
  }
  return issues;
}
const who = (a: PlanActor): string => a.name ?? a.email;

/** Same title, year and tasks (key order does not matter: stored maps come back in any order). */
function sameContent(a: PlanBody, b: PlanBody): boolean {
  return contentHash({ t: a.title, y: a.year, k: a.tasks }) === contentHash({ t: b.title, y: b.year, k: b.tasks });
}

// ---------------------------------------------------------------- create, replace, adjust

/** Create a plan with its first version as a draft. `planId` defaults to `<dept>-<year>`. */
export async function createDraft(dept: string, body: unknown, actor: PlanActor, opts: WriteOptions & { planId?: string } = {}): Promise<StoredPlanVersion> {
  if (actor.department && actor.department !== dept) throw forbidden('只能为本部门制定年度抽查计划');
  const extra: FieldIssue[] = [];
  if (opts.planId !== undefined && !Id.safeParse(opts.planId).success) {
    extra.push({ field: '计划编号', message: '只能包含字母、数字、点、下划线和连字符，不超过 64 个字符', path: ['planId'] });
  }
  const { plan, expected } = await validated(dept, body, opts, extra);
  const planId = opts.planId ?? `${dept}-${plan.year}`;
  const at = nowIso();
  const v: StoredPlanVersion = {
    planId,
    department: dept,
    version: 1,
    status: 'draft',
    title: plan.title,
    year: plan.year,
    tasks: plan.tasks,
    revision: 1,
    expected,
    createdBy: actor.email,
    createdAt: at,
    updatedAt: at,
  };
  const meta: PlanMeta = { planId, department: dept, year: plan.year, title: plan.title, latestVersion: 1, pendingVersion: 1, createdAt: at, createdBy: actor.email, updatedAt: at };
  try {
    await transact([
      {
        Put: {
          Item: { ...K.plan(planId), gsi2pk: K.plansOfDept(dept), gsi2sk: `${plan.year}#${planId}`, entity: 'plan', ...meta },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { Item: versionItem(v), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...ids(plan.tasks).map((t) => declPut(t, planId, dept)),
    ]);
  } catch (e) {
    if (!failureOf(e)) throw e;
    if (await readMeta(planId)) throw conflict(`年度抽查计划「${planId}」已存在`);
    const taken = await declConflicts(ids(plan.tasks), planId);
    if (taken.length) throw conflict(taken.join('；'));
    throw conflict('计划正被他人同时修改，请稍后重试');
  }
  return v;
}

/**
 * Replace the unpublished version (the draft, or a pending adjustment — also after approval,
 * which then must be given again). `revision`: the revision the editor started from; a
 * mismatch means someone else changed it in between (conflict, nothing written).
 */
export async function replaceDraft(
  planId: string,
  body: unknown,
  actor: PlanActor,
  opts: WriteOptions & { revision?: number; reason?: string } = {},
): Promise<StoredPlanVersion> {
  const meta = await metaOrThrow(planId, actor);
  if (!meta.pendingVersion) {
    throw conflict(meta.publishedVersion ? `计划已发布（第 ${meta.publishedVersion} 版），如需修改请提出计划调整` : '没有可修改的草稿');
  }
  const cur = await readVersion(planId, meta.pendingVersion);
  if (!cur) throw conflict('计划正被他人同时修改，请稍后重试');
  if (opts.revision !== undefined && opts.revision !== cur.revision) {
    throw conflict(`第 ${cur.version} 版已被他人修改（当前为第 ${cur.revision} 次修改，您编辑的是第 ${opts.revision} 次），请刷新后重试`);
  }
  const extra: FieldIssue[] = [];
  const reason = (opts.reason ?? cur.reason ?? '').trim();
  if (cur.version > 1 && !reason) extra.push({ field: '调整理由', message: '计划调整须说明调整理由', path: ['reason'] });
  const { plan, expected } = await validated(meta.department, body, opts, [
    ...extra,
    ...(cur.version > 1 && (body as { year?: unknown })?.year !== meta.year
      ? [{ field: '年度', message: `计划调整不能改变计划年度（${meta.year} 年）`, path: ['year'] }]
      : []),
  ]);
  if (cur.version > 1 && meta.publishedVersion) {
    const launched = await launchedTaskIssues(await readVersion(planId, meta.publishedVersion), plan);
    if (launched.length) throw new ValidationError(launched);
  }
  const at = nowIso();
  const next: StoredPlanVersion = {
    planId,
    department: meta.department,
    version: cur.version,
    status: cur.version === 1 ? 'draft' : 'pending-approval',
    title: plan.title,
    year: plan.year,
    tasks: plan.tasks,
    ...(cur.version > 1 ? { reason } : {}),
    revision: cur.revision + 1,
    expected,
    createdBy: cur.createdBy,
    createdAt: cur.createdAt,
    updatedAt: at,
  };
  // Task ids dropped by this replacement and not used by any earlier version are released.
  const earlier = new Set<string>();
  for (let v = 1; v < cur.version; v++) for (const id of ids((await readVersion(planId, v))?.tasks ?? [])) earlier.add(id);
  const newIds = new Set(ids(plan.tasks));
  const released = ids(cur.tasks).filter((id) => !newIds.has(id) && !earlier.has(id));
  try {
    await transact([
      {
        Put: {
          Item: versionItem(next),
          ConditionExpression: '#r = :r AND #s = :s',
          ExpressionAttributeNames: { '#r': 'revision', '#s': 'status' },
          ExpressionAttributeValues: { ':r': cur.revision, ':s': cur.status },
        },
      },
      {
        Update: {
          Key: K.plan(planId),
          UpdateExpression: 'SET #t = :t, #y = :y, #g = :g, #u = :u',
          ConditionExpression: '#pv = :v',
          ExpressionAttributeNames: { '#t': 'title', '#y': 'year', '#g': 'gsi2sk', '#u': 'updatedAt', '#pv': 'pendingVersion' },
          ExpressionAttributeValues: { ':t': plan.title, ':y': plan.year, ':g': `${plan.year}#${planId}`, ':u': at, ':v': cur.version },
        },
      },
      ...ids(plan.tasks).map((t) => declPut(t, planId, meta.department)),
      ...released.map(
        (t): TransactItem => ({ Delete: { Key: K.taskDecl(t), ConditionExpression: 'planId = :p', ExpressionAttributeValues: { ':p': planId } } }),
      ),
    ]);
  } catch (e) {
    if (!failureOf(e)) throw e;
    const taken = await declConflicts(ids(plan.tasks), planId);
    if (taken.length) throw conflict(taken.join('；'));
    throw conflict(`第 ${cur.version} 版已被他人修改或已发布，您的修改未保存，请刷新后重试`);
  }
  return next;
}

/** Propose an adjustment of the published plan: a new version awaiting approval, with its reason. */
export async function proposeAdjustment(planId: string, body: unknown, reason: string, actor: PlanActor, opts: WriteOptions = {}): Promise<StoredPlanVersion> {
  const meta = await metaOrThrow(planId, actor);
  const why = (reason ?? '').trim();
  const extra: FieldIssue[] = [];
  if (!why) extra.push({ field: '调整理由', message: '计划调整须说明调整理由', path: ['reason'] });
  if (!meta.publishedVersion) throw conflict('计划尚未发布，不需要提出调整；请直接修改草稿');
  if (meta.pendingVersion) throw conflict(`第 ${meta.pendingVersion} 版调整尚未完成审批和发布，请修改该版本或等待其发布`);
  if ((body as { year?: unknown })?.year !== meta.year) extra.push({ field: '年度', message: `计划调整不能改变计划年度（${meta.year} 年）`, path: ['year'] });
  const { plan, expected } = await validated(meta.department, body, opts, extra);
  const published = await readVersion(planId, meta.publishedVersion);
  const launched = await launchedTaskIssues(published, plan);
  if (launched.length) throw new ValidationError(launched);
  if (published && sameContent(published, plan)) {
    throw new ValidationError([{ field: '抽查任务', message: '调整后的计划与现行计划完全相同，无需调整', path: ['tasks'] }]);
  }
  const n = meta.latestVersion + 1;
  const at = nowIso();
  const v: StoredPlanVersion = {
    planId,
    department: meta.department,
    version: n,
    status: 'pending-approval',
    title: plan.title,
    year: plan.year,
    tasks: plan.tasks,
    reason: why,
    revision: 1,
    expected,
    createdBy: actor.email,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await transact([
      { Put: { Item: versionItem(v), ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Update: {
          Key: K.plan(planId),
          UpdateExpression: 'SET #l = :n, #pv = :n, #t = :t, #u = :u',
          ConditionExpression: '#l = :prev AND attribute_not_exists(#pv)',
          ExpressionAttributeNames: { '#l': 'latestVersion', '#pv': 'pendingVersion', '#t': 'title', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':n': n, ':prev': meta.latestVersion, ':t': plan.title, ':u': at },
        },
      },
      ...ids(plan.tasks).map((t) => declPut(t, planId, meta.department)),
    ]);
  } catch (e) {
    if (!failureOf(e)) throw e;
    const taken = await declConflicts(ids(plan.tasks), planId);
    if (taken.length) throw conflict(taken.join('；'));
    throw conflict('他人已同时提出了计划调整，请刷新后查看');
  }
  return v;
}

// ---------------------------------------------------------------- approve, publish

/**
 * The leader approves the unpublished version (`version`, default: the pending one) as read at
 * `revision` (default: as read now). Repeating it, or approving an already approved or
 * published version, returns that version unchanged.
 */
export async function approvePlan(planId: string, actor: PlanActor, opts: { version?: number; revision?: number } = {}): Promise<StoredPlanVersion> {
  for (let attempt = 0; ; attempt++) {
    const meta = await metaOrThrow(planId, actor);
    const n = opts.version ?? meta.pendingVersion ?? meta.publishedVersion ?? meta.latestVersion;
    const v = await readVersion(planId, n);
    if (!v) throw notFound(`计划「${planId}」的第 ${n} 版`);
    if (v.status === 'approved' || v.status === 'published' || v.status === 'superseded') {
      if (opts.revision !== undefined && opts.revision !== v.revision) {
        throw conflict(`第 ${n} 版已按第 ${v.revision} 次修改的内容审批，与您审阅的第 ${opts.revision} 次修改不同，请重新审阅`);
      }
      return v;
    }
    if (opts.revision !== undefined && opts.revision !== v.revision) {
      throw conflict(`第 ${n} 版已被修改（当前为第 ${v.revision} 次修改，您审阅的是第 ${opts.revision} 次），请重新审阅后再审批`);
    }
    if (v.status === 'draft' && v.rejection) throw conflict(`第 ${n} 版已被退回（${v.rejection.reason}），须修改或重新提交审批后才能批准`);
    const at = nowIso();
    try {
      const updated = await updateItem(K.planVersion(planId, n), {
        set: { status: 'approved', approvedBy: who(actor), approvedByEmail: actor.email, approvedAt: at, updatedAt: at },
        condition: '#s = :s AND #r = :r',
        names: { '#s': 'status', '#r': 'revision' },
        values: { ':s': v.status, ':r': v.revision },
      });
      return toVersion(updated);
    } catch (e) {
      const f = failureOf(e);
      if (!f) throw e;
      // Someone acted at the same moment: re-read and decide (no-op or conflict), once.
      if (attempt >= 2) throw conflict('计划正被他人同时修改，请稍后重试');
      opts = { ...opts, version: n, revision: opts.revision ?? v.revision };
    }
  }
}

/**
 * The coordinator submits the unpublished version for the leader's approval (提交审批). Repeating
 * it, or submitting a version already awaiting approval or approved, returns it unchanged.
 */
export async function submitPlan(planId: string, actor: PlanActor, opts: { version?: number } = {}): Promise<StoredPlanVersion> {
  const meta = await metaOrThrow(planId, actor);
  const n = opts.version ?? meta.pendingVersion;
  if (n === undefined) throw conflict(meta.publishedVersion ? `计划已发布（第 ${meta.publishedVersion} 版），如需修改请提出计划调整` : '没有可提交审批的计划版本');
  const v = await readVersion(planId, n);
  if (!v) throw notFound(`计划「${planId}」的第 ${n} 版`);
  if (v.status !== 'draft') return v;
  const at = nowIso();
  try {
    return toVersion(
      await updateItem(K.planVersion(planId, n), {
        set: { status: 'pending-approval', submittedBy: who(actor), submittedAt: at, updatedAt: at },
        condition: '#s = :s AND #r = :r',
        names: { '#s': 'status', '#r': 'revision' },
        values: { ':s': 'draft', ':r': v.revision },
      }),
    );
  } catch (e) {
    if (!failureOf(e)) throw e;
    throw conflict('计划正被他人同时修改，请刷新后重试');
  }
}

/**
 * The leader sends the unpublished version back to its editor with a reason (退回): it becomes a
 * draft again, any approval is withdrawn, and it must be edited or submitted again before it can
 * be approved. `revision`: the content the leader read.
 */
export async function rejectPlan(planId: string, actor: PlanActor, reason: string, opts: { version?: number; revision?: number } = {}): Promise<StoredPlanVersion> {
  const why = reason.trim();
  if (!why) throw new ValidationError([{ field: '退回理由', message: '退回计划须说明理由', path: ['reason'] }]);
  const meta = await metaOrThrow(planId, actor);
  const n = opts.version ?? meta.pendingVersion;
  if (n === undefined) throw conflict('没有待审批的计划版本');
  const v = await readVersion(planId, n);
  if (!v) throw notFound(`计划「${planId}」的第 ${n} 版`);
  if (v.status === 'published' || v.status === 'superseded') throw conflict(`第 ${n} 版已发布，不能退回；如需修改请提出计划调整`);
  if (v.status === 'draft' && v.rejection?.reason === why) return v;
  if (opts.revision !== undefined && opts.revision !== v.revision) {
    throw conflict(`第 ${n} 版已被修改（当前为第 ${v.revision} 次修改，您审阅的是第 ${opts.revision} 次），请重新审阅`);
  }
  const at = nowIso();
  try {
    return toVersion(
      await updateItem(K.planVersion(planId, n), {
        set: { status: 'draft', rejection: { reason: why, by: who(actor), at }, updatedAt: at },
        remove: ['approvedBy', 'approvedByEmail', 'approvedAt', 'submittedBy', 'submittedAt'],
        condition: '#s = :s AND #r = :r',
        names: { '#s': 'status', '#r': 'revision' },
        values: { ':s': v.status, ':r': v.revision },
      }),
    );
  } catch (e) {
    if (!failureOf(e)) throw e;
    throw conflict('计划正被他人同时修改，请刷新后重试');
  }
}

/**
 * The coordinator publishes the approved version; the previously published one becomes
 * superseded. Repeating it returns the published version unchanged.
 */
export async function publishPlan(planId: string, actor: PlanActor, opts: { version?: number } = {}): Promise<StoredPlanVersion> {
  for (let attempt = 0; ; attempt++) {
    const meta = await metaOrThrow(planId, actor);
    const n = opts.version ?? meta.pendingVersion ?? meta.publishedVersion;
    if (n === undefined) throw conflict('没有可发布的计划版本');
    const v = await readVersion(planId, n);
    if (!v) throw notFound(`计划「${planId}」的第 ${n} 版`);
    if (v.status === 'published') return v;
    if (v.status === 'superseded') throw conflict(`第 ${n} 版已被第 ${meta.publishedVersion} 版取代`);
    if (v.status !== 'approved') throw conflict(`第 ${n} 版尚未经分管领导审批，不能发布`);
    const at = nowIso();
    const prev = meta.publishedVersion;
    const items: TransactItem[] = [
      {
        Update: {
          Key: K.planVersion(planId, n),
          UpdateExpression: 'SET #s = :published, #pa = :at, #pb = :pb, #u = :at',
          ConditionExpression: '#s = :approved AND #r = :r',
          ExpressionAttributeNames: { '#s': 'status', '#pa': 'publishedAt', '#pb': 'publishedBy', '#u': 'updatedAt', '#r': 'revision' },
          ExpressionAttributeValues: { ':published': 'published', ':approved': 'approved', ':at': at, ':pb': actor.email, ':r': v.revision },
        },
      },
      {
        Update: {
          Key: K.plan(planId),
          UpdateExpression: 'SET #p = :n, #u = :at REMOVE #pv',
          ConditionExpression: prev === undefined ? '#pv = :n AND attribute_not_exists(#p)' : '#pv = :n AND #p = :prev',
          ExpressionAttributeNames: { '#p': 'publishedVersion', '#pv': 'pendingVersion', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':n': n, ':at': at, ...(prev === undefined ? {} : { ':prev': prev }) },
        },
      },
    ];
    if (prev !== undefined) {
      items.push({
        Update: {
          Key: K.planVersion(planId, prev),
          UpdateExpression: 'SET #s = :superseded, #sa = :at, #u = :at',
          ConditionExpression: '#s = :published',
          ExpressionAttributeNames: { '#s': 'status', '#sa': 'supersededAt', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':superseded': 'superseded', ':published': 'published', ':at': at },
        },
      });
    }
    try {
      await transact(items);
      return { ...v, status: 'published', publishedAt: at, publishedBy: actor.email, updatedAt: at };
    } catch (e) {
      if (!failureOf(e)) throw e;
      if (attempt >= 2) throw conflict('计划正被他人同时发布或修改，请稍后重试');
      opts = { version: n };
    }
  }
}

