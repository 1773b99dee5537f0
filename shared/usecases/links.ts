/**
 * What the short links in e-mails show and do. A link resolves server-side to an action, a
 * payload and the person it was sent to; viewing returns the data of its page (the pages are in
 * `shared/pages/`), acting records a result for that person. No link approves anything: the
 * leader's approval link (older mails) shows the plan form and sends him to the console.
 *
 *   view-assignment  an inspector's targets of a task; per target the result form and the
 *                    printable 一企一表; acting enters a result (the link stays usable)
 *   enter-result     the result form of one target; acting enters it and uses the link up
 *                    (a fresh one for corrections comes with the confirmation)
 *   approve-task     (mails sent before approval moved to the console) the task's plan form for
 *                    the leader with a button to the console; it never approves — an act with
 *                    legal weight needs a signed-in session (docs/SECURITY.md)
 *
 * Refusals are domain errors: `tooLate` for an expired or used link (or a target no longer on
 * the task), `notFound` (reason NOT_ON_TEAM) for a target not on the inspector's team.
 */
import { openingFor, readFrozenBlob } from '../lifecycle/draw-v2.js';
import { checkCodeOf } from '../draw/v2/index.js';
import { consoleLink, consumeLink, createLink, releaseLink, resolveLink, type LinkRecord } from '../links.js';
import { enterResult, taskContext, type EntryOptions } from '../lifecycle/progress.js';
import { getProgress, getTask, listProgress, STATUS_NAMES, type ApprovalDecision, type ProgressRecord } from '../store/tasks.js';
import { activeInspector, onTeam, teamMembers } from '../lifecycle/team.js';
import type { InspectorRef } from '../domain/identity.js';
import { getDepartment, getTargets } from '../store/registry.js';
import { taskNames } from '../lifecycle/names.js';
import type { InspectionSheetData } from '../mail/render.js';
import type { ResultPhrase } from '../domain/profiles.js';
import type { PlanTask } from '../domain/schemas.js';
import { DomainError, tooLate } from '../domain/errors.js';
import { config } from '../config.js';
import { confirmAfterAnswer } from './confirmations.js';
import type { ValidResult } from '../domain/result.js';
import { planApprovalDecision, staffName } from './approval.js';

type Payload = Record<string, string>;

/**
 * The link, if it may still be used (else `tooLate` with the reason). A link of an inspector is
 * his only while he is registered and active: every use resolves him again, so deactivating or
 * deleting him revokes his links (a 180-day assignment link included) at once.
 */
export async function openLink(linkId: string, opts: { inspector?: 'now' | 'later' } = {}): Promise<LinkRecord> {
  const r = await resolveLink(linkId);
  if (!r.ok) throw tooLate(r.reason);
  // 'later': the act that follows reads the inspector with its other items and refuses the same way
  if (r.link.payload.inspectorId !== undefined && opts.inspector !== 'later') {
    try {
      await activeInspector(linkInspector(r.link.payload));
    } catch (e) {
      throw linkRevoked(e);
    }
  }
  return r.link;
}

/** An inspector no longer registered or active: his links are used up, whatever they were for. */
const linkRevoked = (e: unknown): unknown => (e instanceof DomainError && e.code === 'forbidden' ? tooLate(`链接已失效：${e.message}`) : e);

export const NOT_ON_TEAM = 'NotOnTeam';

/** The inspector (department, id) a link was sent to. */
const linkInspector = (payload: Payload): InspectorRef => ({ department: payload.department ?? '', id: payload.inspectorId ?? '' });

/** The target must be on this inspector's team in this task (else `notFound`, reason NOT_ON_TEAM). */
export async function assertOnTeam(payload: Payload, uscc: string): Promise<void> {
  const p = await getProgress(payload.taskId!, uscc);
  if (!p || !(await onTeam(await taskContext(payload.taskId!), p, linkInspector(payload)))) throw notOnTeam(uscc);
}
const notOnTeam = (uscc: string): DomainError => new DomainError('notFound', `「${uscc}」不在您本次任务的检查对象中。`, { reason: NOT_ON_TEAM });

// ---------------------------------------------------------------- pages

/** What the result form shows: the task, the target with its current result, team, items, codes. */
export interface ResultFormData {
  task: PlanTask;
  target: ProgressRecord;
  /** The members with their section (a joint task's come from several departments). */
  team: { id: string; name: string; section?: string }[];
  inspectorId: string;
  items: { id: string; name: string; content: string }[];
  phrases: readonly ResultPhrase[];
  methods: readonly string[];
}

