/**
 * `npm run demo`: the sample district's 2026 plan through a simulated year on the local
 * platform, with an injected clock. Every day at 08:00 China time the template's schedules fire
 * (deadline reminders, escalations, report reminders and leadership summaries); tasks are
 * launched on time, approved, drawn at a witnessed ceremony; simulated inspectors record checks
 * and enter results (some late, some with problems, some refusals to sign); the coordinator
 * publishes every Friday and follows problems up — in the cross-department joint task the target's
 * team leader does, a partner department's leader disposing of its own findings. Operators'
 * mistakes are handled the right way: a launch forgotten past its draw date goes through a late
 * launch approved by the leader, and a mistyped witness reveal is refused and retried. At the
 * end it prints the KPIs per task and in total (and the partner departments' joint share), and
 * what the mail inbox holds. SUIJI_DEMO_CALLS=1 adds where the time went: DynamoDB calls per
 * phase (each scheduled job its own) and command, and wall time per Lambda function;
 * SUIJI_DEMO_CALLS=keys also the kind of item each call reads or writes (its key's prefixes).
 */
import { createHash } from 'node:crypto';
import { startPlatform } from './platform.js';
import { timeInvocations } from './lambdas.js';
import { LocalScheduler } from './scheduler.js';
import { ManualClock, setClock } from '../../clock.js';
import { REGISTRATION_MINUTES } from '../../lifecycle/draw-stage.js';
import { addDays, defaultCalendar as cal, isoWeekday } from '../../domain/calendar.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../sample/district.js';
import { loadSampleDistrict } from '../sample/load.js';
import { Rng } from '../sample/random.js';
import { getTask, listProgress, type ProgressRecord } from '../../store/tasks.js';
import { teamOf } from '../../lifecycle/team.js';
import { enterResult, listFollowUps, openFollowUp, closeFollowUp, publishResults, recordCheck, taskContext } from '../../lifecycle/progress.js';
import { findTask, getPlan } from '../../store/plans.js';
import { getProfile } from '../../services/profile.js';
import { computeReportStats } from '../../jobs/report-stats.js';
import { computeKpis, type KpiRow } from '../../reports/kpi.js';
import { ApiClient } from './api-client.js';
import { runPool } from '../../store/base.js';
import { ddb } from '../../store/db.js';

