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
 * overdue from the first working day after it. The daily job walks each open deadline up its
 * ladder (`ladderDates`, `ladderToday`): reminder, first escalation, leadership — each step once,
 * late steps caught up; the due index files a deadline under the day of its next step.
 */
import { addDays, CalendarYearNotCovered, defaultCalendar, minDate, maxDate, type Calendar, type IsoDate } from './calendar.js';
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

/**
 * Whether a deadline due `due` is overdue on `today`: from the first working day after its
 * effective due day (a Friday deadline is not overdue on the weekend; one on a holiday counts on
 * the working day before). Where the calendar lacks the year, the plain date comparison.
 */
export function isOverdue(due: IsoDate, today: IsoDate, calendar: Calendar = defaultCalendar): boolean {
  if (due >= today) return false;
  try {
    return today >= overdueDate(due, 1, calendar);
  } catch (e) {
    if (e instanceof CalendarYearNotCovered) return true;
    throw e;
  }
}

/** How many working days `due` is overdue on `day` (1 on `overdueDate(due, 1)`; < 1 = not overdue). */
export function workingDaysOverdue(due: IsoDate, day: IsoDate, calendar: Calendar = defaultCalendar): number {
  return calendar.workingDaysBetween(due, day);
}

// ---------------------------------------------------------------- the ladder of one deadline

/**
 * The steps the daily job takes for an open deadline, in order: the reminder (to the team), the
 * first escalation (team and section heads) and the escalation to leadership. Each is sent once;
 * the deadline record keeps the steps it has had.
 */
export const DEADLINE_STEPS = ['reminder', 'overdue', 'leadership'] as const;
export type DeadlineStep = (typeof DEADLINE_STEPS)[number];

/** The day each step goes for a deadline of `kind` due `due`, by the department's profile. */
export type LadderDates = Partial<Record<DeadlineStep, IsoDate>>;

/**
 * The ladder's dates. A step whose date falls in a year the calendar does not cover is left out
 * and `uncovered` says which year: it is never guessed, and the job asks again later.
 */
export function ladderDates(profile: PolicyProfile, kind: DeadlineKind, due: IsoDate, calendar: Calendar = defaultCalendar): { dates: LadderDates; uncovered?: CalendarYearNotCovered } {
  const dates: LadderDates = {};
  const k: Record<DeadlineStep, () => IsoDate> = {
    reminder: () => reminderDate(due, deadlineSettings(profile, kind).reminderLeadWorkingDays, calendar),
    overdue: () => overdueDate(due, 1, calendar),
    leadership: () => overdueDate(due, 1 + profile.deadlines.escalateToLeadershipAfterWorkingDays, calendar),
  };
  for (const step of DEADLINE_STEPS) {
    try {
      dates[step] = k[step]();
    } catch (e) {
      if (!(e instanceof CalendarYearNotCovered)) throw e;
      return { dates, uncovered: e };
    }
  }
  return { dates };
}

export interface LadderToday {
  /** Steps reached by `today` and not had yet: send them now. */
  send: DeadlineStep[];
  /** Steps reached but superseded (a reminder once the deadline is overdue): recorded as had, not sent. */
  skip: DeadlineStep[];
  /**
   * The next day the deadline needs the job: the date of its first later step; `today + 1` while a
   * step's date is unknown (calendar year not covered), so it is asked again; null when the ladder
   * is done.
   */
  next: IsoDate | null;
  /** The next step's date is unknown (its calendar year is not covered): nothing can be guessed. */
  waiting: boolean;
}

/**
 * What the daily job does on `today` (a working day) with a deadline that has had the steps
 * `had`: every step reached and not had yet goes now — a deadline created already overdue, or
 * days missed while the platform was down, catch up at once, each step once — except that a
 * reminder is pointless once the first escalation is due.
 */
export function ladderToday(dates: LadderDates, had: readonly DeadlineStep[], today: IsoDate): LadderToday {
  const pending = DEADLINE_STEPS.filter((s) => !had.includes(s));
  const reached = pending.filter((s) => dates[s] !== undefined && dates[s]! <= today);
  const overdueNow = reached.includes('overdue') || had.includes('overdue');
  const skip: DeadlineStep[] = overdueNow ? reached.filter((s) => s === 'reminder') : [];
  const send = reached.filter((s) => !skip.includes(s));
  const later = pending.filter((s) => !reached.includes(s));
  // The steps' dates rise in ladder order, so the first later step is the next one.
  const first = later[0];
  const waiting = first !== undefined && dates[first] === undefined;
  const next = first === undefined ? null : (dates[first] ?? addDays(today, 1));
  return { send, skip, next, waiting };
}

/**
 * The day a new deadline is first filed under in the due index: its first step, never before
 * `today` (a deadline created already overdue is taken up by the next run). While its dates are
 * not all known (calendar year not covered), today.
 */
export function firstLadderDay(profile: PolicyProfile, kind: DeadlineKind, due: IsoDate, today: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  const { dates, uncovered } = ladderDates(profile, kind, due, calendar);
  // The reminder comes first; without it (uncovered) the job must look today.
  return uncovered || !dates.reminder ? today : maxDate(dates.reminder, today);
}
