/**
 * The hashing of suiji-draw-v2 (docs/DRAW.md §14): salted candidate commitments, the public
 * pool (commitments sorted per stratum) and its digest, and selection by priority over the
 * commitments. Batches go through the four-lane SHA-256 kernels (`commitments`,
 * `commitPriorities` of simd.ts, split with the helper thread); candidates whose message does not
 * fit one block (long exclusion lists) use node:crypto.
 *
 *   c        = SHA-256(salt (16 raw bytes) ‖ "<uscc>,<stratum>,<k>,<excluded ids ;-joined>")
 *   priority = SHA-256(seed (64 hex) ‖ ":" ‖ c (32 raw bytes))
 */
import { createHash } from 'node:crypto';
import { compareDigests, midstate } from '../sha256.js';
import { STRATA, withExclusions, type CompiledPool } from '../pool.js';
import { DrawInputError } from '../errors.js';
import { digestBucketSorter, type DigestClaims, type DigestSortHelper } from '../sort.js';
import type { BatchHasher } from '../simd.js';

const sharedInts = (n: number) => new Int32Array(new SharedArrayBuffer(n * 4));
/** 0, 1, …, n − 1. */
export function iota(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
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
 * The block tails of the one-block candidate texts: words 8..15 of the block (bytes 32..63) with
 * the USCC's last two bytes left zero — ",<stratum>,<k>,<exclusions>", 0x80, zeros, the bit
 * length. One tail per (area, stratum), and one of its own per candidate with exclusions; the
 * candidates whose text does not fit one block (≥ 56 bytes with the salt) are listed apart.
 */
export function commitTails(p: CompiledPool, into?: Uint32Array, withEx = withExclusions(p.exclOff, p.n)): { tails: Int32Array; tailOf: Uint32Array; long: number[] } {
  const n = p.n, areas = p.areaNames.length;
  const tails = new Int32Array(new SharedArrayBuffer((areas * 5 + withEx.length) * 32));
  const block = Buffer.alloc(64);
  /** Writes tail t for the text after the USCC; false if the message does not fit one block. */
  const put = (t: number, rest: string): boolean => {
    const len = SALT_BYTES + 18 + Buffer.byteLength(rest, 'utf8');
    if (len > 55) return false;
    block.fill(0);
    block.write(rest, 34, 'utf8');
    block[len] = 0x80;
    block.writeUInt16BE(len * 8, 62);
    for (let j = 0; j < 8; j++) tails[t * 8 + j] = block.readInt32BE(32 + j * 4);
    return true;
  };
  for (let k = 0; k < areas; k++) for (let s = 0; s < 5; s++) put(k * 5 + s, `,${STRATA[s]},${k},`);
  const tailOf = into?.length === n ? into : new Uint32Array(new SharedArrayBuffer(n * 4));
  fillTailOf(p.area, p.strata, n, tailOf);
  const long: number[] = [];
  withEx.forEach((i, x) => {
    const t = areas * 5 + x;
    tailOf[i] = t;
    if (!put(t, candidateText(p, i).slice(18))) long.push(i);
  });
  return { tails, tailOf, long };
}

function fillTailOf(area: Uint32Array, strata: Uint8Array, n: number, tailOf: Uint32Array): void {
  for (let i = 0; i < n; i++) tailOf[i] = area[i]! * 5 + strata[i]!;
}

/**
 * Commitments of all candidates (USCC order), 8 words each, in shared memory: one-block texts
 * four lanes at a time (split with the helper thread of a parallel hasher), the rest through
 * node:crypto. salts: 16 bytes per candidate (shared memory spares the helper a copy).
 * blockTails: commitTails(p, tailOfInto), if made already. into: n·8 words of shared memory for
 * the commitments (else a fresh array), all zero.
 */
export function commitAll(p: CompiledPool, salts: Uint8Array, hasher: BatchHasher, tailOfInto?: Uint32Array, blockTails = commitTails(p, tailOfInto), into?: Int32Array): Int32Array {
  const out = into?.length === p.n * 8 ? into : sharedInts(p.n * 8);
  const { tails, tailOf, long } = blockTails;
  hasher.commitments(salts, p.usccBytes, tails, tailOf, 0, p.n, out);
  for (const i of long) {
    const d = commitmentOf(salts.subarray(i * 16, i * 16 + 16), candidateText(p, i));
    for (let j = 0; j < 8; j++) out[i * 8 + j] = d.readInt32BE(j * 4);
  }
  return out;
}

/**
 * idx ordered by the 8-word digests d[8·idx..]: a stable radix sort of word 0 (three passes of
 * 11 bits, carrying word 0 along), then the full digest read only for equal first words (rare),
 * so the sort reads d once, in idx order. Its time does not depend on how the digests spread: a
 * selection's priorities all lie below the drawn fraction of the range, where buckets of the top
 * bits held ~4/fraction entries each (insertion sorts of ~130 at a 3 % ratio). onEqual: called if
 * two digests are equal.
 */
export function sortUniform(d: Int32Array, idx: Uint32Array, onEqual?: () => void): Uint32Array {
  const n = idx.length;
  if (n < 64) {
    return Uint32Array.from(idx).sort((x, y) => {
      const c = compareDigests(d, x * 8, d, y * 8);
      if (c === 0 && x !== y && onEqual) onEqual();
      return c;
    });
  }
  const keys = new Uint32Array(n);
  firstWords(d, idx, keys);
  const s = radixByKey(keys, Uint32Array.from(idx));
  if (sortEqualRuns(d, s.idx, s.keys) && onEqual) onEqual();
  return s.idx;
}

const RADIX_BITS = 11, RADIX = 1 << RADIX_BITS;

/**
 * The positions 0..n−1 of `keys` in ascending key order (stable radix sort): a gather over
 * indices into large arrays done in this order reads them in sequence, not at random.
 */
export function positionsByKey(keys: Uint32Array): Uint32Array {
  return radixByKey(Uint32Array.from(keys), iota(keys.length)).idx;
}

/** A stable radix sort of `keys` (three passes of 11 bits) carrying `idx` along; both arrays are reused. */
function radixByKey(keys: Uint32Array, idx: Uint32Array): { keys: Uint32Array; idx: Uint32Array } {
  const n = keys.length;
  let k2: Uint32Array = new Uint32Array(n), i2: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(RADIX + 1);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    radixPass(keys, idx, shift, count, k2, i2);
    [keys, k2, idx, i2] = [k2, keys, i2, idx];
  }
  return { keys, idx };
}

