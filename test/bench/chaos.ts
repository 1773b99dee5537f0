/**
 * `npm run bench -- chaos [--workers 200] [--targets 7500] [--think 30] [--saturate 20] [--ses-down 60] [--dynamo-down 10] [--calm 20] [--settle 300]`:
 * fault injection under load on the local platform. The platform runs as `npm start` in its own
 * process group (SUIJI_CHAOS=1, shared/dev/local/chaos.ts); `--workers` concurrent inspectors
 * enter and correct results of the sample task through the result form behind their e-mail links
 * (each submission unique, with the form's submission id) while
 *   (a) DynamoDB Local is killed and restarted (`--dynamo-down` seconds),
 *   (b) the SES emulator is down (`--ses-down` seconds, default 60),
 *   (c) the platform process group is SIGKILLed and started again on the same data.
 * Each client behaves as the form's script does: a 5xx or a network error is followed by asking
 * whether the submission is stored, and by a retry of the same submission if it is not.
 *
 * The load model: every worker is one inspector with a target of his own (`--targets` sample
 * targets make the task draw at least `--workers`: 7,500 draw about 207), who pauses between two
 * submissions as a person does — exponentially distributed with mean `--think` seconds (default
 * 30, far quicker than an inspector who enters what he checked on site), the first after a
 * random start, so 200 inspectors offer about 200 / (30 s + latency) ≈ 6.6 submissions a second.
 * `--think 0` makes them submit back to back. After the faults, `--saturate` seconds of back-to-back
 * submissions by every worker (no fault) give the platform's capacity, printed apart.
 *
 * Printed: throughput, p50/p95 latency of result entry outside and inside the fault windows,
 * the capacity; then the checks — every acknowledged result stored, none stored twice, the
 * task's counters equal to its progress items, every owed confirmation sent after recovery and
 * how many copies of each reached the inbox (by its receipt number, from the mail's idempotency
 * key), the results stage completed. Printed figures, not a timed test. Everything on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ApiClient, type Call } from '../../shared/dev/local/api-client.js';
import { SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { ChildPlatform, launchAndDraw } from '../helpers/child-platform.js';
import { resultForm } from '../helpers/result-form.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const WORKERS = arg('workers', 200);
const TARGETS = arg('targets', 7500);
const SES_DOWN_S = arg('ses-down', 60);
const DYNAMO_DOWN_S = arg('dynamo-down', 10);
/** Load before, between and after the faults (seconds). */
const CALM_S = arg('calm', 20);
/** Mean pause of an inspector between two submissions (s, exponential); 0: back to back (a saturation test). */
const THINK_S = arg('think', 30);
/** Seconds of back-to-back submissions by every worker after the faults: the capacity. */
const SATURATE_S = arg('saturate', 20);
/** How long the checks wait for the recovery job to send what is owed and resume the lifecycle. */
const SETTLE_S = arg('settle', 300);
const TASK = `${SAMPLE_PLAN_ID}-01`;
const CLOCK_START = '2026-01-12T01:00:00Z';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
const at = (): number => (performance.now() - t0) / 1000;
const say = (s: string): void => console.log(`[${at().toFixed(0).padStart(4)} s] ${s}`);

// ---------------------------------------------------------------- the platform, as npm start

const platform = new ChildPlatform({
  targets: TARGETS,
  clockStart: CLOCK_START,
  startTimeoutMs: 600_000,
  env: { SUIJI_CHAOS: '1', SUIJI_REGISTRATION_SECONDS: '1', SUIJI_CHAOS_SES_DOWN_S: String(SES_DOWN_S), SUIJI_CHAOS_DYNAMO_DOWN_S: String(DYNAMO_DOWN_S), POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  onLine: (line) => {
    // What the recovery job did (functions/jobs/recover.ts logs one line per run), when anything.
    const job = /\{"job":"recover".*\}/.exec(line)?.[0];
    if (job) {
      const r = JSON.parse(job) as { mail: { sent?: number; failed?: number; busy?: number }; steps: { resumed?: string[] } };
      if (r.mail.sent || r.mail.failed || r.mail.busy || r.steps.resumed?.length) say(`recovery job: ${JSON.stringify({ mail: r.mail, resumed: r.steps.resumed })}`);
      return;
    }
    if (/re-driven from stored state/.test(line)) say(line.trim());
    if (!line.includes('chaos:')) return;
    say(line.trim());
    if (line.trimEnd().endsWith(' over')) faultOver?.();
  },
});
/** Resolved when the platform says the fault in progress is over (the part is back). */
let faultOver: (() => void) | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130)); // 'exit' kills the platform
const api = new ApiClient(platform);
const dataDir = platform.dataDir;

