/**
 * suiji-draw-v2, the round's phases (docs/DRAW.md §11–§16):
 *
 *   freezeDrawV2   before witness registration closes: pseudonyms, salts, commitments, the
 *                  public pool, counts, feasibility, the system commitment, the beacons
 *                  → the freeze record to publish (and the internal openings to keep)
 *   closeRegistration   the witnesses' commitments, before the beacon round → close record
 *   runDrawV2      after the beacon: reveals and beacon proofs checked, seed, selection over the
 *                  commitments, v1 matching over the opened entries → the draw record
 *   outcomeRecord  a round that ends without a draw (aborted, failed)
 */
import { randomFillSync, randomInt } from 'node:crypto';
import { checkWitnessReveals } from '../ceremony.js';
import { DrawInfeasibleError, DrawInputError, MissingRevealError, RevealMismatchError } from '../errors.js';
import { matchTeams, type Matching } from '../match.js';
import { checkScheduleAndSampling, checkSystemAndUnits, feasiblePool, type FreezeInputCommon } from '../draw.js';
import { HEX64, ID_RE, ISO_TIME, STRATA, withExclusions, type CompiledPool, type DrawPool } from '../pool.js';
import type { Selection } from '../select.js';
import { sha256Hex } from '../sha256.js';
import { createHasher, type BatchHasher } from '../simd.js';
import { gatherOpenings, type OpeningGather } from '../gather.js';
import { teamSize } from '../../domain/sampling.js';
import { attachPoolLists, poolListsOf } from './pooltext.js';
import { beaconTime, checkBeacon, type BeaconProof, type BeaconSpec } from './beacon.js';
import { candidateText as candidateTextOf, commitAll, commitTails, iota, positionsByKey, publicPool, selectV2, SALT_BYTES, type SelectionV2 } from './commit.js';
import {
  ALGORITHM_V2,
  digestsOf,
  RECORD_VERSION_V2,
  ZERO_DIGEST,
  type CloseRecordV2,
  type DrawRecordV2,
  type FreezeRecordV2,
  attachTargetColumns,
  type OutcomeRecordV2,
  type TargetColumnsV2,
  type WitnessV2,
} from './record.js';


export interface FreezeInputV2 extends FreezeInputCommon {
  department: string;
  round: number;
  /** The department's previous round's freeze digests; null for round 1. */
  prev: { freezeDigest: string; freezeDigestSm3: string } | null;
  redrawOf?: number | null;
  /** With the registry's inspector ids: they are replaced by pseudonyms here. */
  pool: DrawPool;
  beacons: readonly BeaconSpec[];
  /** Fixed salts by USCC (32 hex) and pseudonyms by registry id — test vectors only. */
  salts?: ReadonlyMap<string, string>;
  pseudonyms?: ReadonlyMap<string, string>;
}

export interface FrozenDrawV2 {
  freeze: FreezeRecordV2;
  freezeDigest: string;
  freezeDigestSm3: string;
  /** The pseudonymised pool (USCC order): internal. */
  pool: CompiledPool;
  /** 16 bytes per candidate, USCC order: internal. */
  salts: Uint8Array;
  /** Public order: the candidate (index into pool and salts) at each public position. */
  order: Uint32Array;
  /** Stratum bounds in public order (6 entries). */
  bounds: number[];
  /** Pseudonym → registry id: internal. */
  pseudonyms: Map<string, string>;
  /**
   * The commitments in public order (8 words each, shared memory): selection reads them in
   * sequence; the commitment of candidate order[j] is at 8·j.
   */
  sorted: Int32Array;
}

/** The round's place in the department's chain: round n > 1 links to round n − 1; a re-draw names an earlier round. */
function checkChainPlace(round: number, prev: FreezeInputV2['prev'], redrawOf: number | null): void {
  if (!Number.isInteger(round) || round < 1) throw new DrawInputError('轮次应为正整数');
  if ((round === 1) !== (prev === null)) throw new DrawInputError(round === 1 ? '第 1 轮没有上一轮' : `第 ${round} 轮需要上一轮的冻结摘要`);
  if (prev && !(HEX64.test(prev.freezeDigest) && HEX64.test(prev.freezeDigestSm3))) throw new DrawInputError('上一轮的冻结摘要应为 64 位小写十六进制');
  if (redrawOf !== null && (!Number.isInteger(redrawOf) || redrawOf < 1 || redrawOf >= round)) throw new DrawInputError('重抽应指向本部门更早的轮次');
}

