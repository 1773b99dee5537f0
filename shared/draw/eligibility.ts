/**
 * From registry-like records to the frozen pool: which targets are candidates (and in which
 * stratum), and which inspectors are eligible for each. Pure; the input types are minimal
 * structural types so the zod-derived `Target` / `Inspector` / task shapes fit them.
 *
 * Candidates: status "active"; every non-empty scope filter matches (jurisdiction ∈, industry ∈,
 * at least one of the tags, kind ∈, risk class ∈ — key enterprises drawn at 100 % pass the risk
 * class filter —, key only); not in cooldown: no previous inspection by a participating
 * department for one of the task's item categories less than `cooldownDays` days before the draw
 * date. Stratum: "key" if the target is a key enterprise and the task draws key enterprises at
 * 100 %, else its risk class.
 *
 * Eligible inspectors of a target: active; department among the task's departments (and section
 * among `inspectorSections`, and for an internal joint task among `jointSections`); the target's
 * jurisdiction in the inspector's jurisdictions; the inspector's specialties cover, each
 * individually, every specialty of every task item that applies to the inspector (an item
 * applies unless it names another department — or, in an internal joint task, another section);
 * certificate valid from the draw date through the window end (expiry ≥ drawDate and ≥ window.end
 * — a late draw after the window must not match an inspector whose certificate has lapsed since);
 * minus, per target, inspectors
 * who declared a conflict with the target and the members of the target's most recent inspection
 * team (all inspections on the latest date). Area = the target's jurisdiction.
 */
import { PackedCandidates, type DrawPool, type PoolCandidate, type Stratum } from './pool.js';
import type { ShortageLabels } from './match.js';

export interface EligibilityTarget {
  uscc: string;
  name?: string;
  kind?: string;
  jurisdiction: string;
  industry: string;
  tags: readonly string[];
  riskClass: 'A' | 'B' | 'C' | 'D';
  isKey: boolean;
  status: string;
  lastInspections?: readonly { department: string; itemCategory: string; date: string; team: readonly string[] }[];
}

export interface EligibilityInspector {
  id: string;
  department: string;
  section?: string;
  jurisdictions: readonly string[];
  specialties: readonly string[];
  certificateNo: string;
  certificateExpiry: string;
  active: boolean;
  conflicts?: readonly string[];
}

export interface EligibilityItem {
  id?: string;
  department?: string;
  section?: string;
  itemCategory: string;
  specialties: readonly string[];
}

export interface EligibilityTask {
  scope: {
    jurisdictions?: readonly string[];
    industries?: readonly string[];
    tags?: readonly string[];
    kinds?: readonly string[];
    riskClasses?: readonly ('A' | 'B' | 'C' | 'D')[];
    keyOnly?: boolean;
  };
  items: readonly EligibilityItem[];
  window: { start: string; end: string };
  /** Participating departments; more than one makes a cross-department joint task. */
  departments: readonly string[];
  /** Internal joint task: the participating sections (each team includes one of each). */
  jointSections?: readonly string[];
  /** Only inspectors of these sections (empty = any section). */
  inspectorSections?: readonly string[];
  /**
   * The day of the draw (YYYY-MM-DD): the reference date of the cooldown, and the first day an
   * inspector's certificate must be valid on. The freeze passes the day it runs when that is
   * later than the planned draw date.
   */
  drawDate: string;
  /** From the department profile; 0 disables the cooldown. */
  cooldownDays: number;
  ratiosBp: { A: number; B: number; C: number; D: number };
  /** Key enterprises drawn at 100 % (their own stratum "key"). */
  keyAtFull: boolean;
}

export interface EligibilityInput {
  targets: Iterable<EligibilityTarget>;
  inspectors: readonly EligibilityInspector[];
  task: EligibilityTask;
  /** Published id of an inspector (default: its registry id, which must not be personal data). */
  pseudonym?: (inspector: EligibilityInspector) => string;
  /** Display names of departments / sections for messages, e.g. { 'dept-samr': '市场监管局' }. */
  unitNames?: Readonly<Record<string, string>>;
  /**
   * Pack candidates straight into typed arrays (what the draw Lambda does at scale) instead of
   * returning one object per candidate.
   */
  packed?: boolean;
}

