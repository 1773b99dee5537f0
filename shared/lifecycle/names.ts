/**
 * What a person reads for the ids of a task: its items — a joint task's are the items of every
 * participating department (a partner's key item is in the partner's list, not the lead's) — and
 * the names of its departments. Every mail, page and read model of a task asks here, so a joint
 * task never shows a raw item or department id (issue 11, point 5).
 */
import { participatingDepartments } from '../domain/plan.js';
import type { InspectionItem, PlanTask } from '../domain/schemas.js';
import { listDepartments, listInspectionItems } from '../store/registry.js';

export interface TaskItem {
  id: string;
  name: string;
  content: string;
  legalBasis?: string | undefined;
  /** 重点检查事项 by the task's lists (the plan decides, not the item's registry category). */
  key: boolean;
  /** The department whose item list holds it (undefined: no department registers it any more). */
  department?: string | undefined;
  methods: readonly string[];
  itemCategory?: string | undefined;
}

export interface TaskNames {
  /** The task's items in the plan's order (general, then key). */
  items: TaskItem[];
  itemName(id: string): string;
  /** Participating departments of a cross-department task, the lead first; empty for a task of one department. */
  jointDepartments: { id: string; name: string }[];
  departmentName(id: string): string;
}

type TaskLists = Pick<PlanTask, 'items' | 'jointDepartments'>;

/** The items and department names of a task run by `department`. */
export async function taskNames(department: string, planTask: TaskLists): Promise<TaskNames> {
  const depts = participatingDepartments(planTask, department);
  const [lists, departments] = await Promise.all([Promise.all(depts.map((d) => listInspectionItems(d))), listDepartments()]);
  // An id registered by several departments is the lead's first, then the partners' in plan order.
  const byId = new Map<string, InspectionItem>();
  for (const it of lists.flat()) if (!byId.has(it.id)) byId.set(it.id, it);
  const deptNames = new Map(departments.map((d) => [d.id, d.name]));
  const departmentName = (id: string): string => deptNames.get(id) ?? id;
  const key = new Set(planTask.items.key);
  const items = [...planTask.items.general, ...planTask.items.key].map((id): TaskItem => {
    const it = byId.get(id);
    return {
      id,
      name: it?.name ?? id,
      content: it?.content ?? '',
      ...(it?.legalBasis ? { legalBasis: it.legalBasis } : {}),
      key: key.has(id),
      ...(it ? { department: it.department, itemCategory: it.itemCategory } : {}),
      methods: it?.methods ?? [],
    };
  });
  return {
    items,
    itemName: (id) => byId.get(id)?.name ?? id,
    jointDepartments: depts.length > 1 ? depts.map((id) => ({ id, name: departmentName(id) })) : [],
    departmentName,
  };
}
