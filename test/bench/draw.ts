/**
 * `npm run bench -- draw [sizes…]`: the draw at province scale. For each pool size (default
 * 100,000 and 1,000,000 candidates) a fresh child process builds synthetic registry records
 * (5 strata: key + A–D, 3 % ratios, key enterprises at 100 %, 500 inspectors over 40
 * jurisdictions of very different sizes, 6 specialties, some expired certificates, conflicts and
 * previous teams), then times:
 *   eligibility  registry records → DrawPool (buildDrawPool; informational, not in the total)
 *   freeze       validation, USCC radix sort, poolDigest, eligibilityDigest, feasibility check
 *   selection    1 SHA-256 compression per candidate (SIMD) + per-stratum threshold + exact sort
 *   matching     scores for every eligible inspector of every selected target, teams, caps
 * and, after the total, the record's input lines, JSON serialisation and a full re-verification.
 * Memory: peak RSS of the child (getrusage) and heap used after each phase. Garbage left by the
 * input generation is collected before the draw (and before each repeat). The first run is cold
 * (JIT warming up, as in a fresh Lambda); `--repeat N` (default 3) adds the best of N warm runs,
 * useful on a shared machine. Usage: npm run bench -- draw [100000 1000000] [--repeat 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  buildDrawPool,
  drawPoolBuilder,
  warmUpDraw,
  prefaultHeap,
  DRAW_FUNCTION_ENV,
  PackedCandidates,
  commitSecret,
  createHasher,
  createParallelHasher,
  freezeDraw,
  frozenInputs,
  matchTeams,
  newSystemSecret,
  selectTargets,
  serializeRecord,
  serializeRecordChunks,
  buildRecord,
  verifyRecord,
  deriveSeed,
  USCC_ALPHABET,
  type EligibilityInspector,
  type EligibilityResult,
  type EligibilityTarget,
} from '../../shared/draw/index.js';

const SPECIALTIES = ['建筑市场', '工程质量', '安全生产', '食品安全', '特种设备', '价格监督'];
const JURISDICTIONS = 40;
const INSPECTORS = 500;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function generate(n: number) {
  const targets: EligibilityTarget[] = new Array(n);
  const inspectors = generateInto(n, (t, i) => (targets[i] = t), (r, c) => targets[Math.floor(r() * n)]!.uscc);
  return { targets, inspectors };
}

/**
 * The synthetic registry, one target at a time (`onTarget`), so that a 10,000,000-target bench
 * need not hold ten million objects (the draw Lambda does not either: it packs each page). The
 * 200 declared conflicts name the USCC `conflictUscc` returns (generate: a random target).
 */
function generateInto(n: number, onTarget: (t: EligibilityTarget, i: number) => void, conflictUscc: (r: () => number, c: number) => string): EligibilityInspector[] {
  const r = rng(20250301);
  // jurisdiction sizes ~ 1/(k+3): the largest is ~10× the smallest
  const weights = Array.from({ length: JURISDICTIONS }, (_, k) => 1 / (k + 3));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const names = Array.from({ length: JURISDICTIONS }, (_, k) => `区县${String(k + 1).padStart(2, '0')}`);
  const cumulative: number[] = [];
  weights.reduce((acc, w, k) => ((cumulative[k] = acc + w / wsum), acc + w / wsum), 0);
  const pickJ = () => {
    const x = r();
    let k = 0;
    while (k < JURISDICTIONS - 1 && cumulative[k]! < x) k++;
    return k;
  };
  // inspectors: 8 per jurisdiction plus the rest in proportion to its size, 10 % also cover a neighbour
  const inspectors: EligibilityInspector[] = [];
  const perJ = weights.map((w) => 8 + Math.round((w / wsum) * (INSPECTORS - 8 * JURISDICTIONS)));
  let id = 0;
  for (let k = 0; k < JURISDICTIONS && id < INSPECTORS; k++) {
    for (let j = 0; j < perJ[k]! && id < INSPECTORS; j++, id++) {
      const spec = new Set([SPECIALTIES[0]!]);
      while (spec.size < 3) spec.add(SPECIALTIES[Math.floor(r() * SPECIALTIES.length)]!);
      if (r() < 0.15) spec.delete(SPECIALTIES[0]!); // 85 % cover the task's specialty
      inspectors.push({
        id: `insp-${String(id).padStart(4, '0')}`,
        department: 'dept-housing',
        jurisdictions: r() < 0.1 && k + 1 < JURISDICTIONS ? [names[k]!, names[k + 1]!] : [names[k]!],
        specialties: [...spec],
        certificateNo: `CERT${id}`,
        certificateExpiry: r() < 0.05 ? '2025-01-31' : '2027-12-31',
        active: r() > 0.02,
        conflicts: [],
      });
    }
  }
  const sharedTags = ['建筑业'];
  const code = Buffer.from('91XXXXXXXXXXXXXXXX', 'latin1');
  const classes = ['A', 'B', 'C', 'D'] as const;
  for (let i = 0; i < n; i++) {
    for (let j = 2; j < 18; j++) code[j] = USCC_ALPHABET.charCodeAt(Math.floor(r() * 31));
    const u = code.toString('latin1'); // a flat string, as read from the database
    const x = r();
    const t: EligibilityTarget = {
      uscc: u,
      jurisdiction: names[pickJ()]!,
      industry: '建筑业',
      tags: sharedTags,
      riskClass: classes[x < 0.4 ? 0 : x < 0.75 ? 1 : x < 0.93 ? 2 : 3]!,
      isKey: r() < 0.01,
      status: r() < 0.97 ? 'active' : 'inactive',
    };
    if (r() < 0.02) {
      const a = inspectors[Math.floor(r() * inspectors.length)]!.id;
      const b = inspectors[Math.floor(r() * inspectors.length)]!.id;
      t.lastInspections = [{ department: 'dept-housing', itemCategory: r() < 0.5 ? '资质' : '质量', date: '2024-05-10', team: [a, b] }];
    }
    onTarget(t, i);
  }
  // a few declared conflicts
  for (let c = 0; c < 200; c++) (inspectors[c % inspectors.length]!.conflicts as string[]).push(conflictUscc(r, c));
  return inspectors;
}

