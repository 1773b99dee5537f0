/**
 * The reports job over every day of 2026 with the injected clock, against DynamoDB Local and the
 * SES emulator, for a changan-preset and a qinhuangdao-housing-preset department with the same
 * hand-made inspection data:
 *
 *   task t1 (one section, credit-risk based)      task t2 (internal joint 甲科+乙科, not credit-risk based)
 *   U0 checked 03-10, entered 03-12 (due 03-17), published 03-20 (due 04-07), no problem
 *   U1 checked 03-11, entered 03-18 (due 03-16: late), problem A, published 04-02 (due 04-08), follow-up open
 *   U4 checked 03-20, never entered (due 03-27: overdue)
 *   U2 (t2) checked 04-08, entered 04-20 (due 04-15: late), not published
 *   U3 (t2) checked 05-06, entered 05-08 (due 05-13)
 *
 * The dates the mails go out are asserted against dates worked out from the 2026 calendar by
 * hand (holidays: Spring Festival 02-15…02-23 with 02-14 and 02-28 worked, Dragon Boat 06-19,
 * National Day 10-01…10-07 with 09-20 and 10-10 worked), and the leadership summaries' XLSX is
 * opened with exceljs and checked cell by cell against the data above.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { TestStack } from '../helpers/local-aws.js';
import { putDepartment } from '../../shared/store/registry.js';
import { assign, createDepartment, inbox, startMailStack, textOf, to, type DeptFixture, type Inbox, type MailStack } from './fixtures.js';
import { runReportsJob, type ReportsJobSummary } from '../../shared/jobs/reports.js';
import { ManualClock } from '../../shared/clock.js';
import { addDays } from '../../shared/domain/calendar.js';
import { transition, type ProgressRecord } from '../../shared/store/tasks.js';
import type { DeadlineKind } from '../../shared/domain/deadlines.js';
import { KPI_COLS, KPI_FIRST_ROW, KPI_SHEET, MAIN_SHEET, OVERDUE_COLS, OVERDUE_FIRST_ROW, OVERDUE_SHEET, REPORT_CELLS } from '../../shared/reports/monthly-xlsx.js';
import type { EmulatorEmail, LocalSes } from '../../shared/dev/local/ses.js';
import type { Target } from '../../shared/domain/schemas.js';

let stack: TestStack;
let ses: LocalSes;
let mail: MailStack;
let box: Inbox;
let CA: DeptFixture;
let QH: DeptFixture;
const clock = new ManualClock('2026-01-01T00:00:00Z');
/** day → mails sent by that day's run */
const sent = new Map<string, EmulatorEmail[]>();
const summaries = new Map<string, ReportsJobSummary>();

const at = (day: string) => clock.set(`${day}T02:00:00Z`); // 10:00 China time
const ALL: ProgressRecord['status'][] = ['assigned', 'notified', 'checked', 'result_entered', 'reviewed', 'published', 'followup_open', 'closed'];
async function step(taskId: string, t: Target, day: string, to: ProgressRecord['status'], o: { set?: Record<string, unknown>; open?: { kind: DeadlineKind; due: string }; close?: DeadlineKind; reached?: Record<string, number>; team?: string[] } = {}) {
  at(day);
  await transition({
    taskId,
    uscc: t.uscc,
    from: ALL,
    to,
    actor: { by: 'test' },
    ...(o.set ? { set: o.set } : {}),
    ...(o.reached ? { reached: o.reached } : {}),
    ...(o.open ? { openDeadlines: [{ kind: o.open.kind, ref: t.uscc, due: { date: o.open.due }, people: o.team ?? [] }] } : {}),
    ...(o.close ? { closeDeadlines: [{ kind: o.close, ref: t.uscc }] } : {}),
    auditWhat: `test.${to}`,
  });
}

