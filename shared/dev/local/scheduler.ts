/**
 * Local EventBridge Scheduler (and scheduled EventBridge rules): reads every
 * AWS::Scheduler::Schedule and scheduled AWS::Events::Rule of the synthesized template, computes
 * their occurrences in the schedule's time zone with the EventBridge cron syntax, and invokes
 * the target Lambda (or starts the target state machine) once per occurrence.
 *
 * `runDue(from, to)` fires every occurrence in [from, to] in time order (the fast-forward demo
 * moves the injected clock and calls it); `start()` ticks in real time with catch-up of missed
 * occurrences inside the target's retry window (MaximumEventAgeInSeconds), like Scheduler. Both
 * keep a per-schedule watermark in DynamoDB (the last occurrence handled), so a restart fires
 * nothing twice and misses nothing. A crash between an invocation and its watermark write fires
 * that occurrence again: at-least-once, as in AWS (the handlers are idempotent).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { getItem, isConditionFailure, putItem, updateItem } from '../../store/base.js';
import { now } from '../../clock.js';
import type { Intrinsics, LocalLambdas, LocalTemplate } from './lambdas.js';
import type { LocalStepFunctions } from './sfn.js';

// ---------------------------------------------------------------------------------------------
// EventBridge cron expressions
// ---------------------------------------------------------------------------------------------

export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleExpressionError';
  }
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type DomSpec =
  | { kind: 'none' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'last' }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };
type DowSpec = { kind: 'none' } | { kind: 'set'; values: Set<number> } | { kind: 'lastOf'; dow: number } | { kind: 'nth'; dow: number; n: number };

export interface CronExpression {
  expression: string;
  minutes: number[];
  hours: number[];
  months: Set<number>;
  /** undefined: every year. */
  years?: Set<number>;
  dom: DomSpec;
  dow: DowSpec;
}

function parseValue(raw: string, field: string, min: number, max: number, names?: string[], nameBase = 1): number {
  const upper = raw.toUpperCase();
  let v: number;
  if (/^\d+$/.test(raw)) v = Number(raw);
  else if (names && names.includes(upper)) v = names.indexOf(upper) + nameBase;
  else throw new ScheduleExpressionError(`${field}: "${raw}" is not a valid value`);
  if (v < min || v > max) throw new ScheduleExpressionError(`${field}: ${v} is outside ${min}-${max}`);
  return v;
}

/** `*`, `a`, `a-b` (wrapping when a > b), `x/step`, and comma lists of these. */
function parseList(text: string, field: string, min: number, max: number, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (!item) throw new ScheduleExpressionError(`${field}: empty list item in "${text}"`);
    if (/[LW#?]/i.test(item) && !(names && names.includes(item.toUpperCase()))) {
      throw new ScheduleExpressionError(`${field}: "${item}" is not allowed here (L, W, # and ? stand alone, in their own fields)`);
    }
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined) throw new ScheduleExpressionError(`${field}: "${item}" has more than one step`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw new ScheduleExpressionError(`${field}: step "${stepPart}" must be a positive integer`);
      step = Number(stepPart);
    }
    let from: number;
    let to: number;
    if (rangePart === '*') {
      from = min;
      to = max;
    } else if (rangePart!.includes('-')) {
      const [a, b, more] = rangePart!.split('-');
      if (more !== undefined || !a || !b) throw new ScheduleExpressionError(`${field}: "${item}" is not a valid range`);
      from = parseValue(a, field, min, max, names);
      to = parseValue(b, field, min, max, names);
    } else {
      from = parseValue(rangePart!, field, min, max, names);
      to = stepPart !== undefined ? max : from;
    }
    const span = to >= from ? to - from : max - from + 1 + (to - min);
    for (let k = 0; k <= span; k += step) out.add(((from - min + k) % (max - min + 1)) + min);
  }
  return out;
}