function eligibilityInput(targets: EligibilityTarget[], inspectors: EligibilityInspector[]) {
  return {
    targets,
    inspectors,
    task: {
      scope: { industries: ['建筑业'] },
      items: [{ department: 'dept-housing', itemCategory: '资质', specialties: ['建筑市场'] }],
      window: { start: '2025-04-01', end: '2025-06-30' },
      departments: ['dept-housing'],
      drawDate: '2025-03-03',
      cooldownDays: 365,
      ratiosBp: { A: 300, B: 300, C: 300, D: 300 },
      keyAtFull: true,
    },
  };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function runOne(n: number): Promise<void> {
  let registry: ReturnType<typeof generate> | undefined = generate(n);
  const heap0 = process.memoryUsage().heapUsed;
  const rss = () => process.resourceUsage().maxRSS * 1024;
  const rss0 = rss();
  // the helper thread starts with the process (as at Lambda init), before anything is timed
  const hasher = createParallelHasher();
  const single = createHasher();
  // …and so does a small synthetic draw that gets the draw code optimized (SUIJI_BENCH_WARMUP=0: skip)
  const warm = process.env['SUIJI_BENCH_WARMUP'] !== '0';
  if (warm) warmUpDraw(hasher);
  const t: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const heap: Record<string, number> = {};
  const time = <T>(name: string, f: () => T): T => {
    const c = process.cpuUsage();
    const a = performance.now();
    const v = f();
    t[name] = performance.now() - a;
    const d = process.cpuUsage(c);
    cpu[name] = (d.user + d.system) / 1000;
    heap[name] = process.memoryUsage().heapUsed;
    return v;
  };
  const ms = (k: string) => `${t[k]!.toFixed(0)} ms (cpu ${cpu[k]!.toFixed(0)} ms)`;

  // eligibility packs the candidates into typed arrays as it goes (as the draw Lambda does)
  const elig = time('eligibility', () => buildDrawPool({ ...eligibilityInput(registry!.targets, registry!.inspectors), packed: true }));
  // the pool as the draw Lambda reads it: 16 shard queries, each returned in USCC order
  const sharded = (() => {
    const objects = buildDrawPool({ ...eligibilityInput(registry.targets, registry.inspectors), packed: false }).pool.candidates;
    const shards: (typeof objects)[number][][] = Array.from({ length: 16 }, () => []);
    for (const c of objects) shards[c.uscc.charCodeAt(17) % 16]!.push(c);
    return { ...elig.pool, candidates: PackedCandidates.from(shards.flatMap((sh) => sh.sort((a, b) => (a.uscc < b.uscc ? -1 : 1)))) };
  })();
  // The draw Lambda packs each page as it is read, so the registry items are garbage by the
  // time it freezes; here too only the packed pool stays alive.
  registry = undefined;
  const secrets = ['见证人甲的密钥 7731', 'witness-two secret 0042'];
  // collect the garbage of input generation so it is not charged to the draw (--expose-gc)
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const system = newSystemSecret();
  // a pack is consumed by the freeze (its buffer is reused by the sort): each run gets a copy,
  // made outside the timed region
  const fresh = (p: typeof elig.pool) => ({ ...p, candidates: p.candidates.clone() });
  const freeze = (pool: ReturnType<typeof fresh>) =>
    freezeDraw({
      taskId: 'T-BENCH',
      pool,
      ratiosBp: elig.ratiosBp,
      minTeamSize: 2,
      jointUnits: elig.jointUnits,
      frozenAt: '2025-03-01T08:00:00Z',
      drawTime: '2025-03-03T09:00:00+08:00',
      witnesses: secrets.map((s, i) => ({ id: `w${i + 1}`, commitment: commitSecret(s) })),
      systemCommitment: system.commitment,
      labels: elig.labels,
      helper: hasher,
    });
  let pool = fresh(elig.pool);
  const frozen = time('freeze', () => freeze(pool));
  const f = frozen.freeze;
  const seed = deriveSeed({
    taskId: f.taskId,
    poolDigest: f.poolDigest,
    eligibilityDigest: f.eligibilityDigest,
    witnessSecrets: secrets,
    system: system.hex,
    beacon: null,
  });
  const selection = time('selection', () => selectTargets(frozen.pool, seed, f.strata.map((s) => s.toDraw), hasher));
  const matching = time('matching', () => matchTeams(frozen.pool, selection, seed, { teamSize: f.team.size, jointUnits: f.team.jointUnits }, hasher));
  const rssDraw = rss();


  // warm repeats: the machine may be shared, so the best of several runs is reported too
  const reps = Number(process.env['SUIJI_BENCH_REPEAT'] ?? 3);
  let bestSharded = Infinity;
  let bestSingle = Infinity;
  const best = { freeze: Infinity, selection: Infinity, matching: Infinity, total: Infinity };
  for (let k = 0; k < reps; k++) {
    pool = fresh(elig.pool);
    gc();
    const a = performance.now();
    const fz = freeze(pool);
    const b = performance.now();
    const sl = selectTargets(fz.pool, seed, fz.freeze.strata.map((x) => x.toDraw), hasher);
    const c = performance.now();
    const mt = matchTeams(fz.pool, sl, seed, { teamSize: fz.freeze.team.size, jointUnits: fz.freeze.team.jointUnits }, hasher);
    const d = performance.now();
    // the same selection and matching on one thread, for comparison
    const sl1 = selectTargets(fz.pool, seed, fz.freeze.strata.map((x) => x.toDraw), single);
    matchTeams(fz.pool, sl1, seed, { teamSize: fz.freeze.team.size, jointUnits: fz.freeze.team.jointUnits }, single);
    bestSingle = Math.min(bestSingle, performance.now() - d);
    if (mt.capYields !== matching.capYields || fz.freeze.poolDigest !== f.poolDigest) throw new Error('repeat differs');
    best.freeze = Math.min(best.freeze, b - a);
    best.selection = Math.min(best.selection, c - b);
    best.matching = Math.min(best.matching, d - c);
    best.total = Math.min(best.total, d - a);
    pool = fresh(sharded);
    gc();
    const e = performance.now();
    const fs = freeze(pool);
    bestSharded = Math.min(bestSharded, performance.now() - e);
    if (fs.freeze.poolDigest !== f.poolDigest || fs.freeze.eligibilityDigest !== f.eligibilityDigest) throw new Error('sharded input froze differently');
  }

  // the Lambda's way first: the record without input lines, streamed in pieces (here into a hash)
  const lean = buildRecord(frozen, { witnesses: secrets.map((secret, i) => ({ id: `w${i + 1}`, secret })), system: system.hex, beacon: null }, { seed, selection, matching }, { pool: [], eligibility: [] });
  const streamed = time('streamed', () => {
    const h = createHash('sha256');
    for (const piece of serializeRecordChunks(lean, frozen)) h.update(piece);
    return h.digest('hex');
  });
  const rssStream = rss();
  const inputs = time('inputLines', () => frozenInputs(frozen));
  const record = time('record', () =>
    buildRecord(frozen, { witnesses: secrets.map((secret, i) => ({ id: `w${i + 1}`, secret })), system: system.hex, beacon: null }, { seed, selection, matching }, inputs),
  );
  const text = time('serialize', () => serializeRecord(record));
  const rssRecord = rss();
  if (streamed !== createHash('sha256').update(text).digest('hex')) throw new Error('streamed record differs');
  const verified = time('verify', () => verifyRecord(JSON.parse(text)));
  if (!verified.ok) throw new Error(verified.error);

  const total = t['freeze']! + t['selection']! + t['matching']!;
  const maxLoad = Math.max(...matching.load);
  const pairs = Array.from(selection.order).reduce((s, i) => s + frozen.pool.areaMembers[frozen.pool.area[i]!]!.length, 0);
  const line = (k: string, v: string) => console.log(`  ${k.padEnd(34)} ${v}`);
  console.log(`\n== ${n.toLocaleString('en')} registry targets → ${frozen.pool.n.toLocaleString('en')} candidates (hasher: ${hasher.kind}, 2 threads; init warm-up: ${warm ? 'yes' : 'no'})`);
  line('strata (selected/candidates)', f.strata.map((s) => `${s.stratum} ${s.toDraw}/${s.candidates}`).join(', '));
  line('inspectors eligible / areas', `${f.inspectors} / ${f.areas}; score hashes ≈ ${pairs.toLocaleString('en')}; max load ${maxLoad}; cap yields ${matching.capYields}`);
  const totalCpu = cpu['freeze']! + cpu['selection']! + cpu['matching']!;
  line('eligibility (not in total)', ms('eligibility'));
  line('freeze', ms('freeze'));
  line('selection', ms('selection'));
  line('matching', ms('matching'));
  line('TOTAL freeze + selection + matching', `${total.toFixed(0)} ms (cpu ${totalCpu.toFixed(0)} ms)`);
  if (reps > 0) {
    line(`best of ${reps} warm repeats`, `freeze ${best.freeze.toFixed(0)} + selection ${best.selection.toFixed(0)} + matching ${best.matching.toFixed(0)} ms; best total ${best.total.toFixed(0)} ms`);
    line('selection + matching on one thread', `${bestSingle.toFixed(0)} ms (best of ${reps}; above: hashing split with a helper thread)`);
    line('freeze, pool read as 16 sorted shards', `${bestSharded.toFixed(0)} ms (best of ${reps}; runs merged instead of radix-sorted)`);
  }
  line('record input lines', ms('inputLines'));
  line('record build', ms('record'));
  line('serialize', `${ms('serialize')}, ${mb(Buffer.byteLength(text))}`);
  line('stream-serialize (no input lines held)', ms('streamed'));
  line('verify (parse + full re-run)', ms('verify'));
  line('machine load (1-min average)', `${(await import('node:os')).loadavg()[0]!.toFixed(2)} on ${(await import('node:os')).cpus().length} CPUs`);
  line('heap used: inputs / +freeze / +match', `${mb(heap0)} / ${mb(heap['freeze']!)} / ${mb(heap['matching']!)}`);
  line('peak RSS: registry generated', mb(rss0));
  line('peak RSS: through matching', `${mb(rssDraw)} (the draw added ${mb(rssDraw - rss0)})`);
  line('peak RSS: + record streamed (Lambda)', mb(rssStream));
  line('peak RSS: + record as one string', mb(rssRecord));
  line('peak RSS: + verified (same process)', mb(rss()));
  // machine-readable line for scripts
  console.log(`BENCH ${JSON.stringify({ n, freeze: t['freeze'], selection: t['selection'], matching: t['matching'], total, totalCpu, best, bestSharded, bestSingleThreadSelectMatch: bestSingle, rssGeneratedMB: rss0 / 2 ** 20, rssDrawMB: rssDraw / 2 ** 20, rssStreamMB: rssStream / 2 ** 20, rssRecordMB: rssRecord / 2 ** 20, maxRssMB: rss() / 2 ** 20 })}`);
}

/**
 * Peak resident memory over a stretch of synchronous code: a watcher thread samples the
 * process's RSS every 5 ms (maxRSS of getrusage is a high-water mark of the whole process, input
 * generation included).
 */
async function rssWatcher(): Promise<{ reset(): void; peak(): number; stop(): Promise<number> }> {
  const { Worker } = await import('node:worker_threads');
  const cell = new Float64Array(new SharedArrayBuffer(8));
  const w = new Worker(
    `const { workerData } = require('node:worker_threads'); const c = new Float64Array(workerData);
     setInterval(() => { const r = process.memoryUsage.rss(); if (r > c[0]) c[0] = r; }, 5);`,
    { eval: true, workerData: cell.buffer },
  );
  await new Promise((ok) => setTimeout(ok, 50));
  return { reset: () => (cell[0] = process.memoryUsage.rss()), peak: () => Math.max(cell[0]!, process.memoryUsage.rss()), stop: () => w.terminate() };
}

/**
 * suiji-draw-v2 at the same scale, as the two Lambda functions run it (docs/DRAW.md §19):
 *
 *   FreezePool  (fresh process)  eligibility (the pool read page by page; informational), the
 *               FREEZE (pseudonyms, salts, commitments, public pool, digests), and the internal
 *               frozen state it stores (binary: commitments, openings; written to a file)
 *   RunDraw     (fresh process)  reads that state, then the DRAW: loads the frozen draw (freeze,
 *               pool and eligibility digests re-checked) and runs the ceremony after the beacon
 *               (close record, reveals, BLS beacon check, seed, selection over the commitments,
 *               the drawn entries opened against their commitments, matching); then writes the record
 *   suiji verify (fresh process) the record file, as a citizen runs it (`npx suiji`: the
 *               launcher's cached bundle, built before the timed run)
 *
 * Each process starts as a Lambda container does (helper thread and `warmUpDraw` at init) before
 * anything is timed; every phase prints wall and CPU milliseconds (user + system of the process,
 * i.e. both threads). Peak RSS is sampled every 5 ms by a watcher thread over the timed phases
 * (getrusage's high-water mark would include generating the registry). Above 3,000,000 targets
 * (a province's register: `draw 10000000 --v2`) one process does it all, as issue 14 point 9 asks:
 * the FreezePool process goes straight on with RunDraw's phases over the state it holds (the
 * registry generated page by page into the pool builder, as the Lambda reads it, its 200
 * conflicts naming targets of the first page) and writes the record (streamed); `suiji verify`
 * of it follows in its own process (SUIJI_BENCH_VERIFY=0: not).
 * Each phase's JSON has the calling thread's CPU ms and minor page faults too (mainCpu, mainFaults;
 * from /proc, 10 ms resolution): on a loaded machine the calling thread's CPU is the critical path's
 * best measure (the wall clock waits for cores).
 * SUIJI_BENCH_PROF=<dir>: a CPU profile (.cpuprofile) of each timed phase. The v2 processes run with the
 * draw functions' environment (DRAW_FUNCTION_ENV: the heap kept, 192 MB prefaulted at init); SUIJI_BENCH_DRAW_ENV=0: without.
 */
type Phase = { wall: number; cpu: number; mainCpu?: number; mainFaults?: number };
/** The calling thread's CPU ms and minor page faults so far (Linux: /proc), or undefined. */
function mainThread(): { cpu: number; faults: number } | undefined {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // fields after the name: state is [0], minflt [7], utime [11], stime [12] (clock ticks, 100 Hz)
    return { faults: Number(f[7]), cpu: (Number(f[11]) + Number(f[12])) * 10 };
  } catch {
    return undefined;
  }
}
const phases: Record<string, Phase> = {};
let profileSession: import('node:inspector').Session | undefined;
const post = (m: string, p: object = {}) => new Promise<unknown>((ok, no) => profileSession!.post(m, p, (e, r) => (e ? no(e) : ok(r))));

