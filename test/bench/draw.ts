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
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  buildDrawPool,
  drawPoolBuilder,
  warmUpDraw,
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
 * suiji-draw-v2 at the same scale: freeze (pseudonyms, salts, commitments, public pool), close,
 * then the ceremony after the beacon (reveal and BLS beacon checks, selection over the
 * commitments, matching), the record, its verification in this process and by `suiji verify` in
 * a fresh one. The process starts as a Lambda container would: helper thread, v1 warm-up, and a
 * small v2 draw (20,000 targets, with a BLS check of another round, so that the timed ceremony
 * pays for its own pairing check) before anything is timed. Above 2,000,000 targets the registry
 * is generated page by page into the pool builder (its 200 conflicts then name targets of the
 * first page), as the draw Lambda reads it.
 */
async function runOneV2(n: number): Promise<void> {
  const v2 = await import('../../shared/draw/v2/index.js');
  const chain = new v2.LocalTestChain(v2.LocalTestChain.newSecretKey(), Date.parse('2025-01-01T00:00:00Z') / 1000);
  const witnesses = [
    { id: 'w1', name: '见证人甲', role: '纪检监察组', secret: '见证人甲的密钥 7731' },
    { id: 'w2', name: '见证人乙', role: '公众代表', secret: 'witness-two secret 0042' },
  ];
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const hasher = createParallelHasher();
  const prepare = (size: number) => {
    if (size <= 2_000_000) {
      const registry = generate(size);
      return buildDrawPool({ ...eligibilityInput(registry.targets, registry.inspectors), packed: true });
    }
    // two passes of the same random stream: the first fixes the inspectors (and their conflicts,
    // drawn after the targets), the second feeds the targets to the builder as they come
    const firstPage: string[] = [];
    const conflict = (r: () => number) => firstPage[Math.floor(r() * firstPage.length)]!;
    const inspectors = generateInto(size, (t, i) => void (i < 10_000 && firstPage.push(t.uscc)), conflict);
    const builder = drawPoolBuilder({ ...eligibilityInput([], inspectors), capacity: size, packed: true });
    generateInto(size, (t) => builder.add(t), conflict);
    return builder.finish();
  };
  // a pack is consumed by the freeze: each run gets a copy, made outside the timed region (as for v1)
  const fresh = (elig: ReturnType<typeof prepare>) => ({ ...elig, pool: { ...elig.pool, candidates: elig.pool.candidates.clone() } });
  const freeze = (elig: ReturnType<typeof prepare>, system: { commitment: string }, drawTime: string) =>
    v2.freezeDrawV2(
      {
        taskId: 'T-BENCH', department: 'dept-housing', round: 1, prev: null, pool: elig.pool,
        ratiosBp: elig.ratiosBp, minTeamSize: 2, jointUnits: elig.jointUnits, frozenAt: '2025-03-01T08:00:00Z', drawTime,
        systemCommitment: system.commitment, beacons: [chain.specAfter(drawTime)], labels: elig.labels, helper: hasher,
      },
      hasher,
    );
  const ceremony = (frozen: ReturnType<typeof freeze>, system: { hex: string }) => {
    const closedAt = new Date(Date.parse(frozen.freeze.drawTime) - 60_000).toISOString();
    const closed = v2.closeRegistration(frozen, closedAt, witnesses.map((w) => ({ ...w, commitment: commitSecret(w.secret) })));
    const spec = frozen.freeze.beacons[0] as ReturnType<typeof chain.spec>;
    const proof = chain.proof(spec.round, new Date('2025-03-04T00:00:00Z'));
    return { closed, run: () => v2.runDrawV2(frozen, closed, { witnesses, system: system.hex, beacons: [proof] }, { hasher, omitPool: true }) };
  };
  // init: what a Lambda container does before its first real draw (another beacon round: the
  // pairing check of the timed ceremony is not cached)
  warmUpDraw(hasher);
  {
    const small = prepare(20_000);
    const sys = newSystemSecret();
    const fz = freeze(fresh(small), sys, '2025-03-02T01:00:00Z');
    ceremony(fz, sys).run();
  }
  const elig = prepare(n);
  gc();
  const watch = await rssWatcher();
  const rss0 = process.memoryUsage.rss();
  const system = newSystemSecret();
  const drawTime = '2025-03-03T01:00:00Z';
  let input = fresh(elig);
  watch.reset();
  const a = performance.now();
  const frozen = freeze(input, system, drawTime);
  const b = performance.now();
  const c0 = ceremony(frozen, system);
  const c = performance.now();
  const lean = c0.run();
  const d = performance.now();
  const rssDraw = watch.peak();
  const reps = Number(process.env['SUIJI_BENCH_REPEAT'] ?? 3);
  const best = { freeze: Infinity, ceremony: Infinity };
  for (let k = 0; k < reps; k++) {
    gc();
    const sys = newSystemSecret();
    input = fresh(elig);
    const t0 = performance.now();
    const fz = freeze(input, sys, drawTime);
    const t1 = performance.now();
    const cz = ceremony(fz, sys);
    const t2 = performance.now();
    cz.run();
    best.freeze = Math.min(best.freeze, t1 - t0);
    best.ceremony = Math.min(best.ceremony, performance.now() - t2);
  }
  const line = (k: string, v: string) => console.log(`  ${k.padEnd(34)} ${v}`);
  const os = await import('node:os');
  console.log(`\n== suiji-draw-v2: ${n.toLocaleString('en')} registry targets → ${frozen.freeze.candidates.toLocaleString('en')} candidates (hasher: ${hasher.kind}, ${hasher.threads} threads)`);
  line('strata (selected/candidates)', frozen.freeze.strata.map((x) => `${x.stratum} ${x.toDraw}/${x.candidates}`).join(', '));
  line('freeze (first)', `${(b - a).toFixed(0)} ms  (pseudonyms, salts, commitments, public pool, digests)`);
  line('close of registration', `${(c - b).toFixed(0)} ms`);
  line('ceremony (first)', `${(d - c).toFixed(0)} ms  (reveals, BLS beacon, seed, selection, matching)`);
  line('FIRST freeze + ceremony', `${(d - a).toFixed(0)} ms`);
  if (reps > 0) line(`best of ${reps} repeats`, `freeze ${best.freeze.toFixed(0)} ms, ceremony ${best.ceremony.toFixed(0)} ms`);
  line('peak RSS: before / during the draw', `${mb(rss0)} / ${mb(rssDraw)}`);
  const result = { n, freeze: b - a, ceremony: d - c, total: d - a, best, rss0MB: rss0 / 2 ** 20, rssDrawMB: rssDraw / 2 ** 20, load: os.loadavg()[0] } as Record<string, unknown>;
  if (process.env['SUIJI_BENCH_VERIFY'] !== '0') {
    // the published record (with its pool lists), written to a file and verified
    const { writeFileSync, rmSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync(`${os.tmpdir()}/suiji-bench-`);
    const file = `${dir}/record.json`;
    const s0 = performance.now();
    writeFileSync(file, v2.serializeRecordV2({ ...lean, inputs: { ...lean.inputs, pool: v2.publicPoolLists(frozen) } }));
    const s1 = performance.now();
    const inProcess = v2.verifyRecordV2(JSON.parse((await import('node:fs')).readFileSync(file, 'utf8')));
    const s2 = performance.now();
    if (!inProcess.ok) throw new Error(inProcess.error);
    // `suiji verify record.json` in a fresh process, as a citizen runs it (tsx loader included)
    const cli = spawnSync(process.execPath, [fileURLToPath(new URL('../../shared/dev/cli/suiji.mjs', import.meta.url)), 'verify', file], { encoding: 'utf8' });
    const s3 = performance.now();
    rmSync(dir, { recursive: true, force: true });
    if (cli.status !== 0) throw new Error(`suiji verify failed: ${cli.stdout}${cli.stderr}`);
    line('serialize + write record', `${(s1 - s0).toFixed(0)} ms`);
    line('read + parse + verify (in process)', `${(s2 - s1).toFixed(0)} ms`);
    line('suiji verify (fresh process)', `${(s3 - s2).toFixed(0)} ms`);
    Object.assign(result, { serialize: s1 - s0, verify: s2 - s1, cliVerify: s3 - s2 });
  }
  line('machine load (1-min average)', `${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} CPUs`);
  console.log(`BENCH2 ${JSON.stringify(result)}`);
  await watch.stop();
  await hasher.close();
}

const childSize = process.env['SUIJI_BENCH_DRAW_SIZE'];
if (childSize) {
  if (process.env['SUIJI_BENCH_ALGO'] === 'v2') await runOneV2(Number(childSize));
  else await runOne(Number(childSize));
} else {
  // npm run bench -- draw [sizes…] [--repeat N] [--v1 | --v2]   (default: v2, then v1)
  const args = process.argv.slice(2);
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? args.splice(ri, 2)[1]! : '3';
  const algos = args.includes('--v1') ? ['v1'] : args.includes('--v2') ? ['v2'] : ['v2', 'v1'];
  const sizes = args.map(Number).filter((x) => x > 0);
  for (const n of sizes.length ? sizes : [100_000, 1_000_000]) {
    for (const algo of algos) {
      const r = spawnSync(process.execPath, ['--expose-gc', ...(n > 3_000_000 ? ['--max-old-space-size=6000'] : []), ...process.execArgv, fileURLToPath(import.meta.url)], {
        env: { ...process.env, SUIJI_BENCH_DRAW_SIZE: String(n), SUIJI_BENCH_REPEAT: repeat, SUIJI_BENCH_ALGO: algo },
        stdio: 'inherit',
      });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
  }
}
