/**
 * The frozen state of a v2 round in binary (docs/DRAW.md §16 "Internal state", §19): what
 * FreezePool stores and RunDraw reads back. One buffer:
 *
 *   "SUIJIFZ2"  u32 header length  u32 n            (16 bytes, little-endian)
 *   header      JSON: freeze record and digests, public eligibility lines, pseudonyms, extras
 *   commitments n × 32 raw bytes, public order (stratum, then commitment): poolDigest's input
 *   openings    columns in public order: USCC (18 B), salt (16 B), stratum (1 B), area (u32),
 *               exclusion offsets (n + 1 × u32), exclusion inspector indices (u32)
 *
 * every section 8-byte aligned. Loading checks by digest only: the freeze record against its
 * freezeDigest, the commitments against the freeze's poolDigest, the eligibility lines against
 * its eligibilityDigest. The openings are NOT re-committed here: runDrawV2 opens the drawn
 * entries and checks each against its commitment (§19 says why that is as strong as recomputing
 * every commitment).
 */
import { createHash } from 'node:crypto';
import { STRATA, type CompiledPool } from '../pool.js';
import { iota } from './commit.js';
import { linesDigest, publicEligibilityLines, type FrozenDrawV2 } from './draw.js';
import { parsePublicEligibility } from './pooltext.js';
import { digestsOf, type FreezeRecordV2 } from './record.js';

const MAGIC = Buffer.from('SUIJIFZ2', 'latin1');
const align8 = (x: number) => (x + 7) & ~7;

export interface FrozenHeaderV2 {
  freeze: FreezeRecordV2;
  freezeDigest: string;
  freezeDigestSm3: string;
  /** Public eligibility lines (pseudonyms). */
  eligibility: string[];
  /** Pseudonym → registry inspector id. */
  pseudonyms: Record<string, string>;
}

/** A decoded (not yet checked) frozen state: the header and views of the columns, public order. */
export interface DecodedFrozenV2<H extends FrozenHeaderV2 = FrozenHeaderV2> {
  header: H;
  n: number;
  /** n × 32 raw commitment bytes, public order. */
  commitmentBytes: Uint8Array;
  /** The openings' columns, public order. */
  pool: Pick<CompiledPool, 'n' | 'usccBytes' | 'strata' | 'area' | 'exclOff' | 'exclIdx'>;
  salts: Uint8Array;
}

function layout(n: number, headerLen: number, excl: number) {
  const commitments = 16 + align8(headerLen);
  const uscc = commitments + n * 32;
  const salts = uscc + align8(n * 18);
  const strata = salts + n * 16;
  const area = strata + align8(n);
  const exclOff = area + align8(n * 4);
  const exclIdx = exclOff + align8((n + 1) * 4);
  return { commitments, uscc, salts, strata, area, exclOff, exclIdx, end: exclIdx + align8(excl * 4) };
}

/**
 * The binary state of a frozen round (public order: the pool's columns gathered by `order`);
 * `extra` joins the header (e.g. the system's secret).
 */
export function encodeFrozenV2(f: FrozenDrawV2, extra: Record<string, unknown> = {}): Buffer {
  const p = f.pool, n = p.n, order = f.order;
  const header: FrozenHeaderV2 & { exclusions: number } = {
    ...extra,
    freeze: f.freeze,
    freezeDigest: f.freezeDigest,
    freezeDigestSm3: f.freezeDigestSm3,
    eligibility: publicEligibilityLines(p),
    pseudonyms: Object.fromEntries(f.pseudonyms),
    exclusions: p.exclIdx.length,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const L = layout(n, json.length, p.exclIdx.length);
  const out = Buffer.alloc(L.end);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, 8);
  out.writeUInt32LE(n, 12);
  json.copy(out, 16);
  const sorted = f.sorted;
  if (sorted) out.set(new Uint8Array(sorted.buffer, sorted.byteOffset, n * 32), L.commitments);
  else gatherWords(f.commitments, order, new Int32Array(out.buffer, out.byteOffset + L.commitments, n * 8));
  // words → big-endian bytes (what poolDigest hashes)
  out.subarray(L.commitments, L.commitments + n * 32).swap32();
  gatherColumns(p, f.salts, order, out, L);
  return out;
}

function gatherWords(d: Int32Array, order: Uint32Array, out: Int32Array): void {
  for (let j = 0, b = 0; j < order.length; j++, b += 8) {
    const o = order[j]! * 8;
    for (let w = 0; w < 8; w++) out[b + w] = d[o + w]!;
  }
}

function gatherColumns(p: CompiledPool, salts: Uint8Array, order: Uint32Array, out: Buffer, L: ReturnType<typeof layout>): void {
  const n = p.n, base = out.byteOffset;
  const area = new Uint32Array(out.buffer, base + L.area, n);
  const exclOff = new Uint32Array(out.buffer, base + L.exclOff, n + 1);
  const exclIdx = new Uint32Array(out.buffer, base + L.exclIdx, p.exclIdx.length);
  let x = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    for (let k = 0, u = L.uscc + j * 18, v = i * 18; k < 18; k++) out[u + k] = p.usccBytes[v + k]!;
    for (let k = 0, s = L.salts + j * 16, v = i * 16; k < 16; k++) out[s + k] = salts[v + k]!;
    out[L.strata + j] = p.strata[i]!;
    area[j] = p.area[i]!;
    for (let e = p.exclOff[i]!; e < p.exclOff[i + 1]!; e++) exclIdx[x++] = p.exclIdx[e]!;
    exclOff[j + 1] = x;
  }
}

