/**
 * suiji-draw-v2 documents (docs/DRAW.md §13, §16): the freeze record, the close record, the
 * draw record and the outcome record of a round that was not drawn — types, zod schemas for
 * reading untrusted files, digests (SHA-256 and SM3 of the canonical JSON) and the record file's
 * serialisation (published key order, two-space indentation, final newline).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { z } from 'zod';
import {
  canonicalJson,
  Count,
  drawResultsShape,
  drawTargetShape,
  freezeCommonShape,
  Hex64,
  IdText,
  IsoTime,
  orderedFreezeHead,
  orderedResults,
  orderedTeam,
  parseShape,
  type DrawResults,
  type DrawTargetCommon,
  type FreezeCommon,
} from '../record.js';
import { STRATA, type Stratum } from '../pool.js';
import { lazyPoolWords, poolListBytes, poolListLength } from './pooltext.js';
import type { BeaconProof, BeaconSpec } from './beacon.js';

export const ALGORITHM_V2 = 'suiji-draw-v2';
export const RECORD_VERSION_V2 = 2;
export const ZERO_DIGEST = '0'.repeat(64);
export { parseShape };

export interface FreezeRecordV2 extends FreezeCommon {
  algorithm: typeof ALGORITHM_V2;
  department: string;
  /** The department's round number, 1, 2, … in freeze order. */
  round: number;
  /** freezeDigest / freezeDigestSm3 of the department's round `round − 1` (zeros for round 1). */
  prev: string;
  prevSm3: string;
  /** The round this one re-draws, or null. */
  redrawOf: number | null;
  beacons: BeaconSpec[];
}

export interface WitnessV2 {
  id: string;
  name: string;
  role: string;
  commitment: string;
}

export interface CloseRecordV2 {
  freezeDigest: string;
  closedAt: string;
  /** Sorted by id. */
  witnesses: WitnessV2[];
}

export interface DrawTargetV2 extends DrawTargetCommon {
  commitment: string;
  salt: string;
  /** Excluded pseudonyms (sorted), as committed. */
  exclusions: string[];
}

export interface DrawRecordV2 extends DrawResults {
  algorithm: typeof ALGORITHM_V2;
  recordVersion: typeof RECORD_VERSION_V2;
  taskId: string;
  freezeDigest: string;
  freezeDigestSm3: string;
  freeze: FreezeRecordV2;
  closeDigest: string;
  closeDigestSm3: string;
  close: CloseRecordV2;
  reveals: { witnesses: { id: string; secret: string }[]; system: string; beacons: BeaconProof[] };
  /** Ascending priority. */
  targets: DrawTargetV2[];
  inputs: { pool: Record<Stratum, string[]>; eligibility: string[] };
}

/** A round that ended without a draw: aborted (missing reveal, late close, …) or failed. */
export interface OutcomeRecordV2 {
  algorithm: typeof ALGORITHM_V2;
  recordVersion: typeof RECORD_VERSION_V2;
  outcome: 'aborted' | 'failed';
  taskId: string;
  freezeDigest: string;
  freezeDigestSm3: string;
  freeze: FreezeRecordV2;
  close: CloseRecordV2 | null;
  reason: string;
  at: string;
  /** Beacon proofs already public when the round ended (an abort after the beacon shows it). */
  beacons: BeaconProof[];
}

// ------------------------------------------------------------------ the targets as columns

/**
 * The drawn targets as the draw left them (buildRecordV2): one row per target, ascending
 * priority. A record made by the draw keeps these and makes `targets` (381,354 objects at
 * 10,000,000 candidates: with the collector promoting them, ~1.8 s) only when something reads
 * it; the record file's targets are written from the columns (targetsJsonPiece).
 */
export interface TargetColumnsV2 {
  n: number;
  /** 8 digest words per row (native order of the big-endian words, as the hasher gives them). */
  commitments: Int32Array;
  priority: Int32Array;
  /** 16 bytes per row; or the salt's hex of a row (the verifier's rebuilt record). */
  salts: Uint8Array | ((r: number) => string);
  /** 18 bytes (latin1) per row. */
  usccBytes: Uint8Array;
  strata: Uint8Array;
  area: Uint32Array;
  areaNames: readonly string[];
  /** Pseudonyms by inspector index. */
  ids: readonly string[];
  exclOff: Uint32Array;
  exclIdx: Uint32Array;
  teamOff: Uint32Array;
  teamMembers: Uint32Array;
}

