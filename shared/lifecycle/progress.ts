/**
 * Per-target steps after the draw: check, result entry (form, API and reply-by-mail share this),
 * review, publication and follow-up. Each step is one conditional transition; after it, the
 * task's execution is resumed if the stage's aggregate condition now holds (never polled).
 */
import { randomUUID } from 'node:crypto';
import { findTask } from '../store/plans.js';
import {
  getProgress,
  getTask,
  listProgress,
  transition,
  TransitionRejected,
  type Actor,
  type Due,
  type ProgressRecord,
  type TaskRecord,
} from '../store/tasks.js';
import { K } from '../store/keys.js';
import { batchGet, getItem, queryAll, type Item, type TransactItem } from '../store/base.js';
import { owedConfirmationPut } from '../store/outbox.js';
import { contentHash, getDepartment, getInspectors, inspectorOfItem } from '../store/registry.js';
import { taskNames } from './names.js';
import { getProfile } from '../services/profile.js';
import { validateResult, type ValidResult } from '../domain/result.js';
import { addDays, chinaDate, chinaToday, CalendarYearNotCovered, defaultCalendar } from '../domain/calendar.js';
import type { PolicyProfile } from '../domain/profiles.js';
import { dueDate, firstLadderDay, followUpDueDate, type DeadlineKind } from '../domain/deadlines.js';
import { resumeIfDone } from './callbacks.js';
import { now, nowIso } from '../clock.js';
import { conflict, notFound, invalid } from '../domain/errors.js';
import type { Inspector, PlanTask, PlanVersion } from '../domain/schemas.js';
import type { InspectorRef } from '../domain/identity.js';
import { activeInspector, onTeam, requireTeamMember, teamOf } from './team.js';
import { notifyFollowUpArisen } from './followup-notice.js';
import { effectiveDates } from '../domain/late.js';

/**
 * Who does a per-target step: staff signed in, or an inspector (department, id) — signed in, behind
 * an e-mail link or a reply token. An inspector must be a registered, active member of the
 * target's team; a coordinator acts for the department.
 */
export type StepActor = Actor & { inspector?: InspectorRef };

export interface TaskContext {
  task: TaskRecord;
  plan: PlanVersion;
  planTask: PlanTask;
  profile: PolicyProfile;
}

/**
 * The published plan task and the department profile change rarely (a plan adjustment, a
 * profile edit) and are read on every step: a warm function keeps them for a few seconds.
 * The task record itself is always read fresh.
 */
const CONTEXT_TTL_MS = 10_000;
const contextCache = new Map<string, { at: number; plan: PlanVersion; planTask: PlanTask; profile: PolicyProfile }>();

export async function taskContext(taskId: string): Promise<TaskContext> {
  const task = await getTask(taskId);
  if (!task) throw notFound(`任务「${taskId}」`);
  return contextOf(task);
}

/** The context of a task record just read (fresh): its plan task and profile, cached as above. */
async function contextOf(task: TaskRecord): Promise<TaskContext> {
  const taskId = task.taskId;
  const hit = contextCache.get(taskId);
  if (hit && performance.now() - hit.at < CONTEXT_TTL_MS && hit.plan.version === task.planVersion) {
    return { task, plan: hit.plan, planTask: effectiveDates(hit.planTask, task.lateLaunch), profile: hit.profile };
  }
  // The version the task was launched under stays in force after a later plan adjustment.
  const found = await findTask(taskId, { version: task.planVersion });
  if (!found) throw notFound(`任务「${taskId}」所属的已发布计划`);
  const profile = await getProfile(task.department);
  contextCache.set(taskId, { at: performance.now(), plan: found.plan, planTask: found.task, profile });
  // A late launch's approved dates are the task's dates: the draw, check dates and deadlines follow them.
  return { task, plan: found.plan, planTask: effectiveDates(found.task, task.lateLaunch), profile };
}

async function progressOrThrow(taskId: string, uscc: string): Promise<ProgressRecord> {
  const p = await getProgress(taskId, uscc);
  if (!p) throw notFound(`本任务抽取名单中的检查对象「${uscc}」`);
  return p;
}

const itemIdsOf = (t: PlanTask): string[] => [...t.items.general, ...t.items.key];

/**
 * A due date, or — when it falls in a year the official calendar does not cover yet — a pending
 * deadline naming that year. Entering a result is never blocked by the calendar; the daily job
 * settles pending deadlines once the year's holidays are added (calendar-overrides.json).
 */
