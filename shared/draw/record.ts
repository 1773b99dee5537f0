/**
 * The freeze record and the draw record: types, zod schemas (for reading untrusted files) and
 * the deterministic serialisations.
 *
 *  freezeDigest = SHA-256 of the freeze record as compact canonical JSON (keys sorted, all keys
 *                 are ASCII; no whitespace; UTF-8)
 *  record file  = the draw record with keys in the published order (see `ordered`), indented by
 *                 two spaces, plus a final "\n"
 */
import { z } from 'zod';
import { sha256Hex } from './sha256.js';
import { ID_RE, STRATA, UNIT_RE, type Stratum } from './pool.js';
import { ALGORITHM } from './ceremony.js';

export const RECORD_VERSION = 1;

export interface StratumFreeze {
  stratum: Stratum;
  candidates: number;
  ratioBp: number;
  toDraw: number;
}

/**
 * What the freeze records of v1 (§2.6) and v2 (§13) both carry: the task, the times, the input
 * digests and counts, the strata, the team and the system's commitment.
 */
export interface FreezeCommon {
  taskId: string;
  /** When the pool was frozen (ISO 8601). */
  frozenAt: string;
  /** When the draw ceremony takes place (v1) / witness registration closes (v2) (ISO 8601). */
  drawTime: string;
  poolDigest: string;
  eligibilityDigest: string;
  candidates: number;
  inspectors: number;
  areas: number;
  /** Always the five strata key, A, B, C, D in that order; key's ratio is 10000. */
  strata: StratumFreeze[];
  team: { minSize: number; size: number; jointUnits: string[] };
  systemCommitment: string;
}

export interface FreezeRecord extends FreezeCommon {
  algorithm: typeof ALGORITHM;
  /** Sorted by id. */
  witnesses: { id: string; commitment: string }[];
  beacon: { source: string; round: number } | null;
}

/** A drawn target's fields both versions publish (v2 adds the opening: commitment, salt, exclusions). */
export interface DrawTargetCommon {
  uscc: string;
  stratum: Stratum;
  priority: string;
  area: string;
  /** Ascending score; team[0] is the leader. */
  team: string[];
  leader: string;
}
export type DrawTarget = DrawTargetCommon;

/** The results both versions' records carry after the seed: per-stratum counts and matching (§5). */
export interface DrawResults {
  seed: string;
  strata: { stratum: Stratum; candidates: number; ratioBp: number; selected: number }[];
  matching: {
    teamSize: number;
    jointUnits: string[];
    /** Areas with selected targets: share = ceil(seats / inspectors). */
    areas: { area: string; selected: number; seats: number; inspectors: number; share: number }[];
    /** Every frozen inspector (id order): cap = 1 + Σ share of his areas; load = teams served. */
    inspectors: { id: string; cap: number; load: number }[];
    capYields: number;
  };
}

export interface DrawRecord extends DrawResults {
  algorithm: typeof ALGORITHM;
  recordVersion: typeof RECORD_VERSION;
  taskId: string;
  freeze: FreezeRecord;
  freezeDigest: string;
  reveals: { witnesses: { id: string; secret: string }[]; system: string; beacon: string | null };
  /** Ascending priority (the matching order). */
  targets: DrawTarget[];
  /** Frozen inputs: the exact lines behind poolDigest and eligibilityDigest (without "\n"). */
  inputs: { pool: string[]; eligibility: string[] };
}

// ------------------------------------------------------------------ schemas

export const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, { message: '应为 64 位小写十六进制' });
export const IdText = z.string().regex(ID_RE, { message: '只能包含字母、数字、点、下划线和连字符（最长 64 个字符）' });
export const IsoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, { message: '应为 ISO 8601 时间' });
const UnitText = z.string().regex(UNIT_RE, { message: '不能为空，不能包含逗号、分号或换行（最长 64 个字符）' });
export const Count = z.number().int().min(0);
export const Bp = z.number().int().min(0).max(10_000);
export const StratumName = z.enum(STRATA);

/** The fields of FreezeCommon (spread into each version's strict schema). */
export const freezeCommonShape = {
  taskId: IdText,
  frozenAt: IsoTime,
  drawTime: IsoTime,
  poolDigest: Hex64,
  eligibilityDigest: Hex64,
  candidates: Count,
  inspectors: Count,
  areas: Count,
  strata: z.array(z.strictObject({ stratum: StratumName, candidates: Count, ratioBp: Bp, toDraw: Count })).length(5),
  team: z.strictObject({ minSize: z.number().int().min(1), size: z.number().int().min(1), jointUnits: z.array(UnitText) }),
  systemCommitment: Hex64,
};

/** The fields of DrawResults. */
export const drawResultsShape = {
  seed: Hex64,
  strata: z.array(z.strictObject({ stratum: StratumName, candidates: Count, ratioBp: Bp, selected: Count })).length(5),
  matching: z.strictObject({
    teamSize: z.number().int().min(1),
    jointUnits: z.array(UnitText),
    areas: z.array(z.strictObject({ area: z.string(), selected: Count, seats: Count, inspectors: Count, share: Count })),
    inspectors: z.array(z.strictObject({ id: IdText, cap: Count, load: Count })),
    capYields: Count,
  }),
};

/** The fields of DrawTargetCommon. */
export const drawTargetShape = {
  uscc: z.string(),
  stratum: StratumName,
  priority: Hex64,
  area: z.string(),
  team: z.array(IdText).min(1),
  leader: IdText,
};

