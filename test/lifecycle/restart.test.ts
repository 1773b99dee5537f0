/**
 * Kill the local platform (SIGKILL of `npm start`'s whole process group, DynamoDB Local
 * included) in the middle of a lifecycle, start it again on the same data, and complete the
 * task: the execution resumes at its recorded stage and nothing is lost or done twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../shared/dev/local/dynamo.js';
import { SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { waitForExecutionEnd, waitForStage, type Call } from '../helpers/api.js';

const TASK = `${SAMPLE_PLAN_ID}-01`;
const dataDir = mkdtempSync(join(tmpdir(), 'suiji-restart-'));
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
let child: ChildProcess | undefined;
let ports: Record<string, number>;

async function start(): Promise<void> {
  ports ??= { api: await freePort(), dynamo: await freePort(), ses: await freePort(), sfn: await freePort() };
  child = spawn(process.execPath, ['--import', 'tsx', 'shared/dev/local/start.ts'], {
    cwd: new URL('../../', import.meta.url).pathname,
    detached: true, // its own process group: the kill takes DynamoDB Local with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SUIJI_DATA_DIR: dataDir,
      SUIJI_API_PORT: String(ports.api),
      SUIJI_DYNAMO_PORT: String(ports.dynamo),
      SUIJI_SES_PORT: String(ports.ses),
      SUIJI_SFN_PORT: String(ports.sfn),
      SUIJI_SAMPLE_TARGETS: '400',
      SUIJI_CLOCK_START: '2026-01-12T01:00:00Z',
    },
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start:\n${out}`)), 120_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Suiji is up')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child!.once('exit', (code) => reject(new Error(`platform exited (${code}):\n${out}`)));
  });
  child.removeAllListeners('exit');
}

function kill(): Promise<void> {
  return new Promise((resolve) => {
    if (!child?.pid) return resolve();
    child.once('exit', () => setTimeout(resolve, 500));
    process.kill(-child.pid, 'SIGKILL');
  });
}

const tokens = new Map<string, string>();
async function as(email: string): Promise<(method: string, path: string, body?: unknown) => Promise<Call>> {
  return async (method, path, body) => {
    let token = tokens.get(email);
    if (!token) {
      const r = await fetch(`http://127.0.0.1:${ports.api}/auth/dev-login`, { method: 'POST', body: JSON.stringify({ email }) });
      token = ((await r.json()) as { token: string }).token;
      tokens.set(email, token);
    }
    const res = await fetch(`http://127.0.0.1:${ports.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
}

afterAll(async () => {
  await kill();
});

describe('a restart in the middle of a lifecycle', () => {
  it('resumes at the recorded stage and completes', async () => {
    await start();
    const coord = await as(SAMPLE_COORDINATOR_EMAIL);
    const leader = await as(SAMPLE_LEADER_EMAIL);
    const status = (): Promise<Call> => coord('GET', `/tasks/${TASK}/status`);
    expect((await coord('POST', `/tasks/${TASK}/launch`, {})).status).toBe(201);
    await waitForStage(status, 'approval');
    await leader('POST', `/tasks/${TASK}/approval`, { approve: true });
    await waitForStage(status, 'witnesses');
    await coord('POST', `/tasks/${TASK}/ceremony/witnesses`, { id: 'w1', name: '见证人', role: '纪检监督', commitment: sha('s1') });
    await coord('POST', `/tasks/${TASK}/ceremony/witnesses`, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('s2') });
    await coord('POST', `/tasks/${TASK}/ceremony/close`, {});
    await waitForStage(status, 'ceremony');
    await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w1', secret: 's1' });
    await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w2', secret: 's2' });
    const before = await waitForStage(status, 'results');
    const targets = (await coord('GET', `/tasks/${TASK}/targets?limit=1000`)).json.items as { uscc: string; team: string[] }[];
    const inspectors = new Map(((await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`)).json as { id: string; email: string }[]).map((i) => [i.id, i.email]));
    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const task = plan.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === TASK);
    const itemIds: string[] = [...task.items.general, ...task.items.key];
    const enter = async (t: { uscc: string; team: string[] }): Promise<Call> =>
      (await as(inspectors.get(t.team[0]!)!))('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, {
        codes: ['1'],
        itemOutcomes: itemIds.map((itemId) => ({ itemId, outcome: 'pass' })),
        methods: ['实地核查'],
        checkDate: '2026-01-12',
        present: t.team.slice(0, 2),
        signature: { signed: true, signer: '负责人' },
      });
    const half = Math.floor(targets.length / 2);
    for (const t of targets.slice(0, half)) expect((await enter(t)).status).toBe(201);

    await kill(); // SIGKILL: no clean shutdown of anything
    await start();

    const after = await status();
    expect(after.json.stage).toBe('results');
    expect(after.json.reached.resultEntered).toBe(half);
    expect(after.json.execution.status).toBe('RUNNING');
    for (const t of targets.slice(half)) expect((await enter(t)).status).toBe(201);
    await waitForStage(status, 'publication');
    await coord('POST', `/tasks/${TASK}/publish`, {});
    const done = await waitForStage(status, 'closed');
    expect(done.json.summary).toMatchObject({ targets: before.json.total, published: before.json.total });
    // The stage is stored before the state machine's last states run.
    expect((await waitForExecutionEnd(status)).json.execution.status).toBe('SUCCEEDED');
    // the draw ran once: one round, one record
    expect(done.json.drawRound).toBe(1);
  }, 300_000);
});
