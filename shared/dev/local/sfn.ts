/**
 * Local Step Functions: runs the state machine definitions of the synthesized template with
 * `aws-local-stepfunctions`, and adds, in this one place, what that interpreter lacks:
 *
 * - every Task state bound to its Lambda (lambda:invoke, direct Lambda ARNs, .waitForTaskToken);
 * - task tokens: minted per callback, reachable through `$$.Task.Token`, completed by
 *   sendTaskSuccess / sendTaskFailure, with AWS's errors for unknown and used tokens;
 * - durability: executions, their current state and an AWS-shaped event history live in the
 *   Suiji DynamoDB table. A run of the interpreter is a *segment*: it ends when the execution
 *   ends or when it parks at a callback state or at a top-level Wait state (until its time on
 *   the injected clock; checkTimeouts continues it — the interpreter's own Wait would sleep in
 *   memory on the real clock). A later segment starts the same definition with
 *   `StartAt` at the recorded state (top-level states are flat by design), so an execution
 *   resumes after a restart exactly where it was; nothing lives only in memory while it waits.
 *
 * Segments are fenced: the execution record carries a segment number, every write of a segment
 * is conditional on it, and whoever continues an execution bumps it first. A stale segment
 * (another adapter instance, a crashed process) can therefore never write after a newer one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { deleteItem, getItem, isConditionFailure, queryAll, queryPage, queryUpTo, transact, updateItem, type Item } from '../../store/base.js';
import { now, nowIso } from '../../clock.js';
import type { Intrinsics, LocalLambdas, LocalTemplate } from './lambdas.js';
import { compileStateMachine, type Json, type LocalStateMachine } from './sfn-definition.js';
import {
  bytes,
  detailKey,
  NAME_FORBIDDEN,
  Segment,
  SFN_KEYS,
  SFN_LIMITS,
  SfnError,
  sha256,
  updateExpr,
  wellFormedToken,
  type EventItem,
  type ExecRecord,
  type ExecutionDescription,
  type ExecutionStats,
  type ExecutionStatus,
  type HistoryEvent,
  type TokenRecord,
} from './sfn-segment.js';

export { SFN_KEYS, SFN_LIMITS, SfnError, type ExecutionDescription, type ExecutionStats, type ExecutionStatus, type HistoryEvent } from './sfn-segment.js';
export { definitionFromResource, type LocalStateMachine } from './sfn-definition.js';

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
          // at a callback whose outcome has not come, or at a Wait state whose time has not come
          if (tok?.status === 'PENDING' || (!rec.token && rec.wakeAt && Date.parse(rec.wakeAt) > now().getTime())) {
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
   * HeartbeatSeconds, the definition's TimeoutSeconds, and the end of top-level Wait states. Call it after moving the clock (the
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
        // parked at a Wait state whose time has come (on the injected clock): continue there
        if (rec.waiting && !rec.token && rec.wakeAt) {
          if (Date.parse(rec.wakeAt) > t || this.live.has(rec.executionArn)) continue;
          if (await this.claimAndLaunch(rec, true)) acted++;
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

