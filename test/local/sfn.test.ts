/**
 * The local Step Functions adapter running the fixture state machine from its synthesized
 * template: Lambda binding, callbacks, Catch to named Fail states, duplicate and unknown tokens,
 * idempotent starts, quotas, timeouts on the injected clock, and kill/resume over DynamoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLambdas, LambdaFunctionError } from '../../shared/dev/local/lambdas.js';
import { LocalStepFunctions, SfnError } from '../../shared/dev/local/sfn.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { FIXTURE_MACHINE } from './fixture-app.js';
import { callRecord, calls, release, startFixtureStack, storedToken, type FixtureStack } from './harness.js';

let stack: FixtureStack;
let lambdas: LocalLambdas;
let sfn: LocalStepFunctions;
const logs: string[] = [];

const adapter = () => {
  lambdas = new LocalLambdas(stack.template);
  return new LocalStepFunctions({ template: stack.template, lambdas, retryDelayMs: 0, log: (l) => logs.push(l) });
};

async function start(taskId: string, options: Record<string, unknown> = {}, s = sfn): Promise<string> {
  const { executionArn } = await s.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: taskId, input: JSON.stringify({ taskId, options }) });
  await s.settled(executionArn);
  return executionArn;
}

async function rejects(p: Promise<unknown>): Promise<SfnError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SfnError);
  return e as SfnError;
}

beforeAll(async () => {
  stack = await startFixtureStack();
  sfn = adapter();
});

afterAll(async () => {
  await sfn?.close();
  await stack?.stop();
});

describe('Lambdas of the template', () => {
  it('resolve entry, environment and ARNs from the template and run with a Lambda context', async () => {
    const work = lambdas.functions().find((f) => f.logicalId.startsWith('Work'))!;
    expect(lambdas.find(work.arn)).toBe(work);
    expect(lambdas.find(`${work.name}:$LATEST`)).toBe(work);
    expect(work.entry.endsWith('test/local/fixtures/handlers.ts')).toBe(true);
    expect(work.environment).toEqual({ TABLE_NAME: stack.tableName, FIXTURE_MARK: 'work' });
    expect(work.timeoutSeconds).toBe(30);
    const out = await lambdas.invoke(work.logicalId, { taskId: 'lx', step: 'probe' });
    expect(out).toEqual({ taskId: 'lx', step: 'probe', table: stack.tableName, mark: 'work' });
    const rec = await callRecord('work:lx:probe');
    expect(rec?.functionName).toBe(work.name);
    expect(rec?.envFunctionName).toBe(work.name);
    expect(String(rec?.requestId)).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(rec?.remainingMs)).toBeGreaterThan(25_000);
    expect(Number(rec?.remainingMs)).toBeLessThanOrEqual(30_000);
  });

  it('give each concurrent invocation its own function environment', async () => {
    const [work, callback] = ['Work', 'Callback'].map((p) => lambdas.functions().find((f) => f.logicalId.startsWith(p))!);
    await Promise.all([
      lambdas.invoke(work!.arn, { taskId: 'env', step: 'a' }),
      lambdas.invoke(callback!.name, { taskId: 'env', stage: 'b', taskToken: 'x' }),
      lambdas.invoke(work!.logicalId, { taskId: 'env', step: 'c' }),
    ]);
    expect((await callRecord('work:env:a'))?.mark).toBe('work');
    expect((await callRecord('callback:env:b'))?.mark).toBe('callback');
    expect((await callRecord('work:env:c'))?.mark).toBe('work');
    expect(process.env.FIXTURE_MARK).toBeUndefined();
  });

  it('report function errors with their name, message and trace, like Lambda', async () => {
    const work = lambdas.functions().find((f) => f.logicalId.startsWith('Work'))!;
    const e = await lambdas.invoke(work.logicalId, { taskId: 'err', step: 'draw', options: { infeasible: true } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LambdaFunctionError);
    expect((e as LambdaFunctionError).name).toBe('DrawInfeasible');
    expect((e as LambdaFunctionError).payload.errorMessage).toBe('候选检查对象不足，无法完成抽取');
    expect((e as LambdaFunctionError).payload.trace.length).toBeGreaterThan(0);
    await expect(lambdas.invoke('NoSuchFunction', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('the definition', () => {
  it('is the synthesized one, intrinsics resolved, every Task bound to its Lambda', () => {
    const sm = sfn.stateMachine(FIXTURE_MACHINE);
    expect(sm.arn).toBe('arn:aws-cn:states:cn-north-1:000000000000:stateMachine:FixtureFlow');
    expect(sm.definitionString).not.toMatch(/Fn::|"Ref"/);
    const work = lambdas.functions().find((f) => f.logicalId.startsWith('Work'))!;
    expect(sm.definition.States.Close?.Resource).toBe(work.arn);
    const bindings = Object.fromEntries([...sm.tasks.values()].map((b) => [b.state, `${b.kind}${b.callback ? '+callback' : ''}`]));
    expect(bindings).toEqual({ Prepare: 'invoke', Draw: 'direct', AwaitApproval: 'invoke+callback', Hold: 'wait', AwaitResults: 'invoke+callback', Close: 'direct' });
    expect(sm.tasks.get('AwaitResults')?.timeoutSeconds).toBe(30 * 24 * 3600);
  });
});

describe.concurrent('executions', () => {
  it('park at callback states and complete through sendTaskSuccess, with an AWS-shaped history', async () => {
    const arn = await start('happy');
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('RUNNING');
    expect(await calls('callback:happy:approval')).toBe(1);
    let events = await sfn.history(arn);
    expect(events.at(-1)?.type).toBe('TaskSubmitted');
    const scheduled = events.find((e) => e.type === 'TaskScheduled' && (e.taskScheduledEventDetails as { resource: string }).resource === 'invoke.waitForTaskToken');
    const params = JSON.parse((scheduled!.taskScheduledEventDetails as { parameters: string }).parameters) as { Payload: { taskToken: string; stage: string } };
    const token = await storedToken('happy', 'approval');
    expect(params.Payload).toMatchObject({ stage: 'approval', taskToken: token });

    await sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approved: true, by: '张科长' }) });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('happy', 'results'), output: JSON.stringify({ entered: 12 }) });
    await sfn.settled(arn);

    const d = await sfn.describeExecution({ executionArn: arn });
    expect(d.status).toBe('SUCCEEDED');
    const output = JSON.parse(d.output!) as Record<string, unknown>;
    expect(output.approval).toEqual({ approved: true, by: '张科长' });
    expect(output.results).toEqual({ entered: 12 });
    expect(output.prepared).toEqual({ table: stack.tableName, mark: 'work' });
    expect(output.closed).toMatchObject({ step: 'close' });

    events = await sfn.history(arn);
    const entered = events.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
    expect(entered).toEqual(['Prepare', 'Route', 'AwaitApproval', 'Held', 'AwaitResults', 'AfterResults', 'Close', 'Done']);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(events.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'LambdaFunctionSucceeded')).toHaveLength(1);
    const stats = await sfn.executionStats(arn);
    expect(stats.transitions).toBe(8);
    expect(stats.historyEvents).toBe(events.length);
    expect(stats.states.map((s) => s.name)).toEqual(entered);
    expect(stats.states.every((s) => typeof s.ms === 'number')).toBe(true);
  });

  it('fail into the named Fail state the Catch chooses (callback failure and Lambda error)', async () => {
    const rejected = await start('rejected');
    await sfn.sendTaskFailure({ taskToken: await storedToken('rejected', 'approval'), error: 'PlanRejected', cause: '分管领导未批准' });
    await sfn.settled(rejected);
    const r = await sfn.describeExecution({ executionArn: rejected });
    expect(r).toMatchObject({ status: 'FAILED', error: 'PlanRejected', cause: '分管领导未批准' });
    const types = (await sfn.history(rejected)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(types.lastIndexOf('TaskFailed')).toBeGreaterThan(types.lastIndexOf('TaskSubmitted'));

    const infeasible = await start('infeasible', { infeasible: true });
    const d = await sfn.describeExecution({ executionArn: infeasible });
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('DrawInfeasible');
    expect(JSON.parse(d.cause!)).toMatchObject({ errorType: 'DrawInfeasible', errorMessage: '候选检查对象不足，无法完成抽取' });
    expect(await calls('callback:infeasible:approval')).toBe(0);
  });

  it('treat a failing callback Lambda as a failed task (caught), and kill its token', async () => {
    const arn = await start('cbfails', { callbackFails: true });
    expect(await sfn.describeExecution({ executionArn: arn })).toMatchObject({ status: 'FAILED', error: 'PlanInvalid' });
    const scheduled = (await sfn.history(arn)).find((e) => e.type === 'TaskScheduled' && (e.taskScheduledEventDetails as { resource: string }).resource === 'invoke.waitForTaskToken')!;
    const token = (JSON.parse((scheduled.taskScheduledEventDetails as { parameters: string }).parameters) as { Payload: { taskToken: string } }).Payload.taskToken;
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: token, output: '{}' }))).name).toBe('TaskTimedOut');
  });

  it('give a duplicate SendTaskSuccess no second effect and answer it like AWS', async () => {
    const arn = await start('dup');
    const token = await storedToken('dup', 'approval');
    await sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approved: true, n: 1 }) });
    const second = await rejects(sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approved: true, n: 2 }) }));
    expect(second.name).toBe('TaskTimedOut');
    expect((await rejects(sfn.sendTaskFailure({ taskToken: token, error: 'PlanRejected' }))).name).toBe('TaskTimedOut');
    await sfn.settled(arn);
    const events = await sfn.history(arn);
    const approvals = events.filter((e) => e.type === 'TaskStateEntered' && (e.stateEnteredEventDetails as { name: string }).name === 'AwaitApproval');
    expect(approvals).toHaveLength(1);
    expect(events.filter((e) => e.type === 'TaskStateEntered' && (e.stateEnteredEventDetails as { name: string }).name === 'AwaitResults')).toHaveLength(1);
    const exited = events.find((e) => e.type === 'TaskStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'AwaitApproval')!;
    expect(JSON.parse((exited.stateExitedEventDetails as { output: string }).output).approval).toEqual({ approved: true, n: 1 });
    expect(await calls('callback:dup:results')).toBe(1);
  });

  it('reject unknown and malformed tokens', async () => {
    const stranger = `AQ${Buffer.alloc(30, 7).toString('base64url')}`; // wrong check bytes
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: 'not-a-token', output: '{}' }))).name).toBe('InvalidToken');
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: stranger, output: '{}' }))).name).toBe('InvalidToken');
    const arn = await start('unknown');
    const real = await storedToken('unknown', 'approval');
    const tampered = [...real].map((c, i) => (i === 10 ? (c === 'A' ? 'B' : 'A') : c)).join('');
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: tampered, output: '{}' }))).name).toBe('InvalidToken');
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: real, output: 'not json' }))).name).toBe('InvalidOutput');
    expect((await rejects(sfn.sendTaskHeartbeat({ taskToken: 'x' }))).name).toBe('InvalidToken');
    await sfn.sendTaskHeartbeat({ taskToken: real });
    await sfn.stopExecution({ executionArn: arn, error: 'Test', cause: 'stopped by the test' });
    expect(await sfn.describeExecution({ executionArn: arn })).toMatchObject({ status: 'ABORTED', error: 'Test' });
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: real, output: '{}' }))).name).toBe('TaskTimedOut');
    expect((await sfn.history(arn)).at(-1)?.type).toBe('ExecutionAborted');
  });

  it('tell a never-issued well-formed token from a malformed one', async () => {
    // Mint through a real execution, then forge one with a valid check but another body.
    const { createHash, randomBytes } = await import('node:crypto');
    const body = randomBytes(24);
    const forged = `AQ${Buffer.concat([body, createHash('sha256').update(body).digest().subarray(0, 6)]).toString('base64url')}`;
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: forged, output: '{}' }))).name).toBe('TaskDoesNotExist');
  });

  it('start idempotently by name and input, and refuse a reused name otherwise', async () => {
    const input = JSON.stringify({ taskId: 'idem', options: {} });
    const a = await sfn.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: 'idem', input });
    const b = await sfn.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: 'idem', input });
    expect(b).toEqual(a);
    expect((await rejects(sfn.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: 'idem', input: JSON.stringify({ taskId: 'other' }) }))).name).toBe(
      'ExecutionAlreadyExists',
    );
    await sfn.settled(a.executionArn);
    expect(await calls('work:idem:prepare')).toBe(1);
    const listed = await sfn.listExecutions({ stateMachineArn: FIXTURE_MACHINE, statusFilter: 'RUNNING' });
    expect(listed.executions.filter((e) => e.name === 'idem')).toHaveLength(1);
    await sfn.stopExecution({ executionArn: a.executionArn });
    // A closed execution's name cannot be reused, even with the same input.
    expect((await rejects(sfn.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: 'idem', input }))).name).toBe('ExecutionAlreadyExists');
    expect((await rejects(sfn.startExecution({ stateMachineArn: FIXTURE_MACHINE, name: 'bad name', input }))).name).toBe('InvalidName');
    expect((await rejects(sfn.startExecution({ stateMachineArn: 'Nope', input }))).name).toBe('StateMachineDoesNotExist');
  });

  it('retry per the Retry field and count retries as transitions', async () => {
    const arn = await start('flaky', { flaky: true });
    expect(await calls('work:flaky:prepare')).toBe(3);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('flaky', 'approval'), output: '{}' });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('flaky', 'results'), output: '{}' });
    await sfn.settled(arn);
    const stats = await sfn.executionStats(arn);
    expect(stats.status).toBe('SUCCEEDED');
    expect(stats.transitions).toBe(8 + 2);
  });

  it('loop back to a callback state with a fresh token for the new visit', async () => {
    const arn = await start('redo');
    const first = await storedToken('redo', 'approval');
    await sfn.sendTaskSuccess({ taskToken: first, output: '{}' });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('redo', 'results'), output: JSON.stringify({ redo: true }) });
    await sfn.settled(arn);
    expect(await calls('callback:redo:approval')).toBe(2);
    const second = await storedToken('redo', 'approval');
    expect(second).not.toBe(first);
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: first, output: '{}' }))).name).toBe('TaskTimedOut');
    await sfn.sendTaskSuccess({ taskToken: second, output: '{}' });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('redo', 'results'), output: '{}' });
    await sfn.settled(arn);
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('SUCCEEDED');
  });

  it('enforce the 256 KB payload quota', async () => {
    const arn = await start('big');
    const token = await storedToken('big', 'approval');
    expect((await rejects(sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ blob: 'x'.repeat(270_000) }) }))).name).toBe('InvalidOutput');
    // Fits alone, but the state output (input + result) exceeds the quota: the execution fails.
    await sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ blob: 'x'.repeat(262_144 - 20) }) });
    await sfn.settled(arn);
    expect(await sfn.describeExecution({ executionArn: arn })).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('page the history like GetExecutionHistory', async () => {
    const arn = await start('paging');
    const all = await sfn.history(arn);
    const p1 = await sfn.getExecutionHistory({ executionArn: arn, maxResults: 3 });
    expect(p1.events.map((e) => e.id)).toEqual([1, 2, 3]);
    const p2 = await sfn.getExecutionHistory({ executionArn: arn, maxResults: 3, nextToken: p1.nextToken! });
    expect(p2.events[0]?.id).toBe(4);
    const rev = await sfn.getExecutionHistory({ executionArn: arn, reverseOrder: true, includeExecutionData: false });
    expect(rev.events[0]?.id).toBe(all.length);
    expect(rev.events.at(-1)?.executionStartedEventDetails).not.toHaveProperty('input');
    expect((await rejects(sfn.describeExecution({ executionArn: 'arn:nope' }))).name).toBe('InvalidArn');
    expect((await rejects(sfn.describeExecution({ executionArn: arn.replace('paging', 'nothing') }))).name).toBe('ExecutionDoesNotExist');
  });
});

describe('timeouts', () => {
  it('time out a callback on the injected clock; States.TaskFailed does not catch the timeout', async () => {
    const clock = new ManualClock(new Date());
    setClock(clock);
    try {
      const arn = await start('late');
      await sfn.sendTaskSuccess({ taskToken: await storedToken('late', 'approval'), output: '{}' });
      await sfn.settled(arn);
      clock.advance(29 * 24 * 3600 * 1000);
      expect(await sfn.checkTimeouts()).toBe(0);
      clock.advance(2 * 24 * 3600 * 1000);
      // (executions of other tests parked at AwaitResults time out too)
      expect(await sfn.checkTimeouts()).toBeGreaterThanOrEqual(1);
      await sfn.settled(arn);
      expect(await sfn.describeExecution({ executionArn: arn })).toMatchObject({ status: 'FAILED', error: 'ResultsLate' });
      expect((await sfn.history(arn)).some((e) => e.type === 'TaskTimedOut')).toBe(true);
    } finally {
      resetClock();
    }
  });

});

describe('Wait states', () => {
  it('park until their time on the injected clock, survive a restart, continue once the clock has passed it; a past time passes at once', async () => {
    const clock = new ManualClock(new Date());
    setClock(clock);
    try {
      const waitUntil = new Date(clock.now().getTime() + 3600_000).toISOString();
      const arn = await start('hold1', { waitUntil });
      await sfn.sendTaskSuccess({ taskToken: await storedToken('hold1', 'approval'), output: '{}' });
      await sfn.settled(arn);
      expect(await sfn.getExecRecord(arn)).toMatchObject({ state: 'Hold', stateType: 'Wait', waiting: true, wakeAt: waitUntil });
      expect(await calls('callback:hold1:results')).toBe(0);
      clock.advance(59 * 60_000);
      await sfn.checkTimeouts();
      await sfn.settled(arn);
      expect(await calls('callback:hold1:results')).toBe(0);

      await sfn.close(); // the process dies while the execution waits: nothing but DynamoDB survives
      sfn = adapter();
      expect((await sfn.resumeAll()).waiting).toContain(arn);
      clock.advance(2 * 60_000);
      expect(await sfn.checkTimeouts()).toBeGreaterThanOrEqual(1);
      await sfn.settled(arn);
      expect(await calls('callback:hold1:results')).toBe(1);
      expect((await sfn.getExecRecord(arn))?.wakeAt).toBeUndefined();
      const events = (await sfn.history(arn)).filter((e) => (e.stateEnteredEventDetails ?? e.stateExitedEventDetails) && ((e.stateEnteredEventDetails ?? e.stateExitedEventDetails) as { name: string }).name === 'Hold').map((e) => e.type);
      expect(events).toEqual(['WaitStateEntered', 'WaitStateExited']);

      const past = await start('hold2', { waitUntil: new Date(clock.now().getTime() - 1000).toISOString() });
      await sfn.sendTaskSuccess({ taskToken: await storedToken('hold2', 'approval'), output: '{}' });
      await sfn.settled(past);
      expect(await calls('callback:hold2:results')).toBe(1);
    } finally {
      resetClock();
    }
  });
});

describe('kill and restart', () => {
  it('resumes a parked execution without re-invoking its callback Lambda', async () => {
    const arn = await start('crash1');
    expect(await calls('callback:crash1:approval')).toBe(1);
    const token = await storedToken('crash1', 'approval');
    await sfn.close(); // the process dies: nothing of this adapter survives but DynamoDB

    sfn = adapter();
    const r = await sfn.resumeAll();
    expect(r.waiting).toContain(arn);
    expect(r.resumed).not.toContain(arn);
    await sfn.settled();
    expect(await calls('callback:crash1:approval')).toBe(1);
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('RUNNING');

    await sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ approved: true }) });
    await sfn.settled(arn);
    expect(await calls('callback:crash1:approval')).toBe(1);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('crash1', 'results'), output: '{}' });
    await sfn.settled(arn);
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('SUCCEEDED');
    const entered = (await sfn.history(arn)).filter((e) => e.type === 'TaskStateEntered').map((e) => (e.stateEnteredEventDetails as { name: string }).name);
    expect(entered).toEqual(['Prepare', 'AwaitApproval', 'AwaitResults', 'Close']);
  });

  it('continues an execution whose callback arrived while nothing was running', async () => {
    const arn = await start('crash2');
    await sfn.close();
    // The callback reaches DynamoDB through another adapter instance that then dies too.
    const other = adapter();
    await other.close();
    await other.sendTaskSuccess({ taskToken: await storedToken('crash2', 'approval'), output: JSON.stringify({ approved: 'late' }) });
    sfn = adapter();
    const r = await sfn.resumeAll();
    expect(r.resumed).toContain(arn);
    await sfn.settled(arn);
    expect(await calls('callback:crash2:approval')).toBe(1);
    expect(await calls('callback:crash2:results')).toBe(1);
    const events = await sfn.history(arn);
    expect(events.at(-1)?.type).toBe('TaskSubmitted');
  });

  it('re-runs a Lambda state that was interrupted mid-flight (at-least-once), entering it once', async () => {
    const arn = await start('crash3', { holdClose: true });
    await sfn.sendTaskSuccess({ taskToken: await storedToken('crash3', 'approval'), output: '{}' });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('crash3', 'results'), output: '{}' });
    await until(async () => (await calls('work:crash3:close')) === 1);
    await sfn.close(); // dies while Close runs

    sfn = adapter();
    const r = await sfn.resumeAll();
    expect(r.resumed).toContain(arn);
    await until(async () => (await calls('work:crash3:close')) === 2);
    await release('crash3');
    await sfn.settled(arn);
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('SUCCEEDED');
    const entered = (await sfn.history(arn)).filter((e) => e.type === 'TaskStateEntered').map((e) => (e.stateEnteredEventDetails as { name: string }).name);
    expect(entered.filter((n) => n === 'Close')).toHaveLength(1);
  });

  it('fences a stale instance: once another one takes over, the old one writes nothing more', async () => {
    const arn = await start('fence', { holdClose: true });
    await sfn.sendTaskSuccess({ taskToken: await storedToken('fence', 'approval'), output: '{}' });
    await sfn.settled(arn);
    await sfn.sendTaskSuccess({ taskToken: await storedToken('fence', 'results'), output: '{}' });
    await until(async () => (await calls('work:fence:close')) === 1);
    const stale = sfn; // not closed: it keeps running Close, like a hung process
    sfn = adapter();
    expect((await sfn.resumeAll()).resumed).toContain(arn);
    await until(async () => (await calls('work:fence:close')) === 2);
    await release('fence');
    await Promise.all([sfn.settled(arn), stale.settled(arn)]);
    expect((await sfn.describeExecution({ executionArn: arn })).status).toBe('SUCCEEDED');
    const events = await sfn.history(arn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'ExecutionSucceeded')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'TaskStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'Close')).toHaveLength(1);
    await stale.close();
  });
});

async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}
