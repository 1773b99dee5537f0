/**
 * The one source of "now". Every component asks this module, never `new Date()` directly, so the
 * local platform can run a simulated year in fast-forward (npm run demo) and tests can pin time.
 * In AWS nothing sets it and it is the system clock.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

export function now(): Date {
  return current.now();
}

export function nowIso(): string {
  return current.now().toISOString();
}

export function setClock(clock: Clock): void {
  current = clock;
}

export function resetClock(): void {
  current = systemClock;
}

/** A clock that stands still until moved: for tests and the fast-forward demo. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date | string): void {
    this.t = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Real time shifted to start at a given instant (the local platform's SUIJI_CLOCK_START). */
export class OffsetClock implements Clock {
  private readonly offset: number;
  constructor(start: Date | string) {
    this.offset = new Date(start).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}
