/**
 * The daily reports job (EventBridge Scheduler, 08:30 China time). Per department, from its
 * profile (`reports.monthly`, `reports.quarterly`):
 *
 *   liaison reminder   on `monthlyReportReminderDate` (N working days before the monthly due
 *                      date: the 18th or the 20th, moved off non-working days) and on each
 *                      quarterly `reminderDate` (changan: before Apr 1, Jun 20, Oct 1, Dec 16;
 *                      qinhuangdao-housing: before the last working day of each quarter);
 *   leadership summary on the first working day after a monthly due date, and after a
 *                      quarterly due date: the report form filled from the data (year to date,
 *                      XLSX in the department's layout), the KPIs against the profile targets
 *                      with what is off target marked; quarterly adds overdue items by section.
 *
 * Which period a report covers (documented choice): the monthly report due in month M covers
 * month M−1 (the last complete month; January's covers December of the year before); a quarterly
 * summary covers the quarter the profile names for that date, counted up to the day before the
 * summary is sent when the quarter is not over (changan's Jun 20 and Dec 16).
 *
 * Idempotency keys per department, period and recipient (`report-reminder#…`, `summary#…`), so a
 * second run the same day sends nothing. Dates come from the calendar; a year it does not cover
 * sends the department's coordinators one alert per day (shared with the deadline job).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { addDays, CalendarYearNotCovered, chinaToday, defaultCalendar, isoDate, type Calendar } from '../domain/calendar.js';
import type { PolicyProfile } from '../domain/profiles.js';
import { monthlyReportDueDate, monthlyReportReminderDate, quarterlySummaryDueDates } from '../domain/report-dates.js';
import { overdueDate, workingDaysLeft } from '../domain/deadlines.js';
import type { Department, DepartmentLevel } from '../domain/schemas.js';
import { levelWords, type ReportMeta } from '../reports/monthly-xlsx.js';
import { now } from '../clock.js';
import { renderReportReminder } from '../mail/render.js';
import { deliver } from '../mail/events.js';
import type { SendOutcome } from '../mail/send.js';
import { buildLeadershipSummary } from '../reports/summary.js';
import { pendingLeaderDecisions } from '../lifecycle/decisions.js';
import { checkReportStats, type ReportPeriod, type ReportStats } from '../reports/stats.js';
import { CalendarGaps, Directory, reportUndeliverable, sendCalendarAlerts, undeliverable } from './deadlines.js';
import { computeReportStats, periodKey, snapshotEnterpriseBase } from './report-stats.js';

const logger = new Logger({ serviceName: 'suiji-jobs' });

/** A report due date of a department, with the period it covers. */
export interface ReportDue {
  kind: 'monthly' | 'quarterly';
  period: ReportPeriod;
  /** As the plan writes it (e.g. 2026-10-01 for “10月1日前”). */
  nominal: string;
  dueDate: string;
  /** When the liaison is reminded; null = in a year the calendar lacks, before `today`'s year. */
  reminderDate: string | null;
  /** First working day after the due date (leadership summary); null = in a year the calendar lacks, after `today`'s year. */
  summaryDate: string | null;
}

/**
 * A date computed by walking the calendar away from `today`'s year. A walk only loads the year
 * it enters, so when it fails on a year after (forward) or before (backward) today's year, the
 * date lies in that year and is certainly not today: null, no alert. Any other gap is rethrown.
 */
function awayFromToday(todayYear: number, direction: 'forward' | 'backward', fn: () => string): string | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CalendarYearNotCovered && (direction === 'forward' ? e.year > todayYear : e.year < todayYear)) return null;
    throw e;
  }
}

/**
 * Report due dates whose monthly due date or quarterly date lies in `year` (pure). Each month and
 * the quarterly block are computed separately; a CalendarYearNotCovered that matters for `today`
 * is passed to `onGap` and that entry is left out.
 */