export interface EligibilityResult<C extends DrawPool['candidates'] = DrawPool['candidates']> {
  pool: DrawPool & { candidates: C };
  ratiosBp: { A: number; B: number; C: number; D: number };
  /** Units each team must include (empty unless the task is joint). */
  jointUnits: string[];
  labels: ShortageLabels;
  /** Targets left out, by first failing reason. */
  excluded: { inactive: number; outOfScope: number; cooldown: number };
  /**
   * Registry department of each inspector in the pool, by published id: the lifecycle records
   * the members of each team as (department, id). Not part of any record.
   */
  departmentOf: Record<string, string>;
}

const DAY = 86_400_000;
const dayNumber = (d: string) => Math.floor(Date.parse(`${d}T00:00:00Z`) / DAY);

export function buildDrawPool(input: EligibilityInput & { packed: true }): EligibilityResult<PackedCandidates>;
export function buildDrawPool(input: EligibilityInput & { packed?: false }): EligibilityResult<PoolCandidate[]>;
export function buildDrawPool(input: EligibilityInput): EligibilityResult {
  const { targets, ...rest } = input;
  const builder = drawPoolBuilder({ ...rest, ...(Array.isArray(targets) ? { capacity: targets.length } : {}) });
  for (const t of targets) builder.add(t);
  return builder.finish();
}

/**
 * The same, one target at a time: the draw Lambda feeds each page of the pool read as it
 * arrives and keeps only the packed candidates, never the million registry items.
 */
