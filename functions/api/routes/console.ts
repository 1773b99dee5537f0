/**
 * Read models for people (the web console and the CLI's readable output): a department's tasks
 * (shared/usecases/task-list.ts: its own and the joint tasks it partners in), one task's readable summary (plan form, stage timeline,
 * ceremony, draw, overdue with names, follow-ups, the next action), its audit trail, and an
 * inspector's own assignments. Read-only; the same role and department checks as every route.
 */
import { findTask } from '../../../shared/store/plans.js';
import { auditTrail, deadlinesOfTask, getTask, seatsOfInspector, getProgress, STATUS_NAMES, type TaskRecord, type Stage } from '../../../shared/store/tasks.js';
import { indexClosesOf } from '../../../shared/usecases/ceremony.js';
import { indexSpecOf } from '../../../shared/lifecycle/beacons.js';
import { ceremonyRoundOf, getCeremony } from '../../../shared/store/ceremony.js';
import { witnessShortfall } from '../../../shared/domain/witnesses.js';
import { effectiveDates, launchTooLate } from '../../../shared/domain/late.js';
import { getLateLaunch } from '../../../shared/store/late-launch.js';
import { getDrawRecordJson, getDrawSummary } from '../../../shared/lifecycle/draw-stage.js';
import { beaconLabel } from '../../../shared/pages/public.js';
import { verifyRecord } from '../../../shared/draw/index.js';
import { listFollowUps } from '../../../shared/lifecycle/progress.js';
import { listInspectors, getDepartment } from '../../../shared/store/registry.js';
import { taskNames } from '../../../shared/lifecycle/names.js';
import { drawDepartments } from '../../../shared/lifecycle/team.js';
import { departmentTasks, nextAction, STAGE_NAMES } from '../../../shared/usecases/task-list.js';
import { getProfile } from '../../../shared/services/profile.js';
import { requirePrincipal, type Request, type RouteHandler } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';
import { chinaToday } from '../../../shared/domain/calendar.js';
import { now } from '../../../shared/clock.js';
import type { PlanTask } from '../../../shared/domain/schemas.js';
import { DEADLINE_LABELS, isOverdue } from '../../../shared/domain/deadlines.js';

/** The seven steps of 双随机、一公开 as the timeline shows them, with the stages that are "in" each. */
const STEPS: { key: string; name: string; stages: Stage[] }[] = [
  { key: 'plan', name: '计划审批', stages: ['launched', 'approval'] },
  { key: 'draw', name: '随机抽取', stages: ['witnesses', 'freeze', 'ceremony', 'draw'] },
  { key: 'check', name: '检查', stages: ['results'] },
  { key: 'enter', name: '结果录入', stages: ['results'] },
  { key: 'publish', name: '结果公示', stages: ['publication'] },
  { key: 'followup', name: '后续处置', stages: ['followup'] },
  { key: 'closed', name: '办结', stages: ['closed'] },
];
/** The audit entries the timeline takes its times and actors from. */
const TIMELINE_ACTS = ['plan.approved', 'draw.assigned', 'result.published', 'followup.closed', 'lifecycle.closed'];

/** One read per argument within a request (several sections read the same ceremony round). */
function memo<A, R>(read: (a: A) => Promise<R>): (a: A) => Promise<R> {
  const seen = new Map<A, Promise<R>>();
  return (a) => {
    let p = seen.get(a);
    if (!p) seen.set(a, (p = read(a)));
    return p;
  };
}

const ORDER: Stage[] = ['launched', 'approval', 'witnesses', 'freeze', 'ceremony', 'draw', 'results', 'publication', 'followup', 'closed'];

/** The task with its plan entry, and its record once launched (the allow matrix has checked the caller takes part). */
async function readableTask(req: Request): Promise<{ taskId: string; planTask: PlanTask; planId: string; planVersion: number; department: string; runtime?: TaskRecord }> {
  const taskId = req.params.taskId!;
  // the task record and the published plan's entry side by side; a task launched under an
  // earlier version of the plan reads that version after (rare: a plan amended since)
  const [runtime, published] = await Promise.all([getTask(taskId), findTask(taskId)]);
  const found = runtime && published?.version !== runtime.planVersion ? await findTask(taskId, { version: runtime.planVersion }) : published;
  if (!found) throw notFound(`任务「${taskId}」`);
  const department = runtime?.department ?? found.plan.department;
  // an approved late launch's dates are the task's dates
  return { taskId, planTask: effectiveDates(found.task, runtime?.lateLaunch), planId: found.plan.planId, planVersion: found.plan.version, department, ...(runtime ? { runtime } : {}) };
}

