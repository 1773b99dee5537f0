/**
 * The human steps of a lifecycle and what the API answers for each, status codes and bodies
 * pinned: approval (the mail leads to the console; the leader approves signed in), the ceremony's refusals (wrong stage,
 * duplicate witness ids, an unknown witness, a reveal that does not match its commitment and is
 * retried),
 * result entry through the inspector's assignment link with its confirmation mail, a re-draw
 * requested, rejected, requested again, approved and its ceremony aborted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Platform } from '../../shared/dev/local/platform.js';
import { SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { ManualClock } from '../../shared/clock.js';
import { ApiClient, waitForStage, type Call } from '../helpers/api.js';
import { drawThroughApi, passBeacon, startSamplePlatform, type SamplePlatform } from '../helpers/platform.js';
import { resultForm } from '../helpers/result-form.js';

const A = `${SAMPLE_PLAN_ID}-01`;
const B = `${SAMPLE_PLAN_ID}-02`;
const clock = new ManualClock('2026-01-12T01:00:00Z');
const addr = (s: string): string => /<([^>]+)>/.exec(s)?.[1] ?? s;
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let platform: Platform;
let api: ApiClient;
let coord: Awaited<ReturnType<ApiClient['as']>>;
let leader: Awaited<ReturnType<ApiClient['as']>>;
const statusOf = (task: string) => (): Promise<Call> => coord('GET', `/tasks/${task}/status`);

/** The link ids in the mails sent to `to` whose subject contains `subject`, newest last. */
function linksIn(to: string, subject: string): string[] {
  return platform.ses
    .emails()
    .filter((e) => e.destination.to.map(addr).includes(to) && e.subject.includes(subject))
    .flatMap((e) => [...`${e.body.text ?? ''}${e.body.html ?? ''}`.matchAll(/\/l\/([A-Za-z0-9_-]{16,64})/g)].map((m) => m[1]!));
}

const throughDraw = (task: string): Promise<void> => drawThroughApi(coord, leader, task);

let sample: SamplePlatform;
beforeAll(async () => {
  sample = await startSamplePlatform({ clock, targets: 400 });
  ({ platform, api, coord, leader } = sample);
}, 120_000);

afterAll(() => sample?.stop());

describe('errors of the task routes', () => {
  it('names what does not exist', async () => {
    expect(await coord('POST', '/tasks/nope/launch', {})).toMatchObject({ status: 404, json: { error: 'NotFound', message: '已发布计划中的任务「nope」不存在' } });
    expect(await coord('GET', `/tasks/${A}/status`)).toMatchObject({ status: 404, json: { error: 'NotFound', message: `任务「${A}」（尚未启动）不存在` } });
    expect(await api.call('GET', `/tasks/${A}/status`)).toMatchObject({ status: 401 });
    expect(await api.call('GET', '/public/tasks/nope')).toMatchObject({ status: 404, json: { error: 'NotFound', message: '抽查任务「nope」不存在' } });
  });
});

