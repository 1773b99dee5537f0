/**
 * `ReportStats` of one department and period, computed from the database by the conventions
 * documented in shared/reports/stats.ts. Reads, per task of the department
 * (`listTasksOfDepartment`) and per cross-department task it took part in as a partner
 * (`listPartnerTasksOfDepartment`: every participating department counts the joint task, its
 * targets, results and deadlines, as 部门联合 — jointKind): the plan task it was drawn under (`findTask`, for the joint and
 * credit-risk flags and its items), its progress records (check date, result, target kind,
 * publication, status history) and its deadline records (due dates and when they were met).
 * Bounded by the department's own and joint tasks; no table scan.
 *
 * Choices where stats.ts leaves room (documented):
 *   - "checked in the range" = the progress record's check date lies in the range (the date the
 *     inspector recorded, or the result's check date).
 *   - Channel: a plan task with `platform: 'hebei'` counts as 河北双随机执法监管平台; the plan schema
 *     has no such field yet, so every Suiji task counts as "other platform" (stats.ts).
 *   - Joint kind from `jointKind(task, department)`: cross-department → crossDepartment, else
 *     withinDepartment; internal (≥ 2 sections) → internalJoint as well.
 *   - 公示 `published`: results whose publication date (China time) lies in the range; the site is
 *     Suiji's public page.
 *   - 检查事项: the items of the tasks with checks in the range; 大项 = distinct item categories.
 *   - 文件: the plan title and task name of each task launched in the range.
 *   - Timeliness (year to date up to `range.end`, the "as of" day): `checked` = results entered
 *     by then for checks this year, `published` = of those, published by then; a deadline is
 *     due when its due date is in [1 Jan, as of] and on time when it was met (China date) on or
 *     before its due date; a follow-up arises when a result needing one is published this year
 *     and is closed when the target reached 已办结 by then.
 *   - Coverage base: the pool's active enterprises when the profile's base is `target-pool`;
 *     unknown (null) for `enterprises-end-of-previous-year` (no such figure is stored).
 *   - Overdue at `range.end`: deadlines due before it and not met by it, by the section of the
 *     target's lead inspector (the task's lead section when the leader is from another
 *     department).
 */
import { chinaToday, daysInMonth, defaultCalendar, isoDate, minDate, type Calendar } from '../domain/calendar.js';
import { jointKind } from '../domain/plan.js';
import { workingDaysOverdue } from '../domain/deadlines.js';
import type { PlanTask } from '../domain/schemas.js';
import { inspectorKey, teamRefs } from '../domain/identity.js';
import { getProfile } from '../services/profile.js';
import { config } from '../config.js';
import { findTask } from '../store/plans.js';
import { listInspectionItems, listInspectors, readPool } from '../store/registry.js';
import { deadlinesOfTask, listPartnerTasksOfDepartment, listProgress, listTasksOfDepartment, type DeadlineRecord, type ProgressRecord, type TaskRecord } from '../store/tasks.js';
import { K } from '../store/keys.js';
import { getItem, putIfAbsent } from '../store/base.js';
import { emptyPeriodStats, type ChannelStats, type Counts, type OverdueItem, type OverdueSection, type PeriodStats, type ReportPeriod, type ReportStats } from '../reports/stats.js';

export const PUBLIC_SITE_NAME = 'Suiji 双随机、一公开公示网站';

/** First and last day of a period. */
export function periodBounds(p: ReportPeriod): { start: string; end: string } {
  const [m1, m2] = p.kind === 'month' ? [p.month, p.month] : [p.quarter * 3 - 2, p.quarter * 3];
  return { start: isoDate(p.year, m1, 1), end: isoDate(p.year, m2, daysInMonth(p.year, m2)) };
}

export const periodKey = (p: ReportPeriod): string => (p.kind === 'month' ? `M${p.year}-${String(p.month).padStart(2, '0')}` : `Q${p.year}-${p.quarter}`);

const dateOf = (instant: string | undefined): string | undefined => (instant ? chinaToday(new Date(instant)) : undefined);
const within = (d: string | undefined, r: { start: string; end: string }): boolean => d !== undefined && d >= r.start && d <= r.end;
/** The first time the target reached `status`, as a China date. */
const reachedOn = (p: ProgressRecord, status: ProgressRecord['status']): string | undefined => dateOf(p.history?.find((h) => h.status === status)?.at);

interface TaskData {
  task: TaskRecord;
  planTask?: PlanTask | undefined;
  planTitle?: string | undefined;
  progress: ProgressRecord[];
  deadlines: DeadlineRecord[];
}