const lazyTargets = new WeakMap<object, TargetColumnsV2>();

/** `record.targets` made from `cols` when first read (or replaced by an assignment). */
export function attachTargetColumns(record: { targets: DrawTargetV2[] }, cols: TargetColumnsV2): void {
  lazyTargets.set(record, cols);
  const settle = (v: DrawTargetV2[]) => {
    lazyTargets.delete(record);
    Object.defineProperty(record, 'targets', { value: v, enumerable: true, configurable: true, writable: true });
    return v;
  };
  Object.defineProperty(record, 'targets', {
    enumerable: true,
    configurable: true,
    get: () => settle(targetsFromColumns(cols)),
    set: settle,
  });
}

/** The columns behind `record.targets` if it has not been read (or replaced) yet. */
export const targetColumnsOf = (record: object): TargetColumnsV2 | undefined => lazyTargets.get(record);

/** Targets per block of column strings: each block's strings stay small (≤ 8 KB). */
const BLOCK = 128;

/** Rows [r0, r0 + m) of 8-word digests as one hex string (big-endian bytes). */
function digestsHex(d: Int32Array, r0: number, m: number, scratch: Buffer): string {
  scratch.set(new Uint8Array(d.buffer, d.byteOffset + r0 * 32, m * 32));
  return scratch.swap32().toString('hex', 0, m * 32);
}

/** The hex and latin1 text of a block of targets [r0, r0 + m): one string per column, sliced per target by the caller. */
export interface TargetBlock {
  r0: number;
  m: number;
  /** 64 hex digits per target. */
  commitments: string;
  priorities: string;
  /** 18 characters per target. */
  usccs: string;
  /** The salt's hex of target r (r0 ≤ r < r0 + m). */
  salt(r: number): string;
}

/**
 * The columns' text block by block: one hex or latin1 string per column and block of targets
 * (no per-target encoding calls; strings of a megabyte or more are several times slower to make).
 */
export function eachTargetBlock(c: TargetColumnsV2, f: (b: TargetBlock) => void): void {
  const { n, salts } = c;
  const scratch = Buffer.allocUnsafe(BLOCK * 32);
  const u = Buffer.from(c.usccBytes.buffer, c.usccBytes.byteOffset, n * 18);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const m = Math.min(BLOCK, n - r0);
    const sHex = typeof salts === 'function' ? '' : Buffer.from(salts.buffer, salts.byteOffset + r0 * 16, m * 16).toString('hex');
    f({
      r0,
      m,
      commitments: digestsHex(c.commitments, r0, m, scratch),
      priorities: digestsHex(c.priority, r0, m, scratch),
      usccs: u.toString('latin1', r0 * 18, (r0 + m) * 18),
      salt: typeof salts === 'function' ? salts : (r) => sHex.slice((r - r0) * 32, (r - r0) * 32 + 32),
    });
  }
}

/**
 * ids[idx[a]], …, ids[idx[b − 1]]: a target's team or exclusions named from the columns, in an
 * array of its exact size (push would give each a backing store of 17).
 */
export function namesAt(ids: readonly string[], idx: Uint32Array, a: number, b: number): string[] {
  const out = new Array<string>(b - a);
  for (let x = a; x < b; x++) out[x - a] = ids[idx[x]!]!;
  return out;
}

/** The targets as objects (what `record.targets` reads). */
export function targetsFromColumns(c: TargetColumnsV2): DrawTargetV2[] {
  const ids = c.ids;
  const targets: DrawTargetV2[] = new Array(c.n);
  eachTargetBlock(c, ({ r0, m, commitments, priorities, usccs, salt }) => {
    for (let k = 0; k < m; k++) {
      const r = r0 + k;
      const team = namesAt(ids, c.teamMembers, c.teamOff[r]!, c.teamOff[r + 1]!);
      const exclusions = namesAt(ids, c.exclIdx, c.exclOff[r]!, c.exclOff[r + 1]!);
      targets[r] = {
        commitment: commitments.slice(k * 64, k * 64 + 64),
        uscc: usccs.slice(k * 18, k * 18 + 18),
        salt: salt(r),
        stratum: STRATA[c.strata[r]!]!,
        area: c.areaNames[c.area[r]!]!,
        exclusions,
        priority: priorities.slice(k * 64, k * 64 + 64),
        leader: team[0]!,
        team,
      };
    }
  });
  return targets;
}

