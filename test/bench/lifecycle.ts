/**
 * `npm run bench -- lifecycle [targets]` (default 50,000): one task whose draw selects that many
 * targets, run through the whole lifecycle on the local platform with the synthesized state
 * machine. Prints the wall time of each stage, the execution's state transitions and history
 * events, and the largest state payload — the proof that no per-target data travels through
 * Step Functions (limits: 256 KB payload, 25,000 history events).
 *
 * The human steps use the HTTP API; checks, results and publication of 50,000 targets are
 * applied in bulk through the same store transitions' end state (a per-target HTTP request for
 * each would measure the API, not the workflow).
 */
import { createHash } from 'node:crypto';
import { startPlatform } from '../../shared/dev/local/platform.js';
import { timeInvocations } from '../../shared/dev/local/lambdas.js';
import { ApiClient } from '../../shared/dev/local/api-client.js';
import { ManualClock, setClock } from '../../shared/clock.js';
import { passBeacon } from '../helpers/beacon.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { upsertInspectors, listInspectors, upsertTargets } from '../../shared/store/registry.js';
import { createDraft, approvePlan, publishPlan } from '../../shared/services/plans.js';
import { getTask, listProgress, recount, updateTask } from '../../shared/store/tasks.js';
import { batchWrite, type Item } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { resumeIfDone } from '../../shared/lifecycle/callbacks.js';
import { SFN_LIMITS } from '../../shared/dev/local/sfn.js';
import type { Inspector } from '../../shared/domain/schemas.js';

const N = Number(process.argv[2] ?? 50_000);
const TASK = 'bench-2026-01';
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const clock = new ManualClock('2026-03-02T01:00:00Z');
setClock(clock);
const t = (): number => performance.now();
const stages: [string, number][] = [];
let mark = t();
const lap = (name: string): void => {
  const now = t();
  stages.push([name, now - mark]);
  console.log(`${name.padEnd(40)} ${((now - mark) / 1000).toFixed(1)} s`);
  mark = now;
};

