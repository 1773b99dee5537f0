import { describe, expect, it } from 'vitest';
import { datesDueIn, datesOverdueBy, overdueDate, reminderDate } from '../../shared/domain/deadlines.js';
import { addDays, defaultCalendar as cal } from '../../shared/domain/calendar.js';

describe('due dates asked by the daily job', () => {
  it('reminders N working days ahead skip weekends and holidays', () => {
    // Thu 2026-04-02: 1 working day ahead is Fri 04-03; 04-04..06 are the Qingming holiday.
    expect(datesDueIn('2026-04-02', 1, cal)).toEqual(['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06']);
    expect(datesDueIn('2026-04-07', 3, cal)).toEqual(['2026-04-10', '2026-04-11', '2026-04-12']);
    // no reminders on a non-working day
    expect(datesDueIn('2026-04-04', 1, cal)).toEqual([]);
  });

  it('the day after a miss is the next working day, covering weekend due dates', () => {
    // Tue 2026-04-07 follows the Qingming break: a deadline on Fri 04-03 or during the break is 1 day overdue.
    expect(datesOverdueBy('2026-04-07', 1, cal)).toEqual(['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06']);
    expect(datesOverdueBy('2026-04-08', 1, cal)).toEqual(['2026-04-07']);
    expect(datesOverdueBy('2026-04-10', 3, cal)).toEqual(['2026-04-07']);
    expect(datesOverdueBy('2026-04-05', 1, cal)).toEqual([]);
  });

  it('every calendar date is asked exactly once per offset over a year of working days', () => {
    const seen = new Map<string, number>();
    for (let d = '2026-01-05'; d <= '2026-12-20'; d = cal.addWorkingDays(d, 1)) {
      for (const x of datesOverdueBy(d, 1, cal)) seen.set(x, (seen.get(x) ?? 0) + 1);
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // every day between the first and last covered date appears
    expect(seen.size).toBeGreaterThan(340);
  });

  it('a due date on a non-working day counts on the working day before it', () => {
    // Sun 2026-04-12 counts on Fri 04-10: 3 working days ahead is Tue 04-07 (Wed 04-08 would leave 2).
    expect(reminderDate('2026-04-12', 3, cal)).toBe('2026-04-07');
    expect(cal.workingDaysBetween('2026-04-07', '2026-04-12')).toBe(3);
    // lead 0: the reminder goes on the Friday, a day the job runs (not on the Sunday itself)
    expect(reminderDate('2026-04-12', 0, cal)).toBe('2026-04-10');
    expect(overdueDate('2026-04-12', 1, cal)).toBe('2026-04-13');
    // monthly report due on a 调休 working Saturday stays that day
    expect(reminderDate('2026-02-14', 0, cal)).toBe('2026-02-14');
  });

  it("the job's questions and the rule give the same days, every date of a year", () => {
    for (let due = '2026-01-01'; due <= '2026-12-20'; due = addDays(due, 1)) {
      for (const lead of [0, 1, 3, 5]) {
        const day = reminderDate(due, lead, cal);
        expect(cal.isWorkingDay(day)).toBe(true);
        expect(datesDueIn(day, lead, cal), `${due} lead ${lead}`).toContain(due);
      }
      for (const k of [1, 4]) expect(datesOverdueBy(overdueDate(due, k, cal), k, cal), `${due} k ${k}`).toContain(due);
    }
  });
});
