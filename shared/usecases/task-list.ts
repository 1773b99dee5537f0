/**
 * A department's tasks as its people see them (the console's task list and home, `suiji task
 * list`): every task of its published plans with its stage, counts, overdue deadlines, what waits
 * for a leader and the next action — and every cross-department joint task it takes part in as a
 * partner (its inspectors on the teams, its items inspected), marked 联合（牵头：X局）. A task's
 * dates are those in force: an approved late launch's once a leader approved it.
 */
import { getPlanVersion, findTask, listPlans } from '../store/plans.js';
import { deadlinesOfTask, listPartnerTasksOfDepartment, listTasksOfDepartment, type Stage, type TaskRecord } from '../store/tasks.js';
import { listDepartments } from '../store/registry.js';
import { getLateLaunch, type LateLaunchRecord } from '../store/late-launch.js';
import { decisionOfTask, lateLaunchDecision } from '../lifecycle/decisions.js';
import { effectiveDates } from '../domain/late.js';
import { isOverdue } from '../domain/deadlines.js';
import { chinaToday } from '../domain/calendar.js';
import type { PlanTask } from '../domain/schemas.js';
import { now } from '../clock.js';
import type { NextAction, TaskRow } from '../domain/read-models.js';

export type { NextAction, TaskRow };

export const STAGE_NAMES: Record<Stage | 'not-launched', string> = {
  'not-launched': '未启动',
  launched: '已启动',
  approval: '待领导审批',
  witnesses: '待登记见证人',
  freeze: '冻结对象池',
  ceremony: '抽取仪式（登记见证人、揭示）',
  draw: '抽取中',
  results: '检查与结果录入',
  publication: '待公示',
  followup: '后续处置',
  closed: '已办结',
  failed: '已终止',
};


/**
 * What happens next in a task, and who does it. `drawDate` is the published plan's; `late` the
 * task's late-launch request, if any (an approved one moves the draw date).
 */
export function nextAction(stage: Stage | 'not-launched', t: TaskRecord | undefined, overdue: number, drawDate: string, today: string, late?: LateLaunchRecord): NextAction | undefined {
  switch (stage) {
    case 'not-launched':
      if (drawDate >= today) return { who: 'coordinator', what: `启动任务（抽取日期 ${drawDate}）` };
      if (late?.status === 'pending') return { who: 'leader', what: '分管领导审批逾期启动申请' };
      if (late?.status === 'approved' && late.drawDate >= today) return { who: 'coordinator', what: `按批准的日期启动任务（抽取日期 ${late.drawDate}）` };
      return { who: 'coordinator', what: `抽取日期（${drawDate}）已过：请调整计划，或提交逾期启动申请（理由和新的日期）` };
    case 'approval':
      return { who: 'leader', what: '分管领导审批任务计划' };
    case 'witnesses':
      return { who: 'coordinator', what: '逐一登记见证人及其承诺值，人数达到要求后截止登记' };
    case 'failed':
      return t?.resumeRequest ? { who: 'leader', what: '分管领导审批恢复申请' } : { who: 'coordinator', what: '任务已终止：如需继续，提交恢复申请（写明理由）' };
    case 'ceremony':
      return { who: 'coordinator', what: '见证人揭示秘密值，完成抽取' };
    case 'results':
      return { who: 'inspector', what: overdue ? `检查人员录入结果（${overdue} 户已逾期）` : `检查人员录入结果（已录入 ${t?.reached.resultEntered ?? 0}/${t?.total ?? 0}）` };
    case 'publication':
      return { who: 'coordinator', what: '公示检查结果' };
    case 'followup':
      return { who: 'coordinator', what: '办结发现问题的后续处置' };
    default:
      return undefined;
  }
}


const overdueOf = async (t: TaskRecord | undefined, today: string): Promise<number> =>
  t ? (await deadlinesOfTask(t.taskId, { openBefore: today })).filter((d) => !d.metAt && d.due !== null && isOverdue(d.due, today)).length : 0;

function row(pt: PlanTask, plan: { planId: string; year: number }, t: TaskRecord | undefined, late: LateLaunchRecord | undefined, overdue: number): Omit<TaskRow, 'next' | 'decision'> {
  const stage = t?.stage ?? 'not-launched';
  // the dates in force: an approved late launch's (on the task once launched)
  const dates = effectiveDates(pt, t?.lateLaunch ?? (late?.status === 'approved' ? late : undefined));
  return {
    taskId: pt.taskId,
    name: pt.name,
    planId: plan.planId,
    year: plan.year,
    leadSection: pt.leadSection,
    category: pt.category,
    window: dates.window,
    drawDate: dates.drawDate,
    joint: pt.jointDepartments.length > 1 || pt.jointSections.length > 0,
    stage,
    stageName: STAGE_NAMES[stage],
    total: t?.total ?? 0,
    ...(t ? { reached: t.reached } : {}),
    overdue,
    ...(t?.launchedAt ? { launchedAt: t.launchedAt } : {}),
    ...(t?.closedAt ? { closedAt: t.closedAt } : {}),
  };
}

