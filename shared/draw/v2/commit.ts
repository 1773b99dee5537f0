/**
 * The hashing of suiji-draw-v2 (docs/DRAW.md §14): salted candidate commitments, the public
 * pool (commitments sorted per stratum) and its digest, and selection by priority over the
 * commitments. Batches go through the four-lane SHA-256 kernel (`compressMany`); candidates
 * whose message does not fit one block (long exclusion lists) use node:crypto.
 *
 *   c        = SHA-256(salt (16 raw bytes) ‖ "<uscc>,<stratum>,<k>,<excluded ids ;-joined>")
 *   priority = SHA-256(seed (64 hex) ‖ ":" ‖ c (32 raw bytes))
 */
import { createHash } from 'node:crypto';
import { compareDigests, IV, midstate } from '../sha256.js';
import { STRATA, type CompiledPool } from '../pool.js';
import { DrawInputError } from '../errors.js';
import type { BatchHasher } from '../simd.js';

const CHUNK = 16_384;
const sharedInts = (n: number) => new Int32Array(new SharedArrayBuffer(n * 4));
/** An 8-word state repeated for every lane of a chunk. */
function repeated(state: Int32Array): Int32Array {
  const out = new Int32Array(CHUNK * 8);
  for (let k = 0; k < CHUNK; k++) out.set(state, k * 8);
  return out;
}
export const SALT_BYTES = 16;

/** The candidate text of candidate i of a compiled (pseudonymised) pool. */
export function candidateText(p: CompiledPool, i: number): string {
  let ex = '';
  for (let j = p.exclOff[i]!; j < p.exclOff[i + 1]!; j++) ex += (ex ? ';' : '') + p.inspectorIds[p.exclIdx[j]!];
  const u = Buffer.from(p.usccBytes.buffer, p.usccBytes.byteOffset + i * 18, 18).toString('latin1');
  return `${u},${STRATA[p.strata[i]!]},${p.area[i]},${ex}`;
}

/** One commitment with node:crypto (the reference; also the path for long messages). */
export function commitmentOf(salt: Uint8Array, text: string): Buffer {
  return createHash('sha256').update(salt).update(text, 'utf8').digest();
}

/**
 * Commitments of all candidates (USCC order), 8 words each. salts: 16 bytes per candidate.
 * One-block messages are assembled as bytes, turned into big-endian words with a byte swap and
 * compressed four lanes at a time; the rest go through node:crypto.
 */
export function commitAll(p: CompiledPool, salts: Uint8Array, hasher: BatchHasher): Int32Array {
  const n = p.n;
  const out = new Int32Array(n * 8);
  const tails = p.areaNames.map((_, k) => STRATA.map((s) => Buffer.from(`,${s},${k},`, 'latin1')));
  // shared memory: a helper thread (createParallelHasher) compresses half of each chunk in place
  const states = sharedInts(CHUNK * 8);
  const blocks = sharedInts(CHUNK * 16);
  const bytes = new Uint8Array(CHUNK * 64);
  const lane = new Uint32Array(CHUNK);
  const ivs = repeated(IV);
  for (let base = 0; base < n; base += CHUNK) {
    const end = Math.min(n, base + CHUNK);
    const m = fillCommitBlocks(p, salts, tails, base, end, bytes, lane, out);
    swapWords(bytes, blocks, m * 16);
    states.set(ivs);
    hasher.compressMany(states, blocks, m);
    for (let k = 0; k < m; k++) out.set(states.subarray(k * 8, k * 8 + 8), lane[k]! * 8);
  }
  return out;
}

/** Message bytes of the one-block candidates in [base, end); the others are hashed here. */
function fillCommitBlocks(p: CompiledPool, salts: Uint8Array, tails: Buffer[][], base: number, end: number, bytes: Uint8Array, lane: Uint32Array, out: Int32Array): number {
  const u = p.usccBytes;
  let m = 0;
  for (let i = base; i < end; i++) {
    const tail = tails[p.area[i]!]![p.strata[i]!]!;
    const len = SALT_BYTES + 18 + tail.length;
    if (p.exclOff[i] !== p.exclOff[i + 1] || len > 55) {
      const d = commitmentOf(salts.subarray(i * 16, i * 16 + 16), candidateText(p, i));
      for (let j = 0; j < 8; j++) out[i * 8 + j] = d.readInt32BE(j * 4);
      continue;
    }
    const o = m * 64;
    for (let j = 0; j < 16; j++) bytes[o + j] = salts[i * 16 + j]!;
    for (let j = 0; j < 18; j++) bytes[o + 16 + j] = u[i * 18 + j]!;
    for (let j = 0; j < tail.length; j++) bytes[o + 34 + j] = tail[j]!;
    bytes[o + len] = 0x80;
    for (let j = len + 1; j < 62; j++) bytes[o + j] = 0;
    const bits = len * 8;
    bytes[o + 62] = bits >>> 8;
    bytes[o + 63] = bits & 255;
    lane[m++] = i;
  }
  return m;
}