/** A new deadline filed in the due index under its first ladder step (shared/jobs/deadlines.ts). */
export function filed(profile: PolicyProfile, kind: DeadlineKind, due: Due): Due {
  return due.date ? { ...due, filedOn: firstLadderDay(profile, kind, due.date, chinaToday(now())) } : due;
}

export function dueOrPending(compute: () => string, basis: Due['basis']): Due {
  try {
    return { date: compute(), ...(basis ? { basis } : {}) };
  } catch (e) {
    if (e instanceof CalendarYearNotCovered) return { pendingYear: e.year, ...(basis ? { basis } : {}) };
    throw e;
  }
}

/** The team member's own record of the on-site check date (opens the entry/publication deadlines). */
export async function recordCheck(taskId: string, uscc: string, checkDate: string, actor: StepActor): Promise<ProgressRecord> {
  const ctx = await taskContext(taskId);
  const p = await progressOrThrow(taskId, uscc);
  if (actor.inspector) await requireTeamMember(ctx, p, actor.inspector, '登记检查');
  const today = chinaToday(now());
  if (checkDate > today) throw invalid(`检查日期 ${checkDate} 晚于今天（${today}）`);
  if (checkDate < ctx.planTask.window.start || checkDate > ctx.planTask.window.end) {
    throw invalid(`检查日期 ${checkDate} 不在抽查时间 ${ctx.planTask.window.start} 至 ${ctx.planTask.window.end} 之内`);
  }
  const entryBasis = { from: checkDate, rule: 'entry' as const, roundEnd: ctx.planTask.window.end };
  const publishBasis = { from: checkDate, rule: 'publish' as const };
  const dueEntry = dueOrPending(() => dueDate(ctx.profile, entryBasis), entryBasis);
  const duePublish = dueOrPending(() => dueDate(ctx.profile, publishBasis), publishBasis);
  return await transition({
    taskId,
    uscc,
    current: p,
    from: ['assigned', 'notified'],
    to: 'checked',
    actor,
    set: { checkDate, dueEntry: dueEntry.date ?? null, duePublish: duePublish.date ?? null },
    openDeadlines: [
      { kind: 'entry', ref: uscc, due: filed(ctx.profile, 'entry', dueEntry), people: p.team },
      { kind: 'publish', ref: uscc, due: filed(ctx.profile, 'publish', duePublish), people: p.team },
    ],
    auditWhat: 'target.checked',
    auditData: { checkDate },
  });
}

/**
 * Enter or correct a result. Only a member of the target's team may do it, and only until
 * publication. The first entry closes the entry deadline (its met time feeds the on-time KPI).
 */
