/**
 * Annual plan validation (pure): every rule of the plan form (wuhai-housing-2019 抽查计划表)
 * checked against the department's policy profile, its item list, the inspector pool and the
 * size of the target pool. All problems are returned at once, each naming its field in Chinese
 * (「抽查任务[2]·抽取日期」) so a coordinator can fix the whole plan in one pass.
 *
 * Semantics shared with the draw (shared/draw/eligibility.ts), so what the plan promises is what
 * the draw can deliver:
 *   - participating departments = the initiating department ∪ jointDepartments; participating
 *     sections of an internal joint task = leadSection ∪ jointSections;
 *   - strata, n_s = ceil(N_s × ratio_s) and team size: the rules of ./sampling.ts, which the
 *     draw calls too;
 *   - an inspector is eligible when active, in the inspector scope (department, section, the
 *     joint sections), holding every specialty of every task item that applies to them plus the
 *     scope's extra specialties, with a certificate valid through the window end;
 *   - inspectors are matched within the target's jurisdiction when the profile says so.
 *
 * Workload (a planning estimate, not a rule of the seeds): an inspector is assumed to take at most
 * `checksPerInspectorPerWorkingDay` targets (default 1) per working day of the window. Working
 * days come from the calendar when it covers the year, else Monday–Friday are counted.
 */
import {
  PlanBody,
  describeIssues,
  fieldLabel,
  formatBp,
  type Department,
  type FieldIssue,
  type InspectionItem,
  type Inspector,
  type PlanTask,
  type RiskClass,
} from './schemas.js';
import type { PolicyProfile } from './profiles.js';
import { defaultCalendar, type Calendar } from './calendar.js';
import { drawCount, FULL_BP, keyStratumDrawn, requiredKeyRatio, teamSize as teamSizeOf } from './sampling.js';

/** Transaction limit of the plan store (one transaction writes a version and its task ids). */
export const MAX_TASKS_PER_PLAN = 90;
export const STRATA = ['key', 'A', 'B', 'C', 'D'] as const;
export type Stratum = (typeof STRATA)[number];
const RISK: readonly RiskClass[] = ['A', 'B', 'C', 'D'];

// ---------------------------------------------------------------- the target pool, summarized

/** Active targets of the department's pool with the same filter attributes, counted. */
export interface PoolCell {
  jurisdiction: string;
  industry: string;
  kind: string;
  riskClass: RiskClass;
  isKey: boolean;
  tags: readonly string[];
  count: number;
}

export interface PoolTarget {
  jurisdiction: string;
  industry: string;
  kind: string;
  riskClass: RiskClass;
  isKey: boolean;
  tags?: readonly string[];
  status: string;
}

/** Counts of active targets per filter combination (what `validatePlan` needs of the pool). */
export function summarizePool(targets: Iterable<PoolTarget>): PoolCell[] {
  const cells = new Map<string, PoolCell>();
  for (const t of targets) {
    if (t.status !== 'active') continue;
    const tags = [...new Set(t.tags ?? [])].sort();
    const key = `${t.jurisdiction}\u0000${t.industry}\u0000${t.kind}\u0000${t.riskClass}\u0000${t.isKey ? 1 : 0}\u0000${tags.join('\u0001')}`;
    const c = cells.get(key);
    if (c) c.count++;
    else cells.set(key, { jurisdiction: t.jurisdiction, industry: t.industry, kind: t.kind, riskClass: t.riskClass, isKey: t.isKey, tags, count: 1 });
  }
  return [...cells.values()];
}

// ---------------------------------------------------------------- context and results

export interface PlanContext {
  /** The department that owns (initiates) the plan. */
  department: Department;
  profile: PolicyProfile;
  /** Every known department (this one may be included); joint departments must be among them. */
  departments: readonly Department[];
  /** Items of this department and of any department that may join a task. */
  items: readonly InspectionItem[];
  /** Inspectors of this department and of any department that may join a task. */
  inspectors: readonly Inspector[];
  /** This department's target pool, summarized (`summarizePool`). */
  pool: readonly PoolCell[];
  calendar?: Calendar;
  /** Workload assumption for the staffing check (default 1). */
  checksPerInspectorPerWorkingDay?: number;
}

