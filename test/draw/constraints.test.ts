import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildDrawPool,
  commitSecret,
  commitSystemBytes,
  compilePool,
  createHasher,
  DrawInfeasibleError,
  DrawInputError,
  eligibilityLines,
  poolLines,
  findShortages,
  freezeDraw,
  matchTeams,
  MissingRevealError,
  RevealMismatchError,
  runDraw,
  selectTargets,
  type DrawPool,
  type EligibilityInspector,
  type EligibilityTarget,
  type EligibilityTask,
  type FreezeInput,
} from '../../shared/draw/index.js';
import { drawFixture, freezeFixture, loadFixture } from './fixtures.js';
import { createParallelHasher } from '../../shared/draw/parallel.js';
import { drawCount } from '../../shared/domain/sampling.js';

const hasher = createHasher();
const seedOf = (i: number) => createHash('sha256').update(`constraints-${i}`).digest('hex');
const U = (n: number) => `91130302MA0${String(n).padStart(6, '0')}Y`;

const inspector = (id: string, over: Partial<EligibilityInspector> = {}): EligibilityInspector => ({
  id,
  department: 'dept-h',
  section: '建筑市场科',
  jurisdictions: ['城关镇'],
  specialties: ['建筑市场'],
  certificateNo: `C-${id}`,
  certificateExpiry: '2026-12-31',
  active: true,
  conflicts: [],
  ...over,
});
const target = (n: number, over: Partial<EligibilityTarget> = {}): EligibilityTarget => ({
  uscc: U(n),
  jurisdiction: '城关镇',
  industry: '建筑业',
  tags: ['施工企业'],
  riskClass: 'A',
  isKey: false,
  status: 'active',
  ...over,
});
const baseTask: EligibilityTask = {
  scope: { jurisdictions: ['城关镇', '王林口乡'], industries: ['建筑业'] },
  items: [{ department: 'dept-h', itemCategory: '资质', specialties: ['建筑市场'] }],
  window: { start: '2025-04-01', end: '2025-06-30' },
  departments: ['dept-h'],
  drawDate: '2025-03-03',
  cooldownDays: 365,
  ratiosBp: { A: 10000, B: 10000, C: 10000, D: 10000 },
  keyAtFull: true,
};

const W = [{ id: 'w1', secret: '见证人一号的密钥' }];
const SYS = 'ab'.repeat(32);
function freezeInput(pool: DrawPool, over: Partial<FreezeInput> = {}): FreezeInput {
  return {
    taskId: 'T-TEST',
    pool,
    ratiosBp: { A: 10000, B: 10000, C: 10000, D: 10000 },
    minTeamSize: 2,
    frozenAt: '2025-03-01T08:00:00Z',
    drawTime: '2025-03-03T09:00:00+08:00',
    witnesses: W.map((w) => ({ id: w.id, commitment: commitSecret(w.secret) })),
    systemCommitment: commitSystemBytes(SYS),
    ...over,
  };
}

