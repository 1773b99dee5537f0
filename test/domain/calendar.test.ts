import { describe, expect, it } from 'vitest';
import * as chineseDays from 'chinese-days';
import {
  Calendar,
  CalendarOverrideError,
  CalendarYearNotCovered,
  InvalidDateError,
  addDays,
  addWorkingDays,
  chinaToday,
  coveredYears,
  createCalendar,
  defaultCalendar,
  describeDay,
  isWorkingDay,
  isoWeekday,
  lastWorkingDayOfMonth,
  lastWorkingDayOfQuarter,
  nextWorkingDayOnOrAfter,
  parseOverrides,
  previousWorkingDayOnOrBefore,
  subtractWorkingDays,
  workingDaysBetween,
} from '../../shared/domain/calendar.js';
import shippedOverrides from '../../shared/domain/calendar-overrides.json' with { type: 'json' };

describe('official holidays and 调休 (2024–2026)', () => {
  it('2024 Spring Festival: Feb 10–17 off, Sundays Feb 4 and Feb 18 are working days', () => {
    expect(isoWeekday('2024-02-04')).toBe(7);
    expect(isoWeekday('2024-02-18')).toBe(7);
    expect(isWorkingDay('2024-02-04')).toBe(true);
    expect(isWorkingDay('2024-02-18')).toBe(true);
    for (let d = '2024-02-10'; d <= '2024-02-17'; d = addDays(d, 1)) expect(isWorkingDay(d), d).toBe(false);
    // 除夕 2024-02-09 (Friday) was officially a working day that year.
    expect(isWorkingDay('2024-02-09')).toBe(true);
    expect(describeDay('2024-02-18')).toMatchObject({ kind: 'adjusted-workday', name: '春节', working: true });
  });

  it('2025 National Day + Mid-autumn: Oct 1–8 off, Sep 28 (Sun) and Oct 11 (Sat) working', () => {
    for (let d = '2025-10-01'; d <= '2025-10-08'; d = addDays(d, 1)) expect(isWorkingDay(d), d).toBe(false);
    expect(isWorkingDay('2025-09-28')).toBe(true);
    expect(isWorkingDay('2025-10-11')).toBe(true);
    expect(isWorkingDay('2025-10-09')).toBe(true);
  });

  it('2026 Spring Festival: Feb 15–23 off, Saturdays Feb 14 and Feb 28 working', () => {
    for (let d = '2026-02-15'; d <= '2026-02-23'; d = addDays(d, 1)) expect(isWorkingDay(d), d).toBe(false);
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-02-28')).toBe(true);
    expect(describeDay('2026-02-16')).toMatchObject({ kind: 'holiday', name: '春节', working: false });
  });

  it('ordinary weekdays and weekends', () => {
    expect(isWorkingDay('2026-03-10')).toBe(true); // Tuesday
    expect(isWorkingDay('2026-03-14')).toBe(false); // Saturday
    expect(describeDay('2026-03-15')).toMatchObject({ kind: 'weekend', working: false, source: 'chinese-days' });
  });

  it('agrees with the chinese-days API on every day it covers', () => {
    let checked = 0;
    for (const y of coveredYears()) {
      for (let d = `${y}-01-01`; d.startsWith(`${y}`); d = addDays(d, 1)) {
        expect(isWorkingDay(d), d).toBe(chineseDays.isWorkday(d));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(23 * 365);
  });
});

describe('working-day arithmetic', () => {
  it('counts across the Spring Festival break and the adjusted Saturday', () => {
    expect(addWorkingDays('2026-02-12', 1)).toBe('2026-02-13');
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-14'); // 调休 Saturday
    expect(addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
    // "within 5 working days after a check on Thu 2026-02-12": 13, 14(Sat), 24, 25, 26
    expect(addWorkingDays('2026-02-12', 5)).toBe('2026-02-26');
    expect(subtractWorkingDays('2026-02-26', 5)).toBe('2026-02-12');
  });

  it('5 working days after Fri 2025-09-26 skips the National Day week', () => {
    // 09-28 (Sun, working), 09-29, 09-30, 10-09, 10-10
    expect(addWorkingDays('2025-09-26', 5)).toBe('2025-10-10');
    expect(workingDaysBetween('2025-09-26', '2025-10-10')).toBe(5);
  });

  it('a check on a non-working day counts from the next working day', () => {
    // Sat 2026-03-07 → Mon 9 is the first working day after it
    expect(addWorkingDays('2026-03-07', 1)).toBe('2026-03-09');
    expect(addWorkingDays('2026-03-07', 0)).toBe('2026-03-07');
  });

  it('crosses year boundaries in both directions', () => {
    // 2026-01-01..03 off, Sunday 01-04 is a working day
    expect(addWorkingDays('2025-12-31', 1)).toBe('2026-01-04');
    expect(addWorkingDays('2025-12-30', 3)).toBe('2026-01-05');
    expect(subtractWorkingDays('2026-01-05', 2)).toBe('2025-12-31');
    expect(workingDaysBetween('2025-12-31', '2026-01-05')).toBe(2);
    // a span over two whole year boundaries: 2024 had 251 working days (incl. 调休 days)
    expect(workingDaysBetween('2023-12-31', '2024-12-31')).toBe(251);
    expect(workingDaysBetween('2023-12-31', '2025-01-02')).toBe(252);
  });

  it('workingDaysBetween is (a, b], antisymmetric, and inverts addWorkingDays', () => {
    expect(workingDaysBetween('2026-03-09', '2026-03-09')).toBe(0);
    expect(workingDaysBetween('2026-03-09', '2026-03-10')).toBe(1); // b included, a excluded
    expect(workingDaysBetween('2026-03-10', '2026-03-09')).toBe(-1);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 500; k++) {
      const d = addDays('2023-01-01', rnd(1000));
      const n = rnd(60);
      const due = addWorkingDays(d, n);
      expect(workingDaysBetween(d, due)).toBe(n);
      expect(workingDaysBetween(due, d)).toBe(n === 0 ? 0 : -n);
      if (n > 0) expect(isWorkingDay(due)).toBe(true);
      if (isWorkingDay(d)) expect(subtractWorkingDays(due, n)).toBe(d);
    }
  });

  it('last working day of months and quarters honours holidays and 调休', () => {
    expect(lastWorkingDayOfMonth(2026, 2)).toBe('2026-02-28'); // adjusted working Saturday
    expect(lastWorkingDayOfMonth(2026, 5)).toBe('2026-05-29'); // 31st is a Sunday
    expect(lastWorkingDayOfMonth(2024, 9)).toBe('2024-09-30');
    expect(lastWorkingDayOfMonth(2024, 2)).toBe('2024-02-29'); // leap year
    expect([1, 2, 3, 4].map((q) => lastWorkingDayOfQuarter(2026, q))).toEqual([
      '2026-03-31',
      '2026-06-30',
      '2026-09-30',
      '2026-12-31',
    ]);
    expect(() => lastWorkingDayOfQuarter(2026, 5)).toThrow(RangeError);
    expect(() => lastWorkingDayOfMonth(2026, 13)).toThrow(RangeError);
  });

  it('previous / next working day around a holiday', () => {
    expect(previousWorkingDayOnOrBefore('2025-10-05')).toBe('2025-09-30');
    expect(previousWorkingDayOnOrBefore('2025-09-30')).toBe('2025-09-30');
    expect(nextWorkingDayOnOrAfter('2025-10-05')).toBe('2025-10-09');
    expect(previousWorkingDayOnOrBefore('2026-01-03')).toBe('2025-12-31');
  });

  it('rejects invalid input explicitly', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(InvalidDateError);
    expect(() => isWorkingDay('2026-2-3')).toThrow(InvalidDateError);
    expect(() => isWorkingDay('2026-02-03T00:00:00Z')).toThrow(/YYYY-MM-DD/);
    expect(() => addWorkingDays('2026-03-02', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-03-02', 1.5)).toThrow(RangeError);
  });
});

describe('coverage', () => {
  it('covers 2004–2026 from the package plus the override file', () => {
    const years = coveredYears();
    expect(years[0]).toBe(2004);
    expect(years).toContain(2026);
    for (const y of Object.keys(shippedOverrides).filter((k) => !k.startsWith('$'))) expect(years).toContain(Number(y));
  });

  it('a year nobody covers is an explicit, typed error naming the year', () => {
    const cal = createCalendar({ fileOverrides: {} });
    let err: unknown;
    try {
      cal.isWorkingDay('2027-01-04');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CalendarYearNotCovered);
    expect((err as CalendarYearNotCovered).year).toBe(2027);
    expect((err as Error).message).toContain('2027 年');
    expect((err as Error).message).toContain('2004–2026');
    expect(() => isWorkingDay('2003-06-02')).toThrow(CalendarYearNotCovered);
  });

  it('arithmetic that crosses into an uncovered year fails instead of guessing', () => {
    const cal = createCalendar({ fileOverrides: {} });
    expect(cal.addWorkingDays('2026-12-30', 1)).toBe('2026-12-31');
    expect(() => cal.addWorkingDays('2026-12-30', 5)).toThrow(CalendarYearNotCovered);
    expect(() => cal.workingDaysBetween('2026-12-01', '2027-01-10')).toThrow(/2027/);
    expect(() => cal.subtractWorkingDays('2004-01-05', 5)).toThrow(/2003/);
  });
});

describe('override file precedence', () => {
  const notice = '测试用通知（虚构）';

  it('an override year replaces the package year entirely', () => {
    const cal = new Calendar({
      fileOverrides: {
        '2026': {
          source: notice,
          holidays: [{ date: '2026-03-02', name: '测试假日' }],
          workdays: [{ date: '2026-03-07', name: '测试假日' }],
        },
      },
    });
    expect(cal.isWorkingDay('2026-03-02')).toBe(false);
    expect(cal.isWorkingDay('2026-03-07')).toBe(true);
    expect(cal.describeDay('2026-03-02')).toMatchObject({ kind: 'holiday', name: '测试假日', source: notice });
    // the package's 2026 Spring Festival no longer applies: Mon 2026-02-16 is an ordinary weekday
    expect(cal.isWorkingDay('2026-02-16')).toBe(true);
    expect(cal.isWorkingDay('2026-02-14')).toBe(false);
    // other years still come from the package
    expect(cal.isWorkingDay('2025-10-03')).toBe(false);
    expect(defaultCalendar.isWorkingDay('2026-02-16')).toBe(false);
  });

  it('a new year becomes covered; injected overrides beat the file', () => {
    const y2027 = {
      source: notice,
      holidays: [{ date: '2027-01-01', name: '元旦' }],
      workdays: [{ date: '2027-01-02', name: '元旦' }],
    };
    const fileOnly = new Calendar({ fileOverrides: { '2027': y2027 } });
    expect(fileOnly.coveredYears()).toContain(2027);
    expect(fileOnly.isWorkingDay('2027-01-01')).toBe(false);
    expect(fileOnly.isWorkingDay('2027-01-02')).toBe(true); // Saturday made a working day
    expect(fileOnly.addWorkingDays('2026-12-31', 1)).toBe('2027-01-02');

    const both = new Calendar({
      fileOverrides: { '2027': y2027 },
      overrides: { '2027': { source: '更正', holidays: [], workdays: [] } },
    });
    expect(both.isWorkingDay('2027-01-01')).toBe(true);
    expect(both.describeDay('2027-01-01').source).toBe('更正');
  });

  it('malformed override data is rejected with Chinese reasons', () => {
    expect(() =>
      parseOverrides({
        '2027': {
          source: notice,
          holidays: [{ date: '2027-02-30', name: '春节' }, { date: '2026-12-31', name: '元旦' }],
          workdays: [],
        },
      }),
    ).toThrow(/不是有效的 YYYY-MM-DD 日期.*不在 2027 年内/);
    expect(() =>
      parseOverrides({
        '2027': {
          source: notice,
          holidays: [{ date: '2027-01-01', name: '元旦' }],
          workdays: [{ date: '2027-01-01', name: '元旦' }],
        },
      }),
    ).toThrow(/重复出现/);
    expect(() => parseOverrides({ '2027': { holidays: [], workdays: [] } })).toThrow(CalendarOverrideError);
    expect(() => parseOverrides({ next: {} })).toThrow(/不是四位年份/);
    expect(parseOverrides(shippedOverrides)).toBeInstanceOf(Map); // the shipped file is valid
  });
});

describe('chinaToday', () => {
  it('gives the Asia/Shanghai date of an instant', () => {
    expect(chinaToday(new Date('2026-03-31T15:59:59.999Z'))).toBe('2026-03-31');
    expect(chinaToday(new Date('2026-03-31T16:00:00Z'))).toBe('2026-04-01');
    expect(chinaToday(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(chinaToday(new Date('2026-07-01T00:00:00+08:00'))).toBe('2026-07-01');
    expect(() => chinaToday(new Date('nonsense'))).toThrow(InvalidDateError);
  });
});

describe('performance', () => {
  it('computes due dates and reminders for 50,000 deadlines quickly', () => {
    const cal = createCalendar();
    const t0 = performance.now();
    let last = '';
    for (let i = 0; i < 50_000; i++) {
      const check = addDays('2025-01-02', i % 700);
      const due = cal.addWorkingDays(check, i % 2 ? 20 : 5);
      last = cal.subtractWorkingDays(due, 3);
      cal.workingDaysBetween(due, '2026-06-30');
    }
    const ms = performance.now() - t0;
    expect(last).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ms).toBeLessThan(1000);
  });
});