function firstWords(d: Int32Array, idx: Uint32Array, keys: Uint32Array): void {
  for (let k = 0; k < idx.length; k++) keys[k] = d[idx[k]! * 8]! >>> 0;
}
/** One stable counting pass on bits shift..shift+11 of the keys: into outKeys and out. */
function radixPass(keys: Uint32Array, idx: Uint32Array, shift: number, count: Uint32Array, outKeys: Uint32Array, out: Uint32Array): void {
  const n = keys.length;
  count.fill(0);
  for (let k = 0; k < n; k++) count[((keys[k]! >>> shift) & (RADIX - 1)) + 1]!++;
  for (let b = 1; b <= RADIX; b++) count[b]! += count[b - 1]!;
  for (let k = 0; k < n; k++) {
    const w = keys[k]!;
    const at = count[(w >>> shift) & (RADIX - 1)]!++;
    out[at] = idx[k]!;
    outKeys[at] = w;
  }
}
/**
 * Sorts each run of equal first words (adjacent after the radix sort) on the whole digest;
 * returns whether two digests were equal (they would meet in the same run).
 */
function sortEqualRuns(d: Int32Array, out: Uint32Array, keys: Uint32Array): boolean {
  const n = out.length;
  let equal = false;
  for (let r = 0; r < n; ) {
    let e = r + 1;
    while (e < n && keys[e] === keys[r]) e++;
    for (let k = r + 1; k < e; k++) {
      const x = out[k]!;
      let j = k - 1;
      let c = 0;
      while (j >= r && (c = compareDigests(d, out[j]! * 8, d, x * 8)) > 0) {
        out[j + 1] = out[j]!;
        j--;
      }
      if (j >= r && c === 0) equal = true;
      out[j + 1] = x;
    }
    r = e;
  }
  return equal;
}

