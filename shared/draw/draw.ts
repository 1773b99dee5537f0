/**
 * The draw's two phases: `freezeDraw` (before any secret is revealed) and `runDraw` (at the
 * ceremony). Also `loadFrozen`, to resume from a stored freeze record and its input lines.
 */
import { ALGORITHM, checkReveals, seedOfRound, type Reveals } from './ceremony.js';
import { DrawInfeasibleError, DrawInputError } from './errors.js';
import { findShortages, matchTeams, type MatchParams, type Matching, type ShortageLabels } from './match.js';
import {
  compilePool,
  digestLines,
  eligibilityLines,
  HEX64,
  ID_RE,
  ISO_TIME,
  UNIT_RE,
  parsePoolLines,
  poolLines,
  STRATA,
  usccAt,
  type CompiledPool,
  type DrawPool,
  type FreezeHelper,
  type Stratum,
} from './pool.js';
import { freezeDigestOf, RECORD_VERSION, serializeRecord, type DrawRecord, type FreezeRecord } from './record.js';
import { selectTargets, type Selection } from './select.js';
import { wordsToHex } from './sha256.js';
import { createHasher, type BatchHasher } from './simd.js';
import { drawCount, FULL_BP, teamSize } from '../domain/sampling.js';


/** The freeze input fields of v1 and v2 alike. */
export interface FreezeInputCommon {
  taskId: string;
  pool: DrawPool;
  /** Ratios per risk class in basis points (300 = 3 %); the key stratum is always 10000. */
  ratiosBp: { A: number; B: number; C: number; D: number };
  /** Minimum team size: the department profile's `minInspectorsPerTarget`. */
  minTeamSize: number;
  /** Joint task: the participating departments (or sections); each team includes one of each. */
  jointUnits?: readonly string[];
  frozenAt: string;
  drawTime: string;
  systemCommitment: string;
  /** Wording for infeasibility messages only (not frozen). */
  labels?: ShortageLabels;
  /** A second thread for the pool text (large pools); the result is the same without it. */
  helper?: FreezeHelper;
}

export interface FreezeInput extends FreezeInputCommon {
  witnesses: readonly { id: string; commitment: string }[];
  /** Public randomness beacon round fixed now, revealed at the ceremony; null if none. */
  beacon?: { source: string; round: number } | null;
}

export interface FrozenDraw {
  freeze: FreezeRecord;
  freezeDigest: string;
  pool: CompiledPool;
}

export const drawCounts = (f: FreezeRecord) => f.strata.map((s) => s.toDraw);
export const matchParams = (f: FreezeRecord): MatchParams => ({ teamSize: f.team.size, jointUnits: f.team.jointUnits });

/** Freeze parameters v1 and v2 share: the two instants, the ratios per risk class, the minimum team. */
export function checkScheduleAndSampling(input: { frozenAt: string; drawTime: string; ratiosBp: Record<'A' | 'B' | 'C' | 'D', number>; minTeamSize: number }): void {
  if (!ISO_TIME.test(input.frozenAt)) throw new DrawInputError(`冻结时间「${input.frozenAt}」应为 ISO 8601 时间`);
  if (!ISO_TIME.test(input.drawTime)) throw new DrawInputError(`抽取时间「${input.drawTime}」应为 ISO 8601 时间`);
  for (const c of ['A', 'B', 'C', 'D'] as const) {
    const r = input.ratiosBp[c];
    if (!Number.isInteger(r) || r < 0 || r > 10_000) throw new DrawInputError(`${c} 类抽查比例应为 0 到 10000 之间的整数（万分比）`);
  }
  if (!Number.isInteger(input.minTeamSize) || input.minTeamSize < 1) throw new DrawInputError('检查组最少人数应为正整数');
}

/** Freeze parameters v1 and v2 share: the system's commitment and the joint units. */
export function checkSystemAndUnits(input: { systemCommitment: string; jointUnits?: readonly string[] | undefined }): void {
  if (!HEX64.test(input.systemCommitment)) throw new DrawInputError('系统承诺应为 64 位小写十六进制（SHA-256）');
  for (const u of input.jointUnits ?? []) if (!UNIT_RE.test(u)) throw new DrawInputError(`联合检查单位编号「${u}」格式不正确`);
}

