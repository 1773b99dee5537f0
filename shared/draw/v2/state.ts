/**
 * The frozen state of a v2 round in binary (docs/DRAW.md §16 "Internal state", §19): what
 * FreezePool stores and RunDraw reads back. One buffer:
 *
 *   "SUIJIFZ4"  u32 header length  u32 n            (16 bytes, little-endian)
 *   header      JSON: freeze record and digests, public eligibility lines, pseudonyms, extras
 *   commitments n × 8 u32 words (little-endian), public order (stratum, then commitment): as
 *               the kernels read them; poolDigest hashes each word big-endian
 *   order       n × u32: the candidate (USCC-order index) at each public position
 *   openings    columns in USCC order, as the freeze holds them: USCC (18 B), salt (16 B),
 *               stratum (1 B), area (u32), exclusion offsets (n + 1 × u32), exclusion
 *               inspector indices (u32)
 *
 * every section 8-byte aligned. Every section is one of the freeze's arrays as it is, so the
 * state is written as a list of views (`encodeFrozenV2Parts`: no copy, no buffer of its size).
 * Loading checks by digest only: the freeze record against its freezeDigest, the commitments
 * against the freeze's poolDigest, the eligibility lines against its eligibilityDigest. Neither
 * the openings nor `order` are covered by a published digest, and neither is trusted: runDrawV2
 * opens each drawn entry (the candidate `order` names at its public position) against the
 * commitment at that position (§19 "Stored state" says why that is as strong as recomputing
 * every commitment). The earlier binary formats "SUIJIFZ2" (openings in public order) and
 * "SUIJIFZ3" (commitments as big-endian bytes), both of 2026-12-06 and never deployed, are not
 * read: such a round is frozen again.
 */
import { STRATA, type CompiledPool } from '../pool.js';
import { digestCommitments } from './commit.js';
import { linesDigest, publicEligibilityLines, type FrozenDrawV2 } from './draw.js';
import { parsePublicEligibility } from './pooltext.js';
import { digestsOf, type FreezeRecordV2 } from './record.js';

const MAGIC = Buffer.from('SUIJIFZ4', 'latin1');
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
  /** The commitments, 8 words each, public order (not yet checked). */
  commitments: Int32Array;
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

/** The state's header: `extra` (e.g. the system's secret), the freeze record and its digests, the public eligibility lines, the pseudonyms. */
function headerOf<E extends object>(f: FrozenDrawV2, extra: E): FrozenHeaderV2 & E {
  return { ...extra, freeze: f.freeze, freezeDigest: f.freezeDigest, freezeDigestSm3: f.freezeDigestSm3, eligibility: publicEligibilityLines(f.pool), pseudonyms: Object.fromEntries(f.pseudonyms) };
}

/**
 * The binary state of a frozen round as a list of views of the frozen draw's arrays (and a
 * header, and zeros between sections): written one after the other they are the state. Nothing
 * of the pool is copied. `extra` joins the header (e.g. the system's secret).
 */
export function encodeFrozenV2Parts(f: FrozenDrawV2, extra: object = {}): { parts: Uint8Array[]; length: number } {
  const p = f.pool, n = p.n;
  const json = Buffer.from(JSON.stringify({ ...headerOf(f, extra), exclusions: p.exclIdx.length }), 'utf8');
  const L = layout(n, json.length, p.exclIdx.length);
  const head = Buffer.alloc(16 + json.length);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(json.length, 8);
  head.writeUInt32LE(n, 12);
  json.copy(head, 16);
  const zeros = new Uint8Array(8);
  const parts: Uint8Array[] = [];
  let at = 0;
  const put = (offset: number, b: Uint8Array) => {
    if (offset > at) parts.push(zeros.subarray(0, offset - at));
    if (b.length) parts.push(b);
    at = offset + b.length;
  };
  put(0, head);
  put(L.commitments, bytesOf(f.sorted, n * 32));
  put(L.order, bytesOf(f.order, n * 4));
  put(L.uscc, bytesOf(p.usccBytes, n * 18));
  put(L.salts, bytesOf(f.salts, n * 16));
  put(L.strata, bytesOf(p.strata, n));
  put(L.area, bytesOf(p.area, n * 4));
  put(L.exclOff, bytesOf(p.exclOff, (n + 1) * 4));
  put(L.exclIdx, bytesOf(p.exclIdx));
  put(L.end, new Uint8Array(0));
  return { parts, length: L.end };
}

