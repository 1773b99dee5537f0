/**
 * Who acts, and which tasks they reach. Every use case takes the acting person as `Staff` (a
 * signed-in member of staff: from the API's JWT claims, which the console and the CLI send) or
 * as an audit `Actor` (a mail link's or a reply's addressee), never an HTTP request. Roles per
 * route are enforced by the dispatcher from `shared/http/routes.ts`; department scope is here.
 */
import { findTask } from '../store/plans.js';
import { getTask, type Actor, type TaskRecord } from '../store/tasks.js';
import { forbidden, notFound } from '../domain/errors.js';
import type { InspectorRef } from '../domain/identity.js';

export type StaffRole = 'coordinator' | 'leader' | 'inspector';

export interface Staff {
  email: string;
  name: string;
  role: StaffRole;
  department: string;
  /** Set when the person is an inspector. */
  inspectorId?: string;
  /** Source address, for the audit trail. */
  ip: string;
}

/** The inspector (department, id) a signed-in inspector is: both claims, never the id alone. */
export const inspectorOf = (s: Staff): InspectorRef | undefined => (s.role === 'inspector' && s.inspectorId ? { department: s.department, id: s.inspectorId } : undefined);

/** "Who, in which role, from where" as the audit trail records it; an inspector acts as (department, id). */
export const actorOf = (s: Staff): Actor & { inspector?: InspectorRef } => {
  const inspector = inspectorOf(s);
  return { by: s.email, role: s.role, ip: s.ip, ...(inspector ? { inspector } : {}) };
};

/**
 * A launched task, for a member of its department; staff of a joint department may read it
 * (`read`) but only its own department acts on it (`write`).
 */
export async function taskFor(staff: Staff, taskId: string, access: 'read' | 'write'): Promise<TaskRecord> {
  const t = await getTask(taskId);
  if (!t) throw notFound(`任务「${taskId}」（尚未启动）`);
  if (t.department !== staff.department) {
    const found = access === 'write' ? undefined : await findTask(t.taskId);
    if (!found?.task.jointDepartments.includes(staff.department)) throw forbidden(`无权访问其他部门（${t.department}）的任务`);
  }
  return t;
}
