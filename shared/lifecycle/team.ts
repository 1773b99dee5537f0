/**
 * The team of a drawn target as (department, id) (shared/domain/identity.ts), and who may act as
 * one of its members: the form behind an e-mail link, the API and a reply by mail all ask here.
 */
import { getInspector } from '../store/registry.js';
import { forbidden } from '../domain/errors.js';
import { isTeamMember, teamRefs, type InspectorRef, type TeamRecord } from '../domain/identity.js';
import type { Inspector, PlanTask } from '../domain/schemas.js';

/** Departments whose inspectors the draw matches to the task's targets (the freeze's rule). */
export function drawDepartments(department: string, planTask: Pick<PlanTask, 'inspectorScope'>): string[] {
  return planTask.inspectorScope.departments.length ? [...planTask.inspectorScope.departments] : [department];
}

interface Scope {
  task: { department: string };
  planTask: Pick<PlanTask, 'inspectorScope'>;
}

/**
 * For progress written before the draw recorded each member's department: the member's
 * department is the one department of the task's draw scope that registers the id; with none or
 * several (a duplicate registered before ids were checked across departments) the member is
 * nobody until the coordinators remove the duplicate.
 */
async function legacyDepartments(ctx: Scope, ids: readonly string[]): Promise<Map<string, string | undefined>> {
  const depts = drawDepartments(ctx.task.department, ctx.planTask);
  const out = new Map<string, string | undefined>();
  await Promise.all(
    ids.map(async (id) => {
      const found = (await Promise.all(depts.map((d) => getInspector(d, id)))).filter((i): i is Inspector => i !== undefined);
      out.set(id, found.length === 1 ? found[0]!.department : undefined);
    }),
  );
  return out;
}

/** Every member as (department, id); undefined for a legacy member that cannot be told apart. */
export async function teamOf(ctx: Scope, p: TeamRecord): Promise<(InspectorRef | undefined)[]> {
  if (p.teamDepartments) return teamRefs(p);
  const legacy = await legacyDepartments(ctx, p.team);
  return teamRefs(p, (id) => legacy.get(id));
}

export async function onTeam(ctx: Scope, p: TeamRecord, who: InspectorRef): Promise<boolean> {
  if (p.teamDepartments || !p.team.includes(who.id)) return isTeamMember(p, who);
  const legacy = await legacyDepartments(ctx, [who.id]);
  return isTeamMember(p, who, (id) => legacy.get(id));
}

/**
 * The registered, active inspector behind a sign-in, link or reply token: a deactivated or
 * deleted inspector acts through none of them.
 */
export async function activeInspector(who: InspectorRef, known?: Inspector | null): Promise<Inspector> {
  // `known`: the record read (fresh) by the caller with other items; null: read, not registered
  const i = known === undefined ? await getInspector(who.department, who.id) : (known ?? undefined);
  if (!i) throw forbidden(`检查人员「${who.id}」已不在本部门执法检查人员名录库中`);
  if (!i.active) throw forbidden(`检查人员「${i.name}」（${i.id}）已停用，不能再办理检查事项`);
  return i;
}

/** A member of the target's team, registered and active — or a refusal saying which. */
export async function requireTeamMember(ctx: Scope, p: TeamRecord, who: InspectorRef, what: string, known?: Inspector | null): Promise<Inspector> {
  if (!(await onTeam(ctx, p, who))) throw forbidden(`谁检查、谁录入：只有本检查对象的检查组成员可以${what}`);
  return activeInspector(who, known);
}

/** Each member's id with the registry record of that (department, id), when there is one. */
export async function teamMembers(ctx: Scope, p: TeamRecord): Promise<{ id: string; inspector: Inspector | undefined }[]> {
  const refs = await teamOf(ctx, p);
  return Promise.all(p.team.map(async (id, k) => ({ id, inspector: refs[k] ? await getInspector(refs[k]!.department, id) : undefined })));
}
