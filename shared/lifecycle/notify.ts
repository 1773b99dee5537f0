/**
 * Mail sent when the lifecycle enters a stage: the approval request to leadership, the ceremony
 * notice to the coordinators, and the assignment notice to every team member (one mail per
 * inspector listing all their targets). Every mail has an idempotency key, so a retried
 * callback Lambda or a resumed execution sends nothing twice.
 */
import { composeMime, renderAssignmentNotice, renderCeremonyNotice, renderPlanApprovalRequest, type AssignedTarget } from '../mail/render.js';
import { sendMail } from '../mail/send.js';
import { consoleLink, createLink } from '../links.js';
import { config } from '../config.js';
import { getDepartment, listDepartments, listInspectors, getTargets } from '../store/registry.js';
import { taskNames } from './names.js';
import { listProgress, markNotified, type CallbackStage, type Stage, type TaskRecord } from '../store/tasks.js';
import { runPool } from '../store/base.js';
import { taskContext } from './progress.js';
import { drawDepartments, teamOf } from './team.js';
import { inspectorKey, type InspectorRef } from '../domain/identity.js';
import type { Inspector } from '../domain/schemas.js';

const url = (path: string): string => `${config().publicBaseUrl}${path}`;

export async function notifyStageEntered(task: TaskRecord, stage: CallbackStage | Stage): Promise<void> {
  switch (stage) {
    case 'approval':
      return approvalRequest(task);
    case 'witnesses':
      return ceremonyNotice(task);
    case 'results':
      return assignmentNotices(task);
    default:
      return;
  }
}

async function approvalRequest(task: TaskRecord): Promise<void> {
  const ctx = await taskContext(task.taskId);
  const dept = await getDepartment(task.department);
  if (!dept) return;
  const names = await taskNames(task.department, ctx.planTask);
  const departments = await listDepartments();
  for (const leader of dept.leaders) {
    // Approving is an act with legal weight: the mail opens the console, which signs in first (no link id that approves).
    const mail = renderPlanApprovalRequest({
      leader: { name: leader.name, email: leader.email, ...(leader.title ? { title: leader.title } : {}) },
      departmentName: dept.name,
      requestedBy: { name: dept.coordinators[0]?.name ?? '协调员', email: dept.coordinators[0]?.email },
      plan: { title: ctx.plan.title, year: ctx.plan.year, version: ctx.plan.version },
      task: ctx.planTask,
      itemNames: Object.fromEntries(names.items.map((i) => [i.id, i.name])),
      departmentNames: Object.fromEntries(departments.map((d) => [d.id, d.name])),
      consoleUrl: consoleLink(`/approve/${encodeURIComponent(task.taskId)}`),
      respondBy: ctx.planTask.drawDate,
    });
    // a plan form sent to the leaders again after a resume is a new request
    const key = `approval#${task.taskId}#r${task.drawRound}${task.pastApprovals?.length ? `#a${task.pastApprovals.length}` : ''}#${leader.email}`;
    await sendMail({
      key,
      kind: 'plan-approval',
      to: [leader.email],
      raw: await composeMime(mail, { from: config().mailFrom, to: [{ name: leader.name, address: leader.email }], kind: 'plan-approval', key }),
    });
  }
}

async function ceremonyNotice(task: TaskRecord): Promise<void> {
  const ctx = await taskContext(task.taskId);
  const dept = await getDepartment(task.department);
  if (!dept) return;
  for (const c of dept.coordinators) {
    const mail = renderCeremonyNotice({
      stage: 'invitation',
      recipient: { name: c.name, email: c.email },
      role: 'supervisor',
      departmentName: dept.name,
      task: { taskId: task.taskId, name: ctx.planTask.name },
      ceremony: { at: `${ctx.planTask.drawDate}T09:00:00+08:00`, place: dept.name },
      recordUrl: url(`/public/tasks/${encodeURIComponent(task.taskId)}`),
    });
    const key = `ceremony#${task.taskId}#r${task.drawRound + 1}#${c.email}`;
    await sendMail({
      key,
      kind: 'ceremony',
      to: [c.email],
      raw: await composeMime(mail, { from: config().mailFrom, to: [{ name: c.name, address: c.email }], kind: 'ceremony', key }),
    });
  }
}