export interface PublicPool {
  /** Candidate indices (USCC order) in public order: stratum key, A … D, each by commitment. */
  order: Uint32Array;
  /** Start of each stratum in `order` (6 entries). */
  bounds: number[];
  poolDigest: string;
  /** The commitments in public order (8 words each, shared memory): what selection reads. */
  sorted: Int32Array;
}

/**
 * Sorts the commitments per stratum and hashes them (raw 32 bytes each, in public order).
 * `commitments` (candidate order) is sorted in place: it becomes `sorted`. `orderInto` (n
 * words of shared memory), if given, receives the public order (else a fresh array does).
 * Throws on a duplicate commitment (a repeated salt: freeze again).
 */
export function publicPool(p: CompiledPool, commitments: Int32Array, helper?: DigestSortHelper, orderInto?: Uint32Array): PublicPool {
  const bounds = [0, 0, 0, 0, 0, 0];
  for (let s = 0; s < 5; s++) bounds[s + 1] = bounds[s]! + p.strataCounts[s]!;
  // each sorted stretch hashed as soon as it is final, while the helper thread sorts further on
  const h = commitmentHash();
  const { sorted, order, equal } = sortPublic(commitments, p.strata, p.strataCounts, helper, orderInto, (a, e) => h.update(commitments, a, e));
  if (equal) throw new DrawInputError('承诺值重复（盐值重复），请重新冻结');
  return { order, bounds, poolDigest: h.digest(), sorted };
}

/** Buckets per stratum of the public sort's permutation: at most 2^this. */
const PUBLIC_BUCKET_BITS = 6;
/** From this many entries on, the helper thread sorts buckets too. */
const SORT_SPLIT_FROM = 50_000;
/** A bucket the helper claimed and has not sorted by then: the helper is gone (the freeze fails). */
const HELPER_BUCKET_MS = 10_000;

/**
 * Sorts the digests d[8i..] (candidate order; uniformly distributed: commitments) in place by
 * (stratum of candidate i, digest), with the candidate of each place in `order` (shared
 * memory). Two passes over memory that is touched already (fresh memory costs a page fault per
 * 4 kB): the first permutes every digest into its bucket in place — per stratum, the top bits
 * of word 0, at most 64 buckets per stratum (an American flag sort: each move goes to one of a
 * few hundred streams; with 2,112 of them at 10,000,000 the permutation took 1.5× as long, the
 * streams' pages no longer in the TLB); the second sorts each bucket in place
 * (`digestBucketSorter`), both threads taking the next bucket when there is a helper thread.
 * While it moves, each entry of `order` carries its candidate's stratum in its top 3 bits (the
 * permutation then reads no `strata` at random); the bucket sort drops them.
 * `each(a, e)`: called on this thread with each stretch [a, e) of entries once it is sorted, in
 * order (the pool digest hashes them while the helper sorts further buckets).
 */
