/**
 * The lifecycle state machine as synthesized: its shape (flat, named states, retries, catches,
 * small payloads) and its behaviour, by running the synthesized definition with
 * aws-local-stepfunctions — the interpreter the local platform uses — with every Task state
 * replaced by a local function (callback stages answer as SendTaskSuccess would).
 */
import { describe, expect, it } from 'vitest';
import { StateMachine } from 'aws-local-stepfunctions';
import { BEACON_RETRY_SECONDS, HUMAN_ERRORS, LIFECYCLE_STATES, TRANSIENT_LAMBDA_ERRORS } from '../../infra/lifecycle.js';
import { definitionOf, resourcesOf, synth } from './synth.js';

// aws-local-stepfunctions 3 needs Node 22 (Promise.withResolvers in every Task state); the
// project runs Node 20 locally. Same polyfill the local platform's adapter needs.
(Promise as unknown as { withResolvers?: unknown }).withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

const s = synth();
const machines = resourcesOf(s.appJson, 'AWS::StepFunctions::StateMachine');
const definition = definitionOf(machines[0]![1]);
const states: Record<string, any> = definition.States;
const tasks = Object.entries(states).filter(([, st]) => st.Type === 'Task');
const CALLBACKS: Record<string, string> = {
  AwaitPlanApproval: 'approval',
  AwaitWitnesses: 'witnesses',
  AwaitCeremony: 'ceremony',
  AwaitResults: 'results',
  AwaitPublication: 'publication',
  AwaitFollowUps: 'followup',
};

describe('state machine resource', () => {
  it('is one STANDARD machine named SuijiLifecycle, logging ALL events without execution data, traced', () => {
    expect(machines).toHaveLength(1);
    const p = machines[0]![1].Properties!;
    expect(p.StateMachineName).toBe('SuijiLifecycle');
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.LoggingConfiguration.Level).toBe('ALL');
    // Execution data (approvers' e-mail addresses, reasons) never reaches the log.
    expect(p.LoggingConfiguration.IncludeExecutionData).toBe(false);
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });
});

describe('definition', () => {
  it('has the named states, all top-level: no Map, no Parallel', () => {
    expect(definition.StartAt).toBe('ValidatePlan');
    for (const name of [...LIFECYCLE_STATES, 'RecordFailure', 'FailureKind', ...HUMAN_ERRORS, 'LifecycleError']) {
      expect(Object.keys(states), name).toContain(name);
    }
    for (const [name, st] of Object.entries(states)) {
      expect(['Map', 'Parallel'], name).not.toContain(st.Type);
      expect(st.Branches ?? st.Iterator ?? st.ItemProcessor, name).toBeUndefined();
    }
  });

  it('chains the happy path in order', () => {
    const path: string[] = [];
    for (let name: string | undefined = 'ValidatePlan'; name; ) {
      path.push(name);
      const st: any = states[name];
      name = st.Type === 'Choice' ? st.Default : st.Next;
    }
    expect(path).toEqual(LIFECYCLE_STATES);
    expect(states.Closed.Type).toBe('Succeed');
  });

  it('retries transient Lambda errors (2 s, ×2, 6 attempts) and catches everything into RecordFailure', () => {
    for (const [name, st] of [...tasks, ['RecordFailure', states.RecordFailure] as const]) {
      expect(st.Retry, name).toEqual([{ ErrorEquals: [...TRANSIENT_LAMBDA_ERRORS], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6 }]);
    }
    for (const [name, st] of tasks.filter(([n]) => n !== 'RecordFailure')) {
      expect(st.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    }
    // Human errors are never retried.
    for (const [, st] of tasks) for (const r of st.Retry) for (const e of HUMAN_ERRORS) expect(r.ErrorEquals).not.toContain(e);
  });

  it('waits for a task token in each human step, with only taskId, stage and token in the payload', () => {
    for (const [name, stage] of Object.entries(CALLBACKS)) {
      const st = states[name];
      expect(st.Resource, name).toMatch(/:states:::lambda:invoke\.waitForTaskToken$/);
      expect(st.Parameters.Payload, name).toEqual({ 'taskId.$': '$.taskId', stage, 'taskToken.$': '$$.Task.Token' });
      expect(st.ResultPath, name).toBe(`$.${stage}`);
    }
  });

  it('sends only the task id to Lambda steps and keeps only selected fields of their results', () => {
    for (const [name, st] of tasks.filter(([n]) => !CALLBACKS[n])) {
      const payload = st.Parameters.Payload ?? st.Parameters;
      expect(Object.keys(payload).filter((k) => k !== 'failure.$'), name).toEqual(['taskId.$']);
      // Either the result is dropped or reduced by a selector to a sub-path: never the whole state.
      expect(st.ResultPath === null || (typeof st.ResultPath === 'string' && st.ResultPath.startsWith('$.') && st.ResultSelector), name).toBeTruthy();
    }
  });

  it('gives each Lambda step at least its function timeout (the local interpreter defaults to 60 s)', () => {
    for (const [name, st] of tasks.filter(([n]) => !CALLBACKS[n])) {
      const fnId = /function:(.+)$/.exec(st.Resource)![1]!;
      const fnTimeout = s.appJson.Resources[fnId]!.Properties!.Timeout as number;
      expect(st.TimeoutSeconds, name).toBeGreaterThanOrEqual(fnTimeout);
    }
  });

  it('waits for the beacon time handed over by the ceremony stage, and loops RunDraw through a short Wait while the beacon is pending', () => {
    expect(states.AwaitCeremony.Next).toBe('BeaconFixed');
    expect(states.BeaconFixed).toMatchObject({ Type: 'Choice', Choices: [{ Not: { Variable: '$.ceremony.beaconAt', IsPresent: true }, Next: 'RunDraw' }], Default: 'WaitForBeacon' });
    expect(states.WaitForBeacon).toMatchObject({ Type: 'Wait', TimestampPath: '$.ceremony.beaconAt', Next: 'RunDraw' });
    expect(states.RunDraw.ResultSelector).toEqual({ 'round.$': '$.round', 'selected.$': '$.selected', 'pending.$': '$.pending' });
    expect(states.RunDraw.Next).toBe('Drawn');
    expect(states.Drawn).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.draw.pending', BooleanEquals: true, Next: 'BeaconRetryWait' }], Default: 'AwaitResults' });
    expect(states.BeaconRetryWait).toMatchObject({ Type: 'Wait', Seconds: BEACON_RETRY_SECONDS, Next: 'RunDraw' });
  });

  it('ends each human error in its own Fail state, anything else in LifecycleError', () => {
    const choice = states.FailureKind;
    for (const name of HUMAN_ERRORS) {
      expect(choice.Choices).toContainEqual({ Variable: '$.error.Error', StringEquals: name, Next: name });
      expect(states[name]).toMatchObject({ Type: 'Fail', Error: name, CausePath: '$.error.Cause' });
    }
    expect(choice.Default).toBe('LifecycleError');
    expect(states.LifecycleError).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });
});

// Validates the definition (ASL schema, paths, ARNs) once.
const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });

