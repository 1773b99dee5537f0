/**
 * `npm run bench -- result-entry [--n 30] [--cpu-prof]`: what one result entry through the form
 * behind an e-mail link costs — the platform in this process (the local Lambdas, the SES
 * emulator), DynamoDB Local in its JVM. After a task of the sample district is drawn, `--n`
 * submissions are posted one after another (each a new version of a result, as corrections are)
 * and each is measured: wall time, this process's CPU time (user+sys: platform, HTTP client and
 * SES emulator together) and the DynamoDB calls made while it ran, by operation. Then the work a
 * request leaves for later (the confirmation mail, sent after the answer) is waited for and
 * measured the same way, per submission. `--cpu-prof` writes a V8 CPU profile of the measured
 * submissions (node's --cpu-prof, into .local/).
 *
 * Figures, not a timed test: CPU time is what to compare on a shared machine (wall time there
 * is mostly waiting for the other processes).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlatform } from '../../shared/dev/local/platform.js';
import { ApiClient } from '../../shared/dev/local/api-client.js';
import { ManualClock, setClock } from '../../shared/clock.js';
import { passBeacon } from '../helpers/beacon.js';
import { resultForm } from '../helpers/result-form.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { getTask } from '../../shared/store/tasks.js';
import { getInspector } from '../../shared/store/registry.js';
import { assignmentLink } from '../../shared/lifecycle/notify.js';
import { owedCount } from '../../shared/store/outbox.js';
import { ddb } from '../../shared/store/db.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('n', 30);
const PROFILE = process.argv.includes('--cpu-prof');
const TASK = `${SAMPLE_PLAN_ID}-06`;
const ITEMS = ['zjj-013', 'scjg-001', 'yjj-001'];
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const clock = new ManualClock('2026-05-12T01:00:00Z');
setClock(clock);
const platform = await startPlatform({ retryDelayMs: 0, environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
await loadSampleDistrict(sampleDistrict({ targets: 400 }));
const api = new ApiClient(platform);
const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
const leader = await api.as(SAMPLE_LEADER_EMAIL);
const stageIs = async (s: string): Promise<void> => {
  for (;;) {
    await platform.sfn.settled();
    const t = await getTask(TASK, true);
    if (t?.stage === s) return;
    if (t?.stage === 'failed') throw new Error(JSON.stringify(t.failure));
    await new Promise((r) => setTimeout(r, 50));
  }
};
const ok = async (p: Promise<{ status: number; text: string }>): Promise<void> => {
  const r = await p;
  if (r.status >= 300) throw new Error(`${r.status} ${r.text.slice(0, 300)}`);
};
await ok(coord('POST', `/tasks/${TASK}/launch`, {}));
await stageIs('approval');
await ok(leader('POST', `/tasks/${TASK}/approval`, { approve: true }));
await stageIs('witnesses');
await ok(coord('POST', `/tasks/${TASK}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '见证人', role: '纪检监督', commitment: sha('s1') }, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('s2') }] }));
await ok(coord('POST', `/tasks/${TASK}/ceremony/close`, {}));
await stageIs('ceremony');
passBeacon();
await ok(coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w1', secret: 's1' }));
await ok(coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w2', secret: 's2' }));
await stageIs('results');
clock.set('2026-05-20T02:00:00Z');

const targets = (await coord('GET', `/tasks/${TASK}/targets?limit=1000`)).json.items as { uscc: string; team: string[]; teamDepartments: string[] }[];
const round = (await getTask(TASK))!.drawRound ?? 1;
const seats = await Promise.all(
  targets.map(async (t) => {
    const insp = (await getInspector(t.teamDepartments[0]!, t.team[0]!))!;
    return { uscc: t.uscc, team: t.team, link: await assignmentLink(TASK, round, insp) };
  }),
);

// Every DynamoDB call of this process, by operation.
const calls = new Map<string, number>();
let counting = true;
ddb().middlewareStack.add(
  (next, context) => async (args) => {
    if (counting) calls.set(context.commandName ?? '?', (calls.get(context.commandName ?? '?') ?? 0) + 1);
    return next(args);
  },
  { step: 'initialize', name: 'benchCount' },
);
const snapshot = (): Map<string, number> => new Map(calls);
const diff = (a: Map<string, number>, b: Map<string, number>): Map<string, number> => {
  const out = new Map<string, number>();
  for (const [k, v] of b) if (v - (a.get(k) ?? 0)) out.set(k, v - (a.get(k) ?? 0));
  return out;
};
const total = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

let serial = 0;
async function submit(k: number): Promise<{ ms: number; cpu: number; calls: Map<string, number>; after: Map<string, number>; afterCpu: number }> {
  const s = seats[k % seats.length]!;
  const body = resultForm({ submission: randomUUID(), items: ITEMS, checkDate: '2026-05-19', present: s.team.slice(0, 2), signed: true, signer: '负责人', remark: `bench-${++serial}` }).toString();
  const before = snapshot();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await api.call('POST', `/l/${s.link}?t=${s.uscc}`, body, { 'content-type': 'application/x-www-form-urlencoded' });
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  if (r.status !== 200) throw new Error(`submission refused: ${r.status} ${r.text.replace(/<[^>]+>/g, ' ').slice(0, 300)}`);
  const during = diff(before, snapshot());
  // What the request left to run after its answer (an asynchronous invocation), measured apart.
  const mid = snapshot();
  const c1 = process.cpuUsage();
  await platform.lambdasIdle();
  return { ms, cpu, calls: during, after: diff(mid, snapshot()), afterCpu: cpuMs(process.cpuUsage(c1)) };
}

/** Until no confirmation is owed: what requests left for after their answer. */
async function settle(): Promise<void> {
  // The deferred sender runs on its own; the recovery job's grace period is not waited for.
  const owed = async (): Promise<number> => {
    counting = false; // the bench's own polling
    try {
      return await owedCount();
    } finally {
      counting = true;
    }
  };
  for (let k = 0; k < 600 && (await owed()) > 0; k++) await new Promise((r) => setTimeout(r, 50));
}