export interface JurisdictionExpectation {
  jurisdiction: string;
  /** Candidates in scope. */
  pool: number;
  /** Expected draw (per-stratum ceilings within the jurisdiction). */
  drawn: number;
  /** drawn × team size. */
  seats: number;
  /** Eligible inspectors for targets of this jurisdiction. */
  eligible: number;
}

export interface TaskExpectation {
  /** Expected number of targets drawn: Σ_s ceil(N_s × ratio_s) over the whole scope. */
  total: number;
  teamSize: number;
  strata: Record<Stratum, { pool: number; drawn: number; ratioBp: number }>;
  jurisdictions: JurisdictionExpectation[];
  /** Distinct eligible inspectors over all jurisdictions. */
  eligibleInspectors: number;
  /** Working days of the window used for the workload estimate. */
  workingDays: number;
}

/** What a stored version keeps of the expectation (per-jurisdiction rows would not fit a large province). */
export type ExpectedSummary = Omit<TaskExpectation, 'jurisdictions'>;

export function summarizeExpected(expected: Record<string, TaskExpectation>): Record<string, ExpectedSummary> {
  return Object.fromEntries(Object.entries(expected).map(([id, { jurisdictions: _j, ...rest }]) => [id, rest]));
}

export interface PlanValidation {
  ok: boolean;
  issues: FieldIssue[];
  /** The parsed plan (defaults applied) when it passed the schema. */
  plan?: PlanBody;
  /** Per task id, for tasks whose scope could be evaluated. */
  expected: Record<string, TaskExpectation>;
}

// ---------------------------------------------------------------- helpers shared with the store and the draw

export type JointKind = 'none' | 'internal' | 'cross-department';

/** Participating departments: the initiating one first, then the joint ones (unique). */
export function participatingDepartments(task: Pick<PlanTask, 'jointDepartments'>, initiator: string): string[] {
  return [...new Set([initiator, ...task.jointDepartments])];
}

/** Participating sections of an internal joint task: lead first, then the joint ones (unique). */
export function participatingSections(task: Pick<PlanTask, 'leadSection' | 'jointSections'>): string[] {
  return task.jointSections.length ? [...new Set([task.leadSection, ...task.jointSections])] : [];
}

export function jointKind(task: Pick<PlanTask, 'jointDepartments' | 'jointSections' | 'leadSection'>, initiator: string): JointKind {
  if (participatingDepartments(task, initiator).length > 1) return 'cross-department';
  if (participatingSections(task).length > 1) return 'internal';
  return 'none';
}

export const JOINT_KIND_NAMES: Record<JointKind, string> = {
  none: '本部门抽查',
  internal: '部门内部联合抽查',
  'cross-department': '跨部门联合抽查',
};

const q = (s: string): string => `「${s}」`;
const list = (xs: readonly string[]): string => xs.map(q).join('、');

