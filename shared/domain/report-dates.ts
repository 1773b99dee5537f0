/**
 * Report and plan dates of a profile — calendar dates ("每月20日前", "4月1日、6月20日…前", "2 月底前"):
 * "before day X" (X日前) is read as "by X, inclusive"; when X is not a working day the due date
 * moves per `deadlines.calendarDateOnNonWorkingDay` (default: to the last working day before X,
 * since nothing can be handed in on a holiday). The liaison is reminded `reminderLeadWorkingDays`
 * working days before the due date, and leadership gets the summary on the first working day
 * after it — the same rules as every deadline (`./deadlines.ts`: `reminderDate`, `overdueDate`).
 */
import { defaultCalendar, isoDate, daysInMonth, type Calendar, type IsoDate } from './calendar.js';
import type { PolicyProfile } from './profile/schema.js';
import { reminderDate } from './deadlines.js';

/** How a calendar-date deadline moves when it falls on a non-working day. */
function adjustCalendarDate(profile: PolicyProfile, d: IsoDate, calendar: Calendar): IsoDate {
  switch (profile.deadlines.calendarDateOnNonWorkingDay) {
    case 'previous-working-day':
      return calendar.previousWorkingDayOnOrBefore(d);
    case 'next-working-day':
      return calendar.nextWorkingDayOnOrAfter(d);
    case 'as-is':
      return d;
  }
}

/** Due date of the monthly report for (year, month): day `dueDay` of that month, adjusted. */
export function monthlyReportDueDate(profile: PolicyProfile, year: number, month: number, calendar: Calendar = defaultCalendar): IsoDate {
  return adjustCalendarDate(profile, isoDate(year, month, profile.reports.monthly.dueDay), calendar);
}

/** When the liaison is reminded of the monthly report for (year, month). */
export function monthlyReportReminderDate(profile: PolicyProfile, year: number, month: number, calendar: Calendar = defaultCalendar): IsoDate {
  return reminderDate(monthlyReportDueDate(profile, year, month, calendar), profile.reports.monthly.reminderLeadWorkingDays, calendar);
}

export interface QuarterlyDue {
  /** The quarter the summary covers. */
  quarter: number;
  /** The date as written in the plan (e.g. 2026-10-01 for "10月1日前"). */
  nominal: IsoDate;
  dueDate: IsoDate;
  reminderDate: IsoDate;
}

/**
 * Quarterly summary due dates of a year. For `lastWorkingDayOfQuarter` the due date is that day;
 * for fixed dates ("4月1日、6月20日、10月1日、12月16日前") it is the date read inclusively and moved
 * per `calendarDateOnNonWorkingDay` (10-01 is always a holiday → the last working day of September).
 * The reminder goes `reminderLeadWorkingDays` working days before the due date.
 */
export function quarterlySummaryDueDates(profile: PolicyProfile, year: number, calendar: Calendar = defaultCalendar): QuarterlyDue[] {
  const q = profile.reports.quarterly;
  const rows =
    q.rule.kind === 'lastWorkingDayOfQuarter'
      ? [1, 2, 3, 4].map((quarter) => {
          const nominal = calendar.lastWorkingDayOfQuarter(year, quarter);
          return { quarter, nominal, dueDate: nominal };
        })
      : q.rule.dates.map(({ quarter, monthDay }) => {
          const nominal = `${year}-${monthDay}`;
          return { quarter, nominal, dueDate: adjustCalendarDate(profile, nominal, calendar) };
        });
  return rows
    .map((r) => ({ ...r, reminderDate: reminderDate(r.dueDate, q.reminderLeadWorkingDays, calendar) }))
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1));
}

/** Deadline for publishing the annual plan of `planYear` (calendar date, adjusted like other dates). */
export function annualPlanDueDate(profile: PolicyProfile, planYear: number, calendar: Calendar = defaultCalendar): IsoDate {
  const { yearOffset, month, day } = profile.annualPlan.publishBy;
  const y = planYear + yearOffset;
  return adjustCalendarDate(profile, isoDate(y, month, day === 'last' ? daysInMonth(y, month) : day), calendar);
}