/** Parse `cron(min hour day-of-month month day-of-week year)` (the wrapper is optional). */
export function parseCron(expression: string): CronExpression {
  const m = /^\s*(?:cron\((.*)\)|(.*))\s*$/.exec(expression);
  const body = (m?.[1] ?? m?.[2] ?? '').trim();
  const f = body.split(/\s+/);
  if (f.length !== 6) throw new ScheduleExpressionError(`cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), got ${f.length}: "${expression}"`);
  const [min, hour, dom, month, dow, year] = f as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(`exactly one of day-of-month and day-of-week must be "?" in "${expression}"`);
  }
  let domSpec: DomSpec;
  const domU = dom.toUpperCase();
  if (dom === '?') domSpec = { kind: 'none' };
  else if (domU === 'L') domSpec = { kind: 'last' };
  else if (domU === 'LW') domSpec = { kind: 'lastWeekday' };
  else if (/^\d+W$/.test(domU)) domSpec = { kind: 'nearestWeekday', day: parseValue(domU.slice(0, -1), 'day-of-month', 1, 31) };
  else if (/^L-/.test(domU)) throw new ScheduleExpressionError(`day-of-month: "${dom}" (offset from the last day) is not supported by EventBridge`);
  else domSpec = { kind: 'set', values: parseList(dom, 'day-of-month', 1, 31) };
  let dowSpec: DowSpec;
  const dowU = dow.toUpperCase();
  if (dow === '?') dowSpec = { kind: 'none' };
  else if (dowU === 'L') dowSpec = { kind: 'set', values: new Set([7]) }; // as in Quartz: L alone is the last day of the week, SAT
  else if (/^[A-Z0-9]+L$/.test(dowU)) dowSpec = { kind: 'lastOf', dow: parseValue(dowU.slice(0, -1), 'day-of-week', 1, 7, DAY_NAMES) };
  else if (/^[A-Z0-9]+#\d+$/.test(dowU)) {
    const [d, n] = dowU.split('#') as [string, string];
    const nth = Number(n);
    if (nth < 1 || nth > 5) throw new ScheduleExpressionError(`day-of-week: "#${n}" must be 1-5`);
    dowSpec = { kind: 'nth', dow: parseValue(d, 'day-of-week', 1, 7, DAY_NAMES), n: nth };
  } else dowSpec = { kind: 'set', values: parseList(dow, 'day-of-week', 1, 7, DAY_NAMES) };
  return {
    expression,
    minutes: [...parseList(min, 'minutes', 0, 59)].sort((a, b) => a - b),
    hours: [...parseList(hour, 'hours', 0, 23)].sort((a, b) => a - b),
    months: parseList(month, 'month', 1, 12, MONTH_NAMES),
    ...(year === '*' ? {} : { years: parseList(year, 'year', 1970, 2199) }),
    dom: domSpec,
    dow: dowSpec,
  };
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** 1 = SUN … 7 = SAT, as in EventBridge. */
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

