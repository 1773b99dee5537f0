import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { getPreset } from '../../shared/domain/profiles.js';
import { computeKpis } from '../../shared/reports/kpi.js';
import {
  KPI_FIRST_ROW,
  KPI_SHEET,
  MAIN_SHEET,
  OVERDUE_FIRST_ROW,
  OVERDUE_SHEET,
  REPORT_CELLS,
  monthlyReportXlsx,
  reportFileName,
  type ReportMeta,
} from '../../shared/reports/monthly-xlsx.js';
import { checkReportStats, type ReportStats } from '../../shared/reports/stats.js';
import { sampleStats } from './fixtures.js';

// Row labels as printed in the seeds' attachments (PDF line-wrap spaces removed).
const QHD_PROVINCIAL = [
  ['all', '本部门开展随机抽查次数、户数及发现问题户数(包含部门内部和部门联合)'],
  ['withinDepartment', '本部门开展部门内部随机抽查次数、户数及发现问题户数'],
  ['crossDepartment', '本部门开展部门联合随机抽查次数、户数及发现问题户数'],
  ['enterprises', '本部门涉及企业的随机抽查的次数、户数及发现问题户数(抽查对象为企业)'],
  ['creditRisk', '本部门利用企业信用风险分级分类开展随机抽查的次数、户数及发现问题户数'],
] as const;
const QHD_OTHER = [
  ['all', '本部门开展抽查次数、户数及发现问题户数'],
  ['enterprises', '本部门涉及企业的随机抽查次数、户数及发现问题户数(抽查对象为企业)'],
  ['creditRisk', '本部门利用企业信用风险分级分类开展随机抽查的次数、户数及发现问题户数'],
] as const;

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  return wb;
}

const text = (v: ExcelJS.CellValue): string | number | null => (v === null || v === undefined ? null : typeof v === 'object' && 'richText' in v ? v.richText.map((t) => t.text).join('') : (v as string | number));

/** Every non-empty cell of a sheet (merged slaves excluded), as address → value. */
function filled(ws: ExcelJS.Worksheet): Map<string, string | number> {
  const out = new Map<string, string | number>();
  ws.eachRow({ includeEmpty: false }, (row) =>
    row.eachCell({ includeEmpty: false }, (c) => {
      if (c.isMerged && c.master.address !== c.address) return;
      const v = text(c.value);
      if (v !== null && v !== '') out.set(c.address, v);
    }),
  );
  return out;
}

function meta(stats: ReportStats, layout: 'qinhuangdao-housing-2023' | 'shijiazhuang-changan-2024'): ReportMeta {
  return {
    departmentName: '秦皇岛市住房和城乡建设局',
    // the level of the form's own issuer, so the form reads verbatim
    level: layout === 'qinhuangdao-housing-2023' ? 'city' : 'district',
    filledOn: '2024-04-10',
    contact: { name: '刘洋', phone: '0335-3031234', mobile: '13903351234' },
    kpis: computeKpis(getPreset(layout), stats),
  };
}

