/**
 * KPIs against the department profile's targets (pure). All shares are year to date; the
 * comparison is exact integer arithmetic (numerator·10000 ≥ target_bp·denominator), never floats.
 *
 * Definitions (choices where the seeds are silent are marked *):
 *   抽查企业占比          distinct enterprises inspected / profile base (e.g. enterprises at the end of
 *                         last year). The target is annual; * during the year the value is compared
 *                         with the pro-rated target (annual × months elapsed / 12), shown in the note.
 *   联合抽查次数占比      joint tasks / all tasks, joint = internal joint (sections) + cross-department *
 *   联合抽查户数占比      targets of joint tasks / all targets (same joint definition) *
 *   信用风险分类抽查占比  credit-risk-based tasks / tasks concerning enterprises ("占抽查企业总次数")
 *   抽查结果公示率        results published / results entered
 *   结果按时录入率        entered by the due date / entries due so far
 *   结果按时公示率        published by the due date / publications due so far
 *   后续处置完结率        follow-ups closed / follow-ups arisen
 * A KPI whose profile target is null shows 「未设目标」; one with a zero denominator 「无数据」;
 * neither counts as off target.
 */
import type { PolicyProfile } from '../domain/profiles.js';
import { formatBp } from '../domain/schemas.js';
import { esc } from '../pages/html.js';
import { monthsElapsed, totalChannel, type ReportStats } from './stats.js';
import { textTable } from '../mail/templates/layout.js';

export type KpiProfile = Pick<PolicyProfile, 'coverage' | 'joint' | 'creditRiskShareBp' | 'kpi'>;

export type KpiId = 'coverage' | 'jointCount' | 'jointTargets' | 'creditRisk' | 'publication' | 'onTimeEntry' | 'onTimePublication' | 'followUpClosure';

export interface KpiRow {
  id: KpiId;
  /** Chinese name. */
  name: string;
  numerator: number;
  denominator: number;
  /** numerator / denominator (0–1); null when the denominator is 0. */
  value: number | null;
  /** The profile target (0–1); null = the profile sets none. */
  target: number | null;
  /** Target in basis points as configured. */
  targetBp: number | null;
  /** What the value is compared with now, in basis points (pro-rated for coverage). */
  dueBp: number | null;
  /** true = on target, false = off target, null = no target or no data. */
  ok: boolean | null;
  valueText: string;
  targetText: string;
  /** 达标 / 未达标 / 未设目标 / 无数据 */
  status: '达标' | '未达标' | '未设目标' | '无数据';
  /** How the value was computed, in Chinese. */
  note: string;
}

export const OFF_TARGET = '未达标';

const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;

function row(id: KpiId, name: string, numerator: number, denominator: number, targetBp: number | null, note: string, prorate?: { months: number }): KpiRow {
  const value = denominator > 0 ? numerator / denominator : null;
  // Pro-rated target in bp·12 units to stay in integers: due·12 = target·months.
  const months = prorate?.months ?? 12;
  const dueBp = targetBp === null ? null : (targetBp * months) / 12;
  const ok = targetBp === null || denominator === 0 ? null : numerator * 10_000 * 12 >= targetBp * months * denominator;
  return {
    id,
    name,
    numerator,
    denominator,
    value,
    target: targetBp === null ? null : targetBp / 10_000,
    targetBp,
    dueBp,
    ok,
    valueText: value === null ? '—' : pct(value),
    targetText: targetBp === null ? '未设目标' : `≥ ${formatBp(targetBp)}${prorate && months < 12 ? `（按进度 ≥ ${pct((dueBp ?? 0) / 10_000, 2)}）` : ''}`,
    status: targetBp === null ? '未设目标' : denominator === 0 ? '无数据' : ok ? '达标' : OFF_TARGET,
    note,
  };
}

const BASE_NAMES: Record<string, string> = {
  'enterprises-end-of-previous-year': '上年底企业数',
  'target-pool': '检查对象名录库企业数',
};

export function computeKpis(profile: KpiProfile, stats: ReportStats): KpiRow[] {
  const y = totalChannel(stats.yearToDate);
  const t = stats.timeliness;
  const months = monthsElapsed(stats.period);
  const jointTasks = y.internalJoint.tasks + y.crossDepartment.tasks;
  const jointTargets = y.internalJoint.targets + y.crossDepartment.targets;
  const base = stats.coverage.baseEnterprises;
  return [
    row(
      'coverage',
      '抽查企业占比',
      stats.coverage.inspectedEnterprises,
      base ?? 0,
      profile.coverage.annualInspectedShareBp,
      `抽查企业 ${stats.coverage.inspectedEnterprises} 户，基数 ${base ?? '未知'}${base === null ? '' : ' 户'}（${BASE_NAMES[profile.coverage.base] ?? profile.coverage.base}${profile.coverage.includesSuperiorAssigned ? '，含上级部门下派' : ''}）；年度目标按已过 ${months} 个月折算`,
      { months },
    ),
    row('jointCount', '联合抽查次数占比', jointTasks, y.all.tasks, profile.joint.countShareBp, `联合抽查 ${jointTasks} 次（部门内部联合 ${y.internalJoint.tasks} 次、跨部门联合 ${y.crossDepartment.tasks} 次）/ 抽查 ${y.all.tasks} 次`),
    row('jointTargets', '联合抽查户数占比', jointTargets, y.all.targets, profile.joint.targetShareBp, `联合抽查 ${jointTargets} 户（部门内部联合 ${y.internalJoint.targets} 户、跨部门联合 ${y.crossDepartment.targets} 户）/ 抽查 ${y.all.targets} 户`),
    row('creditRisk', '信用风险分类抽查占比', y.creditRisk.tasks, y.enterprises.tasks, profile.creditRiskShareBp, `运用信用风险分级分类抽查 ${y.creditRisk.tasks} 次 / 涉及企业的抽查 ${y.enterprises.tasks} 次`),
    row('publication', '抽查结果公示率', t.published, t.checked, profile.kpi.publicationRateBp, `已公示 ${t.published} 户 / 已录入结果 ${t.checked} 户`),
    row('onTimeEntry', '结果按时录入率', t.entryOnTime, t.entryDue, profile.kpi.onTimeEntryRateBp, `按时录入 ${t.entryOnTime} 户 / 应录入 ${t.entryDue} 户`),
    row('onTimePublication', '结果按时公示率', t.publicationOnTime, t.publicationDue, profile.kpi.onTimePublicationRateBp, `按时公示 ${t.publicationOnTime} 户 / 应公示 ${t.publicationDue} 户`),
    row('followUpClosure', '后续处置完结率', t.followUpClosed, t.followUpArisen, profile.kpi.followUpClosureRateBp, `已完结 ${t.followUpClosed} 件 / 应处置 ${t.followUpArisen} 件`),
  ];
}

