/**
 * Local Step Functions, the segment: one run of the interpreter for one execution, from its
 * recorded state until it ends or parks at a callback state, writing the execution record, the
 * AWS-shaped event history and task tokens to the Suiji table, every write fenced by the
 * segment number (see sfn.ts). Also the records and keys both the segment and the service use.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { transact, type Item, type TransactItem } from '../../store/base.js';
import { pad } from '../../store/keys.js';
import { now, nowIso } from '../../clock.js';
import { LambdaFunctionError, LambdaServiceError } from './lambdas.js';
import { runnerFor, type Json, type LocalStateMachine, type TaskBinding, type WaitSpec } from './sfn-definition.js';
import type { LocalStepFunctions } from './sfn.js';

// ---------------------------------------------------------------------------------------------
// Limits, keys, records
// ---------------------------------------------------------------------------------------------

/** Step Functions quotas the local platform enforces like AWS. */
export const SFN_LIMITS = { payloadBytes: 262_144, historyEvents: 25_000 } as const;
const TRANSACTION_ITEMS = 25;
const TRANSACTION_BYTES = 3_500_000;

/** Key builders of the local Step Functions items in the Suiji table. */
export const SFN_KEYS = {
  execution: (arn: string) => ({ pk: `SFNEXEC#${arn}`, sk: 'META' }),
  event: (arn: string, id: number) => ({ pk: `SFNEXEC#${arn}`, sk: `EV#${pad(id, 6)}` }),
  eventsPk: (arn: string) => `SFNEXEC#${arn}`,
  eventPrefix: 'EV#',
  /** Executions of a state machine by start date (ListExecutions). */
  listed: (smArn: string, startIso: string, name: string) => ({ pk: `SFNSM#${smArn}`, sk: `EXEC#${startIso}#${name}` }),
  listedPk: (smArn: string) => `SFNSM#${smArn}`,
  listedPrefix: 'EXEC#',
  /** Marker present while an execution runs: resumeAll reads these, never a scan. */
  running: (smArn: string, arn: string) => ({ pk: `SFNSM#${smArn}`, sk: `RUN#${arn}` }),
  runningPrefix: 'RUN#',
  token: (token: string) => ({ pk: `SFNTOKEN#${token}`, sk: 'TOKEN' }),
};

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecRecord extends Item {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  inputHash: string;
  output?: string;
  error?: string;
  cause?: string;
  listSk: string;
  /** Current top-level state, its raw input and the id of its StateEntered event (the visit). */
  state?: string;
  stateType?: string;
  stateInput?: string;
  stateVisit?: number;
  stateEnteredAt?: string;
  /** Pending callback token of the current visit. */
  token?: string;
  tokenVisit?: number;
  /** No segment runs: the execution is parked at a callback state, or at a Wait state until `wakeAt`. */
  waiting?: boolean;
  /** Parked at a Wait state: when it ends (injected clock), and the visit it belongs to. */
  wakeAt?: string;
  wakeVisit?: number;
  segment: number;
  owner: string;
  eventCount: number;
  transitions: number;
  maxPayloadBytes: number;
  timeoutAt?: string;
}

type TokenStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'DEAD';
export interface TokenRecord extends Item {
  token: string;
  executionArn: string;
  stateName: string;
  visit: number;
  status: TokenStatus;
  invoked: boolean;
  createdAt: string;
  output?: string;
  error?: string;
  cause?: string;
  completedAt?: string;
  timeoutAt?: string;
  heartbeatSeconds?: number;
  heartbeatAt?: string;
}

export interface EventItem extends Item {
  id: number;
  previousEventId: number;
  ts: string;
  type: string;
  /** Name of the details member (e.g. stateEnteredEventDetails) and its JSON. */
  dk?: string;
  d?: string;
}

/** Errors named like the Step Functions API's (the HTTP server returns them as `__type`). */
export class SfnError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveStatus: string;
}

