import { describe, expect, it } from 'vitest';
import { getPreset } from '../../shared/domain/profiles.js';
import { computeKpis, kpiVerdict, offTarget, renderKpiTable, type KpiRow } from '../../shared/reports/kpi.js';
import { checkReportStats, emptyChannel, emptyPeriodStats, type ReportStats } from '../../shared/reports/stats.js';

/** 20 tasks / 400 targets on the Hebei platform; joint 6 tasks (5 internal + 1 cross) / 50 targets. */
function stats(): ReportStats {
  const ytd = emptyPeriodStats();
  ytd.provincial = {
    ...emptyChannel(),
    all: { tasks: 20, targets: 400, problemTargets: 12 },
    withinDepartment: { tasks: 19, targets: 380, problemTargets: 10 },
    crossDepartment: { tasks: 1, targets: 20, problemTargets: 2 },
    internalJoint: { tasks: 5, targets: 30, problemTargets: 1 },
    enterprises: { tasks: 18, targets: 350, problemTargets: 11 },
    creditRisk: { tasks: 15, targets: 300, problemTargets: 9 },
  };
  return {
    departmentId: 'd',
    period: { kind: 'month', year: 2024, month: 3 },
    range: { start: '2024-03-01', end: '2024-03-31' },
    current: emptyPeriodStats(),
    yearToDate: ytd,
    coverage: { inspectedEnterprises: 75, baseEnterprises: 10_000 },
    timeliness: { checked: 400, entryDue: 380, entryOnTime: 380, published: 396, publicationDue: 300, publicationOnTime: 297, followUpArisen: 0, followUpClosed: 0 },
    overdue: [],
  };
}

const byId = (rows: KpiRow[]) => Object.fromEntries(rows.map((r) => [r.id, r]));

describe('computeKpis against the qinhuangdao-housing targets', () => {
  it('computes each share and judges it with exact arithmetic', () => {
    const s = stats();
    expect(checkReportStats(s)).toEqual([]);
    const k = byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s));
    // 6/20 = 30% ≥ 25%
    expect(k.jointCount).toMatchObject({ numerator: 6, denominator: 20, value: 0.3, target: 0.25, ok: true, status: '达标' });
    // 50/400 = 12.5% < 15%
    expect(k.jointTargets).toMatchObject({ numerator: 50, denominator: 400, value: 0.125, target: 0.15, ok: false, status: '未达标', valueText: '12.5%' });
    // 15/18 = 83.3% ≥ 80% (denominator: tasks concerning enterprises)
    expect(k.creditRisk).toMatchObject({ numerator: 15, denominator: 18, ok: true, valueText: '83.3%' });
    // 3% a year, 3 months elapsed → 0.75% due; 75/10000 is exactly on it.
    expect(k.coverage).toMatchObject({ numerator: 75, denominator: 10_000, targetBp: 300, dueBp: 75, ok: true });
    expect(k.coverage!.targetText).toBe('≥ 3%（按进度 ≥ 0.75%）');
    // 396/400 published < 100%; 380/380 on time; 297/300 < 100%; no follow-ups → 无数据.
    expect(k.publication).toMatchObject({ ok: false, valueText: '99.0%' });
    expect(k.onTimeEntry).toMatchObject({ ok: true, value: 1 });
    expect(k.onTimePublication).toMatchObject({ ok: false });
    expect(k.followUpClosure).toMatchObject({ ok: null, status: '无数据', value: null, valueText: '—' });
    expect(offTarget(Object.values(k)).map((r) => r.id)).toEqual(['jointTargets', 'publication', 'onTimePublication']);
  });

  it('one enterprise short of the pro-rated coverage target is off target', () => {
    const s = stats();
    s.coverage.inspectedEnterprises = 74;
    expect(byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s)).coverage).toMatchObject({ ok: false, status: '未达标' });
    // At the end of the year the full annual target applies.
    s.period = { kind: 'quarter', year: 2024, quarter: 4 };
    s.coverage.inspectedEnterprises = 299;
    expect(byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s)).coverage).toMatchObject({ ok: false, dueBp: 300 });
    s.coverage.inspectedEnterprises = 300;
    expect(byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s)).coverage).toMatchObject({ ok: true });
  });

  it('counts both channels (other platforms too)', () => {
    const s = stats();
    s.yearToDate.other = {
      ...emptyChannel(),
      all: { tasks: 10, targets: 100, problemTargets: 0 },
      withinDepartment: { tasks: 10, targets: 100, problemTargets: 0 },
      enterprises: { tasks: 2, targets: 20, problemTargets: 0 },
    };
    const k = byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s));
    expect(k.jointCount).toMatchObject({ numerator: 6, denominator: 30, ok: false });
    expect(k.creditRisk).toMatchObject({ numerator: 15, denominator: 20, ok: false });
  });
});