const ascii = (x: string) => Buffer.from(x, 'latin1');
/** The fixed text between a target's fields as JSON.stringify(record, null, 2) writes it (depth 2). */
const T = {
  open: ascii('\n    {\n      "commitment": "'),
  uscc: ascii('",\n      "uscc": "'),
  salt: ascii('",\n      "salt": "'),
  stratum: STRATA.map((s) => ascii(`",\n      "stratum": "${s}",\n      "area": `)),
  exclusions: ascii(',\n      "exclusions": '),
  priority: ascii(',\n      "priority": "'),
  leader: ascii('",\n      "leader": '),
  teamAfterPriority: ascii('",\n      "team": '),
  team: ascii(',\n      "team": '),
  close: ascii('\n    }'),
  empty: ascii('[]'),
  listOpen: ascii('[\n        '),
  listSep: ascii(',\n        '),
  listClose: ascii('\n      ]'),
  comma: ascii(','),
};
/** The two hex digits of each byte value. */
const HEX2 = ascii(Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join(''));
/** Fixed bytes of a target: the text above and the commitment, USCC, salt and priority (64 + 20 + 32 + 64, quotes in T). */
const FIXED = T.open.length + 64 + T.uscc.length + 18 + T.salt.length + 32 + T.exclusions.length + T.priority.length + 64 + T.close.length;

/** The JSON (UTF-8) of each area name and pseudonym, made once per record. */
const encodings = new WeakMap<TargetColumnsV2, { areas: Buffer[]; ids: Buffer[] }>();
function encodingsOf(c: TargetColumnsV2) {
  let e = encodings.get(c);
  if (!e) encodings.set(c, (e = { areas: c.areaNames.map((a) => Buffer.from(JSON.stringify(a), 'utf8')), ids: c.ids.map((id) => Buffer.from(JSON.stringify(id), 'utf8')) }));
  return e;
}

/** A USCC's 18 bytes need no escaping in JSON (always, for a frozen pool's). */
function plainUscc(u: Uint8Array, r: number): boolean {
  for (let x = r * 18; x < r * 18 + 18; x++) if (u[x]! < 0x20 || u[x]! > 0x7e || u[x] === 0x22 || u[x] === 0x5c) return false;
  return true;
}
const usccJson = (u: Uint8Array, r: number) => Buffer.from(JSON.stringify(Buffer.from(u.buffer, u.byteOffset + r * 18, 18).toString('latin1')), 'utf8');

/** The byte length of a list of pseudonyms [a, b) of `idx` as JSON at depth 2. */
function listLength(ids: Buffer[], idx: Uint32Array, a: number, b: number): number {
  if (a === b) return 2;
  let len = T.listOpen.length + T.listClose.length + (b - a - 1) * T.listSep.length;
  for (let x = a; x < b; x++) len += ids[idx[x]!]!.length;
  return len;
}

/** Bytes of targetsJsonPiece(c, a, b). */
export function targetsJsonLength(c: TargetColumnsV2, a: number, b: number): number {
  const { areas, ids } = encodingsOf(c);
  let len = 0;
  for (let r = a; r < b; r++) {
    len += (r > 0 ? 1 : 0) + FIXED + T.stratum[c.strata[r]!]!.length + areas[c.area[r]!]!.length;
    if (!plainUscc(c.usccBytes, r)) len += usccJson(c.usccBytes, r).length - 20;
    if (typeof c.salts === 'function') len += Buffer.byteLength(c.salts(r), 'utf8') - 32;
    len += listLength(ids, c.exclIdx, c.exclOff[r]!, c.exclOff[r + 1]!);
    const t0 = c.teamOff[r]!, t1 = c.teamOff[r + 1]!;
    len += t0 < t1 ? T.leader.length + ids[c.teamMembers[t0]!]!.length + T.team.length : T.teamAfterPriority.length;
    len += listLength(ids, c.teamMembers, t0, t1);
  }
  return len;
}