function weekdaysBetween(start: string, end: string): number {
  const a = Date.parse(`${start}T00:00:00Z`) / 86_400_000;
  const b = Date.parse(`${end}T00:00:00Z`) / 86_400_000;
  let n = 0;
  for (let d = a; d <= b; d++) {
    const wd = (d + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
    if (wd !== 0 && wd !== 6) n++;
  }
  return n;
}

/** Working days of a window: the calendar's when it covers both years, else Monday–Friday. */
export function windowWorkingDays(window: { start: string; end: string }, calendar: Calendar = defaultCalendar): number {
  const y1 = Number(window.start.slice(0, 4));
  const y2 = Number(window.end.slice(0, 4));
  if (window.end < window.start) return 0;
  let covered = true;
  for (let y = y1; y <= y2; y++) covered &&= calendar.isCovered(y);
  return covered ? calendar.workingDaysInRange(window.start, window.end).length : weekdaysBetween(window.start, window.end);
}

// ---------------------------------------------------------------- expected draw and staffing

interface ResolvedTask {
  task: PlanTask;
  departments: string[];
  sections: string[];
  items: InspectionItem[];
}

function cellInScope(c: PoolCell, task: PlanTask, keyAtFull: boolean): Stratum | undefined {
  const s = task.scope;
  if (s.jurisdictions.length && !s.jurisdictions.includes(c.jurisdiction)) return undefined;
  if (s.industries.length && !s.industries.includes(c.industry)) return undefined;
  if (s.tags.length && !s.tags.some((t) => c.tags.includes(t))) return undefined;
  if (s.kinds.length && !(s.kinds as string[]).includes(c.kind)) return undefined;
  if (keyAtFull && c.isKey) return 'key';
  return s.riskClasses.includes(c.riskClass) ? c.riskClass : undefined;
}

interface Eligibility {
  eligible: Inspector[];
  /** In scope by department/section but not eligible, with the first failing reason. */
  rejected: { inspector: Inspector; reason: string }[];
}

function eligibleInspectors(r: ResolvedTask, inspectors: readonly Inspector[]): Eligibility {
  const { task } = r;
  const scopeDepts = new Set(task.inspectorScope.departments);
  const scopeSections = new Set(task.inspectorScope.sections);
  const jointSections = new Set(r.sections);
  const eligible: Inspector[] = [];
  const rejected: Eligibility['rejected'] = [];
  for (const i of inspectors) {
    if (!scopeDepts.has(i.department)) continue;
    if (scopeSections.size && !scopeSections.has(i.section)) continue;
    if (jointSections.size && !jointSections.has(i.section)) continue;
    if (!i.active) {
      rejected.push({ inspector: i, reason: '不在岗' });
      continue;
    }
    if (!(i.certificateExpiry >= task.window.end)) {
      rejected.push({ inspector: i, reason: `执法证在 ${task.window.end} 前到期` });
      continue;
    }
    const need = new Set(task.inspectorScope.specialties);
    for (const it of r.items) {
      if (it.department !== i.department) continue;
      if (jointSections.size && it.section && it.section !== i.section) continue;
      for (const s of it.specialties) need.add(s);
    }
    const missing = [...need].filter((s) => !i.specialties.includes(s));
    if (missing.length) {
      rejected.push({ inspector: i, reason: `缺少专业${list(missing)}` });
      continue;
    }
    eligible.push(i);
  }
  return { eligible, rejected };
}

function describeRejected(rejected: Eligibility['rejected']): string {
  if (!rejected.length) return '';
  const byReason = new Map<string, number>();
  for (const r of rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  return `（另有 ${[...byReason].map(([reason, n]) => `${n} 名${reason}`).join('，')}）`;
}

function expectAndStaff(
  r: ResolvedTask,
  ctx: PlanContext,
  issue: (field: (string | number)[], message: string) => void,
  at: (string | number)[],
): TaskExpectation {
  const { task } = r;
  const profile = ctx.profile;
  const keyAtFull = keyStratumDrawn(task.keyRatioBp);
  const ratioOf = (s: Stratum): number => (s === 'key' ? FULL_BP : task.ratiosBp[s]);
  const perJ = new Map<string, Record<Stratum, number>>();
  const totals: Record<Stratum, number> = { key: 0, A: 0, B: 0, C: 0, D: 0 };
  for (const c of ctx.pool) {
    const s = cellInScope(c, task, keyAtFull);
    if (!s) continue;
    let row = perJ.get(c.jurisdiction);
    if (!row) perJ.set(c.jurisdiction, (row = { key: 0, A: 0, B: 0, C: 0, D: 0 }));
    row[s] += c.count;
    totals[s] += c.count;
  }
  const units = r.departments.length > 1 ? r.departments : r.sections;
  const teamSize = teamSizeOf(profile.minInspectorsPerTarget, units.length);
  const workingDays = windowWorkingDays(task.window, ctx.calendar);
  const perDay = ctx.checksPerInspectorPerWorkingDay ?? 1;
  const capacity = Math.max(0, Math.floor(workingDays * perDay));
  const { eligible, rejected } = eligibleInspectors(r, ctx.inspectors);
  const unitOf = (i: Inspector) => (r.departments.length > 1 ? i.department : i.section);
  const unitName = (u: string) => (r.departments.length > 1 ? (ctx.departments.find((d) => d.id === u)?.name ?? u) : u);

  const strata = Object.fromEntries(
    STRATA.map((s) => [s, { pool: totals[s], drawn: drawCount(totals[s], ratioOf(s)), ratioBp: ratioOf(s) }]),
  ) as TaskExpectation['strata'];
  const total = STRATA.reduce((n, s) => n + strata[s].drawn, 0);

  const jurisdictions: JurisdictionExpectation[] = [];
  const names = [...perJ.keys()].sort();
  for (const j of names) {
    const row = perJ.get(j)!;
    const pool = STRATA.reduce((n, s) => n + row[s], 0);
    const drawn = STRATA.reduce((n, s) => n + drawCount(row[s], ratioOf(s)), 0);
    const inArea = (i: Inspector) => !profile.matchWithinJurisdiction || i.jurisdictions.includes(j);
    const el = eligible.filter(inArea);
    jurisdictions.push({ jurisdiction: j, pool, drawn, seats: drawn * teamSize, eligible: el.length });
    if (drawn === 0) continue;
    const where = profile.matchWithinJurisdiction ? `辖区${q(j)}` : '本任务';
    const why = describeRejected(rejected.filter((x) => inArea(x.inspector)));
    const head = `${where}预计抽取 ${drawn} 户，每户须 ${teamSize} 名检查人员`;
    if (el.length < teamSize) {
      issue(
        [...at, 'inspectorScope'],
        `${head}，符合条件的检查人员只有 ${el.length} 名，还差 ${teamSize - el.length} 名${why}`,
      );
      // Workload is moot while a single team cannot be formed.
    } else {
      const needed = capacity > 0 ? Math.ceil((drawn * teamSize) / capacity) : Infinity;
      if (el.length < needed) {
        issue(
          [...at, 'inspectorScope'],
          `${head}，共 ${drawn * teamSize} 人次；按每名检查人员每个工作日最多 ${perDay} 户、抽查时间内 ${workingDays} 个工作日计，至少需要 ${Number.isFinite(needed) ? needed : '更多'} 名符合条件的检查人员，现有 ${el.length} 名${Number.isFinite(needed) ? `，还差 ${needed - el.length} 名` : ''}${why}`,
        );
      }
    }
    if (units.length > 1) {
      for (const u of units) {
        const have = el.filter((i) => unitOf(i) === u).length;
        const need = capacity > 0 ? Math.max(1, Math.ceil(drawn / capacity)) : Infinity;
        if (have < need) {
          const unitWhy = describeRejected(rejected.filter((x) => inArea(x.inspector) && unitOf(x.inspector) === u));
          issue(
            [...at, 'inspectorScope'],
            have === 0
              ? `${where}预计抽取 ${drawn} 户，每个检查组须有${q(unitName(u))}的检查人员，但符合条件的一名也没有${unitWhy}`
              : `${where}预计抽取 ${drawn} 户，每个检查组须有${q(unitName(u))}的检查人员；按每个工作日最多 ${perDay} 户计，至少需要 ${need} 名，现有 ${have} 名，还差 ${need - have} 名${unitWhy}`,
          );
        }
      }
    }
  }
  // Inspectors covering several jurisdictions are counted in each above; check the whole task too.
  if (total > 0 && capacity > 0 && eligible.length >= teamSize) {
    const needed = Math.ceil((total * teamSize) / capacity);
    if (eligible.length < needed) {
      issue(
        [...at, 'inspectorScope'],
        `本任务预计抽取 ${total} 户、共 ${total * teamSize} 人次；按每名检查人员每个工作日最多 ${perDay} 户、抽查时间内 ${workingDays} 个工作日计，至少需要 ${needed} 名符合条件的检查人员，现有 ${eligible.length} 名，还差 ${needed - eligible.length} 名`,
      );
    }
  }
  return { total, teamSize, strata, jurisdictions, eligibleInspectors: eligible.length, workingDays };
}

// ---------------------------------------------------------------- validation

const RATIO_MSG = '应在 0% 到 100% 之间（以万分比填写，300 即 3%，10000 即 100%）';

/**
 * Validate a plan body against the department's context. Returns every problem found; `ok` is
 * true when there is none. The schema is checked first: a body that does not have the plan's
 * shape is reported with the schema's (Chinese) messages only.
 */
export function validatePlan(body: unknown, ctx: PlanContext): PlanValidation {
  const parsed = PlanBody.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error).map((i) => {
      const last = i.path[i.path.length - 1];
      const parent = i.path[i.path.length - 2];
      const isRatio = last === 'keyRatioBp' || (parent === 'ratiosBp' && typeof last === 'string');
      return isRatio && typeof last === 'string' ? { ...i, message: RATIO_MSG } : i;
    });
    return { ok: false, issues, expected: {} };
  }
  const plan = parsed.data;
  const issues: FieldIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ field: fieldLabel(path), message, path });
  const expected: Record<string, TaskExpectation> = {};
  const dept = ctx.department;
  const deptById = new Map(ctx.departments.map((d) => [d.id, d]));
  deptById.set(dept.id, dept);
  const itemById = new Map(ctx.items.map((i) => [i.id, i]));
  const calendar = ctx.calendar ?? defaultCalendar;
  const minDepts = ctx.profile.joint.crossDepartmentMinDepartments;
  const poolJurisdictions = new Set(ctx.pool.map((c) => c.jurisdiction));
  const poolIndustries = new Set(ctx.pool.map((c) => c.industry));
  const poolTags = new Set(ctx.pool.flatMap((c) => c.tags));

  if (plan.tasks.length > MAX_TASKS_PER_PLAN) {
    issue(['tasks'], `一个年度计划最多 ${MAX_TASKS_PER_PLAN} 个抽查任务，当前 ${plan.tasks.length} 个；请拆分为多个计划`);
  }

  const firstIndex = new Map<string, number>();
  plan.tasks.forEach((task, ti) => {
    const at: (string | number)[] = ['tasks', ti];
    const prev = firstIndex.get(task.taskId);
    if (prev !== undefined) issue([...at, 'taskId'], `任务编号${q(task.taskId)}与抽查任务[${prev + 1}]重复`);
    else firstIndex.set(task.taskId, ti);

    // --- who: lead section, internal joint sections, cross-department joint departments
    const sections = dept.sections;
    if (sections.length && !sections.includes(task.leadSection)) {
      issue([...at, 'leadSection'], `${q(task.leadSection)}不是${dept.name}的科室（本部门科室：${sections.join('、')}）`);
    }
    task.jointSections.forEach((s, si) => {
      if (sections.length && !sections.includes(s)) issue([...at, 'jointSections', si], `${q(s)}不是${dept.name}的科室`);
    });
    const pSections = participatingSections(task);
    if (task.jointSections.length && pSections.length < 2) {
      issue([...at, 'jointSections'], `部门内部联合抽查至少需要 2 个科室参与（含牵头科室），当前只有${list(pSections)}`);
    }
    const pDepts = participatingDepartments(task, dept.id);
    const unknownDepts = pDepts.filter((d) => !deptById.has(d));
    unknownDepts.forEach((d) => issue([...at, 'jointDepartments', task.jointDepartments.indexOf(d)], `部门${q(d)}不存在`));
    if (pDepts.length > 1 && pDepts.length < minDepts) {
      issue(
        [...at, 'jointDepartments'],
        `跨部门联合抽查至少需要 ${minDepts} 个部门参与（含发起部门），当前只有 ${pDepts.length} 个：${pDepts.map((d) => deptById.get(d)?.name ?? d).join('、')}`,
      );
    }
    if (pDepts.length > 1 && task.jointSections.length) {
      issue([...at, 'jointSections'], '同一抽查任务不能既是部门内部联合又是跨部门联合：跨部门联合抽查请不要填写本系统联合检查科室');
    }

    // --- what: items
    const allIds = [...task.items.general, ...task.items.key];
    if (allIds.length === 0) issue([...at, 'items'], '至少选择一项抽查事项');
    const seenItems = new Set<string>();
    const resolved: InspectionItem[] = [];
    for (const cat of ['general', 'key'] as const) {
      task.items[cat].forEach((id, ii) => {
        const path = [...at, 'items', cat, ii];
        if (seenItems.has(id)) {
          issue(path, `抽查事项${q(id)}重复`);
          return;
        }
        seenItems.add(id);
        const item = itemById.get(id);
        if (!item) {
          issue(path, `抽查事项${q(id)}不在事项清单中`);
          return;
        }
        if (!pDepts.includes(item.department)) {
          const owner = deptById.get(item.department)?.name ?? item.department;
          issue(path, `抽查事项${q(`${id} ${item.name}`)}属于${owner}，不是本任务的参与部门`);
          return;
        }
        if (item.category !== cat) {
          issue(
            path,
            `抽查事项${q(`${id} ${item.name}`)}在事项清单中是${item.category === 'key' ? '重点检查事项' : '一般检查事项'}，不能列为${cat === 'key' ? '重点检查事项' : '一般检查事项'}`,
          );
        }
        resolved.push(item);
      });
    }
    if (pDepts.length > 1 && resolved.length) {
      const without = pDepts.filter((d) => deptById.has(d) && !resolved.some((it) => it.department === d));
      if (without.length) {
        issue([...at, 'items'], `跨部门联合抽查的每个参与部门都应有抽查事项；${without.map((d) => deptById.get(d)!.name).join('、')}没有`);
      }
    }

    // --- when: window inside the plan year, draw date inside the window
    const { start, end } = task.window;
    let datesOk = true;
    if (end < start) {
      issue([...at, 'window', 'end'], `结束日期 ${end} 早于开始日期 ${start}`);
      datesOk = false;
    }
    const yearPrefix = String(plan.year);
    if (!start.startsWith(yearPrefix) || !end.startsWith(yearPrefix)) {
      issue([...at, 'window'], `抽查时间 ${start} 至 ${end} 应在计划年度 ${plan.year} 年内`);
      datesOk = false;
    }
    if (task.drawDate < start || task.drawDate > end) {
      issue([...at, 'drawDate'], `抽取日期 ${task.drawDate} 不在抽查时间 ${start} 至 ${end} 内`);
    } else if (calendar.isCovered(Number(task.drawDate.slice(0, 4))) && !calendar.isWorkingDay(task.drawDate)) {
      const info = calendar.describeDay(task.drawDate);
      issue([...at, 'drawDate'], `抽取日期 ${task.drawDate} 是${info.kind === 'holiday' ? `法定节假日（${info.name ?? '节假日'}）` : '周末'}，不是工作日`);
    }

    // --- how many: ratios and key enterprises
    const drawnClasses = task.scope.riskClasses;
    let drawsNothing = false;
    if (drawnClasses.length === 0 && !keyStratumDrawn(task.keyRatioBp)) {
      issue([...at, 'scope', 'riskClasses'], '未选择任何信用风险分类，本任务不会抽取任何检查对象');
      drawsNothing = true;
    } else if (drawnClasses.every((c) => task.ratiosBp[c] === 0) && !keyStratumDrawn(task.keyRatioBp)) {
      issue([...at, 'ratiosBp'], '所选信用风险分类的抽查比例均为 0%，本任务不会抽取任何检查对象');
      drawsNothing = true;
    }
    const keyReq = requiredKeyRatio(ctx.profile, task.window);
    if (keyReq && task.keyRatioBp < keyReq.ratioBp) {
      const months = keyReq.fromMonth ? `${keyReq.fromMonth}–${keyReq.toMonth} 月` : '本时段';
      issue(
        [...at, 'keyRatioBp'],
        `按本部门配置（重点企业分时段抽查比例），${months}重点企业抽查比例应不低于 ${formatBp(keyReq.ratioBp)}，本任务为 ${formatBp(task.keyRatioBp)}`,
      );
    }
    if (task.keyRatioBp > 0 && !keyStratumDrawn(task.keyRatioBp)) {
      // Below 100 % key enterprises are drawn with their risk class; the announced key ratio must hold.
      const lower = drawnClasses.filter((c) => task.ratiosBp[c] < task.keyRatioBp);
      if (lower.length || drawnClasses.length < RISK.length) {
        const detail = lower.length ? lower.map((c) => `${c}类 ${formatBp(task.ratiosBp[c])}`).join('、') : `未抽取${RISK.filter((c) => !drawnClasses.includes(c)).join('、')}类`;
        issue(
          [...at, 'keyRatioBp'],
          `重点企业抽查比例 ${formatBp(task.keyRatioBp)} 未达 100% 时，重点企业按其信用风险分类的比例抽取，无法保证 ${formatBp(task.keyRatioBp)}（${detail}）；请改为 100%，或不高于各类比例`,
        );
      }
    }

    // --- whom: target scope values exist in the pool
    task.scope.jurisdictions.forEach((j, k) => {
      if (!poolJurisdictions.has(j)) issue([...at, 'scope', 'jurisdictions', k], `检查对象名录库中没有辖区${q(j)}的检查对象`);
    });
    task.scope.industries.forEach((j, k) => {
      if (!poolIndustries.has(j)) issue([...at, 'scope', 'industries', k], `检查对象名录库中没有行业${q(j)}的检查对象`);
    });
    task.scope.tags.forEach((j, k) => {
      if (!poolTags.has(j)) issue([...at, 'scope', 'tags', k], `检查对象名录库中没有带标签${q(j)}的检查对象`);
    });

    // --- by whom: inspector scope
    const scope = task.inspectorScope;
    scope.departments.forEach((d, k) => {
      if (!deptById.has(d)) issue([...at, 'inspectorScope', 'departments', k], `部门${q(d)}不存在`);
      else if (!pDepts.includes(d)) issue([...at, 'inspectorScope', 'departments', k], `${deptById.get(d)!.name}不是本任务的参与部门`);
    });
    if (pDepts.length > 1) {
      const missing = pDepts.filter((d) => deptById.has(d) && !scope.departments.includes(d));
      if (missing.length) {
        issue([...at, 'inspectorScope', 'departments'], `跨部门联合抽查的检查人员范围应包含每个参与部门，缺少：${missing.map((d) => deptById.get(d)!.name).join('、')}`);
      }
    }
    const scopeSectionSet = new Set(scope.departments.flatMap((d) => deptById.get(d)?.sections ?? []));
    const sectionsKnown = scope.departments.every((d) => (deptById.get(d)?.sections.length ?? 0) > 0);
    scope.sections.forEach((s, k) => {
      if (sectionsKnown && !scopeSectionSet.has(s)) issue([...at, 'inspectorScope', 'sections', k], `科室${q(s)}不属于检查人员范围中的部门`);
    });
    if (pSections.length > 1 && scope.sections.length) {
      const missing = pSections.filter((s) => !scope.sections.includes(s));
      if (missing.length) issue([...at, 'inspectorScope', 'sections'], `部门内部联合抽查的检查人员范围应包含每个参与科室，缺少：${missing.join('、')}`);
    }

    // --- can the scope staff the expected draw?
    const structuralOk = datesOk && unknownDepts.length === 0 && scope.departments.every((d) => deptById.has(d));
    if (structuralOk) {
      const exp = expectAndStaff({ task, departments: pDepts, sections: pDepts.length > 1 ? [] : pSections, items: resolved }, ctx, issue, at);
      if (exp.total === 0 && !drawsNothing) {
        issue([...at, 'scope'], '抽查对象范围内没有可抽取的检查对象（名录库中没有符合条件的在营检查对象）');
      }
      if (prev === undefined) expected[task.taskId] = exp;
    }
  });
  return { ok: issues.length === 0, issues, plan, expected };
}
