/**
 * Local Step Functions: runs the state machine definitions of the synthesized template with
 * `aws-local-stepfunctions`, and adds, in this one place, what that interpreter lacks:
 *
 * - every Task state bound to its Lambda (lambda:invoke, direct Lambda ARNs, .waitForTaskToken);
 * - task tokens: minted per callback, reachable through `$$.Task.Token`, completed by
 *   sendTaskSuccess / sendTaskFailure, with AWS's errors for unknown and used tokens;
 * - durability: executions, their current state and an AWS-shaped event history live in the
 *   Suiji DynamoDB table. A run of the interpreter is a *segment*: it ends when the execution
 *   ends or when it parks at a callback state. A later segment starts the same definition with
 *   `StartAt` at the recorded state (top-level states are flat by design), so an execution
 *   resumes after a restart exactly where it was; nothing lives only in memory while it waits.
 *
 * Segments are fenced: the execution record carries a segment number, every write of a segment
 * is conditional on it, and whoever continues an execution bumps it first. A stale segment
 * (another adapter instance, a crashed process) can therefore never write after a newer one.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { deleteItem, getItem, isConditionFailure, queryAll, queryPage, queryUpTo, transact, updateItem, type Item, type TransactItem } from '../../store/base.js';
import { pad } from '../../store/keys.js';
import { now, nowIso } from '../../clock.js';
import { LambdaFunctionError, LambdaServiceError, type Intrinsics, type LocalLambdas, type LocalTemplate } from './lambdas.js';

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22); the local platform runs Node 20.
{
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers !== 'function') {
    P.withResolvers = () => {
      let resolve!: (v: unknown) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Limits, keys, records
// ---------------------------------------------------------------------------------------------

/** Step Functions quotas the local platform enforces like AWS. */
export const SFN_LIMITS = { payloadBytes: 262_144, historyEvents: 25_000 } as const;
/** Node timers overflow at 2^31 ms; "no timeout" is this long instead. */
const MAX_TIMER_SECONDS = 2_000_000;
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

interface ExecRecord extends Item {
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
  /** No segment runs: the execution is parked at a callback state. */
  waiting?: boolean;
  segment: number;
  owner: string;
  eventCount: number;
  transitions: number;
  maxPayloadBytes: number;
  timeoutAt?: string;
}

type TokenStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'DEAD';
interface TokenRecord extends Item {
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

interface EventItem extends Item {
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
// Definitions
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type StateDef = Record<string, unknown> & { Type: string };
interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
  [k: string]: unknown;
}

interface TaskBinding {
  state: string;
  topLevel: boolean;
  /** lambda:invoke (Parameters FunctionName + Payload, wrapped result) or a Lambda ARN. */
  kind: 'invoke' | 'direct';
  callback: boolean;
  resource: string;
  functionArn?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  roleArn: string;
  /** The definition as synthesized, intrinsics resolved: the only copy there is. */
  definition: Definition;
  definitionString: string;
  timeoutSeconds?: number;
  topLevel: Map<string, string>;
  tasks: Map<string, TaskBinding>;
  /** States with a Retry field (for LocalStepFunctionsOptions.retryDelayMs). */
  retrying: string[];
  /** Interpreters of the definition (with adjusted task timeouts) per StartAt. */
  runners: Map<string, StateMachine>;
  runDefinition: Definition;
}

const INVOKE_RE = /^arn:[\w-]+:states:::lambda:invoke(\.waitForTaskToken)?$/;
const LAMBDA_ARN_RE = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[^:]+(:[^:]+)?$/;

/** Resolve the DefinitionString (Fn::Join of literals and ARNs) into plain ASL. */
export function definitionFromResource(res: LocalTemplate['Resources'][string], intrinsics: Intrinsics): Definition {
  const p = res.Properties ?? {};
  let text: string;
  if (p.DefinitionString !== undefined) text = String(intrinsics.resolve(p.DefinitionString));
  else if (p.Definition !== undefined) text = JSON.stringify(intrinsics.resolve(p.Definition));
  else throw new Error('state machine without DefinitionString/Definition (DefinitionS3Location is not supported locally)');
  if (p.DefinitionSubstitutions) {
    const subs = intrinsics.resolve(p.DefinitionSubstitutions) as Record<string, unknown>;
    text = text.replace(/\$\{([^}]+)\}/g, (m, k: string) => (k in subs ? String(subs[k]) : m));
  }
  return JSON.parse(text) as Definition;
}

