/**
 * Working-day calendar for China: official public holidays and adjusted working weekends (调休).
 *
 * Sources, lowest precedence first:
 *   1. the `chinese-days` package (data for 2004–2026 in the pinned version, from the State Council
 *      notices 国务院办公厅关于X年部分节假日安排的通知);
 *   2. `shared/domain/calendar-overrides.json`, for newly announced years or corrections;
 *   3. overrides passed to `new Calendar({ overrides })` (tests, or an operator loading a newer file).
 * The source with the highest precedence that lists a year defines that WHOLE year: a year in an
 * override replaces the package's year entirely (no per-date merging), so an override is always a
 * complete transcription of one notice and can never silently mix two notices.
 *
 * Override format (JSON object keyed by four-digit year; keys starting with "$" are comments):
 *   {
 *     "2027": {
 *       "source": "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）",
 *       "holidays": [ { "date": "2027-01-01", "name": "元旦" }, ... ],   // every day off, weekends inside a break included
 *       "workdays": [ { "date": "2027-02-06", "name": "春节" }, ... ]    // 调休 weekend days that are working days
 *     }
 *   }
 * Each date must be a valid YYYY-MM-DD inside its year and appear in at most one list.
 *
 * Rule for a covered year: a date listed in `workdays` is a working day; a date listed in
 * `holidays` is not; any other date is a working day iff it is Monday–Friday.
 * A date in a year no source covers raises `CalendarYearNotCovered` (never a guess), including
 * when an addition or count merely crosses into such a year.
 *
 * All dates are `YYYY-MM-DD` strings meaning China local calendar dates. Arithmetic is done on
 * integer day numbers (days since 1970-01-01), never on `Date` objects, so the host time zone
 * cannot shift a date. Per-year tables (working flags + prefix counts) are built once and cached.
 */
import { z } from 'zod';
import packageData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import overridesFile from './calendar-overrides.json' with { type: 'json' };

export type IsoDate = string;

// ---------------------------------------------------------------- errors

/** A date in a year whose official holiday arrangement is not known to the calendar. */
export class CalendarYearNotCovered extends Error {
  readonly code = 'CALENDAR_YEAR_NOT_COVERED';
  constructor(
    readonly year: number,
    readonly covered: readonly number[],
  ) {
    const range = describeYears(covered);
    super(
      `工作日历未收录 ${year} 年的法定节假日安排（已收录：${range}），无法计算工作日。` +
        `请在 shared/domain/calendar-overrides.json 中补充国务院办公厅公布的 ${year} 年节假日安排。`,
    );
    this.name = 'CalendarYearNotCovered';
  }
}

/** A string that is not a valid `YYYY-MM-DD` calendar date. */
export class InvalidDateError extends Error {
  readonly code = 'INVALID_DATE';
  constructor(readonly input: unknown) {
    super(`日期“${String(input)}”无效，应为 YYYY-MM-DD 格式的有效日期`);
    this.name = 'InvalidDateError';
  }
}

/** The override data does not follow the documented format. */
export class CalendarOverrideError extends Error {
  readonly code = 'CALENDAR_OVERRIDE_INVALID';
  constructor(readonly problems: string[]) {
    super(`节假日覆盖数据有误：${problems.join('；')}`);
    this.name = 'CalendarOverrideError';
  }
}