const PROGRESS_FIELDS = ['uscc', 'name', 'kind', 'team', 'teamDepartments', 'leader', 'status', 'history', 'checkDate', 'hasProblem', 'needsFollowUp', 'publishedAt', 'resultVersion'];

export interface ReportStatsOptions {
  /** Last day counted (default: the period's last day); clipped to the period. */
  asOf?: string;
  calendar?: Calendar;
}

export async function countActiveEnterprises(dept: string): Promise<number> {
  const pool = await readPool<{ kind: string; status: string }>(dept, ['kind', 'status']);
  return pool.filter((x) => x.kind === 'enterprise' && x.status === 'active').length;
}

/**
 * Record the number of active enterprises in a department's pool as the year-end base of
 * `year` (once; the first reports-job run of the next year takes it if nobody did).
 */
export async function snapshotEnterpriseBase(dept: string, year: number, asOf: string): Promise<{ count: number; created: boolean }> {
  const existing = await getEnterpriseBase(dept, year);
  if (existing) return { count: existing.count, created: false };
  const count = await countActiveEnterprises(dept);
  const created = await putIfAbsent({ ...K.enterpriseBase(dept, year), entity: 'enterpriseBase', department: dept, year, count, asOf });
  return { count, created };
}

export async function getEnterpriseBase(dept: string, year: number): Promise<{ count: number; asOf: string } | undefined> {
  return getItem<{ count: number; asOf: string; pk: string; sk: string }>(K.enterpriseBase(dept, year));
}

