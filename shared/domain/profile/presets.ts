/**
 * The five seed presets (one file each under `./seeds/`, in seed order), built on the defaults
 * and validated at load; and a department's profile: a preset with its overrides merged.
 */
import { ATOMIC_PATHS, isPlainObject, parseProfile, ProfileValidationError, settingPaths, type Citation, type PolicyProfile } from './schema.js';
import { DEFAULTS, DEFAULT_NOTES, type PresetSpec } from './defaults.js';
import { qinhuangdaoHousing2023 } from './seeds/qinhuangdao-housing-2023.js';
import { fupingHousing2021 } from './seeds/fuping-housing-2021.js';
import { shijiazhuangChangan2024 } from './seeds/shijiazhuang-changan-2024.js';
import { qinhuangdaoSamr2023 } from './seeds/qinhuangdao-samr-2023.js';
import { wuhaiHousing2019 } from './seeds/wuhai-housing-2019.js';

const SPECS: readonly PresetSpec[] = [qinhuangdaoHousing2023, fupingHousing2021, shijiazhuangChangan2024, qinhuangdaoSamr2023, wuhaiHousing2019];

/** Deep merge: plain objects merge key by key; arrays, scalars, null and atomic settings replace. */
function deepMerge<T>(base: T, over: unknown, path = ''): T {
  if (!isPlainObject(base) || !isPlainObject(over) || ATOMIC_PATHS.has(path)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const child = path ? `${path}.${k}` : k;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v, child) : v;
  }
  return out as T;
}

function buildPreset(spec: PresetSpec): PolicyProfile {
  const settings = deepMerge(structuredClone(DEFAULTS), structuredClone(spec.settings));
  const citations: Record<string, Citation> = {};
  for (const path of settingPaths(settings as unknown as Record<string, unknown>)) {
    const quote = spec.cite[path];
    if (quote) citations[path] = { kind: 'seed', file: spec.document.file, quote };
    else citations[path] = { kind: 'default', note: spec.notes?.[path] || DEFAULT_NOTES[path] || '系统默认' };
  }
  for (const path of Object.keys(spec.cite)) {
    if (!citations[path]) throw new Error(`preset ${spec.id}: citation for unknown setting ${path}`);
  }
  return parseProfile({
    id: spec.id,
    name: spec.name,
    issuer: spec.issuer,
    document: spec.document,
    basedOn: null,
    ...settings,
    citations,
  });
}

const PRESETS: ReadonlyMap<string, PolicyProfile> = new Map(SPECS.map((s) => [s.id, deepFreeze(buildPreset(s))]));
export const PRESET_IDS: readonly string[] = SPECS.map((s) => s.id);

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** A preset by id (a mutable copy); throws `UnknownPresetError`. */
export function getPreset(id: string): PolicyProfile {
  const preset = PRESETS.get(id);
  if (!preset) throw new UnknownPresetError(id);
  return structuredClone(preset);
}

/** All presets (mutable copies), in seed order. */
export function listPresets(): PolicyProfile[] {
  return [...PRESETS.values()].map((x) => structuredClone(x));
}

/**
 * A profile with a department's overrides applied (deep merge: objects merge, arrays and scalars
 * replace), validated. Overridden settings get `{ kind: 'override' }` citations unless the
 * overrides bring their own `citations` for them. Throws `ProfileValidationError` (Chinese,
 * field-named) on unknown keys or invalid values.
 */
export function mergeProfile(preset: PolicyProfile | string, overrides: unknown): PolicyProfile {
  const base = typeof preset === 'string' ? getPreset(preset) : structuredClone(preset);
  if (overrides === undefined || overrides === null) return parseProfile(base);
  if (!isPlainObject(overrides)) {
    throw new ProfileValidationError([{ path: '', field: '配置', message: '配置覆盖应为对象' }]);
  }
  const { citations: overrideCitations, ...rest } = overrides;
  const merged = deepMerge(base, structuredClone(rest)) as PolicyProfile;
  const citations: Record<string, unknown> = { ...base.citations };
  // Unknown keys get no citation here; validation rejects them by name.
  for (const path of settingPaths(rest)) {
    if (path in base.citations) citations[path] = { kind: 'override', note: '部门配置覆盖了预设值' };
  }
  if (isPlainObject(overrideCitations)) Object.assign(citations, overrideCitations);
  const profile = { ...merged, basedOn: base.basedOn ?? base.id, citations };
  return parseProfile(profile);
}

export class UnknownPresetError extends Error {
  readonly code = 'UNKNOWN_PRESET';
  constructor(readonly presetId: string) {
    super(`未知的配置预设“${presetId}”（可用：${PRESET_IDS.join('、')}）`);
    this.name = 'UnknownPresetError';
  }
}