export function reportDueDates(profile: PolicyProfile, year: number, today: string, cal: Calendar = defaultCalendar, onGap: (e: CalendarYearNotCovered) => void = (e) => { throw e; }): ReportDue[] {
  const todayYear = Number(today.slice(0, 4));
  const out: ReportDue[] = [];
  const tryAdd = (fn: () => ReportDue[]) => {
    try {
      out.push(...fn());
    } catch (e) {
      if (!(e instanceof CalendarYearNotCovered)) throw e;
      onGap(e);
    }
  };
  const m = profile.reports.monthly;
  for (let month = 1; month <= 12; month++) {
    tryAdd(() => {
      const dueDate = monthlyReportDueDate(profile, year, month, cal);
      const period: ReportPeriod = month === 1 ? { kind: 'month', year: year - 1, month: 12 } : { kind: 'month', year, month: month - 1 };
      return [{
        kind: 'monthly',
        period,
        nominal: isoDate(year, month, m.dueDay),
        dueDate,
        reminderDate: awayFromToday(todayYear, 'backward', () => monthlyReportReminderDate(profile, year, month, cal)),
        summaryDate: awayFromToday(todayYear, 'forward', () => overdueDate(dueDate, 1, cal)),
      }];
    });
  }
  tryAdd(() =>
    quarterlySummaryDueDates(profile, year, cal).map((q) => ({
      kind: 'quarterly' as const,
      period: { kind: 'quarter' as const, year, quarter: q.quarter },
      nominal: q.nominal,
      dueDate: q.dueDate,
      reminderDate: q.reminderDate,
      summaryDate: awayFromToday(todayYear, 'forward', () => overdueDate(q.dueDate, 1, cal)),
    })),
  );
  return out;
}

/**
 * Where the liaison hands the report in, as the seeds say (the leading group's office at the
 * department's own level: 县 for a county bureau on the changan preset); a neutral wording otherwise.
 */
export function submitTo(profile: PolicyProfile, level?: DepartmentLevel): string {
  const id = profile.basedOn ?? profile.id;
  if (id === 'qinhuangdao-housing-2023') return '局人事法规科';
  if (id === 'shijiazhuang-changan-2024') return `${levelWords(level).level}“双随机、一公开”领导小组办公室`;
  return '本级“双随机、一公开”工作牵头机构';
}

/** 联系人 / 联系电话 / 手机 of the report forms: the liaison, with the department's line as fallback. */
export function reportContact(dept: Department): NonNullable<ReportMeta['contact']> {
  const l = dept.liaison;
  const phone = l.phone ?? dept.phone;
  return { name: l.name, ...(phone ? { phone } : {}), ...(l.mobile ? { mobile: l.mobile } : {}) };
}

export interface ReportsJobOptions {
  calendar?: Calendar;
}

export interface ReportsJobSummary {
  today: string;
  /** Liaison reminders sent now. */
  reminders: { department: string; kind: 'monthly' | 'quarterly'; period: string; dueDate: string }[];
  /** Leadership summaries sent now (one entry per department and period). */
  summaries: { department: string; kind: 'monthly' | 'quarterly'; period: string; recipients: number; offTarget: number }[];
  mails: number;
  /** Mails not sent: already sent (duplicate run) or undeliverable address. */
  skipped: number;
  /** Reports whose statistics failed the consistency check (not mailed). */
  inconsistent: { department: string; period: string; problems: string[] }[];
  calendarGaps: { year: number; departments: string[] }[];
}

/** `<dept>#<year>` whose enterprise base is recorded (it never changes once taken): not read again every day. */
const basesTaken = new Set<string>();

export async function runReportsJob(today: string = chinaToday(now()), opts: ReportsJobOptions = {}): Promise<ReportsJobSummary> {
  const cal = opts.calendar ?? defaultCalendar;
  const summary: ReportsJobSummary = { today, reminders: [], summaries: [], mails: 0, skipped: 0, inconsistent: [], calendarGaps: [] };
  const dir = await Directory.load();
  const gaps = new CalendarGaps();
  const year = Number(today.slice(0, 4));

  for (const dept of dir.departments) {
    const profile = dir.profile(dept.id);
    if (!profile) continue; // logged by Directory.load
    // 上年底企业数 (coverage KPI base): taken at the first run of a year if nobody recorded it.
    if (profile.coverage.base === 'enterprises-end-of-previous-year' && !basesTaken.has(`${dept.id}#${year - 1}`)) {
      await snapshotEnterpriseBase(dept.id, year - 1, today);
      basesTaken.add(`${dept.id}#${year - 1}`);
    }
    const dues: ReportDue[] = [];
    // Summaries of last year's reports can fall in January (e.g. after a Dec 31 due date);
    // reminders of next year's can fall in December when the lead reaches past New Year.
    const onGap = (e: CalendarYearNotCovered) => gaps.note(e, [dept.id]);
    for (const y of [year - 1, year]) dues.push(...reportDueDates(profile, y, today, cal, onGap));
    const lead = Math.max(profile.reports.monthly.reminderLeadWorkingDays, profile.reports.quarterly.reminderLeadWorkingDays);
    const reachesNextYear = gaps.guard([dept.id], () => cal.addWorkingDays(today, lead + 1) > `${year}-12-31`);
    if (reachesNextYear) dues.push(...reportDueDates(profile, year + 1, today, cal, onGap));

    for (const due of dues.filter((d) => d.reminderDate === today)) await remindLiaison(dept, profile, due, today, cal, dir, gaps, summary);
    const summaries = dues.filter((d) => d.summaryDate === today);
    for (const due of summaries) await summarize(dept, profile, due, today, cal, dir, gaps, summary);
  }
  if (!gaps.empty) {
    summary.calendarGaps = gaps.list();
    summary.mails += await sendCalendarAlerts(today, gaps, dir, '月报表、季度总结的报送提醒和领导汇总', cal);
  }
  return summary;
}