/** Times f: wall and CPU of the whole process (both threads); a CPU profile with SUIJI_BENCH_PROF. */
async function phase<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  const prof = process.env['SUIJI_BENCH_PROF'];
  if (prof && !profileSession) {
    profileSession = new (await import('node:inspector')).Session();
    profileSession.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 250 });
  }
  if (prof) await post('Profiler.start');
  const c = process.cpuUsage();
  const m = mainThread();
  const a = performance.now();
  const v = await f();
  const d = process.cpuUsage(c);
  const m1 = mainThread();
  phases[name] = { wall: performance.now() - a, cpu: (d.user + d.system) / 1000, ...(m && m1 ? { mainCpu: m1.cpu - m.cpu, mainFaults: m1.faults - m.faults } : {}) };
  if (prof) {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(prof, { recursive: true });
    writeFileSync(`${prof}/${process.env['SUIJI_BENCH_ALGO']}-${name.replace(/\W+/g, '_')}.cpuprofile`, JSON.stringify(profile));
  }
  return v;
}

const fmt = (name: string) => (phases[name] ? `${phases[name]!.wall.toFixed(0)} ms (cpu ${phases[name]!.cpu.toFixed(0)} ms)` : '—');
const line2 = (k: string, v: string) => console.log(`  ${k.padEnd(44)} ${v}`);
/** Above this, one process and no files (SUIJI_BENCH_ONE_PROCESS=1: at any size). */
const V2_FILE_LIMIT = process.env['SUIJI_BENCH_ONE_PROCESS'] === '1' ? 0 : 3_000_000;
const witnessesV2 = [
  { id: 'w1', name: '见证人甲', role: '纪检监察组', secret: '见证人甲的密钥 7731' },
  { id: 'w2', name: '见证人乙', role: '公众代表', secret: 'witness-two secret 0042' },
];
const DRAW_TIME = '2025-03-03T01:00:00Z';

