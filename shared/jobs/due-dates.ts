/**
 * Which due dates the daily job must look at, in working days (pure). The due index is keyed by
 * calendar date, so each question ("due in k working days", "overdue by k working days") maps to
 * the few calendar dates that answer it — no scan, and met deadlines are not in the index.
 *
 * A due date on a non-working day is treated as due on the working day before it (W), so the
 * calendar dates behind one working day W are W itself and the non-working days that follow it.
 */
import { addDays, type Calendar } from '../domain/calendar.js';

function group(w: string, cal: Calendar): string[] {
  const out = [w];
  for (let d = addDays(w, 1); !cal.isWorkingDay(d); d = addDays(d, 1)) out.push(d);
  return out;
}

/** Due dates whose reminder, `lead` working days ahead, falls today (nothing on non-working days). */
export function datesDueIn(today: string, lead: number, cal: Calendar): string[] {
  if (!cal.isWorkingDay(today)) return [];
  return group(lead <= 0 ? today : cal.addWorkingDays(today, lead), cal);
}

/** Due dates that today are exactly `k` working days overdue (k = 1: the day after the miss). */
export function datesOverdueBy(today: string, k: number, cal: Calendar): string[] {
  if (!cal.isWorkingDay(today) || k < 1) return [];
  return group(cal.subtractWorkingDays(today, k), cal);
}