// ---------------------------------------------------------------- HTTP

async function as(email: string) {
  const call = await api.as(email);
  return (method: string, path: string, body?: unknown) => call(method, path, body, {}, { timeoutMs: 30_000 });
}
async function waitForStage(get: () => Promise<Call>, stage: string | string[], timeoutMs = 300_000): Promise<Call> {
  const want = Array.isArray(stage) ? stage : [stage];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await get().catch(() => undefined);
    if (r?.status === 200 && want.includes(r.json.stage)) return r;
    if (r?.status === 200 && r.json.stage === 'failed') throw new Error(`lifecycle failed: ${JSON.stringify(r.json.failure)}`);
    if (Date.now() > end) throw new Error(`stage ${want.join('|')} not reached: ${r?.text.slice(0, 300)}`);
    await sleep(250);
  }
}
const form = (path: string, body: string, timeoutMs = 30_000) => api.call('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded' }, { timeoutMs });

// ---------------------------------------------------------------- set-up

say(`starting the platform (${TARGETS} sample targets) in ${dataDir}`);
await platform.start();
const coord = await as(SAMPLE_COORDINATOR_EMAIL);
const leader = await as(SAMPLE_LEADER_EMAIL);
const status = () => coord('GET', `/tasks/${TASK}/status`);
await launchAndDraw(coord, leader, TASK, waitForStage, 900_000);

