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

/** The record in its published key order (large inputs last). */
function ordered(r: DrawRecordV2): DrawRecordV2 {
  return {
    algorithm: r.algorithm, recordVersion: r.recordVersion, taskId: r.taskId,
    freezeDigest: r.freezeDigest, freezeDigestSm3: r.freezeDigestSm3, freeze: orderedFreeze(r.freeze),
    closeDigest: r.closeDigest, closeDigestSm3: r.closeDigestSm3, close: orderedClose(r.close),
    reveals: { witnesses: r.reveals.witnesses.map((w) => ({ id: w.id, secret: w.secret })), system: r.reveals.system, beacons: r.reveals.beacons },
    ...orderedResults(r),
    targets: r.targets.map(orderedTarget),
    inputs: { pool: { key: r.inputs.pool.key, A: r.inputs.pool.A, B: r.inputs.pool.B, C: r.inputs.pool.C, D: r.inputs.pool.D }, eligibility: r.inputs.eligibility },
  };
}

const EMPTY_POOL_JSON = '\n    "pool": {\n      "key": [],\n      "A": [],\n      "B": [],\n      "C": [],\n      "D": []\n    },\n';

export function serializeRecordV2(record: DrawRecordV2): string {
  const parts = recordParts(record);
  return typeof parts === 'string' ? parts : [...parts].map((x) => (typeof x === 'string' ? x : x.toString('latin1'))).join('');
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
  const { targets } = record;
  const text = JSON.stringify(ordered({ ...record, targets: [], inputs: { pool: { key: [], A: [], B: [], C: [], D: [] }, eligibility: record.inputs.eligibility } }), null, 2) + '\n';
  // raw newlines occur only between tokens, never inside a string: these are the top-level
  // targets and the pool, once each
  const tat = text.indexOf(EMPTY_TARGETS_JSON);
  const at = text.indexOf(EMPTY_POOL_JSON);
  const targetPiece = Math.max(1, Math.floor((piece * TARGET_PIECE) / POOL_PIECE));
  const scratch = reuse ? Buffer.allocUnsafe(piece * 76 + 7) : undefined;
  return (function* () {
    if (!targets.length) yield text.slice(0, at) + '\n    "pool": {';
    else {
      yield text.slice(0, tat) + '\n  "targets": [';
      for (let p = 0; p < targets.length; p += targetPiece) {
        // the array's elements as JSON.stringify writes them at depth 1: indented two more
        const inner = JSON.stringify(targets.slice(p, p + targetPiece).map(orderedTarget), null, 2).slice(1, -2).replaceAll('\n', '\n  ');
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