export async function enterResult(
  taskId: string,
  uscc: string,
  body: unknown,
  actor: Actor & { inspector: InspectorRef },
  via: 'form' | 'api' | 'mail',
  opts: EntryOptions = {},
): Promise<{ progress: ProgressRecord; result: ValidResult; corrected: boolean; unchanged: boolean }> {
  // One round trip for what every entry reads fresh: the task, the target's progress and the
  // acting inspector (a deactivated one acts no more).
  const read = await readForEntry(taskId, uscc, actor.inspector);
  if (!read.task) throw notFound(`任务「${taskId}」`);
  const ctx = await contextOf(read.task);
  if (!read.progress) throw opts.notOnTeam?.() ?? notFound(`本任务抽取名单中的检查对象「${uscc}」`);
  const p = read.progress;
  if (opts.inactive) await activeInspector(actor.inspector, read.inspector ?? null).catch((e: unknown) => Promise.reject(opts.inactive!(e)));
  if (opts.notOnTeam && !(await onTeam(ctx, p, actor.inspector))) throw opts.notOnTeam();
  await requireTeamMember(ctx, p, actor.inspector, '录入检查结果', read.inspector ?? null);
  const published = ['published', 'followup_open', 'closed'].includes(p.status);
  // A retry of what is stored answers with the stored result, whatever happened since.
  if (published && !p.result) throw conflict('检查结果已公示，不能再修改');
  const result = validateResult(body, {
    phrases: ctx.profile.resultPhrases,
    allowedMethods: ctx.profile.checkMethods,
    minOnSite: ctx.profile.minInspectorsPerTarget,
    team: p.team,
    itemIds: itemIdsOf(ctx.planTask),
    window: ctx.planTask.window,
    today: chinaToday(now()),
    certificates: await teamCertificates(ctx, p, read.inspector),
  });
  const corrected = p.status === 'result_entered' || p.status === 'reviewed';
  // A double submission or a retry (same content) has no second effect and answers as stored.
  if (sameResult(p.result, result)) return await storedAlready(taskId, p, result);
  if (published) throw conflict('检查结果已公示，不能再修改');
  const first = !corrected;
  // Without a prior check record the deadlines count from the check date of the result.
  const entryBasis = { from: result.checkDate, rule: 'entry' as const, roundEnd: ctx.planTask.window.end };
  const publishBasis = { from: result.checkDate, rule: 'publish' as const };
  const dueEntry: Due = p.checkDate ? { date: p.dueEntry ?? undefined } : dueOrPending(() => dueDate(ctx.profile, entryBasis), entryBasis);
  const duePublish: Due = p.checkDate ? { date: p.duePublish ?? undefined } : dueOrPending(() => dueDate(ctx.profile, publishBasis), publishBasis);
  const enteredAt = nowIso();
  const version = (p.resultVersion ?? 0) + 1;
  const record = { ...result, enteredBy: actor.inspector.id, enteredByDepartment: actor.inspector.department, enteredAt, via, ...(opts.submission ? { submission: opts.submission } : {}) };
  // A result that needs follow-up opens it at once: due N working days from today (the day the
  // follow-up arises), reminded and escalated like every deadline. A correction that no longer
  // needs it withdraws it while no disposal was entered.
  const arises = result.needsFollowUp && p.followUpArisenOn === undefined;
  const withdraws = !result.needsFollowUp && p.followUpArisenOn !== undefined && !(p.followUps?.open || p.followUps?.closed);
  const today = chinaToday(now());
  const followBasis = { from: today, rule: 'followup' as const };
  const dueFollow: Due | undefined = arises ? dueOrPending(() => dueDate(ctx.profile, followBasis), followBasis) : undefined;
  const extra: TransactItem[] = [];
  // The first entry meets the entry deadline: rewrite it with its final due date (from the
  // check date) and the time it was met, out of the due index.
  if (first) {
    extra.push({ Put: { Item: { ...K.deadline(taskId, 'entry', uscc), entity: 'deadline', taskId, kind: 'entry', ref: uscc, due: dueEntry.date ?? null, people: p.team, metAt: enteredAt } } });
  }
  // A result entered through the form owes its inspector a confirmation, from the moment it is
  // stored (store/outbox.ts): the mail follows from the stored state, not from this request.
  if (via === 'form') extra.push(owedConfirmationPut({ kind: 'result-confirmation', taskId, uscc, version, inspector: actor.inspector, owedAt: enteredAt }));
  let progress: ProgressRecord;
  try {
    progress = await transition({
      taskId,
      uscc,
      current: p,
      from: ['assigned', 'notified', 'checked', 'result_entered', 'reviewed'],
      to: 'result_entered',
      actor,
      set: {
        result: record,
        resultVersion: version,
        hasProblem: result.hasProblem,
        needsFollowUp: result.needsFollowUp,
        checkDate: result.checkDate,
        dueEntry: dueEntry.date ?? null,
        duePublish: duePublish.date ?? null,
        ...(dueFollow ? { followUpArisenOn: today, dueFollowUp: dueFollow.date ?? null } : {}),
      },
      ...(withdraws ? { remove: ['followUpArisenOn', 'dueFollowUp'] } : {}),
      ...(first ? { reached: { resultEntered: 1 } } : {}),
      openDeadlines: [
        ...(first && !p.checkDate ? [{ kind: 'publish' as const, ref: uscc, due: filed(ctx.profile, 'publish', duePublish), people: p.team }] : []),
        ...(dueFollow ? [{ kind: 'followup' as const, ref: uscc, due: filed(ctx.profile, 'followup', dueFollow), people: p.team }] : []),
      ],
      ...(withdraws ? { dropDeadlines: [{ kind: 'followup' as const, ref: uscc }] } : {}),
      extra,
      auditWhat: corrected ? 'result.corrected' : 'result.entered',
      auditData: {
        codes: result.codes,
        via,
        version,
        // The form's submission id: a submission stored twice shows in the audit trail.
        ...(opts.submission ? { submission: opts.submission } : {}),
        ...(dueFollow ? { followUpDue: dueFollow.date ?? `待${dueFollow.pendingYear}年日历` } : {}),
        ...(withdraws ? { followUpWithdrawn: true } : {}),
      },
    });
  } catch (e) {
    // The status moved meanwhile: a concurrent copy of this request, or an earlier attempt of it
    // whose answer was lost, stored it. The same content is that stored result, not a conflict.
    if (!(e instanceof TransitionRejected)) throw e;
    const now = await getProgress(taskId, uscc);
    if (now && sameResult(now.result, result)) return await storedAlready(taskId, now, result);
    throw e;
  }
  if (dueFollow) {
    await notifyFollowUpArisen({ ...ctx, workingDays: ctx.profile.deadlines.followUp.workingDays }, progress, result.phrases, dueFollow.date ?? null);
  }
  // Only a first entry can complete the results stage (a correction leaves the counters as they
  // were); what a request that died here left undone, the recovery job resumes.
  if (first) await resumeIfDone(taskId);
  return { progress, result, corrected, unchanged: false };
}