/** The bench's local test chain: a fixed key, so that both processes sign and check the same round. */
async function benchChain() {
  const v2 = await import('../../shared/draw/v2/index.js');
  const sk = createHash('sha256').update('suiji bench chain').digest();
  sk[0] = sk[0]! & 0x3f; // below the BLS12-381 group order
  return new v2.LocalTestChain(new Uint8Array(sk), Date.parse('2025-01-01T00:00:00Z') / 1000);
}

/** What a Lambda container does at init (prepareDrawThreads): the helper thread, the draw code warmed up. */
async function initLambda(chain: Awaited<ReturnType<typeof benchChain>>) {
  const hasher = createParallelHasher();
  warmUpDraw(hasher);
  // as prepareDrawThreads: the heap prefaulted (with the functions' DRAW_MALLOC_ENV, set for the children)
  await prefaultHeap(Number(process.env['SUIJI_DRAW_HEAP_MB'] ?? 0));
  // warmUpDraw parses quicknet's public key (kept parsed, checkBeacon); the bench chain stands in for quicknet
  const v2 = await import('../../shared/draw/v2/index.js');
  if (v2.checkBeacon(chain.spec(1), chain.proof(1, new Date('2025-03-04T00:00:00Z')))) throw new Error('bench chain');
  return hasher;
}

