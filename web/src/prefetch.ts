/**
 * Reads a screen starts while its code is still loading. The router's guard for a screen asks for
 * its data as soon as the navigation is allowed (before the screen's chunk and its Element Plus
 * components arrive); the screen then takes the answer instead of asking again. An answer nobody
 * takes within a few seconds is dropped, so a later visit reads afresh; each answer is taken once.
 */
export interface Prefetch {
  /** Start reading `path` now. */
  start(path: string): void;
  /** The answer of a read of `path` started moments ago, or a new read. */
  take<T>(path: string): Promise<T>;
}

export function createPrefetch(read: (path: string) => Promise<unknown>, freshMs = 5_000, now: () => number = Date.now): Prefetch {
  const pending = new Map<string, { at: number; answer: Promise<unknown> }>();
  return {
    start(path) {
      const answer = read(path);
      answer.catch(() => undefined); // the screen sees the error when it takes the answer
      pending.set(path, { at: now(), answer });
    },
    take<T>(path: string) {
      const p = pending.get(path);
      pending.delete(path);
      return (p && now() - p.at < freshMs ? p.answer : read(path)) as Promise<T>;
    },
  };
}
