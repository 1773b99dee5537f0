/**
 * The plan store against DynamoDB Local (table from the synthesized template): versions,
 * adjustments with a reason, approval and publication (idempotent, conditional), history on the
 * public page, and concurrent writers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL } from '../../shared/dev/sample/district.js';
import { findTask, getPlan, listPlans } from '../../shared/store/plans.js';
import { approvePlan, createDraft, loadPlanContext, proposeAdjustment, publishPlan, rejectPlan, replaceDraft, submitPlan, type PlanActor } from '../../shared/services/plans.js';
import { renderPlanPage } from '../../shared/pages/plan-page.js';
import { publishedAnnouncement } from '../../shared/usecases/plan-announcement.js';
import { createTask } from '../../shared/store/tasks.js';
import { ValidationError, type PlanBody } from '../../shared/domain/schemas.js';
import { DomainError } from '../../shared/domain/errors.js';
import type { PlanContext } from '../../shared/domain/plan.js';

let stack: TestStack;
let ctx: PlanContext;
const district = sampleDistrict({ targets: 1500 });
const coordinator: PlanActor = { email: SAMPLE_COORDINATOR_EMAIL, name: '协调员甲', department: 'fp-zjj' };
const leader: PlanActor = { email: SAMPLE_LEADER_EMAIL, name: '分管领导乙', department: 'fp-zjj' };

beforeAll(async () => {
  stack = await startTestStack();
  await loadSampleDistrict(district);
  ctx = await loadPlanContext('fp-zjj', district.plan.body);
});
afterAll(async () => {
  await stack?.stop();
});

/** The sample plan with task ids of its own (task ids are unique across plans). */
function body(prefix: string, over: Partial<PlanBody> = {}): PlanBody {
  const b = structuredClone(district.plan.body);
  b.tasks = b.tasks.map((t) => ({ ...t, taskId: t.taskId.replace('fp-zjj-2026', prefix) }));
  return { ...b, ...over };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('plan store', () => {
  it('the sample loader published the sample plan; its tasks are found', async () => {
    const found = await findTask('fp-zjj-2026-06');
    expect(found?.plan.status).toBe('published');
    expect(found?.version).toBe(1);
    expect(found?.task.jointDepartments).toEqual(['fp-zjj', 'fp-scjg', 'fp-yjj']);
    expect(found?.plan.approvedByEmail).toBe(SAMPLE_LEADER_EMAIL);
  });

  it('creates a draft (v1) with pointers, lists it, and does not expose its tasks before publication', async () => {
    const v = await createDraft('fp-zjj', body('p1'), coordinator, { planId: 'p1', context: ctx });
    expect(v).toMatchObject({ planId: 'p1', version: 1, status: 'draft', revision: 1, createdBy: SAMPLE_COORDINATOR_EMAIL });
    expect(v.expected?.['p1-01']?.total).toBeGreaterThan(0);
    const p = await getPlan('p1');
    expect(p?.meta).toMatchObject({ latestVersion: 1, pendingVersion: 1, department: 'fp-zjj', year: 2026 });
    expect(p?.meta.publishedVersion).toBeUndefined();
    expect((await listPlans('fp-zjj')).map((m) => m.planId).sort()).toEqual(['fp-zjj-2026', 'p1']);
    expect(await findTask('p1-01')).toBeUndefined();
    expect(await publishedAnnouncement('p1')).toBeUndefined();
  });

  it('rejects an invalid plan with Chinese field messages and writes nothing', async () => {
    const bad = body('p2');
    bad.tasks[0]!.drawDate = '2027-01-04';
    const e = await rejection(createDraft('fp-zjj', bad, coordinator, { planId: 'p2', context: ctx }));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues.map((i) => `${i.field}：${i.message}`)).toContain(
      '抽查任务[1]·抽取日期：抽取日期 2027-01-04 不在抽查时间 2026-01-05 至 2026-04-15 内',
    );
    expect(await getPlan('p2')).toBeUndefined();
  });

  it('refuses a task id another plan declares, and another department’s plan', async () => {
    const e = await rejection(createDraft('fp-zjj', body('fp-zjj-2026'), coordinator, { planId: 'p3', context: ctx }));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('conflict');
    expect(e.message).toContain('任务编号「fp-zjj-2026-01」已在计划「fp-zjj-2026」中使用');
    expect(await getPlan('p3')).toBeUndefined();
    const other = await rejection(replaceDraft('p1', body('p1'), { ...coordinator, department: 'fp-scjg' }, { context: ctx }));
    expect((other as DomainError).code).toBe('forbidden');
  });

  it('replaces the draft with optimistic locking: a stale revision or a concurrent writer is a conflict', async () => {
    const v2 = await replaceDraft('p1', body('p1', { title: '第二稿' }), coordinator, { revision: 1, context: ctx });
    expect(v2).toMatchObject({ version: 1, revision: 2, title: '第二稿', status: 'draft' });
    const stale = await rejection(replaceDraft('p1', body('p1', { title: '过时的修改' }), coordinator, { revision: 1, context: ctx }));
    expect((stale as DomainError).code).toBe('conflict');
    expect(stale.message).toContain('已被他人修改');
    // Two people save edits of the same revision at the same moment: exactly one wins, the other
    // gets a conflict (whichever order the writes reach the table in).
    const results = await Promise.allSettled([
      replaceDraft('p1', body('p1', { title: '甲的修改' }), coordinator, { revision: 2, context: ctx }),
      replaceDraft('p1', body('p1', { title: '乙的修改' }), coordinator, { revision: 2, context: ctx }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect((failed[0]!.reason as DomainError).code).toBe('conflict');
    const stored = (await getPlan('p1'))!.pending!;
    expect(stored.revision).toBe(3);
    expect(stored.title).toBe((ok[0] as PromiseFulfilledResult<{ title: string }>).value.title);
  });

  it('releases task ids dropped from a never-published draft', async () => {
    const fewer = body('p1');
    fewer.tasks = fewer.tasks.slice(0, 5);
    await replaceDraft('p1', fewer, coordinator, { context: ctx });
    const reuse = body('p4');
    reuse.tasks = [{ ...body('p1').tasks[5]!, taskId: 'p1-06' }];
    const v = await createDraft('fp-zjj', reuse, coordinator, { planId: 'p4', context: ctx });
    expect(v.tasks.map((t) => t.taskId)).toEqual(['p1-06']);
    // put p1 back to six tasks under new ids for the rest of the tests
    const six = body('p1');
    six.tasks[5] = { ...six.tasks[5]!, taskId: 'p1-06b' };
    await replaceDraft('p1', six, coordinator, { context: ctx });
  });

  it('submission and rejection: the leader sends the draft back with a reason; it must be submitted again before approval', async () => {
    const sub = await submitPlan('p1', coordinator);
    expect(sub).toMatchObject({ status: 'pending-approval', submittedBy: '协调员甲' });
    expect(await submitPlan('p1', coordinator)).toEqual(sub);
    const noReason = await rejection(rejectPlan('p1', leader, '  '));
    expect(noReason).toBeInstanceOf(ValidationError);
    expect((noReason as ValidationError).issues).toEqual([{ field: '退回理由', message: '退回计划须说明理由', path: ['reason'] }]);
    const back = await rejectPlan('p1', leader, '第二次抽查比例过低，请调整');
    expect(back).toMatchObject({ status: 'draft', rejection: { reason: '第二次抽查比例过低，请调整', by: '分管领导乙' } });
    expect(back.submittedAt).toBeUndefined();
    expect(await rejectPlan('p1', leader, '第二次抽查比例过低，请调整')).toEqual(back);
    expect((await rejection(approvePlan('p1', leader))).message).toBe('第 1 版已被退回（第二次抽查比例过低，请调整），须修改或重新提交审批后才能批准');
    expect(await submitPlan('p1', coordinator)).toMatchObject({ status: 'pending-approval', rejection: { reason: '第二次抽查比例过低，请调整' } });
  });

  it('approval: publication needs it; it records who and when; repeating it changes nothing', async () => {
    const early = await rejection(publishPlan('p1', coordinator));
    expect(early.message).toBe('第 1 版尚未经分管领导审批，不能发布');
    const stale = await rejection(approvePlan('p1', leader, { revision: 1 }));
    expect(stale.message).toContain('请重新审阅后再审批');
    const [a, b] = await Promise.all([approvePlan('p1', leader), approvePlan('p1', leader)]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ status: 'approved', approvedBy: '分管领导乙', approvedByEmail: SAMPLE_LEADER_EMAIL });
    expect(Date.parse(a.approvedAt!)).toBeGreaterThan(0);
    const again = await approvePlan('p1', leader);
    expect(again).toEqual(a);
  });

  it('publication: idempotent under concurrency; the task becomes findable', async () => {
    const [a, b] = await Promise.all([publishPlan('p1', coordinator), publishPlan('p1', coordinator)]);
    expect(a.status).toBe('published');
    expect(b).toEqual(a);
    const again = await publishPlan('p1', coordinator);
    expect(again.publishedAt).toBe(a.publishedAt);
    const meta = (await getPlan('p1'))!.meta;
    expect(meta.publishedVersion).toBe(1);
    expect(meta.pendingVersion).toBeUndefined();
    expect((await findTask('p1-02'))?.task.name).toBe('2026年第二次随机抽查（建设工程安全）');
    const e = await rejection(replaceDraft('p1', body('p1'), coordinator, { context: ctx }));
    expect(e.message).toContain('如需修改请提出计划调整');
  });

  it('an adjustment needs a reason and changes something; it stays pending until approved and published', async () => {
    const changed = body('p1');
    changed.tasks[5] = { ...changed.tasks[5]!, taskId: 'p1-06b' };
    changed.tasks[1] = { ...changed.tasks[1]!, window: { start: '2026-04-20', end: '2026-06-15' }, drawDate: '2026-04-22' };
    const noReason = await rejection(proposeAdjustment('p1', changed, '  ', coordinator, { context: ctx }));
    expect((noReason as ValidationError).issues).toEqual([{ field: '调整理由', message: '计划调整须说明调整理由', path: ['reason'] }]);
    const same = body('p1');
    same.tasks[5] = { ...same.tasks[5]!, taskId: 'p1-06b' };
    const unchanged = await rejection(proposeAdjustment('p1', same, '无变化', coordinator, { context: ctx }));
    expect(unchanged.message).toContain('与现行计划完全相同');

    // Two coordinators propose at once: one adjustment, not two.
    const both = await Promise.allSettled([
      proposeAdjustment('p1', changed, '汛期推迟第二次抽查', coordinator, { context: ctx }),
      proposeAdjustment('p1', changed, '同一调整的重复提交', coordinator, { context: ctx }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const v2 = (await getPlan('p1'))!.pending!;
    expect(v2).toMatchObject({ version: 2, status: 'pending-approval' });
    expect(['汛期推迟第二次抽查', '同一调整的重复提交']).toContain(v2.reason);

    // Until published, the published version is what tasks see.
    expect((await findTask('p1-02'))?.task.window.start).toBe('2026-04-16');
    await approvePlan('p1', leader);
    const published = await publishPlan('p1', coordinator);
    expect(published.version).toBe(2);
    const p = (await getPlan('p1'))!;
    expect(p.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expect(p.versions[0]!.supersededAt).toBeDefined();
    expect(p.versions[0]!.tasks[1]!.window.start).toBe('2026-04-16');
    const found = await findTask('p1-02');
    expect(found?.version).toBe(2);
    expect(found?.task.window.start).toBe('2026-04-20');
  });

  it('a launched task keeps what it was drawn from: only its name and notes may be adjusted', async () => {
    await createTask({ taskId: 'p1-03', department: 'fp-zjj', planId: 'p1', planVersion: 2, name: 'x', stage: 'launched', launchedAt: '2026-06-18T01:00:00.000Z', launchedBy: SAMPLE_COORDINATOR_EMAIL });
    const current = (await getPlan('p1'))!.current!;
    const base: PlanBody = { title: current.title, year: current.year, tasks: structuredClone(current.tasks) };
    const ratio = structuredClone(base);
    ratio.tasks[2]!.ratiosBp = { A: 500, B: 500, C: 500, D: 500 };
    const e = await rejection(proposeAdjustment('p1', ratio, '提高比例', coordinator, { context: ctx }));
    expect((e as ValidationError).issues.map((i) => `${i.field}：${i.message}`)).toEqual([
      '抽查任务[3]：任务「p1-03」已于 2026-06-18 启动，只能调整任务名称和备注，不能修改抽查事项、对象范围、比例、日期或检查人员范围',
    ]);
    const removed = structuredClone(base);
    removed.tasks.splice(2, 1);
    expect((await rejection(proposeAdjustment('p1', removed, '取消第三次抽查', coordinator, { context: ctx }))).message).toContain('不能从计划中删除');
    const renamed = structuredClone(base);
    renamed.tasks[2]!.notes = '补充说明';
    const v3 = await proposeAdjustment('p1', renamed, '补充备注', coordinator, { context: ctx });
    expect(v3.version).toBe(3);
    // the version a task was drawn under stays addressable
    expect((await findTask('p1-02', { version: 1 }))?.task.window.start).toBe('2026-04-16');
    expect(await findTask('p1-02', { version: 3 })).toBeUndefined(); // not published
    await approvePlan('p1', leader);
    await publishPlan('p1', coordinator);
  });

  it('the published page shows the current version and its adjustment history', async () => {
    const a = (await publishedAnnouncement('p1'))!;
    expect(a.plan.version).toBe(3);
    expect(a.history.map((h) => [h.version, h.status, h.approvedBy])).toEqual([
      [1, 'superseded', '分管领导乙'],
      [2, 'superseded', '分管领导乙'],
      [3, 'published', '分管领导乙'],
    ]);
    const html = renderPlanPage(a);
    expect(html).toContain(a.history[1]!.reason!);
    expect(html).toContain('补充备注');
    expect(html).toContain('第 3 版（现行）');
    // the superseded version stays readable
    const old = (await publishedAnnouncement('p1', { version: 1 }))!;
    expect(old.plan.status).toBe('superseded');
    expect(renderPlanPage(old)).toContain('已被调整，非现行版本');
  });
});
