/**
 * Sorting the freeze's packed candidate records (5 words each: the USCC in w0..w2, then meta and
 * input index; see PackedCandidates in pool.ts) by USCC: a merge of a few sorted runs, or an MSD
 * radix sort whose buckets can be split with the helper thread of `parallel.ts`.
 */
import { compareDigests } from './sha256.js';

/** Work the sort can hand to a second thread (see `createParallelHasher`). */
export interface SortHelper {
  /**
   * Runs msdBuckets(src, other, bounds, v0, v1, hi, d) on the helper thread while `own` runs
   * here; false if the helper did not (the caller then sorts those buckets itself). src, other
   * and bounds must be backed by SharedArrayBuffers.
   */
  sortBuckets?(src: Uint32Array, other: Uint32Array, bounds: Uint32Array, v0: number, v1: number, hi: number, d: number, own: () => void): boolean;
  /**
   * Runs scatterRecords(src, other, lo, hi, w, sh, pos) on the helper thread while `own` runs
   * here; false if the helper did not. src, other and pos must be backed by SharedArrayBuffers.
   */
  scatterRecords?(src: Uint32Array, other: Uint32Array, lo: number, hi: number, w: number, sh: number, pos: Uint32Array, own: () => void): boolean;
}

/** Work the public pool's sort can hand to a second thread (see `createParallelHasher`). */
export interface DigestSortHelper {
  /**
   * Runs sortClaimedDigests(words, idx, start, nb, claims) on the helper thread while `own` runs
   * here (and claims buckets too); false if the helper did not (`own` then claimed them all).
   * The arrays must be backed by SharedArrayBuffers.
   */
  claimDigests?(words: Int32Array, idx: Uint32Array, start: Uint32Array, nb: number, claims: DigestClaims, own: () => void): boolean;
}

/**
 * The public sort's buckets as both threads sort them: each takes the next bucket from next[0];
 * done[v] is set to 1 (and notified) once bucket v is sorted; equal[0] to 1 if two digests are.
 */
export interface DigestClaims {
  next: Int32Array;
  done: Int32Array;
  equal: Int32Array;
}

const lessRec = (r: Uint32Array, x: number, y: number) =>
  r[x]! < r[y]! || (r[x] === r[y] && (r[x + 1]! < r[y + 1]! || (r[x + 1] === r[y + 1] && r[x + 2]! < r[y + 2]!)));

/**
 * Sorts n records of 5 words by (w0, w1, w2). Records move with their keys, so every pass reads
 * and writes sequentially (random access is what costs at a million records). Input that is
 * already sorted (e.g. read from USCC-ordered index pages) is returned as is; a few sorted runs
 * (one per shard) are merged; anything else goes through the MSD radix sort below.
 */
export function sortRecords(rec: Uint32Array, n: number, scratch: Uint32Array = new Uint32Array(n * 5), helper?: SortHelper): Uint32Array {
  const runs = sortedRuns(rec, n, 64);
  if (runs.length === 1) return rec;
  if (runs.length > 64) return radixRecords(rec, n, scratch, helper);
  let src = rec;
  let dst = scratch;
  let bounds = [...runs, n];
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!, mid = bounds[r + 1]!, hi = bounds[r + 2] ?? mid;
      let a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        const f = (lessRec(src, b * 5, a * 5) ? b++ : a++) * 5;
        const t = o++ * 5;
        dst[t] = src[f]!;
        dst[t + 1] = src[f + 1]!;
        dst[t + 2] = src[f + 2]!;
        dst[t + 3] = src[f + 3]!;
        dst[t + 4] = src[f + 4]!;
      }
      if (a < mid) dst.set(src.subarray(a * 5, mid * 5), o * 5), (o += mid - a);
      if (b < hi) dst.set(src.subarray(b * 5, hi * 5), o * 5);
      next.push(hi);
    }
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}

/** Starts of the ascending runs of records, up to max + 1 of them (then the caller radix-sorts). */
function sortedRuns(rec: Uint32Array, n: number, max: number): number[] {
  const runs: number[] = [0];
  for (let i = 1; i < n && runs.length <= max; i++) if (lessRec(rec, i * 5, (i - 1) * 5)) runs.push(i);
  return runs;
}

