/**
 * Resuming the task's execution from the human steps. Each callback stage's token is stored in
 * DynamoDB by the callback Lambda; the API resumes the execution when the stage's condition
 * holds. A token is claimed before it is used, so a duplicate request (double click, retried
 * Lambda, two people at once) has no second effect.
 */
import {
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { claimToken, confirmTokenUsed, getTask, releaseToken, type CallbackStage, type TaskRecord } from '../store/tasks.js';
import { config } from '../config.js';

let client: SFNClient | undefined;
export function sfn(): SFNClient {
  client ??= new SFNClient({ maxAttempts: 5 });
  return client;
}
export function resetSfn(): void {
  client = undefined;
}

/** Errors after which the token is dead in Step Functions: keep it claimed. */
const DEAD_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

async function useToken(taskId: string, stage: CallbackStage, outcome: 'success' | 'failure', send: (token: string) => Promise<unknown>): Promise<boolean> {
  const claim = await claimToken(taskId, stage, outcome);
  if (!claim) return false;
  try {
    await send(claim.token);
  } catch (e) {
    if (DEAD_TOKEN.has((e as { name?: string }).name ?? '')) {
      await confirmTokenUsed(taskId, stage, claim.usedAt);
      return false;
    }
    // If this fails too (DynamoDB down), the claim's lease frees the token (store/tasks.ts).
    await releaseToken(taskId, stage, claim.usedAt).catch(() => undefined);
    throw e;
  }
  // Not confirmed (DynamoDB down): the claim expires and a later use finds the token used.
  await confirmTokenUsed(taskId, stage, claim.usedAt).catch(() => undefined);
  return true;
}

export function completeStage(taskId: string, stage: CallbackStage, output: Record<string, unknown> = {}): Promise<boolean> {
  return useToken(taskId, stage, 'success', (taskToken) =>
    sfn().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ stage, ...output }) })),
  );
}

export function failStage(taskId: string, stage: CallbackStage, error: string, cause: string): Promise<boolean> {
  return useToken(taskId, stage, 'failure', (taskToken) => sfn().send(new SendTaskFailureCommand({ taskToken, error, cause })));
}

/**
 * Resume the execution if the task's current stage is satisfied by the counters. Called after
 * every transition and by the callback Lambda when it enters a stage (the condition may hold
 * already, e.g. results published before the publication stage began).
 */
export async function resumeIfDone(taskId: string, task?: TaskRecord): Promise<CallbackStage | undefined> {
  const t = task ?? (await getTask(taskId));
  if (!t) return undefined;
  const done: Partial<Record<CallbackStage, boolean>> = {
    // a resumed task: its plan form was approved before it failed
    approval: t.approval?.approved === true,
    results: t.total > 0 && t.reached.resultEntered >= t.total,
    publication: t.total > 0 && t.reached.published >= t.total,
    followup: t.reached.closed >= t.total,
  };
  const stage = t.stage as CallbackStage;
  if (!done[stage]) return undefined;
  const ok = await completeStage(taskId, stage, stage === 'results' ? { redraw: false } : {});
  return ok ? stage : undefined;
}

/** The task an execution runs: executions are named by task id, a resumed one `<task>_r<round>` (usecases/resume.ts). */
export const taskOfExecution = (name: string): string => name.replace(/_r\d+$/, '');

/**
 * Re-drive every running execution from stored state: a task whose current human step is
 * already satisfied (its last result stored, all published …) is resumed. Nothing else resumes
 * it when the request that met the condition died before the Step Functions call, or the call
 * was lost (the local platform killed, DynamoDB down while the claim was given back); the
 * recovery job (functions/jobs/recover.ts) runs this every minute, the local platform also at
 * start. Reads one page of running executions after another (ListExecutions), never the table.
 */
export async function redriveStalledSteps(): Promise<{ running: number; resumed: string[] }> {
  const resumed: string[] = [];
  let running = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(new ListExecutionsCommand({ stateMachineArn: config().stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    for (const e of page.executions ?? []) {
      running++;
      const taskId = taskOfExecution(e.name!);
      const t = await getTask(taskId);
      // Only the task's current execution (a superseded one is not this task's lifecycle).
      if (!t || (t.executionArn && t.executionArn !== e.executionArn)) continue;
      const stage = await resumeIfDone(taskId, t);
      if (stage) resumed.push(`${taskId}:${stage}`);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { running, resumed };
}

export async function startExecution(name: string, input: Record<string, unknown>): Promise<{ executionArn: string; startDate?: Date }> {
  try {
    const r = await sfn().send(new StartExecutionCommand({ stateMachineArn: config().stateMachineArn, name, input: JSON.stringify(input) }));
    return { executionArn: r.executionArn!, ...(r.startDate ? { startDate: r.startDate } : {}) };
  } catch (e) {
    if ((e as { name?: string }).name === 'ExecutionAlreadyExists') {
      const arn = `${config().stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      return { executionArn: arn };
    }
    throw e;
  }
}

export interface ExecutionView {
  status: string;
  startDate?: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** State-level history: one row per state entered, never per target. */
  states: { name: string; enteredAt: string; exitedAt?: string }[];
  transitions: number;
}

export async function describeExecution(executionArn: string): Promise<ExecutionView> {
  const d = await sfn().send(new DescribeExecutionCommand({ executionArn }));
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const h = await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(h.events ?? []));
    nextToken = h.nextToken;
  } while (nextToken);
  const states: ExecutionView['states'] = [];
  for (const e of events) {
    if (e.stateEnteredEventDetails?.name) states.push({ name: e.stateEnteredEventDetails.name, enteredAt: new Date(e.timestamp!).toISOString() });
    if (e.stateExitedEventDetails?.name) {
      const open = [...states].reverse().find((s) => s.name === e.stateExitedEventDetails!.name && !s.exitedAt);
      if (open) open.exitedAt = new Date(e.timestamp!).toISOString();
    }
  }
  return {
    status: d.status ?? 'UNKNOWN',
    ...(d.startDate ? { startDate: d.startDate.toISOString() } : {}),
    ...(d.stopDate ? { stopDate: d.stopDate.toISOString() } : {}),
    ...(d.error ? { error: d.error } : {}),
    ...(d.cause ? { cause: d.cause } : {}),
    states,
    transitions: states.length,
  };
}
