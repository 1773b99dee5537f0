/** The console's date and time display (web/src/format.ts): Asia/Shanghai without Intl's time zone data. */
import { describe, expect, it } from 'vitest';
import { date, dateRange, dateTime } from '../../web/src/format.js';

describe('dateTime', () => {
  it('shows an instant as Beijing time, the same as Intl with Asia/Shanghai, across days, months and years', () => {
    const intl = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    const viaIntl = (iso: string): string => {
      const p = Object.fromEntries(intl.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
      return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
    };
    expect(dateTime('2026-01-12T01:00:00Z')).toBe('2026年01月12日 09:00');
    expect(dateTime('2026-12-31T16:30:00.000Z')).toBe('2027年01月01日 00:30');
    for (const iso of ['2026-02-28T15:59:59Z', '2028-02-28T16:00:00Z', '2026-06-30T23:59:00+08:00', '2000-07-01T12:34:56Z', '2026-03-08T18:00:00Z']) expect(dateTime(iso)).toBe(viaIntl(iso));
  });

  it('leaves nothing or an unreadable value as it is', () => {
    expect(dateTime(undefined)).toBe('');
    expect(dateTime('')).toBe('');
    expect(dateTime('不是时间')).toBe('不是时间');
    expect(date('2026-01-05')).toBe('2026年1月5日');
  });
});

describe('dateRange', () => {
  it("names the end's year only when it differs from the start's (the task list's 抽查时间 column)", () => {
    expect(dateRange('2026-01-05', '2026-04-15')).toBe('2026年1月5日 至 4月15日');
    expect(dateRange('2026-11-16', '2027-01-15')).toBe('2026年11月16日 至 2027年1月15日');
  });
});
