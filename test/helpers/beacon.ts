/**
 * The draw waits for the beacon round fixed at the freeze (after the planned close of witness
 * registration): a test's or a benchmark's ManualClock is moved past it. No vitest import: the
 * benchmarks load it too.
 */
import { currentClock, ManualClock } from '../../shared/clock.js';
import { REGISTRATION_MINUTES } from '../../shared/lifecycle/draw-stage.js';

export function passBeacon(): void {
  const c = currentClock();
  if (c instanceof ManualClock) c.advance((REGISTRATION_MINUTES + 2) * 60_000);
}