export interface EntryOptions {
  /** The form's submission id (stored with the result and in its audit entry). */
  submission?: string;
  /**
   * The refusal for a target that is not on the actor's team (or not drawn), when the channel
   * answers it differently from a forbidden act (an inspector's link: "not one of your targets").
   */
  notOnTeam?: () => Error;
  /** The refusal for an actor no longer registered or active, from the refusal of `activeInspector`, checked first. */
  inactive?: (e: unknown) => unknown;
}

/** The task, the target's progress and the acting inspector, in one consistent BatchGet. */
async function readForEntry(taskId: string, uscc: string, who: InspectorRef): Promise<{ task?: TaskRecord; progress?: ProgressRecord; inspector?: Inspector }> {
  const keys = { task: K.task(taskId), progress: K.progress(taskId, uscc), inspector: K.inspector(who.department, who.id) };
  const items = await batchGet<Item>([keys.task, keys.progress, keys.inspector], 1, { consistent: true });
  const find = (k: { pk: string; sk: string }) => items.find((i) => i.pk === k.pk && i.sk === k.sk);
  const inspector = find(keys.inspector);
  return {
    task: find(keys.task) as (TaskRecord & Item) | undefined,
    progress: find(keys.progress) as (ProgressRecord & Item) | undefined,
    ...(inspector ? { inspector: inspectorOfItem(inspector) } : {}),
  };
}

/**
 * The answer to a retry of a stored result. The request that stored it may have failed before
 * resuming the execution (the last result of the task): whoever observes the stored result
 * does it (resumeIfDone is conditional, a second call changes nothing).
 */
async function storedAlready(taskId: string, p: ProgressRecord, result: ValidResult): Promise<{ progress: ProgressRecord; result: ValidResult; corrected: false; unchanged: true }> {
  if (p.status === 'result_entered' || p.status === 'reviewed') await resumeIfDone(taskId);
  return { progress: p, result, corrected: false, unchanged: true };
}

/** Name and certificate expiry of each team member, from the member's own department's registry. */
async function teamCertificates(ctx: TaskContext, p: ProgressRecord, known?: Inspector): Promise<Map<string, { name: string; expiry: string }>> {
  const out = new Map<string, { name: string; expiry: string }>();
  const refs = (await teamOf(ctx, p)).filter((r): r is InspectorRef => r !== undefined);
  const isKnown = (r: InspectorRef) => known !== undefined && r.department === known.department && r.id === known.id;
  // the acting inspector was read already; the others in one BatchGet
  const found = [...(await getInspectors(refs.filter((r) => !isKnown(r)))), ...(known && refs.some(isKnown) ? [known] : [])];
  for (const i of found) out.set(i.id, { name: i.name, expiry: i.certificateExpiry });
  return out;
}

function sameResult(stored: Record<string, unknown> | undefined, next: ValidResult): boolean {
  if (!stored) return false;
  const { enteredBy: _b, enteredByDepartment: _d, enteredAt: _a, via: _v, submission: _s, ...prev } = stored as Record<string, unknown> & { enteredBy?: string; enteredByDepartment?: string; enteredAt?: string; via?: string; submission?: string };
  return contentHash(prev) === contentHash(next);
}