export const offTarget = (rows: readonly KpiRow[]): KpiRow[] => rows.filter((r) => r.ok === false);

/**
 * The overall verdict of a KPI table: 达标 only when every KPI with a target has data and meets
 * it; 未达标 when any misses; otherwise 无数据 (no KPI can be judged yet, or some cannot while
 * the rest are met). `未设目标` when the profile sets no target at all.
 */
export interface KpiVerdict {
  status: '达标' | '未达标' | '无数据' | '未设目标';
  offTarget: KpiRow[];
  noData: KpiRow[];
  met: KpiRow[];
  /** One phrase for a subject line or a preheader, e.g. 「2 项指标未达标」「各项指标暂无数据」. */
  headline: string;
  /** One sentence for the body (names the KPIs without data). */
  sentence: string;
}

export function kpiVerdict(rows: readonly KpiRow[]): KpiVerdict {
  const targeted = rows.filter((r) => r.targetBp !== null);
  const bad = targeted.filter((r) => r.ok === false);
  const noData = targeted.filter((r) => r.status === '无数据');
  const met = targeted.filter((r) => r.ok === true);
  const names = (xs: KpiRow[]) => xs.map((r) => r.name).join('、');
  const noDataClause = noData.length ? `${noData.length} 项指标无数据，无法判断是否达标（${names(noData)}）` : '';
  if (bad.length) {
    const badLine = bad.map((k) => `${k.name}（${k.valueText}，目标 ${k.targetText}）`).join('；');
    return { status: OFF_TARGET, offTarget: bad, noData, met, headline: `${bad.length} 项指标未达标`, sentence: `${bad.length} 项指标未达标：${badLine}。${noDataClause ? `另有 ${noDataClause}。` : ''}` };
  }
  if (!targeted.length) return { status: '未设目标', offTarget: [], noData: [], met: [], headline: '未设考核目标', sentence: '本部门方案未设考核指标目标。' };
  if (!noData.length) return { status: '达标', offTarget: [], noData, met, headline: '各项指标达标', sentence: '各项考核指标均已达标。' };
  if (!met.length) return { status: '无数据', offTarget: [], noData, met, headline: '各项指标暂无数据', sentence: `各项考核指标本期均无数据，无法判断是否达标（${names(noData)}）。` };
  return { status: '无数据', offTarget: [], noData, met, headline: `${met.length} 项指标达标，${noData.length} 项无数据`, sentence: `${met.length} 项考核指标达标；${noDataClause}。` };
}

const KPI_HEADERS = ['指标', '本年累计', '目标', '状态', '计算口径'];

/** The KPI table as text lines (off-target rows say 【未达标】) and as inline-styled HTML (red rows). */
export function renderKpiTable(rows: readonly KpiRow[]): { text: string; html: string } {
  const text = textTable(
    KPI_HEADERS.slice(0, 4),
    rows.map((r) => [r.name, r.valueText, r.targetText, r.ok === false ? `【${OFF_TARGET}】` : r.status]),
  ).join('\n');
  const th = 'border:1px solid #d0d5dd;background:#f0f2f5;padding:6px 8px;text-align:left;font-size:13px;white-space:nowrap';
  const td = 'border:1px solid #d0d5dd;padding:6px 8px;text-align:left;vertical-align:top;font-size:13px';
  const bad = ';color:#b4232a;background:#fdecea;font-weight:bold';
  const html =
    `<table cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;margin:8px 0 16px 0">` +
    `<tr>${KPI_HEADERS.map((h) => `<th style="${th}">${esc(h)}</th>`).join('')}</tr>` +
    rows
      .map((r) => {
        const s = r.ok === false ? td + bad : td;
        const status = r.ok === false ? `【${OFF_TARGET}】` : r.status;
        return `<tr><td style="${s}">${esc(r.name)}</td><td style="${s}">${esc(r.valueText)}</td><td style="${s}">${esc(r.targetText)}</td><td style="${s}">${esc(status)}</td><td style="${td};color:#667085;font-size:12px">${esc(r.note)}</td></tr>`;
      })
      .join('') +
    `</table>`;
  return { text, html };
}
