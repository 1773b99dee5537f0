/**
 * How many targets and inspectors a task takes: the draw count, team size and the key-enterprise
 * ratio a profile requires.
 */
import type { PolicyProfile } from './profile/schema.js';

/**
 * The key-enterprise ratio for a task in `month` (1–12): the highest ratio of the windows that
 * contain the month (the fuping windows overlap; the stricter one wins), else `defaultRatioBp`
 * (null = use the task's own ratio).
 */
export function keyEnterpriseRatioBp(profile: PolicyProfile, month: number): number | null {
  let best: number | null = null;
  for (const w of profile.keyEnterprises.windows) {
    if (month >= w.fromMonth && month <= w.toMonth && (best === null || w.ratioBp > best)) best = w.ratioBp;
  }
  return best ?? profile.keyEnterprises.defaultRatioBp;
}