function walkStates(states: Record<string, StateDef>, topLevel: boolean, visit: (name: string, st: StateDef, topLevel: boolean) => void): void {
  for (const [name, st] of Object.entries(states)) {
    visit(name, st, topLevel);
    if (st.Type === 'Parallel') for (const b of (st.Branches as Definition[]) ?? []) walkStates(b.States, false, visit);
    if (st.Type === 'Map') {
      const proc = (st.ItemProcessor ?? st.Iterator) as (Definition & { ProcessorConfig?: { Mode?: string } }) | undefined;
      if (proc?.ProcessorConfig?.Mode === 'DISTRIBUTED') throw new Error(`Map state ${name}: distributed mode is not supported locally`);
      if (proc) walkStates(proc.States, false, visit);
    }
  }
}

function compileStateMachine(logicalId: string, res: LocalTemplate['Resources'][string], intrinsics: Intrinsics): LocalStateMachine {
  const definition = definitionFromResource(res, intrinsics);
  if (definition.QueryLanguage === 'JSONata') throw new Error(`${logicalId}: JSONata definitions are not supported by aws-local-stepfunctions`);
  // Validate the definition as synthesized, once; derived run definitions skip validation.
  new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const tasks = new Map<string, TaskBinding>();
  const topLevel = new Map<string, string>();
  for (const [n, st] of Object.entries(definition.States)) topLevel.set(n, st.Type);
  const retrying: string[] = [];
  walkStates(definition.States, true, (name, st, top) => {
    if (st.QueryLanguage === 'JSONata') throw new Error(`${logicalId}.${name}: JSONata is not supported`);
    if (Array.isArray(st.Retry) && st.Retry.length) retrying.push(name);
    if (st.Type !== 'Task') return;
    const resource = String(st.Resource);
    const m = INVOKE_RE.exec(resource);
    let binding: TaskBinding;
    if (m) binding = { state: name, topLevel: top, kind: 'invoke', callback: !!m[1], resource };
    else if (LAMBDA_ARN_RE.test(resource)) binding = { state: name, topLevel: top, kind: 'direct', callback: false, resource, functionArn: resource };
    else throw new Error(`${logicalId}.${name}: resource ${resource} is not supported locally (only Lambda tasks)`);
    if (binding.callback) {
      if (!top) throw new Error(`${logicalId}.${name}: callback states must be top-level to survive a restart`);
      if (st.TimeoutSecondsPath || st.HeartbeatSecondsPath) throw new Error(`${logicalId}.${name}: TimeoutSecondsPath/HeartbeatSecondsPath are not supported on callback states`);
      if (typeof st.TimeoutSeconds === 'number') binding.timeoutSeconds = st.TimeoutSeconds;
      if (typeof st.HeartbeatSeconds === 'number') binding.heartbeatSeconds = st.HeartbeatSeconds;
    }
    tasks.set(name, binding);
  });
  // The interpreter's Task timeout defaults to 60 s (AWS: none). Non-callback tasks get their own
  // TimeoutSeconds or "none"; callback states wait outside the interpreter, their timeouts are
  // enforced on the injected clock by checkTimeouts().
  const runDefinition = JSON.parse(JSON.stringify(definition)) as Definition;
  delete runDefinition.TimeoutSeconds;
  walkStates(runDefinition.States, true, (name, st) => {
    if (st.Type !== 'Task') return;
    const b = tasks.get(name)!;
    if (b.callback || typeof st.TimeoutSeconds !== 'number') {
      if (!st.TimeoutSecondsPath || b.callback) st.TimeoutSeconds = MAX_TIMER_SECONDS;
    } else st.TimeoutSeconds = Math.min(st.TimeoutSeconds, MAX_TIMER_SECONDS);
    if (b.callback) delete st.TimeoutSecondsPath;
  });
  const name = intrinsics.physicalName(logicalId);
  const roleArn = res.Properties?.RoleArn ? String(intrinsics.resolve(res.Properties.RoleArn)) : `arn:${intrinsics.partition}:iam::${intrinsics.account}:role/${name}Role`;
  return {
    logicalId,
    name,
    arn: intrinsics.arn(logicalId),
    roleArn,
    definition,
    definitionString: JSON.stringify(definition),
    ...(typeof definition.TimeoutSeconds === 'number' ? { timeoutSeconds: definition.TimeoutSeconds } : {}),
    topLevel,
    tasks,
    retrying,
    runners: new Map(),
    runDefinition,
  };
}