const platform = await startPlatform({ retryDelayMs: 0, environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
// wall time per Lambda function (which state's work the stage laps consist of)
const invokeMs = timeInvocations(platform.lambdas);
// The sample district (its own plan validated for 2,000 targets), then a pool of N targets.
await loadSampleDistrict(sampleDistrict({ targets: 2_000 }));
const district = sampleDistrict({ targets: N });
await upsertTargets(SAMPLE_MAIN_DEPT, district.targets.filter((x) => x.department === SAMPLE_MAIN_DEPT));
// Enough inspectors for 2 × N seats within each town (one check a working day, the largest town
// holding ~30 % of the pool), added to the main department.
const base = await listInspectors(SAMPLE_MAIN_DEPT);
const towns = [...new Set(district.targets.map((x) => x.jurisdiction))];
const extra: Inspector[] = towns.flatMap((town, ti) =>
  Array.from({ length: Math.ceil((N * 2) / 150 / 4) + 10 }, (_, i) => ({
    ...base[0]!,
    id: `bench-${ti}-${i}`,
    name: `检查员${ti}-${i}`,
    email: `bench.${ti}.${i}@example.gov.cn`,
    jurisdictions: [town],
    specialties: [...new Set(base.flatMap((b) => b.specialties))],
    certificateNo: `BENCH${ti}${i}`,
    certificateExpiry: '2030-12-31',
    conflicts: [],
    active: true,
  })),
);
await upsertInspectors(SAMPLE_MAIN_DEPT, extra);
const items = district.items.filter((i) => i.department === SAMPLE_MAIN_DEPT && i.category === 'general').slice(0, 2).map((i) => i.id);
const actor = { email: SAMPLE_COORDINATOR_EMAIL, department: SAMPLE_MAIN_DEPT };
await createDraft(
  SAMPLE_MAIN_DEPT,
  {
    title: '50,000 户基准测试计划',
    year: 2026,
    tasks: [
      {
        taskId: TASK,
        name: '全量抽查基准任务',
        leadSection: '综合执法队',
        category: '不定向抽查',
        items: { general: items, key: [] },
        scope: { riskClasses: ['A', 'B', 'C', 'D'] },
        legalBasis: '《建筑法》',
        window: { start: '2026-03-01', end: '2026-12-15' },
        drawDate: '2026-03-02',
        ratiosBp: { A: 10000, B: 10000, C: 10000, D: 10000 },
        keyRatioBp: 10000,
        inspectorScope: { departments: [SAMPLE_MAIN_DEPT] },
      },
    ],
  },
  actor,
  { planId: 'bench-2026' },
);
await approvePlan('bench-2026', { email: SAMPLE_LEADER_EMAIL, department: SAMPLE_MAIN_DEPT });
await publishPlan('bench-2026', actor);
lap(`set-up: ${N} targets, ${base.length + extra.length} inspectors`);

const api = new ApiClient(platform);
const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
const leader = await api.as(SAMPLE_LEADER_EMAIL);
const stageIs = async (...s: string[]): Promise<void> => {
  for (;;) {
    await platform.sfn.settled();
    const rt = await getTask(TASK, true);
    if (rt && s.includes(rt.stage)) return;
    if (rt?.stage === 'failed') throw new Error(JSON.stringify(rt.failure));
    await new Promise((r) => setTimeout(r, 50));
  }
};

await coord('POST', `/tasks/${TASK}/launch`, {});
await stageIs('approval');
lap('launch → approval requested');
await leader('POST', `/tasks/${TASK}/approval`, { approve: true });
await stageIs('witnesses');
lap('approval → witnesses');
await coord('POST', `/tasks/${TASK}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '见证人', role: '纪检监督', commitment: sha('bench') }, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('bench-2') }] });
await coord('POST', `/tasks/${TASK}/ceremony/close`, {});
await stageIs('ceremony');
lap('freeze (pool read, eligibility, digests)');
passBeacon(); // the draw waits for the beacon round fixed at the freeze
await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w1', secret: 'bench' });
await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w2', secret: 'bench-2' });
await stageIs('results');
const drawn = (await getTask(TASK, true))!.total;
lap(`draw + ${drawn} progress records + assignment mails`);

// Results and publication in bulk: the records' end state, then the aggregate check that
// resumes the execution (the same one the API runs after each transition).
const at = clock.now().toISOString();
const rows = await listProgress(TASK);
const result = { codes: ['1'], phrases: [{ code: '1', text: '未发现问题' }], checkDate: '2026-03-02', hasProblem: false, needsFollowUp: false };
await batchWrite(rows.map((r) => ({ ...K.progress(TASK, r.uscc), entity: 'progress', ...r, status: 'result_entered', result, resultVersion: 1, checkDate: '2026-03-02' }) as Item), [], 8);
await recount(TASK);
await updateTask(TASK, { reached: { resultEntered: rows.length, published: 0, closed: 0, followupOpened: 0 } });
await resumeIfDone(TASK);
await stageIs('publication');
lap(`${rows.length} results (bulk) → publication`);
await batchWrite(rows.map((r) => ({ ...K.progress(TASK, r.uscc), entity: 'progress', ...r, status: 'closed', result, publishedAt: at }) as Item), [], 8);
await recount(TASK);
await updateTask(TASK, { reached: { resultEntered: rows.length, published: rows.length, closed: rows.length, followupOpened: 0 } });
await resumeIfDone(TASK);
// with no follow-up open, the execution passes AwaitFollowUps without waiting
await stageIs('followup', 'closed');
await resumeIfDone(TASK);
await stageIs('closed');
lap('publication (bulk) → follow-up → closed (summary of all targets)');

const rt = (await getTask(TASK, true))!;
const stats = await platform.sfn.executionStats(rt.executionArn!);
console.log(`\nexecution: ${JSON.stringify(stats)}`);
console.log(`limits: payload ≤ ${SFN_LIMITS.payloadBytes} bytes, history ≤ ${SFN_LIMITS.historyEvents} events`);
console.log(`mails sent: ${platform.ses.emails().length}`);
for (const [k, ms] of [...invokeMs].sort((a, b) => b[1] - a[1])) console.log(`lambda ${(ms / 1000).toFixed(1).padStart(7)} s  ${k}`);
await platform.stop();
process.exit(0);
