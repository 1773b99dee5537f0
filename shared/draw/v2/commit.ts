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
import type { BatchHasher } from '../simd.js';

const CHUNK = 16_384;
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
 */
export function commitAll(p: CompiledPool, salts: Uint8Array, hasher: BatchHasher): Int32Array {
  const n = p.n;
  const out = new Int32Array(n * 8);
  const tails = p.areaNames.map((_, k) => STRATA.map((s) => Buffer.from(`,${s},${k},`, 'latin1')));
  const states = new Int32Array(CHUNK * 8);
  const blocks = new Int32Array(CHUNK * 16);
  const block = new Uint8Array(64);
  const bv = new DataView(block.buffer);
  const lane = new Uint32Array(CHUNK);
  for (let base = 0; base < n; base += CHUNK) {
    const end = Math.min(n, base + CHUNK);
    let m = 0;
    for (let i = base; i < end; i++) {
      const tail = tails[p.area[i]!]![p.strata[i]!]!;
      const len = SALT_BYTES + 18 + tail.length;
      if (p.exclOff[i] !== p.exclOff[i + 1] || len > 55) {
        const d = commitmentOf(salts.subarray(i * 16, i * 16 + 16), candidateText(p, i));
        for (let j = 0; j < 8; j++) out[i * 8 + j] = d.readInt32BE(j * 4);
        continue;
      }
      block.fill(0);
      block.set(salts.subarray(i * 16, i * 16 + 16), 0);
      block.set(p.usccBytes.subarray(i * 18, i * 18 + 18), 16);
      block.set(tail, 34);
      block[len] = 0x80;
      bv.setUint32(60, len * 8);
      const bo = m * 16;
      for (let j = 0; j < 16; j++) blocks[bo + j] = bv.getInt32(j * 4);
      states.set(IV, m * 8);
      lane[m++] = i;
    }
    hasher.compressMany(states, blocks, m);
    for (let k = 0; k < m; k++) out.set(states.subarray(k * 8, k * 8 + 8), lane[k]! * 8);
  }
  return out;
}

/**
 * idx ordered by the 8-word digests d[8·idx..]: a native sort of (top bits of word 0, position)
 * packed into doubles, then runs with equal top bits resolved on the full digest.
 */
export function sortByDigest(d: Int32Array, idx: Uint32Array): Uint32Array {
  const n = idx.length;
  if (n < 2) return idx.slice();
  const bits = Math.max(1, Math.ceil(Math.log2(n)));
  const shift = Math.max(0, bits - 21);
  const scale = 2 ** bits;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = ((d[idx[k]! * 8]! >>> 0) >>> shift) * scale + k;
  keys.sort();
  const out = new Uint32Array(n);
  for (let r = 0; r < n; r++) out[r] = idx[keys[r]! % scale]!;
  const top = (i: number) => (d[i * 8]! >>> 0) >>> shift;
  for (let r = 0; r + 1 < n; ) {
    let e = r + 1;
    const t = top(out[r]!);
    while (e < n && top(out[e]!) === t) e++;
    if (e - r > 1) out.set(Array.from(out.subarray(r, e)).sort((x, y) => compareDigests(d, x * 8, d, y * 8)), r);
    r = e;
  }
  return out;
}

export interface PublicPool {
  /** Candidate indices (USCC order) in public order: stratum key, A … D, each by commitment. */
  order: Uint32Array;
  /** Start of each stratum in `order` (6 entries). */
  bounds: number[];
  poolDigest: string;
}

/** Sorts the commitments per stratum and hashes them (raw 32 bytes each, in public order). */
export function publicPool(p: CompiledPool, commitments: Int32Array): PublicPool {
  const per: number[][] = [[], [], [], [], []];
  for (let i = 0; i < p.n; i++) per[p.strata[i]!]!.push(i);
  const order = new Uint32Array(p.n);
  const bounds = [0];
  let at = 0;
  for (let s = 0; s < 5; s++) {
    order.set(sortByDigest(commitments, Uint32Array.from(per[s]!)), at);
    at += per[s]!.length;
    bounds.push(at);
  }
  return { order, bounds, poolDigest: digestCommitments(commitments, order) };
}

/** SHA-256 of the raw commitments d[8·order[j]..] in order; throws on a duplicate neighbour. */
export function digestCommitments(d: Int32Array, order: ArrayLike<number>): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(order.length, 65_536) * 32);
  for (let base = 0; base < order.length; base += 65_536) {
    const end = Math.min(order.length, base + 65_536);
    for (let j = base; j < end; j++) {
      const o = order[j]! * 8, b = (j - base) * 32;
      for (let w = 0; w < 8; w++) buf.writeInt32BE(d[o + w]!, b + w * 4);
    }
    h.update(buf.subarray(0, (end - base) * 32));
  }
  return h.digest('hex');
}

/** Priority block words for commitment words c[o..o+8): ":" ‖ c ‖ 0x80 ‖ 0… ‖ bit length 776. */
function priorityBlock(c: Int32Array, o: number, blocks: Int32Array, bo: number): void {
  blocks[bo] = 0x3a000000 | (c[o]! >>> 8);
  for (let w = 1; w < 8; w++) blocks[bo + w] = (c[o + w - 1]! << 24) | (c[o + w]! >>> 8);
  blocks[bo + 8] = (c[o + 7]! << 24) | 0x800000;
  for (let w = 9; w < 15; w++) blocks[bo + w] = 0;
  blocks[bo + 15] = (64 + 1 + 32) * 8;
}

/** Full priority digests of the commitments c[8·idx[k]..] (8 words each, in idx order). */
export function priorities(seed: string, c: Int32Array, idx: ArrayLike<number>, hasher: BatchHasher): Int32Array {
  const mid = midstate(Buffer.from(seed, 'ascii'));
  const out = new Int32Array(idx.length * 8);
  const states = new Int32Array(CHUNK * 8);
  const blocks = new Int32Array(CHUNK * 16);
  for (let base = 0; base < idx.length; base += CHUNK) {
    const m = Math.min(CHUNK, idx.length - base);
    for (let k = 0; k < m; k++) {
      priorityBlock(c, idx[base + k]! * 8, blocks, k * 16);
      states.set(mid, k * 8);
    }
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
 * priorities; then all of them in ascending priority.
 */
export function selectV2(seed: string, c: Int32Array, pub: Uint32Array, bounds: readonly number[], counts: readonly number[], hasher: BatchHasher): SelectionV2 {
  const prio = priorities(seed, c, pub, hasher);
  const chosen: number[] = [];
  const perStratum = [0, 0, 0, 0, 0];
  const pos = new Uint32Array(pub.length);
  for (let j = 0; j < pub.length; j++) pos[j] = j;
  for (let s = 0; s < 5; s++) {
    const want = counts[s]!;
    const a = bounds[s]!, b = bounds[s + 1]!;
    if (want > b - a) throw new Error(`stratum ${s}: cannot draw ${want} of ${b - a}`);
    if (want === 0) continue;
    const sorted = sortByDigest(prio, pos.subarray(a, b));
    for (let r = 0; r < want; r++) chosen.push(sorted[r]!);
    perStratum[s] = want;
  }
  const all = sortByDigest(prio, Uint32Array.from(chosen));
  const order = new Uint32Array(all.length);
  const priority = new Int32Array(all.length * 8);
  for (let r = 0; r < all.length; r++) {
    order[r] = pub[all[r]!]!;
    priority.set(prio.subarray(all[r]! * 8, all[r]! * 8 + 8), r * 8);
  }
  return { order, priority, perStratum };
}