describe('profile differences', () => {
  it('changan requires 100% joint and credit-risk shares and 5% coverage', () => {
    const k = byId(computeKpis(getPreset('shijiazhuang-changan-2024'), stats()));
    expect(k.jointCount).toMatchObject({ targetBp: 10_000, ok: false });
    expect(k.creditRisk).toMatchObject({ targetBp: 10_000, ok: false });
    expect(k.coverage).toMatchObject({ targetBp: 500, ok: false }); // 0.75% < 5%·3/12
  });

  it('a KPI without a profile target is not off target', () => {
    const p = getPreset('qinhuangdao-samr-2023');
    expect(p.joint.countShareBp).toBeNull();
    const k = byId(computeKpis(p, stats()));
    expect(k.jointCount).toMatchObject({ ok: null, status: '未设目标', target: null, targetText: '未设目标' });
  });

  it('an unknown coverage base gives 无数据', () => {
    const s = stats();
    s.coverage.baseEnterprises = null;
    expect(byId(computeKpis(getPreset('qinhuangdao-housing-2023'), s)).coverage).toMatchObject({ ok: null, status: '无数据' });
  });
});

describe('renderKpiTable', () => {
  it('marks exactly the off-target rows, in text and HTML, and escapes values', () => {
    const rows = computeKpis(getPreset('qinhuangdao-housing-2023'), stats());
    rows[0]!.note = '<script>alert(1)</script>';
    const { text, html } = renderKpiTable(rows);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2 + rows.length);
    rows.forEach((r, i) => {
      expect(lines[2 + i]!.startsWith(r.name)).toBe(true);
      expect(lines[2 + i]!.includes('【未达标】')).toBe(r.ok === false);
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    const trs = html.split('<tr>').slice(2);
    rows.forEach((r, i) => expect(trs[i]!.includes('color:#b4232a')).toBe(r.ok === false));
  });
});

describe('the overall verdict (subject, body and workbook say the same)', () => {
  const profile = getPreset('qinhuangdao-housing-2023');
  const none = (): ReportStats => ({
    ...stats(),
    yearToDate: emptyPeriodStats(),
    coverage: { inspectedEnterprises: 0, baseEnterprises: null },
    timeliness: { checked: 0, entryDue: 0, entryOnTime: 0, published: 0, publicationDue: 0, publicationOnTime: 0, followUpArisen: 0, followUpClosed: 0 },
  });

  it('every KPI without data: 无数据, not 达标', () => {
    const v = kpiVerdict(computeKpis(profile, none()));
    expect(v.status).toBe('无数据');
    expect(v.headline).toBe('各项指标暂无数据');
    expect(v.sentence).toMatch(/^各项考核指标本期均无数据，无法判断是否达标（抽查企业占比、/);
    expect(v.sentence).not.toContain('均已达标');
  });

  it('met where there is data, no data elsewhere: still 无数据, naming what is missing', () => {
    const s = none();
    s.timeliness = { ...s.timeliness, checked: 10, published: 10, entryDue: 10, entryOnTime: 10 };
    const v = kpiVerdict(computeKpis(profile, s));
    expect(v.status).toBe('无数据');
    expect(v.met.map((r) => r.id)).toEqual(['publication', 'onTimeEntry']);
    expect(v.headline).toBe(`2 项指标达标，${v.noData.length} 项无数据`);
    expect(v.sentence).toContain('后续处置完结率');
  });

  it('达标 only with data and every target met; 未达标 also names the KPIs without data', () => {
    const s = stats();
    s.timeliness = { ...s.timeliness, followUpArisen: 2, followUpClosed: 2, publicationOnTime: 300, published: 400 };
    s.yearToDate.provincial.internalJoint = { tasks: 5, targets: 60, problemTargets: 1 };
    const met = kpiVerdict(computeKpis(profile, s));
    expect([met.status, met.headline, met.sentence]).toEqual(['达标', '各项指标达标', '各项考核指标均已达标。']);
    const off = kpiVerdict(computeKpis(profile, { ...stats(), timeliness: { ...stats().timeliness, followUpArisen: 0 } }));
    expect(off.status).toBe('未达标');
    expect(off.sentence).toMatch(/^\d 项指标未达标：.*。另有 1 项指标无数据，无法判断是否达标（后续处置完结率）。$/);
  });
});