export async function reviewResult(taskId: string, uscc: string, approve: boolean, note: string | undefined, actor: Actor): Promise<ProgressRecord> {
  const p = await progressOrThrow(taskId, uscc);
  if (!approve) {
    // A rejected review sends the result back to the team for correction.
    return await transition({ taskId, uscc, current: p, from: ['result_entered'], to: 'checked', actor, ...(note ? { note } : {}), reached: { resultEntered: -1 }, auditWhat: 'result.review-rejected', auditData: { note: note ?? '' } });
  }
  if (p.status !== 'result_entered') throw conflict('只有已录入且未审核的结果可以审核');
  return await transition({ taskId, uscc, current: p, from: ['result_entered'], to: 'reviewed', actor, ...(note ? { note } : {}), auditWhat: 'result.reviewed' });
}

export interface PublicRecord {
  taskId: string;
  taskName: string;
  department: string;
  departmentName: string;
  uscc: string;
  targetName: string;
  items: { id: string; name: string }[];
  phrases: { code: string; text: string }[];
  checkDate: string;
  publishedAt: string;
  /** A cross-department task's participating departments, the lead first. */
  jointDepartmentNames?: string[];
  /** 公示日期: the China date of `publishedAt` (absent on records published before it was stored). */
  publishedOn?: string;
}

/**
 * Publish every valid result not yet published (or the given targets). "Checked but not
 * published counts as not done": publication is what moves a target towards closure.
 */
export async function publishResults(taskId: string, actor: Actor, only?: string[]): Promise<{ published: string[]; skipped: { uscc: string; reason: string }[] }> {
  const ctx = await taskContext(taskId);
  const [names, dept] = await Promise.all([taskNames(ctx.task.department, ctx.planTask), getDepartment(ctx.task.department)]);
  // 谁检查、谁公示: a joint task's results are on every participating department's public page
  const partners = names.jointDepartments.map((d) => d.id).filter((d) => d !== ctx.task.department);
  const ready = new Set<string>(ctx.profile.reviewRequired ? ['reviewed'] : ['result_entered', 'reviewed']);
  const targets = only ? (await Promise.all(only.map((u) => getProgress(taskId, u)))).filter((p): p is ProgressRecord => Boolean(p)) : await listProgress(taskId);
  const published: string[] = [];
  const skipped: { uscc: string; reason: string }[] = [];
  for (const p of targets) {
    if (!ready.has(p.status)) {
      if (only) skipped.push({ uscc: p.uscc, reason: ctx.profile.reviewRequired && p.status === 'result_entered' ? '结果尚未审核' : `当前状态不能公示` });
      continue;
    }
    const result = p.result as unknown as ValidResult;
    const at = nowIso();
    const record: PublicRecord = {
      taskId,
      taskName: ctx.planTask.name,
      department: ctx.task.department,
      departmentName: dept?.name ?? ctx.task.department,
      ...(names.jointDepartments.length ? { jointDepartmentNames: names.jointDepartments.map((d) => d.name) } : {}),
      uscc: p.uscc,
      targetName: p.name,
      items: names.items.map((it) => ({ id: it.id, name: it.name })),
      phrases: result.phrases,
      checkDate: result.checkDate,
      publishedAt: at,
      publishedOn: chinaDate(at),
    };
    let publishedRecord: ProgressRecord;
    try {
      // the listed record saves a read per target; the write is conditional on its status anyway
      publishedRecord = await transition({
        taskId,
        uscc: p.uscc,
        current: p,
        from: [...ready] as ProgressRecord['status'][],
        to: 'published',
        actor,
        set: { publishedAt: at },
        reached: { published: 1 },
        closeDeadlines: [{ kind: 'publish', ref: p.uscc }],
        auditWhat: 'result.published',
        extra: [
          { Put: { Item: { ...K.published(taskId, p.uscc), gsi2pk: K.publishedOfDept(ctx.task.department), gsi2sk: `${chinaDate(at)}#${taskId}#${p.uscc}`, entity: 'published', ...record } } },
          // the same record in each partner department's index of published results
          ...partners.map((d) => ({
            Put: { Item: { ...K.publishedForPartner(taskId, d, p.uscc), gsi2pk: K.publishedOfDept(d), gsi2sk: `${chinaDate(at)}#${taskId}#${p.uscc}`, entity: 'published-partner', ...record } },
          })),
        ],
      });
    } catch (e) {
      if (e instanceof TransitionRejected) {
        skipped.push({ uscc: p.uscc, reason: e.message });
        continue;
      }
      throw e;
    }
    published.push(p.uscc);
    const fu = p.followUps ?? { open: 0, closed: 0 };
    if (p.needsFollowUp && p.followUpArisenOn !== undefined && fu.open === 0 && fu.closed > 0) {
      // Every disposal entered before publication is closed: the target is done.
      await transition({ taskId, uscc: p.uscc, current: publishedRecord, from: ['published'], to: 'closed', actor, reached: { followupOpened: 1, closed: 1 }, auditWhat: 'target.closed' });
    } else if (p.needsFollowUp) {
      // Opened when the result was entered (its deadline runs since); results entered before that
      // rule open it now.
      const basis = { from: chinaToday(now()), rule: 'followup' as const };
      const due: Due = p.followUpArisenOn !== undefined ? { date: p.dueFollowUp ?? undefined } : dueOrPending(() => dueDate(ctx.profile, basis), basis);
      await transition({
        taskId,
        uscc: p.uscc,
        current: publishedRecord,
        from: ['published'],
        to: 'followup_open',
        actor,
        set: { followUps: fu, dueFollowUp: due.date ?? null },
        reached: { followupOpened: 1 },
        ...(p.followUpArisenOn === undefined ? { openDeadlines: [{ kind: 'followup' as const, ref: p.uscc, due: filed(ctx.profile, 'followup', due), people: p.team }] } : {}),
        auditWhat: 'followup.arisen',
        auditData: { due: due.date ?? `待${due.pendingYear}年日历` },
      });
    } else {
      await transition({ taskId, uscc: p.uscc, current: publishedRecord, from: ['published'], to: 'closed', actor, reached: { closed: 1 }, auditWhat: 'target.closed' });
    }
  }
  await resumeIfDone(taskId);
  return { published, skipped };
}