/** The department's own tasks (its published plans), then the joint tasks it is a partner in. */
export async function departmentTasks(dept: string): Promise<TaskRow[]> {
  const today = chinaToday(now());
  const [own, plans, partner] = await Promise.all([listTasksOfDepartment(dept), publishedPlanTasks(dept), partnerRows(dept, today)]);
  const runtime = new Map(own.map((t) => [t.taskId, t]));
  const rows = await Promise.all(
    plans.map(async ({ pt, plan }): Promise<TaskRow> => {
      const t = runtime.get(pt.taskId);
      const { late, overdue } = await stateOf(pt, t, today);
      // what waits for a leader (plan form, late launch, resume, re-draw): the home page counts it
      const decision = t ? await decisionOfTask(t) : lateLaunchDecision(pt.taskId, pt.name, late);
      return {
        ...row(pt, plan, t, late, overdue),
        ...(decision ? { decision: { kind: decision.kind, label: decision.label } } : {}),
        ...withNext(decision ? { who: 'leader', what: decision.label } : nextAction(t?.stage ?? 'not-launched', t, overdue, pt.drawDate, today, late)),
      };
    }),
  );
  return [...rows, ...partner];
}

const withNext = (next: NextAction | undefined): { next?: NextAction } => (next ? { next } : {});

/** The tasks of a department's published plans, in plan order. */
async function publishedPlanTasks(dept: string): Promise<{ pt: PlanTask; plan: { planId: string; year: number } }[]> {
  const out: { pt: PlanTask; plan: { planId: string; year: number } }[] = [];
  for (const meta of await listPlans(dept)) {
    if (meta.publishedVersion === undefined) continue;
    const plan = await getPlanVersion(meta.planId, meta.publishedVersion);
    for (const pt of plan?.tasks ?? []) out.push({ pt, plan: { planId: meta.planId, year: meta.year } });
  }
  return out;
}

/** A task's late-launch request (read only when it matters: not launched, past its draw date) and its overdue deadlines. */
async function stateOf(pt: PlanTask, t: TaskRecord | undefined, today: string): Promise<{ late?: LateLaunchRecord; overdue: number }> {
  const [late, overdue] = await Promise.all([!t && pt.drawDate < today ? getLateLaunch(pt.taskId) : undefined, overdueOf(t, today)]);
  return { ...(late ? { late } : {}), overdue };
}

/**
 * The cross-department joint tasks the department takes part in: those of the other departments'
 * published plans that name it, and those launched with it as a partner (the partner index,
 * written at launch; a task whose plan changed since is read in its launched version). What comes
 * next is the lead department's to do (its coordinator launches and publishes, its leaders decide).
 */
async function partnerRows(dept: string, today: string): Promise<TaskRow[]> {
  const [departments, launched] = await Promise.all([listDepartments(), listPartnerTasksOfDepartment(dept)]);
  const runtime = new Map(launched.map((t) => [t.taskId, t]));
  const planned = (await Promise.all(departments.filter((d) => d.id !== dept).map(async (d) => (await publishedPlanTasks(d.id)).map((x) => ({ ...x, lead: d.id }))))).flat();
  const found = planned.filter(({ pt }) => pt.jointDepartments.includes(dept));
  for (const t of runtime.values()) {
    if (found.some((f) => f.pt.taskId === t.taskId)) continue;
    const f = await findTask(t.taskId, { version: t.planVersion });
    if (f) found.push({ pt: f.task, plan: { planId: f.plan.planId, year: f.plan.year }, lead: t.department });
  }
  const nameOf = new Map(departments.map((d) => [d.id, d.name]));
  return Promise.all(
    found.map(async ({ pt, plan, lead }): Promise<TaskRow> => {
      const t = runtime.get(pt.taskId);
      const { late, overdue } = await stateOf(pt, t, today);
      const name = nameOf.get(lead) ?? lead;
      const next = nextAction(t?.stage ?? 'not-launched', t, overdue, pt.drawDate, today, late);
      return {
        ...row(pt, plan, t, late, overdue),
        lead: { department: lead, name },
        jointLabel: `联合（牵头：${name}）`,
        ...withNext(next && { who: 'lead', what: `${name}：${next.what}` }),
      };
    }),
  );
}