function runnerFor(sm: LocalStateMachine, startAt: string): StateMachine {
  let r = sm.runners.get(startAt);
  if (!r) {
    r = new StateMachine({ ...sm.runDefinition, StartAt: startAt } as never, { validationOptions: { noValidate: true } });
    sm.runners.set(startAt, r);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Opaque task tokens: random body plus a check so malformed tokens are told apart (InvalidToken). */
function mintToken(): string {
  const body = randomBytes(24);
  const check = createHash('sha256').update(body).digest().subarray(0, 6);
  return `AQ${Buffer.concat([body, check]).toString('base64url')}`;
}
function wellFormedToken(token: unknown): token is string {
  if (typeof token !== 'string' || !/^AQ[A-Za-z0-9_-]{40}$/.test(token)) return false;
  const raw = Buffer.from(token.slice(2), 'base64url');
  return createHash('sha256').update(raw.subarray(0, 24)).digest().subarray(0, 6).equals(raw.subarray(24));
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

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

function detailKey(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  if (type === 'LambdaFunctionStarted') return undefined;
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

/** Build an UpdateExpression from plain SET/REMOVE maps, aliasing every name. */
function updateExpr(set: Record<string, unknown>, extraValues: Record<string, unknown> = {}, extraNames: Record<string, string> = {}) {
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
  'token', 'tokenVisit', 'waiting', 'segment', 'owner', 'eventCount', 'transitions', 'maxPayloadBytes',
];

// ---------------------------------------------------------------------------------------------
// Segment: one run of the interpreter for one execution
// ---------------------------------------------------------------------------------------------

interface LibEvent {
  type: string;
  state?: { name: string; type: string; input?: Json; output?: Json };
}

class Segment {
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
    for (const [name, b] of this.sm.tasks) handlers[name] = (input) => (b.callback ? this.callbackTask(b, input) : this.lambdaTask(b, input));
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
        const id = this.append(`${st.type}StateEntered`, { name: st.name, input, inputDetails: { truncated: false } });
        this.rec.transitions++;
        if (top) {
          Object.assign(this.rec, { state: st.name, stateType: st.type, stateInput: input, stateVisit: id, stateEnteredAt: nowIso() });
          this.lastSynced = { name: st.name, visit: id };
        }
      } else if (ev.type === 'StateExited' && st) {
        const output = JSON.stringify(st.output ?? null);
        if (!this.checkPayload(output, st.name)) continue;
        this.append(`${st.type}StateExited`, { name: st.name, output, outputDetails: { truncated: false } });
      } else if (ev.type === 'StateRetried') {
        this.rec.transitions++;
      } else continue;
      this.kick();
    }
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

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export interface LocalStepFunctionsOptions {
  /** The synthesized app template (state machines and functions). */
  template: LocalTemplate;
  lambdas: LocalLambdas;
  /**
   * Pause before every Retry attempt, in ms, instead of IntervalSeconds × BackoffRate (for the
   * fast-forward demo and tests, where real-time back-off only slows things down).
   */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

export class LocalStepFunctions {
  readonly intrinsics: Intrinsics;
  readonly lambdas: LocalLambdas;
  readonly machines: LocalStateMachine[] = [];
  /** Stands for `$$.Task.Token` in the context object; replaced by the minted token. */
  readonly tokenPlaceholder = `__suiji_task_token_${randomBytes(8).toString('hex')}__`;
  readonly log: (line: string) => void;
  readonly retryDelayMs: number | undefined;
  private readonly id = randomUUID();
  private readonly live = new Map<string, Segment>();
  private readonly work = new Set<{ arn: string; p: Promise<unknown> }>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: LocalStepFunctionsOptions) {
    this.lambdas = opts.lambdas;
    this.intrinsics = opts.lambdas.intrinsics;
    this.log = opts.log ?? ((l) => console.warn(l));
    this.retryDelayMs = opts.retryDelayMs;
    for (const [logicalId, res] of Object.entries(opts.template.Resources)) {
      if (res.Type === 'AWS::StepFunctions::StateMachine') this.machines.push(compileStateMachine(logicalId, res, this.intrinsics));
    }
  }

  /** A state machine by logical id, name or ARN. */
  stateMachine(ref: string): LocalStateMachine {
    const sm = this.machines.find((m) => m.arn === ref || m.name === ref || m.logicalId === ref);
    if (!sm) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${ref}'`);
    return sm;
  }

  private machineOfExecution(arn: string): LocalStateMachine {
    const m = /^arn:[\w-]+:states:[\w-]+:\d{12}:execution:([^:]+):([^:]+)$/.exec(arn ?? '');
    if (!m) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
    const sm = this.machines.find((x) => x.name === m[1]);
    if (!sm) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return sm;
  }

  private track<T>(arn: string, p: Promise<T>): Promise<T | undefined> {
    const guarded = p.catch((e) => {
      this.log(`[sfn] ${arn}: ${(e as Error).stack ?? e}`);
      return undefined;
    });
    const w = { arn, p: guarded };
    this.work.add(w);
    void guarded.finally(() => this.work.delete(w));
    return guarded;
  }

  private launch(sm: LocalStateMachine, rec: ExecRecord, input: Json, resumeAt?: string): void {
    if (this.closed) return;
    const seg = new Segment(this, sm, rec, input, resumeAt);
    this.live.set(rec.executionArn, seg);
    this.track(
      rec.executionArn,
      seg.done.finally(() => {
        if (this.live.get(rec.executionArn) === seg) this.live.delete(rec.executionArn);
      }),
    );
  }

  async getExecRecord(arn: string): Promise<ExecRecord | undefined> {
    return getItem<ExecRecord>(SFN_KEYS.execution(arn), true);
  }

  async getToken(token: string): Promise<TokenRecord | undefined> {
    return getItem<TokenRecord>(SFN_KEYS.token(token), true);
  }

  /** A token that can no longer complete (its state failed, the execution ended). */
  async killToken(token: string): Promise<void> {
    try {
      await updateItem(SFN_KEYS.token(token), { set: { status: 'DEAD', completedAt: nowIso() }, condition: '#s = :p', names: { '#s': 'status' }, values: { ':p': 'PENDING' } });
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  // --- API ---------------------------------------------------------------------------------

  async startExecution(req: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    const sm = this.stateMachine(req.stateMachineArn);
    const name = req.name ?? randomUUID();
    if (!name || name.length > 80 || NAME_FORBIDDEN.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = req.input ?? '{}';
    let input: Json;
    try {
      input = JSON.parse(inputText) as Json;
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    if (bytes(inputText) > SFN_LIMITS.payloadBytes) throw new SfnError('InvalidExecutionInput', `Execution input exceeds ${SFN_LIMITS.payloadBytes} bytes`);
    const arn = `${sm.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const startDate = nowIso();
    const listSk = SFN_KEYS.listed(sm.arn, startDate, name).sk;
    const rec: ExecRecord = {
      ...SFN_KEYS.execution(arn),
      executionArn: arn,
      stateMachineArn: sm.arn,
      name,
      status: 'RUNNING',
      startDate,
      inputHash: sha256(inputText),
      listSk,
      segment: 1,
      owner: this.id,
      eventCount: 1,
      transitions: 0,
      maxPayloadBytes: bytes(inputText),
      ...(sm.timeoutSeconds ? { timeoutAt: new Date(now().getTime() + sm.timeoutSeconds * 1000).toISOString() } : {}),
    };
    const started: EventItem = {
      ...SFN_KEYS.event(arn, 1),
      id: 1,
      previousEventId: 0,
      ts: startDate,
      type: 'ExecutionStarted',
      dk: 'executionStartedEventDetails',
      d: JSON.stringify({ input: inputText, inputDetails: { truncated: false }, roleArn: sm.roleArn }),
    };
    try {
      await transact([
        { Put: { Item: rec, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { Item: started } },
        { Put: { Item: { ...SFN_KEYS.listed(sm.arn, startDate, name), executionArn: arn, name, status: 'RUNNING', startDate } } },
        { Put: { Item: { ...SFN_KEYS.running(sm.arn, arn), executionArn: arn } } },
      ]);
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.getExecRecord(arn);
      // Same name and input while running: the original answer (StartExecution is idempotent).
      if (existing && existing.status === 'RUNNING' && existing.inputHash === rec.inputHash) {
        return { executionArn: arn, startDate: new Date(existing.startDate) };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    this.launch(sm, rec, input);
    return { executionArn: arn, startDate: new Date(startDate) };
  }

  private async completeToken(token: unknown, set: Record<string, unknown>): Promise<void> {
    if (!wellFormedToken(token)) throw new SfnError('InvalidToken', 'Invalid Token');
    let tok: TokenRecord;
    try {
      tok = await updateItem<TokenRecord>(SFN_KEYS.token(token), {
        set: { ...set, completedAt: nowIso() },
        condition: '#s = :p',
        names: { '#s': 'status' },
        values: { ':p': 'PENDING' },
      });
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const existing = await this.getToken(token);
      if (!existing) throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
      // A used token (duplicate callback, ended execution): AWS answers TaskTimedOut.
      throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    this.track(tok.executionArn, this.continueExecution(tok.executionArn));
  }

  async sendTaskSuccess(req: { taskToken: string; output: string }): Promise<Record<string, never>> {
    let parsed: Json;
    try {
      parsed = JSON.parse(req.output) as Json;
    } catch {
      throw new SfnError('InvalidOutput', 'Invalid Output: not valid JSON');
    }
    if (bytes(req.output) > SFN_LIMITS.payloadBytes) throw new SfnError('InvalidOutput', `Output exceeds ${SFN_LIMITS.payloadBytes} bytes`);
    await this.completeToken(req.taskToken, { status: 'SUCCEEDED', output: JSON.stringify(parsed) });
    return {};
  }

  async sendTaskFailure(req: { taskToken: string; error?: string; cause?: string }): Promise<Record<string, never>> {
    if ((req.error?.length ?? 0) > 256 || (req.cause?.length ?? 0) > 32768) throw new SfnError('ValidationException', 'error or cause too long');
    await this.completeToken(req.taskToken, { status: 'FAILED', error: req.error ?? '', cause: req.cause ?? '' });
    return {};
  }

  async sendTaskHeartbeat(req: { taskToken: string }): Promise<Record<string, never>> {
    if (!wellFormedToken(req.taskToken)) throw new SfnError('InvalidToken', 'Invalid Token');
    const tok = await this.getToken(req.taskToken);
    if (!tok) throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
    if (tok.status !== 'PENDING') throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    if (tok.heartbeatSeconds) {
      try {
        await updateItem(SFN_KEYS.token(req.taskToken), {
          set: { heartbeatAt: new Date(now().getTime() + tok.heartbeatSeconds * 1000).toISOString() },
          condition: '#s = :p',
          names: { '#s': 'status' },
          values: { ':p': 'PENDING' },
        });
      } catch (e) {
        if (isConditionFailure(e)) throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
        throw e;
      }
    }
    return {};
  }

  /**
   * Start a segment for a parked execution whose token has an outcome. The claim (segment + 1,
   * only while still waiting) makes this safe against concurrent callers and adapters.
   */
  private async continueExecution(arn: string): Promise<boolean> {
    // A segment of this execution still running here decides for itself (it sees the outcome
    // when it tries to park); once it is done the records tell whether to continue.
    const seg = this.live.get(arn);
    if (seg) await seg.done;
    if (this.closed || this.live.has(arn)) return false;
    const rec = await this.getExecRecord(arn);
    if (!rec || rec.status !== 'RUNNING' || !rec.waiting || !rec.token) return false;
    const tok = await this.getToken(rec.token);
    if (!tok || tok.status === 'PENDING') return false;
    return this.claimAndLaunch(rec, true);
  }

  private async claimAndLaunch(rec: ExecRecord, expectWaiting: boolean): Promise<boolean> {
    const sm = this.stateMachine(rec.stateMachineArn);
    if (rec.state && !sm.topLevel.has(rec.state)) {
      // The definition changed under a running execution: say so instead of guessing.
      await this.terminate(rec.executionArn, 'FAILED', 'ExecutionFailed', 'States.Runtime', `state "${rec.state}" no longer exists in the definition of ${sm.name}`);
      return false;
    }
    try {
      await updateItem(SFN_KEYS.execution(rec.executionArn), {
        set: { segment: rec.segment + 1, owner: this.id },
        remove: ['waiting'],
        condition: `#seg = :seg AND #st = :running${expectWaiting ? ' AND #w = :t' : ''}`,
        names: { '#seg': 'segment', '#st': 'status', ...(expectWaiting ? { '#w': 'waiting' } : {}) },
        values: { ':seg': rec.segment, ':running': 'RUNNING', ...(expectWaiting ? { ':t': true } : {}) },
      });
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
    const claimed: ExecRecord = { ...rec, segment: rec.segment + 1, owner: this.id };
    delete claimed.waiting;
    if (rec.state) this.launch(sm, claimed, JSON.parse(rec.stateInput ?? 'null') as Json, rec.state);
    else this.launch(sm, claimed, JSON.parse((await this.executionInput(rec.executionArn)) ?? '{}') as Json);
    return true;
  }

  /**
   * After a restart: every RUNNING execution continues at its recorded state. Parked executions
   * whose token is still pending just keep waiting (nothing is re-invoked); those whose outcome
   * arrived before the crash continue; those interrupted mid-state re-run that state.
   */
  async resumeAll(): Promise<{ resumed: string[]; waiting: string[] }> {
    const resumed: string[] = [];
    const waiting: string[] = [];
    for (const sm of this.machines) {
      const markers = await queryAll<{ executionArn: string } & Item>({ pk: SFN_KEYS.listedPk(sm.arn), skPrefix: SFN_KEYS.runningPrefix, consistent: true });
      for (const m of markers) {
        const arn = m.executionArn;
        if (this.live.has(arn)) continue;
        const rec = await this.getExecRecord(arn);
        if (!rec || rec.status !== 'RUNNING') {
          await deleteItem({ pk: m.pk, sk: m.sk });
          continue;
        }
        if (rec.waiting) {
          const tok = rec.token ? await this.getToken(rec.token) : undefined;
          if (tok?.status === 'PENDING') {
            waiting.push(arn);
            continue;
          }
        }
        if (await this.claimAndLaunch(rec, !!rec.waiting)) resumed.push(arn);
      }
    }
    return { resumed, waiting };
  }

  /** Resolves when no segment or continuation of the execution (or of any) is in flight. */
  async settled(arn?: string): Promise<void> {
    for (;;) {
      const ps = [...this.work].filter((w) => !arn || w.arn === arn).map((w) => w.p);
      if (!ps.length) return;
      await Promise.allSettled(ps);
    }
  }

  private async executionInput(arn: string): Promise<string | undefined> {
    const ev = await getItem<EventItem>(SFN_KEYS.event(arn, 1), true);
    return ev?.d ? (JSON.parse(ev.d) as { input: string }).input : undefined;
  }

  async describeExecution(req: { executionArn: string }): Promise<ExecutionDescription> {
    this.machineOfExecution(req.executionArn);
    const rec = await this.getExecRecord(req.executionArn);
    if (!rec) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${req.executionArn}'`);
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: new Date(rec.startDate),
      ...(rec.stopDate ? { stopDate: new Date(rec.stopDate) } : {}),
      input: (await this.executionInput(rec.executionArn)) ?? '{}',
      inputDetails: { included: true },
      ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
      ...(rec.error !== undefined ? { error: rec.error } : {}),
      ...(rec.cause !== undefined ? { cause: rec.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  async listExecutions(req: { stateMachineArn: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string }) {
    const sm = this.stateMachine(req.stateMachineArn);
    const limit = Math.min(Math.max(req.maxResults || 100, 1), 1000);
    const startKey = req.nextToken ? (JSON.parse(Buffer.from(req.nextToken, 'base64url').toString()) as Record<string, unknown>) : undefined;
    const page = await queryUpTo<Item & { executionArn: string; name: string; status: ExecutionStatus; startDate: string; stopDate?: string }>(
      {
        pk: SFN_KEYS.listedPk(sm.arn),
        skPrefix: SFN_KEYS.listedPrefix,
        forward: false,
        consistent: true,
        ...(req.statusFilter ? { filter: '#st = :st', names: { '#st': 'status' }, values: { ':st': req.statusFilter } } : {}),
        ...(startKey ? { startKey } : {}),
      },
      limit,
    );
    return {
      executions: page.items.map((i) => ({
        executionArn: i.executionArn,
        stateMachineArn: sm.arn,
        name: i.name,
        status: i.status,
        startDate: new Date(i.startDate),
        ...(i.stopDate ? { stopDate: new Date(i.stopDate) } : {}),
      })),
      ...(page.next ? { nextToken: Buffer.from(JSON.stringify(page.next)).toString('base64url') } : {}),
    };
  }

  async getExecutionHistory(req: { executionArn: string; maxResults?: number; nextToken?: string; reverseOrder?: boolean; includeExecutionData?: boolean }) {
    this.machineOfExecution(req.executionArn);
    if (!(await this.getExecRecord(req.executionArn))) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${req.executionArn}'`);
    const limit = Math.min(Math.max(req.maxResults || 100, 1), 1000);
    const startKey = req.nextToken ? (JSON.parse(Buffer.from(req.nextToken, 'base64url').toString()) as Record<string, unknown>) : undefined;
    const page = await queryPage<EventItem>({
      pk: SFN_KEYS.eventsPk(req.executionArn),
      skPrefix: SFN_KEYS.eventPrefix,
      consistent: true,
      limit,
      ...(req.reverseOrder ? { forward: false } : {}),
      ...(startKey ? { startKey } : {}),
    });
    const withData = req.includeExecutionData !== false;
    const events: HistoryEvent[] = page.items.map((e) => {
      const out: HistoryEvent = { id: e.id, previousEventId: e.previousEventId, timestamp: new Date(e.ts), type: e.type };
      if (e.dk && e.d) {
        const d = JSON.parse(e.d) as Record<string, unknown>;
        if (!withData) for (const k of ['input', 'output', 'parameters']) delete d[k];
        out[e.dk] = d;
      }
      return out;
    });
    return { events, ...(page.next ? { nextToken: Buffer.from(JSON.stringify(page.next)).toString('base64url') } : {}) };
  }

  /** Every history event (pages followed). */
  async history(arn: string): Promise<HistoryEvent[]> {
    const out: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.getExecutionHistory({ executionArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      out.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  async stopExecution(req: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    return this.terminate(req.executionArn, 'ABORTED', 'ExecutionAborted', req.error, req.cause);
  }

  private async terminate(arn: string, status: ExecutionStatus, eventType: string, error?: string, cause?: string): Promise<{ stopDate: Date }> {
    this.machineOfExecution(arn);
    const seg = this.live.get(arn);
    if (seg) {
      seg.end();
      await seg.drain();
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const rec = await this.getExecRecord(arn);
      if (!rec) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
      if (rec.status !== 'RUNNING') return { stopDate: new Date(rec.stopDate ?? rec.startDate) };
      const stopDate = nowIso();
      const id = rec.eventCount + 1;
      const details = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
      try {
        await transact([
          {
            Update: {
              Key: SFN_KEYS.execution(arn),
              ...updateExpr(
                { status, stopDate, error, cause, segment: rec.segment + 1, eventCount: id, waiting: undefined, state: undefined, stateInput: undefined, token: undefined, tokenVisit: undefined },
                { ':seg': rec.segment, ':running': 'RUNNING' },
                { '#seg': 'segment', '#st': 'status' },
              ),
              ConditionExpression: '#seg = :seg AND #st = :running',
            },
          },
          { Put: { Item: { ...SFN_KEYS.event(arn, id), id, previousEventId: id - 1, ts: stopDate, type: eventType, dk: detailKey(eventType), d: JSON.stringify(details) } } },
          { Delete: { Key: SFN_KEYS.running(rec.stateMachineArn, arn) } },
          { Update: { Key: { pk: SFN_KEYS.listedPk(rec.stateMachineArn), sk: rec.listSk }, ...updateExpr({ status, stopDate }) } },
        ]);
      } catch (e) {
        if (isConditionFailure(e)) continue;
        throw e;
      }
      if (rec.token) await this.killToken(rec.token);
      return { stopDate: new Date(stopDate) };
    }
    throw new SfnError('ServiceUnavailable', `could not stop ${arn}: concurrent updates`);
  }

  /**
   * Enforce, on the injected clock, what the interpreter cannot: callback TimeoutSeconds and
   * HeartbeatSeconds, and the definition's TimeoutSeconds. Call it after moving the clock (the
   * fast-forward demo) or let startTimers() call it.
   */
  async checkTimeouts(): Promise<number> {
    const t = now().getTime();
    let acted = 0;
    for (const sm of this.machines) {
      const markers = await queryAll<{ executionArn: string } & Item>({ pk: SFN_KEYS.listedPk(sm.arn), skPrefix: SFN_KEYS.runningPrefix, consistent: true });
      for (const m of markers) {
        const rec = await this.getExecRecord(m.executionArn);
        if (!rec || rec.status !== 'RUNNING') continue;
        if (rec.timeoutAt && Date.parse(rec.timeoutAt) <= t) {
          await this.terminate(rec.executionArn, 'TIMED_OUT', 'ExecutionTimedOut', 'States.Timeout', 'The execution timed out.');
          acted++;
          continue;
        }
        if (!rec.waiting || !rec.token) continue;
        const tok = await this.getToken(rec.token);
        if (!tok || tok.status !== 'PENDING') continue;
        const timedOut = tok.timeoutAt && Date.parse(tok.timeoutAt) <= t;
        const heartbeatLost = tok.heartbeatAt && Date.parse(tok.heartbeatAt) <= t;
        if (!timedOut && !heartbeatLost) continue;
        try {
          await updateItem(SFN_KEYS.token(tok.token), {
            set: { status: 'TIMED_OUT', error: 'States.Timeout', cause: timedOut ? 'The task timed out.' : 'The task did not send a heartbeat in time.', completedAt: nowIso() },
            condition: '#s = :p',
            names: { '#s': 'status' },
            values: { ':p': 'PENDING' },
          });
        } catch (e) {
          if (isConditionFailure(e)) continue;
          throw e;
        }
        acted++;
        await this.track(rec.executionArn, this.continueExecution(rec.executionArn));
      }
    }
    return acted;
  }

  startTimers(intervalMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.checkTimeouts().catch((e) => this.log(`[sfn] timeout check failed: ${(e as Error).message}`));
    }, intervalMs);
    this.timer.unref();
  }

  /**
   * Stop everything in this process without writing anything more, as a crash would: live
   * segments end where they are; their executions stay RUNNING in DynamoDB for resumeAll().
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const segs = [...this.live.values()];
    for (const s of segs) s.end();
    await Promise.allSettled(segs.map((s) => s.drain()));
  }

  async executionStats(arn: string): Promise<ExecutionStats> {
    const rec = await this.getExecRecord(arn);
    if (!rec) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const sm = this.stateMachine(rec.stateMachineArn);
    const states: ExecutionStats['states'] = [];
    for (const e of await this.history(arn)) {
      const d = e.stateEnteredEventDetails as { name: string } | undefined;
      const x = e.stateExitedEventDetails as { name: string } | undefined;
      if (d && sm.topLevel.has(d.name)) states.push({ name: d.name, enteredAt: e.timestamp.toISOString() });
      if (x && sm.topLevel.has(x.name)) {
        const open = [...states].reverse().find((s) => s.name === x.name && !s.exitedAt);
        if (open) {
          open.exitedAt = e.timestamp.toISOString();
          open.ms = Date.parse(open.exitedAt) - Date.parse(open.enteredAt);
        }
      }
    }
    return { status: rec.status, transitions: rec.transitions, historyEvents: rec.eventCount, maxPayloadBytes: rec.maxPayloadBytes, states };
  }

  describeStateMachine(req: { stateMachineArn: string }) {
    const sm = this.stateMachine(req.stateMachineArn);
    return { stateMachineArn: sm.arn, name: sm.name, status: 'ACTIVE', definition: sm.definitionString, roleArn: sm.roleArn, type: 'STANDARD', creationDate: new Date(0) };
  }

  listStateMachines() {
    return { stateMachines: this.machines.map((sm) => ({ stateMachineArn: sm.arn, name: sm.name, type: 'STANDARD', creationDate: new Date(0) })) };
  }
}
