/**
 * The program of the draw's helper thread (started by `createParallelHasher` in parallel.ts).
 * A worker thread needs a file of its own: deployed, this entry is bundled next to the handler
 * as `draw-helper.mjs` (infra/bundling.ts); run from source, parallel.ts bundles it in memory.
 *
 * The thread sleeps in Atomics.wait on ctrl[0] until the caller sets it to 1 (a job is waiting on
 * the port) or 3 (stop); it answers 0 when done, 2 after posting the error.
 */
import { randomFillSync } from 'node:crypto';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { gatherOpenings, type OpeningGather } from './gather.js';
import { poolTextDigest } from './pool.js';
import { instantiateKernels } from './simd.js';
import { msdBuckets, scatterRecords, sortClaimedDigests, sortCounts, type DigestClaims } from './sort.js';
import { stealChunks, type Steal } from './steal.js';

export interface HelperData {
  /** The compiled kernel module (the one the calling thread runs). */
  module: object;
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

export interface PrioJob {
  kind: 'prio';
  mid: Int32Array;
  u: Uint8Array;
  count: number;
  first: Int32Array;
}
export interface PoolJob {
  kind: 'pool';
  rec: Uint32Array;
  n: number;
  u: Uint8Array;
  /** false: decode the USCCs only (v2); the answer is then ''. */
  hash?: boolean;
}
export interface SortJob {
  kind: 'sort';
  src: Uint32Array;
  other: Uint32Array;
  bounds: Uint32Array;
  v0: number;
  v1: number;
  hi: number;
  d: number;
}
export interface PairJob {
  kind: 'pair';
  mid: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  pairHead: Uint32Array;
  pairTail: Uint32Array;
  count: number;
  first: Int32Array;
  /** Shared by both threads: the arrays whole, chunks of `chunk` pairs taken from `next` (Steal). */
  steal?: Steal;
}

/** Generic single-block compressions (suiji-draw-v2's commitments and priorities). */
export interface CompJob {
  kind: 'comp';
  states: Int32Array;
  blocks: Int32Array;
  count: number;
}
/** suiji-draw-v2 commitments of candidates [0, count) of the given slices (BatchHasher.commitments). */
export interface CmtJob {
  kind: 'cmt';
  salts: Uint8Array;
  u: Uint8Array;
  tails: Int32Array;
  tailOf: Uint32Array;
  count: number;
  out: Int32Array;
  /** With a steal: candidates [start, start + count) of the whole arrays. */
  start?: number;
  steal?: Steal;
}
/** suiji-draw-v2 priority first words of c[8·idx[k]..], k < count (BatchHasher.commitPriorities). */
export interface CpriJob {
  kind: 'cpri';
  mid: Int32Array;
  c: Int32Array;
  /** null: c holds the `count` commitments in sequence. */
  idx: Uint32Array | null;
  count: number;
  first: Int32Array;
  /** With a steal: items [start, start + count) of the whole arrays. */
  start?: number;
  steal?: Steal;
  /** The full digests instead (BatchHasher.commitPriorityDigests): `first` holds 8 words per item of idx. */
  digests?: boolean;
  /** The first words' tops instead (BatchHasher.commitPriorityTops; idx null, with a steal). */
  top?: Uint16Array;
}
/** The public pool's buckets, claimed one at a time with the calling thread (sortClaimedDigests). */
export interface DigestClaimJob {
  kind: 'dclaim';
  words: Int32Array;
  idx: Uint32Array;
  start: Uint32Array;
  nb: number;
  claims: DigestClaims;
}
/** crypto.randomFillSync(buf) (FreezeHelper.fillRandom: the freeze's salts). */
export interface FillJob {
  kind: 'fill';
  buf: Uint8Array;
}
/** Records [lo, hi) into their buckets of `other` (scatterRecords). */
export interface RecordScatterJob {
  kind: 'rscatter';
  src: Uint32Array;
  other: Uint32Array;
  lo: number;
  hi: number;
  w: number;
  sh: number;
  pos: Uint32Array;
}
/** Pages to touch after a job while the calling thread is busy (FreezeHelper.touchWhileIdle). */
export interface Touch {
  buf: Int32Array;
  /** The next int32 of buf not yet taken (a page at a time, chunks taken by Atomics.add). */
  next: Int32Array;
  /** Set to 1 by the calling thread once its own part of the job is done. */
  stop: Int32Array;
}
/** The drawn entries' salts and frozen commitments (gather.ts). */
export type OpenGatherJob = OpeningGather & { kind: 'ogather' };
export type HelperJob = OpenGatherJob | RecordScatterJob | FillJob | PrioJob | PoolJob | SortJob | PairJob | CompJob | CmtJob | CpriJob | DigestClaimJob;

const { module, ctrl: ctrlBuffer, port } = workerData as HelperData;
const h = instantiateKernels(module);
const counts = sortCounts();
const ctrl = new Int32Array(ctrlBuffer);

for (;;) {
  Atomics.wait(ctrl, 0, 0);
  if (Atomics.load(ctrl, 0) === 3) break;
  let failed = false;
  try {
    const job = receiveMessageOnPort(port)!.message as HelperJob & { touch?: Touch };
    if (job.kind === 'fill') randomFillSync(job.buf);
    else if (job.kind === 'prio') h.priorities(job.mid, job.u, 0, job.count, job.first);
    else if (job.kind === 'pool') port.postMessage(poolTextDigest(job.rec, job.n, job.u, job.hash !== false));
    else if (job.kind === 'comp') h.compressMany(job.states, job.blocks, job.count);
    else if (job.kind === 'cmt' && job.steal) stealChunks(job.steal, job.count, (k, n) => h.commitments(job.salts, job.u, job.tails, job.tailOf, job.start! + k, n, job.out));
    else if (job.kind === 'cmt') h.commitments(job.salts, job.u, job.tails, job.tailOf, 0, job.count, job.out);
    else if (job.kind === 'cpri' && job.digests) {
      const j = job;
      stealChunks(j.steal!, j.count, (k, n) => h.commitPriorityDigests(j.mid, j.c, j.idx!.subarray(k, k + n), j.first.subarray(k * 8, (k + n) * 8)));
    } else if (job.kind === 'cpri' && job.top) {
      const j = job;
      stealChunks(j.steal!, j.count, (k, n) => h.commitPriorityTops(j.mid, j.c, j.start! + k, n, j.top!));
    } else if (job.kind === 'cpri' && job.steal) stealChunks(job.steal, job.count, (k, n) => h.commitPriorities(job.mid, job.c, job.idx, job.start! + k, n, job.first));
    else if (job.kind === 'cpri') h.commitPriorities(job.mid, job.c, job.idx, 0, job.count, job.first);
    else if (job.kind === 'pair' && job.steal) {
      const j = job;
      stealChunks(j.steal!, j.count, (k, n) => h.pairFirstWords(j.mid, j.head, j.tail, j.pairHead.subarray(k, k + n), j.pairTail.subarray(k, k + n), n, j.first.subarray(k, k + n)));
    }
    else if (job.kind === 'ogather') gatherOpenings(job);
    else if (job.kind === 'rscatter') scatterRecords(job.src, job.other, job.lo, job.hi, job.w, job.sh, job.pos);
    else if (job.kind === 'dclaim') sortClaimedDigests(job.words, job.idx, job.start, job.nb, job.claims);
    else if (job.kind === 'sort') msdBuckets(job.src, job.other, job.bounds, job.v0, job.v1, job.hi, job.d, job.src, counts);
    else h.pairFirstWords(job.mid, job.head, job.tail, job.pairHead, job.pairTail, job.count, job.first);
    if (job.touch) touchPages(job.touch);
  } catch (e) {
    failed = true;
    port.postMessage(String((e as Error)?.stack ?? e));
  }
  Atomics.store(ctrl, 0, failed ? 2 : 0);
  Atomics.notify(ctrl, 0);
  if (failed) break;
}

/** Touches pages of t.buf, 64 kB at a time, until the calling thread sets t.stop or none is left. */
function touchPages(t: Touch): void {
  const PAGE = 1024, CHUNK = 16 * PAGE; // int32s
  while (Atomics.load(t.stop, 0) === 0) {
    const k = Atomics.add(t.next, 0, CHUNK);
    if (k >= t.buf.length) return;
    const e = Math.min(k + CHUNK, t.buf.length);
    // a write faults the page in; compare-exchange(0, 0) writes nothing a thread wrote before
    for (let i = k; i < e; i += PAGE) Atomics.compareExchange(t.buf, i, 0, 0);
  }
}