describe('qinhuangdao-housing-2023 form', () => {
  for (const period of [{ kind: 'month', year: 2024, month: 3 }, { kind: 'quarter', year: 2024, quarter: 1 }] as const) {
    it(`fills every cell from the year-to-date stats (${period.kind})`, async () => {
      const stats = sampleStats(11, period);
      expect(checkReportStats(stats)).toEqual([]);
      const m = meta(stats, 'qinhuangdao-housing-2023');
      const wb = await load(await monthlyReportXlsx('qinhuangdao-housing-2023', stats, m));
      expect(wb.worksheets.map((w) => w.name)).toEqual(period.kind === 'month' ? [MAIN_SHEET, KPI_SHEET] : [MAIN_SHEET, KPI_SHEET, OVERDUE_SHEET]);
      const ws = wb.getWorksheet(MAIN_SHEET)!;
      const expected = new Map<string, string | number>([
        ['A1', '市有关部门“双随机、一公开”监管月报表'],
        ['A2', '(本年度累计数据)'],
        ['A3', period.kind === 'month' ? '统计期间：2024年3月（2024年1月1日至2024年3月31日，本年度累计）' : '统计期间：2024年第1季度（2024年1月1日至2024年3月31日，本年度累计）'],
        ['A4', '单位名称(盖章): 秦皇岛市住房和城乡建设局'],
        ['C4', '填表时间: 2024 年 4 月 10 日'],
        ['A5', '项目'],
        ['C5', '次数'],
        ['D5', '户数'],
        ['E5', '发现问题户数'],
        ['A6', '通过河北双随机执法监管平台开展抽查情况'],
        ['A11', '通过其他平台开展抽查情况'],
        ['A15', '联系人:刘洋'],
        ['B15', '联系电话:0335-3031234'],
        ['C15', '手机:13903351234'],
      ]);
      const rows = [
        ...QHD_PROVINCIAL.map(([k, label]) => ['provincial', k, label] as const),
        ...QHD_OTHER.map(([k, label]) => ['other', k, label] as const),
      ];
      rows.forEach(([ch, k, label], i) => {
        const r = 6 + i;
        const c = stats.yearToDate[ch][k];
        expected.set(`B${r}`, label);
        expected.set(`C${r}`, c.tasks);
        expected.set(`D${r}`, c.targets);
        expected.set(`E${r}`, c.problemTargets);
        // The exported map points at the same cells.
        expect(REPORT_CELLS['qinhuangdao-housing-2023'][`yearToDate.${ch}.${k}.tasks`]).toBe(`C${r}`);
        expect(REPORT_CELLS['qinhuangdao-housing-2023'][`yearToDate.${ch}.${k}.problemTargets`]).toBe(`E${r}`);
      });
      expect(Object.fromEntries(filled(ws))).toEqual(Object.fromEntries(expected));
      // Merged cells as in the form: the channel groups span their rows.
      expect(ws.getCell('A10').master.address).toBe('A6');
      expect(ws.getCell('A13').master.address).toBe('A11');
      expect(ws.getCell('A12').isMerged).toBe(true);
      expect(ws.getCell('B8').isMerged).toBe(false);
      expect(ws.getCell('E1').master.address).toBe('A1');
      expect(ws.getCell('C7').border?.left?.style).toBe('thin');
    });
  }

  it('writes zeros, not blanks, for channels with no inspections', async () => {
    const stats = sampleStats(3, { kind: 'month', year: 2024, month: 1 });
    for (const k of Object.keys(stats.yearToDate.other) as (keyof typeof stats.yearToDate.other)[]) stats.yearToDate.other[k] = { tasks: 0, targets: 0, problemTargets: 0 };
    const ws = (await load(await monthlyReportXlsx('qinhuangdao-housing-2023', stats, meta(stats, 'qinhuangdao-housing-2023')))).getWorksheet(MAIN_SHEET)!;
    for (const a of ['C11', 'D11', 'E11', 'C13', 'E13']) expect(ws.getCell(a).value).toBe(0);
  });
});

