/**
 * Step 4, matching, and the feasibility check that guarantees it cannot fail.
 *
 * score(t, i) = SHA-256(seed + ":" + uscc + ":" + inspectorId). Selected targets are taken in
 * ascending priority; each gets `teamSize` inspectors among its eligible ones:
 *   1. for a joint task, for each joint unit (department or section): the lowest-scoring
 *      eligible inspector of that unit who is under the cap;
 *   2. then, until the team is full: the lowest-scoring eligible inspector not yet in the team
 *      who is under the cap.
 * Workload cap. For an area (jurisdiction) a: share_a = ceil(S_a / M_a), S_a = teamSize × number
 * of selected targets in a, M_a = number of inspectors eligible in a (its list before per-target
 * exclusions). An inspector's cap is 1 + the sum of share_a over the areas he is listed in — for
 * the usual inspector of one jurisdiction exactly ceil(S_a / M_a) + 1. His load counts every team
 * he is on. An inspector whose load has reached his cap is skipped — unless no one else can fill
 * the slot; then the lowest-scoring capped inspector is taken (a "cap yield", counted).
 * Because the cap can only yield and never block, the draw succeeds for every seed exactly when
 * every candidate that can be drawn has at least teamSize eligible inspectors and at least one of
 * every joint unit; `findShortages` checks exactly that before anything is frozen.
 * The team is listed in ascending score; the first (lowest-scoring) member leads.
 */
import type { BatchHasher } from './simd.js';
import { compareDigests, paddedTail } from './sha256.js';
import { seedMidstate, type Selection } from './select.js';
import { usccAt, type CompiledPool } from './pool.js';
import type { Shortage } from './errors.js';

export interface MatchParams {
  teamSize: number;
  /** Units (department or section ids) each team must include, ascending; empty = not joint. */
  jointUnits: readonly string[];
}

export interface AreaLoad {
  area: number;
  selected: number;
  seats: number;
  inspectors: number;
  /** ceil(seats / inspectors) */
  share: number;
}

export interface Matching {
  /** Team of selected target r: teamMembers[teamOff[r]..teamOff[r+1]), ascending score. */
  teamOff: Uint32Array;
  teamMembers: Uint32Array;
  /** Areas with at least one selected target, ascending area index. */
  areas: AreaLoad[];
  /** Per inspector (index order): cap and final load. */
  cap: Uint32Array;
  load: Uint32Array;
  /** Number of seats filled by an inspector already at the cap (no one else could fill them). */
  capYields: number;
}

/** Inspector-dependent words 5.. of the score message after the seed block. */
function inspectorTails(ids: readonly string[]): Int32Array[] {
  return ids.map((id) => {
    const rest = new Uint8Array(20 + id.length);
    for (let j = 0; j < id.length; j++) rest[20 + j] = id.charCodeAt(j);
    return paddedTail(rest, 64).subarray(5); // 11 words (one block) or 27 (two blocks)
  });
}

/** Eligible inspectors of candidate i: area members minus exclusions (both ascending). */
function eligibleOf(p: CompiledPool, i: number, out: number[]): void {
  out.length = 0;
  const m = p.areaMembers[p.area[i]!]!;
  let e = p.exclOff[i]!;
  const eEnd = p.exclOff[i + 1]!;
  for (let j = 0; j < m.length; j++) {
    const ix = m[j]!;
    while (e < eEnd && p.exclIdx[e]! < ix) e++;
    if (e < eEnd && p.exclIdx[e] === ix) continue;
    out.push(ix);
  }
}

export function workloadCaps(p: CompiledPool, sel: Selection, teamSize: number): { areas: AreaLoad[]; cap: Uint32Array } {
  const selected = new Uint32Array(p.areaNames.length);
  for (const i of sel.order) selected[p.area[i]!]!++;
  const areas: AreaLoad[] = [];
  const cap = new Uint32Array(p.inspectorIds.length).fill(1);
  for (let a = 0; a < selected.length; a++) {
    if (!selected[a]) continue;
    const seats = selected[a]! * teamSize;
    const members = p.areaMembers[a]!;
    const share = Math.ceil(seats / members.length);
    areas.push({ area: a, selected: selected[a]!, seats, inspectors: members.length, share });
    for (const ix of members) cap[ix]! += share;
  }
  return { areas, cap };
}

const PAIRS_PER_CHUNK = 1 << 17;