function checkParams(input: FreezeInputV2): void {
  if (!ID_RE.test(input.taskId)) throw new DrawInputError(`任务编号「${input.taskId}」格式不正确`);
  if (!ID_RE.test(input.department)) throw new DrawInputError(`部门编号「${input.department}」格式不正确`);
  checkChainPlace(input.round, input.prev, input.redrawOf ?? null);
  checkScheduleAndSampling(input);
  checkSystemAndUnits(input);
  if (!input.beacons.length) throw new DrawInputError('v2 抽取至少需要一个公共随机信标（drand quicknet 或指数收盘点位）');
  const drawAt = Date.parse(input.drawTime) / 1000;
  for (const b of input.beacons) {
    if (beaconTime(b) <= drawAt) throw new DrawInputError(`公共随机信标（${b.source}）应在见证人登记截止（${input.drawTime}）之后产生`);
  }
  if (Date.parse(input.frozenAt) > Date.parse(input.drawTime)) throw new DrawInputError('冻结时间应早于见证人登记截止时间');
}

/**
 * Pseudonyms p001, p002, … in a uniformly random order (or the given ones). withEx: the
 * candidates with exclusions (withExclusions), whose lists are renumbered.
 */
function pseudonymise(p: CompiledPool, withEx: readonly number[], given?: ReadonlyMap<string, string>): { pool: CompiledPool; map: Map<string, string> } {
  const n = p.inspectorIds.length;
  const names = new Array<string>(n);
  if (given) {
    for (let j = 0; j < n; j++) {
      const ps = given.get(p.inspectorIds[j]!);
      if (!ps || !ID_RE.test(ps)) throw new DrawInputError(`检查人员「${p.inspectorIds[j]}」缺少化名`);
      names[j] = ps;
    }
  } else {
    const width = Math.max(3, String(n).length);
    const perm = Array.from({ length: n }, (_, j) => j);
    for (let j = n - 1; j > 0; j--) {
      const k = randomInt(j + 1);
      [perm[j], perm[k]] = [perm[k]!, perm[j]!];
    }
    for (let j = 0; j < n; j++) names[j] = `p${String(perm[j]! + 1).padStart(width, '0')}`;
  }
  const byName = Array.from({ length: n }, (_, j) => j).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  const newIx = new Uint32Array(n);
  byName.forEach((old, k) => (newIx[old] = k));
  for (let k = 1; k < n; k++) if (names[byName[k]!] === names[byName[k - 1]!]) throw new DrawInputError(`化名「${names[byName[k]!]}」重复`);
  const exclIdx = new Uint32Array(p.exclIdx.length);
  for (const i of withEx) {
    const a = p.exclOff[i]!, b = p.exclOff[i + 1]!;
    const xs = Array.from(p.exclIdx.subarray(a, b), (x) => newIx[x]!).sort((x, y) => x - y);
    exclIdx.set(xs, a);
  }
  const map = new Map<string, string>();
  for (let j = 0; j < n; j++) map.set(names[j]!, p.inspectorIds[j]!);
  return {
    pool: {
      ...p,
      inspectorIds: byName.map((old) => names[old]!),
      inspectorUnits: byName.map((old) => p.inspectorUnits[old]!),
      areaMembers: p.areaMembers.map((m) => Uint32Array.from(m, (x) => newIx[x]!).sort()),
      exclIdx,
    },
    map,
  };
}

/** The public eligibility text: v1's insp and area lines (pseudonyms), no cand lines. */
export function publicEligibilityLines(p: { inspectorIds: readonly string[]; inspectorUnits: readonly string[]; areaNames: readonly string[]; areaMembers: readonly Uint32Array[] }): string[] {
  const out = p.inspectorIds.map((id, j) => `insp,${id},${p.inspectorUnits[j]}`);
  p.areaNames.forEach((name, k) => out.push(`area,${k},${Array.from(p.areaMembers[k]!, (x) => p.inspectorIds[x]).join(';')},${name}`));
  return out;
}