describe('approval and the ceremony of task A', () => {

  it('the approval mail leads to the console, not to a link that approves; the leader approves signed in', async () => {
    await coord('POST', `/tasks/${A}/launch`, {});
    await waitForStage(statusOf(A), 'approval');
    const mail = platform.ses.emails().find((e) => e.destination.to.map(addr).includes(SAMPLE_LEADER_EMAIL) && e.subject.includes('审批'));
    expect(mail).toBeDefined();
    const body = `${mail!.body.text ?? ''}${mail!.body.html ?? ''}`;
    expect(body).toContain(`${platform.apiUrl}/console#/approve/${A}`);
    expect(linksIn(SAMPLE_LEADER_EMAIL, '审批')).toEqual([]);

    expect(await coord('POST', `/tasks/${A}/ceremony/witnesses`, { witnesses: [] })).toMatchObject({
      status: 409,
      json: { error: 'Conflict', message: '当前阶段（approval）不能登记见证人' },
    });
    expect(await leader('POST', `/tasks/${A}/approval`, { approve: false })).toMatchObject({ status: 400, json: { error: 'BadRequest', message: '不批准时请填写理由' } });
    expect(await api.call('POST', `/tasks/${A}/approval`, { approve: true })).toMatchObject({ status: 401 });
    expect(await leader('POST', `/tasks/${A}/approval`, { approve: true })).toMatchObject({ status: 200, json: { approved: true, applied: true } });
    const again = await leader('POST', `/tasks/${A}/approval`, { approve: true });
    expect(again.json.applied).toBe(false);
    expect(again.json.message).toContain('该抽查任务计划已由');
    await waitForStage(statusOf(A), 'witnesses');
  });

  it('refuses bad witness lists and unknown witnesses; a reveal that does not match is refused and retried', async () => {
    expect(
      await coord('POST', `/tasks/${A}/ceremony/witnesses`, {
        witnesses: [
          { id: 'w1', name: '甲', role: '纪检监督', commitment: sha('a') },
          { id: 'w1', name: '乙', role: '企业代表', commitment: sha('b') },
        ],
      }),
    ).toMatchObject({ status: 400, json: { error: 'BadRequest', message: '见证人编号重复' } });
    const bad = await coord('POST', `/tasks/${A}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '甲', role: '纪检监督', commitment: 'abc' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('ValidationError');
    expect(bad.json.issues.map((i: { message: string }) => i.message)).toContain('承诺值应为 64 位小写十六进制 SHA-256');

    const w = await coord('POST', `/tasks/${A}/ceremony/witnesses`, {
      witnesses: [
        { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('first') },
        { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('second') },
      ],
    });
    expect(w).toMatchObject({ status: 200, json: { round: 1, witnesses: 2, missing: [] } });
    expect((await coord('POST', `/tasks/${A}/ceremony/close`, {})).json).toEqual({ round: 1, witnesses: 2, applied: true });
    await waitForStage(statusOf(A), 'ceremony');
    passBeacon();

    expect(await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w9', secret: 'x' })).toMatchObject({
      status: 404,
      json: { error: 'NotFound', message: '见证人「w9」不存在' },
    });
    expect((await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w1', secret: 'first' })).json).toEqual({ round: 1, recorded: true, missing: ['企业代表'] });
    expect((await leader('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w1', secret: 'first' })).json).toEqual({ round: 1, recorded: false, missing: ['企业代表'] });
    const refused = await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w2', secret: 'wrong' });
    expect(refused).toMatchObject({
      status: 400,
      json: { error: 'RevealMismatch', message: '见证人「企业代表」（w2）揭示的值与其承诺不符（第 1 次），未被采用；请核对后重新揭示，仪式继续进行' },
    });
    expect((await coord('GET', `/tasks/${A}/status`)).json).toMatchObject({ stage: 'ceremony' });
    expect((await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w2', secret: 'second' })).json).toEqual({ round: 1, recorded: true, missing: [] });
    await waitForStage(statusOf(A), 'results');
    const pub = await api.call('GET', `/public/tasks/${A}.json`);
    expect(pub.json.rounds).toMatchObject([{ round: 1, status: 'drawn', failedReveals: [{ witnessId: 'w2' }] }]);
    expect(pub.json.rounds[0].abortReason).toBeUndefined();
  }, 180_000);
});

describe('result entry by link and a re-draw of task B', () => {
  it('enters a result through the assignment link and confirms it by mail', async () => {
    clock.set('2026-04-20T01:00:00Z'); // B's draw date; its window opens 2026-04-16
    await throughDraw(B);
    const { items } = (await coord('GET', `/tasks/${B}/targets?limit=1000`)).json as { items: { uscc: string; team: string[] }[] };
    const t = items[0]!;
    const inspectors = (await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`)).json as { id: string; email: string }[];
    const email = inspectors.find((i) => i.id === t.team[0])!.email;
    // the newest assignment mail: task A was drawn earlier in this file
    const link = linksIn(email, '检查任务分派').at(-1);
    expect(link).toBeTruthy();
    const list = await api.call('GET', `/l/${link}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(t.uscc);
    const form = await api.call('GET', `/l/${link}?t=${t.uscc}`);
    expect(form.status).toBe(200);
    const other = items.find((x) => !x.team.includes(t.team[0]!));
    if (other) expect((await api.call('GET', `/l/${link}?t=${other.uscc}`)).status).toBe(404);

    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const task = plan.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === B);
    const fields = resultForm({ items: [...task.items.general, ...task.items.key], checkDate: '2026-04-20', present: t.team.slice(0, 2) });

    const invalid = new URLSearchParams(fields);
    invalid.delete('present');
    const rejected = await api.call('POST', `/l/${link}?t=${t.uscc}`, invalid.toString(), FORM);
    expect(rejected.status).toBe(400);
    expect(rejected.text).toContain('到场检查人员');

    const ok = await api.call('POST', `/l/${link}?t=${t.uscc}`, fields.toString(), FORM);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('检查结果已录入');
    await platform.lambdasIdle(); // the confirmation is sent after the answer
    const confirmations = platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(email) && e.subject.includes('结果录入确认'));
    expect(confirmations).toHaveLength(1);
    const same = await api.call('POST', `/l/${link}?t=${t.uscc}`, fields.toString(), FORM);
    expect(same.text).toContain('检查结果未变化');
    await platform.lambdasIdle();
    expect(platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(email) && e.subject.includes('结果录入确认'))).toHaveLength(1);
  }, 180_000);

  it('a re-draw needs a reason and the leader; its new ceremony can be aborted on record', async () => {
    expect(await leader('POST', `/tasks/${B}/approval`, { approve: true, subject: 'redraw' })).toMatchObject({
      status: 409,
      json: { error: 'Conflict', message: '没有待批准的重新抽取申请' },
    });
    const short = await coord('POST', `/tasks/${B}/redraw`, { reason: '太少' });
    expect(short).toMatchObject({ status: 400, json: { error: 'ValidationError' } });
    expect(short.json.issues[0].message).toBe('请写明重新抽取的理由（至少 5 个字）');
    const req = await coord('POST', `/tasks/${B}/redraw`, { reason: '抽取名单中两户已注销，需重新抽取' });
    expect(req).toMatchObject({ status: 202, json: { message: '重新抽取申请已提交，待分管领导批准；原抽取记录保持公开' } });
    expect((await leader('POST', `/tasks/${B}/approval`, { approve: true, subject: 'redraw' })).json).toEqual({ redraw: 'approved' });
    await waitForStage(statusOf(B), 'witnesses');
    await coord('POST', `/tasks/${B}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('s2') }, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('s3') }] });
    await coord('POST', `/tasks/${B}/ceremony/close`, {});
    await waitForStage(statusOf(B), 'ceremony');
    expect(await coord('POST', `/tasks/${B}/ceremony/abort`, { reason: '见证人未到场' })).toMatchObject({ status: 200, json: { aborted: true } });
    const failed = await waitForStage(statusOf(B), 'failed');
    expect(failed.json.failure).toMatchObject({ error: 'CeremonyAborted', cause: '抽取仪式中止：见证人未到场' });
    const pub = await api.call('GET', `/public/tasks/${B}.json`);
    expect(pub.json.rounds).toMatchObject([
      { round: 1, status: 'drawn' },
      { round: 2, status: 'aborted', abortReason: '见证人未到场', redrawReason: '抽取名单中两户已注销，需重新抽取' },
    ]);
    // in the department's chain the aborted re-draw names the round it re-draws
    const chain = (await api.call('GET', `/public/departments/${SAMPLE_MAIN_DEPT}/chain?format=json`)).json.rounds as { round: number; taskId: string; taskRound: number; status: string; redrawOf: number | null }[];
    const first = chain.find((r) => r.taskId === B && r.taskRound === 1)!;
    expect(chain.find((r) => r.taskId === B && r.taskRound === 2)).toMatchObject({ status: 'aborted', redrawOf: first.round });
    expect(first.status).toBe('drawn');
  });
});