export interface ExecutionStats {
  status: ExecutionStatus;
  /** State transitions as AWS bills them: states entered plus retries. */
  transitions: number;
  historyEvents: number;
  /** Largest state input/output seen, in bytes (the quota is 262,144). */
  maxPayloadBytes: number;
  /** One row per top-level state visit, with its duration on the injected clock. */
  states: { name: string; enteredAt: string; exitedAt?: string; ms?: number }[];
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Opaque task tokens: random body plus a check so malformed tokens are told apart (InvalidToken). */
function mintToken(): string {
  const body = randomBytes(24);
  const check = createHash('sha256').update(body).digest().subarray(0, 6);
  return `AQ${Buffer.concat([body, check]).toString('base64url')}`;
}
export function wellFormedToken(token: unknown): token is string {
  if (typeof token !== 'string' || !/^AQ[A-Za-z0-9_-]{40}$/.test(token)) return false;
  const raw = Buffer.from(token.slice(2), 'base64url');
  return createHash('sha256').update(raw.subarray(0, 24)).digest().subarray(0, 6).equals(raw.subarray(24));
}

export const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** An error the interpreter neither retries nor catches: used to unwind a run we end ourselves. */
function unwind(): Error {
  return Object.assign(new Error('segment ended'), { name: 'Suiji.SegmentEnded', isRetryable: false, isCatchable: false });
}

/** An error that Retry/Catch match by name, with the cause the interpreter exposes as `Cause`. */
function stateError(name: string, cause: string): Error {
  const e = new Error(cause);
  e.name = name;
  return e;
}

function lambdaError(e: unknown): { error: string; cause: string } {
  if (e instanceof LambdaFunctionError) return { error: e.errorType, cause: JSON.stringify(e.payload) };
  if (e instanceof LambdaServiceError) return { error: `Lambda.${e.name}`, cause: e.message };
  const err = e as Error;
  return { error: 'Lambda.Unknown', cause: err?.message ?? String(e) };
}

/** The result shape of arn:aws:states:::lambda:invoke. */
function invokeResult(payload: unknown, statusCode = 200): Json {
  const requestId = randomUUID();
  const headers = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId };
  return {
    ExecutedVersion: '$LATEST',
    Payload: (payload ?? null) as Json,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

let timeoutErrorClass: (new () => Error) | undefined;
/**
 * The interpreter's own States.Timeout error class (not exported): `States.TaskFailed` catchers
 * must not match a timeout, and the interpreter decides that with `instanceof`. Captured once
 * from a 1 ms run.
 */
async function statesTimeoutError(): Promise<Error> {
  if (!timeoutErrorClass) {
    const probe = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:probe', TimeoutSeconds: 0.001, End: true } } } as never,
      { validationOptions: { noValidate: true } },
    );
    try {
      await probe.run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise(() => undefined) } } }).result;
    } catch (e) {
      timeoutErrorClass = (e as Error).cause?.constructor as new () => Error;
    }
    if (!timeoutErrorClass) throw new Error('could not obtain the interpreter States.Timeout error');
  }
  return new timeoutErrorClass();
}

/** A reference path `$.a.b` into a state's input. */
function atPath(input: Json, path: string): Json | undefined {
  if (path === '$') return input;
  if (!/^\$(\.[A-Za-z_][\w-]*)+$/.test(path)) throw stateError('States.Runtime', `local Step Functions: only simple paths ($.a.b) are supported in Wait states, got ${path}`);
  let v: Json | undefined = input;
  for (const k of path.slice(2).split('.')) v = v && typeof v === 'object' && !Array.isArray(v) ? v[k] : undefined;
  return v;
}

/** When a Wait state entered at `at` ends (ISO). Errors as Step Functions names them. */
function waitEnd(state: string, w: WaitSpec, input: Json, at: Date): string {
  let secs: unknown = w.Seconds;
  if (w.SecondsPath) secs = atPath(input, w.SecondsPath);
  if (secs !== undefined) {
    if (typeof secs !== 'number' || !Number.isInteger(secs) || secs < 0) throw stateError('States.Runtime', `The SecondsPath parameter of Wait state '${state}' does not reference a non-negative integer`);
    return new Date(at.getTime() + secs * 1000).toISOString();
  }
  const ts = w.TimestampPath ? atPath(input, w.TimestampPath) : w.Timestamp;
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) throw stateError('States.Runtime', `The TimestampPath parameter of Wait state '${state}' does not reference a valid ISO-8601 timestamp`);
  return new Date(Date.parse(ts)).toISOString();
}