async function send(key: string, to: { name: string; email: string }, build: () => Parameters<typeof deliver>[0]['mail'], kind: 'report-reminder' | 'leadership-summary', dir: Directory, summary: ReportsJobSummary): Promise<SendOutcome | 'undeliverable'> {
  if (await undeliverable(to.email)) {
    summary.skipped++;
    summary.mails += await reportUndeliverable(to.email, dir, kind === 'report-reminder' ? '报表报送提醒' : '领导汇总');
    return 'undeliverable';
  }
  // checked just above: the send does not read the suppression list again
  const r = await deliver({ key, kind, to: [to], mail: build(), mimeKind: kind }, { suppressionChecked: true });
  if (r === 'sent') summary.mails++;
  else summary.skipped++;
  return r;
}

async function remindLiaison(dept: Department, profile: PolicyProfile, due: ReportDue, today: string, cal: Calendar, dir: Directory, gaps: CalendarGaps, summary: ReportsJobSummary): Promise<void> {
  const left = gaps.guard([dept.id], () => workingDaysLeft(today, due.dueDate, cal)) ?? 0;
  const l = dept.liaison;
  const r = await send(
    `report-reminder#${dept.id}#${periodKey(due.period)}#${l.email.toLowerCase()}`,
    l,
    () =>
      renderReportReminder({
        recipient: { name: l.name, email: l.email },
        departmentName: dept.name,
        period: due.period,
        dueDate: due.dueDate,
        nominalDate: due.nominal,
        workingDaysLeft: left,
        submitTo: submitTo(profile, dept.level),
      }),
    'report-reminder',
    dir,
    summary,
  );
  if (r === 'sent') summary.reminders.push({ department: dept.id, kind: due.kind, period: periodKey(due.period), dueDate: due.dueDate });
}

async function summarize(dept: Department, profile: PolicyProfile, due: ReportDue, today: string, cal: Calendar, dir: Directory, gaps: CalendarGaps, summary: ReportsJobSummary): Promise<void> {
  const key = periodKey(due.period);
  const stats = await gaps.guardAsync([dept.id], () => computeReportStats(dept.id, due.period, { asOf: addDays(today, -1), calendar: cal }));
  if (!stats) return;
  const problems = checkReportStats(stats);
  if (problems.length) {
    logger.error('inconsistent report statistics, not mailed', { department: dept.id, period: key, problems });
    summary.inconsistent.push({ department: dept.id, period: key, problems });
    return;
  }
  let recipients = 0;
  let offTarget = 0;
  // requests filed by the coordinators that wait for a leader (late launches, resumes, …) are named in the summary
  const pendingDecisions = await pendingLeaderDecisions(dept.id);
  for (const leader of dept.leaders) {
    // The recipient only changes the greeting; the workbook is the same for every leader.
    const built = await buildLeadershipSummary({
      profile,
      stats,
      meta: { departmentName: dept.name, level: dept.level, filledOn: today, contact: reportContact(dept) },
      recipient: { name: leader.name, email: leader.email, ...(leader.title ? { title: leader.title } : {}) },
      pendingDecisions,
    });
    offTarget = built.kpis.filter((k) => k.ok === false).length;
    const r = await send(`summary#${dept.id}#${key}#${leader.email.toLowerCase()}`, leader, () => built.mail, 'leadership-summary', dir, summary);
    if (r === 'sent') recipients++;
  }
  if (recipients) summary.summaries.push({ department: dept.id, kind: due.kind, period: key, recipients, offTarget });
}