/** Splits a stored state into its header and column views (copied once if the buffer is unaligned). */
export function decodeFrozenV2<H extends FrozenHeaderV2 = FrozenHeaderV2>(b: Uint8Array): DecodedFrozenV2<H> {
  const bad = (why: string) => new Error(`frozen state: ${why}`);
  if (b.length < 16 || !MAGIC.equals(Buffer.from(b.buffer, b.byteOffset, 8))) throw bad('not a suiji-draw-v2 binary state');
  let buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.byteOffset % 8) buf = Buffer.from(Uint8Array.prototype.slice.call(buf));
  const headerLen = buf.readUInt32LE(8), n = buf.readUInt32LE(12);
  if (16 + headerLen > buf.length) throw bad('truncated header');
  const header = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as H & { exclusions: number };
  const L = layout(n, headerLen, header.exclusions);
  if (L.end !== buf.length) throw bad(`${buf.length} bytes, ${L.end} expected for ${n} candidates`);
  const at = (o: number) => buf.byteOffset + o;
  const exclOff = new Uint32Array(buf.buffer, at(L.exclOff), n + 1);
  if (exclOff[n] !== header.exclusions) throw bad('exclusion offsets do not add up');
  return {
    header,
    n,
    commitmentBytes: buf.subarray(L.commitments, L.commitments + n * 32),
    pool: {
      n,
      usccBytes: buf.subarray(L.uscc, L.uscc + n * 18),
      strata: buf.subarray(L.strata, L.strata + n),
      area: new Uint32Array(buf.buffer, at(L.area), n),
      exclOff,
      exclIdx: new Uint32Array(buf.buffer, at(L.exclIdx), header.exclusions),
    },
    salts: buf.subarray(L.salts, L.salts + n * 16),
  };
}

/**
 * The frozen draw from a decoded state, checked by digest: the freeze record must hash to the
 * stored freeze digests (the close record and the chain hold the published one: runDrawV2 and
 * RunDraw compare), the commitments to its poolDigest, the eligibility lines to its
 * eligibilityDigest, and the stratum sizes must be the freeze's. The pool comes back in public
 * order (order = 0 … n − 1); its openings are checked where they are used (runDrawV2 opens
 * each drawn entry against its commitment).
 */
export function loadFrozenStateV2(d: DecodedFrozenV2): FrozenDrawV2 {
  const { header: h, n } = d;
  const f = h.freeze, who = f.taskId;
  const fd = digestsOf(f);
  if (fd.sha256 !== h.freezeDigest || fd.sm3 !== h.freezeDigestSm3) throw new Error(`frozen record of ${who} does not match freezeDigest`);
  if (f.candidates !== n) throw new Error(`frozen inputs of ${who}: ${n} candidates, the freeze record says ${f.candidates}`);
  const poolDigest = createHash('sha256').update(d.commitmentBytes).digest('hex');
  if (poolDigest !== f.poolDigest) throw new Error(`frozen inputs of ${who} do not match poolDigest ${f.poolDigest}`);
  if (linesDigest(h.eligibility) !== f.eligibilityDigest) throw new Error(`frozen inputs of ${who} do not match eligibilityDigest ${f.eligibilityDigest}`);
  const base = parsePublicEligibility(h.eligibility);
  const bounds = [0];
  for (let s = 0; s < 5; s++) bounds.push(bounds[s]! + (f.strata.find((x) => x.stratum === STRATA[s])?.candidates ?? 0));
  if (bounds[5] !== n) throw new Error(`frozen inputs of ${who}: stratum sizes do not add up to ${n}`);
  // words in shared memory (the helper thread reads them in place)
  const sorted = new Int32Array(new SharedArrayBuffer(n * 32));
  const bytes = Buffer.from(sorted.buffer);
  bytes.set(d.commitmentBytes);
  bytes.swap32();
  const strataCounts = bounds.slice(1).map((b, s) => b - bounds[s]!);
  const pool: CompiledPool = { ...d.pool, ...base, strataCounts };
  return {
    freeze: f,
    freezeDigest: h.freezeDigest,
    freezeDigestSm3: h.freezeDigestSm3,
    pool,
    salts: d.salts,
    commitments: sorted,
    order: iota(n),
    bounds,
    sorted,
    pseudonyms: new Map(Object.entries(h.pseudonyms)),
  };
}

/** The index (public order) of the candidate with this USCC, or -1. */
export function indexOfUscc(d: Pick<DecodedFrozenV2, 'pool'>, uscc: string): number {
  const u = Buffer.from(uscc, 'latin1');
  if (u.length !== 18) return -1;
  const c = d.pool.usccBytes, b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  for (let at = b.indexOf(u); at >= 0; at = b.indexOf(u, at + 1)) if (at % 18 === 0) return at / 18;
  return -1;
}