// targetsJsonPiece's writers: each takes the write position and returns the next (a position
// shared by closures would live in their context, loaded and stored at every byte)
function putBytes(out: Uint8Array, p: number, x: Uint8Array): number {
  for (let k = 0; k < x.length; k++) out[p++] = x[k]!;
  return p;
}
function putHexByte(out: Uint8Array, p: number, v: number): number {
  out[p] = HEX2[v * 2]!;
  out[p + 1] = HEX2[v * 2 + 1]!;
  return p + 2;
}
/** Row r of 8-word digests as 64 hex digits (big-endian words). */
function putHexWords(out: Uint8Array, p: number, w: Int32Array, r: number): number {
  for (let j = r * 8; j < r * 8 + 8; j++) {
    const v = w[j]!;
    p = putHexByte(out, p, v >>> 24);
    p = putHexByte(out, p, (v >>> 16) & 255);
    p = putHexByte(out, p, (v >>> 8) & 255);
    p = putHexByte(out, p, v & 255);
  }
  return p;
}
/** Pseudonyms idx[x0..x1) as a JSON list at depth 2. */
function putList(out: Uint8Array, p: number, ids: Buffer[], idx: Uint32Array, x0: number, x1: number): number {
  if (x0 === x1) return putBytes(out, p, T.empty);
  p = putBytes(out, p, T.listOpen);
  for (let x = x0; x < x1; x++) {
    if (x > x0) p = putBytes(out, p, T.listSep);
    p = putBytes(out, p, ids[idx[x]!]!);
  }
  return putBytes(out, p, T.listClose);
}

/**
 * Targets [a, b) as the record file holds them inside "targets": [ … ] — each as
 * JSON.stringify(record, null, 2) writes it at depth 2, a comma before all but the first
 * target of the record — written byte by byte from the columns (no object, no string per
 * target). The same bytes as the targets' objects give (test/draw/v2: the Python vectors).
 */
export function targetsJsonPiece(c: TargetColumnsV2, a: number, b: number): Buffer {
  const { areas, ids } = encodingsOf(c);
  const out = Buffer.allocUnsafe(targetsJsonLength(c, a, b));
  let p = 0;
  const u = c.usccBytes, salts = c.salts;
  for (let r = a; r < b; r++) {
    if (r > 0) p = putBytes(out, p, T.comma);
    p = putBytes(out, p, T.open);
    p = putHexWords(out, p, c.commitments, r);
    if (plainUscc(u, r)) {
      p = putBytes(out, p, T.uscc);
      for (let x = r * 18; x < r * 18 + 18; x++) out[p++] = u[x]!;
    } else {
      p = putBytes(out, p, T.uscc.subarray(0, T.uscc.length - 1));
      p = putBytes(out, p, usccJson(u, r)) - 1; // the JSON's closing quote is the next text's opening one
    }
    p = putBytes(out, p, T.salt);
    if (typeof salts === 'function') p += out.write(salts(r), p, 'utf8');
    else for (let x = r * 16; x < r * 16 + 16; x++) p = putHexByte(out, p, salts[x]!);
    p = putBytes(out, p, T.stratum[c.strata[r]!]!);
    p = putBytes(out, p, areas[c.area[r]!]!);
    p = putBytes(out, p, T.exclusions);
    p = putList(out, p, ids, c.exclIdx, c.exclOff[r]!, c.exclOff[r + 1]!);
    p = putBytes(out, p, T.priority);
    p = putHexWords(out, p, c.priority, r);
    const t0 = c.teamOff[r]!, t1 = c.teamOff[r + 1]!;
    if (t0 < t1) {
      p = putBytes(out, p, T.leader);
      p = putBytes(out, p, ids[c.teamMembers[t0]!]!);
      p = putBytes(out, p, T.team);
    } else p = putBytes(out, p, T.teamAfterPriority); // JSON.stringify leaves out an undefined leader
    p = putList(out, p, ids, c.teamMembers, t0, t1);
    p = putBytes(out, p, T.close);
  }
  if (p !== out.length) throw new Error(`targetsJsonPiece: ${p} bytes written, ${out.length} expected`);
  return out;
}

// ------------------------------------------------------------------ digests

export const sm3Hex = (data: string | Uint8Array) => createHash('sm3').update(data).digest('hex');
const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** { sha256, sm3 } of the canonical JSON of a document. */
export function digestsOf(doc: unknown): { sha256: string; sm3: string } {
  const bytes = Buffer.from(canonicalJson(doc), 'utf8');
  return { sha256: sha256Hex(bytes), sm3: sm3Hex(bytes) };
}

// ------------------------------------------------------------------ schemas

const Line = z.string().regex(/^[^\r\n]{1,200}$/, { message: '不能为空，不能包含换行（最长 200 个字符）' });