const gcNow = () => ((globalThis as { gc?: () => void }).gc ?? (() => undefined))();
const loadLine = async () => {
  const os = await import('node:os');
  line2('machine load (1-min average)', `${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} CPUs`);
  return os.loadavg()[0];
};

/** FreezePool's work in a fresh process; above V2_FILE_LIMIT, RunDraw's too, in the same process. */
async function runFreezeV2(n: number): Promise<void> {
  const v2 = await import('../../shared/draw/v2/index.js');
  const chain = await benchChain();
  const hasher = await initLambda(chain);
  let build: () => EligibilityResult<PackedCandidates>;
  if (n <= 2_000_000) {
    const registry = generate(n);
    build = () => buildDrawPool({ ...eligibilityInput(registry.targets, registry.inspectors), packed: true });
  } else {
    // two passes of the same random stream: the first fixes the inspectors (and their conflicts,
    // drawn after the targets), the second feeds the targets to the builder as they come
    const firstPage: string[] = [];
    const conflict = (r: () => number) => firstPage[Math.floor(r() * firstPage.length)]!;
    const inspectors = generateInto(n, (t, i) => void (i < 10_000 && firstPage.push(t.uscc)), conflict);
    build = () => {
      const builder = drawPoolBuilder({ ...eligibilityInput([], inspectors), capacity: n, packed: true });
      generateInto(n, (t) => builder.add(t), conflict);
      return builder.finish();
    };
  }
  const elig = await phase('eligibility', build);
  build = undefined as never; // the registry is garbage now, as in the Lambda (read page by page)
  gcNow();
  const watch = await rssWatcher();
  const rss0 = process.memoryUsage.rss();
  const system = newSystemSecret();
  watch.reset();
  let frozen: ReturnType<typeof v2.freezeDrawV2> | undefined = await phase('freeze', () =>
    v2.freezeDrawV2(
      {
        taskId: 'T-BENCH', department: 'dept-housing', round: 1, prev: null, pool: elig.pool,
        ratiosBp: elig.ratiosBp, minTeamSize: 2, jointUnits: elig.jointUnits, frozenAt: '2025-03-01T08:00:00Z', drawTime: DRAW_TIME,
        systemCommitment: system.commitment, beacons: [chain.specAfter(DRAW_TIME)], labels: elig.labels, helper: hasher,
      },
      hasher,
    ),
  );
  const rssFreeze = watch.peak();
  const f = frozen.freeze;
  const file = process.env['SUIJI_BENCH_FILE'];
  const write = file !== undefined && n <= V2_FILE_LIMIT;
  const header = { algorithm: 'suiji-draw-v2', systemSecretHex: system.hex };
  // as FreezePool stores it (writeFrozenBlob: the arrays written as they are, no buffer of the
  // state's size); in one process, RunDraw's load then checks the state the process holds
  // (decodedOf: the same arrays) — no copy of ~0.8 GB at 10,000,000
  const parts = await phase('state', () => v2.encodeFrozenV2Parts(frozen!, header));
  const state = write ? undefined : v2.decodedOf(frozen, header);
  if (write) {
    const { writeParts } = await import('../../shared/blobs.js');
    await phase('stateFile', () => writeParts(file!, parts.parts.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))));
  }
  const rssState = watch.peak();
  console.log(`\n== suiji-draw-v2: ${n.toLocaleString('en')} registry targets → ${f.candidates.toLocaleString('en')} candidates (hasher: ${hasher.kind}, ${hasher.threads} threads)`);
  line2('strata (selected/candidates)', f.strata.map((x) => `${x.stratum} ${x.toDraw}/${x.candidates}`).join(', '));
  console.log('  FreezePool (fresh process, after the init warm-up):');
  line2('  eligibility (pool read; not in the totals)', fmt('eligibility'));
  line2('  FREEZE', fmt('freeze'));
  if (phases['freeze']?.mainCpu !== undefined) line2('  FREEZE: the calling thread', `cpu ${phases['freeze'].mainCpu} ms, ${phases['freeze'].mainFaults} minor page faults`);
  line2('  frozen state: encode (header; the arrays as views)', fmt('state'));
  if (write) line2('  frozen state: write', fmt('stateFile'));
  line2('  peak RSS: before / freeze / + state', `${mb(rss0)} / ${mb(rssFreeze)} / ${mb(rssState)}`);
  const result: Record<string, unknown> = { n, candidates: f.candidates, rss0MB: rss0 / 2 ** 20, rssFreezeMB: rssFreeze / 2 ** 20, rssStateMB: rssState / 2 ** 20 };
  if (!write) {
    console.log('  RunDraw, in the same process (the freeze\'s own arrays dropped):');
    frozen = undefined;
    gcNow();
    Object.assign(result, await drawPhases(state!, hasher, chain, watch, process.env['SUIJI_BENCH_RECORD']));
    // one process holds the frozen draw it made: nothing stored to distrust, so the province's
    // figure is FREEZE + ceremony (docs/DRAW.md §19, "10,000,000 candidates in one process")
    const fc = { wall: phases['freeze']!.wall + phases['ceremony']!.wall, cpu: phases['freeze']!.cpu + phases['ceremony']!.cpu };
    phases['freeze+ceremony'] = fc;
    line2('FREEZE + ceremony (the one-process figure)', fmt('freeze+ceremony'));
    line2('peak RSS of the process (getrusage)', mb(process.resourceUsage().maxRSS * 1024));
  }
  const load = await loadLine();
  console.log(`BENCH2 ${JSON.stringify({ ...result, phases, load })}`);
  await watch.stop();
  await hasher.close();
}

