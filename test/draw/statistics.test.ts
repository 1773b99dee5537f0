/**
 * Fairness. Seeds are SHA-256("stat-<i>") so the outcome is fixed: these tests cannot flake.
 * Thresholds are chi-square critical values at significance 0.001; a negative control shows the
 * statistic does flag a biased rule.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePool, createHasher, matchTeams, selectTargets, type DrawPool, type Stratum } from '../../shared/draw/index.js';

const hasher = createHasher();
const seedOf = (i: number) => createHash('sha256').update(`stat-${i}`).digest('hex');
/** Critical values of chi-square at p = 0.001. */
const CHI2_001: Record<number, number> = { 1: 10.83, 3: 16.27, 5: 20.52, 6: 22.46, 9: 27.88, 19: 43.82 };

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

function uscc(i: number): string {
  return `91130302MA0${String(i).padStart(6, '0')}X`;
}

function pool(strata: [Stratum, number][], inspectors: { id: string; unit: string }[]): DrawPool {
  const candidates = strata.flatMap(([s, n], k) => Array.from({ length: n }, (_, i) => ({ uscc: uscc(k * 100_000 + i), stratum: s, area: '城关镇' })));
  return { inspectors, areas: [{ name: '城关镇', inspectors: inspectors.map((i) => i.id) }], candidates };
}

const staff = (n: number, unit = 'dept') => Array.from({ length: n }, (_, i) => ({ id: `${unit}-${i}`, unit }));

describe('selection is uniform within a stratum', () => {
  const p = compilePool(pool([['A', 20], ['C', 7]], staff(3)));
  const counts = [0, 3, 0, 4, 0]; // A: 3 of 20, C: 4 of 7
  const SEEDS = 4000;
  const hits = new Map<number, number>();
  for (let s = 0; s < SEEDS; s++) {
    const sel = selectTargets(p, seedOf(s), counts, hasher);
    for (const i of sel.order) hits.set(i, (hits.get(i) ?? 0) + 1);
  }
  const of = (stratum: number) => Array.from({ length: p.n }, (_, i) => i).filter((i) => p.strata[i] === stratum).map((i) => hits.get(i) ?? 0);

  it('stratum A: each of 20 candidates is drawn 3/20 of the time (chi-square, 19 df)', () => {
    const obs = of(1);
    expect(obs.reduce((a, b) => a + b, 0)).toBe(SEEDS * 3);
    const chi = chiSquare(obs, obs.map(() => (SEEDS * 3) / 20));
    expect(chi).toBeLessThan(CHI2_001[19]!);
  });

  it('stratum C: each of 7 candidates is drawn 4/7 of the time (chi-square, 6 df)', () => {
    const obs = of(3);
    expect(chiSquare(obs, obs.map(() => (SEEDS * 4) / 7))).toBeLessThan(CHI2_001[6]!);
  });

  it('negative control: a rule that favours small USCCs is rejected by the same test', () => {
    const obs = of(1).map((_, k) => (k < 10 ? 900 : 300)); // same total, skewed
    expect(obs.reduce((a, b) => a + b, 0)).toBe(SEEDS * 3);
    expect(chiSquare(obs, obs.map(() => (SEEDS * 3) / 20))).toBeGreaterThan(CHI2_001[19]!);
  });

  it('the histogram path selects exactly what the direct path selects', () => {
    const big = compilePool(pool([['A', 3000], ['B', 1200], ['D', 40]], staff(3)));
    for (let s = 0; s < 5; s++) {
      const c = [0, 90, 36, 0, 40];
      const a = selectTargets(big, seedOf(s), c, hasher, 0);
      const b = selectTargets(big, seedOf(s), c, hasher, 1e9);
      expect(Array.from(a.order)).toEqual(Array.from(b.order));
      expect(Array.from(a.priority)).toEqual(Array.from(b.priority));
    }
  });
});

describe('every eligible inspector is equally likely to serve', () => {
  const SEEDS = 3000;

  it('one target, 6 eligible, team of 2: membership 1/3 each, leadership 1/6 each', () => {
    const p = compilePool(pool([['key', 1]], staff(6)));
    const member = new Array(6).fill(0);
    const leader = new Array(6).fill(0);
    for (let s = 0; s < SEEDS; s++) {
      const seed = seedOf(s);
      const sel = selectTargets(p, seed, [1, 0, 0, 0, 0], hasher);
      const m = matchTeams(p, sel, seed, { teamSize: 2, jointUnits: [] }, hasher);
      for (const ix of m.teamMembers) member[ix]++;
      leader[m.teamMembers[0]!]++;
    }
    expect(chiSquare(member, member.map(() => SEEDS / 3))).toBeLessThan(CHI2_001[5]!);
    expect(chiSquare(leader, leader.map(() => SEEDS / 6))).toBeLessThan(CHI2_001[5]!);
  });

  it('joint task, 2 + 4 inspectors, one per department: 1/2 and 1/4 within each department', () => {
    const p = compilePool(pool([['key', 1]], [...staff(2, 'housing'), ...staff(4, 'market')]));
    const member = new Map<string, number>();
    for (let s = 0; s < SEEDS; s++) {
      const seed = seedOf(s);
      const sel = selectTargets(p, seed, [1, 0, 0, 0, 0], hasher);
      const m = matchTeams(p, sel, seed, { teamSize: 2, jointUnits: ['housing', 'market'] }, hasher);
      const units = Array.from(m.teamMembers, (ix) => p.inspectorUnits[ix]).sort();
      expect(units).toEqual(['housing', 'market']);
      for (const ix of m.teamMembers) member.set(p.inspectorIds[ix]!, (member.get(p.inspectorIds[ix]!) ?? 0) + 1);
    }
    const h = p.inspectorIds.filter((id) => id.startsWith('housing')).map((id) => member.get(id) ?? 0);
    const k = p.inspectorIds.filter((id) => id.startsWith('market')).map((id) => member.get(id) ?? 0);
    expect(chiSquare(h, [SEEDS / 2, SEEDS / 2])).toBeLessThan(CHI2_001[1]!);
    expect(chiSquare(k, k.map(() => SEEDS / 4))).toBeLessThan(CHI2_001[3]!);
  });

  it('ten targets per draw, 5 inspectors, workload cap active: total load uniform', () => {
    const p = compilePool(pool([['key', 10]], staff(5)));
    const load = new Array(5).fill(0);
    const draws = 600;
    for (let s = 0; s < draws; s++) {
      const seed = seedOf(s);
      const sel = selectTargets(p, seed, [10, 0, 0, 0, 0], hasher);
      const m = matchTeams(p, sel, seed, { teamSize: 2, jointUnits: [] }, hasher);
      m.load.forEach((l, ix) => (load[ix] += l));
      expect(Math.max(...m.load)).toBeLessThanOrEqual(m.cap[0]!); // cap = ceil(20/5) + 1 = 5
    }
    expect(chiSquare(load, load.map(() => (draws * 20) / 5))).toBeLessThan(CHI2_001[5]!);
  });
});
