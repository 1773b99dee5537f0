/**
 * The one source of "now". Every component asks this module, never `new Date()` directly, so the
 * local platform can run a simulated year in fast-forward (npm run demo) and tests can pin time.
 * In AWS nothing sets it and it is the system clock.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
/**
 * The current clock, held on globalThis: the local platform can run the Lambda bundles in its
 * own process (SUIJI_BUNDLED=1), each with its own copy of this module, and they must all see
 * the clock the platform or a test sets.
 */
const holder = ((globalThis as { [k: symbol]: { current: Clock } })[Symbol.for('suiji.clock')] ??= { current: systemClock });

export function now(): Date {
  return holder.current.now();
}

export function nowIso(): string {
  return holder.current.now().toISOString();
}

export function setClock(clock: Clock): void {
  holder.current = clock;
}

/** The clock in use (tests move a ManualClock past a beacon round). */
export function currentClock(): Clock {
  return holder.current;
}

export function resetClock(): void {
  holder.current = systemClock;
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
