/**
 * Deadlines of a drawn target — the one home of their rules: the kinds and their names, the due
 * dates, when a reminder goes and when a miss escalates.
 *
 * Kinds: `entry` (检查结果录入), `publish` (公示), `followup` (后续处置录入). These are the keys stored
 * on deadline records (`DL#<kind>#<ref>`, the due index, `basis.rule`), so stored items read as
 * they are. The profile keeps its own section names for the settings of each kind
 * (`deadlines.resultEntry`, `.publication`, `.followUp`: stored department overrides and the
 * citations use those paths); `deadlineSettings` is the only place that maps one to the other.
 *
 * Due dates are counted in working days (`Calendar.addWorkingDays`: the day counted from is not
 * counted). A due date on a non-working day — a round end or check on a weekend, a calendar
 * changed after the date was computed — counts on the working day before it (`effectiveDueDay`):
 * nothing can be handed in on a holiday, and the working days left are counted to that day. So a
 * reminder `lead` working days ahead goes `lead` working days before that day, and a miss is
 * overdue from the first working day after it. The daily job asks the reverse question ("which
 * due dates are reminded / k working days overdue today?"); `datesDueIn` and `datesOverdueBy`
 * answer it from the same two functions, so the job and the rule cannot drift apart.
 */
import { addDays, defaultCalendar, minDate, maxDate, type Calendar, type IsoDate } from './calendar.js';
import type { PolicyProfile } from './profile/schema.js';

export const DEADLINE_KINDS = ['entry', 'publish', 'followup'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Chinese names of the kinds (mail, reports, the console). */
export const DEADLINE_LABELS: Readonly<Record<DeadlineKind, string>> = {
  entry: '结果录入',
  publish: '结果公示',
  followup: '后续处置',
};

const PROFILE_SECTION = { entry: 'resultEntry', publish: 'publication', followup: 'followUp' } as const;

/** The profile's settings of a deadline kind (working days, reminder lead). */
export function deadlineSettings<K extends DeadlineKind>(profile: PolicyProfile, kind: K): PolicyProfile['deadlines'][(typeof PROFILE_SECTION)[K]] {
  return profile.deadlines[PROFILE_SECTION[kind]];
}

// ---------------------------------------------------------------- due dates

/**
 * Result-entry due date: N working days after the check; where the profile says "and before the
 * round ends", no later than the round's last working day — but never before the check date.
 */
export function resultEntryDueDate(
  profile: PolicyProfile,
  checkDate: IsoDate,
  roundEnd: IsoDate | null | undefined,
  calendar: Calendar = defaultCalendar,
): IsoDate {
  const r = profile.deadlines.resultEntry;
  const due = calendar.addWorkingDays(checkDate, r.workingDays);
  if (!r.beforeRoundEnd || !roundEnd) return due;
  const cap = calendar.previousWorkingDayOnOrBefore(roundEnd);
  return maxDate(checkDate, minDate(due, cap));
}

/** Publication due date: N working days after the check ("完成检查之日起20个工作日内"). */
export function publicationDueDate(profile: PolicyProfile, checkDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.addWorkingDays(checkDate, profile.deadlines.publication.workingDays);
}

/** Follow-up due date: N working days after the follow-up arises ("后续处置信息产生后20个工作日内"). */
export function followUpDueDate(profile: PolicyProfile, arisenDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.addWorkingDays(arisenDate, profile.deadlines.followUp.workingDays);
}

/**
 * What a due date is counted from (the check date, or the day a follow-up arose; for result entry
 * also the round end). Stored with the deadline so a due date the calendar could not give yet is
 * computed once the year's holidays are known.
 */
export interface DueBasis {
  rule: DeadlineKind;
  from: IsoDate;
  roundEnd?: IsoDate;
}

/** The due date of a deadline from its basis. Throws CalendarYearNotCovered past the calendar. */
export function dueDate(profile: PolicyProfile, basis: DueBasis, calendar: Calendar = defaultCalendar): IsoDate {
  switch (basis.rule) {
    case 'entry':
      return resultEntryDueDate(profile, basis.from, basis.roundEnd, calendar);
    case 'publish':
      return publicationDueDate(profile, basis.from, calendar);
    case 'followup':
      return followUpDueDate(profile, basis.from, calendar);
  }
}

// ---------------------------------------------------------------- reminders and escalation

/** The working day a due date counts on: itself, or the last working day before it. */
export function effectiveDueDay(due: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.previousWorkingDayOnOrBefore(due);
}

/** The day the reminder `lead` working days ahead of `due` goes (a working day). */
export function reminderDate(due: IsoDate, lead: number, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.subtractWorkingDays(effectiveDueDay(due, calendar), lead);
}

/**
 * The day a missed `due` is `k` working days overdue (k ≥ 1): k = 1 is the first working day
 * after it (escalation to the team and their section heads; for reports, the leadership summary),
 * k = 1 + `escalateToLeadershipAfterWorkingDays` the escalation to leadership.
 */
export function overdueDate(due: IsoDate, k: number, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.addWorkingDays(effectiveDueDay(due, calendar), k);
}

/** Working days left from `today` to `due` (0 = due today, or past). Shown in reminders. */
export function workingDaysLeft(today: IsoDate, due: IsoDate, calendar: Calendar = defaultCalendar): number {
  return Math.max(0, calendar.workingDaysBetween(today, due));
}

/** How many working days `due` is overdue on `day` (1 on `overdueDate(due, 1)`; < 1 = not overdue). */
export function workingDaysOverdue(due: IsoDate, day: IsoDate, calendar: Calendar = defaultCalendar): number {
  return calendar.workingDaysBetween(due, day);
}

/**
 * Due dates whose reminder, `lead` working days ahead, goes `today` (none on a non-working day):
 * the working day `lead` ahead and the non-working days that follow it.
 */
export function datesDueIn(today: IsoDate, lead: number, calendar: Calendar = defaultCalendar): IsoDate[] {
  if (!calendar.isWorkingDay(today)) return [];
  return following(calendar.addWorkingDays(today, lead), (d) => reminderDate(d, lead, calendar) === today);
}

/** Due dates that are exactly `k` working days overdue `today` (k = 1: the day after the miss). */
export function datesOverdueBy(today: IsoDate, k: number, calendar: Calendar = defaultCalendar): IsoDate[] {
  if (!calendar.isWorkingDay(today) || k < 1) return [];
  return following(calendar.subtractWorkingDays(today, k), (d) => overdueDate(d, k, calendar) === today);
}

/** `first` and the days after it while `same` holds (a handful: a working day and a holiday break). */
function following(first: IsoDate, same: (d: IsoDate) => boolean): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = first; same(d); d = addDays(d, 1)) out.push(d);
  return out;
}
