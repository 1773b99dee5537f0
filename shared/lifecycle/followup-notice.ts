/**
 * When a result that needs follow-up is entered, the follow-up is open at once (progress.ts):
 * its team leader (who enters the disposal) and the running department's coordinators are
 * told by mail. One mail per person and target (idempotency key), so a retried entry or a
 * corrected result sends nothing twice.
 */
import { config } from '../config.js';
import { deliver } from '../mail/events.js';
import { renderFollowUpArisen } from '../mail/render.js';
import { getDepartment } from '../store/registry.js';
import type { ProgressRecord, TaskRecord } from '../store/tasks.js';
import type { PlanTask } from '../domain/schemas.js';
import { teamMembers } from './team.js';

export async function notifyFollowUpArisen(
  ctx: { task: TaskRecord; planTask: PlanTask; workingDays: number },
  p: ProgressRecord,
  phrases: { code: string; text: string }[],
  due: string | null,
): Promise<number> {
  const dept = await getDepartment(ctx.task.department);
  const members = await teamMembers(ctx, p);
  const leader = members.find((m) => m.id === p.leader)?.inspector;
  const team = members.map((m) => (m.inspector ? `${m.inspector.name}${m.id === p.leader ? '（组长）' : ''}` : m.id));
  const url = `${config().publicBaseUrl}/console/#/tasks/${encodeURIComponent(ctx.task.taskId)}`;
  const to = [
    ...(leader && leader.active && leader.mailStatus === 'ok' ? [{ as: 'leader' as const, name: leader.name, email: leader.email }] : []),
    ...(dept?.coordinators ?? []).map((c) => ({ as: 'coordinator' as const, name: c.name, email: c.email })),
  ];
  let sent = 0;
  for (const r of to) {
    const mail = renderFollowUpArisen({
      recipient: { name: r.name, email: r.email },
      as: r.as,
      departmentName: dept?.name ?? ctx.task.department,
      taskName: ctx.planTask.name,
      targetName: p.name,
      uscc: p.uscc,
      phrases,
      team,
      dueDate: due,
      workingDays: ctx.workingDays,
      url,
    });
    const key = `followup-arisen#${ctx.task.taskId}#${p.uscc}#${r.email.toLowerCase()}`;
    if ((await deliver({ key, kind: 'followup-arisen', to: [{ name: r.name, email: r.email }], mail })) === 'sent') sent++;
  }
  return sent;
}