describe('eligibility (buildDrawPool)', () => {
  const inspectors = [
    inspector('h-ok1'),
    inspector('h-ok2', { jurisdictions: ['城关镇', '王林口乡'] }),
    inspector('h-edge', { certificateExpiry: '2025-06-30' }),
    inspector('h-expired', { certificateExpiry: '2025-06-29' }),
    inspector('h-nospec', { specialties: ['工程质量'] }),
    inspector('h-wlk', { jurisdictions: ['王林口乡'] }),
    inspector('h-inactive', { active: false }),
    inspector('m-other', { department: 'dept-m' }),
    inspector('h-conflict', { conflicts: [U(1)] }),
    inspector('h-prev'),
    inspector('h-old'),
  ];
  const targets = [
    target(1),
    target(2, {
      riskClass: 'B',
      lastInspections: [
        { department: 'dept-m', itemCategory: '资质', date: '2025-02-01', team: ['h-prev'] },
        { department: 'dept-h', itemCategory: '质量', date: '2024-06-01', team: ['h-old'] },
      ],
    }),
    target(3, { riskClass: 'C', lastInspections: [{ department: 'dept-h', itemCategory: '资质', date: '2024-06-01', team: [] }] }),
    target(4, { riskClass: 'D', lastInspections: [{ department: 'dept-h', itemCategory: '资质', date: '2024-03-03', team: [] }] }),
    target(5, { status: 'inactive' }),
    target(6, { industry: '餐饮业' }),
    target(7, { jurisdiction: '海港区' }),
    target(8, { jurisdiction: '王林口乡', isKey: true, riskClass: 'D' }),
  ];
  const r = buildDrawPool({ targets, inspectors, task: baseTask });
  const compiled = compilePool(r.pool);
  const lines = eligibilityLines(compiled);
  /** The cand line of a USCC (cand lines follow the pool's USCC order). */
  const candLine = (u: string) => lines[lines.length - compiled.n + poolLines(compiled).findIndex((l) => l.startsWith(u))];

  it('keeps active in-scope targets outside the cooldown, with their stratum', () => {
    expect(r.pool.candidates.map((c) => [c.uscc, c.stratum, c.area])).toEqual([
      [U(1), 'A', '城关镇'],
      [U(2), 'B', '城关镇'],
      [U(4), 'D', '城关镇'], // inspected exactly 365 days before: cooldown over
      [U(8), 'key', '王林口乡'],
    ]);
    expect(r.excluded).toEqual({ inactive: 1, outOfScope: 2, cooldown: 1 });
  });

  it('an inspector is eligible only with scope, jurisdiction, specialty, valid certificate and active status', () => {
    expect(lines).toContain('area,0,h-conflict;h-edge;h-ok1;h-ok2;h-old;h-prev,城关镇');
    expect(lines).toContain('area,1,h-ok2;h-wlk,王林口乡');
    expect(lines.join('\n')).not.toMatch(/h-expired|h-nospec|h-inactive|m-other/);
  });

  it('a draw after the window needs certificates valid on the draw date too (expired 06-30, drawn 12-05)', () => {
    const late = buildDrawPool({
      targets: [target(1)],
      inspectors: [
        inspector('h-ok1'),
        inspector('h-midyear', { certificateExpiry: '2025-06-30' }), // valid through the window end
        inspector('h-drawday', { certificateExpiry: '2025-12-05' }),
        inspector('h-eve', { certificateExpiry: '2025-12-04' }),
      ],
      task: { ...baseTask, drawDate: '2025-12-05' },
    });
    expect(late.pool.inspectors.map((i) => i.id)).toEqual(['h-ok1', 'h-drawday']);
    // on the planned date (inside the window) the window end is what counts
    const onTime = buildDrawPool({ targets: [target(1)], inspectors: [inspector('h-midyear', { certificateExpiry: '2025-06-30' })], task: baseTask });
    expect(onTime.pool.inspectors.map((i) => i.id)).toEqual(['h-midyear']);
  });

  it('declared conflicts and the previous team are excluded per target; older teams are not', () => {
    expect(candLine(U(1))).toBe('cand,0,h-conflict');
    expect(candLine(U(2))).toBe('cand,0,h-prev');
    expect(candLine(U(4))).toBe('cand,0,');
    expect(candLine(U(8))).toBe('cand,1,');
  });

  it('scope filters: tags (any of), risk classes (key at 100 % passes), key only, kinds', () => {
    const t = [target(11, { tags: ['其他'] }), target(12, { riskClass: 'C' }), target(13, { riskClass: 'C', isKey: true }), target(14, { kind: 'individual' })];
    const ids = (scope: EligibilityTask['scope'], keyAtFull = true) =>
      buildDrawPool({ targets: t, inspectors, task: { ...baseTask, scope, keyAtFull } }).pool.candidates.map((c) => c.uscc);
    expect(ids({ tags: ['施工企业', '监理'] })).toEqual([U(12), U(13), U(14)]);
    expect(ids({ riskClasses: ['A'] })).toEqual([U(11), U(13), U(14)]);
    expect(ids({ riskClasses: ['A'] }, false)).toEqual([U(11), U(14)]);
    expect(ids({ keyOnly: true })).toEqual([U(13)]);
    expect(ids({ kinds: ['individual'] })).toEqual([U(14)]);
  });

  it('a cross-department joint task: each department must cover its own items; teams include both', () => {
    const joint: EligibilityTask = {
      ...baseTask,
      departments: ['dept-m', 'dept-h'],
      items: [
        { department: 'dept-h', itemCategory: '资质', specialties: ['建筑市场'] },
        { department: 'dept-m', itemCategory: '食品', specialties: ['食品安全'] },
      ],
    };
    const ins = [
      inspector('h1'), inspector('h2'), inspector('h3', { specialties: ['食品安全'] }),
      inspector('m1', { department: 'dept-m', specialties: ['食品安全'] }),
      inspector('m2', { department: 'dept-m', specialties: ['食品安全', '建筑市场'] }),
      inspector('m3', { department: 'dept-m', specialties: ['建筑市场'] }),
    ];
    const res = buildDrawPool({ targets: Array.from({ length: 12 }, (_, i) => target(100 + i)), inspectors: ins, task: joint });
    expect(res.jointUnits).toEqual(['dept-m', 'dept-h']);
    expect(res.pool.areas[0]!.inspectors).toEqual(['h1', 'h2', 'm1', 'm2']);
    const frozen = freezeDraw(freezeInput(res.pool, { jointUnits: res.jointUnits, minTeamSize: 2 }));
    expect(frozen.freeze.team).toEqual({ minSize: 2, size: 2, jointUnits: ['dept-h', 'dept-m'] });
    const rec = runDraw(frozen, { witnesses: W, system: SYS });
    expect(rec.targets).toHaveLength(12);
    for (const t of rec.targets) expect(t.team.map((id) => id[0]).sort()).toEqual(['h', 'm']);
  });

  it('an internal joint task uses sections as units', () => {
    const res = buildDrawPool({
      targets: [target(200)],
      inspectors: [inspector('s1'), inspector('s2', { section: '质量安全科' }), inspector('s3', { section: '办公室' })],
      task: { ...baseTask, jointSections: ['建筑市场科', '质量安全科'] },
    });
    expect(res.jointUnits).toEqual(['建筑市场科', '质量安全科']);
    expect(res.pool.inspectors).toEqual([{ id: 's1', unit: '建筑市场科' }, { id: 's2', unit: '质量安全科' }]);
  });

  it('publishes pseudonyms instead of registry ids when asked', () => {
    const res = buildDrawPool({ targets: [target(1)], inspectors, task: baseTask, pseudonym: (i) => `p-${createHash('sha256').update(i.id).digest('hex').slice(0, 8)}` });
    expect(res.pool.inspectors.every((i) => /^p-[0-9a-f]{8}$/.test(i.id))).toBe(true);
    expect(res.pool.candidates[0]!.excluded).toEqual([`p-${createHash('sha256').update('h-conflict').digest('hex').slice(0, 8)}`]);
  });
});