// The bench reads and writes the platform's table directly for links and the final checks.
const dynamoEndpoint = platform.dynamoEndpoint;
const tableName = (await new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'cn-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }).send(new ListTablesCommand({}))).TableNames![0]!;
Object.assign(process.env, {
  SUIJI_LOCAL: '1',
  TABLE_NAME: tableName,
  AWS_REGION: 'cn-north-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
  PUBLIC_BASE_URL: platform.apiUrl,
  BLOB_BUCKET: join(dataDir, 'blobs'),
});
const { setClock, OffsetClock } = await import('../../shared/clock.js');
setClock(new OffsetClock(new Date(platform.clockNow()).toISOString())); // the platform's clock
const { assignmentLink } = await import('../../shared/lifecycle/notify.js');
const { getInspector } = await import('../../shared/store/registry.js');
const { auditTrail, getTask, listProgress } = await import('../../shared/store/tasks.js');
const { getItem } = await import('../../shared/store/base.js');
const { K } = await import('../../shared/store/keys.js');
const { owedCount } = await import('../../shared/store/outbox.js');

const targets: { uscc: string; team: string[]; teamDepartments: string[] }[] = [];
for (let cursor: string | undefined, first = true; first || cursor; first = false) {
  const page = await coord('GET', `/tasks/${TASK}/targets?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  targets.push(...page.json.items);
  cursor = page.json.cursor;
}
const task = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === TASK);
const itemIds: string[] = [...task.items.general, ...task.items.key];
const round = (await getTask(TASK))!.drawRound ?? 1;
interface Seat {
  uscc: string;
  team: string[];
  link: string;
  inspectorId: string;
}
const seats: Seat[] = [];
for (const t of targets) {
  const insp = (await getInspector(t.teamDepartments?.[0] ?? 'fp-zjj', t.team[0]!))!;
  seats.push({ uscc: t.uscc, team: t.team, link: await assignmentLink(TASK, round, insp), inspectorId: insp.id });
}
say(`task ${TASK} in its results stage: ${seats.length} drawn targets, ${WORKERS} concurrent inspectors`);
if (seats.length < WORKERS) say(`WARNING: only ${seats.length} of the ${WORKERS} inspectors have a target of their own (raise --targets)`);
const active = Math.min(WORKERS, seats.length);

// ---------------------------------------------------------------- load

interface Op {
  uscc: string;
  submission: string;
  remark: string;
  acked: boolean;
  /** The answer of the first attempt (ms) and when it started (s since t0). */
  firstMs?: number;
  startedAt: number;
  attempts: number;
}
const ops: Op[] = [];
const windows: { name: string; from: number; to: number }[] = [];
let stopLoad = false;
let serial = 0;

function formOf(s: Seat, op: Op): string {
  return resultForm({ submission: op.submission, items: itemIds, checkDate: '2026-01-12', present: s.team.slice(0, 2), signed: true, signer: '负责人', remark: op.remark }).toString();
}

/** Why attempts failed (answer or error), counted. */
const failures = new Map<string, number>();
const failure = (why: string): void => void failures.set(why, (failures.get(why) ?? 0) + 1);
/** The bodies of 500 answers (shortened), counted. */
const answers500 = new Map<string, number>();

/** One submission as the form's script makes it: post; on a 5xx or no answer ask, then retry. */
async function submit(s: Seat, into: Op[] = ops): Promise<void> {
  const op: Op = { uscc: s.uscc, submission: randomUUID(), remark: `chaos-${++serial}`, acked: false, startedAt: at(), attempts: 0 };
  into.push(op);
  const body = formOf(s, op);
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    op.attempts++;
    const t = performance.now();
    let r: Call | undefined;
    try {
      r = await form(`/l/${s.link}?t=${s.uscc}`, body);
    } catch (e) {
      r = undefined;
      failure(`POST: ${(e as Error).name}`);
    }
    if (r && r.status >= 500) failure(`POST: HTTP ${r.status}`);
    // what a 500 said: the API's own (a bug) or the local server's (the function timed out)
    if (r?.status === 500) {
      const said = r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
      answers500.set(said, (answers500.get(said) ?? 0) + 1);
    }
    if (op.attempts === 1) op.firstMs = performance.now() - t;
    if (r && r.status < 500) {
      op.acked = r.status === 200;
      if (!op.acked) console.log(`refused ${r.status}: ${r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
      return;
    }
    // Saved anyway? Ask before submitting again.
    for (let k = 0; k < 30 && Date.now() < deadline; k++) {
      await sleep(1000);
      try {
        const c = await api.call('GET', `/l/${s.link}?t=${s.uscc}&check=${op.submission}`, undefined, {}, { timeoutMs: 10_000 });
        if (c.status !== 200) failure(`check: HTTP ${c.status}`);
        if (c.status === 200) {
          if (c.json.saved) {
            op.acked = true;
            return;
          }
          break;
        }
      } catch (e) {
        failure(`check: ${(e as Error).name}`); // still down
      }
    }
  }
}

const pause = (meanS: number) => sleep(-Math.log(1 - Math.random()) * meanS * 1000);

/** One inspector: his own target(s), a human pause between submissions (none when `thinkS` is 0). */
async function worker(w: number, thinkS: number, stop: () => boolean, into: Op[] = ops): Promise<void> {
  const mine = seats.filter((_, i) => i % WORKERS === w);
  if (!mine.length) return;
  if (thinkS) await sleep(Math.random() * thinkS * 1000); // not all at the same moment
  for (let k = 0; !stop(); k++) {
    await submit(mine[k % mine.length]!, into);
    if (thinkS && !stop()) await pause(thinkS);
  }
}

/** A fault by signal: its window lasts until the platform reports the part back, plus 15 s of recovery. */
async function fault(name: string, signal: 'SIGUSR1' | 'SIGUSR2', downS: number): Promise<void> {
  const from = at();
  say(`fault: ${name}`);
  const over = new Promise<void>((resolve) => (faultOver = resolve));
  process.kill(platform.pid!, signal);
  // A restart of DynamoDB Local (a JVM) takes a while on a busy machine: the next fault waits.
  await Promise.race([over, sleep((downS + 300) * 1000)]);
  faultOver = undefined;
  windows.push({ name, from, to: at() + 15 });
}

// One inspector alone first: what a request costs without queueing behind 199 others.
const alone: Op[] = [];
for (let k = 0; k < Math.min(20, seats.length * 2); k++) await submit(seats[k % seats.length]!, alone);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const aloneMs = alone.map((o) => o.firstMs!);
say(`one inspector alone: n=${alone.length}  p50 ${pct(aloneMs, 50).toFixed(0)} ms  p95 ${pct(aloneMs, 95).toFixed(0)} ms`);
ops.push(...alone); // stored like the others: the checks count them

const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, THINK_S, () => stopLoad)));
const loadFrom = at();
await sleep(CALM_S * 1000);
await fault('DynamoDB Local killed', 'SIGUSR1', DYNAMO_DOWN_S);
await sleep(CALM_S * 1000);
await fault(`SES emulator down ${SES_DOWN_S} s`, 'SIGUSR2', SES_DOWN_S);
await sleep(CALM_S * 1000);
const killAt = at();
say('fault: platform SIGKILLed and restarted');
await platform.kill();
await platform.start();
windows.push({ name: 'platform SIGKILLed and restarted', from: killAt, to: at() + 15 });
say(`platform back after ${(at() - killAt).toFixed(1)} s`);
await sleep(CALM_S * 1000);
stopLoad = true;
await load;
const loadEnd = at();
say(`load stopped: ${ops.length} submissions`);