/** Does the calendar date (in the schedule's zone) match the day fields? */
export function cronMatchesDate(c: CronExpression, y: number, m: number, d: number): boolean {
  if (c.years && !c.years.has(y)) return false;
  if (!c.months.has(m)) return false;
  const last = daysIn(y, m);
  const wd = weekday(y, m, d);
  switch (c.dom.kind) {
    case 'set':
      return c.dom.values.has(d);
    case 'last':
      return d === last;
    case 'lastWeekday': {
      const lw = weekday(y, m, last);
      return d === (lw === 7 ? last - 1 : lw === 1 ? last - 2 : last);
    }
    case 'nearestWeekday': {
      const n = c.dom.day;
      if (n > last) return false;
      const nw = weekday(y, m, n);
      // Nearest weekday, never leaving the month.
      const target = nw === 7 ? (n === 1 ? 3 : n - 1) : nw === 1 ? (n === last ? n - 2 : n + 1) : n;
      return d === target;
    }
    case 'none':
      break;
  }
  switch (c.dow.kind) {
    case 'set':
      return c.dow.values.has(wd);
    case 'lastOf':
      return wd === c.dow.dow && d + 7 > last;
    case 'nth':
      return wd === c.dow.dow && Math.ceil(d / 7) === c.dow.n;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Time zones (Intl; no DST assumptions)
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new ScheduleExpressionError(`unknown time zone "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
export function zonedParts(t: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

function offsetAt(t: number, tz: string): number {
  const base = Math.floor(t / 1000) * 1000;
  const p = zonedParts(base, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - base;
}

/**
 * The instant of a wall-clock time in a zone. A time skipped by a DST change maps to the
 * instant after the gap; a repeated one to its first occurrence.
 */
export function zonedTimeToUtc(y: number, m: number, d: number, h: number, mi: number, tz: string, s = 0): number {
  const wall = Date.UTC(y, m - 1, d, h, mi, s);
  let t = wall - offsetAt(wall, tz);
  const o2 = offsetAt(t, tz);
  if (wall - o2 !== t) t = wall - o2;
  return t;
}

/** Occurrences of a cron expression in [from, to] (inclusive), in time order. */
export function cronOccurrences(c: CronExpression, tz: string, from: number, to: number): number[] {
  if (to < from) return [];
  const out: number[] = [];
  const a = zonedParts(from, tz);
  const b = zonedParts(to, tz);
  const end = Date.UTC(b.y, b.m - 1, b.d);
  for (let day = Date.UTC(a.y, a.m - 1, a.d); day <= end; day += 86_400_000) {
    const dt = new Date(day);
    const y = dt.getUTCFullYear();
    const m = dt.getUTCMonth() + 1;
    const d = dt.getUTCDate();
    if (!cronMatchesDate(c, y, m, d)) continue;
    for (const h of c.hours) {
      for (const mi of c.minutes) {
        const t = zonedTimeToUtc(y, m, d, h, mi, tz);
        if (t >= from && t <= to) out.push(t);
      }
    }
  }
  return out.sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------
// Schedule expressions: cron, rate, at
// ---------------------------------------------------------------------------------------------

export type ScheduleExpression =
  | { kind: 'cron'; cron: CronExpression }
  | { kind: 'rate'; periodMs: number }
  | { kind: 'at'; wall: [number, number, number, number, number, number] };

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const e = expression.trim();
  if (e.startsWith('cron(')) return { kind: 'cron', cron: parseCron(e) };
  let m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(e);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2]!;
    if (n < 1) throw new ScheduleExpressionError(`rate must be positive: "${expression}"`);
    if ((n === 1) === unit.endsWith('s')) throw new ScheduleExpressionError(`rate unit must be singular for 1 and plural otherwise: "${expression}"`);
    return { kind: 'rate', periodMs: n * RATE_UNITS[unit.replace(/s$/, '')]! };
  }
  m = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(e);
  if (m) return { kind: 'at', wall: m.slice(1, 7).map(Number) as [number, number, number, number, number, number] };
  throw new ScheduleExpressionError(`unsupported schedule expression "${expression}" (cron(...), rate(...) or at(...))`);
}

// ---------------------------------------------------------------------------------------------
// Schedules of the template
// ---------------------------------------------------------------------------------------------

export interface LocalSchedule {
  /** Unique key: the schedule's name, or `<rule>#<target id>` for rule targets. */
  name: string;
  logicalId: string;
  source: 'scheduler' | 'rule';
  arn: string;
  expression: string;
  parsed: ScheduleExpression;
  timezone: string;
  enabled: boolean;
  startDate?: number;
  endDate?: number;
  target: { arn: string; kind: 'lambda' | 'stateMachine' };
  /** Scheduler: Target.Input. Rule: Input (JSON text). */
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  maxEventAgeSeconds: number;
  maxRetryAttempts: number;
}

function targetKind(arn: string, where: string): 'lambda' | 'stateMachine' {
  if (/^arn:[\w-]+:lambda:/.test(arn)) return 'lambda';
  if (/^arn:[\w-]+:states:[\w-]+:\d+:stateMachine:/.test(arn)) return 'stateMachine';
  throw new ScheduleExpressionError(`${where}: target ${arn} cannot run locally (Lambda functions and state machines only)`);
}

/** Every schedule of a template, expressions parsed (errors name the resource). */
export function schedulesOf(template: LocalTemplate, intrinsics: Intrinsics): LocalSchedule[] {
  const out: LocalSchedule[] = [];
  for (const [logicalId, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::Scheduler::Schedule' && res.Type !== 'AWS::Events::Rule') continue;
    const p = (intrinsics.resolve(res.Properties ?? {}) ?? {}) as Record<string, unknown>;
    const parse = (expr: string): ScheduleExpression => {
      try {
        return parseScheduleExpression(expr);
      } catch (e) {
        throw new ScheduleExpressionError(`${logicalId}: ${(e as Error).message}`);
      }
    };
    if (res.Type === 'AWS::Scheduler::Schedule') {
      const t = (p.Target ?? {}) as { Arn: string; Input?: string; RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number } };
      const timezone = typeof p.ScheduleExpressionTimezone === 'string' ? p.ScheduleExpressionTimezone : 'UTC';
      formatter(timezone);
      out.push({
        name: typeof p.Name === 'string' ? p.Name : logicalId,
        logicalId,
        source: 'scheduler',
        arn: intrinsics.arn(logicalId),
        expression: String(p.ScheduleExpression),
        parsed: parse(String(p.ScheduleExpression)),
        timezone,
        enabled: p.State !== 'DISABLED',
        ...(typeof p.StartDate === 'string' ? { startDate: Date.parse(p.StartDate) } : {}),
        ...(typeof p.EndDate === 'string' ? { endDate: Date.parse(p.EndDate) } : {}),
        target: { arn: t.Arn, kind: targetKind(t.Arn, logicalId) },
        ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
        maxEventAgeSeconds: t.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
        maxRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts ?? 185,
      });
    } else if (res.Type === 'AWS::Events::Rule' && typeof p.ScheduleExpression === 'string') {
      const name = typeof p.Name === 'string' ? p.Name : logicalId;
      for (const t of (p.Targets ?? []) as { Id: string; Arn: string; Input?: string; InputPath?: string; InputTransformer?: LocalSchedule['inputTransformer']; RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number } }[]) {
        out.push({
          name: `${name}#${t.Id}`,
          logicalId,
          source: 'rule',
          arn: intrinsics.arn(logicalId),
          expression: p.ScheduleExpression,
          parsed: parse(p.ScheduleExpression),
          timezone: 'UTC', // scheduled rules have no time zone
          enabled: p.State !== 'DISABLED',
          target: { arn: t.Arn, kind: targetKind(t.Arn, `${logicalId}.${t.Id}`) },
          ...(t.Input !== undefined ? { input: t.Input } : {}),
          ...(t.InputPath !== undefined ? { inputPath: t.InputPath } : {}),
          ...(t.InputTransformer ? { inputTransformer: t.InputTransformer } : {}),
          maxEventAgeSeconds: t.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
          maxRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts ?? 185,
        });
      }
    }
  }
  return out;
}

/** Occurrences of a schedule in [from, to]; rate schedules count from `anchor`. */
export function occurrences(s: LocalSchedule, from: number, to: number, anchor: number): number[] {
  const lo = Math.max(from, s.startDate ?? -Infinity);
  const hi = Math.min(to, s.endDate ?? Infinity);
  if (hi < lo) return [];
  switch (s.parsed.kind) {
    case 'cron':
      return cronOccurrences(s.parsed.cron, s.timezone, lo, hi);
    case 'at': {
      const [y, m, d, h, mi, sec] = s.parsed.wall;
      const t = zonedTimeToUtc(y, m, d, h, mi, s.timezone, sec);
      return t >= lo && t <= hi ? [t] : [];
    }
    case 'rate': {
      const p = s.parsed.periodMs;
      const base = s.startDate ?? anchor;
      const out: number[] = [];
      for (let k = Math.max(1, Math.ceil((lo - base) / p)); base + k * p <= hi; k++) out.push(base + k * p);
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

const isoSeconds = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

function jsonPath(obj: unknown, path: string): unknown {
  if (path === '$') return obj;
  if (!/^\$(\.[\w-]+)+$/.test(path)) throw new ScheduleExpressionError(`input path "${path}" is not supported locally (simple $.a.b paths only)`);
  let v: unknown = obj;
  for (const k of path.slice(2).split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** EventBridge input transformer: `<name>` inside quotes is the raw text, outside a JSON value. */
function transform(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '"' && template[i - 1] !== '\\') inString = !inString;
    if (c === '<') {
      const close = template.indexOf('>', i);
      const key = close > i ? template.slice(i + 1, close) : '';
      if (key && key in values) {
        const v = values[key];
        out += inString ? (typeof v === 'string' ? v : JSON.stringify(v)) : JSON.stringify(v ?? null);
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function payloadFor(s: LocalSchedule, t: number, attempt: number, intrinsics: Intrinsics): unknown {
  if (s.source === 'scheduler') {
    if (s.input === undefined) return {};
    const text = s.input
      .replaceAll('<aws.scheduler.scheduled-time>', isoSeconds(t))
      .replaceAll('<aws.scheduler.execution-id>', randomBytes(8).toString('hex'))
      .replaceAll('<aws.scheduler.attempt-number>', String(attempt))
      .replaceAll('<aws.scheduler.schedule-arn>', s.arn);
    return JSON.parse(text) as unknown;
  }
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: intrinsics.account,
    time: isoSeconds(t),
    region: intrinsics.region,
    resources: [s.arn],
    detail: {},
  };
  if (s.input !== undefined) return JSON.parse(s.input) as unknown;
  if (s.inputPath !== undefined) return jsonPath(event, s.inputPath);
  if (s.inputTransformer) {
    const values: Record<string, unknown> = { 'aws.events.rule-arn': s.arn, 'aws.events.rule-name': s.logicalId, 'aws.events.event': event, 'aws.events.event.ingestion-time': event.time };
    for (const [k, path] of Object.entries(s.inputTransformer.InputPathsMap ?? {})) values[k] = jsonPath(event, path);
    const text = transform(s.inputTransformer.InputTemplate, values);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return event;
}

// ---------------------------------------------------------------------------------------------
// The scheduler
// ---------------------------------------------------------------------------------------------

export const SCHED_KEYS = {
  state: (name: string) => ({ pk: `SCHED#${name}`, sk: 'STATE' }),
  failure: (name: string, at: string) => ({ pk: `SCHED#${name}`, sk: `FAIL#${at}` }),
};

interface ScheduleState {
  /** Every occurrence at or before it has been handled (ISO instant). */
  watermark?: string;
  lastFired?: string;
  fired?: number;
  failed?: number;
  missed?: number;
  /** Start of rate schedules without StartDate. */
  anchor?: string;
}

export interface FiredOccurrence {
  schedule: string;
  at: Date;
  attempts: number;
  ok: boolean;
  error?: string;
}

export interface LocalSchedulerOptions {
  template: LocalTemplate;
  lambdas: LocalLambdas;
  /** Needed only when a schedule targets a state machine. */
  sfn?: LocalStepFunctions;
  /** Attempts per occurrence before it is given up (capped by the target's MaximumRetryAttempts + 1). */
  maxAttempts?: number;
  /** Called before each invocation, e.g. to set the demo's ManualClock to the occurrence. */
  beforeInvoke?: (occurrence: Date, schedule: LocalSchedule) => void | Promise<void>;
  log?: (line: string) => void;
}

export class LocalScheduler {
  readonly schedules: LocalSchedule[];
  private readonly intrinsics: Intrinsics;
  private readonly log: (line: string) => void;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(private readonly opts: LocalSchedulerOptions) {
    this.intrinsics = opts.lambdas.intrinsics;
    this.log = opts.log ?? ((l) => console.warn(l));
    this.schedules = schedulesOf(opts.template, this.intrinsics);
    for (const s of this.schedules) {
      if (s.target.kind === 'lambda') opts.lambdas.find(s.target.arn);
      else if (!opts.sfn) throw new ScheduleExpressionError(`${s.name} targets a state machine: pass the local Step Functions adapter`);
    }
  }

  /** One operation at a time: a tick never overlaps a runDue. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * A schedule's record. Read once per instance and kept in memory afterwards: one scheduler
   * runs per platform, and the writes stay conditional on the watermark anyway.
   */
  async state(name: string): Promise<ScheduleState> {
    let st = this.states.get(name);
    if (!st) {
      st = (await getItem<ScheduleState & { pk: string; sk: string }>(SCHED_KEYS.state(name), true)) ?? {};
      this.states.set(name, st);
    }
    return st;
  }
  private readonly states = new Map<string, ScheduleState>();

  /** Fire every occurrence in [from, to] not handled yet, in time order across schedules. */
  runDue(from: Date, to: Date, opts: { coalesceRates?: boolean } = {}): Promise<FiredOccurrence[]> {
    return this.exclusive(() => this.fireWindow(() => from.getTime(), to.getTime(), from.getTime(), false, opts.coalesceRates ?? false));
  }

  /**
   * `coalesceRates`: a rate schedule fires once for the window, at its last occurrence. For a
   * fast-forward that moves a day at a time: the every-minute recovery job would otherwise run
   * 1,440 times per simulated day, each finding what the previous run found.
   */
  private async fireWindow(lower: (s: LocalSchedule, st: ScheduleState) => number, to: number, anchorDefault: number, windowed: boolean, coalesceRates = false): Promise<FiredOccurrence[]> {
    const due: { s: LocalSchedule; t: number; order: number }[] = [];
    const fresh: string[] = [];
    for (const [order, s] of this.schedules.entries()) {
      if (!s.enabled) continue;
      const st = await this.state(s.name);
      if (!st.watermark) fresh.push(s.name);
      let anchor = st.anchor ? Date.parse(st.anchor) : undefined;
      if (s.parsed.kind === 'rate' && anchor === undefined && s.startDate === undefined) {
        anchor = anchorDefault;
        st.anchor = new Date(anchor).toISOString();
        await updateItem(SCHED_KEYS.state(s.name), { set: { anchor: st.anchor } });
      }
      const wm = st.watermark ? Date.parse(st.watermark) : -Infinity;
      let lo = Math.max(lower(s, st), wm + 1);
      if (windowed) {
        // Like Scheduler: an occurrence older than the target's retry window is dropped.
        const oldest = to - s.maxEventAgeSeconds * 1000;
        if (lo < oldest) {
          const missed = occurrences(s, lo, oldest - 1, anchor ?? anchorDefault).length;
          if (missed) {
            this.log(`[scheduler] ${s.name}: ${missed} occurrence(s) older than the ${s.maxEventAgeSeconds} s retry window dropped`);
            st.missed = (st.missed ?? 0) + missed;
            await updateItem(SCHED_KEYS.state(s.name), { add: { missed } });
            await this.advance(s.name, oldest - 1, false);
          }
          lo = oldest;
        }
      }
      const times = occurrences(s, lo, to, anchor ?? anchorDefault);
      for (const t of coalesceRates && s.parsed.kind === 'rate' ? times.slice(-1) : times) due.push({ s, t, order });
    }
    due.sort((a, b) => a.t - b.t || a.order - b.order);
    const fired: FiredOccurrence[] = [];
    for (const { s, t } of due) fired.push(await this.fire(s, t));
    // A schedule seen for the first time is handled up to `to` from now on (a later start()
    // catches up from here, not from its own start).
    for (const name of fresh) await this.advance(name, to, false);
    return fired;
  }

  private async fire(s: LocalSchedule, t: number): Promise<FiredOccurrence> {
    const attempts = Math.max(1, Math.min(this.opts.maxAttempts ?? 3, s.maxRetryAttempts + 1));
    let error: string | undefined;
    let n = 0;
    for (n = 1; n <= attempts; n++) {
      try {
        await this.opts.beforeInvoke?.(new Date(t), s);
        const payload = payloadFor(s, t, n, this.intrinsics);
        if (s.target.kind === 'lambda') await this.opts.lambdas.invoke(s.target.arn, payload);
        else {
          await this.opts.sfn!.startExecution({
            stateMachineArn: s.target.arn,
            name: `${s.name.replace(/[^\w-]/g, '-').slice(0, 50)}-${t}`,
            input: JSON.stringify(payload),
          });
        }
        error = undefined;
        break;
      } catch (e) {
        error = `${(e as Error).name}: ${(e as Error).message}`;
        this.log(`[scheduler] ${s.name} at ${isoSeconds(t)}, attempt ${n}/${attempts}: ${error}`);
      }
    }
    const at = new Date(t).toISOString();
    if (error) await putItem({ ...SCHED_KEYS.failure(s.name, at), schedule: s.name, at, error, attempts: Math.min(n, attempts) });
    await this.advance(s.name, t, true, !error);
    return { schedule: s.name, at: new Date(t), attempts: Math.min(n, attempts), ok: !error, ...(error ? { error } : {}) };
  }

  /** Move the watermark forward (never back). */
  private async advance(name: string, t: number, occurrence: boolean, ok = true): Promise<void> {
    const iso = new Date(t).toISOString();
    const st = this.states.get(name);
    if (st && (!st.watermark || st.watermark < iso)) {
      st.watermark = iso;
      if (occurrence && ok) {
        st.lastFired = iso;
        st.fired = (st.fired ?? 0) + 1;
      } else if (occurrence) st.failed = (st.failed ?? 0) + 1;
    }
    try {
      await updateItem(SCHED_KEYS.state(name), {
        set: { watermark: iso, ...(occurrence && ok ? { lastFired: iso } : {}) },
        ...(occurrence ? { add: ok ? { fired: 1 } : { failed: 1 } } : {}),
        condition: 'attribute_not_exists(#w) OR #w < :t',
        names: { '#w': 'watermark' },
        values: { ':t': iso },
      });
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  /**
   * Tick in real time on the injected clock. On the first start ever nothing in the past fires;
   * after a restart, occurrences missed while down fire now, within each target's retry window.
   */
  start(opts: { pollMs?: number } = {}): void {
    if (this.timer) return;
    this.startedAt = now().getTime();
    const tick = (): void => {
      void this.exclusive(() => this.fireWindow((_s, st) => (st.watermark ? -Infinity : this.startedAt), now().getTime(), this.startedAt, true)).catch((e) =>
        this.log(`[scheduler] tick failed: ${(e as Error).stack ?? e}`),
      );
    };
    tick();
    this.timer = setInterval(tick, opts.pollMs ?? 1000);
    this.timer.unref();
  }

  /** Stop ticking; resolves when the operation in progress is done. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue;
  }
}
