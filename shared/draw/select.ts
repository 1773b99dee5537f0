/**
 * Step 3, selection: n_s = ceil(N_s × ratioBp_s / 10000) per stratum; priority(uscc) =
 * SHA-256(seed + ":" + uscc); the n_s candidates with the smallest priority are selected.
 *
 * Implementation: the first 32-bit word of every priority (one SIMD compression per candidate
 * from the seed midstate), a per-stratum histogram of its top 16 bits to find the bucket that
 * contains the n_s-th smallest, then full digests and an exact sort for the candidates in and
 * below that bucket only (about n_s + N_s/65536 of them).
 */
import type { BatchHasher } from './simd.js';
import { compareDigests, midstate } from './sha256.js';
import type { CompiledPool } from './pool.js';

const SEED_RE = /^[0-9a-f]{64}$/;

export function seedMidstate(seed: string): Int32Array {
  if (!SEED_RE.test(seed)) throw new Error('seed must be 64 lowercase hex characters');
  return midstate(Buffer.from(seed, 'ascii'));
}

export interface Selection {
  /** Selected candidate indices (into the USCC-sorted pool), ascending priority. */
  order: Uint32Array;
  /** Full priority digests, 8 words per selected candidate, same order. */
  priority: Int32Array;
  /** Selected count per stratum (STRATA order). */
  perStratum: number[];
}

/** Full priority digests of the given candidates (8 words each). */
export function fullPriorities(p: CompiledPool, mid: Int32Array, idx: Uint32Array, hasher: BatchHasher): Int32Array {
  const out = new Int32Array(idx.length * 8);
  hasher.priorityDigests(mid, p.usccBytes, idx, out);
  return out;
}

/**
 * Candidates selected per stratum for the given counts (drawCount per stratum, STRATA order).
 * Pools smaller than `directBelow` skip the histogram and sort full digests of every candidate
 * (same result; the tests run both paths).
 */
export function selectTargets(p: CompiledPool, seed: string, counts: readonly number[], hasher: BatchHasher, directBelow = 16384): Selection {
  const mid = seedMidstate(seed);
  const n = p.n;
  if (n < directBelow) {
    const collected: number[][] = [[], [], [], [], []];
    for (let i = 0; i < n; i++) collected[p.strata[i]!]!.push(i);
    return finish(p, mid, counts, collected.map((c) => Uint32Array.from(c)), hasher);
  }
  const first = new Int32Array(n);
  if (n > 0) hasher.priorities(mid, p.usccBytes, 0, n, first);
  const hist = histogram(p.strata, first, n);
  const limit = new Int32Array(5).fill(-1); // highest bucket to collect, per stratum
  const size = new Uint32Array(5); // candidates in buckets 0..limit
  for (let s = 0; s < 5; s++) {
    const want = Math.min(counts[s]!, p.strataCounts[s]!);
    if (want === 0) continue;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      sum += hist[s * 65536 + b]!;
      if (sum >= want) {
        limit[s] = b;
        size[s] = sum;
        break;
      }
    }
  }
  return finish(p, mid, counts, collect(p.strata, first, n, limit, size), hasher);
}

// The loops over all candidates live in small functions of their own: a draw calls each once,
// and V8 reuses their optimized code from the warm-up (a loop inside a bigger function that
// runs once per draw is re-entered cold and optimized anew every time).

/** Per-stratum histogram of the top 16 bits of the first priority word. */
function histogram(strata: Uint8Array, first: Int32Array, n: number): Uint32Array {
  const hist = new Uint32Array(5 * 65536);
  for (let i = 0; i < n; i++) hist[strata[i]! * 65536 + (first[i]! >>> 16)]!++;
  return hist;
}

/** The candidates of each stratum whose first word falls in buckets 0..limit (size[s] of them). */
function collect(strata: Uint8Array, first: Int32Array, n: number, limit: Int32Array, size: Uint32Array): Uint32Array[] {
  const out = Array.from(size, (c) => new Uint32Array(c));
  const fill = new Uint32Array(5);
  for (let i = 0; i < n; i++) {
    const s = strata[i]!;
    if (first[i]! >>> 16 <= limit[s]!) out[s]![fill[s]!++] = i;
  }
  return out;
}

/** out[at + r] = idx[pos[r]] and its 8 digest words, for r < count. */
function gather(idx: Uint32Array, digests: Int32Array, pos: Uint32Array, count: number, out: Uint32Array, outDigests: Int32Array, at: number): void {
  for (let r = 0; r < count; r++) {
    const k = pos[r]!;
    out[at + r] = idx[k]!;
    const f = k * 8, t = (at + r) * 8;
    outDigests[t] = digests[f]!;
    outDigests[t + 1] = digests[f + 1]!;
    outDigests[t + 2] = digests[f + 2]!;
    outDigests[t + 3] = digests[f + 3]!;
    outDigests[t + 4] = digests[f + 4]!;
    outDigests[t + 5] = digests[f + 5]!;
    outDigests[t + 6] = digests[f + 6]!;
    outDigests[t + 7] = digests[f + 7]!;
  }
}

/**
 * Positions 0..count-1 ordered by their 8-word digests (digests[8k..8k+8)): a native sort of
 * (first word · 2^21 + position) as doubles, then equal first words resolved on the full digest.
 */
export function orderByDigest(digests: Int32Array, count: number): Uint32Array {
  if (count >= 2 ** 21) {
    return Uint32Array.from(Array.from({ length: count }, (_, k) => k).sort((x, y) => compareDigests(digests, x * 8, digests, y * 8)));
  }
  const keys = new Float64Array(count);
  for (let k = 0; k < count; k++) keys[k] = (digests[k * 8]! >>> 0) * 2097152 + k;
  keys.sort();
  const out = new Uint32Array(count);
  for (let r = 0; r < count; r++) out[r] = keys[r]! % 2097152;
  for (let r = 0; r + 1 < count; ) {
    let e = r + 1;
    while (e < count && digests[out[e]! * 8] === digests[out[r]! * 8]) e++;
    if (e - r > 1) {
      const run = Array.from(out.subarray(r, e)).sort((x, y) => compareDigests(digests, x * 8, digests, y * 8));
      out.set(run, r);
    }
    r = e;
  }
  return out;
}

/** Exact selection among the collected candidates of each stratum (all that can be selected). */
function finish(p: CompiledPool, mid: Int32Array, counts: readonly number[], collected: Uint32Array[], hasher: BatchHasher): Selection {
  const total = counts.reduce((a, b) => a + b, 0);
  const chosen = new Uint32Array(total);
  const chosenPrio = new Int32Array(total * 8);
  const perStratum = [0, 0, 0, 0, 0];
  let c = 0;
  for (let s = 0; s < 5; s++) {
    const want = counts[s]!;
    if (want > p.strataCounts[s]!) throw new Error(`stratum ${s}: cannot draw ${want} of ${p.strataCounts[s]}`);
    if (want === 0) continue;
    const idx = collected[s]!;
    const full = fullPriorities(p, mid, idx, hasher);
    gather(idx, full, orderByDigest(full, idx.length), want, chosen, chosenPrio, c);
    c += want;
    perStratum[s] = want;
  }
  const order = new Uint32Array(total);
  const priority = new Int32Array(total * 8);
  gather(chosen, chosenPrio, orderByDigest(chosenPrio, total), total, order, priority, 0);
  return { order, priority, perStratum };
}