/** The hand-made inspection data of the header comment. */
async function inspections(f: DeptFixture): Promise<void> {
  const [i1, i2, i3, i4] = f.inspectors as [typeof f.inspectors[0], typeof f.inspectors[0], typeof f.inspectors[0], typeof f.inspectors[0]];
  const [t1, t2] = f.taskIds as [string, string];
  const U = f.targets;
  at('2026-01-05');
  await assign(t1, [
    { target: U[0]!, team: [i1, i2], dueEntry: '2026-03-17' },
    { target: U[1]!, team: [i1, i2], dueEntry: '2026-03-16' },
    { target: U[4]!, team: [i1, i3], dueEntry: '2026-03-27' },
    { target: U[5]!, team: [i3, i4] },
  ]);
  await assign(t2, [
    { target: U[2]!, team: [i2, i4], dueEntry: '2026-04-15' },
    { target: U[3]!, team: [i3, i4], dueEntry: '2026-05-13' },
  ]);
  const entered = (problem: boolean) => ({ set: { hasProblem: problem, needsFollowUp: problem, resultVersion: 1 }, reached: { resultEntered: 1 }, close: 'entry' as const });
  await step(t1, U[0]!, '2026-03-10', 'checked', { set: { checkDate: '2026-03-10' } });
  await step(t1, U[0]!, '2026-03-12', 'result_entered', { ...entered(false), open: { kind: 'publish', due: '2026-04-07' } });
  await step(t1, U[0]!, '2026-03-20', 'published', { set: { publishedAt: '2026-03-20T02:00:00.000Z' }, close: 'publish', reached: { published: 1 } });
  await step(t1, U[0]!, '2026-03-20', 'closed', { reached: { closed: 1 } });
  await step(t1, U[1]!, '2026-03-11', 'checked', { set: { checkDate: '2026-03-11' } });
  await step(t1, U[1]!, '2026-03-18', 'result_entered', { ...entered(true), open: { kind: 'publish', due: '2026-04-08' } });
  await step(t1, U[1]!, '2026-04-02', 'published', { set: { publishedAt: '2026-04-02T02:00:00.000Z' }, close: 'publish', reached: { published: 1 } });
  await step(t1, U[1]!, '2026-04-02', 'followup_open', { open: { kind: 'followup', due: '2026-04-30' }, reached: { followupOpened: 1 } });
  await step(t1, U[4]!, '2026-03-20', 'checked', { set: { checkDate: '2026-03-20' } });
  await step(t2, U[2]!, '2026-04-08', 'checked', { set: { checkDate: '2026-04-08' } });
  await step(t2, U[2]!, '2026-04-20', 'result_entered', { ...entered(false), open: { kind: 'publish', due: '2026-05-06' } });
  await step(t2, U[3]!, '2026-05-06', 'checked', { set: { checkDate: '2026-05-06' } });
  await step(t2, U[3]!, '2026-05-08', 'result_entered', { ...entered(false), open: { kind: 'publish', due: '2026-06-03' } });
}

beforeAll(async () => {
  mail = await startMailStack(clock);
  ({ stack, ses } = mail);
  at('2026-01-02');
  CA = await createDepartment('rep-ca', 'shijiazhuang-changan-2024', { inspectors: 4, targets: 6, tasks: 2, seed: 2000 });
  QH = await createDepartment('rep-qh', 'qinhuangdao-housing-2023', { inspectors: 4, targets: 6, tasks: 2, seed: 3000 });
  // a district bureau; a county bureau whose liaison has a line and a mobile (the forms' footer)
  CA.dept = { ...CA.dept, level: 'district' };
  QH.dept = { ...QH.dept, level: 'county', liaison: { ...QH.dept.liaison, phone: '0312-0600002', mobile: '10000000002' } };
  for (const d of [CA.dept, QH.dept]) await putDepartment(d);
  await inspections(CA);
  await inspections(QH);
  box = inbox(ses);
  // Every day of 2026, the job as the scheduler runs it (08:30 China time), "now" from the clock.
  const t0 = Date.now();
  let quiet = 0;
  let quietMs = 0;
  for (let day = '2026-01-01'; day <= '2026-12-31'; day = addDays(day, 1)) {
    clock.set(`${day}T00:30:00Z`);
    const t = Date.now();
    summaries.set(day, await runReportsJob());
    sent.set(day, box.take());
    if (!sent.get(day)!.length) {
      quiet++;
      quietMs += Date.now() - t;
    }
  }
  console.log(`year run ${Date.now() - t0} ms; ${quiet} quiet days ${quietMs} ms`);
}, 240_000);

afterAll(() => mail?.stop());