export function sortPublic(
  d: Int32Array,
  strata: Uint8Array,
  strataCounts: readonly number[],
  helper?: DigestSortHelper,
  orderInto?: Uint32Array,
  each?: (a: number, e: number) => void,
): { sorted: Int32Array; order: Uint32Array; equal: boolean } {
  const n = strata.length;
  // per stratum: 2^bits buckets (first bucket index `base`), keyed by the top `bits` bits of word 0
  if (n >= 1 << 29) throw new Error(`sortPublic: ${n} entries (at most 2^29: the stratum rides in an index's top 3 bits)`);
  const bits = strataCounts.map((c) => Math.min(PUBLIC_BUCKET_BITS, Math.max(0, 31 - Math.clz32(c) - 10)));
  const base = new Uint32Array(6), shift = new Uint32Array(5);
  for (let s = 0; s < 5; s++) {
    base[s + 1] = base[s]! + (1 << bits[s]!);
    shift[s] = 31 - bits[s]!; // applied to word 0 >>> 1: a 0-bit key is 0
  }
  const nb = base[5]!;
  const start = new Uint32Array(new SharedArrayBuffer((nb + 1) * 4));
  countBuckets(d, strata, n, base, shift, start);
  for (let v = 0, sum = 0; v <= nb; v++) {
    const c = start[v]!;
    start[v] = sum;
    sum += c;
  }
  const order = orderInto?.length === n && orderInto.buffer instanceof SharedArrayBuffer ? orderInto : new Uint32Array(new SharedArrayBuffer(n * 4));
  tagStrata(strata, n, order);
  permuteBuckets(d, order, base, shift, start, nb);
  const shared = (k: number) => new Int32Array(new SharedArrayBuffer(k * 4));
  const claims: DigestClaims = { next: shared(1), done: shared(nb), equal: shared(1) };
  let equal = false;
  const own = () => (equal = sortAndPass(d, order, start, nb, claims, each));
  // (own runs inside claimDigests, with the helper or, if it is gone, alone)
  if (helper?.claimDigests && n >= SORT_SPLIT_FROM) helper.claimDigests(d, order, start, nb, claims, own);
  else own();
  return { sorted: d, order, equal: equal || claims.equal[0] === 1 };
}

/**
 * This thread's part of the buckets' sort: sorts the next unclaimed bucket, or passes the next
 * stretch of sorted buckets (in order) to `each`, whichever is ready first; waits for a bucket
 * the helper is still sorting once none is left to claim. Returns whether two digests it sorted
 * are equal.
 */
function sortAndPass(d: Int32Array, order: Uint32Array, start: Uint32Array, nb: number, claims: DigestClaims, each?: (a: number, e: number) => void): boolean {
  const sort = digestBucketSorter(d, order, start, 0, nb);
  const { next, done } = claims;
  let equal = false;
  for (let h = 0; h < nb; ) {
    if (Atomics.load(done, h)) {
      let k = h + 1;
      while (k < nb && Atomics.load(done, k)) k++;
      each?.(start[h]!, start[k]!);
      h = k;
      continue;
    }
    const v = Atomics.add(next, 0, 1);
    if (v < nb) {
      if (sort(v)) equal = true;
      done[v] = 1;
    } else if (Atomics.wait(done, h, 0, HELPER_BUCKET_MS) === 'timed-out') throw new Error('sortPublic: the helper thread did not sort its bucket');
  }
  return equal;
}

function countBuckets(d: Int32Array, strata: Uint8Array, n: number, base: Uint32Array, shift: Uint32Array, count: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const s = strata[i]!;
    count[base[s]! + ((d[i * 8]! >>> 1) >>> shift[s]!)]!++;
  }
}

/** order[i] = i with candidate i's stratum in the top 3 bits. */
function tagStrata(strata: Uint8Array, n: number, order: Uint32Array): void {
  for (let i = 0; i < n; i++) order[i] = (i | (strata[i]! << 29)) >>> 0;
}

/**
 * Moves every digest (and its candidate in idx) into its bucket, in place: bucket by bucket,
 * each entry not yet in place is carried along the cycle of places it displaces (each the next
 * free place of the carried entry's bucket) until one belongs where the cycle began. idx
 * carries the stratum (tagStrata).
 */