export const consoleRoutes: Record<string, RouteHandler> = {
  'GET /departments/{dept}/tasks': async (req) => ({ json: await departmentTasks(req.params.dept!) }),

  'GET /tasks/{taskId}/summary': async (req) => {
    const { taskId, planTask, planId, planVersion, department, runtime: t } = await readableTask(req);
    const today = chinaToday(now());
    const stage: Stage | 'not-launched' = t?.stage ?? 'not-launched';
    // Every read side by side (this route opens the task page): the ceremony round and draw
    // round follow from the task record, so nothing waits for another read.
    const round = t ? (['witnesses', 'freeze', 'ceremony', 'draw', 'failed', 'launched', 'approval'].includes(t.stage) ? ceremonyRoundOf(t) : Math.max(1, t.drawRound)) : 0;
    const openRound = t ? ceremonyRoundOf(t) : 0;
    const ceremonyOf = memo((r: number) => getCeremony(taskId, r));
    const drawSummaryOf = memo((r: number) => getDrawSummary(taskId, r));
    // a joint task's partners: their inspectors are on the teams, their items in the task
    const [inspectorList, names, dept, deadlines, trailItems, profile, lateLaunch, followUps] = await Promise.all([
      Promise.all(drawDepartments(department, planTask).map((d) => listInspectors(d))).then((x) => x.flat()),
      taskNames(department, planTask),
      getDepartment(department),
      // only what can be overdue: not met, due before today (the calendar rule below decides)
      t ? deadlinesOfTask(taskId, { openBefore: today }) : Promise.resolve([]),
      // the timeline needs only the task-level acts, not every target's entries
      t ? auditTrail(taskId, { what: TIMELINE_ACTS }) : Promise.resolve([]),
      getProfile(department),
      stage === 'not-launched' ? getLateLaunch(taskId) : Promise.resolve(undefined),
      // dispositions can be entered from the result on (a follow-up opens when the result is entered)
      t && ['results', 'publication', 'followup', 'closed'].includes(t.stage) ? listFollowUps(taskId) : Promise.resolve([]),
      // warm what the ceremony and draw sections read below
      ...(t ? [ceremonyOf(round), ceremonyOf(openRound), ...(t.stage === 'failed' && round > 1 ? [ceremonyOf(round - 1)] : []), drawSummaryOf(round), ...(t.drawRound > 0 ? [drawSummaryOf(t.drawRound)] : [])] : []),
    ]);
    const inspectors = new Map(inspectorList.map((i) => [i.id, i]));
    const nameOf = (id: string): string => inspectors.get(id)?.name ?? id;
    // before launch: is it too late for the planned dates, and what became of a late-launch request
    const tooLate = stage === 'not-launched' ? launchTooLate(planTask, today) : undefined;
    const lateRequest = stage === 'not-launched' ? lateLaunch : t?.lateLaunch;

    const overdue = deadlines
      .filter((d) => !d.metAt && d.due !== null && isOverdue(d.due, today))
      .sort((a, b) => (a.due! < b.due! ? -1 : 1))
      .map((d) => ({ kind: d.kind, kindName: DEADLINE_LABELS[d.kind], ref: d.ref, due: d.due, people: d.people.map((id) => ({ id, name: nameOf(id) })) }));

    // Audit entries: the task-level acts give the timeline its times and actors.
    const trail = trailItems as { what: string; at: string; by: string; role?: string; data?: Record<string, unknown> }[];
    const first = (what: string): { at: string; by: string } | undefined => {
      const a = trail.find((x) => x.what === what);
      return a ? { at: a.at, by: a.by } : undefined;
    };
    const last = (what: string): { at: string; by: string } | undefined => {
      const a = trail.filter((x) => x.what === what).at(-1);
      return a ? { at: a.at, by: a.by } : undefined;
    };
    const reachedIdx = t ? ORDER.indexOf(t.stage) : -1;
    const failed = t?.stage === 'failed';
    const stepDone: Record<string, { at: string; by: string } | undefined> = {
      plan: first('plan.approved'),
      draw: last('draw.assigned'),
      check: undefined,
      enter: undefined,
      publish: last('result.published'),
      followup: last('followup.closed'),
      closed: last('lifecycle.closed') ?? (t?.closedAt ? { at: t.closedAt, by: 'system' } : undefined),
    };
    const timeline = STEPS.map((s, i) => {
      const lastStageIdx = Math.max(...s.stages.map((x) => ORDER.indexOf(x)));
      const firstStageIdx = Math.min(...s.stages.map((x) => ORDER.indexOf(x)));
      let state: 'done' | 'current' | 'pending' | 'failed' = 'pending';
      if (s.key === 'check' || s.key === 'enter') {
        const entered = t?.reached.resultEntered ?? 0;
        if (reachedIdx > ORDER.indexOf('results') && !failed) state = 'done';
        else if (t?.stage === 'results') state = s.key === 'enter' && entered === 0 ? 'pending' : 'current';
        if (s.key === 'check' && t?.stage === 'results') state = 'current';
      } else if (failed) {
        state = stepDone[s.key] ? 'done' : i === 0 || STEPS[i - 1] && stepDone[STEPS[i - 1]!.key] ? 'failed' : 'pending';
      } else if (reachedIdx > lastStageIdx || (s.key === 'closed' && t?.stage === 'closed')) state = 'done';
      else if (reachedIdx >= firstStageIdx) state = 'current';
      if (s.key === 'plan' && stage === 'not-launched') state = 'pending';
      return { key: s.key, name: s.name, state, ...(state === 'done' && stepDone[s.key] ? stepDone[s.key] : {}) };
    });

    // Ceremony of the round in progress (or the last one), and the draw of the current round.
    let ceremony: Record<string, unknown> | undefined;
    let draw: Record<string, unknown> | undefined;
    let redraw: Record<string, unknown> | undefined;
    if (t) {
      // the open round; after a failure the round it ended; otherwise the drawn one
      const c = (await ceremonyOf(round)) ?? (t.stage === 'failed' && round > 1 ? await ceremonyOf(round - 1) : undefined);
      const drawRules = profile.draw;
      if (c || t.stage === 'witnesses') {
        ceremony = {
          round: c?.round ?? round,
          status: c?.status ?? 'registered',
          witnesses: (c?.witnesses ?? []).map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: w.commitment, revealed: c!.reveals[w.id] !== undefined })),
          // what keeps registration from being closed (the same rule the API applies)
          missing: witnessShortfall(drawRules, c?.witnesses ?? []),
          minWitnesses: drawRules.minWitnesses,
          disciplineSupervision: drawRules.disciplineSupervision,
          ...(c?.closed ? { closed: c.closed } : {}),
          ...(c?.failedReveals?.length ? { failedReveals: c.failedReveals } : {}),
          ...(c?.resume ? { resume: c.resume } : {}),
          ...(c?.systemCommitment ? { systemCommitment: c.systemCommitment } : {}),
          ...(c?.abortReason ? { abortReason: c.abortReason } : {}),
        };
        // suiji-draw-v2: what the announcement shows of the frozen round, before any reveal
        const fr = c ? await drawSummaryOf(c.round) : undefined;
        if (fr?.v2) {
          ceremony.v2 = {
            freezeDigest: fr.freezeDigest,
            freezeDigestSm3: fr.v2.freezeDigestSm3,
            poolDigest: fr.freeze?.poolDigest,
            chainRound: fr.v2.chainRound,
            prev: fr.v2.prev,
            drawTime: fr.v2.drawTime,
            beacons: fr.v2.beacons.map((b) => beaconLabel(b)),
            ...(c && indexSpecOf(fr.v2.beacons) ? { index: indexClosesOf(c, indexSpecOf(fr.v2.beacons)) } : {}),
            ...(fr.v2.close ? { closeDigest: fr.v2.close.closeDigest, closedAt: fr.v2.close.record.closedAt } : {}),
            ...(fr.v2.outcome ? { outcome: fr.v2.outcome } : {}),
          };
        }
      }
      const next = await ceremonyOf(openRound);
      if (next?.redraw && t.stage === 'results') redraw = { ...next.redraw, pending: !next.redraw.approvedAt && next.status !== 'aborted' };
      if (t.drawRound > 0) {
        const s = await drawSummaryOf(t.drawRound);
        if (s) {
          const strata: Record<string, number> = {};
          for (const x of s.selected ?? []) strata[x.stratum] = (strata[x.stratum] ?? 0) + 1;
          draw = {
            round: t.drawRound,
            seed: s.seed,
            poolDigest: s.freeze?.poolDigest,
            eligibilityDigest: s.freeze?.eligibilityDigest,
            poolCounts: s.freeze?.counts,
            frozenAt: s.freeze?.frozenAt,
            selectedByStratum: strata,
            selected: s.selected?.length ?? 0,
          };
          // ?verify=1: re-run the published record here (what `suiji verify` does offline).
          if (req.query.verify) {
            const json = await getDrawRecordJson(taskId, t.drawRound);
            let v: ReturnType<typeof verifyRecord> | undefined;
            try {
              v = json ? verifyRecord(JSON.parse(json)) : undefined;
            } catch (e) {
              v = { ok: false, error: (e as Error).message };
            }
            draw.verification = v ? (v.ok ? { ok: true, message: v.summary } : { ok: false, message: v.error }) : { ok: false, message: '没有抽取记录' };
          }
        }
      }
    }

    // Who acted, by name: the department's staff and inspectors (audit records keep the e-mail).
    const people: Record<string, string> = { system: '系统' };
    for (const x of [...(dept?.coordinators ?? []), ...(dept?.leaders ?? [])]) people[x.email] = x.name;
    for (const i of inspectors.values()) people[i.email] = i.name;

    return {
      json: {
        taskId,
        planId,
        planVersion,
        department,
        departmentName: dept?.name ?? department,
        name: planTask.name,
        plan: {
          ...planTask,
          itemNames: Object.fromEntries(names.items.map((it) => [it.id, it.name])),
          departmentNames: Object.fromEntries(names.jointDepartments.map((d) => [d.id, d.name])),
        },
        stage,
        stageName: STAGE_NAMES[stage],
        lateLaunch: Boolean(tooLate),
        tooLate,
        lateLaunchRequest: lateRequest,
        // launching is possible: on time, or with an approved late launch whose dates still hold
        canLaunch: stage === 'not-launched' && (!tooLate || (lateRequest?.status === 'approved' && !launchTooLate(lateRequest, today))),
        windowPassed: planTask.window.end < today,
        today,
        launchedAt: t?.launchedAt,
        launchedBy: t?.launchedBy,
        drawRound: t?.drawRound ?? 0,
        total: t?.total ?? 0,
        counts: t?.counts ?? {},
        countNames: STATUS_NAMES,
        reached: t?.reached,
        failure: t?.failure,
        pastFailures: t?.pastFailures ?? [],
        resumeRequest: t?.resumeRequest,
        closedSummary: t?.summary,
        timeline,
        overdue,
        ceremony,
        draw,
        redraw,
        followUps,
        dispositions: profile.followUpDispositions,
        people,
        inspectorNames: Object.fromEntries([...inspectors].map(([id, i]) => [id, i.name])),
        next: nextAction(stage, t, overdue.length, planTask.drawDate, today, lateRequest),
      },
    };
  },

  'GET /tasks/{taskId}/audit': async (req) => {
    const { runtime } = await readableTask(req);
    if (!runtime) return { json: [] };
    const trail = (await auditTrail(runtime.taskId)) as Record<string, unknown>[];
    return { json: trail.map(({ pk: _p, sk: _s, entity: _e, ...rest }) => rest) };
  },

  'GET /me/assignments': async (req) => {
    const p = requirePrincipal(req);
    if (!p.inspectorId) return { json: [] };
    const seats = await seatsOfInspector({ department: p.department, id: p.inspectorId });
    const rows = await Promise.all(
      seats.map(async (s) => {
        const [pr, task] = await Promise.all([getProgress(s.taskId, s.uscc), getTask(s.taskId, false)]);
        if (!pr) return undefined;
        return { taskId: s.taskId, taskName: task?.name ?? s.taskId, uscc: s.uscc, name: pr.name, jurisdiction: pr.jurisdiction, leader: s.leader, status: pr.status, statusName: STATUS_NAMES[pr.status], dueEntry: pr.dueEntry };
      }),
    );
    return { json: rows.filter(Boolean).sort((a, b) => String(a!.dueEntry ?? '').localeCompare(String(b!.dueEntry ?? ''))) };
  },
};