describe('shijiazhuang-changan-2024 form', () => {
  for (const period of [{ kind: 'month', year: 2024, month: 5 }, { kind: 'quarter', year: 2024, quarter: 2 }] as const) {
    it(`fills every cell from the current-period stats (${period.kind})`, async () => {
      const stats = sampleStats(29, period);
      expect(checkReportStats(stats)).toEqual([]);
      const wb = await load(await monthlyReportXlsx('shijiazhuang-changan-2024', stats, meta(stats, 'shijiazhuang-changan-2024')));
      const ws = wb.getWorksheet(MAIN_SHEET)!;
      const M = period.kind === 'month' ? '本月' : '本季度';
      const cur = stats.current;
      const tasks = cur.provincial.all.tasks + cur.other.all.tasks;
      const targets = cur.provincial.all.targets + cur.other.all.targets;
      const problems = cur.provincial.all.problemTargets + cur.other.all.problemTargets;
      const w = stats.systemWide!;
      const expected: Record<string, string | number> = {
        A1: '区有关部门“双随机、一公开”监管工作月报表',
        A2: period.kind === 'month' ? '统计期间：2024年5月（2024年5月1日至2024年5月31日）' : '统计期间：2024年第2季度（2024年4月1日至2024年6月30日）',
        A3: '单位名称（盖章）：秦皇岛市住房和城乡建设局',
        C3: '填表时间：2024 年 4 月 10 日',
        A4: '序号',
        B4: '项目',
        C4: '填报说明',
        D4: '填报内容',
        A5: '一、“双随机、一公开”监管工作安排部署情况',
        A6: '1',
        B6: `${M}召开会议部署随机抽查工作情况`,
        C6: '（注明召开会议的名称及时间）',
        D6: stats.activities!.meetings!,
        A7: '2',
        B7: `${M}印发双随机工作文件情况`,
        C7: '（注明文件名称及文号）',
        D7: stats.activities!.documents!,
        A8: '3',
        B8: `${M}组织随机抽查业务培训情况`,
        C8: '（培训班名称、培训人员数量、及内容）',
        D8: stats.activities!.trainings!,
        A9: '二、“双随机、一公开”监管工作开展情况',
        A10: '4',
        // the form (长安区) says 市本级; the level words follow the department: 区本级 for a district
        B10: `${M}按年度随机抽查工作计划区本级开展随机抽查情况`,
        B11: `${M}组织随机抽查的文件`,
        D11: cur.documents.join('；'),
        B12: `${M}随机抽查次数、数量`,
        D12: `${tasks} 次，${targets} 户`,
        B13: '发现问题的检查主体数量',
        D13: problems,
        B14: '随机抽查的检查事项',
        C14: '（多少大项、多少小项）',
        D14: `${cur.items.major} 大项，${cur.items.minor} 小项`,
        B15: '随机抽查结果公示数量及网站',
        C15: '（注明抽查结果公示的网站及公示数量）',
        D15: `公示 ${cur.published.targets} 户；网站：${cur.published.sites.join('、')}`,
        A16: '5',
        B16: '全区本系统开展随机抽查情况',
        C16: '（开展的单位及抽查检查主体数量及抽查结果公示数量等情况）',
        D16: `开展单位：${w.units!.join('、')}；抽查检查主体 ${w.targets} 户；抽查结果公示 ${w.published} 户`,
        A18: '联系人：刘洋',
        C18: '联系电话：0335-3031234',
        D18: '手机：13903351234',
      };
      expect(Object.fromEntries(filled(ws))).toEqual(expected);
      const map = REPORT_CELLS['shijiazhuang-changan-2024'];
      expect([map['current.tasksAndTargets'], map['current.problemTargets'], map.systemWide, map['activities.meetings']]).toEqual(['D12', 'D13', 'D16', 'D6']);
      // Item 4's number spans its label row and five sub-rows; its label spans B:D.
      expect(ws.getCell('A15').master.address).toBe('A10');
      expect(ws.getCell('D10').master.address).toBe('B10');
      expect(ws.getCell('D5').master.address).toBe('A5');
      expect(typeof ws.getCell('D13').value).toBe('number');
    });
  }

  it("headings follow the department's level: a county bureau's form says 县, never the issuer's 区 or 市", async () => {
    const stats = sampleStats(13, { kind: 'month', year: 2026, month: 4 });
    const county = { ...meta(stats, 'shijiazhuang-changan-2024'), departmentName: '阜平县应急管理局', level: 'county' as const };
    const ws = (await load(await monthlyReportXlsx('shijiazhuang-changan-2024', stats, county))).getWorksheet(MAIN_SHEET)!;
    expect(ws.getCell('A1').value).toBe('县有关部门“双随机、一公开”监管工作月报表');
    expect(ws.getCell('B10').value).toBe('本月按年度随机抽查工作计划县本级开展随机抽查情况');
    expect(ws.getCell('B16').value).toBe('全县本系统开展随机抽查情况');
    const all = [...filled(ws).values()].join('\n');
    expect(all).not.toMatch(/区有关部门|市本级|全区本系统/);

    const qhd = (await load(await monthlyReportXlsx('qinhuangdao-housing-2023', stats, { ...county, kpis: computeKpis(getPreset('qinhuangdao-housing-2023'), stats) }))).getWorksheet(MAIN_SHEET)!;
    expect(qhd.getCell('A1').value).toBe('县有关部门“双随机、一公开”监管月报表');
    // level not recorded: neutral words rather than a guess
    const neutral = (await load(await monthlyReportXlsx('shijiazhuang-changan-2024', stats, { ...county, level: undefined }))).getWorksheet(MAIN_SHEET)!;
    expect([neutral.getCell('A1').value, neutral.getCell('B10').value, neutral.getCell('B16').value]).toEqual([
      '有关部门“双随机、一公开”监管工作月报表',
      '本月按年度随机抽查工作计划本级开展随机抽查情况',
      '全辖区本系统开展随机抽查情况',
    ]);
  });

  it('leaves the free-text cells blank when the liaison has not supplied them', async () => {
    const stats = sampleStats(5, { kind: 'month', year: 2024, month: 7 }, { activities: false, systemWide: false });
    stats.current.documents = [];
    const ws = (await load(await monthlyReportXlsx('shijiazhuang-changan-2024', stats, { ...meta(stats, 'shijiazhuang-changan-2024'), contact: undefined }))).getWorksheet(MAIN_SHEET)!;
    for (const a of ['D6', 'D7', 'D8', 'D11', 'D16']) expect(ws.getCell(a).value).toBeNull();
    expect(ws.getCell('D6').border?.right?.style).toBe('thin');
    expect(ws.getCell('A18').value).toBe('联系人：');
  });
});