const YEAR = 2026;
const started = Date.now();
const clock = new ManualClock(`${YEAR}-01-01T00:00:00Z`);
setClock(clock);
const say = (s: string): void => console.log(s);
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const platform = await startPlatform({ retryDelayMs: 0, environment: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
say(`platform up in ${((Date.now() - started) / 1000).toFixed(1)} s; loading the sample district …`);
const district = sampleDistrict();
const loaded = await loadSampleDistrict(district);
const deptName = new Map(district.departments.map((d) => [d.id, d.name]));
say(`sample district: ${loaded.targets.created + loaded.targets.unchanged + loaded.targets.updated} targets (${(loaded.ms.total / 1000).toFixed(1)} s)`);

const scheduler = new LocalScheduler({
  template: platform.lambdas.template,
  lambdas: platform.lambdas,
  log: () => undefined,
  beforeInvoke: (t: Date, s) => {
    clock.set(t);
    phase = `jobs:${s.logicalId.replace(/[0-9A-F]{8}$/, '')}`;
  },
});
const api = new ApiClient(platform);
const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
const leader = await api.as(SAMPLE_LEADER_EMAIL);
const random = new Rng('suiji-demo-2026');
const rng = (): number => random.next();

const plan = await getPlan(SAMPLE_PLAN_ID);
const version = plan!.versions.find((v) => v.version === plan!.meta.publishedVersion)!;
const tasks = version.tasks.map((t) => t.taskId);

interface Sim {
  checkDay: string;
  entryDay: string;
  codes: string[];
  refuse: boolean;
  late: boolean;
}
const sims = new Map<string, Map<string, Sim>>(); // task → uscc → plan
const followUpPlan = new Map<string, Map<string, { openDay: string; closeDay: string }>>(); // task → uscc → plan
const entered = new Map<string, Set<string>>(); // task → results entered, not published yet

/** Plan each drawn target's check and entry (deterministic). */
async function planInspections(taskId: string): Promise<void> {
  const ctx = await taskContext(taskId);
  const start = addDays(ctx.planTask.drawDate, 3);
  // Check by mid-November at the latest: 2027's official holidays are not published in the
  // calendar yet, and deadlines that would fall in 2027 stay pending (see the closing note).
  const lastCheck = ctx.planTask.window.end < `${YEAR}-11-13` ? ctx.planTask.window.end : `${YEAR}-11-13`;
  const workdays: string[] = [];
  for (let d = cal.nextWorkingDayOnOrAfter(start); d <= lastCheck; d = cal.addWorkingDays(d, 1)) workdays.push(d);
  const m = new Map<string, Sim>();
  for (const p of await listProgress(taskId, { projection: ['uscc'] })) {
    const checkDay = workdays[Math.floor(rng() * Math.max(1, workdays.length * 0.7))] ?? start;
    const late = rng() < 0.08;
    const lead = ctx.profile.deadlines.resultEntry.workingDays;
    const entryDay = cal.addWorkingDays(checkDay, late ? lead + 1 + Math.floor(rng() * 4) : Math.floor(rng() * Math.min(lead, 4)));
    const r = rng();
    const codes = r < 0.08 ? ['A', 'B'] : r < 0.12 ? ['E'] : r < 0.14 ? ['F'] : ['1'];
    m.set(p.uscc, { checkDay, entryDay, codes, refuse: rng() < 0.04, late });
  }
  sims.set(taskId, m);
  contexts.set(taskId, ctx);
}

function resultBody(ctx: Awaited<ReturnType<typeof taskContext>>, p: ProgressRecord, s: Sim): Record<string, unknown> {
  const problem = s.codes.some((c) => ctx.profile.resultPhrases.find((x) => x.code === c)?.problem);
  const items = [...ctx.planTask.items.general, ...ctx.planTask.items.key];
  return {
    codes: s.codes,
    itemOutcomes: items.map((itemId, i) => ({ itemId, outcome: problem && i === 0 ? 'problem' : 'pass' })),
    methods: ['实地核查'],
    checkDate: s.checkDay,
    present: p.team.slice(0, 2),
    signature: s.refuse ? { signed: false, refusalReason: '法定代表人拒绝在检查记录上签字' } : { signed: true, signer: '企业负责人' },
    ...(problem ? { problems: '未按规定在公示系统公示资质变更信息' } : {}),
  };
}

const launchDay = new Map<string, string>();
/** The day each task is drawn: the plan's draw date, or the one a late launch was approved with. */
const drawDay = new Map<string, string>();
const planTasks = new Map<string, Awaited<ReturnType<typeof findTask>>>();
for (const id of tasks) {
  const found = (await findTask(id))!;
  planTasks.set(id, found);
  launchDay.set(id, cal.subtractWorkingDays(found.task.drawDate, 3));
  drawDay.set(id, found.task.drawDate);
}
// Operators' mistakes, handled the right way: the fourth round's launch is forgotten until a week
// after its draw date (refused; a late launch is requested with new dates and a leader approves
// it), and a witness of the first round mistypes the secret (refused, revealed again).
const LATE_TASK = tasks[3]!;
const MISTYPED_TASK = tasks[0]!;
launchDay.set(LATE_TASK, cal.addWorkingDays(planTasks.get(LATE_TASK)!.task.drawDate, 5));
let lateApprovalDay: string | undefined;
const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
/** The cached context of each drawn task. */
const contexts = new Map<string, Awaited<ReturnType<typeof taskContext>>>();
const teams = new Map<string, Map<string, ProgressRecord>>();

let day = `${YEAR}-01-01`;
let prev = new Date(clock.now().getTime() - 1);
const counters = { checks: 0, results: 0, late: 0, published: 0, followUps: 0, partnerFollowUps: 0 };
const timing = { jobs: 0, lifecycle: 0, targets: 0 };
// SUIJI_DEMO_CALLS=1: count DynamoDB calls per phase and command (where the time goes)
const calls = new Map<string, number>();
let phase = 'jobs';
/** SUIJI_DEMO_CALLS=keys: also which kind of item (the key's prefixes, an index query's partition). */
const keyShape = (input: Record<string, unknown>): string => {
  const shape = (v: unknown) => (typeof v === 'string' ? v.split('#')[0] : '?');
  const key = (input.Key ?? input.Item) as { pk?: unknown; sk?: unknown } | undefined;
  if (key) return `${shape(key.pk)}/${shape(key.sk)}`;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const pk = values && Object.values(values).find((v) => typeof v === 'string');
  return `${input.IndexName ? `${String(input.IndexName)}:` : ''}${shape(pk)}`;
};
if (process.env.SUIJI_DEMO_CALLS) {
  const detail = process.env.SUIJI_DEMO_CALLS === 'keys';
  ddb().middlewareStack.add(
    (next, context) => async (args) => {
      const k = `${phase} ${context.commandName}${detail ? ` ${keyShape(args.input as Record<string, unknown>)}` : ''}`;
      calls.set(k, (calls.get(k) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'demoCallCounter' },
  );
}
const invokeMs = process.env.SUIJI_DEMO_CALLS ? timeInvocations(platform.lambdas) : new Map<string, number>();
let tick = performance.now();
const spent = (k: keyof typeof timing): void => {
  const n = performance.now();
  timing[k] += n - tick;
  tick = n;
  phase = k === 'jobs' ? 'lifecycle' : k === 'lifecycle' ? 'targets' : 'lifecycle';
};
while (day <= `${YEAR}-12-31`) {
  clock.set(`${day}T00:00:00Z`); // 08:00 in Asia/Shanghai
  tick = performance.now();
  phase = 'jobs';
  await scheduler.runDue(prev, new Date(clock.now().getTime() + 45 * 60_000), { coalesceRates: true }); // the 08:00 and 08:30 jobs; the every-minute recovery once a day
  spent('jobs');
  prev = new Date(clock.now().getTime() + 45 * 60_000 + 1);
  clock.set(`${day}T02:00:00Z`); // 10:00: people work
  const working = cal.isWorkingDay(day);

  for (const taskId of tasks) {
    const t = planTasks.get(taskId)!.task;
    if (working && day === launchDay.get(taskId)) {
      const launched = await coord('POST', `/tasks/${taskId}/launch`, {});
      if (launched.status === 409 && taskId === LATE_TASK && !lateApprovalDay) {
        say(`${day}  ${t.name}: launch refused — ${launched.json.message}`);
        // new dates: drawn two working days from now, the window moved by as many days
        const newDraw = cal.addWorkingDays(day, 2);
        const window = { start: newDraw, end: addDays(t.window.end, daysBetween(t.drawDate, newDraw)) };
        const asked = await coord('POST', `/tasks/${taskId}/late-launch`, { reason: '汛期抢险占用执法力量，本轮抽查顺延', drawDate: newDraw, window });
        say(`${day}  ${t.name}: late launch requested (draw ${newDraw}, window ${window.start}…${window.end}): ${asked.status}`);
        lateApprovalDay = cal.addWorkingDays(day, 1);
        drawDay.set(taskId, newDraw);
      }
      await platform.sfn.settled();
    }
    if (working && taskId === LATE_TASK && day === lateApprovalDay) {
      const decided = await leader('POST', `/tasks/${taskId}/late-launch/approval`, { approve: true, reason: '同意顺延，按新的日期抽取' });
      const launched = await coord('POST', `/tasks/${taskId}/launch`, {});
      say(`${day}  ${t.name}: late launch ${decided.json.lateLaunch}; launched: ${launched.status}`);
      launchDay.set(taskId, day);
      await platform.sfn.settled();
    }
    // Human steps until the draw (the simulation knows its own targets afterwards).
    if (working && !sims.has(taskId) && day >= launchDay.get(taskId)!) {
      const rt = await getTask(taskId, true);
      if (rt?.stage === 'approval' && day > launchDay.get(taskId)!) {
        await leader('POST', `/tasks/${taskId}/approval`, { approve: true });
        await platform.sfn.settled();
      }
      if ((await getTask(taskId, true))?.stage === 'witnesses' && day >= drawDay.get(taskId)!) {
        await coord('POST', `/tasks/${taskId}/ceremony/witnesses`, {
          witnesses: [
            { id: 'jj', name: '纪检监督员', role: '纪检监督', commitment: sha(`jj-${taskId}`) },
            { id: 'qy', name: '企业代表', role: '企业代表', commitment: sha(`qy-${taskId}`) },
          ],
        });
        await coord('POST', `/tasks/${taskId}/ceremony/close`, {});
        await platform.sfn.settled();
        // suiji-draw-v2: the draw waits for the beacon round fixed at the freeze (after the planned close)
        clock.advance((REGISTRATION_MINUTES + 2) * 60_000);
        await coord('POST', `/tasks/${taskId}/ceremony/reveal`, { witnessId: 'jj', secret: `jj-${taskId}` });
        if (taskId === MISTYPED_TASK) {
          const typo = await coord('POST', `/tasks/${taskId}/ceremony/reveal`, { witnessId: 'qy', secret: `qy-${taskId} ` });
          say(`${day}  ${t.name}: a mistyped reveal refused (${typo.status}) — ${typo.json.message}`);
        }
        await coord('POST', `/tasks/${taskId}/ceremony/reveal`, { witnessId: 'qy', secret: `qy-${taskId}` });
        await platform.sfn.settled();
        await planInspections(taskId);
        say(`${day}  ${t.name}: drew ${(await getTask(taskId, true))!.total} targets`);
      }
    }
  }
  spent('lifecycle');
  // People work on every task drawn, the tasks side by side (each task's own counters are the
  // item its results update: two tasks never contend for it).
  if (working) await Promise.all(tasks.filter((id) => sims.has(id)).map((id) => peopleWork(id, day)));
  await platform.sfn.settled();
  spent('targets');
  day = addDays(day, 1);
}
await platform.sfn.settled();

/** A working day of a drawn task's inspectors and coordinator: checks, results, Friday's publication, follow-ups. */
async function peopleWork(taskId: string, day: string): Promise<void> {
  const sim = sims.get(taskId)!;
  const ctx = contexts.get(taskId)!;
  const followUps = followUpPlan.get(taskId) ?? new Map<string, { openDay: string; closeDay: string }>();
  followUpPlan.set(taskId, followUps);
  const unpublished = entered.get(taskId) ?? new Set<string>();
  entered.set(taskId, unpublished);
  const team = teams.get(taskId) ?? new Map((await listProgress(taskId, { projection: ['uscc', 'team', 'teamDepartments', 'leader'] })).map((p) => [p.uscc, p]));
  teams.set(taskId, team);
  // Inspectors work in parallel (different targets; one target's check precedes its entry).
  const today = [...sim].filter(([, s]) => s.checkDay === day || s.entryDay === day);
  await runPool(today, 4, async ([uscc, s]) => {
    const members = team.get(uscc)!;
    const [first] = await teamOf(ctx, members);
    const inspector = { by: `${members.team[0]}@sim`, role: 'inspector', inspector: first! };
    if (s.checkDay === day) {
      await recordCheck(taskId, uscc, day, inspector);
      counters.checks++;
    }
    if (s.entryDay === day) {
      await enterResult(taskId, uscc, resultBody(ctx, members as ProgressRecord, s), inspector, 'form');
      unpublished.add(uscc);
      counters.results++;
      if (s.late) counters.late++;
    }
  });
  // Friday (and the window's end): the coordinator publishes every valid result (when there is
  // one to publish: publishing reads the task's whole list of targets).
  if ((isoWeekday(day) === 5 || day === ctx.planTask.window.end) && unpublished.size) {
    const r = await publishResults(taskId, { by: SAMPLE_COORDINATOR_EMAIL, role: 'coordinator' });
    for (const uscc of r.published) unpublished.delete(uscc);
    counters.published += r.published.length;
    const needs = new Set(ctx.profile.resultPhrases.filter((x) => x.requiresFollowUp).map((x) => x.code));
    for (const uscc of r.published) {
      if (!sim.get(uscc)!.codes.some((c) => needs.has(c))) continue;
      // follow-up: disposition 3 working days after it arises, closed 10 working days later
      const openDay = cal.addWorkingDays(day, 3);
      followUps.set(uscc, { openDay, closeDay: cal.addWorkingDays(openDay, 10) });
    }
  }
  const coordActor = { by: SAMPLE_COORDINATOR_EMAIL, role: 'coordinator' };
  const joint = ctx.planTask.jointDepartments.length > 1;
  for (const [uscc, f] of followUps) {
    // In a joint task the team leader does the follow-up, whichever department he is from
    // (a partner department's leader disposes of its own findings); else the coordinator.
    const members = team.get(uscc)!;
    const refs = joint ? await teamOf(ctx, members) : [];
    const lead = refs[members.team.indexOf(members.leader)];
    const actor = joint && lead ? { by: `${members.leader}@sim`, role: 'inspector', inspector: lead } : coordActor;
    const partner = Boolean(joint && lead && lead.department !== ctx.task.department);
    if (day === f.openDay) {
      await openFollowUp(taskId, uscc, { disposition: 'order-correction', responsibleUnit: partner ? `${deptName.get(lead!.department) ?? lead!.department}执法检查组` : ctx.planTask.leadSection }, actor);
      counters.followUps++;
      if (partner) counters.partnerFollowUps++;
    }
    if (day === f.closeDay) {
      for (const fu of (await listFollowUps(taskId, uscc)).filter((x) => x.status === 'open')) {
        await closeFollowUp(taskId, uscc, fu.id, '已责令改正并复查，完结', actor);
      }
      followUps.delete(uscc);
    }
  }
}

// ---------------------------------------------------------------- KPIs

const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');
say('\n== 2026 年度各抽查任务 ==');
say(['任务', '阶段', '抽取户数', '已公示', '发现问题', '按时录入', '按时公示', '后续处置办结'].join('\t'));
for (const taskId of tasks) {
  const t = await getTask(taskId, true);
  const name = planTasks.get(taskId)!.task.name;
  const s = (t?.summary ?? {}) as Record<string, number>;
  const progress = t ? await listProgress(taskId, { projection: ['status', 'publishedAt', 'hasProblem'] }) : [];
  const published = progress.filter((p) => p.publishedAt).length;
  const problems = progress.filter((p) => p.hasProblem).length;
  say(
    [
      name,
      t?.stage ?? '未启动',
      t?.total ?? 0,
      pct(published, t?.total ?? 0),
      problems,
      s.entryOnTime !== undefined ? pct(s.entryOnTime, s.entryOnTime + s.entryLate!) : '—',
      s.publicationOnTime !== undefined ? pct(s.publicationOnTime, s.publicationOnTime + s.publicationLate!) : '—',
      s.followUpsOpened ? pct(s.followUpsClosed!, s.followUpsOpened) : '—',
    ].join('\t'),
  );
}

const stats = await computeReportStats(SAMPLE_MAIN_DEPT, { kind: 'quarter', year: YEAR, quarter: 4 });
const profile = await getProfile(SAMPLE_MAIN_DEPT);
const kpis: KpiRow[] = computeKpis(profile, stats);
say('\n== 全年 KPI（阜平县住房和城乡建设局，对照政策配置目标） ==');
for (const k of kpis) say(`${k.ok === false ? '✗' : k.ok ? '✓' : '·'} ${k.name}\t${k.valueText}\t目标 ${k.targetText}\t${k.status}`);

// The joint task counts for its partner departments too (their own reports).
for (const d of [...new Set(version.tasks.flatMap((t) => t.jointDepartments))].filter((d) => d !== SAMPLE_MAIN_DEPT)) {
  const joint = (await computeReportStats(d, { kind: 'quarter', year: YEAR, quarter: 4 })).yearToDate.other.crossDepartment;
  say(`${deptName.get(d) ?? d}：本年参与跨部门联合抽查 ${joint.tasks} 次、${joint.targets} 户，发现问题 ${joint.problemTargets} 户`);
}

const mails = platform.ses.emails();
const byKind = new Map<string, number>();
for (const m of mails) {
  const k = (/【双随机】([^：:]+)/.exec(m.subject)?.[1] ?? m.subject).replace(/（[^）]*）/g, '').replace(/\d{4}年(第\d季度|\d{1,2}月)/, '');
  byKind.set(k, (byKind.get(k) ?? 0) + 1);
}
say(`\n== 邮件（共 ${mails.length} 封，收件箱 ${platform.inboxUrl}） ==`);
for (const [k, n] of [...byKind].sort((a, b) => b[1] - a[1])) say(`${n}\t${k}`);
say(`\nsimulated: ${counters.checks} checks, ${counters.results} results (${counters.late} late), ${counters.published} published, ${counters.followUps} follow-ups (${counters.partnerFollowUps} by a joint task's partner department)`);
say(`time: scheduled jobs ${(timing.jobs / 1000).toFixed(1)} s, lifecycle steps ${(timing.lifecycle / 1000).toFixed(1)} s, inspectors and coordinator ${(timing.targets / 1000).toFixed(1)} s`);
for (const [k, n] of [...calls].sort((a, b) => b[1] - a[1]).slice(0, process.env.SUIJI_DEMO_CALLS === 'keys' ? 80 : 25)) say(`calls ${String(n).padStart(7)}  ${k}`);
for (const [k, ms] of [...invokeMs].sort((a, b) => b[1] - a[1])) say(`lambda ${(ms / 1000).toFixed(1).padStart(6)} s  ${k}`);
say(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (!process.env.SUIJI_DEMO_KEEP) {
  await platform.stop();
  process.exit(0);
}
say('SUIJI_DEMO_KEEP is set: the platform stays up (Ctrl-C to stop).');
