/**
 * Late tasks (issue 11, point 2): a task launched after its draw date or window is refused with
 * the reason and what to do; it starts with new dates either through a leader-approved late
 * launch (request and decision audited, both public) or a plan adjustment (a new published plan
 * version). The approved dates are the task's dates: the draw's entry deadlines, the check dates
 * accepted and the deadlines counted from them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { reportDueDates, runReportsJob } from '../../shared/jobs/reports.js';
import { getPreset } from '../../shared/domain/profiles.js';
import { pendingLeaderDecisions } from '../../shared/lifecycle/decisions.js';
import { ManualClock } from '../../shared/clock.js';
import { ApiClient } from '../helpers/api.js';
import { approveAndDraw, startSamplePlatform, type SamplePlatform } from '../helpers/platform.js';

const B = `${SAMPLE_PLAN_ID}-02`; // draw date 2026-04-20, window 2026-04-16 … 2026-06-15
const C = `${SAMPLE_PLAN_ID}-03`; // draw date 2026-06-18, window 2026-06-16 … 2026-08-14
const clock = new ManualClock('2026-06-22T02:00:00Z');

let platform: Platform;
let api: ApiClient;
let coord: Awaited<ReturnType<ApiClient['as']>>;
let leader: Awaited<ReturnType<ApiClient['as']>>;

let sample: SamplePlatform;
beforeAll(async () => {
  sample = await startSamplePlatform({ clock, targets: 300 });
  ({ platform, api, coord, leader } = sample);
}, 300_000); // a loaded shared machine starts the platform slowly

afterAll(() => sample?.stop());

describe('a late launch approved by a leader', () => {
  it('refuses the launch after the window, with the reason and what to do', async () => {
    const r = await coord('POST', `/tasks/${B}/launch`, {});
    expect(r.status).toBe(409);
    expect(r.json.message).toBe(
      `任务「${B}」抽取日期（2026-04-20）已过，抽查时间（2026-04-16 至 2026-06-15）已结束，不能按原计划启动（各项期限会一开始就已逾期）。请通过计划调整发布新的抽取日期和抽查时间，或提交逾期启动申请（写明理由和新的日期），经分管领导批准后启动`,
    );
    expect((await coord('GET', `/tasks/${B}/status`)).status).toBe(404);
  });

  it('takes the request with its reason and valid new dates, and launches only once a leader approved it', async () => {
    const short = await coord('POST', `/tasks/${B}/late-launch`, { reason: '晚了', drawDate: '2026-06-24', window: { start: '2026-06-24', end: '2026-08-31' } });
    expect(short).toMatchObject({ status: 400, json: { error: 'ValidationError' } });
    const past = await coord('POST', `/tasks/${B}/late-launch`, { reason: '汛期抢险占用执法力量', drawDate: '2026-06-19', window: { start: '2026-06-24', end: '2026-08-31' } });
    expect(past).toMatchObject({ status: 400, json: { issues: [{ field: 'drawDate', message: '新的抽取日期（2026-06-19）不能早于今天（2026-06-22）' }] } });
    const ok = await coord('POST', `/tasks/${B}/late-launch`, { reason: '汛期抢险占用执法力量，本轮抽查顺延', drawDate: '2026-06-24', window: { start: '2026-06-24', end: '2026-08-31' } });
    expect(ok).toMatchObject({ status: 202, json: { message: '逾期启动申请已提交，待分管领导批准；批准后即可按新的日期启动' } });
    expect(await coord('POST', `/tasks/${B}/late-launch`, { reason: '再申请一次逾期启动', drawDate: '2026-06-25', window: { start: '2026-06-24', end: '2026-08-31' } })).toMatchObject({ status: 409 });
    expect((await coord('POST', `/tasks/${B}/launch`, {})).json.message).toContain('逾期启动申请已提交，待分管领导批准');
    // the request waits for a leader: his task list and home count it, and so does the leadership summary mail
    const row = ((await leader('GET', `/departments/${SAMPLE_MAIN_DEPT}/tasks`)).json as { taskId: string; decision?: unknown; next?: { who: string } }[]).find((r) => r.taskId === B)!;
    expect(row).toMatchObject({ decision: { kind: 'late-launch', label: '逾期启动申请待审批' }, next: { who: 'leader', what: '逾期启动申请待审批' } });
    const summaryDay = reportDueDates(getPreset('fuping-housing-2021'), 2026, '2026-06-22').map((d) => d.summaryDate!).filter((d) => d >= '2026-06-22').sort()[0]!;
    const sent = await runReportsJob(summaryDay);
    expect(sent.summaries.map((x) => x.department)).toContain(SAMPLE_MAIN_DEPT);
    const summary = platform.ses.emails().find((e) => e.destination.to.some((t) => t.includes(SAMPLE_LEADER_EMAIL)) && e.subject.includes('汇总'))!;
    expect(summary.body.text).toContain('待领导审批事项：1 项');
    expect(summary.body.text).toContain(`逾期启动申请待审批：2026年第二次随机抽查（建设工程安全）（${B}），理由：汛期抢险占用执法力量，本轮抽查顺延`);
    expect((await coord('POST', `/tasks/${B}/late-launch/approval`, { approve: true })).status).toBe(403);
    expect(await leader('POST', `/tasks/${B}/late-launch/approval`, { approve: false })).toMatchObject({ status: 400, json: { message: '不批准时请填写理由' } });
    expect((await leader('POST', `/tasks/${B}/late-launch/approval`, { approve: true, reason: '同意顺延' })).json).toEqual({ lateLaunch: 'approved' });
    expect(await leader('POST', `/tasks/${B}/late-launch/approval`, { approve: true })).toMatchObject({ status: 409 });
    // approved: the task list and the task's summary show the new dates and say to launch on them
    // (not "抽取日期已过"); nothing waits for the leader any more
    const approved = ((await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/tasks`)).json as { taskId: string; decision?: unknown; next?: { who: string; what: string }; drawDate: string; window: unknown }[]).find((r) => r.taskId === B)!;
    const launchOnNewDates = { who: 'coordinator', what: '按批准的日期启动任务（抽取日期 2026-06-24）' };
    expect(approved).toMatchObject({ drawDate: '2026-06-24', window: { start: '2026-06-24', end: '2026-08-31' }, next: launchOnNewDates });
    expect(approved.decision).toBeUndefined();
    expect((await coord('GET', `/tasks/${B}/summary`)).json).toMatchObject({ stage: 'not-launched', canLaunch: true, next: launchOnNewDates });
    expect(await pendingLeaderDecisions(SAMPLE_MAIN_DEPT)).toEqual([]);

    expect((await coord('POST', `/tasks/${B}/launch`, {})).status).toBe(201);
    await approveAndDraw(coord, leader, B);
    const audit = ((await coord('GET', `/tasks/${B}/audit`)).json as { what: string }[]).map((a) => a.what);
    expect(audit).toEqual(expect.arrayContaining(['late-launch.requested', 'late-launch.approved', 'task.launched']));
  }, 180_000);

  it('draws, accepts check dates and counts deadlines in the approved window', async () => {
    const { items } = (await coord('GET', `/tasks/${B}/targets?limit=1000`)).json as { items: { uscc: string; team: string[]; dueEntry: string }[] };
    expect(items.length).toBeGreaterThan(0);
    // the entry deadline at the draw is the approved window's end, not a date long past
    expect(new Set(items.map((t) => t.dueEntry))).toEqual(new Set(['2026-08-31']));
    const t = items[0]!;
    const old = await coord('POST', `/tasks/${B}/targets/${t.uscc}/checked`, { checkDate: '2026-06-10' });
    expect(old).toMatchObject({ status: 400, json: { message: '检查日期 2026-06-10 不在抽查时间 2026-06-24 至 2026-08-31 之内' } });
    clock.set('2026-06-25T02:00:00Z');
    const checked = await coord('POST', `/tasks/${B}/targets/${t.uscc}/checked`, { checkDate: '2026-06-25' });
    expect(checked.status).toBe(200);
    const status = (await coord('GET', `/tasks/${B}/status`)).json;
    expect(status.overdue).toEqual([]);
    const after = ((await coord('GET', `/tasks/${B}/targets?limit=1000`)).json.items as { uscc: string; dueEntry: string }[]).find((x) => x.uscc === t.uscc)!;
    // counted from the check date: after it, and no later than the approved window's end
    expect(after.dueEntry > '2026-06-25' && after.dueEntry <= '2026-08-31').toBe(true);
  });

  it('shows the late launch on the public announcement', async () => {
    const pub = (await api.call('GET', `/public/tasks/${B}.json`)).json;
    expect(pub).toMatchObject({
      drawDate: '2026-06-24',
      window: { start: '2026-06-24', end: '2026-08-31' },
      lateLaunch: { original: { drawDate: '2026-04-20', window: { start: '2026-04-16', end: '2026-06-15' } }, reason: '汛期抢险占用执法力量，本轮抽查顺延', comment: '同意顺延' },
    });
    const page = await api.call('GET', `/public/tasks/${B}`);
    expect(page.text).toContain('逾期启动');
    expect(page.text).toContain('原定抽取日期 2026-04-20');
  });
});

describe('a plan adjustment with new dates', () => {
  it('lets the task launch on the adjusted dates, shown on the public page', async () => {
    clock.set('2026-06-22T02:00:00Z');
    expect((await coord('POST', `/tasks/${C}/launch`, {})).json.message).toContain('抽取日期（2026-06-18）已过');
    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const current = plan.versions.at(-1);
    const tasks = current.tasks.map((t: { taskId: string }) => (t.taskId === C ? { ...t, drawDate: '2026-06-26', window: { start: '2026-06-26', end: '2026-08-31' } } : t));
    const adj = await coord('POST', `/plans/${SAMPLE_PLAN_ID}/adjustments`, { reason: '第三次抽查推迟一周', plan: { year: current.year, title: current.title, tasks } });
    expect(adj.status).toBe(201);
    expect((await leader('POST', `/plans/${SAMPLE_PLAN_ID}/approve`, {})).status).toBe(200);
    expect((await coord('POST', `/plans/${SAMPLE_PLAN_ID}/publish`, {})).status).toBe(200);
    expect((await coord('POST', `/tasks/${C}/launch`, {})).status).toBe(201);
    const pub = (await api.call('GET', `/public/tasks/${C}.json`)).json;
    expect(pub).toMatchObject({ drawDate: '2026-06-26', window: { start: '2026-06-26', end: '2026-08-31' }, planAdjustment: { reason: '第三次抽查推迟一周' } });
    expect(pub.lateLaunch).toBeUndefined();
  });
});