/** RunDraw's phases over a frozen state: the DRAW (load + ceremony), then the record (to `file`). */
async function drawPhases(
  state: Uint8Array | import('../../shared/draw/v2/index.js').DecodedFrozenV2<import('../../shared/draw/v2/index.js').FrozenHeaderV2 & { systemSecretHex: string }>,
  hasher: ReturnType<typeof createParallelHasher>,
  chain: Awaited<ReturnType<typeof benchChain>>,
  watch: Awaited<ReturnType<typeof rssWatcher>>,
  file: string | undefined,
): Promise<Record<string, unknown>> {
  const v2 = await import('../../shared/draw/v2/index.js');
  const rss0 = process.memoryUsage.rss();
  watch.reset();
  let systemSecretHex = '';
  const frozen = await phase('load', () => {
    const d = state instanceof Uint8Array ? v2.decodeFrozenV2<import('../../shared/draw/v2/index.js').FrozenHeaderV2 & { systemSecretHex: string }>(state) : state;
    systemSecretHex = d.header.systemSecretHex;
    return v2.loadFrozenStateV2(d);
  });
  const spec = frozen.freeze.beacons[0] as ReturnType<typeof chain.spec>;
  const proof = chain.proof(spec.round, new Date('2025-03-04T00:00:00Z'));
  const closedAt = new Date(Date.parse(frozen.freeze.drawTime) - 60_000).toISOString();
  const record = await phase('ceremony', () => {
    const closed = v2.closeRegistration(frozen, closedAt, witnessesV2.map((w) => ({ ...w, commitment: commitSecret(w.secret) })));
    return v2.runDrawV2(frozen, closed, { witnesses: witnessesV2, system: systemSecretHex, beacons: [proof] }, { hasher });
  });
  const rssDraw = watch.peak();
  // streamed, ~5 MB at a time: a 10,000,000-candidate record (~0.9 GB) fits no string, and needs no buffer of its size
  if (file) await phase('recordFile', () => v2.writeRecordV2File(record, file));
  const rssRecord = watch.peak();
  // after the draw, RunDraw reads the targets for the progress rows from the draw's columns;
  // record.targets (objects) is made only for a reader that asks (not RunDraw): both timed here
  const selected = v2.targetColumnsOf(record)?.n ?? record.targets.length;
  const { drawnTargetsV2 } = await import('../../shared/lifecycle/draw-stage.js');
  await phase('drawnTargets', () => drawnTargetsV2(record, (p) => p).length);
  await phase('targetObjects', () => record.targets.length);
  const draw = { wall: phases['load']!.wall + phases['ceremony']!.wall, cpu: phases['load']!.cpu + phases['ceremony']!.cpu };
  phases['draw'] = draw;
  line2('  load the frozen draw (digests checked)', fmt('load'));
  line2('  ceremony (reveals, BLS, selection, openings, matching)', fmt('ceremony'));
  line2('  DRAW = load + ceremony', fmt('draw'));
  if (file) line2('  record: JSON + write (streamed)', `${fmt('recordFile')}, ${mb(statSync(file).size)}`);
  line2('  peak RSS: before / draw / + record', `${mb(rss0)} / ${mb(rssDraw)} / ${mb(rssRecord)}`);
  line2("  after: the progress rows' targets (columns)", fmt('drawnTargets'));
  line2('  after: record.targets as objects (not RunDraw)', fmt('targetObjects'));
  return { rssDrawStartMB: rss0 / 2 ** 20, rssDrawMB: rssDraw / 2 ** 20, rssRecordMB: rssRecord / 2 ** 20, selected };
}