/** Runs the synthesized definition; Task states are local functions keyed by state name. */
async function run(handlers: Record<string, (input: any) => unknown>) {
  const visited: string[] = [];
  const calls: Record<string, any[]> = {};
  const overrides: Record<string, (input: any) => Promise<unknown>> = {};
  for (const [name] of tasks) {
    overrides[name] = async (input) => {
      (calls[name] ??= []).push(input);
      const h = handlers[name];
      if (h) return h(input);
      return CALLBACKS[name] ? { stage: CALLBACKS[name] } : {};
    };
  }
  const waits = Object.fromEntries(Object.entries(states).filter(([, st]) => st.Type === 'Wait').map(([n]) => [n, 0]));
  const execution = machine.run({ taskId: 'T-2026-01' }, { overrides: { taskResourceLocalHandlers: overrides as never, waitTimeOverrides: waits }, context: { Task: { Token: 'token-1' } } as never });
  const events = (async () => {
    for await (const e of execution.eventLogs as AsyncIterable<any>) if (e.type === 'StateEntered') visited.push(e.state.name);
  })();
  let result: unknown;
  let error: any;
  try {
    result = await execution.result;
  } catch (e) {
    error = e;
  }
  await events;
  return { result, error, visited, calls };
}

const fixed = {
  ValidatePlan: () => ({ taskId: 'T-2026-01', department: 'HOUSING' }),
  FreezePool: () => ({ round: 1, candidates: 20000, toDraw: 600, strata: Array.from({ length: 100 }, (_, i) => ({ i })) }),
  RunDraw: () => ({ round: 1, selected: 600, pending: false, targets: Array.from({ length: 1000 }, (_, i) => `uscc-${i}`) }),
  // a v2 round: the beacon's time (past here; the real wait is tested on the local platform)
  AwaitCeremony: () => ({ stage: 'ceremony', round: 1, beaconAt: '2026-01-12T01:18:00Z' }),
  CloseTask: () => ({ closed: true }),
};

