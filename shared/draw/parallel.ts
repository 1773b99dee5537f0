/**
 * A second thread for the draw's hashing. Selection hashes every candidate once and matching
 * every (selected target, eligible inspector) pair once; both are independent per item, so a
 * large batch is split in two: the helper thread hashes the second half while the calling thread
 * hashes the first. A Lambda function with ≥ 1,769 MB has two vCPUs; this uses the second one.
 *
 * The interface stays synchronous (the draw is pure, straight-line code): the caller hands the
 * helper its half through a MessagePort, wakes it with Atomics.notify, hashes its own half, then
 * blocks in Atomics.wait until the helper is done. The helper (helper-thread.ts) runs the same
 * WebAssembly kernels (the compiled module is shared with it) and the same code as this thread.
 * Results are identical to the single-thread hasher's; the tests compare them.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import { createHasher, kernelWasmModule, type BatchHasher } from './simd.js';
import type { FreezeHelper } from './pool.js';
import { radixRecords, sortDigestBuckets, type DigestClaims } from './sort.js';
import type { CmtJob, CompJob, CpriJob, HelperData, HelperJob, PairJob, PrioJob, Touch } from './helper-thread.js';
import { stealChunks, type Steal } from './steal.js';

/** Batches smaller than this are not worth a hand-over (about 1 ms of hashing). */
const MIN_SPLIT = 16_384;
/** Items per chunk when both threads take chunks of one batch (a few hundred microseconds of hashing). */
const STEAL_CHUNK = 4_096;
const isShared = (a: { buffer: ArrayBufferLike } | null) => !a || a.buffer instanceof SharedArrayBuffer;
const newSteal = (chunk = STEAL_CHUNK): Steal => ({ next: new Int32Array(new SharedArrayBuffer(4)), chunk });
/** Candidates per chunk of the commitments: 2 MB of fresh output each (the threads fault pages of different page tables). */
const COMMIT_CHUNK = 65_536;
/** A helper that has not answered by then (it failed to start) is given up; the caller hashes alone. */
const HELPER_TIMEOUT_MS = 10_000;

/**
 * The helper's file, relative to the bundle, where the Lambda bundling (infra/bundling.ts)
 * defines it; undefined when running from source.
 */
declare const SUIJI_DRAW_HELPER: string | undefined;

let helperSource: string | undefined;

/** Starts helper-thread.ts: the bundled file next to this bundle, or, from source, bundled here. */
function startHelper(data: WorkerOptions): Worker {
  // none of this process's flags: the helper needs none, and some (--input-type, a loader)
  // would keep it from loading
  const options: WorkerOptions = { ...data, execArgv: [] };
  if (typeof SUIJI_DRAW_HELPER === 'string') return new Worker(new URL(SUIJI_DRAW_HELPER, import.meta.url), options);
  // From source (tsx, vitest) a worker thread cannot load TypeScript: bundle the entry in
  // memory with esbuild, as the deployment bundles it (a development dependency, never deployed).
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  helperSource ??= esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./helper-thread.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
  }).outputFiles[0]!.text;
  return new Worker(helperSource, { ...options, eval: true });
}

/** `src` itself if it is shared memory already (the freeze's USCC bytes are), else a shared copy. */
const sharedCopy = <T extends Int32Array | Uint32Array | Uint8Array>(src: T, Ctor: new (b: SharedArrayBuffer) => T): T => {
  if (src.buffer instanceof SharedArrayBuffer) return src;
  const out = new Ctor(new SharedArrayBuffer(src.byteLength));
  out.set(src as never);
  return out;
};

export interface ParallelHasher extends BatchHasher, FreezeHelper {
  /** 2 while the helper thread runs and has done work, else 1. */
  readonly threads: 1 | 2;
  /** Stops the helper thread (the hasher then works on one thread). */
  close(): Promise<void>;
}

/**
 * A hasher that uses a helper thread for large batches; falls back to one thread where
 * WebAssembly SIMD or worker threads are unavailable.
 */