function checkFreezeParams(input: FreezeInput): void {
  if (!ID_RE.test(input.taskId)) throw new DrawInputError(`任务编号「${input.taskId}」格式不正确`);
  checkScheduleAndSampling(input);
  if (!input.witnesses.length) throw new DrawInputError('至少需要一名见证人');
  const seen = new Set<string>();
  for (const w of input.witnesses) {
    if (!ID_RE.test(w.id) || w.id === 'system' || w.id === 'beacon') throw new DrawInputError(`见证人编号「${w.id}」格式不正确`);
    if (seen.has(w.id)) throw new DrawInputError(`见证人编号「${w.id}」重复`);
    seen.add(w.id);
    if (!HEX64.test(w.commitment)) throw new DrawInputError(`见证人「${w.id}」的承诺应为 64 位小写十六进制（SHA-256）`);
  }
  checkSystemAndUnits(input);
  const b = input.beacon;
  if (b && (!b.source || !Number.isInteger(b.round) || b.round < 0)) throw new DrawInputError('公共随机信标应指定来源和非负整数轮次');
}

/**
 * Phase 1's common core (v1 and v2): the compiled pool, the count per stratum and the team, or
 * DrawInputError / DrawInfeasibleError before anything exists.
 */
export function feasiblePool(input: Pick<FreezeInput, 'pool' | 'helper' | 'ratiosBp' | 'jointUnits' | 'minTeamSize' | 'labels'>, opts: { texts?: boolean } = {}): {
  pool: CompiledPool & { poolDigest: string; eligibilityDigest: string; free?: Uint32Array };
  strata: { stratum: Stratum; candidates: number; ratioBp: number; toDraw: number }[];
  team: { minSize: number; size: number; jointUnits: string[] };
} {
  const pool = compilePool(input.pool, input.helper, opts);
  if (pool.n === 0) throw new DrawInputError('检查对象范围内没有可抽取的检查对象');
  const ratios = [FULL_BP, input.ratiosBp.A, input.ratiosBp.B, input.ratiosBp.C, input.ratiosBp.D];
  const counts = ratios.map((r, s) => drawCount(pool.strataCounts[s]!, r));
  if (counts.every((c) => c === 0)) throw new DrawInputError('按抽查比例计算，没有需要抽取的检查对象');
  const jointUnits = [...new Set(input.jointUnits ?? [])].sort();
  const team = { minSize: input.minTeamSize, size: teamSize(input.minTeamSize, jointUnits.length), jointUnits };
  const shortages = findShortages(pool, counts, { teamSize: team.size, jointUnits }, input.labels);
  if (shortages.length) throw new DrawInfeasibleError(shortages);
  const strata = STRATA.map((stratum, s) => ({ stratum, candidates: pool.strataCounts[s]!, ratioBp: ratios[s]!, toDraw: counts[s]! }));
  return { pool, strata, team };
}

/**
 * Phase 1. Validates, checks feasibility (throws DrawInfeasibleError before anything exists),
 * computes the digests and returns the freeze record to publish.
 */