export const linesDigest = (lines: readonly string[]) => sha256Hex(Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8'));

/** From this many candidates on, the helper thread draws the salts (a hand-over costs ~0.1 ms). */
const FILL_SPLIT_FROM = 50_000;

/**
 * Phase 1. Validates, checks feasibility (DrawInfeasibleError before anything exists), draws
 * salts and pseudonyms, commits and returns the freeze record to publish.
 */
export function freezeDrawV2(input: FreezeInputV2, hasher: BatchHasher = createHasher()): FrozenDrawV2 {
  checkParams(input);
  // The commitments' memory (32 bytes per candidate, fresh: a page fault per 4 kB) is faulted
  // in by the helper thread whenever it has done its part of a job before this thread (the
  // USCC decoding beside the candidate pass, the salts beside the pseudonyms and the tails).
  const helper = input.helper;
  const large = helper?.touchWhileIdle !== undefined && input.pool.candidates.length >= FILL_SPLIT_FROM;
  const commitments = large ? new Int32Array(new SharedArrayBuffer(input.pool.candidates.length * 32)) : undefined;
  helper?.touchWhileIdle?.(commitments);
  try {
    return freezeInto(input, hasher, commitments);
  } finally {
    helper?.touchWhileIdle?.(undefined);
  }
}

function freezeInto(input: FreezeInputV2, hasher: BatchHasher, commitments: Int32Array | undefined): FrozenDrawV2 {
  // v1's pool and eligibility texts (registry ids, cand lines) are not v2's: not computed
  const { pool: { free, ...compiled }, strata, team } = feasiblePool(input, { texts: false });

  // shared memory: the helper thread reads the salts in place. compilePool's spare 20 bytes
  // per candidate hold the salts (16) and the commitment tails' indices (4).
  const n = compiled.n;
  const reuse = free && free.byteLength >= n * (SALT_BYTES + 4);
  const salts = reuse ? new Uint8Array(free.buffer, free.byteOffset, n * SALT_BYTES) : new Uint8Array(new SharedArrayBuffer(n * SALT_BYTES));
  const tailOf = reuse ? new Uint32Array(free.buffer, free.byteOffset + n * SALT_BYTES, n) : undefined;
  if (input.salts) {
    for (let i = 0; i < n; i++) {
      const u = Buffer.from(compiled.usccBytes.subarray(i * 18, i * 18 + 18)).toString('latin1');
      const s = input.salts.get(u);
      if (!s || !/^[0-9a-f]{32}$/.test(s)) throw new DrawInputError(`检查对象 ${u} 缺少盐值`);
      salts.set(Buffer.from(s, 'hex'), i * SALT_BYTES);
    }
  }
  // the pseudonyms and the commitments' block tails here while the helper thread, if any, draws
  // the salts (n·16 random bytes: ~0.1 s at 10,000,000)
  let pseudonymised: ReturnType<typeof pseudonymise> | undefined, blockTails: ReturnType<typeof commitTails> | undefined;
  const own = () => {
    // the candidates with exclusions found once, for both (pseudonymise keeps exclOff)
    const withEx = withExclusions(compiled.exclOff, n);
    pseudonymised = pseudonymise(compiled, withEx, input.pseudonyms);
    blockTails = commitTails(pseudonymised.pool, tailOf, withEx);
  };
  const filled = !input.salts && salts.buffer instanceof SharedArrayBuffer && input.helper?.fillRandom !== undefined && n >= FILL_SPLIT_FROM && input.helper.fillRandom(salts, own);
  if (!pseudonymised) own();
  if (!input.salts && !filled) randomFillSync(salts);
  const { pool, map } = pseudonymised!;
  // the commitments are sorted in place into public order, and the public order written over the
  // tails' indices (dead by then)
  // (the helper's jobs from here on write into the commitments: no page touched after them)
  input.helper?.touchWhileIdle?.(undefined);
  const pub = publicPool(pool, commitAll(pool, salts, hasher, tailOf, blockTails, commitments), input.helper, tailOf);
  const elig = publicEligibilityLines(pool);
  const freeze: FreezeRecordV2 = {
    algorithm: ALGORITHM_V2,
    taskId: input.taskId,
    department: input.department,
    round: input.round,
    prev: input.prev?.freezeDigest ?? ZERO_DIGEST,
    prevSm3: input.prev?.freezeDigestSm3 ?? ZERO_DIGEST,
    redrawOf: input.redrawOf ?? null,
    frozenAt: input.frozenAt,
    drawTime: input.drawTime,
    poolDigest: pub.poolDigest,
    eligibilityDigest: linesDigest(elig),
    candidates: pool.n,
    inspectors: pool.inspectorIds.length,
    areas: pool.areaNames.length,
    strata,
    team,
    systemCommitment: input.systemCommitment,
    beacons: input.beacons.map((b) => ({ ...b })),
  };
  const d = digestsOf(freeze);
  return { freeze, freezeDigest: d.sha256, freezeDigestSm3: d.sm3, pool, salts, order: pub.order, bounds: pub.bounds, pseudonyms: map, sorted: pub.sorted };
}

/**
 * The same frozen pool as another round of the department's chain: FreezePool lost the race for
 * the chain's next round to another task of the department and takes the one after. Only the
 * freeze record's round and link, and so its digests, change; the pool, salts and commitments
 * stay (none was published: the chain append that would have published them failed). The pool
 * cannot simply be frozen again: compiling consumes it.
 */
export function rechainFreezeV2(f: FrozenDrawV2, round: number, prev: FreezeInputV2['prev']): FrozenDrawV2 {
  checkChainPlace(round, prev, f.freeze.redrawOf);
  const freeze: FreezeRecordV2 = { ...f.freeze, round, prev: prev?.freezeDigest ?? ZERO_DIGEST, prevSm3: prev?.freezeDigestSm3 ?? ZERO_DIGEST };
  const d = digestsOf(freeze);
  return { ...f, freeze, freezeDigest: d.sha256, freezeDigestSm3: d.sm3 };
}

/** The public pool lists (hex) per stratum. */
export function publicPoolLists(f: Pick<FrozenDrawV2, 'bounds' | 'sorted'>): DrawRecordV2['inputs']['pool'] {
  return poolListsOf({ sorted: f.sorted, bounds: f.bounds });
}

/**
 * Closes witness registration: each witness named with role and their commitment (computed on
 * their own device). Must happen before the beacon exists.
 */
export function closeRegistration(frozen: { freeze: FreezeRecordV2; freezeDigest: string }, closedAt: string, witnesses: readonly WitnessV2[]): { close: CloseRecordV2; closeDigest: string; closeDigestSm3: string } {
  if (!ISO_TIME.test(closedAt)) throw new DrawInputError(`登记截止时间「${closedAt}」应为 ISO 8601 时间`);
  const bad = lateClose(frozen.freeze, closedAt);
  if (bad) throw new DrawInputError(bad);
  if (!witnesses.length) throw new DrawInputError('至少需要一名见证人');
  const seen = new Set<string>();
  for (const w of witnesses) {
    if (!ID_RE.test(w.id) || w.id === 'system' || w.id === 'beacon') throw new DrawInputError(`见证人编号「${w.id}」格式不正确`);
    if (seen.has(w.id)) throw new DrawInputError(`见证人编号「${w.id}」重复`);
    seen.add(w.id);
    if (!w.name.trim() || /[\r\n]/.test(w.name)) throw new DrawInputError(`见证人「${w.id}」应填写姓名`);
    if (!w.role.trim() || /[\r\n]/.test(w.role)) throw new DrawInputError(`见证人「${w.id}」应填写身份（如纪检监察、公众代表）`);
    if (!HEX64.test(w.commitment)) throw new DrawInputError(`见证人「${w.id}」的承诺应为 64 位小写十六进制（SHA-256）`);
  }
  const close: CloseRecordV2 = {
    freezeDigest: frozen.freezeDigest,
    closedAt,
    witnesses: [...witnesses].map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: w.commitment })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
  const d = digestsOf(close);
  return { close, closeDigest: d.sha256, closeDigestSm3: d.sm3 };
}