/**
 * One assignment notice per team member, listing all their targets, each with the result form
 * and the printable 一企一表 sheet behind the inspector's own link id; then the targets are
 * marked notified.
 */
async function assignmentNotices(task: TaskRecord): Promise<void> {
  const ctx = await taskContext(task.taskId);
  const dept = await getDepartment(task.department);
  if (!dept) return;
  const progress = await listProgress(task.taskId, { projection: ['uscc', 'name', 'team', 'teamDepartments', 'leader', 'status', 'dueEntry'] });
  const departments = [...new Set([task.department, ...drawDepartments(task.department, ctx.planTask)])];
  // Keyed by (department, id): a namesake in another department is someone else.
  const inspectors = new Map<string, Inspector>((await Promise.all(departments.map((d) => listInspectors(d)))).flat().map((i) => [inspectorKey(i), i]));
  const { items } = await taskNames(task.department, ctx.planTask);
  const taskItems = items.map((it) => ({ name: it.name, content: it.content || undefined, key: it.key }));
  const methods = [...new Set(items.flatMap((it) => it.methods))];
  const details = new Map((await getTargets(task.department, progress.map((p) => p.uscc))).map((t) => [t.uscc, t]));

  const byInspector = new Map<string, typeof progress>();
  const teams = new Map<string, (InspectorRef | undefined)[]>();
  for (const p of progress) {
    const refs = await teamOf(ctx, p);
    teams.set(p.uscc, refs);
    for (const ref of refs) {
      if (!ref) continue;
      const list = byInspector.get(inspectorKey(ref));
      if (list) list.push(p);
      else byInspector.set(inspectorKey(ref), [p]);
    }
  }

  // A few mails at a time (each is a link record, the idempotency record and the send); SES
  // throttling is retried with backoff by sendMail.
  await runPool([...byInspector], 4, async ([key, mine]) => {
    const insp = inspectors.get(key);
    if (!insp) return;
    const linkId = await assignmentLink(task.taskId, task.drawRound, insp);
    const targets: AssignedTarget[] = mine.map((p) => {
      const d = details.get(p.uscc);
      return {
        uscc: p.uscc,
        name: p.name,
        ...(d?.contact.address ? { address: d.contact.address } : {}),
        ...(d?.contact ? { contact: { person: d.contact.person, phone: d.contact.phone } } : {}),
        items: taskItems,
        methods,
        team: p.team.map((id, k) => {
          const ref = teams.get(p.uscc)?.[k];
          const m = ref && inspectors.get(inspectorKey(ref));
          return { name: m?.name ?? id, leader: id === p.leader, section: m?.section, phone: m?.phone };
        }),
        sheetUrl: url(`/l/${linkId}?t=${p.uscc}`),
        printUrl: url(`/l/${linkId}?t=${p.uscc}&print=1`),
        ...(p.dueEntry ? { dueDate: p.dueEntry } : {}),
      };
    });
    const mail = renderAssignmentNotice({
      recipient: { name: insp.name, email: insp.email },
      departmentName: dept.name,
      task: { taskId: task.taskId, name: ctx.planTask.name, window: ctx.planTask.window, leadSection: ctx.planTask.leadSection, legalBasis: ctx.planTask.legalBasis },
      targets,
      drawRecordUrl: url(`/public/tasks/${encodeURIComponent(task.taskId)}`),
      minInspectorsOnSite: ctx.profile.minInspectorsPerTarget,
    });
    const mailKey = `assignment#${task.taskId}#r${task.drawRound}#${insp.id}`;
    await sendMail({
      key: mailKey,
      kind: 'assignment',
      to: [insp.email],
      raw: await composeMime(mail, { from: config().mailFrom, to: [{ name: insp.name, address: insp.email }], kind: 'assignment', key: mailKey }),
    });
  });
  await markNotified(task.taskId, progress.filter((p) => p.status === 'assigned').map((p) => p.uscc));
}

/** The inspector's link for this task: stable per task, round and inspector (department, id), not per target. */
export async function assignmentLink(taskId: string, round: number, insp: Pick<Inspector, 'id' | 'email' | 'department'>): Promise<string> {
  return createLink('view-assignment', { taskId, inspectorId: insp.id, department: insp.department, round: String(round) }, insp.email, {
    days: 180,
    key: `${taskId}#${round}#${insp.department}#${insp.id}`,
  });
}