export async function computeReportStats(dept: string, period: ReportPeriod, opts: ReportStatsOptions = {}): Promise<ReportStats> {
  const cal = opts.calendar ?? defaultCalendar;
  const bounds = periodBounds(period);
  const range = { start: bounds.start, end: opts.asOf ? minDate(bounds.end, opts.asOf) : bounds.end };
  const ytd = { start: isoDate(period.year, 1, 1), end: range.end };
  const profile = await getProfile(dept);

  const data: TaskData[] = [];
  // its own tasks and the cross-department tasks it took part in (each department reports its joint participation)
  const [own, partnered] = await Promise.all([listTasksOfDepartment(dept), listPartnerTasksOfDepartment(dept)]);
  for (const task of [...own, ...partnered]) {
    const found = await findTask(task.taskId, { version: task.planVersion });
    const [progress, deadlines] = await Promise.all([listProgress(task.taskId, { projection: PROGRESS_FIELDS }), deadlinesOfTask(task.taskId)]);
    data.push({ task, planTask: found?.task, planTitle: found?.plan.title, progress, deadlines });
  }

  // Item categories (大项) of every department a task draws items from.
  const itemDepts = new Set<string>([dept]);
  for (const t of data) for (const d of [t.task.department, ...(t.planTask?.jointDepartments ?? [])]) itemDepts.add(d);
  const categories = new Map<string, string>();
  for (const d of itemDepts) for (const it of await listInspectionItems(d)) categories.set(it.id, it.itemCategory);

  const sectionOf = new Map((await listInspectors(dept)).map((i) => [i.id, i.section]));
  // Names by (department, id); progress drawn before teams kept departments falls back to the id.
  const names = new Map<string, string>();
  for (const d of itemDepts) for (const i of await listInspectors(d)) names.set(inspectorKey(i), i.name).set(i.id, i.name);
  const nameOf = (p: ProgressRecord, k: number): string => {
    const ref = teamRefs(p)[k];
    return (ref ? names.get(inspectorKey(ref)) : names.get(p.team[k]!)) ?? p.team[k]!;
  };

  const current = periodStats(data, dept, range);
  const yearToDate = periodStats(data, dept, ytd);

  // Coverage: distinct enterprises checked this year.
  const inspected = new Set<string>();
  for (const t of data) for (const p of t.progress) if (p.kind === 'enterprise' && within(p.checkDate, ytd)) inspected.add(p.uscc);
  let baseEnterprises: number | null = null;
  if (profile.coverage.base === 'target-pool') {
    baseEnterprises = await countActiveEnterprises(dept);
  } else {
    // 上年底企业数: the snapshot recorded at the turn of the year (null when none was taken).
    baseEnterprises = (await getEnterpriseBase(dept, period.year - 1))?.count ?? null;
  }

  // Timeliness, year to date up to range.end.
  const t = { checked: 0, entryDue: 0, entryOnTime: 0, published: 0, publicationDue: 0, publicationOnTime: 0, followUpArisen: 0, followUpClosed: 0 };
  for (const d of data) {
    for (const p of d.progress) {
      const entered = reachedOn(p, 'result_entered');
      if (entered && entered <= ytd.end && within(p.checkDate, ytd)) {
        t.checked++;
        const pub = dateOf(p.publishedAt);
        if (pub && pub <= ytd.end) t.published++;
      }
      const pub = dateOf(p.publishedAt);
      if (p.needsFollowUp && within(pub, ytd)) {
        t.followUpArisen++;
        const closed = reachedOn(p, 'closed');
        if (closed && closed <= ytd.end) t.followUpClosed++;
      }
    }
    for (const dl of d.deadlines) {
      // Pending deadlines (due date not computable yet) are not due in any range.
      if (!dl.due || !within(dl.due, ytd) || dl.kind === 'followup') continue;
      const onTime = dl.metAt !== undefined && dateOf(dl.metAt)! <= dl.due;
      if (dl.kind === 'entry') {
        t.entryDue++;
        if (onTime) t.entryOnTime++;
      } else {
        t.publicationDue++;
        if (onTime) t.publicationOnTime++;
      }
    }
  }

  // Overdue at range.end, by section.
  const sections = new Map<string, OverdueItem[]>();
  for (const d of data) {
    const byUscc = new Map(d.progress.map((p) => [p.uscc, p]));
    for (const dl of d.deadlines) {
      if (!dl.due || dl.due >= range.end) continue;
      const met = dateOf(dl.metAt);
      if (met && met <= range.end) continue;
      const p = byUscc.get(dl.ref);
      if (!p) continue;
      const days = workingDaysOverdue(dl.due, range.end, cal);
      if (days < 1) continue;
      const section = sectionOf.get(p.leader) ?? d.planTask?.leadSection ?? '未分科室';
      const list = sections.get(section) ?? [];
      list.push({
        kind: dl.kind,
        taskName: d.planTask?.name ?? d.task.name,
        uscc: p.uscc,
        targetName: p.name,
        dueDate: dl.due as string,
        overdueWorkingDays: days,
        responsible: p.team.map((_, k) => nameOf(p, k)),
      });
      sections.set(section, list);
    }
  }
  const overdue: OverdueSection[] = [...sections]
    .sort(([a], [b]) => a.localeCompare(b, 'zh'))
    .map(([section, items]) => ({ section, items: items.sort((a, b) => b.overdueWorkingDays - a.overdueWorkingDays || a.dueDate.localeCompare(b.dueDate) || a.uscc.localeCompare(b.uscc)) }));

  return {
    departmentId: dept,
    period,
    range,
    current,
    yearToDate,
    coverage: { inspectedEnterprises: inspected.size, baseEnterprises },
    timeliness: t,
    overdue,
  };

  function periodStats(tasks: TaskData[], department: string, r: { start: string; end: string }): PeriodStats {
    const out = emptyPeriodStats();
    const itemIds = new Set<string>();
    let published = 0;
    for (const d of tasks) {
      for (const p of d.progress) if (within(dateOf(p.publishedAt), r)) published++;
      const launched = dateOf(d.task.launchedAt);
      if (within(launched, r)) out.documents.push(d.planTitle ? `${d.planTitle}：${d.planTask?.name ?? d.task.name}` : d.task.name);

      const checked = d.progress.filter((p) => within(p.checkDate, r));
      if (!checked.length) continue;
      const ch: ChannelStats = (d.planTask as { platform?: string } | undefined)?.platform === 'hebei' ? out.provincial : out.other;
      const all = counts(checked);
      const kind = d.planTask ? jointKind(d.planTask, department) : 'none';
      add(ch.all, all);
      add(kind === 'cross-department' ? ch.crossDepartment : ch.withinDepartment, all);
      if (kind === 'internal') add(ch.internalJoint, all);
      const ent = checked.filter((p) => p.kind === 'enterprise');
      if (ent.length) {
        add(ch.enterprises, counts(ent));
        if (d.planTask?.creditRiskBased) add(ch.creditRisk, counts(ent));
      }
      for (const id of [...(d.planTask?.items.general ?? []), ...(d.planTask?.items.key ?? [])]) itemIds.add(id);
    }
    out.published = { targets: published, sites: published ? [`${PUBLIC_SITE_NAME}（${config().publicBaseUrl}/public）`] : [] };
    out.items = { major: new Set([...itemIds].map((id) => categories.get(id) ?? id)).size, minor: itemIds.size };
    return out;
  }
}

function counts(ps: ProgressRecord[]): Counts {
  return { tasks: 1, targets: ps.length, problemTargets: ps.filter((p) => p.hasProblem).length };
}

function add(into: Counts, c: Counts): void {
  into.tasks += c.tasks;
  into.targets += c.targets;
  into.problemTargets += c.problemTargets;
}
