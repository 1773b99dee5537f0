/**
 * The frozen state of a v2 round in binary (docs/DRAW.md §16 "Internal state", §19): what
 * FreezePool stores and RunDraw reads back. One buffer:
 *
 *   "SUIJIFZ3"  u32 header length  u32 n            (16 bytes, little-endian)
 *   header      JSON: freeze record and digests, public eligibility lines, pseudonyms, extras
 *   commitments n × 32 raw bytes, public order (stratum, then commitment): poolDigest's input
 *   order       n × u32: the candidate (USCC-order index) at each public position
 *   openings    columns in USCC order, as the freeze holds them: USCC (18 B), salt (16 B),
 *               stratum (1 B), area (u32), exclusion offsets (n + 1 × u32), exclusion
 *               inspector indices (u32)
 *
 * every section 8-byte aligned: the encoding is sequential copies (no gather by `order`).
 * Loading checks by digest only: the freeze record against its freezeDigest, the commitments
 * against the freeze's poolDigest, the eligibility lines against its eligibilityDigest. Neither
 * the openings nor `order` are covered by a published digest, and neither is trusted: runDrawV2
 * opens each drawn entry (the candidate `order` names at its public position) against the
 * commitment at that position (§19 "Stored state" says why that is as strong as recomputing
 * every commitment). "SUIJIFZ2" (openings in public order, no `order`; written between 15:57
 * and this format on 2026-12-06, never deployed) is not read: such a round is frozen again.
 */
import { createHash } from 'node:crypto';
import { STRATA, type CompiledPool } from '../pool.js';
import { linesDigest, publicEligibilityLines, type FrozenDrawV2 } from './draw.js';
import { parsePublicEligibility } from './pooltext.js';
import { digestsOf, type FreezeRecordV2 } from './record.js';

const MAGIC = Buffer.from('SUIJIFZ3', 'latin1');
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

/** A decoded (not yet checked) frozen state: the header and views of the sections. */
export interface DecodedFrozenV2<H extends FrozenHeaderV2 = FrozenHeaderV2> {
  header: H;
  n: number;
  /** n × 32 raw commitment bytes, public order. */
  commitmentBytes: Uint8Array;
  /** The candidate (index into the columns) at each public position: not yet checked. */
  order: Uint32Array;
  /** The openings' columns, USCC order. */
  pool: Pick<CompiledPool, 'n' | 'usccBytes' | 'strata' | 'area' | 'exclOff' | 'exclIdx'>;
  salts: Uint8Array;
}

function layout(n: number, headerLen: number, excl: number) {
  const commitments = 16 + align8(headerLen);
  const order = commitments + n * 32;
  const uscc = order + align8(n * 4);
  const salts = uscc + align8(n * 18);
  const strata = salts + n * 16;
  const area = strata + align8(n);
  const exclOff = area + align8(n * 4);
  const exclIdx = exclOff + align8((n + 1) * 4);
  return { commitments, order, uscc, salts, strata, area, exclOff, exclIdx, end: exclIdx + align8(excl * 4) };
}

const bytesOf = (a: ArrayBufferView, len = a.byteLength) => new Uint8Array(a.buffer, a.byteOffset, len);

/** The binary state of a frozen round; `extra` joins the header (e.g. the system's secret). */
export function encodeFrozenV2(f: FrozenDrawV2, extra: Record<string, unknown> = {}): Buffer {
  const p = f.pool, n = p.n;
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
  // allocUnsafe: every byte is written below (sections, and the alignment gaps zeroed)
  const out = Buffer.allocUnsafe(L.end);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, 8);
  out.writeUInt32LE(n, 12);
  let at = 16;
  const put = (offset: number, b: Uint8Array) => {
    out.fill(0, at, offset);
    out.set(b, offset);
    at = offset + b.length;
  };
  put(16, json);
  put(L.commitments, bytesOf(f.sorted, n * 32));
  // words → big-endian bytes (what poolDigest hashes)
  out.subarray(L.commitments, L.commitments + n * 32).swap32();
  put(L.order, bytesOf(f.order, n * 4));
  put(L.uscc, bytesOf(p.usccBytes, n * 18));
  put(L.salts, bytesOf(f.salts, n * 16));
  put(L.strata, bytesOf(p.strata, n));
  put(L.area, bytesOf(p.area, n * 4));
  put(L.exclOff, bytesOf(p.exclOff, (n + 1) * 4));
  put(L.exclIdx, bytesOf(p.exclIdx));
  out.fill(0, at);
  return out;
}

/**
 * Splits a stored state into its header and section views (copied once if the buffer is
 * unaligned). A state read into shared memory (`getBlobShared`) stays there: loadFrozenStateV2
 * then turns its commitments into words in place, for the helper thread to read.
 */
