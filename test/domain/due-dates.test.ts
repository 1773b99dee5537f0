import { describe, expect, it } from 'vitest';
import { DEADLINE_STEPS, firstLadderDay, isOverdue, ladderDates, ladderToday, overdueDate, reminderDate, type DeadlineStep, type LadderDates } from '../../shared/domain/deadlines.js';
import { addDays, defaultCalendar as cal } from '../../shared/domain/calendar.js';
import { getPreset } from '../../shared/domain/profiles.js';

// fuping: entry reminder 2 working days ahead; leadership 3 working days after the first escalation.
const fuping = getPreset('fuping-housing-2021');

/** Walk a deadline up its ladder, the job running on `runs` (working days): the steps sent, by day. */
function walk(dates: LadderDates, runs: string[]): [string, DeadlineStep][] {
  const had: DeadlineStep[] = [];
  const sent: [string, DeadlineStep][] = [];
  for (const day of runs) {
    const t = ladderToday(dates, had, day);
    for (const s of t.send) sent.push([day, s]);
    had.push(...t.skip, ...t.send);
    // the same day again (a repeated run) sends nothing
    expect(ladderToday(dates, had, day).send).toEqual([]);
  }
  return sent;
}
const workingDays = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) out.push(d);
  return out;
};

describe('the ladder of a deadline (reminder, escalation, leadership)', () => {
  it('dates from the profile: the reminder lead working days ahead, the first working day after the miss, leadership N later', () => {
    // Fri 2026-04-10: reminder Wed 04-08; overdue Mon 04-13; leadership 3 working days later, Thu 04-16.
    expect(ladderDates(fuping, 'entry', '2026-04-10', cal)).toEqual({ dates: { reminder: '2026-04-08', overdue: '2026-04-13', leadership: '2026-04-16' } });
    // Fri 04-03 before the Qingming break (04-04..06): the miss escalates on Tue 04-07.
    expect(ladderDates(fuping, 'entry', '2026-04-03', cal).dates.overdue).toBe('2026-04-07');
  });

  it('the job running every working day sends each step once, on its day', () => {
    const dates = ladderDates(fuping, 'entry', '2026-04-10', cal).dates;
    expect(walk(dates, workingDays('2026-03-20', '2026-05-10'))).toEqual([
      ['2026-04-08', 'reminder'],
      ['2026-04-13', 'overdue'],
      ['2026-04-16', 'leadership'],
    ]);
  });

  it('a deadline created already overdue gets its escalations at once (no stale reminder), each once', () => {
    const dates = ladderDates(fuping, 'entry', '2026-04-10', cal).dates;
    // Created (and first looked at) on 04-14: overdue already; leadership still ahead.
    expect(walk(dates, workingDays('2026-04-14', '2026-05-10'))).toEqual([
      ['2026-04-14', 'overdue'],
      ['2026-04-16', 'leadership'],
    ]);
    // Created on 12-05 for a September due date: both levels the first day.
    const late = ladderDates(fuping, 'entry', '2026-09-30', cal).dates;
    expect(ladderToday(late, [], '2026-12-07')).toEqual({ send: ['overdue', 'leadership'], skip: ['reminder'], next: null, waiting: false });
  });

  it('days missed while the platform was down are caught up on the next run, each step once', () => {
    const dates = ladderDates(fuping, 'entry', '2026-04-10', cal).dates;
    // Down from 04-07 to 04-14: the reminder day and the escalation day were missed.
    const runs = workingDays('2026-03-20', '2026-05-10').filter((d) => d < '2026-04-07' || d > '2026-04-14');
    expect(walk(dates, runs)).toEqual([
      ['2026-04-15', 'overdue'],
      ['2026-04-16', 'leadership'],
    ]);
    // Down through the leadership day as well: both levels on the day it comes back.
    expect(walk(dates, ['2026-04-08', '2026-04-20'])).toEqual([
      ['2026-04-08', 'reminder'],
      ['2026-04-20', 'overdue'],
      ['2026-04-20', 'leadership'],
    ]);
  });

  it('every due date of a year: each step once, never before its day, with and without outages', () => {
    const everyDay = workingDays('2025-12-01', '2026-12-31');
    const someDays = everyDay.filter((_, i) => i % 4 !== 1 && i % 7 !== 3); // an unreliable platform
    for (let due = '2026-01-05'; due <= '2026-11-30'; due = addDays(due, 3)) {
      const dates = ladderDates(fuping, 'publish', due, cal).dates;
      for (const runs of [everyDay, someDays]) {
        const sent = walk(dates, runs);
        const steps = sent.map(([, s]) => s);
        expect(new Set(steps).size, due).toBe(steps.length);
        for (const [day, s] of sent) expect(day >= dates[s]!, `${due} ${s}`).toBe(true);
        expect(steps.filter((s) => s !== 'reminder'), due).toEqual(['overdue', 'leadership']);
      }
      expect(walk(dates, everyDay).map(([d, s]) => `${s} ${d}`), due).toEqual(DEADLINE_STEPS.map((s) => `${s} ${dates[s]}`));
    }
  });

  it('a step in a year the calendar lacks is never guessed: asked again the next day', () => {
    // 2026-12-28 + 1 working day is 12-29; leadership falls in 2027 (not covered).
    const { dates, uncovered } = ladderDates(fuping, 'entry', '2026-12-28', cal);
    expect(uncovered?.year).toBe(2027);
    expect(dates).toEqual({ reminder: '2026-12-24', overdue: '2026-12-29' });
    expect(ladderToday(dates, ['reminder'], '2026-12-29')).toEqual({ send: ['overdue'], skip: [], next: '2026-12-30', waiting: true });
    expect(ladderToday(dates, ['reminder'], '2026-12-28')).toEqual({ send: [], skip: [], next: '2026-12-29', waiting: false });
  });

  it('a new deadline is filed under its first step, never before the day it is created', () => {
    expect(firstLadderDay(fuping, 'entry', '2026-04-10', '2026-03-02', cal)).toBe('2026-04-08');
    expect(firstLadderDay(fuping, 'entry', '2026-04-10', '2026-04-14', cal)).toBe('2026-04-14');
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

  it('overdue by the working-day rule: not on the weekend after a Friday deadline, from the next working day', () => {
    // Fri 2026-04-03, then the Qingming break 04-04..06: overdue from Tue 04-07.
    expect(['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07'].map((d) => isOverdue('2026-04-03', d, cal))).toEqual([false, false, false, false, true]);
    // Due on Sunday 04-12 counts on Fri 04-10: overdue on Mon 04-13, not on Sat 04-11.
    expect(isOverdue('2026-04-12', '2026-04-11', cal)).toBe(false);
    expect(isOverdue('2026-04-12', '2026-04-13', cal)).toBe(true);
  });
});
