/**
 * `ReportStats`: what the monthly/quarterly jobs compute from the database for one department
 * and one period, and what the report forms, the KPI table and the leadership summary read.
 *
 * Counting conventions (the jobs follow them; `checkReportStats` verifies the arithmetic):
 *   - 次数 `tasks`: inspection tasks (抽查任务) with at least one check in the range;
 *     户数 `targets`: targets checked in the range (one per task and target);
 *     发现问题户数 `problemTargets`: of those, targets whose result has a problem phrase.
 *   - Each task belongs to one channel: the Hebei platform (河北双随机执法监管平台) or another
 *     platform; the job decides by the task's platform field (Suiji-only tasks count as "other").
 *   - `withinDepartment` + `crossDepartment` = `all` (the form: "包含部门内部和部门联合");
 *     `internalJoint` ⊆ `withinDepartment` (several sections of this department together);
 *     `enterprises` ⊆ `all` (targets of kind enterprise; tasks with ≥ 1 such target);
 *     `creditRisk` ⊆ `enterprises` (tasks whose ratios derive from the credit-risk classes).
 *
 * Form rows fed by each field are named in the comments:
 *   [Q] = 秦皇岛住建 "市有关部门“双随机、一公开”监管月报表（本年度累计数据）" — reads `yearToDate`;
 *   [C] = 长安区 "区有关部门“双随机、一公开”监管工作月报表" — reads `current` (本月) and the free texts.
 */
import type { DeadlineKind } from '../domain/deadlines.js';

export type ReportPeriod = { kind: 'month'; year: number; month: number } | { kind: 'quarter'; year: number; quarter: number };

/** 次数、户数及发现问题户数 */
export interface Counts {
  /** 次数 */
  tasks: number;
  /** 户数 */
  targets: number;
  /** 发现问题户数 */
  problemTargets: number;
}

export interface ChannelStats {
  /** [Q] 本部门开展随机抽查次数、户数及发现问题户数(包含部门内部和部门联合) — Hebei platform only;
   *  [Q] "通过其他平台" 本部门开展抽查次数、户数及发现问题户数 — other platforms. */
  all: Counts;
  /** [Q] 本部门开展部门内部随机抽查次数、户数及发现问题户数 (Hebei platform only). */
  withinDepartment: Counts;
  /** [Q] 本部门开展部门联合随机抽查次数、户数及发现问题户数 (Hebei platform only). */
  crossDepartment: Counts;
  /** Not a form row: within-department tasks run jointly by several sections (KPI joint share). */
  internalJoint: Counts;
  /** [Q] 本部门涉及企业的随机抽查(的)次数、户数及发现问题户数(抽查对象为企业) — both platforms. */
  enterprises: Counts;
  /** [Q] 本部门利用企业信用风险分级分类开展随机抽查的次数、户数及发现问题户数 — both platforms. */
  creditRisk: Counts;
}

export interface PeriodStats {
  /** [Q] 通过河北双随机执法监管平台开展抽查情况 */
  provincial: ChannelStats;
  /** [Q] 通过其他平台开展抽查情况 */
  other: ChannelStats;
  /** [C] 随机抽查结果公示数量及网站 — results published in the range and the sites. */
  published: { targets: number; sites: string[] };
  /** [C] 随机抽查的检查事项（多少大项、多少小项） — distinct items checked: 大项 = item categories, 小项 = items. */
  items: { major: number; minor: number };
  /** [C] 本月组织随机抽查的文件 — titles (and numbers) of the documents organising the tasks started. */
  documents: string[];
}

export interface OverdueItem {
  kind: DeadlineKind;
  taskName: string;
  uscc: string;
  targetName: string;
  dueDate: string;
  /** Working days past the due date (1 = the first working day after it). */
  overdueWorkingDays: number;
  /** Names of the inspectors responsible (the team). */
  responsible: string[];
}

export interface OverdueSection {
  section: string;
  items: OverdueItem[];
}

export interface ReportStats {
  departmentId: string;
  period: ReportPeriod;
  /** First and last day counted for `current`, and the "as of" day of `yearToDate` (= `range.end`). */
  range: { start: string; end: string };
  /** The month (or quarter) itself — [C] 本月… rows. */
  current: PeriodStats;
  /** 1 January to `range.end` — [Q] (本年度累计数据) rows and every KPI. */
  yearToDate: PeriodStats;
  /** KPI 抽查企业占比: distinct enterprises inspected this year and the base of the profile (e.g. enterprises at the end of last year); null = unknown. */
  coverage: { inspectedEnterprises: number; baseEnterprises: number | null };
  /** Year to date: result entry, publication and follow-up against their deadlines. */
  timeliness: {
    /** Results entered; of those with a due date in the range, how many were due and how many on time. */
    checked: number;
    entryDue: number;
    entryOnTime: number;
    published: number;
    publicationDue: number;
    publicationOnTime: number;
    followUpArisen: number;
    followUpClosed: number;
  };
  /** [C] rows 1–3 (本月召开会议…, 本月印发双随机工作文件…, 本月组织随机抽查业务培训…): free text by the liaison; blank cells when absent. */
  activities?: { meetings?: string | undefined; documents?: string | undefined; trainings?: string | undefined } | undefined;
  /** [C] row 5 全区本系统开展随机抽查情况: units of the whole system, targets checked, results published; or a free text. */
  systemWide?: { units?: string[] | undefined; targets?: number | undefined; published?: number | undefined; text?: string | undefined } | undefined;
  /** Quarterly sheet 逾期事项: still-open overdue items at `range.end`, by section. */
  overdue: OverdueSection[];
}