describe('a rejected re-draw of task C', () => {
  const C = `${SAMPLE_PLAN_ID}-03`;
  it('stays on record, and the round cannot be requested again', async () => {
    clock.set('2026-06-18T01:00:00Z');
    await throughDraw(C);
    expect((await coord('POST', `/tasks/${C}/redraw`, { reason: '抽取名单中一户已迁出辖区' })).status).toBe(202);
    expect((await leader('POST', `/tasks/${C}/approval`, { approve: false, reason: '迁出户按规定记录即可', subject: 'redraw' })).json).toEqual({ redraw: 'rejected' });
    expect(await coord('POST', `/tasks/${C}/redraw`, { reason: '再次申请重新抽取一次' })).toMatchObject({
      status: 409,
      json: { error: 'Conflict', message: '第 2 轮抽取已中止（迁出户按规定记录即可），不能再登记' },
    });
    expect((await coord('GET', `/tasks/${C}/status`)).json).toMatchObject({ stage: 'results', drawRound: 1 });
    const pub = await api.call('GET', `/public/tasks/${C}.json`);
    expect(pub.json.rounds).toMatchObject([
      { round: 1, status: 'drawn' },
      { round: 2, status: 'aborted', abortReason: '迁出户按规定记录即可', redrawReason: '抽取名单中一户已迁出辖区' },
    ]);
  }, 180_000);
});