export function freezeDraw(input: FreezeInput): FrozenDraw {
  checkFreezeParams(input);
  const { pool, strata, team } = feasiblePool(input);

  const freeze: FreezeRecord = {
    algorithm: ALGORITHM,
    taskId: input.taskId,
    frozenAt: input.frozenAt,
    drawTime: input.drawTime,
    poolDigest: pool.poolDigest,
    eligibilityDigest: pool.eligibilityDigest,
    candidates: pool.n,
    inspectors: pool.inspectorIds.length,
    areas: pool.areaNames.length,
    strata,
    team,
    witnesses: [...input.witnesses].map((w) => ({ id: w.id, commitment: w.commitment })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    systemCommitment: input.systemCommitment,
    beacon: input.beacon ? { source: input.beacon.source, round: input.beacon.round } : null,
  };
  return { freeze, freezeDigest: freezeDigestOf(freeze), pool };
}

/** The frozen input lines to store and publish with the freeze record. */
export function frozenInputs(f: FrozenDraw): { pool: string[]; eligibility: string[] } {
  return { pool: poolLines(f.pool), eligibility: eligibilityLines(f.pool) };
}

/**
 * Checks that lines and freeze record belong together; returns the first inconsistency in
 * words, or the compiled pool.
 */
export function checkFrozenInputs(freeze: FreezeRecord, inputs: { pool: readonly string[]; eligibility: readonly string[] }): { ok: true; pool: CompiledPool } | { ok: false; error: string } {
  const pd = digestLines(inputs.pool);
  if (pd !== freeze.poolDigest) {
    return { ok: false, error: `对象池摘要不一致：freeze.poolDigest 为 ${freeze.poolDigest}，按 inputs.pool 重新计算为 ${pd}（冻结的对象池或其摘要被改动）` };
  }
  const ed = digestLines(inputs.eligibility);
  if (ed !== freeze.eligibilityDigest) {
    return { ok: false, error: `检查人员资格摘要不一致：freeze.eligibilityDigest 为 ${freeze.eligibilityDigest}，按 inputs.eligibility 重新计算为 ${ed}（冻结的资格清单或其摘要被改动）` };
  }
  let pool: CompiledPool;
  try {
    pool = parsePoolLines(inputs.pool, inputs.eligibility);
  } catch (e) {
    return { ok: false, error: `冻结输入不合规范：${(e as Error).message}` };
  }
  const diff = (field: string, recorded: unknown, derived: unknown) =>
    ({ ok: false as const, error: `冻结记录 ${field} 不一致：记录为 ${JSON.stringify(recorded)}，按冻结输入重新计算为 ${JSON.stringify(derived)}` });
  if (freeze.candidates !== pool.n) return diff('freeze.candidates', freeze.candidates, pool.n);
  if (freeze.inspectors !== pool.inspectorIds.length) return diff('freeze.inspectors', freeze.inspectors, pool.inspectorIds.length);
  if (freeze.areas !== pool.areaNames.length) return diff('freeze.areas', freeze.areas, pool.areaNames.length);
  for (let s = 0; s < 5; s++) {
    const st = freeze.strata[s]!;
    if (st.stratum !== STRATA[s]) return diff(`freeze.strata[${s}].stratum`, st.stratum, STRATA[s]);
    if (st.candidates !== pool.strataCounts[s]) return diff(`freeze.strata[${s}].candidates`, st.candidates, pool.strataCounts[s]);
    if (s === 0 && st.ratioBp !== FULL_BP) return diff('freeze.strata[0].ratioBp', st.ratioBp, FULL_BP);
    const n = drawCount(st.candidates, st.ratioBp);
    if (st.toDraw !== n) return diff(`freeze.strata[${s}].toDraw`, st.toDraw, n);
  }
  const units = [...new Set(freeze.team.jointUnits)].sort();
  if (JSON.stringify(units) !== JSON.stringify(freeze.team.jointUnits)) return diff('freeze.team.jointUnits', freeze.team.jointUnits, units);
  const size = teamSize(freeze.team.minSize, units.length);
  if (freeze.team.size !== size) return diff('freeze.team.size', freeze.team.size, size);
  const ids = freeze.witnesses.map((w) => w.id);
  const sortedIds = [...new Set(ids)].sort();
  if (JSON.stringify(ids) !== JSON.stringify(sortedIds)) return diff('freeze.witnesses（应按编号升序且不重复）', ids, sortedIds);
  if (ids.includes('system') || ids.includes('beacon')) return { ok: false, error: '冻结记录 freeze.witnesses 使用了保留编号 system 或 beacon' };
  return { ok: true, pool };
}

/** Phase 2 after a restart: rebuild the frozen draw from its stored record and lines. */
export function loadFrozen(freeze: FreezeRecord, inputs: { pool: readonly string[]; eligibility: readonly string[] }): FrozenDraw {
  const r = checkFrozenInputs(freeze, inputs);
  if (!r.ok) throw new DrawInputError(r.error);
  return { freeze, freezeDigest: freezeDigestOf(freeze), pool: r.pool };
}

export interface DrawResult {
  seed: string;
  selection: Selection;
  matching: Matching;
}

/** Steps 3 and 4 for a given seed (no reveal checking): what the verifier re-runs. */
export function drawWithSeed(pool: CompiledPool, freeze: FreezeRecord, seed: string, hasher: BatchHasher = createHasher()): DrawResult {
  const selection = selectTargets(pool, seed, drawCounts(freeze), hasher);
  const matching = matchTeams(pool, selection, seed, matchParams(freeze), hasher);
  return { seed, selection, matching };
}

/**
 * Phase 2, the ceremony. Throws RevealMismatchError (naming the witness) or MissingRevealError
 * before anything is drawn; otherwise returns the complete draw record.
 */
export function runDraw(
  frozen: FrozenDraw,
  reveals: Reveals,
  opts: {
    hasher?: BatchHasher;
    /** The stored input lines, if at hand; otherwise they are generated from the frozen pool. */
    inputs?: { pool: string[]; eligibility: string[] };
    /** Leave `inputs` empty: write the file with serializeRecordChunks (large pools). */
    omitInputs?: boolean;
  } = {},
): DrawRecord {
  const f = frozen.freeze;
  const r = checkReveals(f, reveals);
  const seed = seedOfRound(f, r);
  const result = drawWithSeed(frozen.pool, f, seed, opts.hasher);
  const inputs = opts.omitInputs ? { pool: [], eligibility: [] } : (opts.inputs ?? frozenInputs(frozen));
  return buildRecord(frozen, r, result, inputs);
}

/**
 * The record file in pieces, with the input lines generated from the frozen pool on the fly, so
 * a million-candidate record never exists as one string or as millions of line strings (stream
 * the pieces to S3 or a file). `record.inputs` is ignored. The concatenation equals
 * serializeRecord() of the record with its inputs.
 */
export function* serializeRecordChunks(record: DrawRecord, frozen: FrozenDraw, linesPerChunk = 8192): Generator<string> {
  const text = serializeRecord({ ...record, inputs: { pool: [], eligibility: [] } });
  const tail = '  "inputs": {\n    "pool": [],\n    "eligibility": []\n  }\n}\n';
  if (!text.endsWith(tail)) throw new Error('unexpected record layout');
  yield text.slice(0, text.length - tail.length);
  const p = frozen.pool;
  const all = Buffer.from(p.usccBytes.buffer, p.usccBytes.byteOffset, p.n * 18).toString('latin1');
  const I = '      ';
  // pool and cand lines use only [0-9A-Za-z,;._-] and need no JSON escaping; insp/area lines may
  yield '  "inputs": {\n    "pool": [';
  const parts: string[] = [];
  for (let i = 0; i < p.n; i += linesPerChunk) {
    parts.length = 0;
    for (let k = i; k < Math.min(p.n, i + linesPerChunk); k++) parts.push(`${k ? ',' : ''}\n${I}"${all.slice(k * 18, k * 18 + 18)},${STRATA[p.strata[k]!]}"`);
    yield parts.join('');
  }
  yield p.n ? '\n    ],\n    "eligibility": [' : '],\n    "eligibility": [';
  const head = eligibilityLines({ ...p, n: 0 });
  let first = true;
  let out = '';
  for (const l of head) {
    out += `${first ? '' : ','}\n${I}${JSON.stringify(l)}`;
    first = false;
  }
  yield out;
  const plain = p.areaNames.map((_, k) => `cand,${k},`);
  for (let i = 0; i < p.n; i += linesPerChunk) {
    parts.length = 0;
    for (let k = i; k < Math.min(p.n, i + linesPerChunk); k++) {
      let ex = '';
      for (let j = p.exclOff[k]!; j < p.exclOff[k + 1]!; j++) ex += (ex ? ';' : '') + p.inspectorIds[p.exclIdx[j]!];
      parts.push(`${first ? '' : ','}\n${I}"${plain[p.area[k]!]}${ex}"`);
      first = false;
    }
    yield parts.join('');
  }
  yield first ? ']\n  }\n}\n' : '\n    ]\n  }\n}\n';
}

export function buildRecord(
  frozen: FrozenDraw,
  reveals: { witnesses: { id: string; secret: string }[]; system: string; beacon: string | null },
  result: DrawResult,
  inputs: { pool: string[]; eligibility: string[] },
): DrawRecord {
  const p = frozen.pool;
  const f = frozen.freeze;
  const { selection: sel, matching: m } = result;
  const targets = Array.from(sel.order, (i, r) => {
    const team = Array.from(m.teamMembers.subarray(m.teamOff[r]!, m.teamOff[r + 1]!), (ix) => p.inspectorIds[ix]!);
    return {
      uscc: usccAt(p, i),
      stratum: STRATA[p.strata[i]!]!,
      priority: wordsToHex(sel.priority, r * 8),
      area: p.areaNames[p.area[i]!]!,
      team,
      leader: team[0]!,
    };
  });
  return {
    algorithm: ALGORITHM,
    recordVersion: RECORD_VERSION,
    taskId: f.taskId,
    freeze: f,
    freezeDigest: frozen.freezeDigest,
    reveals: { witnesses: reveals.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: reveals.system, beacon: reveals.beacon },
    seed: result.seed,
    strata: f.strata.map((s, k) => ({ stratum: s.stratum, candidates: s.candidates, ratioBp: s.ratioBp, selected: sel.perStratum[k]! })),
    matching: {
      teamSize: f.team.size,
      jointUnits: [...f.team.jointUnits],
      areas: m.areas.map((a) => ({ area: p.areaNames[a.area]!, selected: a.selected, seats: a.seats, inspectors: a.inspectors, share: a.share })),
      inspectors: p.inspectorIds.map((id, ix) => ({ id, cap: m.cap[ix]!, load: m.load[ix]! })),
      capYields: m.capYields,
    },
    targets,
    inputs,
  };
}
