/**
 * Deadlines of a drawn target, counted in working days (the calendar's `addWorkingDays`: the day
 * it counts from is not counted): result entry, publication and follow-up due dates; when the
 * reminder goes and when a miss escalates.
 */
import { defaultCalendar, minDate, maxDate, type Calendar, type IsoDate } from './calendar.js';
import type { PolicyProfile } from './profile/schema.js';

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

export type DeadlineKind = 'resultEntry' | 'publication' | 'followUp';

/** The day the reminder for a deadline of this kind is sent. */
export function deadlineReminderDate(profile: PolicyProfile, kind: DeadlineKind, dueDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.subtractWorkingDays(dueDate, profile.deadlines[kind].reminderLeadWorkingDays);
}

/**
 * Escalation days of a missed due date: the first working day after it (to the inspector and the
 * section head), and `escalateToLeadershipAfterWorkingDays` working days after that (to leadership).
 */
export function escalationDates(profile: PolicyProfile, dueDate: IsoDate, calendar: Calendar = defaultCalendar): { first: IsoDate; leadership: IsoDate } {
  const first = calendar.addWorkingDays(dueDate, 1);
  return { first, leadership: calendar.addWorkingDays(first, profile.deadlines.escalateToLeadershipAfterWorkingDays) };
}
