/**
 * Kill the local platform (SIGKILL of `npm start`'s whole process group, DynamoDB Local
 * included) in the middle of a lifecycle, start it again on the same data, and complete the
 * task: the execution resumes at its recorded stage and nothing is lost or done twice.
 *
 * Then the fault the chaos bench found: the request that stored the last result claimed the
 * stage's task token and died before its Step Functions call (or DynamoDB failed before it could
 * give the claim back). The claim never expired, every later request found the token used, and
 * the task stayed in its results stage for good, across restarts. Now the claim has a lease and
 * the platform re-drives parked executions from stored state when it starts (the recovery job
 * does the same every minute).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { ApiClient, waitForExecutionEnd, waitForStage, type Call } from '../helpers/api.js';
import { ChildPlatform, launchAndDraw } from '../helpers/child-platform.js';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { K } from '../../shared/store/keys.js';

const TASK = `${SAMPLE_PLAN_ID}-01`;
// a real clock: registration closes a second after the freeze, the local test beacon's round ~60 s later
const platform = new ChildPlatform({ targets: 400, clockStart: '2026-01-12T01:00:00Z', env: { SUIJI_REGISTRATION_SECONDS: '1' } });
const api = new ApiClient(platform);

afterAll(async () => {
  await platform.kill();
});

/** The child platform's table, as its DynamoDB Local holds it. */
async function table(): Promise<{ doc: DynamoDBDocumentClient; name: string }> {
  const raw = new DynamoDBClient({ endpoint: platform.dynamoEndpoint, region: 'cn-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { doc: DynamoDBDocumentClient.from(raw), name: (await raw.send(new ListTablesCommand({}))).TableNames![0]! };
}

describe('a restart in the middle of a lifecycle', () => {
  it('resumes at the recorded stage and completes', async () => {
    await platform.start();
    const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
    const leader = await api.as(SAMPLE_LEADER_EMAIL);
    const status = (): Promise<Call> => coord('GET', `/tasks/${TASK}/status`);
    // the draw waits for the beacon round (≥ 60 s after the planned close)
    const before = await launchAndDraw(coord, leader, TASK, waitForStage, 180_000);
    const targets = (await coord('GET', `/tasks/${TASK}/targets?limit=1000`)).json.items as { uscc: string; team: string[] }[];
    const inspectors = new Map(((await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`)).json as { id: string; email: string }[]).map((i) => [i.id, i.email]));
    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const task = plan.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === TASK);
    const itemIds: string[] = [...task.items.general, ...task.items.key];
    const enter = async (t: { uscc: string; team: string[] }): Promise<Call> =>
      (await api.as(inspectors.get(t.team[0]!)!))('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, {
        codes: ['1'],
        itemOutcomes: itemIds.map((itemId) => ({ itemId, outcome: 'pass' })),
        methods: ['实地核查'],
        checkDate: '2026-01-12',
        present: t.team.slice(0, 2),
        signature: { signed: true, signer: '负责人' },
      });
    const half = Math.floor(targets.length / 2);
    for (const t of targets.slice(0, half)) expect((await enter(t)).status).toBe(201);

    await platform.kill(); // SIGKILL: no clean shutdown of anything
    await platform.start();

    const after = await status();
    expect(after.json.stage).toBe('results');
    expect(after.json.reached.resultEntered).toBe(half);
    expect(after.json.execution.status).toBe('RUNNING');
    const rest = targets.slice(half);
    for (const t of rest.slice(0, -1)) expect((await enter(t)).status).toBe(201);

    // A request claimed the results token and died before using it (or could not give the
    // claim back: DynamoDB down), then the last result arrives: its resume finds the token claimed.
    const { doc, name } = await table();
    const claimedAt = new Date(platform.clockNow() - 45_000).toISOString();
    await doc.send(new UpdateCommand({ TableName: name, Key: K.token(TASK, 'results'), UpdateExpression: 'SET usedAt = :u, outcome = :o', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':u': claimedAt, ':o': 'success' } }));
    expect((await enter(rest.at(-1)!)).status).toBe(201);
    expect((await status()).json).toMatchObject({ stage: 'results', reached: { resultEntered: before.json.total } });
    expect((await doc.send(new GetCommand({ TableName: name, Key: K.token(TASK, 'results') }))).Item).toMatchObject({ usedAt: claimedAt });

    // Killed in this state and started again: nobody enters anything more, yet the task moves
    // on — the re-drive at start once the dead claim's lease is over, or the recovery job.
    await platform.kill();
    await platform.start();
    await waitForStage(status, 'publication', 180_000);
    expect((await doc.send(new GetCommand({ TableName: name, Key: K.token(TASK, 'results') }))).Item).toMatchObject({ sentAt: expect.any(String) });
    await waitForStage(status, 'publication');
    await coord('POST', `/tasks/${TASK}/publish`, {});
    const done = await waitForStage(status, 'closed');
    expect(done.json.summary).toMatchObject({ targets: before.json.total, published: before.json.total });
    // The stage is stored before the state machine's last states run.
    expect((await waitForExecutionEnd(status)).json.execution.status).toBe('SUCCEEDED');
    // the draw ran once: one round, one record
    expect(done.json.drawRound).toBe(1);
  }, 720_000);
});