/** Why a close at `closedAt` is too late for the freeze's beacons, or undefined. */
export function lateClose(freeze: FreezeRecordV2, closedAt: string): string | undefined {
  const t = Date.parse(closedAt) / 1000;
  for (const b of freeze.beacons) {
    const at = beaconTime(b) - (b.source === 'index-close' ? 0 : 60);
    if (t > at) return `见证人登记截止时间 ${closedAt} 晚于公共随机信标（${b.source}）产生前的最后期限 ${new Date(at * 1000).toISOString()}：本轮应中止`;
  }
  return undefined;
}

export interface RevealsV2 {
  witnesses: readonly { id: string; secret: string }[];
  system: string;
  beacons: readonly BeaconProof[];
}

/** Checks reveals (witness-id order, system last) and beacon proofs; returns them in order. */
export function checkRevealsV2(freeze: FreezeRecordV2, close: CloseRecordV2, reveals: RevealsV2): { witnesses: { id: string; secret: string }[]; system: string; beacons: BeaconProof[] } {
  const { missing, ordered } = checkWitnessReveals(close.witnesses, reveals.witnesses, { registry: '登记截止记录', named: true });
  if (!reveals.system) missing.push('system');
  else {
    if (!HEX64.test(reveals.system)) throw new RevealMismatchError('system', '系统随机数的揭示值应为 64 位小写十六进制');
    const got = sha256Hex(Buffer.from(reveals.system, 'hex'));
    if (got !== freeze.systemCommitment) throw new RevealMismatchError('system', `系统随机数的揭示值与其承诺不一致（SHA-256 为 ${got}，承诺为 ${freeze.systemCommitment}）`);
  }
  if (reveals.beacons.length > freeze.beacons.length) throw new DrawInputError('信标取值多于冻结记录固定的信标');
  const beacons: BeaconProof[] = [];
  freeze.beacons.forEach((spec, k) => {
    const proof = reveals.beacons[k];
    if (!proof) {
      missing.push('beacon');
      return;
    }
    const bad = checkBeacon(spec, proof);
    if (bad) throw new RevealMismatchError('beacon', `公共随机信标校验失败：${bad}`);
    beacons.push(proof);
  });
  if (missing.length) throw new MissingRevealError(missing);
  return { witnesses: ordered, system: reveals.system, beacons };
}

