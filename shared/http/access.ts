/**
 * The one place where a signed-in request is authorized: the route's `allow` column
 * (`shared/http/routes.ts`, the allow matrix of docs/SECURITY.md) says, per role, how the caller
 * must relate to what the path names; this module finds out whether he does. Handlers and use
 * cases below do not repeat these checks (the lifecycle still checks team membership for the
 * e-mail links and replies, which reach it without a route).
 *
 * What a path names and does not exist is not refused here: there is nothing to protect, and the
 * handler answers 404 naming what is missing. A task declared in a published plan but not
 * launched yet belongs to the plan's department (launch creates it).
 */
import type { Principal, Request } from './core.js';
import type { Relation, StaffRole } from './routes.js';
import { forbidden } from '../domain/errors.js';
import { participatingDepartments } from '../domain/plan.js';
import type { PlanTask } from '../domain/schemas.js';
import { normalizeUscc } from '../domain/uscc.js';
import { getPlan, findTask } from '../store/plans.js';
import { getProgress, getTask } from '../store/tasks.js';
import { activeInspector, drawDepartments, onTeam } from '../lifecycle/team.js';

export const ROLE_NAMES: Record<StaffRole, string> = { coordinator: '协调员', inspector: '检查人员', leader: '分管领导' };

interface TaskScope {
  department: string;
  planTask?: PlanTask;
}

/** The task `{taskId}` names: who runs it and the plan task it comes from (launched or only declared). */
async function taskOf(taskId: string): Promise<TaskScope | undefined> {
  const task = await getTask(taskId);
  const found = await findTask(taskId, task ? { version: task.planVersion } : {});
  if (!task && !found) return undefined;
  return { department: task?.department ?? found!.plan.department, ...(found ? { planTask: found.task } : {}) };
}

/** Departments taking part in a task: the one running it, joint departments, those whose inspectors it draws. */
export function partnersOf(t: TaskScope): Set<string> {
  if (!t.planTask) return new Set([t.department]);
  return new Set([...participatingDepartments(t.planTask, t.department), ...drawDepartments(t.department, t.planTask)]);
}

/** Whether the caller relates to the request's resource as `relation` requires; why not, if not. */
async function check(relation: Relation, p: Principal, req: Request): Promise<string | undefined> {
  switch (relation) {
    case 'anyone':
      return undefined;
    case 'department': {
      const dept = req.params.dept ?? '';
      return dept === p.department ? undefined : `无权访问其他部门（${dept}）的数据`;
    }
    case 'plan': {
      const plan = await getPlan(req.params.planId ?? '');
      return !plan || plan.meta.department === p.department ? undefined : '无权访问其他部门的年度抽查计划';
    }
    case 'task': {
      const t = await taskOf(req.params.taskId ?? '');
      return !t || t.department === p.department ? undefined : `只有任务所属部门（${t.department}）可以办理此事项`;
    }
    case 'partner': {
      const t = await taskOf(req.params.taskId ?? '');
      return !t || partnersOf(t).has(p.department) ? undefined : `无权访问其他部门（${t.department}）的任务`;
    }
    case 'team': {
      const taskId = req.params.taskId ?? '';
      const t = await taskOf(taskId);
      const progress = t?.planTask && (await getProgress(taskId, normalizeUscc(req.params.uscc ?? '')));
      if (!t?.planTask || !progress) return undefined;
      if (!p.inspectorId) return '只有检查人员可以办理此事项';
      const ok = await onTeam({ task: { department: t.department }, planTask: t.planTask }, progress, { department: p.department, id: p.inspectorId });
      return ok ? undefined : '谁检查、谁录入：只有本检查对象的检查组成员可以办理此事项';
    }
  }
}

/**
 * Authorize a jwt request (throws `forbidden`): the role must be in the route's `allow`, an act
 * with legal weight needs a sign-in with a second factor (where the token tells, see
 * `Principal.mfa`), an inspector must be registered and active in his department, and the
 * caller must relate to the resource as `allow` says.
 */
export async function authorize(req: Request, p: Principal): Promise<void> {
  const allow = req.route.allow ?? {};
  const relation = allow[p.role];
  if (!relation) {
    const roles = (Object.keys(allow) as StaffRole[]).map((r) => ROLE_NAMES[r]);
    throw forbidden(roles.length ? `该操作需要以下角色之一：${roles.join('、')}` : '该接口不对任何角色开放');
  }
  if (req.route.legal && p.mfa === false) {
    throw forbidden('审批、公示和抽取仪式是有法律效力的行为，须以多因素认证（MFA）登录后办理；请退出后以 MFA 重新登录');
  }
  if (p.role === 'inspector') {
    // A sign-in outlives a deactivation (tokens last an hour, refreshed for days): the registry decides on every request.
    if (!p.inspectorId) throw forbidden('您的账号未关联执法检查人员登记');
    await activeInspector({ department: p.department, id: p.inspectorId });
  }
  const why = await check(relation, p, req);
  if (why) throw forbidden(why);
}
