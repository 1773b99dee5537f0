/**
 * Local Step Functions, the definitions: a state machine of the synthesized template compiled for
 * `aws-local-stepfunctions` — every Task state bound to its Lambda (lambda:invoke, direct Lambda
 * ARNs, .waitForTaskToken) — and one interpreter per start state (a segment starts the same
 * definition at the state where the execution stands; see sfn.ts).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { Intrinsics, LocalTemplate } from './lambdas.js';

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
// Definitions
// ---------------------------------------------------------------------------------------------

/** Node timers overflow at 2^31 ms; "no timeout" is this long instead. */
const MAX_TIMER_SECONDS = 2_000_000;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type StateDef = Record<string, unknown> & { Type: string };
interface Definition {
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
  [k: string]: unknown;
}

/** A top-level Wait state's time fields (exactly one is set). */
export interface WaitSpec {
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
}

export interface TaskBinding {
  state: string;
  topLevel: boolean;
  /**
   * lambda:invoke (Parameters FunctionName + Payload, wrapped result), a Lambda ARN, or a
   * top-level Wait state run as a task (`wait`): it parks the execution until its time on the
   * injected clock (see Segment.waitState), so a wait survives a restart and follows a fast clock.
   */
  kind: 'invoke' | 'direct' | 'wait';
  wait?: WaitSpec;
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

export function compileStateMachine(logicalId: string, res: LocalTemplate['Resources'][string], intrinsics: Intrinsics): LocalStateMachine {
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
    if (st.Type === 'Wait' && top) {
      const wait: WaitSpec = {};
      for (const k of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'] as const) if (st[k] !== undefined) (wait as Record<string, unknown>)[k] = st[k];
      tasks.set(name, { state: name, topLevel: true, kind: 'wait', callback: false, resource: 'wait', wait });
      return;
    }
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
  // Top-level Wait states run as tasks (same InputPath, OutputPath, Next/End; the task returns
  // its input): the interpreter's own Wait would sleep in memory on the real clock.
  for (const [name, st] of Object.entries(runDefinition.States)) {
    if (st.Type !== 'Wait') continue;
    const { Seconds: _s, SecondsPath: _sp, Timestamp: _t, TimestampPath: _tp, ...rest } = st;
    runDefinition.States[name] = { ...rest, Type: 'Task', Resource: `arn:${intrinsics.partition}:lambda:${intrinsics.region}:${intrinsics.account}:function:suiji-local-wait`, TimeoutSeconds: MAX_TIMER_SECONDS };
  }
  walkStates(runDefinition.States, true, (name, st) => {
    if (st.Type !== 'Task') return;
    const b = tasks.get(name)!;
    if (b.kind === 'wait') return;
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

export function runnerFor(sm: LocalStateMachine, startAt: string): StateMachine {
  let r = sm.runners.get(startAt);
  if (!r) {
    r = new StateMachine({ ...sm.runDefinition, StartAt: startAt } as never, { validationOptions: { noValidate: true } });
    sm.runners.set(startAt, r);
  }
  return r;
}