export function deriveSeedV2(freezeDigest: string, closeDigest: string, secrets: readonly string[], system: string, beaconRandomness: readonly string[]): string {
  return sha256Hex(Buffer.from(`${ALGORITHM_V2}\n${freezeDigest}\n${closeDigest}\n${[...secrets, system, ...beaconRandomness].join('\n')}`, 'utf8'));
}

/**
 * The matching input: a compiled pool holding just the selected entries, in ascending
 * priority, with the frozen areas and inspectors; and the selection over it.
 */
export function selectedPool(
  base: Pick<CompiledPool, 'inspectorIds' | 'inspectorUnits' | 'areaNames' | 'areaMembers'>,
  entries: readonly { uscc: string; stratum: number; area: number; excl: readonly number[] }[],
  priority: Int32Array,
  perStratum: number[],
): { pool: CompiledPool; selection: Selection } {
  const m = entries.length;
  const usccBytes = new Uint8Array(m * 18);
  const strata = new Uint8Array(m);
  const area = new Uint32Array(m);
  const exclOff = new Uint32Array(m + 1);
  const ex: number[] = [];
  const strataCounts = [0, 0, 0, 0, 0];
  entries.forEach((e, r) => {
    usccBytes.set(Buffer.from(e.uscc, 'latin1'), r * 18);
    strata[r] = e.stratum;
    area[r] = e.area;
    ex.push(...e.excl);
    exclOff[r + 1] = ex.length;
    strataCounts[e.stratum]!++;
  });
  const pool: CompiledPool = { n: m, usccBytes, strata, area, exclOff, exclIdx: Uint32Array.from(ex), inspectorIds: [...base.inspectorIds], inspectorUnits: [...base.inspectorUnits], areaNames: [...base.areaNames], areaMembers: [...base.areaMembers], strataCounts };
  return { pool, selection: { order: Uint32Array.from({ length: m }, (_, r) => r), priority, perStratum } };
}

/**
 * selectedPool's compiled pool taken straight from the frozen pool's columns (no per-entry
 * objects). The entries are gathered in ascending index (positionsByKey): the frozen columns
 * (10M rows at a province's scale) are read in sequence, not at random.
 */
function selectedFromFrozen(p: CompiledPool, order: Uint32Array, rows = positionsByKey(order)): CompiledPool {
  const m = order.length;
  const usccBytes = new Uint8Array(m * 18);
  const strata = new Uint8Array(m);
  const area = new Uint32Array(m);
  const exclOff = new Uint32Array(m + 1);
  const strataCounts = [0, 0, 0, 0, 0];
  for (let k = 0; k < m; k++) {
    const r = rows[k]!, i = order[r]!;
    for (let x = 0, u = i * 18, v = r * 18; x < 18; x++) usccBytes[v + x] = p.usccBytes[u + x]!;
    strata[r] = p.strata[i]!;
    area[r] = p.area[i]!;
    strataCounts[p.strata[i]!]!++;
    exclOff[r + 1] = p.exclOff[i + 1]! - p.exclOff[i]!;
  }
  for (let r = 0; r < m; r++) exclOff[r + 1]! += exclOff[r]!;
  const exclIdx = new Uint32Array(exclOff[m]!);
  for (let k = 0; k < m; k++) {
    const r = rows[k]!, i = order[r]!;
    for (let j = p.exclOff[i]!, ex = exclOff[r]!; j < p.exclOff[i + 1]!; j++) exclIdx[ex++] = p.exclIdx[j]!;
  }
  return { n: m, usccBytes, strata, area, exclOff, exclIdx, inspectorIds: [...p.inspectorIds], inspectorUnits: [...p.inspectorUnits], areaNames: [...p.areaNames], areaMembers: [...p.areaMembers], strataCounts };
}

