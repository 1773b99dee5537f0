/**
 * How many targets and inspectors a task takes — the one home of these rules, used by the plan's
 * expectation (`./plan.ts`), the draw (`shared/draw`, which imports nothing else outside itself:
 * this module has no runtime imports) and the pages:
 *   - strata: key enterprises form their own stratum, drawn in full, only when the task's key
 *     ratio is 100 %; otherwise they are drawn with their credit-risk class;
 *   - per stratum n = ceil(N × ratio), at most N;
 *   - each target gets max(the profile's minimum, number of joint units) inspectors, at least one
 *     per joint unit (department of a cross-department task, section of an internal one);
 *   - the key-enterprise ratio a profile requires for a task window.
 */
import type { PolicyProfile } from './profile/schema.js';

/** 100 % in basis points. */
export const FULL_BP = 10_000;

/** Key enterprises are their own stratum, drawn in full, only at a key ratio of 100 %. */
export function keyStratumDrawn(keyRatioBp: number): boolean {
  return keyRatioBp >= FULL_BP;
}

/** n = ceil(N × ratioBp / 10000), at most N (exact integer arithmetic). */
export function drawCount(candidates: number, ratioBp: number): number {
  return Math.min(candidates, Math.floor((candidates * ratioBp + FULL_BP - 1) / FULL_BP));
}

/** Inspectors per target: the profile's minimum, or one per joint unit when there are more units. */
export function teamSize(minPerTarget: number, jointUnits: number): number {
  return Math.max(minPerTarget, jointUnits);
}

const monthOf = (d: string): number => Number(d.slice(5, 7));

/**
 * The key-enterprise ratio the profile requires for a task window (`keyEnterprises.windows`, e.g.
 * fuping: 1–4, 6–8, 8–10, 10–12 月 100 %; 4–6, 7–9 月 2 %): among the windows whose months contain
 * the whole task window, the highest ratio — the fuping windows overlap at their edge months, and a
 * task inside two of them (April: 1–4 at 100 % and 4–6 at 2 %) meets both only at the stricter
 * one; a task that fits a 2 % window alone (04-16 to 06-15) gets 2 %. Else the profile default;
 * null = the profile sets nothing for this window.
 */
export function requiredKeyRatio(profile: PolicyProfile, window: { start: string; end: string }): { ratioBp: number; fromMonth?: number; toMonth?: number } | null {
  const from = monthOf(window.start);
  const to = window.end.slice(0, 4) > window.start.slice(0, 4) ? 12 : monthOf(window.end);
  let best: { ratioBp: number; fromMonth: number; toMonth: number } | undefined;
  for (const w of profile.keyEnterprises.windows) {
    if (w.fromMonth > from || w.toMonth < to) continue;
    if (!best || w.ratioBp > best.ratioBp) best = { ...w };
  }
  if (best) return best;
  return profile.keyEnterprises.defaultRatioBp === null ? null : { ratioBp: profile.keyEnterprises.defaultRatioBp };
}
