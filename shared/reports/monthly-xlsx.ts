/**
 * The monthly report (月报表) as XLSX, in the layout of the department's form, filled from
 * `ReportStats`. Two layouts, transcribed from the forms attached to the seeds:
 *
 *  qinhuangdao-housing-2023  "市有关部门“双随机、一公开”监管月报表 (本年度累计数据)": two channel
 *      groups (通过河北双随机执法监管平台 / 通过其他平台, merged vertically) × rows "…次数、户数及发现问题户数".
 *      The form has one answer cell per row; here it is three numeric cells 次数 | 户数 | 发现问题户数
 *      under an added header row, so the numbers stay numbers. Reads `yearToDate`.
 *  shijiazhuang-changan-2024 "区有关部门“双随机、一公开”监管工作月报表": numbered items with the
 *      form's fill-in notes （注明…） in their own column and the answers in 填报内容; item 4 merged
 *      over its five sub-rows. Reads `current` (本月); for a quarter "本月" reads "本季度".
 *
 * Both: the form's title, 单位名称 / 填表时间 line and 联系人 / 联系电话 / 手机 footer, row labels
 * verbatim (line-wrap spaces of the PDF text removed), plus an added 统计期间 line under the title.
 * The forms name their issuer's level (秦皇岛: 市有关部门; 长安区: 区有关部门, 市本级, 全区本系统);
 * those words follow the reporting department's level instead (县有关部门, 县本级, 全县本系统 for a
 * county bureau), and are level-neutral (有关部门, 本级, 全辖区本系统) when its level is not recorded.
 * Second sheet "KPI": the KPI table, off-target rows red with 「未达标」, and the overall verdict
 * (达标 only with data and every target met). Quarterly periods add the sheet "逾期事项" (overdue
 * items by section, in the order given).
 *
 * `REPORT_CELLS[layout]` maps each filled field to its cell so tests and other code can check cells.
 */
import ExcelJS from 'exceljs';
import type { ReportLayout } from '../domain/profiles.js';
import { DEADLINE_LABELS } from '../domain/deadlines.js';
import type { DepartmentLevel } from '../domain/schemas.js';
import { kpiVerdict, OFF_TARGET, type KpiRow } from './kpi.js';
import { describePeriod, totalChannel, type Counts, type ReportStats } from './stats.js';

export interface ReportMeta {
  departmentName: string;
  /** The department's level: the forms' 市 / 区 wording follows it (neutral when absent). */
  level?: DepartmentLevel | undefined;
  /** 填表时间 (YYYY-MM-DD). */
  filledOn: string;
  contact?: { name?: string | undefined; phone?: string | undefined; mobile?: string | undefined } | undefined;
  kpis: readonly KpiRow[];
}

export const MAIN_SHEET = '月报表';
export const KPI_SHEET = 'KPI';
export const OVERDUE_SHEET = '逾期事项';

// ---------------------------------------------------------------- form text (verbatim)

export const QHD = {
  title: '市有关部门“双随机、一公开”监管月报表',
  subtitle: '(本年度累计数据)',
  unit: '单位名称(盖章):',
  filled: '填表时间:',
  groups: { provincial: '通过河北双随机执法监管平台开展抽查情况', other: '通过其他平台开展抽查情况' },
  provincialRows: [
    ['all', '本部门开展随机抽查次数、户数及发现问题户数(包含部门内部和部门联合)'],
    ['withinDepartment', '本部门开展部门内部随机抽查次数、户数及发现问题户数'],
    ['crossDepartment', '本部门开展部门联合随机抽查次数、户数及发现问题户数'],
    ['enterprises', '本部门涉及企业的随机抽查的次数、户数及发现问题户数(抽查对象为企业)'],
    ['creditRisk', '本部门利用企业信用风险分级分类开展随机抽查的次数、户数及发现问题户数'],
  ],
  otherRows: [
    ['all', '本部门开展抽查次数、户数及发现问题户数'],
    ['enterprises', '本部门涉及企业的随机抽查次数、户数及发现问题户数(抽查对象为企业)'],
    ['creditRisk', '本部门利用企业信用风险分级分类开展随机抽查的次数、户数及发现问题户数'],
  ],
  contact: ['联系人:', '联系电话:', '手机:'],
} as const;

