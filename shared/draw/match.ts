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
import { compareDigests, compress, paddedTail } from './sha256.js';
import { seedMidstate, type Selection } from './select.js';
import { usccAt, withExclusions, type CompiledPool } from './pool.js';
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

/** Full score digest of one (target, inspector) pair, scalar (tie-breaks and long ids). */
function fullScore(mid: Int32Array, u: Uint8Array, cand: number, id: string): Int32Array {
  const rest = new Uint8Array(20 + id.length);
  rest[0] = 0x3a;
  rest.set(u.subarray(cand * 18, cand * 18 + 18), 1);
  rest[19] = 0x3a;
  for (let j = 0; j < id.length; j++) rest[20 + j] = id.charCodeAt(j);
  const tail = paddedTail(rest, 64);
  const st = Int32Array.from(mid);
  for (let b = 0; b < tail.length; b += 16) compress(st, 0, tail, b, st, 0);
  return st;
}

export function matchTeams(p: CompiledPool, sel: Selection, seed: string, params: MatchParams, hasher: BatchHasher): Matching {
  const mid = seedMidstate(seed);
  const k = params.teamSize;
  const J = params.jointUnits.length;
  const { areas, cap } = workloadCaps(p, sel, k);
  const unitIndex = new Map(params.jointUnits.map((un, j) => [un, j]));
  const unitOf = Int32Array.from(p.inspectorUnits, (un) => unitIndex.get(un) ?? -1);
  const tails = inspectorTails(p.inspectorIds);
  const oneBlock = tails.every((t) => t.length === 11);
  const tailFlat = new Int32Array(tails.length * 11);
  tails.forEach((t, ix) => tailFlat.set(t.subarray(0, 11), ix * 11));
  const load = new Uint32Array(p.inspectorIds.length);
  const u = p.usccBytes;

  const m = sel.order.length;
  const teamOff = new Uint32Array(m + 1);
  const teamMembers = new Uint32Array(m * k);
  let capYields = 0;

  // One pass over the selected targets in priority order, i.e. scattered over the pool (cache
  // misses): their areas, exclusion ranges and score-message heads (":" + uscc + ":" = words
  // 0..4), so that everything after reads sequentially. Arrays a helper thread reads are shared
  // memory (handed over without a copy).
  const areaOf = new Uint32Array(m);
  const ex0 = new Uint32Array(m);
  const ex1 = new Uint32Array(m);
  const head = new Int32Array(new SharedArrayBuffer(Math.max(1, m) * 20));
  const eligOff = new Uint32Array(m + 1);
  for (let r = 0; r < m; r++) {
    const i = sel.order[r]!;
    const a = p.area[i]!;
    const e0 = p.exclOff[i]!, e1 = p.exclOff[i + 1]!;
    areaOf[r] = a;
    ex0[r] = e0;
    ex1[r] = e1;
    eligOff[r + 1] = eligOff[r]! + p.areaMembers[a]!.length - (e1 - e0);
    const q = i * 18;
    const h = r * 5;
    head[h] = 0x3a000000 | (u[q]! << 16) | (u[q + 1]! << 8) | u[q + 2]!;
    head[h + 1] = (u[q + 3]! << 24) | (u[q + 4]! << 16) | (u[q + 5]! << 8) | u[q + 6]!;
    head[h + 2] = (u[q + 7]! << 24) | (u[q + 8]! << 16) | (u[q + 9]! << 8) | u[q + 10]!;
    head[h + 3] = (u[q + 11]! << 24) | (u[q + 12]! << 16) | (u[q + 13]! << 8) | u[q + 14]!;
    head[h + 4] = (u[q + 15]! << 24) | (u[q + 16]! << 16) | (u[q + 17]! << 8) | 0x3a;
  }
  // the eligible lists (inspector indices, ascending id) are made chunk by chunk into one
  // chunk-sized buffer: all of them at once were ~45 MB of fresh memory at 10,000,000
  // candidates (page faults) written once and read once
  const pairsTotal = eligOff[m]!;
  let maxPer = 0;
  for (let r = 0; r < m; r++) maxPer = Math.max(maxPer, eligOff[r + 1]! - eligOff[r]!);
  const cap0 = Math.min(pairsTotal, Math.max(PAIRS_PER_CHUNK, maxPer));
  // two chunks' buffers: the next chunk's scores are hashed (the helper thread, and this one
  // when it is done) while this thread picks the current chunk's teams
  const bufs = [0, 1].map(() => ({
    pairHead: new Uint32Array(new SharedArrayBuffer(Math.max(1, cap0) * 4)),
    tailBuf: new Uint32Array(new SharedArrayBuffer(Math.max(1, cap0) * 4)),
    // shared memory: both threads write their chunks of a batch straight into it (parallel.ts)
    first: new Int32Array(new SharedArrayBuffer(Math.max(1, cap0) * 4), 0, cap0),
  }));
  let pairTail = bufs[0]!.tailBuf; // the pairs of the chunk being picked
  let first = bufs[0]!.first;
  const taken = new Uint8Array(maxPer); // by position within the target's pairs
  const chosen = new Uint32Array(k); // pair positions of the team being filled
  let nChosen = 0;
  const fullCache = new Map<number, Int32Array>();
  let cand = 0;
  const fullOf = (x: number): Int32Array => {
    let d = fullCache.get(x);
    if (!d) fullCache.set(x, (d = fullScore(mid, u, cand, p.inspectorIds[pairTail[x]!]!)));
    return d;
  };
  /** Score order of two pair positions: first word (unsigned), the full digest on a tie. */
  const lower = (x: number, y: number): boolean => {
    const fx = first[x]! >>> 0, fy = first[y]! >>> 0;
    return fx < fy || (fx === fy && compareDigests(fullOf(x), 0, fullOf(y), 0) < 0);
  };
  /**
   * The lowest-scoring untaken inspector (of `unit`, or any if -1) under his cap; if everyone
   * left is at the cap, the lowest-scoring of them (a cap yield). One scan: teams are small, so
   * this beats ranking every eligible inspector.
   */
  const pick = (start: number, len: number, unit: number): void => {
    // the best so far's first word kept in a local: most pairs are decided by one comparison
    // (the full digests only on equal first words); the chunk's arrays read from locals
    const pt = pairTail, fw = first;
    let best = -1, bestF = 0, fallback = -1, fallbackF = 0;
    for (let q = 0; q < len; q++) {
      if (taken[q]) continue;
      const x = start + q;
      const ix = pt[x]!;
      if (unit >= 0 && unitOf[ix] !== unit) continue;
      const f = fw[x]! >>> 0;
      if (load[ix]! < cap[ix]!) {
        if (best < 0 || f < bestF || (f === bestF && lower(x, start + best))) (best = q), (bestF = f);
      } else if (best < 0 && (fallback < 0 || f < fallbackF || (f === fallbackF && lower(x, start + fallback)))) (fallback = q), (fallbackF = f);
    }
    if (best < 0) {
      if (fallback < 0) throw new Error('internal: team cannot be filled (feasibility check bypassed)');
      best = fallback;
      capYields++;
    }
    taken[best] = 1;
    chosen[nChosen++] = start + best;
  };

  interface Chunk {
    r0: number;
    r1: number;
    base: number;
    np: number;
    b: (typeof bufs)[number];
  }
  /** A chunk of whole targets from r0 with at most ~PAIRS_PER_CHUNK pairs: its pairs into b. */
  const build = (r0: number, b: Chunk['b']): Chunk => {
    let r1 = r0 + 1;
    while (r1 < m && eligOff[r1 + 1]! - eligOff[r0]! <= PAIRS_PER_CHUNK) r1++;
    const base = eligOff[r0]!;
    const np = eligOff[r1]! - base;
    const { pairHead, tailBuf } = b;
    for (let r = r0, x = 0; r < r1; r++) {
      const members = p.areaMembers[areaOf[r]!]!;
      let e = ex0[r]!;
      const eEnd = ex1[r]!;
      for (let j = 0; j < members.length; j++) {
        const ix = members[j]!;
        while (e < eEnd && p.exclIdx[e]! < ix) e++;
        if (e < eEnd && p.exclIdx[e] === ix) continue;
        pairHead[x] = r;
        tailBuf[x++] = ix;
      }
    }
    return { r0, r1, base, np, b };
  };
  /** The chunk's first score words; `alongside` runs on this thread meanwhile. */
  const hash = (ch: Chunk, alongside?: () => void): void => {
    const { pairHead, first } = ch.b, np = ch.np;
    const pairTail = ch.b.tailBuf.subarray(0, np);
    if (oneBlock) return hasher.pairFirstWords(mid, head, tailFlat, pairHead, pairTail, np, first, alongside);
    alongside?.();
    // some id is longer than 35 bytes: full states, then a second block where needed
    const states = new Int32Array(np * 8);
    const blocks = new Int32Array(np * 16);
    const second: number[] = [];
    for (let x = 0; x < np; x++) {
      states.set(mid, x * 8);
      const h = pairHead[x]! * 5;
      for (let j = 0; j < 5; j++) blocks[x * 16 + j] = head[h + j]!;
      const t = tails[pairTail[x]!]!;
      for (let j = 0; j < 11; j++) blocks[x * 16 + 5 + j] = t[j]!;
      if (t.length > 11) second.push(x);
    }
    hasher.compressMany(states, blocks, np);
    if (second.length) {
      const s2 = new Int32Array(second.length * 8);
      const b2 = new Int32Array(second.length * 16);
      second.forEach((x, j) => {
        for (let w = 0; w < 8; w++) s2[j * 8 + w] = states[x * 8 + w]!;
        b2.set(tails[pairTail[x]!]!.subarray(11, 27), j * 16);
      });
      hasher.compressMany(s2, b2, second.length);
      second.forEach((x, j) => {
        for (let w = 0; w < 8; w++) states[x * 8 + w] = s2[j * 8 + w]!;
      });
    }
    for (let x = 0; x < np; x++) first[x] = states[x * 8]!;
  };
  /** The teams of the chunk's targets, in order (the caps' loads carry over to the next chunk). */
  const picks = (ch: Chunk): void => {
    const { r0, r1, base } = ch;
    pairTail = ch.b.tailBuf.subarray(0, ch.np);
    first = ch.b.first;
    for (let r = r0; r < r1; r++) {
      cand = sel.order[r]!;
      if (fullCache.size) fullCache.clear();
      const start = eligOff[r]! - base;
      const len = eligOff[r + 1]! - base - start;
      nChosen = 0;
      for (let j = 0; j < J; j++) pick(start, len, j);
      while (nChosen < k) pick(start, len, -1);
      // ascending score (insertion sort: teams are small); untake for the next target
      for (let a = 1; a < nChosen; a++) {
        const x = chosen[a]!;
        let b = a - 1;
        for (; b >= 0 && lower(x, chosen[b]!); b--) chosen[b + 1] = chosen[b]!;
        chosen[b + 1] = x;
      }
      const o = teamOff[r]!;
      for (let j = 0; j < nChosen; j++) {
        taken[chosen[j]! - start] = 0;
        const ix = pairTail[chosen[j]!]!;
        teamMembers[o + j] = ix;
        load[ix]!++;
      }
      teamOff[r + 1] = o + nChosen;
    }
  };
  // chunk i + 1 hashed while chunk i is picked
  let cur = m > 0 ? build(0, bufs[0]!) : undefined;
  if (cur) hash(cur);
  for (let i = 1; cur; i++) {
    const now = cur;
    const next = now.r1 < m ? build(now.r1, bufs[i & 1]!) : undefined;
    if (next) hash(next, () => picks(now));
    else picks(now);
    cur = next;
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
  const drawable = drawableByArea(p, counts);
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
  for (const i of drawableWithExclusions(p, counts)) {
    const e0 = p.exclOff[i]!, e1 = p.exclOff[i + 1]!;
    const a = p.area[i]!;
    if (areaShort[a]) continue;
    const name = p.areaNames[a]!;
    const available = p.areaMembers[a]!.length - (e1 - e0);
    const head = () => `检查对象 ${usccAt(p, i)}（辖区「${name}」）排除回避人员和上次检查组成员后`;
    if (available < k) {
      out.push({
        kind: 'candidate', area: name, uscc: usccAt(p, i), needed: k, available, candidates: 1,
        message: `${head()}，符合条件的检查人员仅 ${available} 名，每个检查组需要 ${k} 名${req}`,
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
          message: `${head()}，没有「${unitName(unit)}」符合条件的检查人员${unitReq(unit)}（联合检查每组至少需要 1 名）`,
        });
      }
    }
  }
  return out;
}

// The two passes over every candidate are functions of their own, so that V8 reuses their
// optimized code from the warm-up instead of re-optimizing a loop inside findShortages.

/** Candidates that can be drawn (their stratum draws some), per area. */
function drawableByArea(p: CompiledPool, counts: readonly number[]): Uint32Array {
  const drawable = new Uint32Array(p.areaNames.length);
  const draws = Uint8Array.from(counts, (c) => (c > 0 ? 1 : 0));
  // the columns as locals: no property load per candidate (this runs once per freeze, over all n)
  const { strata, area, n } = p;
  for (let i = 0; i < n; i++) if (draws[strata[i]!]) drawable[area[i]!]!++;
  return drawable;
}

/** Candidates that can be drawn and have exclusions. */
function drawableWithExclusions(p: CompiledPool, counts: readonly number[]): number[] {
  return withExclusions(p.exclOff, p.n).filter((i) => counts[p.strata[i]!]! > 0);
}
