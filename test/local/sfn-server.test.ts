/**
 * The local Step Functions service over HTTP, used through the real @aws-sdk/client-sfn with
 * AWS_ENDPOINT_URL_SFN, as Suiji's own code uses it. Includes a callback Lambda that resumes
 * its own execution through the API while it is being invoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  paginateGetExecutionHistory,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { LocalLambdas } from '../../shared/dev/local/lambdas.js';
import { LocalStepFunctions } from '../../shared/dev/local/sfn.js';
import { startSfnServer, type SfnServer } from '../../shared/dev/local/sfn-server.js';
import { calls, startFixtureStack, storedToken, type FixtureStack } from './harness.js';

let stack: FixtureStack;
let sfn: LocalStepFunctions;
let server: SfnServer;
let client: SFNClient;
let machineArn: string;

beforeAll(async () => {
  stack = await startFixtureStack();
  sfn = new LocalStepFunctions({ template: stack.template, lambdas: new LocalLambdas(stack.template), retryDelayMs: 0 });
  server = await startSfnServer(sfn);
  process.env.AWS_ENDPOINT_URL_SFN = server.endpoint;
  client = new SFNClient({});
  machineArn = sfn.stateMachine('FixtureFlow').arn;
});

afterAll(async () => {
  client?.destroy();
  await sfn?.close();
  await server?.close();
  await stack?.stop();
});

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client, pageSize: 5 }, { executionArn })) out.push(...(page.events ?? []));
  return out;
}

describe('the Step Functions API over HTTP', () => {
  it('starts, describes, lists, pages the history and completes callbacks with the real SDK', async () => {
    const input = JSON.stringify({ taskId: 'sdk', options: {} });
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'sdk', input }));
    expect(started.executionArn).toBe(`${machineArn.replace(':stateMachine:', ':execution:')}:sdk`);
    expect(started.startDate).toBeInstanceOf(Date);
    const again = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'sdk', input }));
    expect(again.executionArn).toBe(started.executionArn);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'sdk', input: '{"taskId":"x"}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await sfn.settled(started.executionArn);

    const d = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(d).toMatchObject({ status: 'RUNNING', name: 'sdk', input, stateMachineArn: machineArn });
    expect(Math.abs(d.startDate!.getTime() - started.startDate!.getTime())).toBeLessThan(1);

    const token = await storedToken('sdk', 'approval');
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await sfn.settled(started.executionArn);
    await client.send(new SendTaskSuccessCommand({ taskToken: await storedToken('sdk', 'results'), output: '{"entered":3}' }));
    await sfn.settled(started.executionArn);

    const done = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(done.output!)).toMatchObject({ approval: { approved: true }, results: { entered: 3 } });

    const events = await history(started.executionArn!);
    expect(events[0]).toMatchObject({ id: 1, type: 'ExecutionStarted', executionStartedEventDetails: { input } });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);
    expect(events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name)).toEqual(['Prepare', 'AwaitApproval', 'AwaitResults', 'Close']);
    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true, maxResults: 1 }));
    expect(reversed.events?.[0]?.id).toBe(events.length);
    expect(reversed.nextToken).toBeTruthy();

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'SUCCEEDED' }));
    expect(listed.executions?.map((e) => e.name)).toContain('sdk');
    const sm = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
    expect(JSON.parse(sm.definition!)).toEqual(sfn.stateMachine('FixtureFlow').definition);
  });

  it('lets a callback Lambda resume its own execution through the API while it runs', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'inline', input: JSON.stringify({ taskId: 'inline', options: { immediate: true } }) }),
    );
    await sfn.settled(executionArn);
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toMatchObject({ approval: { approved: true, immediate: true }, results: { approved: true, immediate: true } });
    expect(await calls('callback:inline:approval')).toBe(1);
    expect(await calls('callback:inline:results')).toBe(1);
    // The callbacks did not park the execution: no segment ever waited.
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskSubmitted')).toHaveLength(2);
    expect(types.filter((t) => t === 'TaskSucceeded')).toHaveLength(3);
  });

  it('answers errors with the shapes the SDK maps to its exception classes', async () => {
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    const { createHash, randomBytes } = await import('node:crypto');
    const body = randomBytes(24);
    const unissued = `AQ${Buffer.concat([body, createHash('sha256').update(body).digest().subarray(0, 6)]).toString('base64url')}`;
    await expect(client.send(new SendTaskFailureCommand({ taskToken: unissued, error: 'X' }))).rejects.toBeInstanceOf(TaskDoesNotExist);
    const e = await client.send(new DescribeExecutionCommand({ executionArn: `${machineArn.replace(':stateMachine:', ':execution:')}:none` })).catch((x: unknown) => x);
    expect((e as Error).name).toBe('ExecutionDoesNotExist');
    expect((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);

    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'stopme', input: JSON.stringify({ taskId: 'stopme', options: {} }) }));
    await sfn.settled(executionArn);
    const stopped = await client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: '任务撤销' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: '任务撤销' });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: await storedToken('stopme', 'approval'), output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });
});
