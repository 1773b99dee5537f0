/**
 * A department's effective policy profile: its preset (from the seeds) merged with the
 * overrides stored for the department. Every rule number comes from here, never from code.
 */
import { getPreset, mergeProfile, type PolicyProfile } from '../domain/profiles.js';
import { getDepartment, getProfileRecord, putProfileRecord } from '../store/registry.js';
import { notFound } from '../domain/errors.js';
import { nowIso } from '../clock.js';

export async function getProfile(dept: string): Promise<PolicyProfile> {
  const d = await getDepartment(dept);
  if (!d) throw notFound(`部门「${dept}」`);
  const overrides = (await getProfileRecord(dept)) as Record<string, unknown> | undefined;
  // Merging and validating a profile (zod) costs ~2 ms; the stored inputs rarely change, so the
  // result is memoized on exactly those inputs (treat the returned profile as read-only).
  const key = `${d.presetId}\n${JSON.stringify(overrides ?? {})}`;
  let merged = merged_.get(key);
  if (!merged) {
    merged = mergeProfile(getPreset(d.presetId), overrides ?? {});
    if (merged_.size >= 64) merged_.delete(merged_.keys().next().value!);
    merged_.set(key, merged);
  }
  return merged;
}
const merged_ = new Map<string, PolicyProfile>();

/** Validate and store overrides (the full merged profile is what gets validated). */
export async function setProfileOverrides(dept: string, overrides: Record<string, unknown>, by: string): Promise<PolicyProfile> {
  const d = await getDepartment(dept);
  if (!d) throw notFound(`部门「${dept}」`);
  const merged = mergeProfile(getPreset(d.presetId), overrides);
  await putProfileRecord(dept, overrides, by, nowIso());
  return merged;
}