type BuilderInput = Omit<EligibilityInput, 'targets'> & { /** expected number of targets */ capacity?: number };
interface DrawPoolBuilder<C extends DrawPool['candidates']> {
  add(t: EligibilityTarget): void;
  finish(): EligibilityResult<C>;
}
export function drawPoolBuilder(input: BuilderInput & { packed: true }): DrawPoolBuilder<PackedCandidates>;
export function drawPoolBuilder(input: BuilderInput & { packed?: false }): DrawPoolBuilder<PoolCandidate[]>;
export function drawPoolBuilder(input: BuilderInput): DrawPoolBuilder<DrawPool['candidates']>;
export function drawPoolBuilder(input: BuilderInput): DrawPoolBuilder<DrawPool['candidates']> {
  const { task } = input;
  const depts = new Set(task.departments);
  const sectionJoint = !!task.jointSections?.length;
  const joint = sectionJoint || depts.size > 1;
  const unitOf = (i: EligibilityInspector) => (sectionJoint ? i.section ?? '' : i.department);
  const pseudo = input.pseudonym ?? ((i: EligibilityInspector) => i.id);
  const nonEmpty = <T>(xs: readonly T[] | undefined) => (xs && xs.length ? new Set(xs) : undefined);
  const sj = nonEmpty(task.scope.jurisdictions);
  const si = nonEmpty(task.scope.industries);
  const st = task.scope.tags?.length ? task.scope.tags : undefined;
  const sk = nonEmpty(task.scope.kinds);
  const sr = nonEmpty(task.scope.riskClasses);
  const drawDay = dayNumber(task.drawDate);
  // valid from the draw date through the window end: expiry ≥ both (ISO dates compare as strings)
  const certificateNeededThrough = task.drawDate > task.window.end ? task.drawDate : task.window.end;
  const categoriesOf = (dept: string) => new Set(task.items.filter((it) => !it.department || it.department === dept).map((it) => it.itemCategory));
  const cooldownCategories = new Map([...depts].map((d) => [d, categoriesOf(d)]));

  // inspectors in scope (independent of the target), with what they must cover
  const allowedSections = nonEmpty(task.inspectorSections);
  const jointSections = nonEmpty(task.jointSections);
  const required = (i: EligibilityInspector) => {
    const need = new Set<string>();
    for (const it of task.items) {
      if (it.department && it.department !== i.department) continue;
      if (sectionJoint && it.section && it.section !== i.section) continue;
      for (const s of it.specialties) need.add(s);
    }
    return need;
  };
  const inScope = input.inspectors.filter((i) => {
    if (!i.active || !depts.has(i.department)) return false;
    if (allowedSections && !allowedSections.has(i.section ?? '')) return false;
    if (jointSections && !jointSections.has(i.section ?? '')) return false;
    if (!(i.certificateExpiry >= certificateNeededThrough)) return false;
    const has = new Set(i.specialties);
    for (const s of required(i)) if (!has.has(s)) return false;
    return true;
  });
  const idOf = new Map<string, string>(); // registry id → published id
  for (const i of inScope) idOf.set(i.id, pseudo(i));
  const byJurisdiction = new Map<string, string[]>();
  const conflictsOf = new Map<string, string[]>(); // uscc → published ids
  for (const i of inScope) {
    for (const j of i.jurisdictions) {
      let list = byJurisdiction.get(j);
      if (!list) byJurisdiction.set(j, (list = []));
      list.push(idOf.get(i.id)!);
    }
    for (const u of i.conflicts ?? []) {
      let list = conflictsOf.get(u);
      if (!list) conflictsOf.set(u, (list = []));
      list.push(idOf.get(i.id)!);
    }
  }

  const list: PoolCandidate[] = [];
  const packed = input.packed ? new PackedCandidates(input.capacity ?? 1024) : undefined;
  const areasUsed = new Set<string>();
  const excluded = { inactive: 0, outOfScope: 0, cooldown: 0 };
  const add = (t: EligibilityTarget): void => {
    if (t.status !== 'active') {
      excluded.inactive++;
      return;
    }
    const keyStratum = t.isKey && task.keyAtFull;
    if (
      (sj && !sj.has(t.jurisdiction)) ||
      (si && !si.has(t.industry)) ||
      (st && !st.some((x) => t.tags.includes(x))) ||
      (sk && !(t.kind !== undefined && sk.has(t.kind))) ||
      (sr && !keyStratum && !sr.has(t.riskClass)) ||
      (task.scope.keyOnly && !t.isKey)
    ) {
      excluded.outOfScope++;
      return;
    }
    const last = t.lastInspections ?? [];
    if (
      task.cooldownDays > 0 &&
      last.some((li) => cooldownCategories.get(li.department)?.has(li.itemCategory) && drawDay - dayNumber(li.date) < task.cooldownDays)
    ) {
      excluded.cooldown++;
      return;
    }
    const stratum: Stratum = keyStratum ? 'key' : t.riskClass;
    const conflicted = conflictsOf.size ? conflictsOf.get(t.uscc) : undefined;
    let excludedIds: string[] | undefined;
    if (conflicted || last.length) {
      const ex = new Set<string>(conflicted ?? []);
      if (last.length) {
        const latest = last.reduce((m, li) => (li.date > m ? li.date : m), last[0]!.date);
        for (const li of last) if (li.date === latest) for (const id of li.team) if (idOf.has(id)) ex.add(idOf.get(id)!);
      }
      if (ex.size) excludedIds = [...ex];
    }
    areasUsed.add(t.jurisdiction);
    if (packed) packed.add(t.uscc, stratum, t.jurisdiction, excludedIds);
    else list.push(excludedIds ? { uscc: t.uscc, stratum, area: t.jurisdiction, excluded: excludedIds } : { uscc: t.uscc, stratum, area: t.jurisdiction });
  };

  const finish = (): EligibilityResult => {
    const pool: DrawPool = {
      inspectors: inScope.map((i) => ({ id: idOf.get(i.id)!, unit: unitOf(i) })),
      areas: [...areasUsed].map((name) => ({ name, inspectors: byJurisdiction.get(name) ?? [] })),
      candidates: packed ?? list,
    };
    const jointUnits = joint ? (sectionJoint ? [...task.jointSections!] : [...depts]) : [];

    // "专业：…" wording for shortage messages: overall, and per unit for joint tasks
    const specialtiesFor = (unit: string | undefined) => {
      const need = new Set<string>();
      for (const it of task.items) {
        if (unit !== undefined && (sectionJoint ? it.section && it.section !== unit : it.department && it.department !== unit)) continue;
        for (const x of it.specialties) need.add(x);
      }
      return need.size ? `专业：${[...need].join('、')}` : undefined;
    };
    const labels: ShortageLabels = {};
    const overall = specialtiesFor(undefined);
    if (overall) labels.requirement = overall;
    if (joint) {
      const per: Record<string, string> = {};
      for (const u of jointUnits) {
        const r = specialtiesFor(u);
        if (r) per[u] = r;
      }
      labels.unitRequirement = per;
    }
    if (input.unitNames) labels.units = input.unitNames;
    const departmentOf = Object.fromEntries(inScope.map((i) => [idOf.get(i.id)!, i.department]));
    return { pool, ratiosBp: { ...task.ratiosBp }, jointUnits, labels, excluded, departmentOf };
  };
  return { add, finish };
}