export function matchTeams(p: CompiledPool, sel: Selection, seed: string, params: MatchParams, hasher: BatchHasher): Matching {
  const mid = seedMidstate(seed);
  const k = params.teamSize;
  const { areas, cap } = workloadCaps(p, sel, k);
  const unitIndex = new Map(params.jointUnits.map((u, j) => [u, j]));
  const unitOf = Int32Array.from(p.inspectorUnits, (u) => unitIndex.get(u) ?? -1);
  const tails = inspectorTails(p.inspectorIds);
  const load = new Uint32Array(p.inspectorIds.length);

  const m = sel.order.length;
  const teamOff = new Uint32Array(m + 1);
  const teamMembers = new Uint32Array(m * k);
  let capYields = 0;
  const u = p.usccBytes;
  const elig: number[] = [];

  let r0 = 0;
  while (r0 < m) {
    // gather pairs for targets r0..r1
    const pairInsp: number[] = [];
    const pairStart: number[] = [0];
    let r1 = r0;
    while (r1 < m && (r1 === r0 || pairInsp.length < PAIRS_PER_CHUNK)) {
      eligibleOf(p, sel.order[r1]!, elig);
      for (const ix of elig) pairInsp.push(ix);
      pairStart.push(pairInsp.length);
      r1++;
    }
    const np = pairInsp.length;
    const states = new Int32Array(np * 8);
    const blocks = new Int32Array(np * 16);
    const second: number[] = [];
    for (let r = r0; r < r1; r++) {
      const q = sel.order[r]! * 18;
      // ":" + uscc + ":" = 20 bytes = words 0..4
      const w0 = 0x3a000000 | (u[q]! << 16) | (u[q + 1]! << 8) | u[q + 2]!;
      const w1 = (u[q + 3]! << 24) | (u[q + 4]! << 16) | (u[q + 5]! << 8) | u[q + 6]!;
      const w2 = (u[q + 7]! << 24) | (u[q + 8]! << 16) | (u[q + 9]! << 8) | u[q + 10]!;
      const w3 = (u[q + 11]! << 24) | (u[q + 12]! << 16) | (u[q + 13]! << 8) | u[q + 14]!;
      const w4 = (u[q + 15]! << 24) | (u[q + 16]! << 16) | (u[q + 17]! << 8) | 0x3a;
      for (let x = pairStart[r - r0]!; x < pairStart[r - r0 + 1]!; x++) {
        states.set(mid, x * 8);
        const b = x * 16;
        blocks[b] = w0;
        blocks[b + 1] = w1;
        blocks[b + 2] = w2;
        blocks[b + 3] = w3;
        blocks[b + 4] = w4;
        const t = tails[pairInsp[x]!]!;
        for (let j = 0; j < 11; j++) blocks[b + 5 + j] = t[j]!;
        if (t.length > 11) second.push(x);
      }
    }
    hasher.compressMany(states, blocks, np);
    if (second.length) {
      // ids longer than 35 bytes: one more block, inspector-dependent only
      const s2 = new Int32Array(second.length * 8);
      const b2 = new Int32Array(second.length * 16);
      second.forEach((x, j) => {
        s2.set(states.subarray(x * 8, x * 8 + 8), j * 8);
        b2.set(tails[pairInsp[x]!]!.subarray(11, 27), j * 16);
      });
      hasher.compressMany(s2, b2, second.length);
      second.forEach((x, j) => states.set(s2.subarray(j * 8, j * 8 + 8), x * 8));
    }

    for (let r = r0; r < r1; r++) {
      const start = pairStart[r - r0]!;
      const end = pairStart[r - r0 + 1]!;
      const ranked: number[] = [];
      for (let x = start; x < end; x++) ranked.push(x);
      ranked.sort((x, y) => compareDigests(states, x * 8, states, y * 8));
      const team: number[] = []; // pair positions
      const pick = (ok: (x: number) => boolean): boolean => {
        let fallback = -1;
        for (const x of ranked) {
          if (team.includes(x) || !ok(x)) continue;
          if (load[pairInsp[x]!]! < cap[pairInsp[x]!]!) {
            team.push(x);
            return true;
          }
          if (fallback < 0) fallback = x;
        }
        if (fallback < 0) return false;
        team.push(fallback);
        capYields++;
        return true;
      };
      for (let j = 0; j < params.jointUnits.length; j++) {
        if (!pick((x) => unitOf[pairInsp[x]!] === j)) throw new Error(`internal: no inspector of unit ${params.jointUnits[j]} (feasibility check bypassed)`);
      }
      while (team.length < k) {
        if (!pick(() => true)) throw new Error('internal: not enough inspectors (feasibility check bypassed)');
      }
      team.sort((x, y) => compareDigests(states, x * 8, states, y * 8));
      const o = teamOff[r]!;
      team.forEach((x, j) => {
        const ix = pairInsp[x]!;
        teamMembers[o + j] = ix;
        load[ix]!++;
      });
      teamOff[r + 1] = o + team.length;
    }
    r0 = r1;
  }
  return { teamOff, teamMembers, areas, cap, load, capYields };
}