export interface FollowUp {
  id: string;
  taskId: string;
  uscc: string;
  disposition: string;
  responsibleUnit: string;
  due: string;
  /** Why the due date is later than the department's follow-up deadline. */
  dueReason?: string;
  note?: string;
  status: 'open' | 'closed';
  outcome?: string;
  openedAt: string;
  openedBy: string;
  closedAt?: string;
  closedBy?: string;
}

export async function listFollowUps(taskId: string, uscc?: string): Promise<FollowUp[]> {
  return queryAll<FollowUp & Item>({ pk: K.task(taskId).pk, skPrefix: `FU#${uscc ? `${uscc}#` : ''}` });
}

/** Statuses in which a disposal can be entered: from the result that needs it on (before publication too). */
const FOLLOW_UP_STATUSES: ProgressRecord['status'][] = ['result_entered', 'reviewed', 'followup_open'];

/** How far ahead a due date may be set, even with a reason. */
const MAX_FOLLOW_UP_DAYS = 366;

/**
 * The due date of a disposal: the follow-up's own due date by default; a date given must be a
 * working day, not before today, and not after the follow-up's due date unless a reason is given
 * (then within a year).
 */
function disposalDue(ctx: TaskContext, p: ProgressRecord, body: { due?: string; dueReason?: string }, today: string): string {
  const limit = p.dueFollowUp ?? dueOrPending(() => followUpDueDate(ctx.profile, p.followUpArisenOn ?? today), undefined).date;
  if (!body.due) return limit ?? '';
  const d = body.due;
  if (d < today) throw invalid(`due：办理期限 ${d} 早于今天（${today}）`);
  if (limit && d > limit) {
    const reason = body.dueReason?.trim();
    if (!reason) {
      const msg = `办理期限 ${d} 晚于本部门规定的后续处置期限 ${limit}（${ctx.profile.deadlines.followUp.workingDays} 个工作日）；确需延后的，请填写延期理由`;
      throw invalid(`due：${msg}`);
    }
    if (d > addDays(today, MAX_FOLLOW_UP_DAYS)) throw invalid(`due：办理期限 ${d} 超过一年`);
  }
  let working: boolean;
  try {
    working = defaultCalendar.isWorkingDay(d);
  } catch (e) {
    if (e instanceof CalendarYearNotCovered) throw invalid(`due：办理期限 ${d} 所在年份的节假日安排尚未收录，无法确认是否为工作日`);
    throw e;
  }
  if (!working) throw invalid(`due：办理期限 ${d} 不是工作日`);
  return d;
}

/**
 * Enter a disposition (后续处置) for a target whose result needs follow-up — from the moment the
 * result is entered; the first one meets the follow-up deadline.
 */
export async function openFollowUp(taskId: string, uscc: string, body: { disposition: string; responsibleUnit: string; due?: string; dueReason?: string; note?: string }, actor: StepActor): Promise<FollowUp> {
  const ctx = await taskContext(taskId);
  const p = await progressOrThrow(taskId, uscc);
  if (actor.inspector) await requireTeamMember(ctx, p, actor.inspector, '登记后续处置');
  if (!FOLLOW_UP_STATUSES.includes(p.status) || (p.status !== 'followup_open' && !p.needsFollowUp)) throw conflict('该检查对象没有待处置的问题（检查结果需为“发现问题待后续处理”等需要后续处置的结果）');
  const allowed = ctx.profile.followUpDispositions.map((d) => d.code);
  if (!allowed.includes(body.disposition)) {
    throw invalid(`处置方式「${body.disposition}」不在本部门的处置方式清单中（可用：${ctx.profile.followUpDispositions.map((d) => `${d.code} ${d.name}`).join('、')}）`);
  }
  const today = chinaToday(now());
  const due = disposalDue(ctx, p, body, today);
  const existing = await listFollowUps(taskId, uscc);
  const fu: FollowUp = {
    id: randomUUID().slice(0, 8),
    taskId,
    uscc,
    disposition: body.disposition,
    responsibleUnit: body.responsibleUnit,
    due,
    ...(body.dueReason?.trim() && p.dueFollowUp && due > p.dueFollowUp ? { dueReason: body.dueReason.trim() } : {}),
    ...(body.note ? { note: body.note } : {}),
    status: 'open',
    openedAt: nowIso(),
    openedBy: actor.by,
  };
  await transition({
    taskId,
    uscc,
    current: p,
    from: [p.status],
    to: p.status,
    actor,
    set: { followUps: { open: (p.followUps?.open ?? 0) + 1, closed: p.followUps?.closed ?? 0 } },
    ...(existing.length === 0 ? { closeDeadlines: [{ kind: 'followup' as const, ref: uscc }] } : {}),
    auditWhat: 'followup.opened',
    auditData: { id: fu.id, disposition: fu.disposition, responsibleUnit: fu.responsibleUnit, due: fu.due, ...(fu.dueReason ? { dueReason: fu.dueReason } : {}) },
    extra: [{ Put: { Item: { ...K.followUp(taskId, uscc, fu.id), entity: 'followup', ...fu } } }],
  });
  return fu;
}

/** Close one disposition with its outcome; the target closes when all its dispositions are closed. */
export async function closeFollowUp(taskId: string, uscc: string, fid: string, outcome: string, actor: StepActor): Promise<{ followUp: FollowUp; targetClosed: boolean }> {
  const p = await progressOrThrow(taskId, uscc);
  if (actor.inspector) await requireTeamMember(await taskContext(taskId), p, actor.inspector, '办结后续处置');
  const fu = await getItem<FollowUp & Item>(K.followUp(taskId, uscc, fid), true);
  if (!fu) throw notFound(`后续处置「${fid}」`);
  if (fu.status === 'closed') throw conflict('该后续处置已办结');
  const open = (p.followUps?.open ?? 1) - 1;
  const closed = (p.followUps?.closed ?? 0) + 1;
  // Before publication the target waits for it (publication then closes it at once).
  const closesTarget = open <= 0 && p.status === 'followup_open';
  if (!FOLLOW_UP_STATUSES.includes(p.status)) throw conflict('该检查对象当前状态不能办结后续处置');
  await transition({
    taskId,
    uscc,
    current: p,
    from: [p.status],
    to: closesTarget ? 'closed' : p.status,
    actor,
    set: { followUps: { open: Math.max(open, 0), closed } },
    ...(closesTarget ? { reached: { closed: 1 } } : {}),
    auditWhat: 'followup.closed',
    auditData: { id: fid, outcome },
    extra: [
      {
        Update: {
          Key: K.followUp(taskId, uscc, fid),
          UpdateExpression: 'SET #st = :closed, outcome = :o, closedAt = :at, closedBy = :by',
          ConditionExpression: '#st = :open',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':open': 'open', ':o': outcome, ':at': nowIso(), ':by': actor.by },
        },
      },
    ],
  });
  await resumeIfDone(taskId);
  return { followUp: { ...fu, status: 'closed', outcome }, targetClosed: closesTarget };
}