/**
 * Most-significant-digit radix sort of 5-word records on (w0, w1, w2), in 10-bit digits (two USCC
 * symbols; digit 0 is the most significant). Each range is scattered on its first digit that
 * varies (a common prefix such as "91" + region code costs nothing) into up to 1024 sub-ranges,
 * which are sorted the same way, ping-ponging between the two buffers; ranges of 32 records or
 * fewer are insertion-sorted. Only the first scatter moves records through main memory: below it
 * a range (about n/1024 records) fits in the CPU cache. Returns the buffer holding the result.
 */
export function radixRecords(rec: Uint32Array, n: number, scratch: Uint32Array = new Uint32Array(n * 5), helper?: SortHelper): Uint32Array {
  if (n < 2) return rec;
  const counts = sortCounts();
  if (!helper?.sortBuckets || !(rec.buffer instanceof SharedArrayBuffer) || !(scratch.buffer instanceof SharedArrayBuffer)) {
    msdRange(rec, scratch, 0, n, 0, scratch, counts);
    return scratch;
  }
  // Two threads: the first scatter here, then the buckets split by record count, the upper half
  // sorted on the helper thread. Each bucket is sorted on its own, so the result is the same.
  const d = msdScatter(rec, scratch, 0, n, 0, counts, helper.scatterRecords && n >= SCATTER_SPLIT_FROM ? helper : undefined);
  if (d < 0 || d === 8) {
    if (d < 0) scratch.set(rec.subarray(0, n * 5)); // all keys equal (duplicates, reported by the caller)
    return scratch;
  }
  const bounds = new Uint32Array(new SharedArrayBuffer(1025 * 4));
  bounds.set(counts[d]!);
  let v = 0;
  while (v < 1024 && bounds[v + 1]! <= n >>> 1) v++;
  const own = (): void => msdBuckets(scratch, rec, bounds, 0, v, n, d, scratch, counts);
  if (!helper.sortBuckets(scratch, rec, bounds, v, 1024, n, d, own)) msdBuckets(scratch, rec, bounds, v, 1024, n, d, scratch, counts);
  return scratch;
}

/** Bucket bounds per digit (0–8) and the scatter's write positions (9): one set per thread. */
export const sortCounts = (): Uint32Array[] => Array.from({ length: 10 }, () => new Uint32Array(1025));

/** Sorts records [lo, hi) of `src` from digit `d` on, into `target` (which is src or other). */
function msdRange(src: Uint32Array, other: Uint32Array, lo: number, hi: number, d: number, target: Uint32Array, counts: Uint32Array[]): void {
  if (hi - lo <= 32) {
    insertionSort(src, lo, hi);
    if (target !== src) copyRecords(src, target, lo, hi);
    return;
  }
  const dv = msdScatter(src, other, lo, hi, d, counts);
  if (dv < 0) {
    // equal keys (duplicates, reported by the caller)
    if (target !== src) copyRecords(src, target, lo, hi);
    return;
  }
  if (dv === 8) {
    // last digit: the buckets are single keys
    if (target !== other) copyRecords(other, target, lo, hi);
    return;
  }
  msdBuckets(other, src, counts[dv]!, 0, 1024, hi, dv, target, counts);
}

/** From this many records on, the helper scatters half of them (the warm-up's 65,536 included). */
const SCATTER_SPLIT_FROM = 50_000;

/**
 * Scatters records [lo, hi) of `src` into `other` on their first digit from `d` on that varies;
 * returns that digit, its bucket starts in counts[digit][0..1024), or -1 if all keys are equal.
 * With a helper, it scatters the upper half of the records (into the places after the lower
 * half's in each bucket: the same result).
 */