/** The binary state in one buffer (in shared memory with `shared`, as RunDraw reads it). */
export function encodeFrozenV2(f: FrozenDrawV2, extra: object = {}, opts: { shared?: boolean } = {}): Buffer {
  const { parts, length } = encodeFrozenV2Parts(f, extra);
  const out = opts.shared ? Buffer.from(new SharedArrayBuffer(length)) : Buffer.allocUnsafe(length);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The decoded state of a frozen draw held in memory (as decodeFrozenV2 gives it, without encoding). */
export function decodedOf<E extends object>(f: FrozenDrawV2, extra: E): DecodedFrozenV2<FrozenHeaderV2 & E> {
  const p = f.pool;
  return {
    header: headerOf(f, extra),
    n: p.n,
    commitments: f.sorted,
    order: f.order,
    pool: { n: p.n, usccBytes: p.usccBytes, strata: p.strata, area: p.area, exclOff: p.exclOff, exclIdx: p.exclIdx },
    salts: f.salts,
  };
}

/**
 * Splits a stored state into its header and section views (copied once if the buffer is
 * unaligned). A state read into shared memory (`getBlobShared`) stays there: the helper thread
 * reads its commitments in place.
 */
export function decodeFrozenV2<H extends FrozenHeaderV2 = FrozenHeaderV2>(b: Uint8Array): DecodedFrozenV2<H> {
  const bad = (why: string) => new Error(`frozen state: ${why}`);
  if (b.length < 16 || !MAGIC.equals(Buffer.from(b.buffer, b.byteOffset, 8))) {
    const old = b.length >= 8 && /^SUIJIFZ[23]$/.test(Buffer.from(b.buffer, b.byteOffset, 8).toString('latin1'));
    throw bad(old ? 'an earlier binary format (SUIJIFZ2/3, 2026-12-06, never deployed) is not read: freeze the round again' : 'not a suiji-draw-v2 binary state');
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
    commitments: new Int32Array(buf.buffer, at(L.commitments), n * 8),
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

/**
 * The frozen draw from a decoded state, checked by digest: the freeze record must hash to the
 * stored freeze digests (the close record and the chain hold the published one: runDrawV2 and
 * RunDraw compare), the commitments to its poolDigest, the eligibility lines to its
 * eligibilityDigest, and the stratum sizes must be the freeze's. `order` is only checked to
 * name candidates that exist; the openings are checked where they are used (runDrawV2 opens each
 * drawn entry against the commitment at its public position).
 *
 * The commitments are read in place when the state is in shared memory (where the helper
 * thread reads them), else copied there.
 */
export function loadFrozenStateV2(d: DecodedFrozenV2): FrozenDrawV2 {
  const { header: h, n } = d;
  const f = h.freeze, who = f.taskId;
  const fd = digestsOf(f);
  if (fd.sha256 !== h.freezeDigest || fd.sm3 !== h.freezeDigestSm3) throw new Error(`frozen record of ${who} does not match freezeDigest`);
  if (f.candidates !== n) throw new Error(`frozen inputs of ${who}: ${n} candidates, the freeze record says ${f.candidates}`);
  const poolDigest = digestCommitments(d.commitments);
  if (poolDigest !== f.poolDigest) throw new Error(`frozen inputs of ${who} do not match poolDigest ${f.poolDigest}`);
  if (linesDigest(h.eligibility) !== f.eligibilityDigest) throw new Error(`frozen inputs of ${who} do not match eligibilityDigest ${f.eligibilityDigest}`);
  if (!inRange(d.order, n)) throw new Error(`frozen inputs of ${who}: the public order names a candidate beyond ${n}`);
  const base = parsePublicEligibility(h.eligibility);
  const bounds = [0];
  for (let s = 0; s < 5; s++) bounds.push(bounds[s]! + (f.strata.find((x) => x.stratum === STRATA[s])?.candidates ?? 0));
  if (bounds[5] !== n) throw new Error(`frozen inputs of ${who}: stratum sizes do not add up to ${n}`);
  // words in shared memory (the helper thread reads them in place)
  let sorted = d.commitments;
  if (!(sorted.buffer instanceof SharedArrayBuffer)) {
    sorted = new Int32Array(new SharedArrayBuffer(n * 32));
    sorted.set(d.commitments);
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