function describeYears(years: readonly number[]): string {
  if (years.length === 0) return '无';
  // Collapse runs: 2004–2026, 2028
  const parts: string[] = [];
  let start = years[0]!;
  let prev = start;
  for (const y of [...years.slice(1), Number.NaN]) {
    if (y === prev + 1) {
      prev = y;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = prev = y;
  }
  return parts.join('、');
}

// ---------------------------------------------------------------- pure date arithmetic

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z1 = z0 + 719468;
  const era = Math.floor(z1 / 146097);
  const doe = z1 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Parses a strict `YYYY-MM-DD` date into a day number; throws `InvalidDateError`. */
export function toDayNumber(s: IsoDate): number {
  const m = typeof s === 'string' ? DATE_RE.exec(s) : null;
  if (!m) throw new InvalidDateError(s);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw new InvalidDateError(s);
  return daysFromCivil(y, mo, d);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function fromDayNumber(n: number): IsoDate {
  const [y, m, d] = civilFromDays(n);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

export function isValidIsoDate(s: unknown): s is IsoDate {
  try {
    toDayNumber(s as string);
    return true;
  } catch {
    return false;
  }
}

export function isoDate(y: number, m: number, d: number): IsoDate {
  const s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
  toDayNumber(s); // validate
  return s;
}

/** Calendar-day addition (no working-day logic). */
export function addDays(d: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(d) + n);
}

/** 1 = Monday … 7 = Sunday (ISO). */
export function isoWeekday(d: IsoDate): number {
  const wd = (((toDayNumber(d) + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return wd + 1;
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return toDayNumber(a) - toDayNumber(b);
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return toDayNumber(a) <= toDayNumber(b) ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return toDayNumber(a) >= toDayNumber(b) ? a : b;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

function instantMs(instant: Date | string | number): number {
  const t = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(t)) throw new InvalidDateError(instant);
  return t;
}

/**
 * The China (Asia/Shanghai) calendar date of an instant — a `Date`, an ISO timestamp such as a
 * stored `publishedAt`, or epoch milliseconds. Every date Suiji shows or stores comes from here,
 * never from `toISOString().slice(0, 10)` (the UTC date: 07:52 in Beijing on 12-06 is still
 * 12-05 in UTC). China has used a fixed UTC+8 offset without daylight saving since 1991, so a
 * constant offset is exact for every date Suiji handles.
 */
export function chinaDate(instant: Date | string | number): IsoDate {
  return fromDayNumber(Math.floor((instantMs(instant) + CHINA_OFFSET_MS) / 86_400_000));
}

/** Today's China date for the given "now" (callers pass `now()` from shared/clock.ts). */
export function chinaToday(now: Date): IsoDate {
  return chinaDate(now);
}

/** An instant as China wall-clock time, `YYYY-MM-DD HH:mm`. */
export function chinaDateTime(instant: Date | string | number): string {
  const ms = instantMs(instant) + CHINA_OFFSET_MS;
  const minutes = Math.floor(ms / 60_000) - Math.floor(ms / 86_400_000) * 1440;
  return `${fromDayNumber(Math.floor(ms / 86_400_000))} ${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

// ---------------------------------------------------------------- override data

const OverrideDay = z.object({
  date: z.string({ error: '日期应为字符串' }),
  name: z.string({ error: '节假日名称应为字符串' }).trim().min(1, { error: '节假日名称不能为空' }),
});

const OverrideYear = z.object({
  source: z.string({ error: '缺少来源通知（source）' }).trim().min(1, { error: '来源通知（source）不能为空' }),
  holidays: z.array(OverrideDay, { error: '放假日期（holidays）应为数组' }),
  workdays: z.array(OverrideDay, { error: '调休上班日期（workdays）应为数组' }),
});
export type CalendarOverrideYear = z.infer<typeof OverrideYear>;
/** Year ("2027") → arrangement. Keys starting with "$" are ignored (comments). */
export type CalendarOverrides = Record<string, CalendarOverrideYear | string>;

/** Validates override data and returns it as a year → arrangement map; throws `CalendarOverrideError`. */
export function parseOverrides(raw: unknown): Map<number, CalendarOverrideYear> {
  const problems: string[] = [];
  const out = new Map<number, CalendarOverrideYear>();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CalendarOverrideError(['顶层应为以年份为键的 JSON 对象']);
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key.startsWith('$')) continue;
    if (!/^\d{4}$/.test(key)) {
      problems.push(`键“${key}”不是四位年份`);
      continue;
    }
    const year = Number(key);
    const parsed = OverrideYear.safeParse(value);
    if (!parsed.success) {
      for (const iss of parsed.error.issues) problems.push(`${year} 年 ${iss.path.join('.')}：${iss.message}`);
      continue;
    }
    const seen = new Map<string, string>();
    for (const list of ['holidays', 'workdays'] as const) {
      for (const day of parsed.data[list]) {
        const label = list === 'holidays' ? '放假日期' : '调休上班日期';
        if (!isValidIsoDate(day.date)) {
          problems.push(`${year} 年${label}“${day.date}”不是有效的 YYYY-MM-DD 日期`);
        } else if (!day.date.startsWith(`${key}-`)) {
          problems.push(`${year} 年${label}“${day.date}”不在 ${year} 年内`);
        } else if (seen.has(day.date)) {
          problems.push(`${year} 年日期“${day.date}”重复出现（${seen.get(day.date)}、${label}）`);
        } else {
          seen.set(day.date, label);
        }
      }
    }
    out.set(year, parsed.data);
  }
  if (problems.length) throw new CalendarOverrideError(problems);
  return out;
}

// ---------------------------------------------------------------- year tables

interface YearSource {
  source: string; // "chinese-days" or the override's notice
  holidays: Map<string, string>; // date → holiday name
  workdays: Map<string, string>; // date → holiday name the 调休 belongs to
}

interface YearTable {
  year: number;
  start: number; // day number of Jan 1
  len: number;
  work: Uint8Array; // 1 = working day, indexed by day of year
  cum: Uint16Array; // cum[i] = working days among days [0, i)
  src: YearSource;
}

/** Chinese holiday name from the package's "English,中文,n" value. */
function packageName(v: string): string {
  return v.split(',')[1] ?? v;
}

function packageYears(): Map<number, YearSource> {
  const years = new Map<number, YearSource>();
  const get = (date: string) => {
    const y = Number(date.slice(0, 4));
    let src = years.get(y);
    if (!src) {
      src = { source: 'chinese-days', holidays: new Map(), workdays: new Map() };
      years.set(y, src);
    }
    return src;
  };
  const data = packageData as { holidays: Record<string, string>; workdays: Record<string, string> };
  for (const [d, v] of Object.entries(data.holidays)) get(d).holidays.set(d, packageName(v));
  for (const [d, v] of Object.entries(data.workdays)) get(d).workdays.set(d, packageName(v));
  return years;
}

let packageCache: Map<number, YearSource> | undefined;

export interface CalendarOptions {
  /** Extra overrides with the highest precedence (same format as the override file). */
  overrides?: CalendarOverrides | Record<string, unknown>;
  /** Replaces the shipped override file (default: shared/domain/calendar-overrides.json). */
  fileOverrides?: CalendarOverrides | Record<string, unknown>;
  /** Use the chinese-days package data (default true). */
  usePackage?: boolean;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted-workday';

export interface DayInfo {
  date: IsoDate;
  working: boolean;
  kind: DayKind;
  /** Holiday name for holidays and adjusted working days (e.g. 春节). */
  name?: string;
  /** Where the year's arrangement comes from: "chinese-days" or the override's notice. */
  source: string;
}

/**
 * A working-day calendar over a fixed set of sources. Immutable after construction; safe to share.
 * Use `createCalendar()` or `new Calendar()`; the module-level functions use `defaultCalendar`.
 */
export class Calendar {
  private readonly sources = new Map<number, YearSource>();
  private readonly tables = new Map<number, YearTable>();
  private readonly years: number[];

  constructor(opts: CalendarOptions = {}) {
    if (opts.usePackage !== false) {
      packageCache ??= packageYears();
      for (const [y, s] of packageCache) this.sources.set(y, s);
    }
    for (const layer of [opts.fileOverrides ?? overridesFile, opts.overrides ?? {}]) {
      for (const [y, o] of parseOverrides(layer)) {
        this.sources.set(y, {
          source: o.source,
          holidays: new Map(o.holidays.map((h) => [h.date, h.name])),
          workdays: new Map(o.workdays.map((h) => [h.date, h.name])),
        });
      }
    }
    this.years = [...this.sources.keys()].sort((a, b) => a - b);
  }

  /** Years whose official arrangement is known, ascending. */
  coveredYears(): number[] {
    return [...this.years];
  }

  isCovered(year: number): boolean {
    return this.sources.has(year);
  }

  private table(year: number): YearTable {
    let t = this.tables.get(year);
    if (t) return t;
    const src = this.sources.get(year);
    if (!src) throw new CalendarYearNotCovered(year, this.years);
    const start = daysFromCivil(year, 1, 1);
    const len = isLeap(year) ? 366 : 365;
    const work = new Uint8Array(len);
    const cum = new Uint16Array(len + 1);
    for (let i = 0; i < len; i++) {
      const dn = start + i;
      const wd = (((dn + 3) % 7) + 7) % 7; // 0 = Monday
      const date = fromDayNumber(dn);
      let w = wd < 5 ? 1 : 0;
      if (src.holidays.has(date)) w = 0;
      if (src.workdays.has(date)) w = 1;
      work[i] = w;
      cum[i + 1] = cum[i]! + w;
    }
    t = { year, start, len, work, cum, src };
    this.tables.set(year, t);
    return t;
  }

  private tableForDay(dn: number): YearTable {
    return this.table(civilFromDays(dn)[0]);
  }

  private working(dn: number): boolean {
    const t = this.tableForDay(dn);
    return t.work[dn - t.start] === 1;
  }

  isWorkingDay(d: IsoDate): boolean {
    return this.working(toDayNumber(d));
  }

  /** Why a day is or is not a working day. */
  describeDay(d: IsoDate): DayInfo {
    const dn = toDayNumber(d);
    const t = this.tableForDay(dn);
    const date = fromDayNumber(dn);
    const source = t.src.source;
    const adjusted = t.src.workdays.get(date);
    if (adjusted !== undefined) return { date, working: true, kind: 'adjusted-workday', name: adjusted, source };
    const holiday = t.src.holidays.get(date);
    if (holiday !== undefined) return { date, working: false, kind: 'holiday', name: holiday, source };
    const weekend = isoWeekday(date) >= 6;
    return { date, working: !weekend, kind: weekend ? 'weekend' : 'workday', source };
  }

  /**
   * The n-th working day after d (d itself is not counted, whether or not it is a working day).
   * "Within 5 working days after the check on d" → due date `addWorkingDays(d, 5)`.
   * n = 0 returns d unchanged.
   */
  addWorkingDays(d: IsoDate, n: number): IsoDate {
    return this.stepWorkingDays(d, n, 1);
  }

  /** The n-th working day before d (d itself not counted). n = 0 returns d unchanged. */
  subtractWorkingDays(d: IsoDate, n: number): IsoDate {
    return this.stepWorkingDays(d, n, -1);
  }

  /** The n-th working day from d in direction `dir`, walking the years' working-day tables. */
  private stepWorkingDays(d: IsoDate, n: number, dir: 1 | -1): IsoDate {
    checkCount(n);
    const dn = toDayNumber(d);
    let t = this.tableForDay(dn);
    let i = dn - t.start;
    for (let left = n; left > 0; left -= t.work[i]!) {
      i += dir;
      if (i < 0 || i >= t.len) {
        t = this.table(t.year + dir);
        i = dir > 0 ? 0 : t.len - 1;
      }
    }
    return fromDayNumber(t.start + i);
  }

  /**
   * Working days in the half-open interval (a, b]: a is excluded, b included. So
   * `workingDaysBetween(a, addWorkingDays(a, n)) === n`, and for a missed due date,
   * `workingDaysBetween(due, today)` is how many working days it is overdue.
   * If b < a the result is −workingDaysBetween(b, a); equal dates give 0.
   */
  workingDaysBetween(a: IsoDate, b: IsoDate): number {
    const da = toDayNumber(a);
    const db = toDayNumber(b);
    if (db < da) return -this.countBetween(db, da) || 0; // never -0
    return this.countBetween(da, db);
  }

  private countBetween(da: number, db: number): number {
    const ta = this.tableForDay(da);
    const tb = this.tableForDay(db);
    const ia = da - ta.start;
    const ib = db - tb.start;
    if (ta.year === tb.year) return ta.cum[ib + 1]! - ta.cum[ia + 1]!;
    let n = ta.cum[ta.len]! - ta.cum[ia + 1]!;
    for (let y = ta.year + 1; y < tb.year; y++) {
      const t = this.table(y);
      n += t.cum[t.len]!;
    }
    return n + tb.cum[ib + 1]!;
  }

  /** d if it is a working day, otherwise the closest working day before it. */
  previousWorkingDayOnOrBefore(d: IsoDate): IsoDate {
    let dn = toDayNumber(d);
    while (!this.working(dn)) dn--;
    return fromDayNumber(dn);
  }

  /** d if it is a working day, otherwise the closest working day after it. */
  nextWorkingDayOnOrAfter(d: IsoDate): IsoDate {
    let dn = toDayNumber(d);
    while (!this.working(dn)) dn++;
    return fromDayNumber(dn);
  }

  /** Last working day of month m (1–12) of year y; may be an adjusted working Saturday. */
  lastWorkingDayOfMonth(y: number, m: number): IsoDate {
    checkMonth(m);
    return this.previousWorkingDayOnOrBefore(isoDate(y, m, daysInMonth(y, m)));
  }

  /** Last working day of quarter q (1–4) of year y. */
  lastWorkingDayOfQuarter(y: number, q: number): IsoDate {
    if (!Number.isInteger(q) || q < 1 || q > 4) throw new RangeError(`季度应为 1–4 的整数，实际为 ${q}`);
    return this.lastWorkingDayOfMonth(y, q * 3);
  }

  /** All working days in [from, to], ascending. */
  workingDaysInRange(from: IsoDate, to: IsoDate): IsoDate[] {
    const out: IsoDate[] = [];
    for (let dn = toDayNumber(from), end = toDayNumber(to); dn <= end; dn++) {
      if (this.working(dn)) out.push(fromDayNumber(dn));
    }
    return out;
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`工作日天数应为非负整数，实际为 ${n}`);
}

function checkMonth(m: number): void {
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new RangeError(`月份应为 1–12 的整数，实际为 ${m}`);
}

export function createCalendar(opts: CalendarOptions = {}): Calendar {
  return new Calendar(opts);
}

/** The calendar built from the package and the shipped override file. */
export const defaultCalendar = new Calendar();

// Module-level conveniences over `defaultCalendar`.
export const isWorkingDay = (d: IsoDate) => defaultCalendar.isWorkingDay(d);
export const addWorkingDays = (d: IsoDate, n: number) => defaultCalendar.addWorkingDays(d, n);
export const subtractWorkingDays = (d: IsoDate, n: number) => defaultCalendar.subtractWorkingDays(d, n);
export const workingDaysBetween = (a: IsoDate, b: IsoDate) => defaultCalendar.workingDaysBetween(a, b);
export const lastWorkingDayOfMonth = (y: number, m: number) => defaultCalendar.lastWorkingDayOfMonth(y, m);
export const lastWorkingDayOfQuarter = (y: number, q: number) => defaultCalendar.lastWorkingDayOfQuarter(y, q);
export const previousWorkingDayOnOrBefore = (d: IsoDate) => defaultCalendar.previousWorkingDayOnOrBefore(d);
export const nextWorkingDayOnOrAfter = (d: IsoDate) => defaultCalendar.nextWorkingDayOnOrAfter(d);
export const coveredYears = () => defaultCalendar.coveredYears();
export const describeDay = (d: IsoDate) => defaultCalendar.describeDay(d);