for (let k = 0; k < 6; k++) await submit(k); // warm: modules loaded, caches filled, each seat once
await settle();

const session = PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const rows = [];
const cpu0 = process.cpuUsage();
for (let k = 0; k < N; k++) rows.push(await submit(k));
const sum = (ms: Map<string, number>[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const m of ms) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
};
const inRequests = sum(rows.map((r) => r.calls));
const settleFrom = snapshot();
const cpuSettle0 = process.cpuUsage();
await settle(); // anything still owed (the recovery job's part): none, when the invoked sender did it
const afterwards = sum([...rows.map((r) => r.after), diff(settleFrom, snapshot())]);
const cpuAll = cpuMs(process.cpuUsage(cpu0));
const cpuAfter = rows.reduce((s, r) => s + r.afterCpu, 0) + cpuMs(process.cpuUsage(cpuSettle0));
if (session) {
  const { profile } = (await session.post('Profiler.stop')) as { profile: unknown };
  mkdirSync('.local', { recursive: true });
  const file = join('.local', `result-entry-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`CPU profile: ${file}`);
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (m: Map<string, number>, per: number): string =>
  [...m]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / per).toFixed(1)}`)
    .join(', ');
console.log(`\nresult entry through the form, ${N} submissions one after another (task ${TASK})`);
console.log(`  wall per request          median ${med(rows.map((r) => r.ms)).toFixed(1)} ms, max ${Math.max(...rows.map((r) => r.ms)).toFixed(1)} ms`);
console.log(`  CPU per request           median ${med(rows.map((r) => r.cpu)).toFixed(1)} ms (this process: platform, client, SES emulator)`);
console.log(`  DynamoDB calls per request ${(total(inRequests) / N).toFixed(1)} (${fmt(inRequests, N)})`);
console.log(`  afterwards per submission ${(total(afterwards) / N).toFixed(1)} DynamoDB calls (${fmt(afterwards, N) || 'none'}), CPU ${(cpuAfter / N).toFixed(1)} ms`);
console.log(`  CPU per submission, all   ${(cpuAll / N).toFixed(1)} ms`);
console.log(`RESULT ${JSON.stringify({ n: N, wallMedianMs: med(rows.map((r) => r.ms)), cpuMedianMs: med(rows.map((r) => r.cpu)), callsPerRequest: total(inRequests) / N, callsAfter: total(afterwards) / N, cpuPerSubmissionMs: cpuAll / N })}`);
await platform.stop();
process.exit(0);