function permuteBuckets(d: Int32Array, idx: Uint32Array, base: Uint32Array, shift: Uint32Array, start: Uint32Array, nb: number): void {
  const next = start.slice(0, nb);
  for (let b = 0; b < nb; b++) {
    const end = start[b + 1]!;
    for (let p = next[b]!; p < end; p++) {
      let o = p * 8;
      let ci = idx[p]!, s = ci >>> 29;
      let w0 = d[o]!;
      let v = base[s]! + ((w0 >>> 1) >>> shift[s]!);
      if (v === b) continue;
      let w1 = d[o + 1]!, w2 = d[o + 2]!, w3 = d[o + 3]!, w4 = d[o + 4]!, w5 = d[o + 5]!, w6 = d[o + 6]!, w7 = d[o + 7]!;
      for (;;) {
        // the carried entry into the next free place of its bucket (or, once it belongs to
        // bucket b, into p, where the cycle began), carrying that place's entry on
        const home = v === b;
        const q = home ? p : next[v]!++;
        o = q * 8;
        const x0 = d[o]!, x1 = d[o + 1]!, x2 = d[o + 2]!, x3 = d[o + 3]!, x4 = d[o + 4]!, x5 = d[o + 5]!, x6 = d[o + 6]!, x7 = d[o + 7]!, xi = idx[q]!;
        d[o] = w0;
        d[o + 1] = w1;
        d[o + 2] = w2;
        d[o + 3] = w3;
        d[o + 4] = w4;
        d[o + 5] = w5;
        d[o + 6] = w6;
        d[o + 7] = w7;
        idx[q] = ci;
        if (home) break;
        w0 = x0; w1 = x1; w2 = x2; w3 = x3; w4 = x4; w5 = x5; w6 = x6; w7 = x7; ci = xi;
        s = ci >>> 29;
        v = base[s]! + ((w0 >>> 1) >>> shift[s]!);
      }
    }
    next[b] = end;
  }
}

/** The commitments d[8·order[j]..] one after the other (shared memory): one pass of random reads. */
export function gatherCommitments(d: Int32Array, order: Uint32Array): Int32Array {
  const out = sharedInts(order.length * 8);
  gatherDigests(d, order, out);
  return out;
}

function gatherDigests(d: Int32Array, order: Uint32Array, out: Int32Array): void {
  for (let j = 0, b = 0; j < order.length; j++, b += 8) {
    const o = order[j]! * 8;
    for (let w = 0; w < 8; w++) out[b + w] = d[o + w]!;
  }
}

/** SHA-256 of consecutive 8-word commitments as raw 32 big-endian bytes each (poolDigest). */
export function digestCommitments(sorted: Int32Array): string {
  const h = commitmentHash();
  h.update(sorted, 0, sorted.length >>> 3);
  return h.digest();
}

/** digestCommitments fed stretch by stretch: update(d, a, e) hashes commitments [a, e) of d. */
export function commitmentHash(): { update(d: Int32Array, a: number, e: number): void; digest(): string } {
  const h = createHash('sha256');
  const CH = 1 << 21;
  let buf: Buffer | undefined;
  return {
    update(d, a, e) {
      const bytes = new Uint8Array(d.buffer, d.byteOffset + a * 32, (e - a) * 32);
      buf ??= Buffer.allocUnsafe(CH);
      for (let at = 0; at < bytes.length; at += buf.length) {
        const len = Math.min(buf.length, bytes.length - at);
        buf.set(bytes.subarray(at, at + len));
        // native byte swap: words → big-endian bytes
        h.update(buf.subarray(0, len).swap32());
      }
    },
    digest: () => h.digest('hex'),
  };
}