function msdScatter(src: Uint32Array, other: Uint32Array, lo: number, hi: number, d: number, counts: Uint32Array[], helper?: SortHelper): number {
  if (helper?.scatterRecords && d === 0) {
    const top = scatterTop(src, other, lo, hi, counts, helper);
    if (top >= 0) return top;
    d = 2; // digits 0 and 1 both constant (one region): on from digit 2
  }
  const m = hi - lo;
  const start = counts[d]!;
  let w = 0, sh = 0;
  for (; d < 9; d++) {
    w = (d / 3) | 0;
    sh = 20 - 10 * (d % 3);
    start.fill(0);
    for (let i = lo; i < hi; i++) start[((src[i * 5 + w]! >>> sh) & 1023) + 1]!++;
    if (start[((src[lo * 5 + w]! >>> sh) & 1023) + 1] !== m) break; // varies here
  }
  if (d === 9) return -1;
  const c = counts[d]!;
  if (c !== start) c.set(start);
  c[0] = lo;
  for (let v = 0; v < 1024; v++) c[v + 1]! += c[v]!;
  // c[v] = start of bucket v; scatter advances a copy so the bounds survive for the recursion
  const pos = counts[9]!;
  pos.set(c);
  if (helper?.scatterRecords) {
    const low = new Uint32Array(1024);
    countDigits(src, lo, lo + ((hi - lo) >>> 1), w, sh, low);
    scatterHalves(src, other, lo, hi, w, sh, c, pos, low, helper);
  } else scatterRecords(src, other, lo, hi, w, sh, pos);
  return d;
}

/**
 * The scatter with the helper: the lower half of [lo, hi) here from `pos`, the upper half on the
 * helper from after the lower half's records in each bucket (c: the bucket starts, low: the lower
 * half's count per bucket) — the same result as one scatter.
 */
function scatterHalves(src: Uint32Array, other: Uint32Array, lo: number, hi: number, w: number, sh: number, c: Uint32Array, pos: Uint32Array, low: Uint32Array, helper: SortHelper): void {
  const mid = lo + ((hi - lo) >>> 1);
  const upper = new Uint32Array(new SharedArrayBuffer(1024 * 4));
  for (let v = 0; v < 1024; v++) upper[v] = c[v]! + low[v]!;
  if (!helper.scatterRecords!(src, other, mid, hi, w, sh, upper, () => scatterRecords(src, other, lo, mid, w, sh, pos))) scatterRecords(src, other, mid, hi, w, sh, upper);
}

/**
 * msdScatter of the first scatter with the helper (d = 0): digits 0 and 1 (word 0's top 20 bits:
 * a USCC's leading "91" is one constant digit) counted in one pass over the records, for the lower
 * and the upper half apart (the upper half's places in each bucket follow the lower half's), where
 * counting each digit over all records, then the lower half again, took 2½ passes. Returns the
 * digit scattered on, or -1 if both are constant (nothing scattered).
 */
function scatterTop(src: Uint32Array, other: Uint32Array, lo: number, hi: number, counts: Uint32Array[], helper: SortHelper): number {
  const mid = lo + ((hi - lo) >>> 1);
  const low0 = new Uint32Array(1024), low1 = new Uint32Array(1024), up0 = new Uint32Array(1024), up1 = new Uint32Array(1024);
  countTop(src, lo, mid, low0, low1);
  countTop(src, mid, hi, up0, up1);
  const whole = (v: number, x: Uint32Array, y: Uint32Array) => x[v]! + y[v]!;
  const m = hi - lo, first = src[lo * 5]!;
  const d = whole((first >>> 20) & 1023, low0, up0) !== m ? 0 : whole((first >>> 10) & 1023, low1, up1) !== m ? 1 : -1;
  if (d < 0) return -1;
  const low = d === 0 ? low0 : low1, up = d === 0 ? up0 : up1;
  // c[v] = start of bucket v (kept for the recursion); pos: the lower half's next places
  const c = counts[d]!, pos = counts[9]!;
  c[0] = lo;
  for (let v = 0; v < 1024; v++) {
    c[v + 1] = c[v]! + low[v]! + up[v]!;
    pos[v] = c[v]!;
  }
  scatterHalves(src, other, lo, hi, 0, d === 0 ? 20 : 10, c, pos, low, helper);
  return d;
}

/** Digits 0 and 1 of records [lo, hi) counted into c0 and c1. */
function countTop(src: Uint32Array, lo: number, hi: number, c0: Uint32Array, c1: Uint32Array): void {
  for (let i = lo; i < hi; i++) {
    const k = src[i * 5]!;
    c0[(k >>> 20) & 1023]!++;
    c1[(k >>> 10) & 1023]!++;
  }
}