export async function resultFormData(payload: Payload): Promise<ResultFormData> {
  const { taskId, uscc, inspectorId } = payload as { taskId: string; uscc: string; inspectorId: string };
  const ctx = await taskContext(taskId);
  const p = await getProgress(taskId, uscc);
  if (!p) throw tooLate('该检查对象不在任务名单中');
  // every participating department's items, whichever department the inspector is from
  const { items } = await taskNames(ctx.task.department, ctx.planTask);
  const team = (await teamMembers(ctx, p)).map((m) => ({ id: m.id, name: m.inspector?.name ?? m.id, ...(m.inspector?.section ? { section: m.inspector.section } : {}) }));
  return {
    task: ctx.planTask,
    target: p,
    team,
    inspectorId,
    items: items.map((it) => ({ id: it.id, name: it.name, content: it.content })),
    phrases: ctx.profile.resultPhrases,
    methods: ctx.profile.checkMethods,
  };
}

export interface AssignmentList {
  taskName: string;
  window: { start: string; end: string };
  targets: { uscc: string; name: string; jurisdiction: string; status: string; isLeader: boolean; dueEntry?: string | undefined }[];
}

/** The inspector's targets in the task, with their status and entry deadline. */
export async function assignmentList(payload: Payload): Promise<AssignmentList> {
  const ctx = await taskContext(payload.taskId!);
  const me = linkInspector(payload);
  const mine = [];
  for (const p of await listProgress(payload.taskId!, { projection: ['uscc', 'name', 'team', 'teamDepartments', 'leader', 'status', 'dueEntry', 'jurisdiction'] })) {
    if (await onTeam(ctx, p, me)) mine.push(p);
  }
  return {
    taskName: ctx.planTask.name,
    window: ctx.planTask.window,
    targets: mine.map((p) => ({
      uscc: p.uscc,
      name: p.name,
      jurisdiction: p.jurisdiction,
      status: STATUS_NAMES[p.status],
      isLeader: p.leader === payload.inspectorId,
      ...(p.dueEntry ? { dueEntry: p.dueEntry } : {}),
    })),
  };
}

/** The printable joint inspection record sheet (一企一表) of one target. */
export async function inspectionSheet(payload: Payload, uscc: string): Promise<InspectionSheetData> {
  const ctx = await taskContext(payload.taskId!);
  const p = (await getProgress(payload.taskId!, uscc))!;
  const dept = await getDepartment(ctx.task.department);
  const [target] = await getTargets(ctx.task.department, [uscc]);
  const names = await taskNames(ctx.task.department, ctx.planTask);
  const team = (await teamMembers(ctx, p)).map((m) => ({ id: m.id, insp: m.inspector }));
  return {
    departmentName: dept?.name ?? ctx.task.department,
    sheetNo: `${ctx.task.taskId}-${uscc.slice(-6)}`,
    task: { taskId: ctx.task.taskId, name: ctx.planTask.name, window: ctx.planTask.window, leadSection: ctx.planTask.leadSection, legalBasis: ctx.planTask.legalBasis, jointDepartments: names.jointDepartments.map((d) => d.name) },
    target: { uscc, name: p.name, ...(target?.contact.address ? { address: target.contact.address } : {}), ...(target ? { contact: { person: target.contact.person, phone: target.contact.phone } } : {}) },
    items: names.items.map((it) => ({ name: it.name, content: it.content, legalBasis: it.legalBasis, key: it.key })),
    methods: ctx.profile.checkMethods,
    team: team.map(({ id, insp }) => ({ name: insp?.name ?? id, certificateNo: insp?.certificateNo, section: insp?.section, leader: id === p.leader })),
    phrases: ctx.profile.resultPhrases,
    ...(await sheetSelfCheck(ctx.task.taskId, ctx.task.drawRound, uscc, p.checkCode)),
  };
}

/** The enterprise's check code and self-check page for its sheet (v2 rounds only). */
async function sheetSelfCheck(taskId: string, round: number, uscc: string, stored: string | undefined): Promise<{ selfCheck?: NonNullable<InspectionSheetData['selfCheck']> }> {
  let code = stored;
  if (!code && round > 0) {
    // a round drawn before the code was kept on the progress record: from the internal openings
    const b = await readFrozenBlob(taskId, round);
    const line = b && openingFor(b, uscc);
    if (line) code = checkCodeOf(line).code;
  }
  if (!code) return {};
  const url = `${config().publicBaseUrl}/public/tasks/${encodeURIComponent(taskId)}/selfcheck?round=${round}&uscc=${encodeURIComponent(uscc)}`;
  return { selfCheck: { round, code, url } };
}

/** The task plan form (抽查任务审批表) the leader decides on. */
export interface TaskApprovalForm {
  /** `jointDepartments`: the participating departments' names. */
  task: Pick<PlanTask, 'name' | 'leadSection' | 'jointSections' | 'jointDepartments' | 'category' | 'window' | 'drawDate' | 'legalBasis'>;
  /** The name of the leader the link was sent to (never the address). */
  approver: string;
  /** Set when the decision was taken already (through any channel): the page says so. */
  decided?: ApprovalDecision;
  /** Where the leader approves: the task's approval in the console, which signs in first. */
  consoleUrl: string;
}