/** Big-endian 32-bit words of bytes[0..4·count). */
function swapWords(bytes: Uint8Array, words: Int32Array, count: number): void {
  const v = new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  for (let j = 0; j < count; j++) {
    const x = v[j]!;
    words[j] = (x << 24) | ((x << 8) & 0xff0000) | ((x >>> 8) & 0xff00) | (x >>> 24);
  }
}

/**
 * idx ordered by the 8-word digests d[8·idx..], for uniformly distributed digests (commitments,
 * priorities): a counting sort on the top bits of word 0 into about n/4 buckets, then an
 * insertion sort of each (small) bucket on the full digest.
 */
export function sortUniform(d: Int32Array, idx: Uint32Array): Uint32Array {
  const n = idx.length;
  if (n < 64) return Uint32Array.from(idx).sort((x, y) => compareDigests(d, x * 8, d, y * 8));
  const bits = Math.min(24, Math.max(4, Math.floor(Math.log2(n)) - 2));
  const shift = 32 - bits;
  const count = new Uint32Array((1 << bits) + 1);
  countTops(d, idx, shift, count);
  for (let b = 0, sum = 0; b <= 1 << bits; b++) {
    const c = count[b]!;
    count[b] = sum;
    sum += c;
  }
  const out = new Uint32Array(n);
  scatterTops(d, idx, shift, count, out);
  insertionRuns(d, out, shift);
  return out;
}

function countTops(d: Int32Array, idx: Uint32Array, shift: number, count: Uint32Array): void {
  for (let k = 0; k < idx.length; k++) count[d[idx[k]! * 8]! >>> shift]!++;
}
function scatterTops(d: Int32Array, idx: Uint32Array, shift: number, start: Uint32Array, out: Uint32Array): void {
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    out[start[d[i * 8]! >>> shift]!++] = i;
  }
}
/** Sorts each run of equal top bits (adjacent after the scatter) on the full digest. */
function insertionRuns(d: Int32Array, out: Uint32Array, shift: number): void {
  const n = out.length;
  for (let r = 0; r < n; ) {
    const top = d[out[r]! * 8]! >>> shift;
    let e = r + 1;
    while (e < n && d[out[e]! * 8]! >>> shift === top) e++;
    for (let k = r + 1; k < e; k++) {
      const x = out[k]!;
      let j = k - 1;
      while (j >= r && compareDigests(d, out[j]! * 8, d, x * 8) > 0) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = x;
    }
    r = e;
  }
}

export interface PublicPool {
  /** Candidate indices (USCC order) in public order: stratum key, A … D, each by commitment. */
  order: Uint32Array;
  /** Start of each stratum in `order` (6 entries). */
  bounds: number[];
  poolDigest: string;
}

/**
 * Sorts the commitments per stratum and hashes them (raw 32 bytes each, in public order).
 * Throws on a duplicate commitment (a repeated salt: freeze again).
 */
export function publicPool(p: CompiledPool, commitments: Int32Array): PublicPool {
  const bounds = [0, 0, 0, 0, 0, 0];
  for (let s = 0; s < 5; s++) bounds[s + 1] = bounds[s]! + p.strataCounts[s]!;
  const byStratum = new Uint32Array(p.n);
  const fill = bounds.slice(0, 5);
  groupByStratum(p.strata, p.n, fill, byStratum);
  const order = new Uint32Array(p.n);
  for (let s = 0; s < 5; s++) {
    const sorted = sortUniform(commitments, byStratum.subarray(bounds[s]!, bounds[s + 1]!));
    order.set(sorted, bounds[s]!);
    for (let j = 1; j < sorted.length; j++) {
      if (compareDigests(commitments, sorted[j - 1]! * 8, commitments, sorted[j]! * 8) === 0) throw new DrawInputError('承诺值重复（盐值重复），请重新冻结');
    }
  }
  return { order, bounds, poolDigest: digestCommitments(commitments, order) };
}

function groupByStratum(strata: Uint8Array, n: number, fill: number[], out: Uint32Array): void {
  for (let i = 0; i < n; i++) out[fill[strata[i]!]!++] = i;
}

/** SHA-256 of the raw commitments d[8·order[j]..] in order (32 big-endian bytes each). */
export function digestCommitments(d: Int32Array, order: ArrayLike<number>): string {
  const h = createHash('sha256');
  const CH = 65_536;
  const buf = new Uint32Array(Math.min(order.length, CH) * 8);
  const bytes = new Uint8Array(buf.buffer);
  for (let base = 0; base < order.length; base += CH) {
    const end = Math.min(order.length, base + CH);
    bigEndianCopy(d, order, base, end, buf);
    h.update(bytes.subarray(0, (end - base) * 32));
  }
  return h.digest('hex');
}

