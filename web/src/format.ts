/** Dates and times as a Chinese office reads them, always in Asia/Shanghai. */
const dtf = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** 2026-01-12T01:00:00Z → 2026年01月12日 09:00 */
export function dateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(dtf.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/** 2026-01-12 → 2026年1月12日 (calendar dates are already China dates) */
export function date(d: string | undefined | null): string {
  if (!d) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : d;
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
