/**
 * What waits for a leader of a department: a task's plan form (stage approval), a late launch
 * of a task past its dates, the resume of a failed task, and a re-draw. The console's home and
 * task list and the leadership summary mail count the same list, so a request a coordinator
 * filed never sits unseen.
 */
import { getPlanVersion, listPlans } from '../store/plans.js';
import { getLateLaunch, type LateLaunchRecord } from '../store/late-launch.js';
import { getCeremony } from '../store/ceremony.js';
import { listTasksOfDepartment, type TaskRecord } from '../store/tasks.js';

import type { LeaderDecisionKind } from '../domain/read-models.js';

export type { LeaderDecisionKind };

export const LEADER_DECISION_LABELS: Record<LeaderDecisionKind, string> = {
  plan: '任务计划待审批',
  'late-launch': '逾期启动申请待审批',
  resume: '恢复申请待审批',
  redraw: '重新抽取申请待审批',
};

export interface PendingDecision {
  taskId: string;
  taskName: string;
  kind: LeaderDecisionKind;
  label: string;
  reason?: string | undefined;
  requestedAt?: string | undefined;
}

const pending = (taskId: string, taskName: string, kind: LeaderDecisionKind, extra: { reason?: string | undefined; requestedAt?: string | undefined } = {}): PendingDecision => ({
  taskId,
  taskName,
  kind,
  label: LEADER_DECISION_LABELS[kind],
  ...(extra.reason ? { reason: extra.reason } : {}),
  ...(extra.requestedAt ? { requestedAt: extra.requestedAt } : {}),
});

/** What a leader has to decide on a launched task, if anything. */
export async function decisionOfTask(t: TaskRecord): Promise<PendingDecision | undefined> {
  if (t.stage === 'approval') return pending(t.taskId, t.name, 'plan', { requestedAt: t.launchedAt });
  if (t.stage === 'failed' && t.resumeRequest) return pending(t.taskId, t.name, 'resume', t.resumeRequest);
  if (t.stage === 'results') {
    const next = await getCeremony(t.taskId, t.drawRound + 1);
    if (next?.redraw && !next.redraw.approvedAt && next.status !== 'aborted') return pending(t.taskId, t.name, 'redraw', next.redraw);
  }
  return undefined;
}

/** A task not launched yet: a late launch waiting for a leader. */
export async function decisionOfUnlaunched(taskId: string, taskName: string): Promise<PendingDecision | undefined> {
  return lateLaunchDecision(taskId, taskName, await getLateLaunch(taskId));
}

/** The same from the task's late-launch record, read already. */
export function lateLaunchDecision(taskId: string, taskName: string, late: LateLaunchRecord | undefined): PendingDecision | undefined {
  return late?.status === 'pending' ? pending(taskId, taskName, 'late-launch', late) : undefined;
}

/** Every decision waiting for the department's leaders, in task order. */
export async function pendingLeaderDecisions(dept: string): Promise<PendingDecision[]> {
  const runtime = new Map((await listTasksOfDepartment(dept)).map((t) => [t.taskId, t]));
  const found: (PendingDecision | undefined)[] = await Promise.all([...runtime.values()].map(decisionOfTask));
  for (const meta of await listPlans(dept)) {
    if (meta.publishedVersion === undefined) continue;
    const plan = await getPlanVersion(meta.planId, meta.publishedVersion);
    const unlaunched = (plan?.tasks ?? []).filter((pt) => !runtime.has(pt.taskId));
    found.push(...(await Promise.all(unlaunched.map((pt) => decisionOfUnlaunched(pt.taskId, pt.name)))));
  }
  return found.filter((d): d is PendingDecision => d !== undefined).sort((a, b) => a.taskId.localeCompare(b.taskId));
}