describe('KPI and overdue sheets', () => {
  it('lists every KPI, marks off-target rows red with 未达标, and the quarterly overdue items by section', async () => {
    const stats = sampleStats(41, { kind: 'quarter', year: 2024, quarter: 1 });
    // Force one KPI off target and one on target, independent of the random data.
    stats.timeliness = { ...stats.timeliness, followUpArisen: 10, followUpClosed: 7, entryDue: 20, entryOnTime: 20 };
    const m = meta(stats, 'qinhuangdao-housing-2023');
    const wb = await load(await monthlyReportXlsx('qinhuangdao-housing-2023', stats, m));
    const ws = wb.getWorksheet(KPI_SHEET)!;
    expect(m.kpis.length).toBe(8);
    m.kpis.forEach((k, i) => {
      const r = KPI_FIRST_ROW + i;
      expect(ws.getCell(`A${r}`).value).toBe(k.name);
      expect(ws.getCell(`B${r}`).value).toBe(k.value);
      expect(ws.getCell(`E${r}`).value).toBe(`${k.numerator} / ${k.denominator}`);
      const red = ws.getCell(`A${r}`).font?.color?.argb === 'FFB4232A';
      expect(red).toBe(k.ok === false);
      expect(ws.getCell(`D${r}`).value === '未达标').toBe(k.ok === false);
    });
    const closure = m.kpis.findIndex((k) => k.id === 'followUpClosure');
    expect(ws.getCell(`D${KPI_FIRST_ROW + closure}`).value).toBe('未达标');
    expect(ws.getCell(`B${KPI_FIRST_ROW + closure}`).value).toBe(0.7);
    expect(ws.getCell(`B${KPI_FIRST_ROW + closure}`).numFmt).toBe('0.0%');
    const entry = m.kpis.findIndex((k) => k.id === 'onTimeEntry');
    expect(ws.getCell(`D${KPI_FIRST_ROW + entry}`).value).toBe('达标');

    const od = wb.getWorksheet(OVERDUE_SHEET)!;
    expect(od.getCell('A1').value).toBe('逾期事项（截至2024年3月31日，共 3 项）');
    let r = OVERDUE_FIRST_ROW;
    for (const sec of stats.overdue) {
      const first = r;
      for (const it of sec.items) {
        expect(od.getCell(`A${r}`).master.address).toBe(`A${first}`);
        expect([od.getCell(`C${r}`).value, od.getCell(`D${r}`).value, od.getCell(`E${r}`).value, od.getCell(`F${r}`).value, od.getCell(`G${r}`).value, od.getCell(`H${r}`).value]).toEqual([
          it.targetName,
          it.uscc,
          it.taskName,
          it.dueDate,
          it.overdueWorkingDays,
          it.responsible.join('、'),
        ]);
        r++;
      }
      expect(od.getCell(`A${first}`).value).toBe(sec.section);
    }
    expect(od.getCell(`C${r}`).value).toBeNull();
  });

  it('the KPI sheet states the verdict: 无数据 when nothing can be judged, never 达标', async () => {
    const stats = sampleStats(3, { kind: 'month', year: 2024, month: 1 });
    stats.timeliness = { checked: 0, entryDue: 0, entryOnTime: 0, published: 0, publicationDue: 0, publicationOnTime: 0, followUpArisen: 0, followUpClosed: 0 };
    stats.coverage = { inspectedEnterprises: 0, baseEnterprises: null };
    for (const ch of ['provincial', 'other'] as const) for (const k of Object.keys(stats.yearToDate[ch]) as (keyof typeof stats.yearToDate.other)[]) stats.yearToDate[ch][k] = { tasks: 0, targets: 0, problemTargets: 0 };
    const m = meta(stats, 'qinhuangdao-housing-2023');
    expect(m.kpis.every((k) => k.status === '无数据')).toBe(true);
    const ws = (await load(await monthlyReportXlsx('qinhuangdao-housing-2023', stats, m))).getWorksheet(KPI_SHEET)!;
    const verdict = String(ws.getCell(`A${KPI_FIRST_ROW + m.kpis.length}`).value);
    expect(verdict).toMatch(/^结论：无数据。各项考核指标本期均无数据/);
    expect(verdict).not.toContain('达标。');
  });

  it('file names name the department and period', () => {
    expect(reportFileName(sampleStats(1, { kind: 'month', year: 2024, month: 3 }), '秦皇岛市 住建局')).toBe('秦皇岛市住建局-双随机一公开监管月报表-2024年03月.xlsx');
    expect(reportFileName(sampleStats(1, { kind: 'quarter', year: 2024, quarter: 4 }), '长安区住建局')).toBe('长安区住建局-双随机一公开监管季度报表-2024年第4季度.xlsx');
  });

  it('the same inputs give the same bytes', async () => {
    const stats = sampleStats(8, { kind: 'month', year: 2024, month: 6 });
    const a = await monthlyReportXlsx('shijiazhuang-changan-2024', stats, meta(stats, 'shijiazhuang-changan-2024'));
    const b = await monthlyReportXlsx('shijiazhuang-changan-2024', stats, meta(stats, 'shijiazhuang-changan-2024'));
    expect(a.equals(b)).toBe(true);
  });
});