// Capacity: every worker back to back for a while, no fault.
const saturated: Op[] = [];
let saturateStop = false;
const satFrom = at();
if (SATURATE_S > 0) {
  say(`saturation: ${active} inspectors back to back for ${SATURATE_S} s`);
  const sat = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, 0, () => saturateStop, saturated)));
  await sleep(SATURATE_S * 1000);
  saturateStop = true;
  await sat;
}
const satS = at() - satFrom;
ops.push(...saturated);

// ---------------------------------------------------------------- figures

const inWindow = (o: Op) => windows.some((w) => o.startedAt >= w.from && o.startedAt <= w.to);
const concurrent = ops.filter((o) => !alone.includes(o) && !saturated.includes(o));
const outside = concurrent.filter((o) => !inWindow(o) && o.firstMs !== undefined).map((o) => o.firstMs!);
const inside = concurrent.filter((o) => inWindow(o) && o.firstMs !== undefined).map((o) => o.firstMs!);
const loadS = loadEnd - loadFrom;
const satMs = saturated.filter((o) => o.firstMs !== undefined).map((o) => o.firstMs!);
console.log('\nresult entry through the form');
console.log(`  model                    ${active} inspectors with a target each (of ${WORKERS}), ${THINK_S ? `exponential pause between submissions, mean ${THINK_S} s` : 'back to back'}`);
console.log(`  submissions              ${concurrent.length} under load (${concurrent.filter((o) => o.acked).length} acknowledged, ${concurrent.filter((o) => o.attempts > 1).length} needed a check or retry)`);
console.log(`  throughput               ${(concurrent.length / loadS).toFixed(1)} /s over ${loadS.toFixed(0)} s, faults included`);
console.log(`  outside fault windows    n=${outside.length}  p50 ${pct(outside, 50).toFixed(0)} ms  p95 ${pct(outside, 95).toFixed(0)} ms  (goal p95 ≤ 300 ms)`);
console.log(`  inside fault windows     n=${inside.length}  p50 ${pct(inside, 50).toFixed(0)} ms  p95 ${pct(inside, 95).toFixed(0)} ms`);
if (SATURATE_S > 0) console.log(`  capacity (back to back)  ${(saturated.length / satS).toFixed(1)} /s: ${saturated.length} in ${satS.toFixed(0)} s, p50 ${pct(satMs, 50).toFixed(0)} ms  p95 ${pct(satMs, 95).toFixed(0)} ms`);
for (const w of windows) console.log(`  window: ${w.name.padEnd(34)} ${w.from.toFixed(0)}–${w.to.toFixed(0)} s`);
console.log(`  failed attempts          ${[...failures].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`);
console.log(`  not acknowledged         ${ops.filter((o) => !o.acked).length} (gave up after 300 s of asking and retrying)`);
for (const [body, n] of answers500) console.log(`  HTTP 500 ×${n}: ${body}`);