describe('running the synthesized definition', () => {
  it('goes through every stage once, and the final state holds only the task id and small summaries', async () => {
    const { result, visited, calls } = await run({ ...fixed, AwaitResults: () => ({ stage: 'results', redraw: false }) });
    expect(visited).toEqual(LIFECYCLE_STATES);
    // lambda:invoke.waitForTaskToken: the function gets Payload (the local adapter unwraps it).
    expect(calls.AwaitCeremony![0].Payload).toEqual({ taskId: 'T-2026-01', stage: 'ceremony', taskToken: 'token-1' });
    expect(result).toEqual({
      taskId: 'T-2026-01',
      plan: { department: 'HOUSING' },
      approval: { stage: 'approval' },
      witnesses: { stage: 'witnesses' },
      freeze: { round: 1, candidates: 20000, toDraw: 600 },
      ceremony: { stage: 'ceremony', round: 1, beaconAt: '2026-01-12T01:18:00Z' },
      draw: { round: 1, selected: 600, pending: false },
      results: { stage: 'results', redraw: false },
      publication: { stage: 'publication' },
      followup: { stage: 'followup' },
      close: { closed: true },
    });
  });

  it('goes back to the witnesses for an approved re-draw, then continues', async () => {
    let round = 0;
    const { visited } = await run({ ...fixed, AwaitResults: () => ({ stage: 'results', redraw: ++round === 1 }) });
    const second = visited.indexOf('AfterResults') + 1;
    expect(visited.slice(second, second + 8)).toEqual(['AwaitWitnesses', 'FreezePool', 'AwaitCeremony', 'BeaconFixed', 'WaitForBeacon', 'RunDraw', 'Drawn', 'AwaitResults']);
    expect(visited.at(-1)).toBe('Closed');
    expect(visited.filter((v) => v === 'RunDraw')).toHaveLength(2);
  });

  it('waits for the beacon in a Wait state, not in RunDraw; a RunDraw that finds no beacon yet runs again after a short Wait', async () => {
    let attempts = 0;
    const { visited, result } = await run({ ...fixed, RunDraw: () => (++attempts < 3 ? { round: 1, selected: 0, pending: true } : fixed.RunDraw()), AwaitResults: () => ({ stage: 'results', redraw: false }) });
    const from = visited.indexOf('AwaitCeremony');
    expect(visited.slice(from, visited.indexOf('AwaitResults') + 1)).toEqual([
      'AwaitCeremony', 'BeaconFixed', 'WaitForBeacon', 'RunDraw', 'Drawn', 'BeaconRetryWait', 'RunDraw', 'Drawn', 'BeaconRetryWait', 'RunDraw', 'Drawn', 'AwaitResults',
    ]);
    expect((result as { draw: unknown }).draw).toEqual({ round: 1, selected: 600, pending: false });
    // a v1 round (no beacon time) draws at once
    const v1 = await run({ ...fixed, AwaitCeremony: () => ({ stage: 'ceremony', round: 1 }), AwaitResults: () => ({ stage: 'results', redraw: false }) });
    expect(v1.visited.slice(v1.visited.indexOf('BeaconFixed'), v1.visited.indexOf('AwaitResults'))).toEqual(['BeaconFixed', 'RunDraw', 'Drawn']);
  });

  it('records a rejected plan on the task and fails in PlanRejected with the reason', async () => {
    const rejected = Object.assign(new Error('分管领导未批准：抽查比例与年度计划不符'), { name: 'PlanRejected' });
    const { error, visited, calls } = await run({
      ...fixed,
      AwaitPlanApproval: () => {
        throw rejected;
      },
    });
    expect(visited.slice(-3)).toEqual(['RecordFailure', 'FailureKind', 'PlanRejected']);
    expect(calls.RecordFailure![0].taskId).toBe('T-2026-01');
    expect(calls.RecordFailure![0].failure.Error).toBe('PlanRejected');
    expect(calls.RecordFailure![0].failure.Cause).toContain('分管领导未批准');
    // The execution fails with the Fail state's error and the reason as its cause.
    expect(error.cause.name).toBe('PlanRejected');
    expect(error.cause.message).toContain('分管领导未批准');
    expect(calls.CloseTask).toBeUndefined();
  });

  it('ends an unexpected error in LifecycleError, keeping the original error name', async () => {
    const { error, visited } = await run({
      ...fixed,
      RunDraw: () => {
        throw Object.assign(new Error('boom'), { name: 'TypeError' });
      },
    });
    expect(visited.slice(-3)).toEqual(['RecordFailure', 'FailureKind', 'LifecycleError']);
    expect(error.cause.name).toBe('TypeError');
  });

  it('still ends in the named Fail state when recording the failure itself fails', async () => {
    const { visited, error } = await run({
      ...fixed,
      ValidatePlan: () => {
        throw Object.assign(new Error('任务不在已发布的年度计划中'), { name: 'PlanInvalid' });
      },
      RecordFailure: () => {
        throw Object.assign(new Error('table unavailable'), { name: 'Error' });
      },
    });
    expect(visited).toEqual(['ValidatePlan', 'RecordFailure', 'FailureKind', 'PlanInvalid']);
    expect(error.cause.name).toBe('PlanInvalid');
  });
});
