/**
 * Memory the draw touches for the first time is expensive: on this Firecracker VM (as a Lambda
 * function's is) a fresh 4 KB page costs ~4–13 µs at its first touch — allocating and filling
 * 104 MB of new buffers took 420 ms, the same in memory the process had touched before 12 ms.
 * A RunDraw of 1,000,000 candidates reads a 72 MB state and allocates ~100 MB more, so in a fresh
 * process page faults were a third of its time (docs/DRAW.md §19, "The ceremony, faster").
 *
 * Two measures, both at process start (Lambda init), none in the draw's code:
 *  - DRAW_MALLOC_ENV (set in the function's environment: glibc reads it at start) keeps freed
 *    memory in the process's heap instead of returning it to the system: allocations of up to
 *    32 MB come from the heap (the largest threshold glibc accepts everywhere), and the heap is
 *    never trimmed — a later allocation of any size reuses memory already touched (the freeze's
 *    arrays, once freed, serve the ceremony);
 *  - the same setting asks glibc for transparent huge pages (GLIBC_TUNABLES, glibc.malloc.hugetlb):
 *    where the kernel and glibc offer them, a fresh 2 MB costs one fault instead of 512;
 *  - prefaultHeap touches `mb` megabytes once and frees them into that heap, so that the first
 *    draw's buffers (the state read, its load, the ceremony's arrays) reuse warm pages. It does
 *    nothing without the setting (the memory would go straight back to the system).
 * Objects in V8's own heap (the record's target objects) are not covered.
 */
import { MessageChannel } from 'node:worker_threads';

export const DRAW_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_MAX_: '0',
  MALLOC_TRIM_THRESHOLD_: String(2 ** 40),
  // the heap in 2 MB pages where the kernel offers transparent huge pages on request ("madvise",
  // Debian's default) and glibc ≥ 2.35 reads this tunable (older glibc ignores it, as AL2023's
  // 2.34 on Lambda does): one fault per 2 MB instead of 512 — 950 MB touched once took
  // 0.5–2.1 s instead of 2.4–4.3 s here (docs/DRAW.md §19, "Huge pages")
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
};

/**
 * The environment of the FreezePool and RunDraw functions (infra/functions.ts; the bench's
 * processes too): the heap kept, and 192 MB of it prefaulted at init — a 1,000,000-candidate
 * RunDraw reads a 72 MB state, loads 32 MB of commitments and allocates ~65 MB in its ceremony.
 */
export const DRAW_FUNCTION_ENV: Readonly<Record<string, string>> = { ...DRAW_MALLOC_ENV, SUIJI_DRAW_HEAP_MB: '192' };

/** Whether freed memory stays in this process (DRAW_MALLOC_ENV or an equivalent GLIBC_TUNABLES). */
export function heapRetained(env: NodeJS.ProcessEnv = process.env): boolean {
  return Number(env['MALLOC_TRIM_THRESHOLD_'] ?? 0) >= 2 ** 30 || /glibc\.malloc\.trim_threshold=\d{10,}/.test(env['GLIBC_TUNABLES'] ?? '');
}

/**
 * Touches `mb` MB of new memory once and frees it (detached through a message port: no garbage
 * collection needed), leaving it in the process's heap for later allocations. The memory is
 * freed when the ports have closed, on the event loop (before a Lambda's first invocation):
 * the promise resolves then, with the megabytes prefaulted (0 if the heap would not keep them).
 * (A detach invalidates V8's optimized typed-array code once per process: warmUpDraw detaches a
 * buffer before it optimizes anything, so this one, after it, throws nothing away.)
 */
export async function prefaultHeap(mb: number): Promise<number> {
  if (!(mb > 0) || !heapRetained()) return 0;
  // one block: freed, it is one free chunk that serves allocations of any size up to it
  const size = Math.ceil(mb) * 2 ** 20;
  const b = new ArrayBuffer(size);
  const u = new Uint8Array(b);
  for (let i = 0; i < u.length; i += 4096) u[i] = 1;
  const { port1, port2 } = new MessageChannel();
  // a transferred buffer's memory belongs to the message; closing the port frees it
  port1.postMessage(b, [b]);
  const closed = new Promise((done) => port2.once('close', done));
  port1.close();
  port2.close();
  await closed;
  return size / 2 ** 20;
}
