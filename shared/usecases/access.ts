/**
 * Who acts, and which tasks they reach. Every use case takes the acting person as `Staff` (a
 * signed-in member of staff: from the API's JWT claims, which the console and the CLI send) or
 * as an audit `Actor` (a mail link's or a reply's addressee), never an HTTP request. Roles per
 * route, department, plan, task and team scope are enforced before, by the dispatcher from the
 * allow matrix (`shared/http/routes.ts`, checked in `shared/http/access.ts`).
 */
import { getTask, type Actor, type TaskRecord } from '../store/tasks.js';
import { notFound } from '../domain/errors.js';
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
 * A launched task (else `notFound`). Who may read or act on it was decided before the use case
 * runs, by the allow matrix (`shared/http/access.ts`, from `shared/http/routes.ts`).
 */
export async function launchedTask(taskId: string): Promise<TaskRecord> {
  const t = await getTask(taskId);
  if (!t) throw notFound(`任务「${taskId}」（尚未启动）`);
  return t;
}
