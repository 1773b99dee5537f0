/**
 * What an operator meets after the draw, on DynamoDB Local (issue 11):
 *   - dates: results published at 07:52 Beijing time carry that day as 公示日期, in the stored
 *     index date, the public record and the public pages;
 *   - certificates: a late draw (12-05, after a window that ended 06-30) does not match an
 *     inspector whose certificate expired 06-30; a result naming a present inspector whose
 *     certificate had expired on the check date is refused — API and form — naming him and the date;
 *   - approval pages: the leader by name; a decided approval says who decided and when, never the form again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { enterResult, publishResults } from '../../shared/lifecycle/progress.js';
import { freezeStage } from '../../shared/lifecycle/draw-stage.js';
import { registerWitnesses } from '../../shared/store/ceremony.js';
import { findTask } from '../../shared/store/plans.js';
import { approvePlan, createDraft, publishPlan } from '../../shared/services/plans.js';
import { audit, createTask, getTask, updateTask } from '../../shared/store/tasks.js';
import { putInspector } from '../../shared/store/registry.js';
import { consumeLink, createLink, resolveLink } from '../../shared/links.js';
import { linkRoutes } from '../../functions/api/routes/links.js';
import { commitSecret } from '../../shared/draw/index.js';
import { ValidationError, type PlanTask } from '../../shared/domain/schemas.js';
import { publicRoutes } from '../../functions/api/routes/public.js';
import { getItem, type Item } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import type { Request } from '../../shared/http/core.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';
import { readFrozenBlob } from '../../shared/lifecycle/draw-v2.js';

let stack: TestStack;
let F: DeptFixture;
const clock = new ManualClock('2026-12-04T02:00:00Z');

/** A request as the dispatcher builds it (the route handlers are called directly). */
export function request(o: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; principal?: Request['principal'] } = {}): Request {
  return {
    route: { method: 'GET', path: '/', auth: 'public', summary: '' },
    params: o.params ?? {},
    query: o.query ?? {},
    headers: {},
    ...(o.principal ? { principal: o.principal } : {}),
    body: Buffer.from(o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body)),
    sourceIp: '127.0.0.1',
    event: {} as Request['event'],
  };
}

export const resultBody = (F: DeptFixture, present: string[], checkDate: string) => ({
  codes: ['1'],
  itemOutcomes: F.items.map((i) => ({ itemId: i.id, outcome: 'pass' })),
  methods: ['实地核查'],
  checkDate,
  present,
  signature: { signed: true, signer: '企业负责人' },
});

beforeAll(async () => {
  stack = await startTestStack();
  setClock(clock);
  F = await createDepartment('op', 'fuping-housing-2021', { inspectors: 4, targets: 4, seed: 8100 });
}, 120_000);

afterAll(async () => {
  resetClock();
  await stack?.stop();
});

describe('dates are Beijing dates', () => {
  it('a result published at 07:52 Beijing time on 12-06 is published on 12-06 everywhere', async () => {
    const task = F.taskIds[0]!;
    const [i1, i2] = F.inspectors as [Inspector, Inspector];
    const target = F.targets[0] as Target;
    await assign(task, [{ target, team: [i1, i2] }]);
    await enterResult(task, target.uscc, resultBody(F, [i1.id, i2.id], '2026-12-04'), { by: i1.email, inspector: i1 }, 'api');

    clock.set('2026-12-05T23:52:00Z');
    const r = await publishResults(task, { by: F.dept.coordinators[0]!.email });
    expect(r.published).toEqual([target.uscc]);

    const stored = await getItem<Item & { publishedOn?: string; publishedAt: string }>(K.published(task, target.uscc), true);
    expect(stored?.gsi2sk).toBe(`2026-12-06#${task}#${target.uscc}`);
    expect(stored?.publishedOn).toBe('2026-12-06');

    const index = await publicRoutes['GET /public']!(request());
    expect(index.html).toContain('<td>2026-12-06</td>');
    expect(index.html).not.toContain('2026-12-05');
    const one = await publicRoutes['GET /public/results/{taskId}/{uscc}']!(request({ params: { taskId: task, uscc: target.uscc } }));
    expect(one.html).toMatch(/公示日期<\/th><td>2026-12-06</);
  });
});

