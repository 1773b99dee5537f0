/**
 * Writes the sample district through the registry and the plan store. Idempotent: every entity
 * is compared with what is stored (content hashes for the registries) and only differences are
 * written, so a second run writes nothing; the plan is created, approved by the department's
 * leader and published by its coordinator only if it is not published yet.
 */
import {
  contentHash,
  getDepartment,
  getProfileRecord,
  listTags,
  putDepartment,
  putProfileRecord,
  putTag,
  upsertExperts,
  upsertInspectionItems,
  upsertInspectors,
  upsertTargets,
  type UpsertSummary,
} from '../../store/registry.js';
import { getPlan, type StoredPlanVersion } from '../../store/plans.js';
import { approvePlan, createDraft, publishPlan } from '../../services/plans.js';
import { nowIso } from '../../clock.js';
import { sampleDistrict, type SampleDistrict } from './district.js';

export interface SampleLoadResult {
  departments: { written: number; unchanged: number };
  profiles: { written: number; unchanged: number };
  tags: { written: number; unchanged: number };
  items: UpsertSummary;
  inspectors: UpsertSummary;
  experts: UpsertSummary;
  targets: UpsertSummary;
  plan: { planId: string; version: number; created: boolean; published: boolean };
  /** Milliseconds: generation, registry writes (targets included), plan, total. */
  ms: { generate: number; registries: number; targets: number; plan: number; total: number };
}

const sum = (xs: UpsertSummary[]): UpsertSummary =>
  xs.reduce((a, b) => ({ created: a.created + b.created, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged }), {
    created: 0,
    updated: 0,
    unchanged: 0,
  });

export async function loadSampleDistrict(district?: SampleDistrict): Promise<SampleLoadResult> {
  const t0 = performance.now();
  const d = district ?? sampleDistrict();
  const t1 = performance.now();

  const departments = { written: 0, unchanged: 0 };
  for (const dept of d.departments) {
    const stored = (await getDepartment(dept.id)) as (Record<string, unknown> & { entity?: string }) | undefined;
    const { entity: _e, ...storedDept } = stored ?? {};
    if (stored && contentHash(storedDept) === contentHash(dept)) departments.unchanged++;
    else {
      await putDepartment(dept);
      departments.written++;
    }
  }
  const profiles = { written: 0, unchanged: 0 };
  for (const [dept, p] of Object.entries(d.profiles)) {
    const stored = await getProfileRecord(dept);
    const want = p.overrides;
    if (stored !== undefined ? contentHash(stored) === contentHash(want) : Object.keys(want).length === 0) profiles.unchanged++;
    else {
      await putProfileRecord(dept, want, 'sample-district', nowIso());
      profiles.written++;
    }
  }
  const tags = { written: 0, unchanged: 0 };
  const byDept = new Map<string, Set<string>>();
  for (const t of d.tags) {
    let have = byDept.get(t.department);
    if (!have) byDept.set(t.department, (have = new Set((await listTags(t.department)).map((x) => `${x.kind}#${x.tag}`))));
    if (have.has(`${t.kind}#${t.tag}`)) tags.unchanged++;
    else {
      await putTag(t.department, t.kind, t.tag);
      have.add(`${t.kind}#${t.tag}`);
      tags.written++;
    }
  }
  const deptIds = d.departments.map((x) => x.id);
  const of = <T extends { department: string }>(rows: T[], id: string) => rows.filter((r) => r.department === id);
  const items = sum(await Promise.all(deptIds.map((id) => upsertInspectionItems(id, of(d.items, id)))));
  const inspectors = sum(await Promise.all(deptIds.map((id) => upsertInspectors(id, of(d.inspectors, id)))));
  const experts = sum(await Promise.all(deptIds.map((id) => upsertExperts(id, of(d.experts, id)))));
  const t2 = performance.now();
  const targetDepts = [...new Set(d.targets.map((t) => t.department))];
  const targets = sum(await Promise.all(targetDepts.map((id) => upsertTargets(id, of(d.targets, id)))));
  const t3 = performance.now();

  const main = d.departments.find((x) => x.id === d.plan.department)!;
  const coordinator = { email: main.coordinators[0]!.email, name: main.coordinators[0]!.name, department: main.id };
  const leader = { email: main.leaders[0]!.email, name: main.leaders[0]!.name, department: main.id };
  let existing = await getPlan(d.plan.planId);
  let created = false;
  let published = false;
  if (!existing) {
    await createDraft(main.id, d.plan.body, coordinator, { planId: d.plan.planId });
    created = true;
    existing = await getPlan(d.plan.planId);
  }
  let current: StoredPlanVersion | undefined = existing?.current;
  if (!current) {
    await approvePlan(d.plan.planId, leader);
    current = await publishPlan(d.plan.planId, coordinator);
    published = true;
  }
  const t4 = performance.now();
  return {
    departments,
    profiles,
    tags,
    items,
    inspectors,
    experts,
    targets,
    plan: { planId: d.plan.planId, version: current.version, created, published },
    ms: {
      generate: Math.round(t1 - t0),
      registries: Math.round(t2 - t1),
      targets: Math.round(t3 - t2),
      plan: Math.round(t4 - t3),
      total: Math.round(t4 - t0),
    },
  };
}