export interface DrawResultV2 {
  seed: string;
  selection: SelectionV2;
  /** The public positions of selection.order's entries (their commitments: sorted[8·position]). */
  positions: Uint32Array;
  pool: CompiledPool;
  matching: Matching;
}

/** Selection and matching for a given seed over frozen (or re-parsed) inputs. */
export function drawWithSeedV2(
  seed: string,
  /** The commitments in public order, 8 words each. */
  sorted: Int32Array,
  /** The candidate (index of `opening`) at each public position. */
  order: Uint32Array,
  bounds: readonly number[],
  freeze: FreezeRecordV2,
  /** The opening of entry i (the verifier reads it from the record), or the frozen pool itself. */
  opening: ((i: number) => { uscc: string; stratum: number; area: number; excl: readonly number[] }) | CompiledPool,
  base: Pick<CompiledPool, 'inspectorIds' | 'inspectorUnits' | 'areaNames' | 'areaMembers'>,
  hasher: BatchHasher,
  /**
   * Called with the opened selection before matching, the public positions of its entries and
   * their candidates (the verifier and runDrawV2 check the openings there; may throw), and over
   * a frozen pool the order in which the candidates ascend (positionsByKey, made once here).
   */
  beforeMatch?: (pool: CompiledPool, positions: Uint32Array, candidates: Uint32Array, byCandidate?: Uint32Array) => void,
  /**
   * Over a frozen pool: called with the same positions, candidates and order and with `build`
   * (copies the selected pool; must be called once), to do work beside it (runDrawV2: the
   * openings' gathers on the helper thread).
   */
  besidePool?: (positions: Uint32Array, candidates: Uint32Array, byCandidate: Uint32Array, build: () => void) => void,
): DrawResultV2 {
  // selection over the commitments in public order (read in sequence), mapped back to indices
  const pos = selectV2(seed, sorted, null, bounds, freeze.strata.map((s) => s.toDraw), hasher);
  const byIndex = new Uint32Array(pos.order.length);
  for (let r = 0; r < byIndex.length; r++) byIndex[r] = order[pos.order[r]!]!;
  const selection: SelectionV2 = { ...pos, order: byIndex };
  const byCandidate = typeof opening === 'function' ? undefined : positionsByKey(selection.order);
  let pool: CompiledPool, sel: Selection;
  if (typeof opening === 'function') ({ pool, selection: sel } = selectedPool(base, Array.from(selection.order, (i) => opening(i)), selection.priority, selection.perStratum));
  else {
    let built: CompiledPool | undefined;
    const build = () => void (built = selectedFromFrozen(opening, selection.order, byCandidate));
    if (besidePool) besidePool(pos.order, selection.order, byCandidate!, build);
    else build();
    pool = built!;
    sel = { order: iota(selection.order.length), priority: selection.priority, perStratum: selection.perStratum };
  }
  beforeMatch?.(pool, pos.order, selection.order, byCandidate);
  const matching = matchTeams(pool, sel, seed, { teamSize: freeze.team.size, jointUnits: freeze.team.jointUnits }, hasher);
  return { seed, selection, positions: pos.order, pool, matching };
}

/**
 * Phase 3, after the beacon. Throws RevealMismatchError / MissingRevealError (the caller records
 * the outcome) before anything is drawn; otherwise returns the draw record.
 */