/** Days on which `who` received a mail whose subject contains `subject`. */
function daysOf(who: string, subject: string): string[] {
  return [...sent].filter(([, ms]) => ms.some((m) => to(m).includes(who) && m.subject.includes(subject))).map(([d]) => d);
}
function mailOn(day: string, who: string, subject: string): EmulatorEmail {
  const ms = (sent.get(day) ?? []).filter((m) => to(m).includes(who) && m.subject.includes(subject));
  expect(ms, `${day} ${who} ${subject}`).toHaveLength(1);
  return ms[0]!;
}
async function workbook(m: EmulatorEmail): Promise<ExcelJS.Workbook> {
  expect(m.attachments).toHaveLength(1);
  expect(m.attachments[0]!.filename).toMatch(/\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(m.attachments[0]!.content, 'base64') as unknown as ExcelJS.Buffer);
  return wb;
}
const cell = (wb: ExcelJS.Workbook, sheet: string, addr: string) => wb.getWorksheet(sheet)!.getCell(addr).value;

describe('reports job over 2026', () => {
  it('reminds the changan liaison before Apr 1, Jun 20, Oct 1, Dec 16 and monthly before the 20th', () => {
    const liaison = CA.dept.liaison.email;
    const quarterly = daysOf(liaison, '季度总结报送提醒');
    // 5 working days before: 04-01 (Wed); 06-20 is a Saturday and 06-19 Dragon Boat → 06-18;
    // 10-01 National Day → 09-30; 12-16 (Wed).
    expect(quarterly).toEqual(['2026-03-25', '2026-06-11', '2026-09-22', '2026-12-09']);
    const nominal = ['2026-04-01', '2026-06-20', '2026-10-01', '2026-12-16'];
    quarterly.forEach((d, i) => expect(d < nominal[i]!).toBe(true));
    expect(textOf(mailOn('2026-06-11', liaison, '季度总结'))).toContain('2026年6月18日');
    expect(textOf(mailOn('2026-06-11', liaison, '季度总结'))).toContain('区“双随机、一公开”领导小组办公室');
    const monthly = daysOf(liaison, '月报表报送提醒');
    // 3 working days before the 20th (moved: 02-20 is in the Spring Festival → 02-14, a worked
    // Saturday; 06-20 → 06-18; 09-20 is a worked Sunday; 12-20 Sunday → 12-18).
    expect(monthly).toEqual(['2026-01-15', '2026-02-11', '2026-03-17', '2026-04-15', '2026-05-15', '2026-06-15', '2026-07-15', '2026-08-17', '2026-09-16', '2026-10-15', '2026-11-17', '2026-12-15']);
    monthly.forEach((d) => expect(Number(d.slice(8))).toBeLessThan(20));
    // The report due in April covers March.
    expect(mailOn('2026-04-15', liaison, '月报表').subject).toContain('2026年3月');
  });

  it('reminds the qinhuangdao-housing liaison before the 18th and before the last working day of each quarter', () => {
    const liaison = QH.dept.liaison.email;
    expect(daysOf(liaison, '月报表报送提醒')).toEqual(['2026-01-13', '2026-02-11', '2026-03-13', '2026-04-14', '2026-05-13', '2026-06-15', '2026-07-14', '2026-08-13', '2026-09-15', '2026-10-13', '2026-11-13', '2026-12-15']);
    // Last working days: 03-31, 06-30, 09-30, 12-31; five working days before each.
    expect(daysOf(liaison, '季度总结报送提醒')).toEqual(['2026-03-24', '2026-06-23', '2026-09-22', '2026-12-24']);
    expect(textOf(mailOn('2026-03-24', liaison, '季度总结'))).toContain('局人事法规科');
  });

  it('sends leadership a summary on the first working day after each due date, once', () => {
    const ca = CA.dept.leaders[0]!.email;
    const qh = QH.dept.leaders[0]!.email;
    expect(daysOf(ca, '月度汇总')).toEqual(['2026-01-21', '2026-02-24', '2026-03-23', '2026-04-21', '2026-05-21', '2026-06-22', '2026-07-21', '2026-08-21', '2026-09-21', '2026-10-21', '2026-11-23', '2026-12-21']);
    expect(daysOf(ca, '季度汇总')).toEqual(['2026-04-02', '2026-06-22', '2026-10-08', '2026-12-17']);
    expect(daysOf(qh, '月度汇总')).toEqual(['2026-01-19', '2026-02-24', '2026-03-19', '2026-04-20', '2026-05-19', '2026-06-22', '2026-07-20', '2026-08-19', '2026-09-20', '2026-10-19', '2026-11-19', '2026-12-21']);
    // 2026's Q4 due date is 12-31; its summary goes out in 2027 (not computable yet, and not in 2026).
    // 2025's Q4 summary (due 2025-12-31) goes out on 2026-01-04, a worked Sunday after New Year.
    expect(daysOf(qh, '季度汇总')).toEqual(['2026-01-04', '2026-04-01', '2026-07-01', '2026-10-08']);
    expect(mailOn('2026-01-04', qh, '季度汇总').subject).toContain('2025年第4季度');
    // Each leader mail exactly once (idempotency key per department, period and recipient).
    const all = [...sent.values()].flat().filter((m) => m.subject.includes('汇总'));
    expect(all).toHaveLength(12 + 4 + 12 + 4);
    // Nothing else reached anyone but liaisons, leaders and (calendar) coordinators.
    const allowed = new Set([CA.dept.liaison.email, QH.dept.liaison.email, ca, qh, CA.dept.coordinators[0]!.email, QH.dept.coordinators[0]!.email]);
    for (const m of [...sent.values()].flat()) for (const r of to(m)) expect(allowed.has(r), r).toBe(true);
  });

  it('flags the missing 2027 calendar to each department\'s coordinator once, at the end of December, and nothing earlier', () => {
    const alerts = [...sent].filter(([, ms]) => ms.some((m) => m.subject.includes('工作日历缺少'))).map(([d]) => d);
    // From 12-24 "5 working days ahead" (+1) reaches into 2027, whose reminders cannot be ruled
    // out; the gap stays in every later run's summary, but the coordinators are told once.
    expect(alerts).toEqual(['2026-12-24']);
    const ms = sent.get('2026-12-24')!.filter((m) => m.subject.includes('工作日历缺少'));
    expect(ms.map((m) => to(m)[0]).sort()).toEqual([CA.dept.coordinators[0]!.email, QH.dept.coordinators[0]!.email].sort());
    expect(ms[0]!.subject).toContain('2027');
    expect(summaries.get('2026-12-28')!.calendarGaps).toEqual([{ year: 2027, departments: ['rep-ca', 'rep-qh'] }]);
  });

  it('attaches the qinhuangdao monthly report (April, year to date) filled from the data, with the KPIs, off target marked', async () => {
    const m = mailOn('2026-05-19', QH.dept.leaders[0]!.email, '月度汇总');
    expect(m.subject).toContain('2026年4月');
    const wb = await workbook(m);
    const c = REPORT_CELLS['qinhuangdao-housing-2023'];
    const v = (k: string) => cell(wb, MAIN_SHEET, c[k]!);
    // Year to date (01-01…04-30): t1 (U0, U1, U4) and t2 (U2) checked; U1 has a problem. Every
    // Suiji task counts as "other platform"; t1 is credit-risk based.
    const expected: Record<string, number> = {
      'yearToDate.other.all.tasks': 2,
      'yearToDate.other.all.targets': 4,
      'yearToDate.other.all.problemTargets': 1,
      'yearToDate.other.enterprises.tasks': 2,
      'yearToDate.other.enterprises.targets': 4,
      'yearToDate.other.enterprises.problemTargets': 1,
      'yearToDate.other.creditRisk.tasks': 1,
      'yearToDate.other.creditRisk.targets': 3,
      'yearToDate.other.creditRisk.problemTargets': 1,
    };
    for (const k of Object.keys(c).filter((k) => k.startsWith('yearToDate.'))) expect(v(k), k).toBe(expected[k] ?? 0);
    expect(String(v('meta.departmentName'))).toContain(QH.dept.name);
    expect(String(v('meta.filledOn'))).toContain('2026 年 5 月 19 日');
    expect(String(v('period'))).toContain('2026年4月');
    expect(String(v('meta.contact.name'))).toContain(QH.dept.liaison.name);
    expect(String(v('meta.contact.phone'))).toBe('联系电话:0312-0600002');
    expect(String(v('meta.contact.mobile'))).toBe('手机:10000000002');
    expect(String(v('title'))).toBe('县有关部门“双随机、一公开”监管月报表');

    // KPI sheet, in computeKpis order; targets of qinhuangdao-housing: joint 25 % / 15 %, credit risk 80 %, 100 % otherwise.
    const kpis: [string, string, string][] = [
      ['抽查企业占比', '4 / 6', '达标'], // base: the 6 active enterprises snapshotted as 2025's year-end count
      ['联合抽查次数占比', '1 / 2', '达标'], // t2 is an internal joint task
      ['联合抽查户数占比', '1 / 4', '达标'],
      ['信用风险分类抽查占比', '1 / 2', '未达标'],
      ['抽查结果公示率', '2 / 3', '未达标'], // U0, U1 published of U0, U1, U2 entered
      ['结果按时录入率', '1 / 4', '未达标'], // due by 04-30: U0 (on time), U1, U4, U2 (late or missing)
      ['结果按时公示率', '2 / 2', '达标'],
      ['后续处置完结率', '0 / 1', '未达标'],
    ];
    kpis.forEach(([name, ratio, status], i) => {
      const r = KPI_FIRST_ROW + i;
      expect(cell(wb, KPI_SHEET, `${KPI_COLS.name}${r}`)).toBe(name);
      expect(cell(wb, KPI_SHEET, `${KPI_COLS.ratio}${r}`), name).toBe(ratio);
      expect(cell(wb, KPI_SHEET, `${KPI_COLS.status}${r}`), name).toBe(status);
    });
    expect(m.subject).toContain('4 项指标未达标');
    expect(textOf(m)).toContain('【未达标】');
    expect(wb.getWorksheet(OVERDUE_SHEET)).toBeUndefined(); // monthly: no overdue sheet
  });

  it('attaches the changan monthly report (April: the month itself) in its layout', async () => {
    const m = mailOn('2026-05-21', CA.dept.leaders[0]!.email, '月度汇总');
    const wb = await workbook(m);
    const c = REPORT_CELLS['shijiazhuang-changan-2024'];
    const v = (k: string) => cell(wb, MAIN_SHEET, c[k]!);
    expect(v('current.tasksAndTargets')).toBe('1 次，1 户'); // April: t2 / U2
    expect(v('current.problemTargets')).toBe(0);
    expect(v('current.items')).toBe('2 大项，2 小项'); // t2's two items, two categories
    expect(String(v('current.published'))).toMatch(/^公示 1 户；网站：/); // U1 published 04-02
    expect(v('current.documents')).toBeNull(); // no task launched in April
    expect(String(v('meta.filledOn'))).toContain('2026 年 5 月 21 日');
    // changan targets joint 100 % / 100 %, credit risk 100 %.
    const status = (i: number) => cell(wb, KPI_SHEET, `${KPI_COLS.status}${KPI_FIRST_ROW + i}`);
    expect([1, 2, 3].map(status)).toEqual(['未达标', '未达标', '未达标']);
    expect(cell(wb, KPI_SHEET, `${KPI_COLS.ratio}${KPI_FIRST_ROW + 2}`)).toBe('1 / 4');
  });

  it('the quarterly summary adds overdue items by section (Q1, as of 03-31)', async () => {
    const m = mailOn('2026-04-02', CA.dept.leaders[0]!.email, '季度汇总');
    expect(m.subject).toContain('2026年第1季度');
    const wb = await workbook(m);
    const r = OVERDUE_FIRST_ROW;
    const o = (k: keyof typeof OVERDUE_COLS) => cell(wb, OVERDUE_SHEET, `${OVERDUE_COLS[k]}${r}`);
    const [i1, , i3] = CA.inspectors;
    // U4: entry due 03-27 (Fri), still missing at 03-31 → 2 working days (03-30, 03-31); its lead
    // inspector i1 is in 甲科. U1's late entry (met 03-18) is not overdue any more.
    expect(o('section')).toBe('甲科');
    expect(o('kind')).toBe('结果录入');
    expect(o('uscc')).toBe(CA.targets[4]!.uscc);
    expect(o('dueDate')).toBe('2026-03-27');
    expect(o('overdueWorkingDays')).toBe(2);
    expect(o('responsible')).toBe(`${i1!.name}、${i3!.name}`);
    expect(cell(wb, OVERDUE_SHEET, `${OVERDUE_COLS.uscc}${r + 1}`)).toBeNull();
    expect(textOf(m)).toContain('逾期事项（按科室，1 项）');
    expect(cell(wb, MAIN_SHEET, REPORT_CELLS['shijiazhuang-changan-2024']['current.tasksAndTargets']!)).toBe('1 次，3 户');
  });
});