describe('enforcement certificates', () => {
  it('a draw on 12-05 after a window that ended 06-30 leaves out a certificate that expired 06-30', async () => {
    const lapsed: Inspector = { ...F.inspectors[0]!, id: 'op-lapsed', name: '过期检查员', email: 'lapsed.op@example.gov.cn', certificateNo: 'CERT-op-lapsed', certificateExpiry: '2026-06-30' };
    await putInspector(lapsed);
    const model = (await findTask(F.taskIds[0]!))!.task;
    const late: PlanTask = { ...model, taskId: 'op-late-t1', name: '上半年随机抽查', window: { start: '2026-04-01', end: '2026-06-30' }, drawDate: '2026-04-01' };
    const coord = { email: F.dept.coordinators[0]!.email, name: F.dept.coordinators[0]!.name, department: F.dept.id };
    await createDraft(F.dept.id, { title: '上半年计划', year: 2026, tasks: [late] }, coord, { planId: 'op-late-2026' });
    await approvePlan('op-late-2026', { email: F.dept.leaders[0]!.email, name: F.dept.leaders[0]!.name, department: F.dept.id });
    await publishPlan('op-late-2026', coord);
    await createTask({ taskId: late.taskId, department: F.dept.id, planId: 'op-late-2026', planVersion: 1, name: late.name, stage: 'freeze', launchedAt: '2026-12-05T01:00:00.000Z', launchedBy: coord.email });
    await registerWitnesses(late.taskId, 1, [
      { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: commitSecret('纪检监督员的秘密 2026') },
      { id: 'w2', name: '企业代表', role: '社会监督', commitment: commitSecret('企业代表的秘密 2026') },
    ]);

    clock.set('2026-12-05T01:00:00Z');
    await freezeStage({ taskId: late.taskId });
    // suiji-draw-v2: the frozen eligibility lists inspectors by pseudonym; the internal map names them
    const frozen = (await readFrozenBlob(late.taskId, 1))!;
    const listed = frozen.eligibility.filter((l) => l.startsWith('insp,')).map((l) => frozen.pseudonyms[l.split(',')[1]!]).sort();
    expect(listed).toEqual(F.inspectors.map((i) => i.id).sort());
    expect(listed).not.toContain('op-lapsed');
  });

  it('refuses a result whose present inspector had an expired certificate on the check date (API and form)', async () => {
    const task = F.taskIds[0]!;
    const [, , i3, i4] = F.inspectors as [Inspector, Inspector, Inspector, Inspector];
    const target = F.targets[1] as Target;
    await assign(task, [{ target, team: [i3, i4] }]);
    await putInspector({ ...i4, certificateExpiry: '2026-11-30' });
    clock.set('2026-12-04T02:00:00Z');

    const api = enterResult(task, target.uscc, resultBody(F, [i3.id, i4.id], '2026-12-03'), { by: i3.email, inspector: i3 }, 'api');
    await expect(api).rejects.toBeInstanceOf(ValidationError);
    await expect(api).rejects.toThrow(`检查人员「${i4.name}」的执法证已于 2026-11-30 到期，不能作为 2026-12-03 的到场检查人员`);

    const link = await createLink('view-assignment', { taskId: task, inspectorId: i3.id, department: F.dept.id, round: '1' }, i3.email);
    const form = new URLSearchParams([
      ['codes', '1'],
      ...F.items.map((it) => [`item_${it.id}`, 'pass'] as [string, string]),
      ['methods', '实地核查'],
      ['checkDate', '2026-12-03'],
      ['present', i3.id],
      ['present', i4.id],
      ['signed', 'true'],
      ['signer', '企业负责人'],
    ]);
    const page = await linkRoutes['POST /l/{linkId}']!(request({ params: { linkId: link }, query: { t: target.uscc }, body: form.toString() }));
    expect(page.status).toBe(400);
    expect(page.html).toContain(`检查人员「${i4.name}」的执法证已于 2026-11-30 到期`);

    // the inspector whose certificate is valid records the check alone — on site needs two, so by documents
    const alone = { ...resultBody(F, [i3.id], '2026-12-03'), methods: ['书面检查'] };
    const ok = await enterResult(task, target.uscc, alone, { by: i3.email, inspector: i3 }, 'api');
    expect(ok.progress.status).toBe('result_entered');
  });
});

describe('approval pages', () => {
  it('show the leader by name and the way to the console, never approve, and once decided say who decided and when', async () => {
    const task = F.taskIds[0]!;
    const leader = F.dept.leaders[0]!;
    await updateTask(task, { stage: 'approval' });
    const link = await createLink('approve-task', { taskId: task }, leader.email, { singleUse: true });
    const open = await linkRoutes['GET /l/{linkId}']!(request({ params: { linkId: link } }));
    expect(open.html).toContain(`审批人：${leader.name}`);
    expect(open.html).not.toContain(leader.email);
    // no form: the page sends the leader to the console, which signs in first (issue 12, 4)
    expect(open.html).not.toContain('<form');
    expect(open.html).toContain(`/console#/approve/${task}"`);
    const posted = await linkRoutes['POST /l/{linkId}']!(request({ params: { linkId: link }, body: 'decision=approve&reason=' }));
    expect(posted.status).toBe(403);
    expect(posted.html).toContain('须登录工作台后办理');
    expect((await getTask(task))?.approval).toBeUndefined();
    expect((await resolveLink(link)).ok).toBe(true);

    // decided through the API meanwhile (legacy record: only the audit trail says who)
    clock.set('2026-12-05T23:52:00Z');
    await audit(task, { by: leader.email, role: 'leader' }, 'plan.approved', { reason: '' });
    const decided = await linkRoutes['GET /l/{linkId}']!(request({ params: { linkId: link } }));
    expect(decided.status ?? 200).toBe(200);
    expect(decided.html).toContain(`该抽查任务计划已由 ${leader.name} 于 2026-12-06 07:52 批准`);
    expect(decided.html).not.toContain('<form');
    expect(decided.html).not.toContain(leader.email);
    const post = await linkRoutes['POST /l/{linkId}']!(request({ params: { linkId: link }, body: 'decision=reject&reason=%E4%B8%8D%E5%90%8C%E6%84%8F' }));
    expect(post.status).toBe(409);
    expect(post.html).toContain(`已由 ${leader.name} 于 2026-12-06 07:52 批准`);

    // the record kept on the task wins; a used link still says what was decided
    await updateTask(task, { approval: { approved: false, by: leader.email, name: leader.name, at: '2026-12-06T01:00:00.000Z', reason: '比例过高', via: 'mail-link' } });
    await consumeLink(link);
    const used = await linkRoutes['GET /l/{linkId}']!(request({ params: { linkId: link } }));
    expect(used.status ?? 200).toBe(200);
    expect(used.html).toContain(`该抽查任务计划已由 ${leader.name} 于 2026-12-06 09:00 退回（理由：比例过高）`);
    const again = await linkRoutes['POST /l/{linkId}']!(request({ params: { linkId: link }, body: 'decision=approve' }));
    expect(again.status).toBe(410);
    expect(again.html).toContain('链接已于');
    expect(again.html).toContain('退回（理由：比例过高）');
  });
});