export function createParallelHasher(opts: { warmUp?: boolean } = {}): ParallelHasher {
  const base = createHasher();
  const module = kernelWasmModule();
  if (base.kind !== 'wasm-simd' || !module) {
    return { ...base, threads: 1, poolText: (_r, _n, _u, own) => (own(), undefined), close: async () => undefined };
  }

  const ctrl = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const workerData: HelperData = { module, ctrl: ctrl.buffer as SharedArrayBuffer, port: port2 };
  let worker: Worker | undefined = startHelper({ workerData, transferList: [port2 as unknown as MessagePort] });
  let answered = 0;
  worker.unref();
  port1.unref();
  worker.on('error', () => (worker = undefined));
  worker.on('exit', () => (worker = undefined));

  /** touchWhileIdle's pages: handed to the helper with each job. */
  let touch: Touch | undefined;

  /** Hands `job` to the helper, runs `own` here, waits; false if the helper did not do its half. */
  const split = (job: HelperJob, own: () => void): boolean => {
    if (!worker) {
      own();
      return false;
    }
    if (touch) Atomics.store(touch.stop, 0, 0);
    port1.postMessage(touch ? { ...job, touch } : job);
    Atomics.store(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
    try {
      own();
      // the helper, done with its part, may be touching pages: it stops at the next 64 kB
      if (touch) Atomics.store(touch.stop, 0, 1);
    } catch (e) {
      if (touch) Atomics.store(touch.stop, 0, 1);
      // (bad input found here, e.g. a repeated USCC) the helper's answer is awaited all the same:
      // left running, it would answer the next job's wait and that job's half would be skipped
      Atomics.wait(ctrl, 0, 1, HELPER_TIMEOUT_MS);
      if (Atomics.load(ctrl, 0) !== 0) worker = undefined;
      while (receiveMessageOnPort(port1)); // its answer (poolText's digest) is not for the next job
      throw e;
    }
    // the event loop is blocked here, so a dead helper is noticed by the timeout, not by events
    if (Atomics.wait(ctrl, 0, 1, HELPER_TIMEOUT_MS) === 'timed-out' && Atomics.load(ctrl, 0) === 1) {
      worker = undefined;
      return false;
    }
    if (Atomics.load(ctrl, 0) === 2) {
      worker = undefined;
      throw new Error(`draw helper thread failed: ${String(receiveMessageOnPort(port1)?.message ?? 'no reason given')}`);
    }
    answered++;
    return true;
  };

  /**
   * Both threads work through items [0, count) of `job`, each taking the next chunk from its
   * steal counter (`chunk(k, n)` here) until none is left, so neither waits for a slower half.
   * A helper that did not answer may have taken chunks it never finished: then `all` here.
   */
  const splitChunks = (job: HelperJob & { steal?: Steal }, count: number, chunk: (k: number, n: number) => void, all: () => void): void => {
    if (!split(job, () => stealChunks(job.steal!, count, chunk))) all();
  };

  const hasher: ParallelHasher = {
    kind: 'wasm-simd',
    get threads() {
      return worker && answered > 0 ? 2 : 1;
    },
    priorities(mid, usccBytes, start, count, first) {
      if (count < MIN_SPLIT || !worker) return base.priorities(mid, usccBytes, start, count, first);
      const half = count >> 1;
      const s2 = start + half, n2 = count - half;
      const job: PrioJob = {
        kind: 'prio',
        mid: sharedCopy(mid, Int32Array),
        u: sharedCopy(usccBytes.subarray(s2 * 18, (s2 + n2) * 18), Uint8Array),
        count: n2,
        first: new Int32Array(new SharedArrayBuffer(n2 * 4)),
      };
      if (!split(job, () => base.priorities(mid, usccBytes, start, half, first))) return base.priorities(mid, usccBytes, s2, n2, first);
      first.set(job.first, s2);
    },
    priorityDigests: (mid, usccBytes, idx, out) => base.priorityDigests(mid, usccBytes, idx, out),
    compressMany(states, blocks, count) {
      if (count < MIN_SPLIT || !worker) return base.compressMany(states, blocks, count);
      // the helper compresses the second half in place when the arrays are shared memory
      const half = count >> 1;
      const job: CompJob = {
        kind: 'comp',
        states: sharedCopy(states.subarray(half * 8, count * 8), Int32Array),
        blocks: sharedCopy(blocks.subarray(half * 16, count * 16), Int32Array),
        count: count - half,
      };
      if (!split(job, () => base.compressMany(states, blocks, half))) return base.compressMany(states.subarray(half * 8), blocks.subarray(half * 16), count - half);
      if (job.states.buffer !== states.buffer) states.set(job.states, half * 8);
    },
    pairFirstWords(mid, head, tail, pairHead, pairTail, count, first, alongside) {
      if (count < MIN_SPLIT || !worker) return base.pairFirstWords(mid, head, tail, pairHead, pairTail, count, first, alongside);
      if (isShared(head) && isShared(pairHead) && isShared(pairTail) && isShared(first)) {
        // both threads take chunks until none is left: the calling thread never waits for a slower
        // half; it first does its `alongside` work (matching: the previous chunk's teams)
        const job: PairJob = { kind: 'pair', mid: sharedCopy(mid, Int32Array), head, tail: sharedCopy(tail, Int32Array), pairHead, pairTail, count, first, steal: newSteal() };
        const chunk = (k: number, n: number) => base.pairFirstWords(mid, head, tail, pairHead.subarray(k, k + n), pairTail.subarray(k, k + n), n, first.subarray(k, k + n));
        const own = () => (alongside?.(), stealChunks(job.steal!, count, chunk));
        // (a helper that did not answer: all of it here, `alongside` done already)
        if (!split(job, own)) base.pairFirstWords(mid, head, tail, pairHead, pairTail, count, first);
        return;
      }
      alongside?.();
      const half = count >> 1;
      const job: PairJob = {
        kind: 'pair',
        mid: sharedCopy(mid, Int32Array),
        head: sharedCopy(head, Int32Array),
        tail: sharedCopy(tail, Int32Array),
        pairHead: sharedCopy(pairHead.subarray(half, count), Uint32Array),
        pairTail: sharedCopy(pairTail.subarray(half, count), Uint32Array),
        count: count - half,
        first: new Int32Array(new SharedArrayBuffer((count - half) * 4)),
      };
      if (!split(job, () => base.pairFirstWords(mid, head, tail, pairHead, pairTail, half, first))) {
        // hash the second half here (same positions: pairHead/pairTail offset by `half`)
        const rest = new Int32Array(count - half);
        base.pairFirstWords(mid, head, tail, pairHead.subarray(half, count), pairTail.subarray(half, count), count - half, rest);
        return first.set(rest, half);
      }
      first.set(job.first, half);
    },
    commitments(salts, usccBytes, tails, tailOf, start, count, out) {
      if (count < MIN_SPLIT || !worker) return base.commitments(salts, usccBytes, tails, tailOf, start, count, out);
      if (isShared(salts) && isShared(usccBytes) && isShared(tails) && isShared(tailOf) && isShared(out)) {
        // both threads take chunks until none is left (the freeze's arrays are all shared): with
        // fixed halves the calling thread waited for the helper's (84 of 299 ms at 3,000,000)
        const job: CmtJob = { kind: 'cmt', salts, u: usccBytes, tails, tailOf, count, out, start, steal: newSteal(COMMIT_CHUNK) };
        return splitChunks(
          job,
          count,
          (k, n) => base.commitments(salts, usccBytes, tails, tailOf, start + k, n, out),
          () => base.commitments(salts, usccBytes, tails, tailOf, start, count, out),
        );
      }
      // the helper writes the second half straight into `out` when it is shared memory
      const half = count >> 1, s2 = start + half, n2 = count - half;
      const job: CmtJob = {
        kind: 'cmt',
        salts: sharedCopy(salts.subarray(s2 * 16, (s2 + n2) * 16), Uint8Array),
        u: sharedCopy(usccBytes.subarray(s2 * 18, (s2 + n2) * 18), Uint8Array),
        tails: sharedCopy(tails, Int32Array),
        tailOf: sharedCopy(tailOf.subarray(s2, s2 + n2), Uint32Array),
        count: n2,
        out: sharedCopy(out.subarray(s2 * 8, (s2 + n2) * 8), Int32Array),
      };
      if (!split(job, () => base.commitments(salts, usccBytes, tails, tailOf, start, half, out))) return base.commitments(salts, usccBytes, tails, tailOf, s2, n2, out);
      if (job.out.buffer !== out.buffer) out.set(job.out, s2 * 8);
    },
    commitPriorities(mid, c, idx, start, count, first) {
      if (count < MIN_SPLIT || !worker) return base.commitPriorities(mid, c, idx, start, count, first);
      if (isShared(c) && isShared(idx) && isShared(first)) {
        const job: CpriJob = { kind: 'cpri', mid: sharedCopy(mid, Int32Array), c, idx, start, count, first, steal: newSteal() };
        return splitChunks(
          job,
          count,
          (k, n) => base.commitPriorities(mid, c, idx, start + k, n, first),
          () => base.commitPriorities(mid, c, idx, start, count, first),
        );
      }
      const half = count >> 1, s2 = start + half, n2 = count - half;
      const job: CpriJob = {
        kind: 'cpri',
        mid: sharedCopy(mid, Int32Array),
        // in sequence (idx null): the helper's half is a view of c (no copy when c is shared)
        c: idx ? sharedCopy(c, Int32Array) : sharedCopy(c.subarray(s2 * 8, (s2 + n2) * 8), Int32Array),
        idx: idx ? sharedCopy(idx.subarray(s2, s2 + n2), Uint32Array) : null,
        count: n2,
        first: sharedCopy(first.subarray(s2, s2 + n2), Int32Array),
      };
      if (!split(job, () => base.commitPriorities(mid, c, idx, start, half, first))) return base.commitPriorities(mid, c, idx, s2, n2, first);
      if (job.first.buffer !== first.buffer) first.set(job.first, s2);
    },
    commitPriorityTops(mid, c, start, count, top) {
      if (count < MIN_SPLIT || !worker || !(isShared(c) && isShared(top))) return base.commitPriorityTops(mid, c, start, count, top);
      const job: CpriJob = { kind: 'cpri', mid: sharedCopy(mid, Int32Array), c, idx: null, start, count, first: new Int32Array(0), top, steal: newSteal() };
      return splitChunks(
        job,
        count,
        (k, n) => base.commitPriorityTops(mid, c, start + k, n, top),
        () => base.commitPriorityTops(mid, c, start, count, top),
      );
    },
    commitPriorityDigests(mid, c, idx, out) {
      // the selection's entries near its thresholds: reads of c at random, shared by both threads
      // (in place only: a copy of c would cost more than the hashing)
      if (idx.length < MIN_SPLIT || !worker || !(isShared(c) && isShared(idx) && isShared(out))) return base.commitPriorityDigests(mid, c, idx, out);
      const job: CpriJob = { kind: 'cpri', mid: sharedCopy(mid, Int32Array), c, idx, count: idx.length, first: out, digests: true, steal: newSteal() };
      return splitChunks(
        job,
        idx.length,
        (k, n) => base.commitPriorityDigests(mid, c, idx.subarray(k, k + n), out.subarray(k * 8, (k + n) * 8)),
        () => base.commitPriorityDigests(mid, c, idx, out),
      );
    },
    sortBuckets(src, other, bounds, v0, v1, hi, d, own) {
      return split({ kind: 'sort', src, other, bounds, v0, v1, hi, d }, own);
    },
    scatterRecords(src, other, lo, hi, w, sh, pos, own) {
      return split({ kind: 'rscatter', src, other, lo, hi, w, sh, pos }, own);
    },
    claimDigests(words, idx, start, nb, claims, own) {
      return split({ kind: 'dclaim', words, idx, start, nb, claims }, own);
    },
    gatherOpenings(g, own) {
      // the frozen salts and commitments read in place (a copy would cost more than the gather)
      if (g.cand.length < MIN_SPLIT || !worker || !(isShared(g.salts) && isShared(g.sorted) && isShared(g.s16) && isShared(g.expect))) return own(), false;
      return split({ kind: 'ogather', ...g }, own);
    },
    fillRandom(buf, own) {
      return split({ kind: 'fill', buf }, own);
    },
    touchWhileIdle(buf) {
      const shared = () => new Int32Array(new SharedArrayBuffer(4));
      touch = buf && buf.buffer instanceof SharedArrayBuffer ? { buf, next: shared(), stop: shared() } : undefined;
    },
    poolText(rec, n, u, own, hash = true) {
      if (!split({ kind: 'pool', rec, n, u, hash }, own)) return undefined;
      const digest = String(receiveMessageOnPort(port1)?.message ?? '');
      return hash ? digest || undefined : '';
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      Atomics.store(ctrl, 0, 3);
      Atomics.notify(ctrl, 0);
      await w.terminate();
    },
  };
  if (opts.warmUp !== false) warmUp(hasher);
  return hasher;
}

/**
 * Runs both threads' kernels and glue once on a synthetic batch, so the first real draw does not
 * pay for the helper's start, WebAssembly tier-up and JIT warm-up (in a Lambda function this
 * happens at init, outside the invocation).
 */
function warmUp(h: ParallelHasher): void {
  const n = 4 * MIN_SPLIT;
  // the pool text digest (records of five words, as compilePool hands them over)
  const rec = new Uint32Array(new SharedArrayBuffer(n * 20));
  // (valid 30-bit keys: an out-of-range table read here would slow the real pass down)
  for (let r = 0; r < n; r++) rec.set([(r * 2654435761) & 0x3fffffff, r, (r * 40503) & 0x3fffffff, r % 5, 0], r * 5);
  h.poolText(rec, n, new Uint8Array(new SharedArrayBuffer(n * 18)), () => undefined);
  // the two-thread radix sort (keys as a USCC shares its leading "91": the first digit is constant)
  for (let r = 0; r < n; r++) rec[r * 5] = 0x12100000 | ((r * 2654435761) >>> 12);
  radixRecords(rec, n, new Uint32Array(new SharedArrayBuffer(n * 20)), h);
  // the public pool's bucket sort, buckets of ~1,000 random digests on both threads
  const words = new Int32Array(new SharedArrayBuffer(n * 32)), idx = new Uint32Array(new SharedArrayBuffer(n * 4));
  for (let k = 0; k < n * 8; k++) words[k] = Math.imul(k + 1, 2654435761) ^ (k >>> 3);
  const nb = Math.max(2, n >> 10), start = new Uint32Array(new SharedArrayBuffer((nb + 1) * 4));
  for (let v = 0; v <= nb; v++) start[v] = Math.floor((v * n) / nb);
  const shared = (k: number) => new Int32Array(new SharedArrayBuffer(k * 4));
  const claims: DigestClaims = { next: shared(1), done: shared(nb), equal: shared(1) };
  claims.next[0] = nb >> 1; // the helper's half; this thread's below
  h.claimDigests?.(words, idx, start, nb, claims, () => sortDigestBuckets(words, idx, start, 0, nb >> 1));
  const mid = new Int32Array(8).fill(0x6a09e667);
  const u = new Uint8Array(n * 18).fill(0x30);
  h.priorities(mid, u, 0, n, new Int32Array(n));
  const head = new Int32Array(5 * 64), tail = new Int32Array(11 * 8);
  const pairHead = Uint32Array.from({ length: n }, (_, p) => p % 64), pairTail = Uint32Array.from({ length: n }, (_, p) => p % 8);
  h.pairFirstWords(mid, head, tail, pairHead, pairTail, n, new Int32Array(n));
  // the openings' gathers on the helper (RunDraw's first draw would run them cold there)
  const perm = Uint32Array.from({ length: n }, (_, r) => (r * 40503) % n);
  h.gatherOpenings?.({ salts: new Uint8Array(rec.buffer, 0, n * 16), sorted: words, cand: perm, byCand: perm, positions: perm, rows: perm, s16: new Uint8Array(new SharedArrayBuffer(n * 16)), expect: new Int32Array(new SharedArrayBuffer(n * 32)) }, () => undefined);
}