function failureOf(e: unknown): { error?: string; cause?: string } {
  const inner = (e instanceof ExecutionError ? (e as Error).cause : e) as Error | undefined;
  if (!inner) return { error: 'States.Runtime', cause: String(e) };
  let error: string | undefined = inner.name;
  let cause: string | undefined = inner.message;
  if (inner.constructor?.name === 'FailStateError') {
    if (error === 'FailStateError') error = undefined;
    if (cause === 'Execution failed because of a Fail state') cause = undefined;
  }
  return { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
}

export function detailKey(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  if (type === 'LambdaFunctionStarted') return undefined;
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

/** Build an UpdateExpression from plain SET/REMOVE maps, aliasing every name. */
export function updateExpr(set: Record<string, unknown>, extraValues: Record<string, unknown> = {}, extraNames: Record<string, string> = {}) {
  const names: Record<string, string> = { ...extraNames };
  const values: Record<string, unknown> = { ...extraValues };
  const sets: string[] = [];
  const removes: string[] = [];
  let i = 0;
  for (const [k, v] of Object.entries(set)) {
    names[`#f${i}`] = k;
    if (v === undefined) removes.push(`#f${i}`);
    else {
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    }
    i++;
  }
  const expr = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return { UpdateExpression: expr, ExpressionAttributeNames: names, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) };
}

const MUTABLE: (keyof ExecRecord)[] = [
  'status', 'stopDate', 'output', 'error', 'cause', 'state', 'stateType', 'stateInput', 'stateVisit', 'stateEnteredAt',
  'token', 'tokenVisit', 'waiting', 'wakeAt', 'wakeVisit', 'segment', 'owner', 'eventCount', 'transitions', 'maxPayloadBytes',
];


// ---------------------------------------------------------------------------------------------
// Segment: one run of the interpreter for one execution
// ---------------------------------------------------------------------------------------------

interface LibEvent {
  type: string;
  state?: { name: string; type: string; input?: Json; output?: Json };
}

export class Segment {
  private pending: EventItem[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  /** Set once the segment must not write any more (parked, fenced, killed). */
  ended = false;
  private failing?: { error: string; cause: string };
  private abortRun?: () => void;
  private lastSynced?: { name: string; visit?: number };
  private suppressFirst?: string;
  private readonly visitCalls = new Map<number, number>();
  readonly done: Promise<void>;

  constructor(
    private readonly owner: LocalStepFunctions,
    private readonly sm: LocalStateMachine,
    readonly rec: ExecRecord,
    private readonly input: Json,
    private readonly resumeAt?: string,
  ) {
    this.suppressFirst = resumeAt;
    if (resumeAt) this.lastSynced = { name: resumeAt, ...(rec.stateVisit !== undefined ? { visit: rec.stateVisit } : {}) };
    this.done = this.run().catch((e) => {
      this.ended = true;
      // A fenced or killed segment unwinds on purpose; anything else is worth a stack trace.
      if ((e as Error).name !== 'Suiji.SegmentEnded') this.owner.log(`[sfn] ${rec.executionArn}: segment stopped: ${(e as Error).stack ?? e}`);
    });
  }

  private async run(): Promise<void> {
    const runner = runnerFor(this.sm, this.resumeAt ?? this.sm.definition.StartAt);
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [name, b] of this.sm.tasks) handlers[name] = (input) => (b.kind === 'wait' ? this.waitState(b, input) : b.callback ? this.callbackTask(b, input) : this.lambdaTask(b, input));
    const r = runner.run(this.input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(this.owner.retryDelayMs !== undefined ? { retryIntervalOverrides: Object.fromEntries(this.sm.retrying.map((n) => [n, this.owner.retryDelayMs!])) } : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: this.rec.executionArn, Name: this.rec.name, RoleArn: this.sm.roleArn, StartTime: this.rec.startDate, RedriveCount: 0 },
        StateMachine: { Id: this.sm.arn, Name: this.sm.name },
        Task: { Token: this.owner.tokenPlaceholder },
      },
    });
    this.abortRun = r.abort;
    const consumer = this.consume(r.eventLogs as AsyncGenerator<LibEvent>);
    let outcome: { ok: true; output: Json } | { ok: false; error?: string; cause?: string };
    try {
      outcome = { ok: true, output: (await r.result) as Json };
    } catch (e) {
      outcome = { ok: false, ...failureOf(e) };
    }
    await consumer;
    if (this.ended) {
      await this.chain.catch(() => undefined);
      return;
    }
    if (this.failing) outcome = { ok: false, ...this.failing };
    if (outcome.ok) {
      const out = JSON.stringify(outcome.output);
      if (bytes(out) > SFN_LIMITS.payloadBytes) {
        outcome = { ok: false, error: 'States.DataLimitExceeded', cause: `The execution output exceeds the maximum of ${SFN_LIMITS.payloadBytes} bytes.` };
      }
    }
    await this.finish(outcome);
  }

  private async finish(outcome: { ok: true; output: Json } | { ok: false; error?: string; cause?: string }): Promise<void> {
    await this.drain();
    if (this.ended) return;
    const rec = this.rec;
    rec.stopDate = nowIso();
    if (outcome.ok) {
      rec.status = 'SUCCEEDED';
      rec.output = JSON.stringify(outcome.output);
      this.append('ExecutionSucceeded', { output: rec.output, outputDetails: { truncated: false } }, true);
    } else {
      rec.status = 'FAILED';
      rec.error = outcome.error;
      rec.cause = outcome.cause;
      this.append('ExecutionFailed', { ...(outcome.error !== undefined ? { error: outcome.error } : {}), ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) }, true);
    }
    const pendingToken = rec.token;
    Object.assign(rec, { state: undefined, stateType: undefined, stateInput: undefined, stateVisit: undefined, token: undefined, tokenVisit: undefined, waiting: undefined });
    await this.flushOrEnd([
      { Delete: { Key: SFN_KEYS.running(rec.stateMachineArn, rec.executionArn) } },
      { Update: { Key: { pk: SFN_KEYS.listedPk(rec.stateMachineArn), sk: rec.listSk }, ...updateExpr({ status: rec.status, stopDate: rec.stopDate }) } },
    ]);
    this.ended = true;
    if (pendingToken) await this.owner.killToken(pendingToken);
  }

  /** Mirror the interpreter's event log into the history and the execution record. */
  private async consume(events: AsyncGenerator<LibEvent>): Promise<void> {
    for await (const ev of events) {
      if (this.ended || this.failing) continue;
      const st = ev.state;
      if (ev.type === 'StateEntered' && st) {
        const top = this.sm.topLevel.has(st.name);
        if (top && this.suppressFirst === st.name) {
          // The resumed state was entered (and recorded) by an earlier segment.
          this.suppressFirst = undefined;
          continue;
        }
        this.suppressFirst = undefined;
        const input = JSON.stringify(st.input ?? null);
        if (!this.checkPayload(input, st.name)) continue;
        const id = this.append(`${this.typeOf(st)}StateEntered`, { name: st.name, input, inputDetails: { truncated: false } });
        this.rec.transitions++;
        if (top) {
          Object.assign(this.rec, { state: st.name, stateType: this.typeOf(st), stateInput: input, stateVisit: id, stateEnteredAt: nowIso() });
          this.lastSynced = { name: st.name, visit: id };
        }
      } else if (ev.type === 'StateExited' && st) {
        const output = JSON.stringify(st.output ?? null);
        if (!this.checkPayload(output, st.name)) continue;
        this.append(`${this.typeOf(st)}StateExited`, { name: st.name, output, outputDetails: { truncated: false } });
      } else if (ev.type === 'StateRetried') {
        this.rec.transitions++;
      } else continue;
      this.kick();
    }
  }

  /** The state's type as defined (a top-level Wait runs as a task, and is recorded as a Wait). */
  private typeOf(st: { name: string; type: string }): string {
    return this.sm.tasks.get(st.name)?.kind === 'wait' ? 'Wait' : st.type;
  }

  /**
   * A top-level Wait state: its end on the injected clock (Seconds from the first entry of this
   * visit, or a timestamp); past it, the state passes its input on; before it, the execution
   * parks (waiting, `wakeAt`) and the service continues it at this state once the clock has
   * passed `wakeAt` (checkTimeouts, resumeAll).
   */
  private async waitState(b: TaskBinding, input: Json): Promise<Json> {
    const visit = (await this.sync(b))!;
    const wakeAt = this.rec.wakeVisit === visit && this.rec.wakeAt ? this.rec.wakeAt : waitEnd(b.state, b.wait!, input, now());
    if (now().getTime() >= Date.parse(wakeAt)) {
      this.rec.wakeAt = undefined;
      this.rec.wakeVisit = undefined;
      return input;
    }
    await this.quiesce();
    Object.assign(this.rec, { waiting: true, wakeAt, wakeVisit: visit });
    await this.flushOrEnd();
    this.end();
    throw unwind();
  }

  private checkPayload(json: string, state: string): boolean {
    const n = bytes(json);
    if (n > this.rec.maxPayloadBytes) this.rec.maxPayloadBytes = n;
    if (n <= SFN_LIMITS.payloadBytes) return true;
    this.fail('States.DataLimitExceeded', `The state/task '${state}' returned a result with a size exceeding the maximum number of bytes service limit.`);
    return false;
  }

  /** End the execution as failed from outside the interpreter's flow (quotas). */
  private fail(error: string, cause: string): void {
    if (this.failing) return;
    this.failing = { error, cause };
    this.abortRun?.();
  }

  append(type: string, details?: Record<string, unknown>, final = false): number {
    const id = ++this.rec.eventCount;
    if (!final && id >= SFN_LIMITS.historyEvents) {
      this.fail('States.Runtime', `The execution reached the maximum number of history events (${SFN_LIMITS.historyEvents}).`);
    }
    const dk = detailKey(type);
    this.pending.push({
      ...SFN_KEYS.event(this.rec.executionArn, id),
      id,
      previousEventId: id - 1,
      ts: nowIso(),
      type,
      ...(dk && details ? { dk, d: JSON.stringify(details) } : {}),
    });
    return id;
  }

  /**
   * Persist in the background (the consumer does not wait for DynamoDB), once per burst: the
   * interpreter logs a state's exit and the next states' entries in one go.
   */
  private kick(): void {
    if (this.ended || this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      if (!this.ended && this.pending.length) this.flush(undefined, true).catch(() => undefined);
    });
  }
  private kickScheduled = false;

  private flush(extra?: TransactItem[], onlyIfPending = false): Promise<'ok' | 'extra-failed'> {
    const p = this.chain.then(() => (onlyIfPending && !this.pending.length ? ('ok' as const) : this.write(extra)));
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Flush; when the segment cannot write (fenced, DynamoDB gone) it ends and the run unwinds. */
  private async flushOrEnd(extra?: TransactItem[]): Promise<'ok' | 'extra-failed'> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.flush(extra);
      } catch (e) {
        if ((e as Error).name !== 'Suiji.Fenced' && attempt < 3) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        if ((e as Error).name !== 'Suiji.Fenced') this.owner.log(`[sfn] ${this.rec.executionArn}: cannot persist, segment ends: ${(e as Error).message}`);
        this.end();
        throw unwind();
      }
    }
  }

  private async write(extra?: TransactItem[]): Promise<'ok' | 'extra-failed'> {
    if (this.ended) throw Object.assign(new Error('segment ended'), { name: 'Suiji.Fenced' });
    const events = this.pending;
    this.pending = [];
    const chunks: EventItem[][] = [[]];
    let size = 0;
    const reserve = 1 + (extra?.length ?? 0);
    for (const ev of events) {
      const n = bytes(JSON.stringify(ev));
      const cur = chunks[chunks.length - 1]!;
      if (cur.length && (cur.length + reserve >= TRANSACTION_ITEMS || size + n > TRANSACTION_BYTES)) {
        chunks.push([]);
        size = 0;
      }
      chunks[chunks.length - 1]!.push(ev);
      size += n;
    }
    const key = SFN_KEYS.execution(this.rec.executionArn);
    const fence = { ConditionExpression: '#seg = :seg AND #st = :running', ExpressionAttributeNames: { '#seg': 'segment', '#st': 'status' } };
    for (let i = 0; i < chunks.length; i++) {
      const last = i === chunks.length - 1;
      const puts: TransactItem[] = chunks[i]!.map((Item) => ({ Put: { Item } }));
      let items: TransactItem[];
      if (last) {
        const set: Record<string, unknown> = {};
        for (const k of MUTABLE) set[k] = this.rec[k];
        const u = updateExpr(set, { ':seg': this.rec.segment, ':running': 'RUNNING' }, fence.ExpressionAttributeNames);
        items = [{ Update: { Key: key, ...u, ConditionExpression: fence.ConditionExpression } }, ...puts, ...(extra ?? [])];
      } else {
        items = [{ ConditionCheck: { Key: key, ...fence, ExpressionAttributeValues: { ':seg': this.rec.segment, ':running': 'RUNNING' } } }, ...puts];
      }
      try {
        await transact(items);
      } catch (e) {
        const rest = chunks.slice(i).flat();
        if (e instanceof TransactionCanceledException) {
          const reasons = e.CancellationReasons ?? [];
          if (reasons[0]?.Code === 'ConditionalCheckFailed') {
            this.end();
            throw Object.assign(new Error('fenced: a newer segment owns this execution'), { name: 'Suiji.Fenced' });
          }
          if (last && extra && reasons.slice(items.length - extra.length).some((r) => r.Code === 'ConditionalCheckFailed')) {
            this.pending = [...rest, ...this.pending];
            return 'extra-failed';
          }
        }
        this.pending = [...rest, ...this.pending];
        throw e;
      }
    }
    return 'ok';
  }

  /** Stop writing and unwind the interpreter (parked, fenced, killed). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.abortRun?.();
  }

  /** Settle after the chain of writes in flight. */
  async drain(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  /**
   * Writes take the record as it is when they run; before a change that must reach DynamoDB
   * only together with its condition (parking, a new token, the end), let earlier writes finish.
   */
  private async quiesce(): Promise<void> {
    await this.drain();
    this.assertLive();
  }

  private assertLive(): void {
    if (this.ended || this.failing) throw unwind();
  }

  /**
   * Wait until the event consumer has seen everything the interpreter logged before calling the
   * handler (it logs StateEntered/StateRetried synchronously before invoking it; the consumer runs
   * on microtasks, so one macrotask turn is enough), and return the visit of the state.
   */
  private async sync(b: TaskBinding): Promise<number | undefined> {
    await new Promise<void>((r) => setImmediate(r));
    this.assertLive();
    if (!b.topLevel) return undefined;
    const s = this.lastSynced;
    if (!s || s.name !== b.state) throw new Error(`local Step Functions: event log out of step at ${b.state} (last seen ${s?.name})`);
    return s.visit;
  }

  private async lambdaTask(b: TaskBinding, input: Json): Promise<Json> {
    await this.sync(b);
    const region = this.owner.intrinsics.region;
    let fnRef: string;
    let payload: unknown;
    let invocationType = 'RequestResponse';
    if (b.kind === 'invoke') {
      const p = (input ?? {}) as Record<string, Json>;
      fnRef = String(p.FunctionName);
      payload = p.Payload ?? {};
      if (typeof p.InvocationType === 'string') invocationType = p.InvocationType;
      this.append('TaskScheduled', { resourceType: 'lambda', resource: 'invoke', region, parameters: JSON.stringify(input) });
      this.append('TaskStarted', { resourceType: 'lambda', resource: 'invoke' });
    } else {
      fnRef = b.functionArn!;
      payload = input;
      this.append('LambdaFunctionScheduled', { resource: fnRef, input: JSON.stringify(input), inputDetails: { truncated: false } });
      this.append('LambdaFunctionStarted');
    }
    // Not awaited: a re-run after a crash is at-least-once anyway, and a fenced segment stops at
    // its next write.
    this.kick();
    let result: unknown;
    try {
      if (invocationType === 'Event' || invocationType === 'DryRun') {
        if (invocationType === 'Event') this.owner.lambdas.invoke(fnRef, payload).catch((e) => this.owner.log(`[sfn] async invoke of ${fnRef} failed: ${(e as Error).message}`));
        else this.owner.lambdas.find(fnRef);
        result = undefined;
      } else result = await this.owner.lambdas.invoke(fnRef, payload);
    } catch (e) {
      this.assertLive();
      const { error, cause } = lambdaError(e);
      if (b.kind === 'invoke') this.append('TaskFailed', { resourceType: 'lambda', resource: 'invoke', error, cause });
      else this.append('LambdaFunctionFailed', { error, cause });
      throw stateError(error, cause);
    }
    this.assertLive();
    if (b.kind === 'direct') {
      this.append('LambdaFunctionSucceeded', { output: JSON.stringify(result ?? null), outputDetails: { truncated: false } });
      return (result ?? null) as Json;
    }
    const out = invokeResult(result, invocationType === 'Event' ? 202 : invocationType === 'DryRun' ? 204 : 200);
    this.append('TaskSucceeded', { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify(out), outputDetails: { truncated: false } });
    return out;
  }

  private async callbackTask(b: TaskBinding, input: Json): Promise<Json> {
    const visit = (await this.sync(b))!;
    const calls = this.visitCalls.get(visit) ?? 0;
    this.visitCalls.set(visit, calls + 1);
    const resource = 'invoke.waitForTaskToken';
    let tok: TokenRecord | undefined;
    // First call of a visit this segment: a token may already exist (resume, or crash mid-state).
    if (calls === 0 && this.rec.token && this.rec.tokenVisit === visit) tok = await this.owner.getToken(this.rec.token);
    if (tok && tok.status !== 'PENDING') return this.applyOutcome(tok);
    if (tok?.invoked) return this.park(tok.token);
    const token = tok?.token ?? mintToken();
    const resolved = JSON.parse(JSON.stringify(input).split(this.owner.tokenPlaceholder).join(token)) as Record<string, Json>;
    if (!tok) {
      const createdAt = nowIso();
      const t0 = now().getTime();
      const item: TokenRecord = {
        ...SFN_KEYS.token(token),
        token,
        executionArn: this.rec.executionArn,
        stateName: b.state,
        visit,
        status: 'PENDING',
        invoked: false,
        createdAt,
        ...(b.timeoutSeconds ? { timeoutAt: new Date(t0 + b.timeoutSeconds * 1000).toISOString() } : {}),
        ...(b.heartbeatSeconds ? { heartbeatSeconds: b.heartbeatSeconds, heartbeatAt: new Date(t0 + b.heartbeatSeconds * 1000).toISOString() } : {}),
      };
      await this.quiesce();
      const stale = this.rec.token;
      this.rec.token = token;
      this.rec.tokenVisit = visit;
      this.append('TaskScheduled', {
        resourceType: 'lambda',
        resource,
        region: this.owner.intrinsics.region,
        parameters: JSON.stringify(resolved),
        ...(b.timeoutSeconds ? { timeoutInSeconds: b.timeoutSeconds } : {}),
        ...(b.heartbeatSeconds ? { heartbeatInSeconds: b.heartbeatSeconds } : {}),
      });
      this.append('TaskStarted', { resourceType: 'lambda', resource });
      await this.flushOrEnd([{ Put: { Item: item } }]);
      if (stale && stale !== token) await this.owner.killToken(stale);
    }
    let result: unknown;
    try {
      result = await this.owner.lambdas.invoke(String(resolved.FunctionName), resolved.Payload ?? {});
    } catch (e) {
      this.assertLive();
      await this.owner.killToken(token);
      this.rec.token = undefined;
      this.rec.tokenVisit = undefined;
      const { error, cause } = lambdaError(e);
      this.append('TaskFailed', { resourceType: 'lambda', resource, error, cause });
      throw stateError(error, cause);
    }
    this.assertLive();
    this.append('TaskSubmitted', { resourceType: 'lambda', resource, output: JSON.stringify(invokeResult(result)), outputDetails: { truncated: false } });
    return this.park(token);
  }

  /**
   * Park the execution at its callback state: mark the token invoked and the execution waiting,
   * atomically with "the token is still pending". If the outcome arrived meanwhile (the Lambda
   * itself may complete the step at once), continue inline instead.
   */
  private async park(token: string): Promise<Json> {
    await this.quiesce();
    this.rec.waiting = true;
    const r = await this.flushOrEnd([
      {
        Update: {
          Key: SFN_KEYS.token(token),
          UpdateExpression: 'SET #inv = :t',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#inv': 'invoked', '#s': 'status' },
          ExpressionAttributeValues: { ':t': true, ':pending': 'PENDING' },
        },
      },
    ]);
    if (r === 'ok') {
      this.end();
      throw unwind();
    }
    this.rec.waiting = undefined;
    const tok = await this.owner.getToken(token);
    if (!tok) throw new Error(`token of ${this.rec.executionArn} vanished`);
    return this.applyOutcome(tok);
  }

  private async applyOutcome(tok: TokenRecord): Promise<Json> {
    this.assertLive();
    this.rec.token = undefined;
    this.rec.tokenVisit = undefined;
    const resource = 'invoke.waitForTaskToken';
    switch (tok.status) {
      case 'SUCCEEDED':
        this.append('TaskSucceeded', { resourceType: 'lambda', resource, output: tok.output ?? 'null', outputDetails: { truncated: false } });
        return JSON.parse(tok.output ?? 'null') as Json;
      case 'FAILED':
        this.append('TaskFailed', { resourceType: 'lambda', resource, error: tok.error ?? '', cause: tok.cause ?? '' });
        throw stateError(tok.error ?? '', tok.cause ?? '');
      case 'TIMED_OUT':
        this.append('TaskTimedOut', { resourceType: 'lambda', resource, error: tok.error ?? 'States.Timeout', cause: tok.cause ?? '' });
        throw await statesTimeoutError();
      default:
        throw stateError('States.Runtime', `task token ${tok.token} is ${tok.status}`);
    }
  }
}

