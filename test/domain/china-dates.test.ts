/**
 * Dates are Asia/Shanghai calendar dates wherever they are shown or stored. The instant used
 * throughout is 2026-12-05T23:52:00Z = 2026-12-06 07:52 in Beijing: its UTC date is a day early.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chinaDate, chinaDateTime, chinaToday, InvalidDateError } from '../../shared/domain/calendar.js';
import { renderResultPage } from '../../shared/pages/public.js';
import { fmtDateTime } from '../../shared/mail/templates/layout.js';

const MORNING = '2026-12-05T23:52:00.000Z';

describe('China dates of instants', () => {
  it('gives the Beijing date and time, not the UTC one', () => {
    expect(chinaDate(MORNING)).toBe('2026-12-06');
    expect(chinaDate(new Date(MORNING))).toBe('2026-12-06');
    expect(chinaDate(Date.parse(MORNING))).toBe('2026-12-06');
    expect(chinaToday(new Date(MORNING))).toBe('2026-12-06');
    expect(chinaDateTime(MORNING)).toBe('2026-12-06 07:52');
    expect(chinaDateTime('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00');
    expect(chinaDateTime('2026-12-31T15:59:59Z')).toBe('2026-12-31 23:59');
    expect(fmtDateTime(MORNING)).toBe('2026年12月6日 07:52');
  });

  it('refuses what is not an instant', () => {
    expect(() => chinaDate('soon')).toThrow(InvalidDateError);
    expect(() => chinaDateTime(Number.NaN)).toThrow(InvalidDateError);
  });

  it('the public result page shows the Beijing publication date', () => {
    const page = renderResultPage({
      taskId: 't1',
      taskName: '任务',
      department: 'd',
      departmentName: '某局',
      uscc: '91130624MA0000000X',
      targetName: '某公司',
      items: [],
      phrases: [{ code: '1', text: '未发现问题' }],
      checkDate: '2026-12-04',
      publishedAt: MORNING,
    });
    expect(page).toMatch(/公示日期<\/th><td>2026-12-06</);
    expect(page).not.toContain('2026-12-05');
  });
});

describe('no runtime code takes a date from a UTC timestamp', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((n) => (statSync(join(root, dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
  // Spreadsheet cells hold calendar dates as UTC midnights, so their UTC date is the date meant.
  const CALENDAR_CELLS = 'shared/import/columns.ts';
  // The local Lambda runner names log streams like CloudWatch does (UTC dates).
  const LOG_STREAMS = 'shared/dev/local/lambdas.ts';

  it('every date of an instant goes through chinaDate / chinaDateTime', () => {
    const offenders: string[] = [];
    for (const f of [...files('shared'), ...files('functions')]) {
      if (f === CALENDAR_CELLS || f === LOG_STREAMS) continue;
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\*|\/\/)/.test(line)) return; // comments
          if (/toISOString\(\)\.(slice|substring)\(0,\s*1[0-9]\)|At\??\.(slice|substring)\(0,\s*1[0-9]\)|\+ 8 \* 36/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