export function runDrawV2(
  frozen: FrozenDrawV2,
  closed: { close: CloseRecordV2; closeDigest: string; closeDigestSm3: string },
  reveals: RevealsV2,
  opts: { hasher?: BatchHasher; omitPool?: boolean } = {},
): DrawRecordV2 {
  const f = frozen.freeze;
  if (closed.close.freezeDigest !== frozen.freezeDigest) throw new DrawInputError('登记截止记录不属于本轮冻结记录');
  const r = checkRevealsV2(f, closed.close, reveals);
  const seed = deriveSeedV2(frozen.freezeDigest, closed.closeDigest, r.witnesses.map((w) => w.secret), r.system, r.beacons.map((b) => b.randomness));
  const sorted = frozen.sorted;
  const hasher = opts.hasher ?? createHasher();
  let opened: Opened | undefined, gathered: OpeningGather | undefined;
  // the openings' salts and frozen commitments (reads at random of the 10M-row arrays) gathered
  // on the helper thread while this one copies the selected pool (they do not depend on it)
  const beside = (positions: Uint32Array, cand: Uint32Array, byCand: Uint32Array, build: () => void) => {
    const m = cand.length;
    const g: OpeningGather = { salts: frozen.salts, sorted, cand, byCand, positions, rows: positionsByKey(positions), s16: new Uint8Array(new SharedArrayBuffer(m * SALT_BYTES)), expect: new Int32Array(new SharedArrayBuffer(m * 32)) };
    if (!hasher.gatherOpenings?.(g, build)) {
      if (!hasher.gatherOpenings) build();
      gatherOpenings(g);
    }
    gathered = g;
  };
  const check = (pool: CompiledPool, positions: Uint32Array) => void (opened = checkOpenings(pool, positions, frozen.bounds, hasher, gathered!));
  const result = drawWithSeedV2(seed, sorted, frozen.order, frozen.bounds, f, frozen.pool, frozen.pool, hasher, check, beside);
  // the record's commitments and salts read in sequence from what the opening gathered (and
  // checked equal to the frozen ones), not again at random from the frozen arrays
  const record = buildRecordV2(frozen, closed, r, result, { key: [], A: [], B: [], C: [], D: [] }, undefined, opened);
  // the pool lists stay words until read (serializeRecordV2 writes them from the words)
  if (!opts.omitPool) attachPoolLists(record.inputs, { sorted, bounds: frozen.bounds });
  return record;
}

/**
 * Opens the drawn entries (public positions `positions`, their candidates — what the stored,
 * untrusted public order names there, their salts gathered by gatherOpenings — opened into
 * `pool` in the same order) against
 * their commitments: each salt and candidate text must hash to the commitment at its
 * position, in its stratum's range, naming a frozen area and frozen inspectors. This is what
 * makes a stored state loaded by digest alone (loadFrozenStateV2) safe to draw from: the
 * commitments are the published ones, and an opening that does not match one is refused.
 */
function checkOpenings(pool: CompiledPool, positions: Uint32Array, bounds: readonly number[], hasher: BatchHasher, g: OpeningGather): Opened {
  const m = pool.n, areas = pool.areaNames.length, inspectors = pool.inspectorIds.length;
  const bad = (r: number, why: string) => new Error(`frozen openings: the drawn entry at public position ${positions[r]} ${why}`);
  // in ascending public position (the first bad entry named is the lowest)
  const rows = g.rows;
  for (let q = 0; q < m; q++) {
    const r = rows[q]!, j = positions[r]!;
    let s = 0;
    while (j >= bounds[s + 1]!) s++;
    if (pool.strata[r] !== s) throw bad(r, `is in stratum ${STRATA[s]} but opens as ${STRATA[pool.strata[r]!] ?? pool.strata[r]}`);
    if (pool.area[r]! >= areas) throw bad(r, `names area ${pool.area[r]} of ${areas}`);
    for (let x = pool.exclOff[r]!; x < pool.exclOff[r + 1]!; x++) if (pool.exclIdx[x]! >= inspectors) throw bad(r, 'names an unknown inspector');
  }
  // the salts (by `cand`, the stored public order's candidates) and the frozen commitments (at
  // `positions`) were gathered into the selection's order (gatherOpenings)
  const c = commitAll(pool, g.s16, hasher), expect = g.expect;
  for (let q = 0; q < m; q++) {
    const r = rows[q]!;
    for (let w = 0; w < 8; w++) if (c[r * 8 + w] !== expect[r * 8 + w]) throw bad(r, 'does not open its commitment (salt or candidate text changed since the freeze)');
  }
  return { commitments: c, salts: g.s16 };
}

/** The drawn entries' commitments (8 words each) and salts, in the selection's order, as checkOpenings opened them. */
export interface Opened {
  commitments: Int32Array;
  salts: Uint8Array;
}