// ---------------------------------------------------------------- checks after recovery

// Nothing is re-posted: the recovery job (every minute, functions/jobs/recover.ts on the local
// scheduler) sends what is owed and resumes the lifecycle from stored state; the bench waits.
const settleFrom = at();
const settleEnd = Date.now() + SETTLE_S * 1000;
const leftResults = async (): Promise<string | undefined> => {
  const st = (await status().catch(() => undefined))?.json?.stage as string | undefined;
  return st && st !== 'results' ? st : undefined;
};
let stageAfter = await leftResults();
say(stageAfter ? `results stage already left (${stageAfter}) when the load stopped` : 'task still in its results stage when the load stopped');
let owed = await owedCount();
while ((owed || !stageAfter) && Date.now() < settleEnd) {
  await sleep(5000);
  owed = await owedCount();
  if (!stageAfter && (stageAfter = await leftResults())) say(`results stage left (${stageAfter}) ${(at() - settleFrom).toFixed(0)} s after the load`);
}
say(`owed mails ${owed} after ${(at() - settleFrom).toFixed(0)} s`);
const afterResults = stageAfter ? await status() : undefined;

// What is stored, from the items: one audit entry per stored result version (same transaction),
// carrying the form's submission id. A submission stored twice is a submission with two entries;
// an acknowledged submission with none is lost.
const trail = (await auditTrail(TASK)).filter((e) => e.what === 'result.entered' || e.what === 'result.corrected') as { data?: { submission?: string; version?: number } }[];
const storedCount = new Map<string, number>();
for (const e of trail) if (e.data?.submission) storedCount.set(e.data.submission, (storedCount.get(e.data.submission) ?? 0) + 1);
const lost = ops.filter((o) => o.acked && !storedCount.has(o.submission)).length;
const twice = [...storedCount.values()].filter((n) => n > 1).length;
const unknown = [...storedCount.keys()].filter((sub) => !ops.some((o) => o.submission === sub)).length;
const progress = await listProgress(TASK);
const byUscc = new Map(progress.map((p) => [p.uscc, p]));
let lastNotStored = 0;
let versionsMismatch = 0;
const perTarget = new Map<string, Op[]>();
for (const o of ops) perTarget.set(o.uscc, [...(perTarget.get(o.uscc) ?? []), o]);
for (const [uscc, list] of perTarget) {
  const p = byUscc.get(uscc)!;
  const last = list.at(-1)!;
  if (last.acked && (p.result as { submission?: string } | undefined)?.submission !== last.submission) lastNotStored++;
  // the version counter agrees with the stored submissions of the target
  if ((p.resultVersion ?? 0) !== list.reduce((n, o) => n + (storedCount.get(o.submission) ?? 0), 0)) versionsMismatch++;
}
const task2 = (await getTask(TASK))!;
const counted: Record<string, number> = {};
for (const p of progress) counted[p.status] = (counted[p.status] ?? 0) + 1;
const counters = Object.entries(task2.counts ?? {}).filter(([, n]) => n);
const countersOk = counters.length === Object.keys(counted).length && counters.every(([s, n]) => counted[s] === n);
const entered = progress.filter((p) => p.resultVersion).length;
const reachedOk = (task2.reached?.resultEntered ?? 0) === entered;