const BlsSpec = z.strictObject({
  source: z.enum(['drand-quicknet', 'suiji-local-test']),
  chainHash: Hex64,
  publicKey: z.string().regex(/^[0-9a-f]{192}$/, { message: '应为 192 位小写十六进制（BLS12-381 G2 压缩点）' }),
  genesis: Count,
  period: z.number().int().min(1),
  round: z.number().int().min(1),
});
const IndexSpec = z.strictObject({ source: z.literal('index-close'), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '应为 YYYY-MM-DD' }) });
export const BeaconSpecSchema = z.union([BlsSpec, IndexSpec]);
export const BeaconProofSchema = z.union([
  z.strictObject({ source: z.enum(['drand-quicknet', 'suiji-local-test']), round: z.number().int().min(1), signature: z.string(), randomness: z.string() }),
  z.strictObject({
    source: z.literal('index-close'),
    date: z.string(),
    values: z.array(z.strictObject({ name: z.string(), code: z.string(), close: z.string() })),
    enteredBy: z.array(z.string()),
    randomness: z.string(),
  }),
]);

export const FreezeRecordV2Schema = z.strictObject({
  algorithm: z.literal(ALGORITHM_V2),
  ...freezeCommonShape,
  department: IdText,
  round: z.number().int().min(1),
  prev: Hex64,
  prevSm3: Hex64,
  redrawOf: z.number().int().min(1).nullable(),
  beacons: z.array(BeaconSpecSchema).min(1, { message: 'v2 至少需要一个公共随机信标' }),
});

export const CloseRecordV2Schema = z.strictObject({
  freezeDigest: Hex64,
  closedAt: IsoTime,
  witnesses: z.array(z.strictObject({ id: IdText, name: Line, role: Line, commitment: Hex64 })).min(1),
});

export const DrawRecordV2Schema = z.strictObject({
  algorithm: z.literal(ALGORITHM_V2),
  recordVersion: z.literal(RECORD_VERSION_V2),
  taskId: IdText,
  freezeDigest: Hex64,
  freezeDigestSm3: Hex64,
  freeze: FreezeRecordV2Schema,
  closeDigest: Hex64,
  closeDigestSm3: Hex64,
  close: CloseRecordV2Schema,
  reveals: z.strictObject({
    witnesses: z.array(z.strictObject({ id: IdText, secret: z.string() })),
    system: Hex64,
    beacons: z.array(BeaconProofSchema),
  }),
  ...drawResultsShape,
  targets: z.array(
    z.strictObject({
      ...drawTargetShape,
      commitment: Hex64,
      salt: z.string().regex(/^[0-9a-f]{32}$/, { message: '应为 32 位小写十六进制' }),
      exclusions: z.array(IdText),
    }),
  ),
  inputs: z.strictObject({
    pool: z.strictObject({ key: z.array(Hex64), A: z.array(Hex64), B: z.array(Hex64), C: z.array(Hex64), D: z.array(Hex64) }),
    eligibility: z.array(z.string()),
  }),
});

export const OutcomeRecordV2Schema = z.strictObject({
  algorithm: z.literal(ALGORITHM_V2),
  recordVersion: z.literal(RECORD_VERSION_V2),
  outcome: z.enum(['aborted', 'failed']),
  taskId: IdText,
  freezeDigest: Hex64,
  freezeDigestSm3: Hex64,
  freeze: FreezeRecordV2Schema,
  close: CloseRecordV2Schema.nullable(),
  reason: z.string().min(1),
  at: IsoTime,
  beacons: z.array(BeaconProofSchema),
});

// ------------------------------------------------------------------ serialisation

function orderedFreeze(f: FreezeRecordV2): FreezeRecordV2 {
  return {
    algorithm: f.algorithm, taskId: f.taskId, department: f.department, round: f.round, prev: f.prev, prevSm3: f.prevSm3,
    redrawOf: f.redrawOf, ...orderedFreezeHead(f), team: orderedTeam(f.team), systemCommitment: f.systemCommitment,
    beacons: f.beacons,
  };
}

const orderedClose = (c: CloseRecordV2): CloseRecordV2 => ({
  freezeDigest: c.freezeDigest,
  closedAt: c.closedAt,
  witnesses: c.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: w.commitment })),
});