export function buildRecordV2(
  frozen: Pick<FrozenDrawV2, 'freeze' | 'freezeDigest' | 'freezeDigestSm3' | 'sorted' | 'salts'> & { pool: Pick<CompiledPool, 'inspectorIds' | 'inspectorUnits' | 'areaNames' | 'areaMembers'> },
  closed: { close: CloseRecordV2; closeDigest: string; closeDigestSm3: string },
  reveals: { witnesses: { id: string; secret: string }[]; system: string; beacons: BeaconProof[] },
  result: DrawResultV2,
  pool: DrawRecordV2['inputs']['pool'],
  saltOf?: (i: number) => string,
  /** The drawn entries' commitments and salts in the selection's order (checked against the frozen ones): read in sequence. */
  opened?: Opened,
): DrawRecordV2 {
  const f = frozen.freeze;
  const base = frozen.pool;
  const { selection: sel, pool: mp, matching: mt } = result;
  const n = sel.order.length;
  // the targets stay the draw's columns (record.targets is made from them only if read)
  let commitments = opened?.commitments, salts: Uint8Array | ((r: number) => string) | undefined = opened?.salts;
  if (!commitments) {
    commitments = new Int32Array(n * 8);
    for (let r = 0; r < n; r++) commitments.set(frozen.sorted.subarray(result.positions[r]! * 8, result.positions[r]! * 8 + 8), r * 8);
  }
  if (saltOf) salts = (r) => saltOf(sel.order[r]!);
  else if (!salts) {
    const s = new Uint8Array(n * 16);
    for (let r = 0; r < n; r++) s.set(frozen.salts.subarray(sel.order[r]! * 16, sel.order[r]! * 16 + 16), r * 16);
    salts = s;
  }
  const columns: TargetColumnsV2 = {
    n, commitments, priority: sel.priority, salts, usccBytes: mp.usccBytes, strata: mp.strata, area: mp.area, areaNames: base.areaNames,
    ids: base.inspectorIds, exclOff: mp.exclOff, exclIdx: mp.exclIdx, teamOff: mt.teamOff, teamMembers: mt.teamMembers,
  };
  const record: DrawRecordV2 = {
    algorithm: ALGORITHM_V2,
    recordVersion: RECORD_VERSION_V2,
    taskId: f.taskId,
    freezeDigest: frozen.freezeDigest,
    freezeDigestSm3: frozen.freezeDigestSm3,
    freeze: f,
    closeDigest: closed.closeDigest,
    closeDigestSm3: closed.closeDigestSm3,
    close: closed.close,
    reveals,
    seed: result.seed,
    strata: f.strata.map((s, k) => ({ stratum: s.stratum, candidates: s.candidates, ratioBp: s.ratioBp, selected: sel.perStratum[k]! })),
    matching: {
      teamSize: f.team.size,
      jointUnits: [...f.team.jointUnits],
      capYields: mt.capYields,
      areas: mt.areas.map((a) => ({ area: base.areaNames[a.area]!, selected: a.selected, seats: a.seats, inspectors: a.inspectors, share: a.share })),
      inspectors: base.inspectorIds.map((id, ix) => ({ id, cap: mt.cap[ix]!, load: mt.load[ix]! })),
    },
    targets: [],
    inputs: { pool, eligibility: publicEligibilityLines(base) },
  };
  attachTargetColumns(record, columns);
  return record;
}

/** The public record of a round that ends without a draw. */
export function outcomeRecord(
  frozen: { freeze: FreezeRecordV2; freezeDigest: string; freezeDigestSm3: string },
  outcome: 'aborted' | 'failed',
  reason: string,
  at: string,
  close: CloseRecordV2 | null,
  beacons: readonly BeaconProof[] = [],
): OutcomeRecordV2 {
  if (!reason.trim()) throw new DrawInputError('应写明本轮中止或失败的原因');
  if (!ISO_TIME.test(at)) throw new DrawInputError(`时间「${at}」应为 ISO 8601 时间`);
  return {
    algorithm: ALGORITHM_V2,
    recordVersion: RECORD_VERSION_V2,
    outcome,
    taskId: frozen.freeze.taskId,
    freezeDigest: frozen.freezeDigest,
    freezeDigestSm3: frozen.freezeDigestSm3,
    freeze: frozen.freeze,
    close,
    reason,
    at,
    beacons: [...beacons],
  };
}