function countDigits(src: Uint32Array, lo: number, hi: number, w: number, sh: number, count: Uint32Array): void {
  for (let i = lo; i < hi; i++) count[(src[i * 5 + w]! >>> sh) & 1023]!++;
}

/** Records [lo, hi) of `src` into `other`, each at pos[its digit (word w >>> sh, 10 bits)]++. */
export function scatterRecords(src: Uint32Array, other: Uint32Array, lo: number, hi: number, w: number, sh: number, pos: Uint32Array): void {
  for (let i = lo; i < hi; i++) {
    const o = i * 5;
    const p = pos[(src[o + w]! >>> sh) & 1023]!++ * 5;
    other[p] = src[o]!;
    other[p + 1] = src[o + 1]!;
    other[p + 2] = src[o + 2]!;
    other[p + 3] = src[o + 3]!;
    other[p + 4] = src[o + 4]!;
  }
}

/**
 * Sorts buckets v0..v1-1 of a scatter on digit d (bucket v is records [bounds[v], bounds[v+1]) of
 * `src`, the last one ending at hi) from digit d + 1 on, into `target`.
 */
export function msdBuckets(src: Uint32Array, other: Uint32Array, bounds: Uint32Array, v0: number, v1: number, hi: number, d: number, target: Uint32Array, counts: Uint32Array[]): void {
  for (let v = v0; v < v1; v++) {
    const s = bounds[v]!, e = v < 1023 ? bounds[v + 1]! : hi;
    // most buckets below the first scatter hold one record or none: no recursion for those
    if (e - s === 1) {
      if (target !== src) copyRecords(src, target, s, e);
    } else if (e > s) msdRange(src, other, s, e, d + 1, target, counts);
  }
}

/** Records [lo, hi) of `from` into the same places of `to` (a loop: ranges here are short). */
function copyRecords(from: Uint32Array, to: Uint32Array, lo: number, hi: number): void {
  for (let o = lo * 5; o < hi * 5; o++) to[o] = from[o]!;
}

function insertionSort(r: Uint32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const o = i * 5;
    const a = r[o]!, b = r[o + 1]!, c = r[o + 2]!, m = r[o + 3]!, x = r[o + 4]!;
    let j = i - 1;
    for (; j >= lo; j--) {
      const q = j * 5;
      const qa = r[q]!, qb = r[q + 1]!;
      if (qa < a || (qa === a && (qb < b || (qb === b && r[q + 2]! <= c)))) break;
      r[q + 5] = qa;
      r[q + 6] = qb;
      r[q + 7] = r[q + 2]!;
      r[q + 8] = r[q + 3]!;
      r[q + 9] = r[q + 4]!;
    }
    const t = (j + 1) * 5;
    r[t] = a;
    r[t + 1] = b;
    r[t + 2] = c;
    r[t + 3] = m;
    r[t + 4] = x;
  }
}

/**
 * Sorts each bucket v0..v1-1 of 8-word digests — entries [start[v], start[v + 1]) of `words`
 * (8 words each) with their indices in `idx` — ascending (words compared unsigned), in place.
 * Returns whether two digests are equal (see digestBucketSorter).
 */
export function sortDigestBuckets(words: Int32Array, idx: Uint32Array, start: Uint32Array, v0: number, v1: number): boolean {
  const sort = digestBucketSorter(words, idx, start, v0, v1);
  let equal = false;
  for (let v = v0; v < v1; v++) if (sort(v)) equal = true;
  return equal;
}

/**
 * Sorts the buckets this thread claims (claims.next) until none is left, marking each done:
 * the helper thread's part of sortPublic's second pass.
 */
export function sortClaimedDigests(words: Int32Array, idx: Uint32Array, start: Uint32Array, nb: number, claims: DigestClaims): void {
  const sort = digestBucketSorter(words, idx, start, 0, nb);
  for (let v = Atomics.add(claims.next, 0, 1); v < nb; v = Atomics.add(claims.next, 0, 1)) {
    if (sort(v)) Atomics.store(claims.equal, 0, 1);
    Atomics.store(claims.done, v, 1);
    Atomics.notify(claims.done, v);
  }
}

