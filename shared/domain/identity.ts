/**
 * Who an inspector is: (department, id), everywhere — seats, teams, links, reply tokens, the
 * mail jobs' directories, sign-in claims. Two rules, either one sufficient against impersonation:
 *
 *   - the registry refuses an id that another department already uses (store/registry.ts keeps
 *     one `INSPID#<id>` claim per id), so ids stay unambiguous in the draw records, where a
 *     cross-department joint task matches bare ids (the verified matching hashes them);
 *   - every check compares the department too, so a duplicate that exists anyway (registered
 *     before the first rule) is nobody else.
 */

export interface InspectorRef {
  readonly department: string;
  readonly id: string;
}

export const sameInspector = (a: InspectorRef, b: InspectorRef): boolean => a.department === b.department && a.id === b.id;

/** A map key for an inspector (department ids and inspector ids never contain '#'). */
export const inspectorKey = (r: InspectorRef): string => `${r.department}#${r.id}`;

export const refOf = (r: InspectorRef): InspectorRef => ({ department: r.department, id: r.id });

/** A drawn target's team as the progress record stores it. */
export interface TeamRecord {
  team: readonly string[];
  /**
   * Department of each member, aligned with `team` (written by the draw; absent on progress
   * written before members were qualified).
   */
  teamDepartments?: readonly string[] | undefined;
}

/**
 * The team as (department, id). For a record without `teamDepartments`, `legacy(id)` names the
 * member's department (the one department of the task's scope registering the id), or nothing
 * when none or several do: such a member then matches nobody.
 */
export function teamRefs(p: TeamRecord, legacy?: (id: string) => string | undefined): (InspectorRef | undefined)[] {
  return p.team.map((id, i) => {
    const department = p.teamDepartments?.[i] ?? legacy?.(id);
    return department ? { department, id } : undefined;
  });
}

export function isTeamMember(p: TeamRecord, who: InspectorRef, legacy?: (id: string) => string | undefined): boolean {
  return teamRefs(p, legacy).some((r) => r !== undefined && sameInspector(r, who));
}