export async function taskApprovalForm(link: LinkRecord): Promise<TaskApprovalForm> {
  const ctx = await taskContext(link.payload.taskId!);
  const t = ctx.planTask;
  const [decided, names] = await Promise.all([planApprovalDecision(ctx.task), taskNames(ctx.task.department, t)]);
  return {
    task: { name: t.name, leadSection: t.leadSection, jointSections: t.jointSections, jointDepartments: names.jointDepartments.map((d) => d.name), category: t.category, window: t.window, drawDate: t.drawDate, legalBasis: t.legalBasis },
    approver: (await staffName(link.recipient, ctx.task.department)) ?? '分管领导',
    ...(decided ? { decided } : {}),
    consoleUrl: consoleLink(`/approve/${encodeURIComponent(ctx.task.taskId)}`),
  };
}

/** For an approval link that can no longer act (used, expired): the decision taken on its task. */
export async function decisionBehindLink(linkId: string): Promise<{ decision: ApprovalDecision; reason: string } | undefined> {
  const r = await resolveLink(linkId);
  if (r.ok || r.link?.action !== 'approve-task') return undefined;
  const task = await getTask(r.link.payload.taskId!);
  const decision = task ? await planApprovalDecision(task) : undefined;
  return decision ? { decision, reason: r.reason } : undefined;
}

// ---------------------------------------------------------------- acting

export type ResultEntry = Awaited<ReturnType<typeof enterResult>>;

/**
 * Enter (or correct) a result through the form behind a link, as the inspector it was sent to,
 * and confirm it by mail. An `enter-result` link is used up; the answer carries a fresh link
 * for corrections until publication.
 */
export async function enterResultByLink(
  link: LinkRecord,
  uscc: string,
  result: Record<string, unknown>,
  ip: string,
  submission?: string,
): Promise<{ entry: ResultEntry; correctionUrl?: string }> {
  const { taskId } = link.payload as { taskId: string };
  const actor = { by: link.recipient, role: 'inspector', ip, inspector: linkInspector(link.payload) };
  const opts: EntryOptions = {
    ...(submission ? { submission } : {}),
    inactive: linkRevoked,
    // an assignment link names one of the inspector's targets; another is "not yours"
    ...(link.action === 'view-assignment' ? { notOnTeam: () => notOnTeam(uscc) } : {}),
  };
  if (link.action !== 'enter-result') {
    const entry = await enterResult(taskId, uscc, result, actor, 'form', opts);
    await confirmed(taskId, uscc, entry);
    return { entry };
  }
  // Single use, claimed before acting (a conditional write): of two POSTs at the same moment one
  // records, the other is told the link was used. A refused entry gives the claim back.
  const claim = await consumeLink(link.id);
  if (!claim) throw tooLate('该链接已使用过');
  let entry: ResultEntry;
  try {
    entry = await enterResult(taskId, uscc, result, actor, 'form', opts);
  } catch (e) {
    await releaseLink(link.id, claim);
    throw e;
  }
  await confirmed(taskId, uscc, entry);
  const again = await createLink('enter-result', link.payload, link.recipient, { days: 30, singleUse: true });
  return { entry, correctionUrl: `${config().publicBaseUrl}/l/${again}` };
}

/**
 * The confirmation this stored version owes goes out after the answer (a retry of a stored
 * submission asks again, in case the first sender could not); what is left owed, the recovery
 * job sends (functions/jobs/recover.ts).
 */
async function confirmed(taskId: string, uscc: string, entry: ResultEntry): Promise<void> {
  const version = entry.progress.resultVersion;
  if (version) await confirmAfterAnswer({ taskId, uscc, version });
}

/**
 * Whether a form submission (its hidden id) is the stored result of the link's target — asked
 * by the form after a network error or a 5xx, and for a repeated POST on a link the first one
 * used up. Answers for a used or expired link too: only who holds the submission id can ask.
 */
export async function submissionState(linkId: string, uscc: string | undefined, submission: string): Promise<{ saved: boolean; version?: number; entry?: ResultEntry }> {
  const r = await resolveLink(linkId);
  const link = r.link;
  if (!link || (link.action !== 'enter-result' && link.action !== 'view-assignment')) return { saved: false };
  const target = link.action === 'enter-result' ? link.payload.uscc : uscc;
  if (!target) return { saved: false };
  if (link.action === 'view-assignment') await assertOnTeam(link.payload, target);
  const p = await getProgress(link.payload.taskId!, target);
  const stored = p?.result as (ValidResult & { submission?: string }) | undefined;
  if (!p || !stored || stored.submission !== submission) return { saved: false, ...(p?.resultVersion ? { version: p.resultVersion } : {}) };
  return { saved: true, version: p.resultVersion!, entry: { progress: p, result: stored, corrected: false, unchanged: true } };
}