// ---------------------------------------------------------------- helpers

export const emptyCounts = (): Counts => ({ tasks: 0, targets: 0, problemTargets: 0 });

export function addCounts(a: Counts, b: Counts): Counts {
  return { tasks: a.tasks + b.tasks, targets: a.targets + b.targets, problemTargets: a.problemTargets + b.problemTargets };
}

export function emptyChannel(): ChannelStats {
  return { all: emptyCounts(), withinDepartment: emptyCounts(), crossDepartment: emptyCounts(), internalJoint: emptyCounts(), enterprises: emptyCounts(), creditRisk: emptyCounts() };
}

export function emptyPeriodStats(): PeriodStats {
  return { provincial: emptyChannel(), other: emptyChannel(), published: { targets: 0, sites: [] }, items: { major: 0, minor: 0 }, documents: [] };
}

/** Both channels added up (what the changan form and the KPIs read). */
export function totalChannel(p: PeriodStats): ChannelStats {
  const a = p.provincial;
  const b = p.other;
  return {
    all: addCounts(a.all, b.all),
    withinDepartment: addCounts(a.withinDepartment, b.withinDepartment),
    crossDepartment: addCounts(a.crossDepartment, b.crossDepartment),
    internalJoint: addCounts(a.internalJoint, b.internalJoint),
    enterprises: addCounts(a.enterprises, b.enterprises),
    creditRisk: addCounts(a.creditRisk, b.creditRisk),
  };
}

/** `2024年3月` / `2024年第1季度` */
export function describePeriod(p: ReportPeriod): string {
  return p.kind === 'month' ? `${p.year}年${p.month}月` : `${p.year}年第${p.quarter}季度`;
}

/** Months elapsed in the year at the end of the period (for pro-rating annual targets). */
export function monthsElapsed(p: ReportPeriod): number {
  return p.kind === 'month' ? p.month : p.quarter * 3;
}

/**
 * Arithmetic a correct computation satisfies; returns the violations (English, for logs and
 * tests). Jobs call it before sending a report so an inconsistent form is never mailed.
 */
export function checkReportStats(s: ReportStats): string[] {
  const out: string[] = [];
  const sub = (name: string, inner: Counts, outer: Counts) => {
    if (inner.tasks > outer.tasks || inner.targets > outer.targets || inner.problemTargets > outer.problemTargets) out.push(`${name} exceeds its total`);
  };
  const counts = (name: string, c: Counts) => {
    for (const [k, v] of Object.entries(c)) if (!Number.isInteger(v) || v < 0) out.push(`${name}.${k} is not a non-negative integer`);
    if (c.problemTargets > c.targets) out.push(`${name}: problemTargets > targets`);
    if (c.targets < c.tasks) out.push(`${name}: fewer targets than tasks`);
  };
  for (const [pname, p] of [['current', s.current], ['yearToDate', s.yearToDate]] as const) {
    for (const [cname, ch] of [['provincial', p.provincial], ['other', p.other]] as const) {
      const n = `${pname}.${cname}`;
      for (const [k, c] of Object.entries(ch)) counts(`${n}.${k}`, c);
      const sum = addCounts(ch.withinDepartment, ch.crossDepartment);
      if (sum.tasks !== ch.all.tasks || sum.targets !== ch.all.targets || sum.problemTargets !== ch.all.problemTargets) out.push(`${n}: withinDepartment + crossDepartment ≠ all`);
      sub(`${n}.internalJoint`, ch.internalJoint, ch.withinDepartment);
      sub(`${n}.enterprises`, ch.enterprises, ch.all);
      sub(`${n}.creditRisk`, ch.creditRisk, ch.enterprises);
    }
    if (p.items.major > p.items.minor) out.push(`${pname}.items: more major than minor items`);
  }
  const cur = totalChannel(s.current).all;
  const ytd = totalChannel(s.yearToDate).all;
  if (cur.tasks > ytd.tasks || cur.targets > ytd.targets) out.push('current exceeds yearToDate');
  const t = s.timeliness;
  if (t.entryOnTime > t.entryDue) out.push('timeliness: entryOnTime > entryDue');
  if (t.publicationOnTime > t.publicationDue) out.push('timeliness: publicationOnTime > publicationDue');
  if (t.followUpClosed > t.followUpArisen) out.push('timeliness: followUpClosed > followUpArisen');
  if (t.published > t.checked) out.push('timeliness: published > checked');
  return out;
}