export const CHANGAN = {
  title: '区有关部门“双随机、一公开”监管工作月报表',
  unit: '单位名称（盖章）：',
  filled: '填表时间：',
  section1: '一、“双随机、一公开”监管工作安排部署情况',
  section2: '二、“双随机、一公开”监管工作开展情况',
  item1: ['1', '本月召开会议部署随机抽查工作情况', '（注明召开会议的名称及时间）'],
  item2: ['2', '本月印发双随机工作文件情况', '（注明文件名称及文号）'],
  item3: ['3', '本月组织随机抽查业务培训情况', '（培训班名称、培训人员数量、及内容）'],
  item4: ['4', '本月按年度随机抽查工作计划市本级开展随机抽查情况'],
  item4rows: [
    ['本月组织随机抽查的文件', ''],
    ['本月随机抽查次数、数量', ''],
    ['发现问题的检查主体数量', ''],
    ['随机抽查的检查事项', '（多少大项、多少小项）'],
    ['随机抽查结果公示数量及网站', '（注明抽查结果公示的网站及公示数量）'],
  ],
  item5: ['5', '全区本系统开展随机抽查情况', '（开展的单位及抽查检查主体数量及抽查结果公示数量等情况）'],
  contact: ['联系人：', '联系电话：', '手机：'],
} as const;

const LEVEL_CHAR: Record<DepartmentLevel, string> = { province: '省', city: '市', district: '区', county: '县' };

/** The level words of the forms for a department: 「县」「县有关部门」「县本级」「全县本系统」. */
export function levelWords(level: DepartmentLevel | undefined): { level: string; departments: string; ownLevel: string; wholeSystem: string } {
  const c = level ? LEVEL_CHAR[level] : undefined;
  return c
    ? { level: c, departments: `${c}有关部门`, ownLevel: `${c}本级`, wholeSystem: `全${c}本系统` }
    : { level: '本级', departments: '有关部门', ownLevel: '本级', wholeSystem: '全辖区本系统' };
}

/** A form text with its issuer's level words replaced by the department's. */
function forLevel(text: string, level: DepartmentLevel | undefined): string {
  const w = levelWords(level);
  return text.replace(/^[市区]有关部门/, w.departments).replace('市本级', w.ownLevel).replace('全区本系统', w.wholeSystem);
}

// ---------------------------------------------------------------- cell map

const QHD_FIRST_ROW = 6;
const COUNT_COLS = { tasks: 'C', targets: 'D', problemTargets: 'E' } as const;

function qhdCells(): Record<string, string> {
  const m: Record<string, string> = {
    title: 'A1',
    subtitle: 'A2',
    period: 'A3',
    'meta.departmentName': 'A4',
    'meta.filledOn': 'C4',
    'meta.contact.name': 'A15',
    'meta.contact.phone': 'B15',
    'meta.contact.mobile': 'C15',
  };
  QHD.provincialRows.forEach(([k], i) => {
    for (const [f, col] of Object.entries(COUNT_COLS)) m[`yearToDate.provincial.${k}.${f}`] = `${col}${QHD_FIRST_ROW + i}`;
  });
  QHD.otherRows.forEach(([k], i) => {
    for (const [f, col] of Object.entries(COUNT_COLS)) m[`yearToDate.other.${k}.${f}`] = `${col}${QHD_FIRST_ROW + QHD.provincialRows.length + i}`;
  });
  return m;
}

/**
 * Field → cell. Keys are paths into `ReportStats` where a cell holds one stats value; the changan
 * composite answers use named keys: `current.tasksAndTargets` ("N 次，M 户"), `current.items`
 * ("N 大项，M 小项"), `current.published` ("公示 N 户；网站：…"), `current.documents` (joined by "；").
 */
export const REPORT_CELLS: Readonly<Record<ReportLayout, Readonly<Record<string, string>>>> = {
  'qinhuangdao-housing-2023': qhdCells(),
  'shijiazhuang-changan-2024': {
    title: 'A1',
    period: 'A2',
    'meta.departmentName': 'A3',
    'meta.filledOn': 'C3',
    'activities.meetings': 'D6',
    'activities.documents': 'D7',
    'activities.trainings': 'D8',
    'current.documents': 'D11',
    'current.tasksAndTargets': 'D12',
    'current.problemTargets': 'D13',
    'current.items': 'D14',
    'current.published': 'D15',
    systemWide: 'D16',
    'meta.contact.name': 'A18',
    'meta.contact.phone': 'C18',
    'meta.contact.mobile': 'D18',
  },
};