/** Full priority digests of the commitments c[8·idx[k]..] (8 words each, in idx order). */
export function priorities(seed: string, c: Int32Array, idx: Uint32Array, hasher: BatchHasher): Int32Array {
  // shared: the helper thread writes its chunks in place (BatchHasher.commitPriorityDigests)
  const out = sharedInts(idx.length * 8);
  hasher.commitPriorityDigests(midstate(Buffer.from(seed, 'ascii')), c, idx, out);
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
 * Per stratum (contiguous ranges `bounds` of `pub`, indices into c; pub null: c in public order
 * itself), the `counts[s]` smallest priorities; then all of them in ascending priority.
 * Priorities are uniform: a histogram of the top 16 bits of word 0 finds the bucket holding the
 * n_s-th smallest, and only the candidates up to it get full digests and an exact sort; the
 * drawn ones keep those digests (no second hashing) for the final order.
 */
export function selectV2(seed: string, c: Int32Array, pub: Uint32Array | null, bounds: readonly number[], counts: readonly number[], hasher: BatchHasher): SelectionV2 {
  const mid = midstate(Buffer.from(seed, 'ascii'));
  const n = bounds[5]!;
  // the top 16 bits of each first word: all the histogram and the gather read (half the fresh
  // memory of the first words: 19 MB at 10,000,000)
  const top = new Uint16Array(new SharedArrayBuffer(n * 2));
  if (pub) {
    const first = sharedInts(n);
    hasher.commitPriorities(mid, c, pub, 0, n, first);
    for (let j = 0; j < n; j++) top[j] = first[j]! >>> 16;
  } else hasher.commitPriorityTops(mid, c, 0, n, top);
  let total = 0;
  for (let s = 0; s < 5; s++) {
    if (counts[s]! > bounds[s + 1]! - bounds[s]!) throw new Error(`stratum ${s}: cannot draw ${counts[s]} of ${bounds[s + 1]! - bounds[s]!}`);
    total += counts[s]!;
  }
  // the drawn entries of all strata (indices into c) and their full digests, stratum by stratum
  const chosen = new Uint32Array(total);
  const prio = new Int32Array(total * 8);
  const perStratum = [0, 0, 0, 0, 0];
  const hist = new Uint32Array(65_536);
  for (let s = 0, at = 0; s < 5; s++) {
    const want = counts[s]!;
    const a = bounds[s]!, b = bounds[s + 1]!;
    if (want === 0) continue;
    hist.fill(0);
    histogram16(top, a, b, hist);
    let limit = 0, below = 0;
    for (; limit < 65_536; limit++) if ((below += hist[limit]!) >= want) break;
    // commitment indices in the buckets up to the n_s-th smallest: full digests, exact order
    const idx = gatherBelow(top, pub, a, b, limit, below);
    const full = priorities(seed, c, idx, hasher);
    const sorted = sortUniform(full, iota(idx.length));
    takeFirst(sorted, want, idx, full, chosen, prio, at);
    perStratum[s] = want;
    at += want;
  }
  const all = sortUniform(prio, iota(total));
  const order = new Uint32Array(total);
  const priority = new Int32Array(total * 8);
  takeFirst(all, total, chosen, prio, order, priority, 0);
  return { order, priority, perStratum };
}

/** For r < m: outIdx[at + r] = idx[k], outD[8(at + r)..] = d[8k..] with k = sorted[r]. */
function takeFirst(sorted: Uint32Array, m: number, idx: Uint32Array, d: Int32Array, outIdx: Uint32Array, outD: Int32Array, at: number): void {
  for (let r = 0; r < m; r++) {
    const k = sorted[r]!, o = k * 8, q = (at + r) * 8;
    outIdx[at + r] = idx[k]!;
    for (let w = 0; w < 8; w++) outD[q + w] = d[o + w]!;
  }
}

function histogram16(top: Uint16Array, a: number, b: number, hist: Uint32Array): void {
  for (let j = a; j < b; j++) hist[top[j]!]!++;
}
/** pub[j] (or j, pub null) for the positions j in [a, b) whose first word's top 16 bits are ≤ limit (`count` of them: the histogram's sum). */
function gatherBelow(top: Uint16Array, pub: Uint32Array | null, a: number, b: number, limit: number, count: number): Uint32Array {
  const out = new Uint32Array(new SharedArrayBuffer(count * 4));
  let m = 0;
  for (let j = a; j < b; j++) if (top[j]! <= limit) out[m++] = j;
  if (pub) for (let k = 0; k < m; k++) out[k] = pub[out[k]!]!;
  return out;
}
