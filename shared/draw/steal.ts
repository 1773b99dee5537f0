/**
 * Work stealing between the draw's two threads (parallel.ts, helper-thread.ts): a batch both
 * threads work through together, each taking the next `chunk` items from a shared counter until
 * none is left, so that neither waits for the other's half (a thread that got less of the machine
 * simply takes fewer chunks). Results do not depend on who hashed what.
 */
export interface Steal {
  /** One Int32 in shared memory: the next item not yet taken. */
  next: Int32Array;
  chunk: number;
}

/** Runs `run(k, n)` on chunks [k, k + n) of [0, count) taken from the steal's counter. */
export function stealChunks(s: Steal, count: number, run: (k: number, n: number) => void): void {
  for (let k = Atomics.add(s.next, 0, s.chunk); k < count; k = Atomics.add(s.next, 0, s.chunk)) run(k, Math.min(s.chunk, count - k));
}