describe('infeasible draws fail before anything is frozen, saying exactly what is short', () => {
  const twoInWlk = [inspector('a1'), inspector('a2'), inspector('a3'), inspector('b1', { jurisdictions: ['王林口乡'] })];
  const targets = [target(1), target(2), ...[3, 4, 5].map((n) => target(n, { jurisdiction: '王林口乡' }))];

  it('a jurisdiction with fewer eligible inspectors than a team needs', () => {
    const r = buildDrawPool({ targets, inspectors: twoInWlk, task: baseTask });
    let err: unknown;
    try {
      freezeDraw(freezeInput(r.pool, { labels: r.labels }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DrawInfeasibleError);
    expect((err as Error).message).toBe('无法抽取：辖区「王林口乡」每个检查组需要 2 名检查人员（专业：建筑市场），符合条件的检查人员仅 1 名（涉及 3 个可能被抽中的检查对象）');
    expect((err as DrawInfeasibleError).shortages).toEqual([
      expect.objectContaining({ kind: 'area', area: '王林口乡', needed: 2, available: 1, candidates: 3 }),
    ]);
  });

  it('candidates of a stratum drawn at 0 % cannot be drawn and do not count', () => {
    const r = buildDrawPool({ targets: [target(1), target(2), target(3, { jurisdiction: '王林口乡', riskClass: 'C' })], inspectors: twoInWlk, task: baseTask });
    const f = freezeDraw(freezeInput(r.pool, { ratiosBp: { A: 10000, B: 10000, C: 0, D: 10000 } }));
    expect(f.freeze.strata[3]).toEqual({ stratum: 'C', candidates: 1, ratioBp: 0, toDraw: 0 });
  });

  it('a joint task where a jurisdiction has no inspector of one department', () => {
    const r = buildDrawPool({
      targets: [target(1), target(2)],
      inspectors: [inspector('h1'), inspector('h2'), inspector('m1', { department: 'dept-m', jurisdictions: ['王林口乡'] })],
      task: { ...baseTask, departments: ['dept-h', 'dept-m'] },
    });
    expect(() => freezeDraw(freezeInput(r.pool, { jointUnits: r.jointUnits, labels: { ...r.labels, units: { 'dept-m': '市场监管局' } } }))).toThrow(
      '无法抽取：辖区「城关镇」联合检查每组需要至少 1 名「市场监管局」的检查人员，符合条件的仅 0 名（涉及 2 个可能被抽中的检查对象）',
    );
    const withItems = buildDrawPool({
      targets: [target(1)],
      inspectors: [inspector('h1'), inspector('h2')],
      task: { ...baseTask, departments: ['dept-h', 'dept-m'], items: [...baseTask.items, { department: 'dept-m', itemCategory: '食品', specialties: ['食品安全'] }] },
      unitNames: { 'dept-m': '市场监管局' },
    });
    expect(() => freezeDraw(freezeInput(withItems.pool, { jointUnits: withItems.jointUnits, labels: withItems.labels }))).toThrow(
      '无法抽取：辖区「城关镇」联合检查每组需要至少 1 名「市场监管局」的检查人员（专业：食品安全），符合条件的仅 0 名（涉及 1 个可能被抽中的检查对象）',
    );
  });

  it('a target whose conflicts and previous team leave too few', () => {
    const ins = [inspector('a1', { conflicts: [U(9)] }), inspector('a2'), inspector('a3')];
    const r = buildDrawPool({
      targets: [target(8), target(9, { lastInspections: [{ department: 'dept-h', itemCategory: '质量', date: '2024-01-01', team: ['a2'] }] })],
      inspectors: ins,
      task: baseTask,
    });
    expect(() => freezeDraw(freezeInput(r.pool, { labels: r.labels }))).toThrow(
      `无法抽取：检查对象 ${U(9)}（辖区「城关镇」）排除回避人员和上次检查组成员后，符合条件的检查人员仅 1 名，每个检查组需要 2 名（专业：建筑市场）`,
    );
  });

  it('passing the check means success for every seed; failing means a drawable candidate is short', () => {
    let rnd = 12345;
    const next = (m: number) => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd % m);
    let passed = 0, failed = 0;
    for (let trial = 0; trial < 60; trial++) {
      const nIns = 2 + next(5);
      const ids = Array.from({ length: nIns }, (_, i) => `i${i}`);
      const units = ['u1', 'u2'];
      const joint = next(2) === 1;
      const pool = {
        inspectors: ids.map((id, i) => ({ id, unit: units[i % 2]! })),
        areas: [{ name: '甲', inspectors: ids.filter(() => next(4) > 0) }, { name: '乙', inspectors: ids.filter(() => next(3) > 0) }],
        candidates: Array.from({ length: 6 + next(10) }, (_, c) => ({
          uscc: U(trial * 100 + c),
          stratum: (['key', 'A', 'C'] as const)[next(3)]!,
          area: next(2) ? '甲' : '乙',
          excluded: ids.filter(() => next(6) === 0),
        })),
      } satisfies DrawPool;
      const ratios = { A: next(2) * 5000, B: 0, C: 3000, D: 0 };
      const k = Math.max(2, joint ? 2 : 0);
      const compiled = compilePool(pool);
      const counts = [10000, ratios.A, 0, ratios.C, 0].map((r, s) => drawCount(compiled.strataCounts[s]!, r));
      // naive re-statement of the rule
      const short = pool.candidates.some((c) => {
        const s = ['key', 'A', 'B', 'C', 'D'].indexOf(c.stratum);
        if (counts[s] === 0) return false;
        const elig = pool.areas.find((a) => a.name === c.area)!.inspectors.filter((i) => !c.excluded!.includes(i));
        return elig.length < k || (joint && units.some((u) => !elig.some((i) => pool.inspectors.find((x) => x.id === i)!.unit === u)));
      });
      const input = freezeInput(pool, { ratiosBp: ratios, jointUnits: joint ? units : [] });
      if (counts.every((c) => c === 0)) continue;
      if (short) {
        expect(() => freezeDraw(input)).toThrow(DrawInfeasibleError);
        failed++;
        continue;
      }
      const frozen = freezeDraw(input);
      passed++;
      for (let s = 0; s < 40; s++) {
        const seed = seedOf(trial * 1000 + s);
        const sel = selectTargets(frozen.pool, seed, counts, hasher);
        const m = matchTeams(frozen.pool, sel, seed, { teamSize: frozen.freeze.team.size, jointUnits: frozen.freeze.team.jointUnits }, hasher);
        expect(m.teamOff[sel.order.length]).toBe(sel.order.length * frozen.freeze.team.size);
      }
    }
    expect(passed).toBeGreaterThan(5);
    expect(failed).toBeGreaterThan(5);
  });
});

describe.each([
  ['short ids', (i: number) => `x${i}`, 9],
  ['64-character ids (two-block scores)', (i: number) => `x${i}`.padEnd(64, '-abcdefghij'), 9],
  ['a 40-inspector area (ranking by sort, not insertion)', (i: number) => `x${String(i).padStart(2, '0')}`, 44],
])('matching and workload cap (%s)', (_label, idOf, nIns) => {
  // two areas sharing inspectors, per-target exclusions, many seats per inspector
  const ids = Array.from({ length: nIns }, (_, i) => idOf(i));
  const pool: DrawPool = {
    inspectors: ids.map((id) => ({ id, unit: 'd' })),
    areas: [{ name: '东区', inspectors: ids.slice(0, 6) }, { name: '西区', inspectors: ids.slice(4) }],
    candidates: Array.from({ length: 40 }, (_, c) => ({ uscc: U(5000 + c), stratum: 'D' as const, area: c % 3 ? '东区' : '西区', excluded: c % 7 ? [] : [ids[c % 9]!] })),
  };
  const p = compilePool(pool);
  const K = 3;

  /** Test-local restatement of step 4 with node:crypto scores (not the module's code). */
  function reference(seed: string, order: number[], useCap: boolean) {
    const usccOf = (i: number) => Buffer.from(p.usccBytes.subarray(i * 18, i * 18 + 18)).toString('latin1');
    const seats = new Map<number, number>();
    for (const i of order) seats.set(p.area[i]!, (seats.get(p.area[i]!) ?? 0) + K);
    const cap = ids.map((_, ix) => 1 + [...seats].reduce((s, [a, n]) => s + (p.areaMembers[a]!.includes(ix) ? Math.ceil(n / p.areaMembers[a]!.length) : 0), 0));
    const load = ids.map(() => 0);
    let yields = 0;
    const teams = order.map((i) => {
      const excl = Array.from(p.exclIdx.subarray(p.exclOff[i]!, p.exclOff[i + 1]!));
      const score = (ix: number) => createHash('sha256').update(`${seed}:${usccOf(i)}:${ids[ix]}`).digest('hex');
      const ranked = Array.from(p.areaMembers[p.area[i]!]!).filter((ix) => !excl.includes(ix)).sort((a, b) => (score(a) < score(b) ? -1 : 1));
      const team: number[] = [];
      while (team.length < K) {
        const free = ranked.find((ix) => !team.includes(ix) && (!useCap || load[ix]! < cap[ix]!));
        if (free !== undefined) team.push(free);
        else (team.push(ranked.find((ix) => !team.includes(ix))!), yields++);
      }
      team.forEach((ix) => load[ix]!++);
      return team.sort((a, b) => (score(a) < score(b) ? -1 : 1));
    });
    return { teams, cap, load, yields };
  }

  it('equals a restatement of the rule; the cap binds (uncapped teams would differ); yields are exactly the overload', () => {
    let capMattered = 0;
    for (let s = 0; s < 12; s++) {
      const seed = seedOf(s);
      const sel = selectTargets(p, seed, [0, 0, 0, 0, 40], hasher);
      const m = matchTeams(p, sel, seed, { teamSize: K, jointUnits: [] }, hasher);
      const ref = reference(seed, Array.from(sel.order), true);
      const got = Array.from(sel.order, (_, r) => Array.from(m.teamMembers.subarray(m.teamOff[r]!, m.teamOff[r + 1]!)));
      expect(got).toEqual(ref.teams);
      expect(Array.from(m.cap)).toEqual(ref.cap);
      expect(m.capYields).toBe(ref.yields);
      expect(Array.from(m.load).reduce((sum, l, ix) => sum + Math.max(0, l - m.cap[ix]!), 0)).toBe(m.capYields);
      const free = reference(seed, Array.from(sel.order), false);
      if (JSON.stringify(free.teams) !== JSON.stringify(ref.teams)) capMattered++;
      if (free.load.some((l, ix) => l > ref.cap[ix]!)) expect(JSON.stringify(free.teams)).not.toBe(JSON.stringify(ref.teams));
    }
    if (nIns < 20) expect(capMattered).toBeGreaterThan(3);
  });

  it('ties on the first score word fall back to full digests (a hasher reporting only ties changes nothing)', () => {
    const seed = seedOf(5);
    const sel = selectTargets(p, seed, [0, 0, 0, 0, 40], hasher);
    const tied: typeof hasher = {
      kind: hasher.kind,
      priorities: (_m, _b, start, count, first) => first.fill(0, start, start + count),
      priorityDigests: hasher.priorityDigests.bind(hasher),
      compressMany: hasher.compressMany.bind(hasher),
      pairFirstWords: (_m, _h, _t, _ph, _pt, count, first, alongside) => (alongside?.(), first.fill(0, 0, count)),
      commitments: hasher.commitments.bind(hasher),
      commitPriorities: hasher.commitPriorities.bind(hasher),
      commitPriorityTops: hasher.commitPriorityTops.bind(hasher),
      commitPriorityDigests: hasher.commitPriorityDigests.bind(hasher),
    };
    const a = matchTeams(p, sel, seed, { teamSize: K, jointUnits: [] }, hasher);
    const b = matchTeams(p, sel, seed, { teamSize: K, jointUnits: [] }, tied);
    expect(Array.from(b.teamMembers)).toEqual(Array.from(a.teamMembers));
    const big = compilePool({ ...pool, candidates: Array.from({ length: 20_000 }, (_, c) => ({ uscc: U(100_000 + c), stratum: 'D' as const, area: '东区' })) });
    const s1 = selectTargets(big, seed, [0, 0, 0, 0, 600], hasher, 0);
    const s2 = selectTargets(big, seed, [0, 0, 0, 0, 600], tied, 0);
    expect(Array.from(s2.order)).toEqual(Array.from(s1.order));
  });

  it('teams are distinct, eligible (area list minus exclusions) and led by their lowest score', () => {
    const seed = seedOf(99);
    const sel = selectTargets(p, seed, [0, 0, 0, 0, 40], hasher);
    const m = matchTeams(p, sel, seed, { teamSize: K, jointUnits: [] }, hasher);
    expect(Array.from(m.load).reduce((a, b) => a + b, 0)).toBe(40 * K);
    sel.order.forEach((i, r) => {
      const team = Array.from(m.teamMembers.subarray(m.teamOff[r]!, m.teamOff[r + 1]!));
      expect(new Set(team).size).toBe(K);
      const members = Array.from(p.areaMembers[p.area[i]!]!);
      const excl = Array.from(p.exclIdx.subarray(p.exclOff[i]!, p.exclOff[i + 1]!));
      for (const ix of team) expect(members.includes(ix) && !excl.includes(ix)).toBe(true);
    });
  });
});

describe('ceremony: reveals', () => {
  const fx = loadFixture('a');
  const frozen = freezeFixture(fx);
  const good = { witnesses: fx.witnesses, system: fx.system, beacon: fx.beacon!.value };

  it('a reveal that does not match its commitment stops the ceremony, naming the witness', () => {
    const bad = { ...good, witnesses: [{ id: 'w-public', secret: '公众代表 random 7f3b' }, fx.witnesses[1]!] };
    let err: unknown;
    try {
      runDraw(frozen, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RevealMismatchError);
    expect((err as RevealMismatchError).witnessId).toBe('w-public');
    expect((err as Error).message).toMatch(/^见证人「w-public」的揭示值与其承诺不一致（SHA-256 为 [0-9a-f]{64}，承诺为 [0-9a-f]{64}），抽取仪式停止$/);
  });

  it('the system bytes are checked too', () => {
    expect(() => runDraw(frozen, { ...good, system: 'cd'.repeat(32) })).toThrow(/^系统随机数的揭示值与其承诺不一致/);
  });

  it('a missing reveal (witness or beacon) aborts', () => {
    let err: unknown;
    try {
      runDraw(frozen, { ...good, witnesses: [fx.witnesses[0]!] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingRevealError);
    expect((err as MissingRevealError).missing).toEqual(['w-jijian']);
    expect((err as Error).message).toBe('抽取仪式中止：缺少揭示值（见证人「w-jijian」）');
    expect(() => runDraw(frozen, { ...good, beacon: null })).toThrow('抽取仪式中止：缺少揭示值（公共随机信标取值）');
  });

  it('an unregistered witness is refused', () => {
    expect(() => runDraw(frozen, { ...good, witnesses: [...fx.witnesses, { id: 'w-x', secret: 'x' }] })).toThrow(DrawInputError);
  });
});

describe('input validation', () => {
  const pool = (cands: DrawPool['candidates']): DrawPool => ({ inspectors: [{ id: 'a', unit: 'd' }, { id: 'b', unit: 'd' }], areas: [{ name: '城关镇', inspectors: ['a', 'b'] }], candidates: cands });
  it.each([
    ['duplicate USCC', pool([{ uscc: U(1), stratum: 'A', area: '城关镇' }, { uscc: U(1), stratum: 'B', area: '城关镇' }]), `检查对象的统一社会信用代码重复：${U(1)}`],
    ['bad character', pool([{ uscc: '91130302MA0000000I', stratum: 'A', area: '城关镇' }]), '统一社会信用代码「91130302MA0000000I」包含无效字符「I」'],
    ['unknown area', pool([{ uscc: U(1), stratum: 'A', area: '海港区' }]), `检查对象 ${U(1)} 的辖区「海港区」没有对应的检查人员范围`],
    ['empty pool', pool([]), '检查对象范围内没有可抽取的检查对象'],
  ])('%s', (_name, p, message) => {
    expect(() => freezeDraw(freezeInput(p))).toThrow(new DrawInputError(message));
  });
  it('reserved witness ids', () => {
    expect(() => freezeDraw(freezeInput(pool([{ uscc: U(1), stratum: 'A', area: '城关镇' }]), { witnesses: [{ id: 'system', commitment: 'a'.repeat(64) }] }))).toThrow('见证人编号「system」格式不正确');
  });
  it('findShortages is empty for the fixed vectors', () => {
    const f = freezeFixture(loadFixture('a'));
    expect(findShortages(f.pool, f.freeze.strata.map((s) => s.toDraw), { teamSize: 3, jointUnits: f.freeze.team.jointUnits })).toEqual([]);
  });
});

describe('matching over several chunks of pairs', () => {
  it('gives the teams of a restatement of the rule when the pairs exceed one chunk (2 × 65,536 pairs), with the helper thread too', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `x${i}`);
    const pool: DrawPool = {
      inspectors: ids.map((id) => ({ id, unit: 'd' })),
      areas: [{ name: '东区', inspectors: ids.slice(0, 70) }, { name: '西区', inspectors: ids.slice(50) }],
      candidates: Array.from({ length: 3_000 }, (_, c) => ({ uscc: U(10_000 + c), stratum: 'D' as const, area: c % 2 ? '东区' : '西区', excluded: c % 5 ? [] : [ids[50 + (c % 20)]!] })),
    };
    const p = compilePool(pool);
    const seed = seedOf(4242);
    const sel = selectTargets(p, seed, [0, 0, 0, 0, 2_500], hasher);
    const m = matchTeams(p, sel, seed, { teamSize: 2, jointUnits: [] }, hasher);
    // the reference: node:crypto scores, the cap 1 + Σ ceil(seats / members) over the inspector's areas
    const order = Array.from(sel.order);
    const eligible = order.map((i) => Array.from(p.areaMembers[p.area[i]!]!).filter((ix) => !p.exclIdx.subarray(p.exclOff[i]!, p.exclOff[i + 1]!).includes(ix)));
    expect(eligible.reduce((s, e) => s + e.length, 0)).toBeGreaterThan(2 * 65_536);
    const seats = [0, 0];
    for (const i of order) seats[p.area[i]!]! += 2;
    const cap = p.inspectorIds.map((_, ix) => 1 + [0, 1].reduce((s, a) => s + (p.areaMembers[a]!.includes(ix) ? Math.ceil(seats[a]! / p.areaMembers[a]!.length) : 0), 0));
    const load = p.inspectorIds.map(() => 0);
    const teams = order.map((i, r) => {
      const uscc = Buffer.from(p.usccBytes.subarray(i * 18, i * 18 + 18)).toString('latin1');
      const score = new Map(eligible[r]!.map((ix) => [ix, createHash('sha256').update(`${seed}:${uscc}:${p.inspectorIds[ix]}`).digest('hex')]));
      const ranked = [...eligible[r]!].sort((a, b) => (score.get(a)! < score.get(b)! ? -1 : 1));
      const team: number[] = [];
      while (team.length < 2) team.push(ranked.find((ix) => !team.includes(ix) && load[ix]! < cap[ix]!) ?? ranked.find((ix) => !team.includes(ix))!);
      team.forEach((ix) => load[ix]!++);
      return team.sort((a, b) => (score.get(a)! < score.get(b)! ? -1 : 1));
    });
    expect(order.map((_, r) => Array.from(m.teamMembers.subarray(m.teamOff[r]!, m.teamOff[r + 1]!)))).toEqual(teams);
    // two threads: the second chunk's scores hashed while the first chunk's teams are picked
    const two = createParallelHasher();
    try {
      const m2 = matchTeams(p, sel, seed, { teamSize: 2, jointUnits: [] }, two);
      expect(two.threads).toBe(2);
      expect(Array.from(m2.teamOff)).toEqual(Array.from(m.teamOff));
      expect(Array.from(m2.teamMembers)).toEqual(Array.from(m.teamMembers));
    } finally {
      await two.close();
    }
  });
});