// Mail: every stored version owed one confirmation. It went out (mail log "sent"), unless a
// later version superseded it before it could (then it is settled unsent: the later one confirms
// the stored result). The last version of each target must have gone out; none twice in the inbox.
let versionsSent = 0;
let supersededUnsent = 0;
let finalUnsent = 0;
const inspectorOf = new Map(seats.map((x) => [x.uscc, x.inspectorId]));
for (const p of progress) {
  for (let v = 1; v <= (p.resultVersion ?? 0); v++) {
    const log = await getItem<{ status?: string }>(K.mailLog(`confirm#${TASK}#${p.uscc}#v${v}#${inspectorOf.get(p.uscc)}`), true);
    if (log?.status === 'sent') versionsSent++;
    else if (v < p.resultVersion!) supersededUnsent++;
    else finalUnsent++;
  }
}
const inbox = existsSync(join(dataDir, 'inbox.jsonl'))
  ? readFileSync(join(dataDir, 'inbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { body: { text?: string; html?: string } })
  : [];
const seen = new Map<string, number>();
for (const m of inbox) for (const r of new Set(((m.body.text ?? '') + (m.body.html ?? '')).match(/chaos-\d+/g) ?? [])) seen.set(r, (seen.get(r) ?? 0) + 1);
const dupMails = [...seen.values()].filter((n) => n > 1).length;
// Copies of one confirmation carry its receipt number (from the mail's idempotency key): a
// second copy is the same confirmation sent again, recognisable as such.
const receipts = new Map<string, number>();
for (const m of inbox) {
  const r = /回执编号：([0-9A-F]{4}-[0-9A-F]{4})/.exec(m.body.text ?? '')?.[1];
  if (r) receipts.set(r, (receipts.get(r) ?? 0) + 1);
}
const confirmationsInInbox = [...receipts.values()].reduce((a, b) => a + b, 0);
const resent = [...receipts.values()].filter((n) => n > 1).length;

// The execution completes: publish everything, then the follow-up stage closes the task.
let finalStage = (await status()).json;
if (afterResults) {
  await coord('POST', `/tasks/${TASK}/publish`, {});
  finalStage = (await waitForStage(status, 'closed', 120_000).catch(() => undefined))?.json ?? (await status()).json;
  for (let k = 0; k < 120 && finalStage.execution?.status === 'RUNNING'; k++) {
    await sleep(500);
    finalStage = (await status()).json;
  }
}
const yes = (ok: boolean) => (ok ? 'yes' : 'NO ');
console.log('\nchecks after recovery');
console.log(`  acknowledged results stored           ${yes(lost === 0 && lastNotStored === 0)} (acknowledged submissions not stored: ${lost}; targets whose last acknowledged submission is not the stored result: ${lastNotStored})`);
console.log(`  none stored twice                     ${yes(twice === 0 && unknown === 0)} (submissions stored twice: ${twice}; stored versions ${trail.length}; versions without a submission of the bench: ${unknown})`);
console.log(`  versions = stored submissions         ${yes(versionsMismatch === 0)} (targets whose result version differs: ${versionsMismatch})`);
console.log(`  task counters = progress items        ${yes(countersOk && reachedOk)} (counts ${JSON.stringify(Object.fromEntries(counters))}, items ${JSON.stringify(counted)}; reached.resultEntered ${task2.reached?.resultEntered} / ${entered})`);
console.log(`  owed mails all sent                   ${yes(owed === 0 && finalUnsent === 0)} (still owed ${owed}; versions confirmed ${versionsSent}, superseded before sending ${supersededUnsent}, last version unconfirmed ${finalUnsent})`);
console.log(`  no mail twice                         ${yes(dupMails === 0)} (confirmations in the inbox twice: ${dupMails}; inbox file ${inbox.length} messages, written every 2 s: the SIGKILL may cost it the last ones)`);
console.log(`  confirmations sent once               ${yes(resent === 0)} (${confirmationsInInbox} confirmations in the inbox, ${receipts.size} distinct receipt numbers; sent again with the same receipt number: ${resent})`);
console.log(`  execution completed                   ${yes(finalStage.stage === 'closed' && finalStage.execution?.status === 'SUCCEEDED')} (stage ${finalStage.stage}, execution ${finalStage.execution?.status}; ${entered}/${progress.length} entered)`);
await platform.kill();
process.exit(0);