function bigEndianCopy(d: Int32Array, order: ArrayLike<number>, base: number, end: number, buf: Uint32Array): void {
  for (let j = base; j < end; j++) {
    const o = order[j]! * 8, b = (j - base) * 8;
    for (let w = 0; w < 8; w++) {
      const x = d[o + w]!;
      buf[b + w] = ((x << 24) | ((x << 8) & 0xff0000) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
    }
  }
}

/** Priority block words for commitment words c[o..o+8): ":" ‖ c ‖ 0x80 ‖ 0… ‖ bit length 776. */
function priorityBlock(c: Int32Array, o: number, blocks: Int32Array, bo: number): void {
  blocks[bo] = 0x3a000000 | (c[o]! >>> 8);
  for (let w = 1; w < 8; w++) blocks[bo + w] = (c[o + w - 1]! << 24) | (c[o + w]! >>> 8);
  blocks[bo + 8] = (c[o + 7]! << 24) | 0x800000;
  for (let w = 9; w < 15; w++) blocks[bo + w] = 0;
  blocks[bo + 15] = (64 + 1 + 32) * 8;
}

function priorityBlocks(c: Int32Array, idx: ArrayLike<number>, base: number, m: number, blocks: Int32Array): void {
  for (let k = 0; k < m; k++) priorityBlock(c, idx[base + k]! * 8, blocks, k * 16);
}

/** Full priority digests of the commitments c[8·idx[k]..] (8 words each, in idx order). */
export function priorities(seed: string, c: Int32Array, idx: ArrayLike<number>, hasher: BatchHasher): Int32Array {
  const mid = midstate(Buffer.from(seed, 'ascii'));
  const out = new Int32Array(idx.length * 8);
  const states = sharedInts(CHUNK * 8);
  const blocks = sharedInts(CHUNK * 16);
  const mids = repeated(mid);
  for (let base = 0; base < idx.length; base += CHUNK) {
    const m = Math.min(CHUNK, idx.length - base);
    priorityBlocks(c, idx, base, m, blocks);
    states.set(mids);
    hasher.compressMany(states, blocks, m);
    out.set(states.subarray(0, m * 8), base * 8);
  }
  return out;
}

export interface SelectionV2 {
  /** Selected candidate indices (into the commitments array), ascending priority, all strata. */
  order: Uint32Array;
  /** Their priority digests, 8 words each. */
  priority: Int32Array;
  perStratum: number[];
}

/**
 * Per stratum (contiguous ranges `bounds` of `pub`, indices into c), the `counts[s]` smallest
 * priorities; then all of them in ascending priority. Priorities are uniform: a histogram of the
 * top 16 bits of word 0 finds the bucket holding the n_s-th smallest, and only the candidates up
 * to it are sorted.
 */
export function selectV2(seed: string, c: Int32Array, pub: Uint32Array, bounds: readonly number[], counts: readonly number[], hasher: BatchHasher): SelectionV2 {
  const prio = priorities(seed, c, pub, hasher);
  const chosen: number[] = [];
  const perStratum = [0, 0, 0, 0, 0];
  const hist = new Uint32Array(65_536);
  for (let s = 0; s < 5; s++) {
    const want = counts[s]!;
    const a = bounds[s]!, b = bounds[s + 1]!;
    if (want > b - a) throw new Error(`stratum ${s}: cannot draw ${want} of ${b - a}`);
    if (want === 0) continue;
    hist.fill(0);
    histogram16(prio, a, b, hist);
    let limit = 0;
    for (let sum = 0; limit < 65_536; limit++) if ((sum += hist[limit]!) >= want) break;
    const near = collectBelow(prio, a, b, limit);
    const sorted = sortUniform(prio, near);
    for (let r = 0; r < want; r++) chosen.push(sorted[r]!);
    perStratum[s] = want;
  }
  const all = sortUniform(prio, Uint32Array.from(chosen));
  const order = new Uint32Array(all.length);
  const priority = new Int32Array(all.length * 8);
  for (let r = 0; r < all.length; r++) {
    order[r] = pub[all[r]!]!;
    priority.set(prio.subarray(all[r]! * 8, all[r]! * 8 + 8), r * 8);
  }
  return { order, priority, perStratum };
}

function histogram16(prio: Int32Array, a: number, b: number, hist: Uint32Array): void {
  for (let j = a; j < b; j++) hist[prio[j * 8]! >>> 16]!++;
}
function collectBelow(prio: Int32Array, a: number, b: number, limit: number): Uint32Array {
  let m = 0;
  for (let j = a; j < b; j++) if (prio[j * 8]! >>> 16 <= limit) m++;
  const out = new Uint32Array(m);
  m = 0;
  for (let j = a; j < b; j++) if (prio[j * 8]! >>> 16 <= limit) out[m++] = j;
  return out;
}