const orderedTarget = (t: DrawTargetV2): DrawTargetV2 => ({
  commitment: t.commitment, uscc: t.uscc, salt: t.salt, stratum: t.stratum, area: t.area, exclusions: t.exclusions,
  priority: t.priority, leader: t.leader, team: t.team,
});

/** The record in its published key order (large inputs last); `targets`, `inputs`: in their place (r's not read). */
function ordered(r: DrawRecordV2, targets = r.targets, inputs = r.inputs): DrawRecordV2 {
  return {
    algorithm: r.algorithm, recordVersion: r.recordVersion, taskId: r.taskId,
    freezeDigest: r.freezeDigest, freezeDigestSm3: r.freezeDigestSm3, freeze: orderedFreeze(r.freeze),
    closeDigest: r.closeDigest, closeDigestSm3: r.closeDigestSm3, close: orderedClose(r.close),
    reveals: { witnesses: r.reveals.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: r.reveals.system, beacons: r.reveals.beacons },
    ...orderedResults(r),
    targets: targets.map(orderedTarget),
    inputs: { pool: { key: inputs.pool.key, A: inputs.pool.A, B: inputs.pool.B, C: inputs.pool.C, D: inputs.pool.D }, eligibility: inputs.eligibility },
  };
}

const EMPTY_POOL_JSON = '\n    "pool": {\n      "key": [],\n      "A": [],\n      "B": [],\n      "C": [],\n      "D": []\n    },\n';

export function serializeRecordV2(record: DrawRecordV2): string {
  const parts = recordParts(record);
  return typeof parts === 'string' ? parts : [...parts].map((x) => (typeof x === 'string' ? x : x.toString('utf8'))).join('');
}

/**
 * serializeRecordV2's UTF-8 bytes, made without the record as one string: the pool lists (three
 * quarters of a large record, ASCII) go from the words to bytes; turning the whole text into
 * one string and encoding it took longer than the draw.
 */
export function serializeRecordV2Bytes(record: DrawRecordV2): Buffer {
  return Buffer.concat([...recordV2Chunks(record)]);
}

/**
 * serializeRecordV2's UTF-8 bytes as a sequence of Buffers (at most ~5 MB each, but for the text
 * before the pool), for writing a record of any size: a 10,000,000-candidate record is ~0.9 GB,
 * more than one JavaScript string can hold, and needs no buffer of its whole size either.
 * `reuse`: every pool piece is written into one buffer, valid until the next chunk is taken (for a
 * writer: 10,000,000 entries in new 5 MB buffers left ~1 GB to the garbage collector at once).
 */
export function* recordV2Chunks(record: DrawRecordV2, piece = POOL_PIECE, reuse = false): Generator<Buffer> {
  const parts = recordParts(record, piece, reuse);
  if (typeof parts === 'string') {
    yield Buffer.from(parts, 'utf8');
    return;
  }
  for (const x of parts) yield typeof x === 'string' ? Buffer.from(x, 'utf8') : x;
}

/**
 * The record's bytes for a stream that must know its length first (S3 PutObject): the length,
 * and the chunks, made as they are read. The text around the pool (the targets: about a sixth of
 * a large record) is made first and kept; each pool piece is made when its turn comes (a new
 * buffer each: a stream may still hold the previous one). Never one buffer of the whole record.
 */
export function recordV2Stream(record: DrawRecordV2, piece = POOL_PIECE): { length: number; chunks: Iterable<Buffer> } {
  const parts = recordParts(record, piece, false, true);
  if (typeof parts === 'string') {
    const b = Buffer.from(parts, 'utf8');
    return { length: b.length, chunks: [b] };
  }
  const list: (Buffer | LazyPiece | undefined)[] = [];
  let length = 0;
  for (const x of parts) {
    const y = typeof x === 'string' ? Buffer.from(x, 'utf8') : x;
    list.push(y);
    length += y.length;
  }
  function* chunks(): Generator<Buffer> {
    for (let k = 0; k < list.length; k++) {
      const x = list[k]!;
      list[k] = undefined; // the stream holds what it still needs
      yield Buffer.isBuffer(x) ? x : x.make();
    }
  }
  return { length, chunks: chunks() };
}

/** A pool piece not made yet: its length, and how to make it. */
interface LazyPiece {
  length: number;
  make(): Buffer;
}