/** Optional wording for shortage messages. */
export interface ShortageLabels {
  /** What eligibility required, e.g. "专业：建筑市场". */
  requirement?: string;
  /** Display names of units (departments or sections). */
  units?: Readonly<Record<string, string>>;
  /** What an inspector of a given unit must cover (joint tasks), e.g. { 'dept-m': '专业：食品安全' }. */
  unitRequirement?: Readonly<Record<string, string>>;
}

/**
 * Every reason a draw could fail for some seed. Empty means it succeeds for every seed:
 * candidates in strata with toDraw > 0 are the ones that can be drawn.
 */
export function findShortages(p: CompiledPool, counts: readonly number[], params: MatchParams, labels: ShortageLabels = {}): Shortage[] {
  const k = params.teamSize;
  const req = labels.requirement ? `（${labels.requirement}）` : '';
  const unitName = (u: string) => labels.units?.[u] ?? u;
  const unitReq = (u: string) => {
    const r = labels.unitRequirement ? labels.unitRequirement[u] : labels.requirement;
    return r ? `（${r}）` : '';
  };
  const unitIndex = new Map(params.jointUnits.map((u, j) => [u, j]));
  const unitOf = Int32Array.from(p.inspectorUnits, (u) => unitIndex.get(u) ?? -1);
  const J = params.jointUnits.length;
  const A = p.areaNames.length;
  const drawable = new Uint32Array(A);
  for (let i = 0; i < p.n; i++) if (counts[p.strata[i]!]! > 0) drawable[p.area[i]!]!++;
  const unitCount = new Uint32Array(A * Math.max(J, 1));
  for (let a = 0; a < A; a++) for (const ix of p.areaMembers[a]!) if (unitOf[ix]! >= 0) unitCount[a * J + unitOf[ix]!]!++;

  const out: Shortage[] = [];
  const areaShort = new Uint8Array(A);
  for (let a = 0; a < A; a++) {
    if (!drawable[a]) continue;
    const name = p.areaNames[a]!;
    const M = p.areaMembers[a]!.length;
    if (M < k) {
      areaShort[a] = 1;
      out.push({
        kind: 'area', area: name, needed: k, available: M, candidates: drawable[a]!,
        message: `辖区「${name}」每个检查组需要 ${k} 名检查人员${req}，符合条件的检查人员仅 ${M} 名（涉及 ${drawable[a]} 个可能被抽中的检查对象）`,
      });
    }
    for (let j = 0; j < J; j++) {
      if (unitCount[a * J + j]) continue;
      areaShort[a] = 1;
      const unit = params.jointUnits[j]!;
      out.push({
        kind: 'area-unit', area: name, unit, needed: 1, available: 0, candidates: drawable[a]!,
        message: `辖区「${name}」联合检查每组需要至少 1 名「${unitName(unit)}」的检查人员${unitReq(unit)}，符合条件的仅 0 名（涉及 ${drawable[a]} 个可能被抽中的检查对象）`,
      });
    }
  }
  const exclUnit = new Uint32Array(Math.max(J, 1));
  for (let i = 0; i < p.n; i++) {
    const e0 = p.exclOff[i]!, e1 = p.exclOff[i + 1]!;
    if (e0 === e1 || counts[p.strata[i]!] === 0) continue;
    const a = p.area[i]!;
    if (areaShort[a]) continue;
    const name = p.areaNames[a]!;
    const available = p.areaMembers[a]!.length - (e1 - e0);
    const head = `检查对象 ${usccAt(p, i)}（辖区「${name}」）排除回避人员和上次检查组成员后`;
    if (available < k) {
      out.push({
        kind: 'candidate', area: name, uscc: usccAt(p, i), needed: k, available, candidates: 1,
        message: `${head}，符合条件的检查人员仅 ${available} 名，每个检查组需要 ${k} 名${req}`,
      });
    }
    if (J) {
      exclUnit.fill(0);
      for (let e = e0; e < e1; e++) if (unitOf[p.exclIdx[e]!]! >= 0) exclUnit[unitOf[p.exclIdx[e]!]!]!++;
      for (let j = 0; j < J; j++) {
        if (unitCount[a * J + j]! - exclUnit[j]! > 0) continue;
        const unit = params.jointUnits[j]!;
        out.push({
          kind: 'candidate-unit', area: name, uscc: usccAt(p, i), unit, needed: 1, available: 0, candidates: 1,
          message: `${head}，没有「${unitName(unit)}」符合条件的检查人员${unitReq(unit)}（联合检查每组至少需要 1 名）`,
        });
      }
    }
  }
  return out;
}