export function decodeFrozenV2<H extends FrozenHeaderV2 = FrozenHeaderV2>(b: Uint8Array): DecodedFrozenV2<H> {
  const bad = (why: string) => new Error(`frozen state: ${why}`);
  if (b.length < 16 || !MAGIC.equals(Buffer.from(b.buffer, b.byteOffset, 8))) {
    const fz2 = b.length >= 8 && Buffer.from(b.buffer, b.byteOffset, 8).toString('latin1') === 'SUIJIFZ2';
    throw bad(fz2 ? 'format SUIJIFZ2 (before 2026-12-06 19:00) is no longer read: freeze the round again' : 'not a suiji-draw-v2 binary state');
  }
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
    order: new Uint32Array(buf.buffer, at(L.order), n),
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

/** Decoded states whose commitment bytes were turned into words in place (loaded once). */
const spent = new WeakSet<DecodedFrozenV2>();

/**
 * The frozen draw from a decoded state, checked by digest: the freeze record must hash to the
 * stored freeze digests (the close record and the chain hold the published one: runDrawV2 and
 * RunDraw compare), the commitments to its poolDigest, the eligibility lines to its
 * eligibilityDigest, and the stratum sizes must be the freeze's. `order` is only checked to
 * name candidates that exist; the openings are checked where they are used (runDrawV2 opens each
 * drawn entry against the commitment at its public position).
 *
 * The commitments become words (what the kernels read) in shared memory: in place when the
 * state is there already (the decoded state is then spent: loading it again throws), else
 * copied into a fresh SharedArrayBuffer.
 */
export function loadFrozenStateV2(d: DecodedFrozenV2): FrozenDrawV2 {
  const { header: h, n } = d;
  const f = h.freeze, who = f.taskId;
  if (spent.has(d)) throw new Error(`frozen state of ${who} was loaded already (its commitments are words now)`);
  const fd = digestsOf(f);
  if (fd.sha256 !== h.freezeDigest || fd.sm3 !== h.freezeDigestSm3) throw new Error(`frozen record of ${who} does not match freezeDigest`);
  if (f.candidates !== n) throw new Error(`frozen inputs of ${who}: ${n} candidates, the freeze record says ${f.candidates}`);
  const poolDigest = createHash('sha256').update(d.commitmentBytes).digest('hex');
  if (poolDigest !== f.poolDigest) throw new Error(`frozen inputs of ${who} do not match poolDigest ${f.poolDigest}`);
  if (linesDigest(h.eligibility) !== f.eligibilityDigest) throw new Error(`frozen inputs of ${who} do not match eligibilityDigest ${f.eligibilityDigest}`);
  if (!inRange(d.order, n)) throw new Error(`frozen inputs of ${who}: the public order names a candidate beyond ${n}`);
  const base = parsePublicEligibility(h.eligibility);
  const bounds = [0];
  for (let s = 0; s < 5; s++) bounds.push(bounds[s]! + (f.strata.find((x) => x.stratum === STRATA[s])?.candidates ?? 0));
  if (bounds[5] !== n) throw new Error(`frozen inputs of ${who}: stratum sizes do not add up to ${n}`);
  // words in shared memory (the helper thread reads them in place)
  const c = d.commitmentBytes;
  let sorted: Int32Array;
  if (c.buffer instanceof SharedArrayBuffer) {
    spent.add(d);
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).swap32();
    sorted = new Int32Array(c.buffer, c.byteOffset, n * 8);
  } else {
    sorted = new Int32Array(new SharedArrayBuffer(n * 32));
    Buffer.from(sorted.buffer).set(c);
    Buffer.from(sorted.buffer).swap32();
  }
  const strataCounts = bounds.slice(1).map((b, s) => b - bounds[s]!);
  const pool: CompiledPool = { ...d.pool, ...base, strataCounts };
  return {
    freeze: f,
    freezeDigest: h.freezeDigest,
    freezeDigestSm3: h.freezeDigestSm3,
    pool,
    salts: d.salts,
    order: d.order,
    bounds,
    sorted,
    pseudonyms: new Map(Object.entries(h.pseudonyms)),
  };
}

function inRange(order: Uint32Array, n: number): boolean {
  let max = 0;
  for (let j = 0; j < order.length; j++) max = order[j]! > max ? order[j]! : max;
  return order.length === 0 || max < n;
}

/** The index (USCC order) of the candidate with this USCC, or -1 (binary search: the column is sorted). */
export function indexOfUscc(d: Pick<DecodedFrozenV2, 'pool'>, uscc: string): number {
  const u = Buffer.from(uscc, 'latin1');
  if (u.length !== 18) return -1;
  const c = d.pool.usccBytes, b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  let lo = 0, hi = d.pool.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = b.compare(u, 0, 18, mid * 18, mid * 18 + 18);
    if (cmp === 0) return mid;
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}