export const FreezeRecordSchema = z.strictObject({
  algorithm: z.literal(ALGORITHM),
  ...freezeCommonShape,
  witnesses: z.array(z.strictObject({ id: IdText, commitment: Hex64 })).min(1),
  beacon: z.strictObject({ source: z.string().min(1), round: Count }).nullable(),
});

export const DrawRecordSchema = z.strictObject({
  algorithm: z.literal(ALGORITHM),
  recordVersion: z.literal(RECORD_VERSION),
  taskId: IdText,
  freeze: FreezeRecordSchema,
  freezeDigest: Hex64,
  reveals: z.strictObject({
    witnesses: z.array(z.strictObject({ id: IdText, secret: z.string() })),
    system: Hex64,
    beacon: z.string().nullable(),
  }),
  ...drawResultsShape,
  targets: z.array(z.strictObject(drawTargetShape)),
  inputs: z.strictObject({ pool: z.array(z.string()), eligibility: z.array(z.string()) }),
});

const zhCN = z.locales.zhCN().localeError;

/** Parses an untrusted value with a schema; the error names the first bad field in Chinese. */
export function parseShape<T>(schema: z.ZodType, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = schema.safeParse(value, { error: zhCN });
  if (r.success) return { ok: true, value: r.data as T };
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return { ok: false, error: `记录格式错误：字段 ${path || '（根）'}：${issue.message}` };
}

/** Parses an untrusted v1 record; the error names the first bad field in Chinese. */
export function parseRecordShape(value: unknown): { ok: true; record: DrawRecord } | { ok: false; error: string } {
  const r = parseShape<DrawRecord>(DrawRecordSchema, value);
  return r.ok ? { ok: true, record: r.value } : r;
}

// ------------------------------------------------------------------ canonical JSON

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    // arrays of primitives (the million-line inputs) are kept as they are
    if (v.every((x) => x === null || typeof x !== 'object')) return v;
    return v.map(sortKeys);
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Compact canonical JSON (sorted keys, no whitespace). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

/** SHA-256 of the freeze record's compact canonical JSON (UTF-8). */
export function freezeDigestOf(freeze: FreezeRecord): string {
  return sha256Hex(Buffer.from(canonicalJson(freeze), 'utf8'));
}

/** FreezeCommon's fields up to the strata, in the published order (both versions). */
export function orderedFreezeHead(f: FreezeCommon): Omit<FreezeCommon, 'taskId' | 'team' | 'systemCommitment'> {
  return {
    frozenAt: f.frozenAt,
    drawTime: f.drawTime,
    poolDigest: f.poolDigest,
    eligibilityDigest: f.eligibilityDigest,
    candidates: f.candidates,
    inspectors: f.inspectors,
    areas: f.areas,
    strata: f.strata.map((s) => ({ stratum: s.stratum, candidates: s.candidates, ratioBp: s.ratioBp, toDraw: s.toDraw })),
  };
}

export const orderedTeam = (t: FreezeCommon['team']): FreezeCommon['team'] => ({ minSize: t.minSize, size: t.size, jointUnits: t.jointUnits });

/** DrawResults in the published order (both versions). */
export function orderedResults(r: DrawResults): DrawResults {
  return {
    seed: r.seed,
    strata: r.strata.map((s) => ({ stratum: s.stratum, candidates: s.candidates, ratioBp: s.ratioBp, selected: s.selected })),
    matching: {
      teamSize: r.matching.teamSize,
      jointUnits: r.matching.jointUnits,
      capYields: r.matching.capYields,
      areas: r.matching.areas.map((a) => ({ area: a.area, selected: a.selected, seats: a.seats, inspectors: a.inspectors, share: a.share })),
      inspectors: r.matching.inspectors.map((i) => ({ id: i.id, cap: i.cap, load: i.load })),
    },
  };
}

/**
 * The record in its published key order (readable top-down: identity, freeze, reveals, seed,
 * results, then the large frozen inputs last). Unknown keys are dropped.
 */
function ordered(r: DrawRecord): DrawRecord {
  const f = r.freeze;
  return {
    algorithm: r.algorithm,
    recordVersion: r.recordVersion,
    taskId: r.taskId,
    freezeDigest: r.freezeDigest,
    freeze: {
      algorithm: f.algorithm,
      taskId: f.taskId,
      ...orderedFreezeHead(f),
      team: orderedTeam(f.team),
      witnesses: f.witnesses.map((w) => ({ id: w.id, commitment: w.commitment })),
      systemCommitment: f.systemCommitment,
      beacon: f.beacon ? { source: f.beacon.source, round: f.beacon.round } : null,
    },
    reveals: {
      witnesses: r.reveals.witnesses.map((w) => ({ id: w.id, secret: w.secret })),
      system: r.reveals.system,
      beacon: r.reveals.beacon,
    },
    ...orderedResults(r),
    targets: r.targets.map((t) => ({ uscc: t.uscc, stratum: t.stratum, area: t.area, priority: t.priority, leader: t.leader, team: t.team })),
    inputs: { pool: r.inputs.pool, eligibility: r.inputs.eligibility },
  };
}

/** The record file: JSON in the published key order, two-space indentation, final newline. */
export function serializeRecord(record: DrawRecord): string {
  return JSON.stringify(ordered(record), null, 2) + '\n';
}
