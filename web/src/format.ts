/** Dates and times as a Chinese office reads them, always in Asia/Shanghai. */
/** China Standard Time: UTC+8 all year (no daylight saving since 1991), so no Intl time zone
 * data is needed — building an Intl.DateTimeFormat for Asia/Shanghai costs tens of ms on a
 * screen's first load. */
const CST_MS = 8 * 3_600_000;
const two = (n: number): string => String(n).padStart(2, '0');

/** 2026-01-12T01:00:00Z → 2026年01月12日 09:00 */
export function dateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + CST_MS);
  return `${d.getUTCFullYear()}年${two(d.getUTCMonth() + 1)}月${two(d.getUTCDate())}日 ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** 2026-01-12 → 2026年1月12日 (calendar dates are already China dates) */
export function date(d: string | undefined | null): string {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : d;
}

/** 2026-01-05, 2026-04-15 → 2026年1月5日 至 4月15日 (the end's year only when it differs) */
export function dateRange(start: string, end: string): string {
  const e = start.slice(0, 4) === end.slice(0, 4) ? date(end).replace(/^\d{4}年/, '') : date(end);
  return `${date(start)} 至 ${e}`;
}

export const percentBp = (bp: number): string => `${(bp / 100).toFixed(bp % 100 ? 2 : 0)}%`;

export const RISK_NAMES: Record<string, string> = { A: 'A 类（低风险）', B: 'B 类（较低风险）', C: 'C 类（较高风险）', D: 'D 类（高风险）' };

export const STATUS_TYPES: Record<string, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  assigned: 'info',
  notified: 'info',
  checked: 'warning',
  result_entered: 'primary',
  reviewed: 'primary',
  published: 'success',
  followup_open: 'danger',
  closed: 'success',
};