/** RunDraw's work in a fresh process: reads the frozen state FreezePool wrote, writes the record file. */
async function runDrawV2Child(): Promise<void> {
  // the blob store's module (and the AWS SDK under it) loaded before the init, as in the RunDraw
  // bundle: loaded after it, it threw away the warm-up's optimized code (V8 code dependencies)
  const { readFileShared } = await import('../../shared/blobs.js');
  const chain = await benchChain();
  const hasher = await initLambda(chain);
  gcNow();
  const watch = await rssWatcher();
  console.log('  RunDraw (fresh process, after the init warm-up):');
  const rss0 = process.memoryUsage.rss();
  watch.reset();
  // into shared memory, as RunDraw reads it (getBlobShared): the load turns the commitments into words in place
  const state = await phase('readState', () => readFileShared(process.env['SUIJI_BENCH_FILE']!));
  line2('  read frozen state (file)', fmt('readState'));
  const rssRead = watch.peak();
  const r = await drawPhases(state, hasher, chain, watch, process.env['SUIJI_BENCH_RECORD']);
  line2('  peak RSS: process before reading', `${mb(rss0)} (after reading: ${mb(rssRead)})`);
  const load = await loadLine();
  console.log(`BENCH2 ${JSON.stringify({ ...r, phases, load })}`);
  await watch.stop();
  await hasher.close();
}