/**
 * A sort of one bucket v (of v0..v1-1, its scratch made once), returning whether two digests in
 * it are equal. Meant for the second pass of a radix sort whose first pass moved each digest into
 * its bucket: here a bucket is copied aside, counted on the bits below its entries' common
 * prefix, scattered back into place and runs of equal keys insertion-sorted (two equal digests
 * meet in one run). The indices come back without the tag sortPublic puts in their top 3 bits
 * (the stratum).
 */
export function digestBucketSorter(words: Int32Array, idx: Uint32Array, start: Uint32Array, v0: number, v1: number): (v: number) => boolean {
  let max = 0;
  for (let v = v0; v < v1; v++) max = Math.max(max, start[v + 1]! - start[v]!);
  const sw = new Int32Array(max * 8), si = new Uint32Array(max);
  const count = new Uint32Array((1 << 16) + 1);
  return (v) => {
    const a = start[v]!, e = start[v + 1]!;
    const equal = e - a < 2 ? false : e - a <= 16 ? insertionDigests(words, idx, a, e) : bucketPass(words, idx, a, e, sw, si, count);
    untag(idx, a, e);
    return equal;
  };
}

function untag(idx: Uint32Array, a: number, e: number): void {
  for (let k = a; k < e; k++) idx[k] = idx[k]! & 0x1fffffff;
}

function bucketPass(words: Int32Array, idx: Uint32Array, a: number, e: number, sw: Int32Array, si: Uint32Array, count: Uint32Array): boolean {
  const m = e - a;
  let lo = 0xffffffff, hi = 0;
  for (let k = 0, o = a * 8; k < m; k++, o += 8) {
    const w = words[o]! >>> 0;
    if (w < lo) lo = w;
    if (w > hi) hi = w;
  }
  const common = Math.clz32(lo ^ hi);
  if (common === 32) return insertionDigests(words, idx, a, e); // one first word: one run
  // about one key per entry, from the bits below the common prefix
  let b = Math.min(16, 31 - Math.clz32(m));
  if (common + b > 32) b = 32 - common;
  const shift = 32 - common - b, mask = (1 << b) - 1;
  sw.set(words.subarray(a * 8, e * 8));
  si.set(idx.subarray(a, e));
  count.fill(0, 0, mask + 2);
  for (let k = 0; k < m; k++) count[((sw[k * 8]! >>> shift) & mask) + 1]!++;
  for (let c = 0; c <= mask; c++) count[c + 1]! += count[c]!;
  for (let k = 0; k < m; k++) {
    const o = k * 8;
    const at = a + count[(sw[o]! >>> shift) & mask]!++;
    const q = at * 8;
    words[q] = sw[o]!;
    words[q + 1] = sw[o + 1]!;
    words[q + 2] = sw[o + 2]!;
    words[q + 3] = sw[o + 3]!;
    words[q + 4] = sw[o + 4]!;
    words[q + 5] = sw[o + 5]!;
    words[q + 6] = sw[o + 6]!;
    words[q + 7] = sw[o + 7]!;
    idx[at] = si[k]!;
  }
  // runs of one key (adjacent now), each sorted on the whole digest
  let equal = false;
  for (let r = a; r < e; ) {
    const key = words[r * 8]! >>> shift;
    let s = r + 1;
    while (s < e && words[s * 8]! >>> shift === key) s++;
    if (s - r > 1 && insertionDigests(words, idx, r, s)) equal = true;
    r = s;
  }
  return equal;
}

/** Insertion sort of digests [a, e) (8 words each, unsigned) with their indices; true if two are equal. */
function insertionDigests(words: Int32Array, idx: Uint32Array, a: number, e: number): boolean {
  let equal = false;
  for (let k = a + 1; k < e; k++) {
    let j = k;
    for (; j > a; j--) {
      const c = compareDigests(words, (j - 1) * 8, words, j * 8);
      if (c === 0) equal = true;
      if (c <= 0) break;
      for (let w = 0, x = (j - 1) * 8, y = j * 8; w < 8; w++) {
        const t = words[x + w]!;
        words[x + w] = words[y + w]!;
        words[y + w] = t;
      }
      const t = idx[j - 1]!;
      idx[j - 1] = idx[j]!;
      idx[j] = t;
    }
  }
  return equal;
}