/** Writes the record to `path` (created or replaced) chunk by chunk. */
export function writeRecordV2File(record: DrawRecordV2, path: string): number {
  const fd = openSync(path, 'w');
  let size = 0;
  try {
    for (const chunk of recordV2Chunks(record, POOL_PIECE, true)) {
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
      size += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return size;
}

/** Entries per pool-list piece: 65,536 × 76 bytes ≈ 5 MB. */
export const POOL_PIECE = 65_536;

/** Targets per piece of the targets' text (~400 bytes each). */
const TARGET_PIECE = 8_192;
const EMPTY_TARGETS_JSON = '\n  "targets": [],\n';

/**
 * The record's text, or its pieces when the pool lists are still words (runDrawV2's records);
 * `lazy`: the pool pieces as LazyPiece.
 */
function recordParts(record: DrawRecordV2, piece: number, reuse: boolean, lazy: true): string | Iterable<string | LazyPiece>;
function recordParts(record: DrawRecordV2, piece?: number, reuse?: boolean): string | Iterable<string | Buffer>;
function recordParts(record: DrawRecordV2, piece = POOL_PIECE, reuse = false, lazy = false): string | Iterable<string | Buffer | LazyPiece> {
  const words = lazyPoolWords(record.inputs);
  if (!words) return JSON.stringify(ordered(record), null, 2) + '\n';
  // The record with empty lists, then each list written straight from the words — the same bytes.
  // The targets too are written in pieces (382,000 at 10,000,000 candidates: ~160 MB of text).
  const { sorted, bounds } = words;
  // the draw's columns if `targets` was not read: written from them, no object per target
  const cols = targetColumnsOf(record);
  const targets = cols ? undefined : record.targets;
  const count = cols ? cols.n : targets!.length;
  const text = JSON.stringify(ordered(record, [], { pool: { key: [], A: [], B: [], C: [], D: [] }, eligibility: record.inputs.eligibility }), null, 2) + '\n';
  // raw newlines occur only between tokens, never inside a string: these are the top-level
  // targets and the pool, once each
  const tat = text.indexOf(EMPTY_TARGETS_JSON);
  const at = text.indexOf(EMPTY_POOL_JSON);
  const targetPiece = Math.max(1, Math.floor((piece * TARGET_PIECE) / POOL_PIECE));
  const scratch = reuse ? Buffer.allocUnsafe(piece * 76 + 7) : undefined;
  return (function* () {
    if (!count) yield text.slice(0, at) + '\n    "pool": {';
    else {
      yield text.slice(0, tat) + '\n  "targets": [';
      for (let p = 0; p < count; p += targetPiece) {
        const q = Math.min(count, p + targetPiece);
        if (cols) {
          yield lazy ? { length: targetsJsonLength(cols, p, q), make: () => targetsJsonPiece(cols, p, q) } : targetsJsonPiece(cols, p, q);
          continue;
        }
        // the array's elements as JSON.stringify writes them at depth 1: indented two more
        const inner = JSON.stringify(targets!.slice(p, q).map(orderedTarget), null, 2).slice(1, -2).replaceAll('\n', '\n  ');
        yield p ? ',' + inner : inner;
      }
      yield '\n  ],\n' + text.slice(tat + EMPTY_TARGETS_JSON.length, at) + '\n    "pool": {';
    }
    for (let k = 0; k < 5; k++) {
      const a = bounds[k]!, b = bounds[k + 1]!;
      yield `\n      "${STRATA[k]}": [`;
      // each piece but the last ends with its comma; the last ends the list's text
      for (let p = a; p < b; p += piece) {
        const q = Math.min(b, p + piece);
        yield lazy ? { length: poolListLength(p, q, q < b), make: () => poolListBytes(sorted, p, q, q < b) } : poolListBytes(sorted, p, q, q < b, scratch);
      }
      yield `]${k < 4 ? ',' : ''}`;
    }
    yield '\n    },\n' + text.slice(at + EMPTY_POOL_JSON.length);
  })();
}

export function serializeOutcomeV2(o: OutcomeRecordV2): string {
  const out: OutcomeRecordV2 = {
    algorithm: o.algorithm, recordVersion: o.recordVersion, outcome: o.outcome, taskId: o.taskId,
    freezeDigest: o.freezeDigest, freezeDigestSm3: o.freezeDigestSm3, freeze: orderedFreeze(o.freeze),
    close: o.close ? orderedClose(o.close) : null, reason: o.reason, at: o.at, beacons: o.beacons,
  };
  return JSON.stringify(out, null, 2) + '\n';
}