/** KPI sheet: the row of each KPI (in `meta.kpis` order) starts here; columns below. */
export const KPI_FIRST_ROW = 3;
export const KPI_COLS = { name: 'A', value: 'B', target: 'C', status: 'D', ratio: 'E', note: 'F' } as const;
/** 逾期事项 sheet: first item row; columns below. */
export const OVERDUE_FIRST_ROW = 3;
export const OVERDUE_COLS = { section: 'A', kind: 'B', targetName: 'C', uscc: 'D', taskName: 'E', dueDate: 'F', overdueWorkingDays: 'G', responsible: 'H' } as const;

// ---------------------------------------------------------------- formatting helpers

const FONT = '宋体';
const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const RED = 'FFB4232A';
const RED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDECEA' } };

/** `2024-04-10` → `2024 年 4 月 10 日` (as the forms print it). */
export function formDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[1])} 年 ${Number(m[2])} 月 ${Number(m[3])} 日` : iso;
}

const cnDate = (iso: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : iso;
};

export function periodLine(s: ReportStats, ytd: boolean): string {
  const from = ytd ? `${s.range.end.slice(0, 4)}-01-01` : s.range.start;
  return `统计期间：${describePeriod(s.period)}（${cnDate(from)}至${cnDate(s.range.end)}${ytd ? '，本年度累计' : ''}）`;
}

/** Changan composite answers, exported so the summary mail shows the same text as the sheet. */
export const changanText = {
  tasksAndTargets: (c: Counts) => `${c.tasks} 次，${c.targets} 户`,
  items: (i: { major: number; minor: number }) => `${i.major} 大项，${i.minor} 小项`,
  published: (p: { targets: number; sites: string[] }) => `公示 ${p.targets} 户${p.sites.length ? `；网站：${p.sites.join('、')}` : ''}`,
  documents: (d: string[]) => (d.length ? d.join('；') : null),
  systemWide: (w: ReportStats['systemWide']): string | null => {
    if (!w) return null;
    if (w.text) return w.text;
    const parts = [
      w.units?.length ? `开展单位：${w.units.join('、')}` : '',
      w.targets !== undefined ? `抽查检查主体 ${w.targets} 户` : '',
      w.published !== undefined ? `抽查结果公示 ${w.published} 户` : '',
    ].filter(Boolean);
    return parts.length ? parts.join('；') : null;
  },
};

function style(cell: ExcelJS.Cell, o: { bold?: boolean; size?: number; h?: 'left' | 'center' | 'right'; border?: boolean } = {}): void {
  cell.font = { name: FONT, size: o.size ?? 11, bold: o.bold ?? false };
  cell.alignment = { vertical: 'middle', horizontal: o.h ?? 'left', wrapText: true };
  if (o.border) cell.border = BORDER;
}

function boxRange(ws: ExcelJS.Worksheet, from: number, to: number, cols: string[]): void {
  for (let r = from; r <= to; r++) for (const c of cols) ws.getCell(`${c}${r}`).border = BORDER;
}

function pageSetup(ws: ExcelJS.Worksheet, landscape = false): void {
  ws.pageSetup = { paperSize: 9, orientation: landscape ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true, margins: { left: 0.6, right: 0.6, top: 0.8, bottom: 0.8, header: 0.3, footer: 0.3 } };
}

const contactText = (label: string, v: string | undefined) => `${label}${v ?? ''}`;

// ---------------------------------------------------------------- the two forms

function qinhuangdaoSheet(wb: ExcelJS.Workbook, s: ReportStats, meta: ReportMeta): void {
  const ws = wb.addWorksheet(MAIN_SHEET);
  ws.columns = [{ width: 16 }, { width: 58 }, { width: 10 }, { width: 10 }, { width: 14 }];
  const cells = REPORT_CELLS['qinhuangdao-housing-2023'];
  ws.mergeCells('A1:E1');
  ws.getCell('A1').value = forLevel(QHD.title, meta.level);
  style(ws.getCell('A1'), { bold: true, size: 16, h: 'center' });
  ws.getRow(1).height = 30;
  ws.mergeCells('A2:E2');
  ws.getCell('A2').value = QHD.subtitle;
  style(ws.getCell('A2'), { h: 'center' });
  ws.mergeCells('A3:E3');
  ws.getCell('A3').value = periodLine(s, true);
  style(ws.getCell('A3'), { size: 10, h: 'center' });
  ws.mergeCells('A4:B4');
  ws.getCell(cells['meta.departmentName']!).value = `${QHD.unit} ${meta.departmentName}`;
  ws.mergeCells('C4:E4');
  ws.getCell(cells['meta.filledOn']!).value = `${QHD.filled} ${formDate(meta.filledOn)}`;
  style(ws.getCell('A4'));
  style(ws.getCell('C4'));

  // Added header row for the three answer cells.
  ws.mergeCells('A5:B5');
  ws.getCell('A5').value = '项目';
  ws.getCell('C5').value = '次数';
  ws.getCell('D5').value = '户数';
  ws.getCell('E5').value = '发现问题户数';
  for (const c of ['A5', 'C5', 'D5', 'E5']) style(ws.getCell(c), { bold: true, h: 'center', border: true });

  const groups = [
    { title: QHD.groups.provincial, rows: QHD.provincialRows, data: s.yearToDate.provincial, key: 'provincial' },
    { title: QHD.groups.other, rows: QHD.otherRows, data: s.yearToDate.other, key: 'other' },
  ] as const;
  let r = QHD_FIRST_ROW;
  for (const g of groups) {
    const first = r;
    for (const [k, label] of g.rows) {
      ws.getCell(`B${r}`).value = label;
      style(ws.getCell(`B${r}`), { border: true });
      const c: Counts = g.data[k];
      for (const f of Object.keys(COUNT_COLS) as (keyof Counts)[]) {
        const addr = cells[`yearToDate.${g.key}.${k}.${f}`]!;
        ws.getCell(addr).value = c[f];
        style(ws.getCell(addr), { h: 'center', border: true });
      }
      ws.getRow(r).height = 32;
      r++;
    }
    ws.mergeCells(`A${first}:A${r - 1}`);
    ws.getCell(`A${first}`).value = g.title;
    style(ws.getCell(`A${first}`), { bold: true, h: 'center', border: true });
  }
  boxRange(ws, 5, r - 1, ['A', 'B', 'C', 'D', 'E']);

  const footer = r + 1; // 15
  ws.getCell(cells['meta.contact.name']!).value = contactText(QHD.contact[0], meta.contact?.name);
  ws.getCell(cells['meta.contact.phone']!).value = contactText(QHD.contact[1], meta.contact?.phone);
  ws.mergeCells(`C${footer}:E${footer}`);
  ws.getCell(cells['meta.contact.mobile']!).value = contactText(QHD.contact[2], meta.contact?.mobile);
  for (const c of ['A', 'B', 'C']) style(ws.getCell(`${c}${footer}`));
  pageSetup(ws);
}

function changanSheet(wb: ExcelJS.Workbook, s: ReportStats, meta: ReportMeta): void {
  const ws = wb.addWorksheet(MAIN_SHEET);
  ws.columns = [{ width: 7 }, { width: 40 }, { width: 34 }, { width: 50 }];
  const cells = REPORT_CELLS['shijiazhuang-changan-2024'];
  // For a quarter the "本月" rows describe the quarter.
  const q = s.period.kind === 'quarter';
  const L = (t: string) => forLevel(q ? t.replace(/本月/g, '本季度') : t, meta.level);
  ws.mergeCells('A1:D1');
  ws.getCell('A1').value = forLevel(CHANGAN.title, meta.level);
  style(ws.getCell('A1'), { bold: true, size: 16, h: 'center' });
  ws.getRow(1).height = 30;
  ws.mergeCells('A2:D2');
  ws.getCell('A2').value = periodLine(s, false);
  style(ws.getCell('A2'), { size: 10, h: 'center' });
  ws.mergeCells('A3:B3');
  ws.getCell(cells['meta.departmentName']!).value = `${CHANGAN.unit}${meta.departmentName}`;
  ws.mergeCells('C3:D3');
  ws.getCell(cells['meta.filledOn']!).value = `${CHANGAN.filled}${formDate(meta.filledOn)}`;
  style(ws.getCell('A3'));
  style(ws.getCell('C3'));

  const header = ['序号', '项目', '填报说明', '填报内容'];
  header.forEach((h, i) => {
    const c = ws.getCell(4, i + 1);
    c.value = h;
    style(c, { bold: true, h: 'center', border: true });
  });
  const sectionRow = (row: number, text: string) => {
    ws.mergeCells(`A${row}:D${row}`);
    ws.getCell(`A${row}`).value = text;
    style(ws.getCell(`A${row}`), { bold: true, border: true });
  };
  const itemRow = (row: number, no: string, label: string, hint: string, value: string | number | null | undefined) => {
    ws.getCell(`A${row}`).value = no || null;
    ws.getCell(`B${row}`).value = L(label);
    ws.getCell(`C${row}`).value = hint || null;
    ws.getCell(`D${row}`).value = value === undefined || value === '' ? null : value;
    style(ws.getCell(`A${row}`), { h: 'center', border: true });
    style(ws.getCell(`B${row}`), { border: true });
    style(ws.getCell(`C${row}`), { size: 10, border: true });
    style(ws.getCell(`D${row}`), { border: true });
    ws.getRow(row).height = 36;
  };

  const cur = totalChannel(s.current).all;
  sectionRow(5, CHANGAN.section1);
  itemRow(6, ...CHANGAN.item1, s.activities?.meetings);
  itemRow(7, ...CHANGAN.item2, s.activities?.documents);
  itemRow(8, ...CHANGAN.item3, s.activities?.trainings);
  sectionRow(9, CHANGAN.section2);
  // Item 4: number merged over its label row and five sub-rows; the label spans B:D.
  ws.mergeCells('B10:D10');
  ws.getCell('B10').value = L(CHANGAN.item4[1]);
  style(ws.getCell('B10'), { bold: true, border: true });
  const answers = [
    changanText.documents(s.current.documents),
    changanText.tasksAndTargets(cur),
    cur.problemTargets,
    changanText.items(s.current.items),
    changanText.published(s.current.published),
  ];
  CHANGAN.item4rows.forEach(([label, hint], i) => itemRow(11 + i, '', label, hint, answers[i]));
  ws.mergeCells('A10:A15');
  ws.getCell('A10').value = CHANGAN.item4[0];
  style(ws.getCell('A10'), { h: 'center', border: true });
  itemRow(16, ...CHANGAN.item5, changanText.systemWide(s.systemWide));
  boxRange(ws, 4, 16, ['A', 'B', 'C', 'D']);

  ws.mergeCells('A18:B18');
  ws.getCell(cells['meta.contact.name']!).value = contactText(CHANGAN.contact[0], meta.contact?.name);
  ws.getCell(cells['meta.contact.phone']!).value = contactText(CHANGAN.contact[1], meta.contact?.phone);
  ws.getCell(cells['meta.contact.mobile']!).value = contactText(CHANGAN.contact[2], meta.contact?.mobile);
  for (const c of ['A18', 'C18', 'D18']) style(ws.getCell(c));
  pageSetup(ws);
}

// ---------------------------------------------------------------- KPI and overdue sheets

function kpiSheet(wb: ExcelJS.Workbook, s: ReportStats, kpis: readonly KpiRow[]): void {
  const ws = wb.addWorksheet(KPI_SHEET);
  ws.columns = [{ width: 22 }, { width: 12 }, { width: 26 }, { width: 12 }, { width: 14 }, { width: 70 }];
  ws.mergeCells('A1:F1');
  ws.getCell('A1').value = `“双随机、一公开”监管考核指标（${describePeriod(s.period)}，本年度累计，截至${cnDate(s.range.end)}）`;
  style(ws.getCell('A1'), { bold: true, size: 14, h: 'center' });
  ['指标', '本年累计', '目标', '是否达标', '分子 / 分母', '计算口径'].forEach((h, i) => style(Object.assign(ws.getCell(2, i + 1), { value: h }), { bold: true, h: 'center', border: true }));
  kpis.forEach((k, i) => {
    const r = KPI_FIRST_ROW + i;
    const set = (col: string, v: ExcelJS.CellValue, h: 'left' | 'center' = 'left') => {
      const c = ws.getCell(`${col}${r}`);
      c.value = v;
      style(c, { h, border: true });
      return c;
    };
    set(KPI_COLS.name, k.name);
    const v = set(KPI_COLS.value, k.value, 'center');
    v.numFmt = '0.0%';
    set(KPI_COLS.target, k.targetText, 'center');
    set(KPI_COLS.status, k.ok === false ? OFF_TARGET : k.status, 'center');
    set(KPI_COLS.ratio, `${k.numerator} / ${k.denominator}`, 'center');
    set(KPI_COLS.note, k.note);
    if (k.ok === false) {
      for (const col of Object.values(KPI_COLS)) {
        const c = ws.getCell(`${col}${r}`);
        c.font = { name: FONT, size: 11, bold: true, color: { argb: RED } };
        c.fill = RED_FILL;
      }
    }
  });
  const verdictRow = KPI_FIRST_ROW + kpis.length;
  ws.mergeCells(`A${verdictRow}:F${verdictRow}`);
  const verdict = kpiVerdict(kpis);
  ws.getCell(`A${verdictRow}`).value = `结论：${verdict.status}。${verdict.sentence}`;
  style(ws.getCell(`A${verdictRow}`), { bold: true, border: true });
  if (verdict.status === OFF_TARGET) ws.getCell(`A${verdictRow}`).font = { name: FONT, size: 11, bold: true, color: { argb: RED } };
  const notesRow = verdictRow + 1;
  ws.mergeCells(`A${notesRow}:F${notesRow}`);
  ws.getCell(`A${notesRow}`).value = '说明：标红的指标未达到本部门实施方案规定的目标；年度抽查企业占比按已过月数折算进度目标；“无数据”表示本期尚无可计算的数据。';
  style(ws.getCell(`A${notesRow}`), { size: 10 });
  pageSetup(ws, true);
}

function overdueSheet(wb: ExcelJS.Workbook, s: ReportStats): void {
  const ws = wb.addWorksheet(OVERDUE_SHEET);
  ws.columns = [{ width: 16 }, { width: 10 }, { width: 30 }, { width: 22 }, { width: 30 }, { width: 13 }, { width: 12 }, { width: 20 }];
  ws.mergeCells('A1:H1');
  const total = s.overdue.reduce((n, sec) => n + sec.items.length, 0);
  ws.getCell('A1').value = `逾期事项（截至${cnDate(s.range.end)}，共 ${total} 项）`;
  style(ws.getCell('A1'), { bold: true, size: 14, h: 'center' });
  ['科室', '事项', '检查对象', '统一社会信用代码', '抽查任务', '截止日期', '逾期（工作日）', '责任人'].forEach((h, i) => style(Object.assign(ws.getCell(2, i + 1), { value: h }), { bold: true, h: 'center', border: true }));
  let r = OVERDUE_FIRST_ROW;
  if (total === 0) {
    ws.mergeCells(`A${r}:H${r}`);
    ws.getCell(`A${r}`).value = '无逾期事项';
    style(ws.getCell(`A${r}`), { h: 'center', border: true });
  }
  for (const sec of s.overdue) {
    if (!sec.items.length) continue;
    const first = r;
    for (const it of sec.items) {
      const vals: [keyof typeof OVERDUE_COLS, ExcelJS.CellValue][] = [
        ['kind', DEADLINE_LABELS[it.kind]],
        ['targetName', it.targetName],
        ['uscc', it.uscc],
        ['taskName', it.taskName],
        ['dueDate', it.dueDate],
        ['overdueWorkingDays', it.overdueWorkingDays],
        ['responsible', it.responsible.join('、')],
      ];
      for (const [k, v] of vals) {
        const c = ws.getCell(`${OVERDUE_COLS[k]}${r}`);
        c.value = v;
        style(c, { h: k === 'overdueWorkingDays' || k === 'dueDate' || k === 'kind' ? 'center' : 'left', border: true });
      }
      r++;
    }
    if (r - 1 > first) ws.mergeCells(`A${first}:A${r - 1}`);
    ws.getCell(`A${first}`).value = sec.section;
    style(ws.getCell(`A${first}`), { bold: true, h: 'center', border: true });
  }
  pageSetup(ws, true);
}

// ---------------------------------------------------------------- entry point

export function reportFileName(s: ReportStats, departmentName: string): string {
  const p = s.period;
  const when = p.kind === 'month' ? `月报表-${p.year}年${String(p.month).padStart(2, '0')}月` : `季度报表-${p.year}年第${p.quarter}季度`;
  return `${departmentName.replace(/[\\/:*?"<>|\s]+/g, '')}-双随机一公开监管${when}.xlsx`;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Builds the workbook: the form sheet, "KPI", and for quarters "逾期事项". */
export async function monthlyReportXlsx(layoutId: ReportLayout, stats: ReportStats, meta: ReportMeta): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Suiji';
  wb.title = `${meta.departmentName} ${describePeriod(stats.period)}“双随机、一公开”监管报表`;
  // Fixed timestamps make the bytes depend only on the inputs.
  const at = new Date(`${meta.filledOn}T00:00:00+08:00`);
  wb.created = at;
  wb.modified = at;
  if (layoutId === 'qinhuangdao-housing-2023') qinhuangdaoSheet(wb, stats, meta);
  else if (layoutId === 'shijiazhuang-changan-2024') changanSheet(wb, stats, meta);
  else throw new Error(`unknown report layout ${String(layoutId)}`);
  kpiSheet(wb, stats, meta.kpis);
  if (stats.period.kind === 'quarter') overdueSheet(wb, stats);
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