/** The v2 processes for one size, and `suiji verify` of the record (wall, CPU and peak RSS from /usr/bin/time). */
function benchV2(n: number, childArgs: string[], env: NodeJS.ProcessEnv): void {
  const dir = mkdtempSync(`${tmpdir()}/suiji-bench-`);
  const file = `${dir}/frozen.bin`, record = `${dir}/record.json`;
  try {
    for (const algo of ['v2-freeze', ...(n <= V2_FILE_LIMIT ? ['v2-draw'] : [])]) {
      // each child as its Lambda function: the functions' environment (DRAW_FUNCTION_ENV; SUIJI_BENCH_DRAW_ENV=0: not)
      const fnEnv = process.env['SUIJI_BENCH_DRAW_ENV'] === '0' ? {} : DRAW_FUNCTION_ENV;
      const r = spawnSync(process.execPath, childArgs, { env: { ...env, ...fnEnv, SUIJI_BENCH_ALGO: algo, SUIJI_BENCH_FILE: file, SUIJI_BENCH_RECORD: record }, stdio: 'inherit' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
    if (process.env['SUIJI_BENCH_VERIFY'] === '0') return;
    const cli = fileURLToPath(new URL('../../shared/dev/cli/suiji.mjs', import.meta.url));
    // the launcher's bundle made current first (it is rebuilt only after a source changed), as for any later command
    spawnSync(process.execPath, [cli, '--help'], { stdio: 'ignore' });
    const a = performance.now();
    const v = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, cli, 'verify', record], { encoding: 'utf8' });
    const wall = performance.now() - a;
    if (v.status !== 0) throw new Error(`suiji verify failed: ${v.stdout}${v.stderr}`);
    const [, , user, sys, rssKb] = /TIME (\S+) (\S+) (\S+) (\d+)/.exec(v.stderr) ?? [];
    console.log("  suiji verify record.json (fresh process, from the launcher's bundle):");
    line2('  wall / cpu / peak RSS', `${wall.toFixed(0)} ms / ${((Number(user) + Number(sys)) * 1000).toFixed(0)} ms / ${mb(Number(rssKb) * 1024)}`);
    line2('  record size', mb(statSync(record).size));
    console.log(`BENCH2 ${JSON.stringify({ n, cliVerify: { wall, cpu: (Number(user) + Number(sys)) * 1000, rssMB: Number(rssKb) / 1024 } })}`);
  } finally {
    // SUIJI_BENCH_KEEP=1: keep the frozen state and the record (for profiling `suiji verify`)
    if (process.env['SUIJI_BENCH_KEEP']) console.log(`  files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const childSize = process.env['SUIJI_BENCH_DRAW_SIZE'];
if (childSize) {
  const algo = process.env['SUIJI_BENCH_ALGO'];
  if (algo === 'v2-freeze') await runFreezeV2(Number(childSize));
  else if (algo === 'v2-draw') await runDrawV2Child();
  else await runOne(Number(childSize));
} else {
  // npm run bench -- draw [sizes…] [--repeat N] [--v1 | --v2]   (default: v2, then v1)
  const args = process.argv.slice(2);
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? args.splice(ri, 2)[1]! : '3';
  const algos = args.includes('--v1') ? ['v1'] : args.includes('--v2') ? ['v2'] : ['v2', 'v1'];
  const sizes = args.map(Number).filter((x) => x > 0);
  for (const n of sizes.length ? sizes : [100_000, 1_000_000]) {
    const childArgs = ['--expose-gc', ...(n > V2_FILE_LIMIT ? ['--max-old-space-size=6000'] : []), ...process.execArgv, fileURLToPath(import.meta.url)];
    const env = { ...process.env, SUIJI_BENCH_DRAW_SIZE: String(n), SUIJI_BENCH_REPEAT: repeat };
    for (const algo of algos) {
      if (algo === 'v2') {
        benchV2(n, childArgs, env);
        continue;
      }
      const r = spawnSync(process.execPath, childArgs, { env: { ...env, SUIJI_BENCH_ALGO: algo }, stdio: 'inherit' });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  }
}
