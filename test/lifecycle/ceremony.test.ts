/**
 * The ceremony survives an operator's mistakes (issue 11, point 1): witnesses are added one at a
 * time (one entered by mistake is removed before closing) and the pool freezes only when the coordinator closes registration with the profile's
 * witnesses (2 by default; a 纪检 witness where the profile asks for discipline supervision); an
 * abort is refused once the draw has run (no phantom round); an aborted task is not launched
 * again but resumed with a new round after a leader's reasoned approval, the aborted round
 * staying on record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Platform } from '../../shared/dev/local/platform.js';
import { SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { ManualClock } from '../../shared/clock.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestsOf, verifyChain, verifyRecordV2 } from '../../shared/draw/v2/index.js';
import { runVerifyChain } from '../../shared/dev/cli/verify.js';
import { pendingLeaderDecisions } from '../../shared/lifecycle/decisions.js';
import { ApiClient, waitForStage, type Call } from '../helpers/api.js';
import { passBeacon, startSamplePlatform, type SamplePlatform } from '../helpers/platform.js';

const A = `${SAMPLE_PLAN_ID}-01`;
const clock = new ManualClock('2026-01-12T01:00:00Z'); // A's draw date
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const addr = (s: string): string => /<([^>]+)>/.exec(s)?.[1] ?? s;

let platform: Platform;
let api: ApiClient;
let coord: Awaited<ReturnType<ApiClient['as']>>;
let leader: Awaited<ReturnType<ApiClient['as']>>;
const status = (): Promise<Call> => coord('GET', `/tasks/${A}/status`);
const approvalMails = (): number => platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(SAMPLE_LEADER_EMAIL) && e.subject.includes('审批')).length;

let sample: SamplePlatform;
beforeAll(async () => {
  sample = await startSamplePlatform({ clock, targets: 300 });
  ({ platform, api, coord, leader } = sample);
  expect((await coord('POST', `/tasks/${A}/launch`, {})).status).toBe(201);
  await waitForStage(status, 'approval');
  expect((await leader('POST', `/tasks/${A}/approval`, { approve: true })).status).toBe(200);
  await waitForStage(status, 'witnesses');
}, 300_000); // a loaded shared machine starts the platform slowly

afterAll(() => sample?.stop());

describe('witness registration and its closing', () => {
  it('takes witnesses one at a time and freezes nothing until registration is closed with enough of them', async () => {
    const one = await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('first') });
    expect(one).toMatchObject({ status: 200, json: { round: 1, witnesses: 1, missing: ['至少需要 2 名见证人，目前已登记 1 名'] } });
    expect((await status()).json.stage).toBe('witnesses');
    const early = await coord('POST', `/tasks/${A}/ceremony/close`, {});
    expect(early).toMatchObject({ status: 400, json: { message: '见证人登记尚不能截止：至少需要 2 名见证人，目前已登记 1 名' } });
    expect(await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w1', name: '另一人', role: '企业代表', commitment: sha('x') })).toMatchObject({
      status: 409,
      json: { message: '见证人编号「w1」已登记' },
    });
    // a witness entered by mistake is taken off the list while registration is open (audited)
    expect((await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w9', name: '错登记的人', role: '企业代表', commitment: sha('oops') })).json.witnesses).toBe(2);
    expect((await leader('DELETE', `/tasks/${A}/ceremony/witnesses/w9`)).status).toBe(403);
    expect(await coord('DELETE', `/tasks/${A}/ceremony/witnesses/w9`)).toMatchObject({ status: 200, json: { round: 1, witnesses: 1, missing: ['至少需要 2 名见证人，目前已登记 1 名'] } });
    expect(await coord('DELETE', `/tasks/${A}/ceremony/witnesses/w9`)).toMatchObject({ status: 404, json: { message: '第 1 轮登记的见证人「w9」不存在' } });
    const trail = (await coord('GET', `/tasks/${A}/audit`)).json as { what: string; data: { witness?: { id: string } } }[];
    expect(trail.filter((a) => a.what === 'ceremony.witness-removed').map((a) => a.data.witness?.id)).toEqual(['w9']);
    // a leader cannot close registration (the coordinator's act), nor can an unsigned caller
    expect((await leader('POST', `/tasks/${A}/ceremony/close`, {})).status).toBe(403);
    expect((await api.call('POST', `/tasks/${A}/ceremony/close`, {})).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect((await status()).json.stage).toBe('witnesses');

    expect((await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('second') })).json).toEqual({ round: 1, witnesses: 2, missing: [] });
    expect((await coord('POST', `/tasks/${A}/ceremony/close`, {})).json).toEqual({ round: 1, witnesses: 2, applied: true });
    await waitForStage(status, 'ceremony');
    expect(await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w3', name: '迟到者', role: '企业代表', commitment: sha('third') })).toMatchObject({ status: 409 });
    expect(await coord('DELETE', `/tasks/${A}/ceremony/witnesses/w2`)).toMatchObject({ status: 409 });
    const pub = await api.call('GET', `/public/tasks/${A}.json`);
    expect(pub.json.rounds[0].freeze.witnesses.map((w: { id: string }) => w.id)).toEqual(['w1', 'w2']);
  });

  it('asks for a discipline-inspection witness where the profile puts the draw under 纪检 supervision', async () => {
    // another task of the same department, ahead of its draw date: the profile now says 纪检
    const B = `${SAMPLE_PLAN_ID}-02`;
    expect((await coord('PUT', `/departments/${SAMPLE_MAIN_DEPT}/profile`, { draw: { disciplineSupervision: true } })).status).toBe(200);
    try {
      clock.set('2026-04-20T01:00:00Z');
      const statusB = (): Promise<Call> => coord('GET', `/tasks/${B}/status`);
      expect((await coord('POST', `/tasks/${B}/launch`, {})).status).toBe(201);
      await waitForStage(statusB, 'approval');
      await leader('POST', `/tasks/${B}/approval`, { approve: true });
      await waitForStage(statusB, 'witnesses');
      const two = await coord('POST', `/tasks/${B}/ceremony/witnesses`, {
        witnesses: [
          { id: 'q1', name: '企业代表甲', role: '企业代表', commitment: sha('q1') },
          { id: 'q2', name: '企业代表乙', role: '企业代表', commitment: sha('q2') },
        ],
      });
      const need = '本部门的抽取须在纪检部门监督下进行，请登记一名纪检监督人员（身份含“纪检”）为见证人';
      expect(two.json).toEqual({ round: 1, witnesses: 2, missing: [need] });
      expect(await coord('POST', `/tasks/${B}/ceremony/close`, {})).toMatchObject({ status: 400, json: { issues: [{ field: 'witnesses', message: need }] } });
      expect((await coord('POST', `/tasks/${B}/ceremony/witnesses`, { id: 'j1', name: '驻局纪检员', role: '驻局纪检组', commitment: sha('j1') })).json.missing).toEqual([]);
      expect((await coord('POST', `/tasks/${B}/ceremony/close`, {})).status).toBe(200);
      await waitForStage(statusB, 'ceremony');
      // B's round ends here, on record: an outcome record in the department's chain
      expect((await coord('POST', `/tasks/${B}/ceremony/abort`, { reason: '演示：纪检监督规则' })).status).toBe(200);
      await waitForStage(statusB, 'failed');
    } finally {
      await coord('PUT', `/departments/${SAMPLE_MAIN_DEPT}/profile`, {});
      clock.set('2026-01-12T01:00:00Z');
    }
  });
});

describe('abort and resume of task A', () => {
  it('aborts the open ceremony; launching again says how to go on instead of succeeding', async () => {
    expect((await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w1', secret: 'first' })).json).toEqual({ round: 1, recorded: true, missing: ['企业代表'] });
    expect(await coord('POST', `/tasks/${A}/ceremony/abort`, { reason: '企业代表未到场' })).toMatchObject({ status: 200, json: { aborted: true } });
    const failed = await waitForStage(status, 'failed');
    expect(failed.json.failure).toMatchObject({ error: 'CeremonyAborted', cause: '抽取仪式中止：企业代表未到场' });
    const again = await coord('POST', `/tasks/${A}/launch`, {});
    expect(again.status).toBe(409);
    expect(again.json.message).toContain(`任务「${A}」已终止（抽取仪式中止：企业代表未到场），再次启动不会继续`);
    expect(again.json.message).toContain('恢复申请');
    expect(await coord('POST', `/tasks/${A}/ceremony/abort`, { reason: '再中止一次' })).toMatchObject({ status: 409 });
  });

  it('resumes with a new round after a reasoned request and a leader’s reasoned approval', async () => {
    expect(await leader('POST', `/tasks/${A}/approval`, { approve: true, reason: '同意', subject: 'resume' })).toMatchObject({ status: 409, json: { message: '没有待批准的恢复申请' } });
    const short = await coord('POST', `/tasks/${A}/resume`, { reason: '重来' });
    expect(short).toMatchObject({ status: 400, json: { error: 'ValidationError' } });
    expect(short.json.issues[0].message).toBe('请写明恢复的理由（至少 5 个字）');
    expect(await coord('POST', `/tasks/${A}/resume`, { reason: '企业代表已到场，重新组织抽取仪式' })).toMatchObject({
      status: 202,
      json: { message: '恢复申请已提交，待分管领导批准；原抽取记录保持公开' },
    });
    expect(await coord('POST', `/tasks/${A}/resume`, { reason: '再次申请恢复任务' })).toMatchObject({ status: 409, json: { message: '已有待批准的恢复申请' } });
    expect((await coord('POST', `/tasks/${A}/launch`, {})).json.message).toContain('恢复申请已提交，待分管领导批准');
    // it waits for a leader: counted among his decisions (console home and task list, leadership summary)
    expect(await pendingLeaderDecisions(SAMPLE_MAIN_DEPT)).toMatchObject([{ taskId: A, kind: 'resume', label: '恢复申请待审批', reason: '企业代表已到场，重新组织抽取仪式' }]);
    const row = ((await leader('GET', `/departments/${SAMPLE_MAIN_DEPT}/tasks`)).json as { taskId: string }[]).find((r) => r.taskId === A);
    expect(row).toMatchObject({ decision: { kind: 'resume' }, next: { who: 'leader' } });
    expect(await leader('POST', `/tasks/${A}/approval`, { approve: true, subject: 'resume' })).toMatchObject({ status: 400, json: { message: '批准恢复时请写明理由' } });

    const mailsBefore = approvalMails();
    expect((await leader('POST', `/tasks/${A}/approval`, { approve: true, reason: '原因已消除，同意恢复', subject: 'resume' })).json).toEqual({ resume: 'approved', round: 2 });
    expect((await leader('POST', `/tasks/${A}/approval`, { approve: true, reason: '原因已消除，同意恢复', subject: 'resume' })).status).toBe(409);
    // the plan form was approved before: the new execution goes straight to the witnesses
    await waitForStage(status, 'witnesses');
    expect(approvalMails()).toBe(mailsBefore);
    await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w1', name: '纪检监督员', role: '纪检监督', commitment: sha('r2-one') });
    await coord('POST', `/tasks/${A}/ceremony/witnesses`, { id: 'w2', name: '企业代表', role: '企业代表', commitment: sha('r2-two') });
    expect((await coord('POST', `/tasks/${A}/ceremony/close`, {})).json).toEqual({ round: 2, witnesses: 2, applied: true });
    await waitForStage(status, 'ceremony');
    passBeacon();
    await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w1', secret: 'r2-one' });
    await coord('POST', `/tasks/${A}/ceremony/reveal`, { witnessId: 'w2', secret: 'r2-two' });
    const drawn = await waitForStage(status, 'results');
    expect(drawn.json).toMatchObject({ drawRound: 2 });
    expect(drawn.json.failure).toBeUndefined();

    const pub = await api.call('GET', `/public/tasks/${A}.json`);
    expect(pub.json.rounds).toMatchObject([
      { round: 1, status: 'aborted', abortReason: '企业代表未到场' },
      { round: 2, status: 'drawn', resume: { after: '抽取仪式中止：企业代表未到场', reason: '企业代表已到场，重新组织抽取仪式', approvalReason: '原因已消除，同意恢复' } },
    ]);
    const page = await api.call('GET', `/public/tasks/${A}`);
    expect(page.text).toContain('恢复申请理由：企业代表已到场，重新组织抽取仪式');
    const record = await api.call('GET', `/public/tasks/${A}/draw?round=2`);
    expect(verifyRecordV2(JSON.parse(record.text))).toMatchObject({ ok: true });
    const audit = (await coord('GET', `/tasks/${A}/audit`)).json as { items?: { what: string }[] } | { what: string }[];
    const whats = (Array.isArray(audit) ? audit : (audit.items ?? [])).map((x) => x.what);
    expect(whats).toEqual(expect.arrayContaining(['ceremony.aborted', 'resume.requested', 'resume.approved', 'ceremony.closed']));
  }, 180_000);

  it('refuses an abort after the draw and adds no round to the announcement', async () => {
    const before = (await api.call('GET', `/public/tasks/${A}.json`)).json.rounds;
    const r = await coord('POST', `/tasks/${A}/ceremony/abort`, { reason: '误操作' });
    expect(r).toMatchObject({ status: 409, json: { message: '当前阶段（results）没有进行中的抽取仪式，不能中止；抽取完成后如需重新抽取，请提交重新抽取申请' } });
    expect((await api.call('GET', `/public/tasks/${A}.json`)).json.rounds).toEqual(before);
    expect((await status()).json.stage).toBe('results');
  });
});

describe("the department's chain of rounds", () => {
  it('lists every round (aborted ones too); suiji verify --chain over the published records passes and names a missing or replaced round', async () => {
    const chain = (await api.call('GET', `/public/departments/${SAMPLE_MAIN_DEPT}/chain?format=json`)).json as { rounds: { round: number; taskId: string; taskRound: number; status: string; recordKey?: string }[] };
    expect(chain.rounds.map((r) => [r.round, r.taskId, r.status])).toEqual([
      [1, A, 'aborted'],
      [2, `${SAMPLE_PLAN_ID}-02`, 'aborted'],
      [3, A, 'drawn'],
    ]);
    const page = await api.call('GET', `/public/departments/${SAMPLE_MAIN_DEPT}/chain`);
    expect(page.text).toContain('suiji verify --chain');
    const records = await Promise.all(chain.rounds.map(async (r) => JSON.parse((await api.call('GET', `/public/tasks/${r.taskId}/draw?round=${r.taskRound}`)).text) as Record<string, unknown>));
    expect(records[0]).toMatchObject({ algorithm: 'suiji-draw-v2', outcome: 'aborted', reason: '企业代表未到场' });
    const ok = verifyChain(records);
    expect(ok).toMatchObject({ ok: true });
    expect(ok.ok && ok.summary).toContain('1:aborted 2:aborted 3:drawn');

    // a round left out
    expect(verifyChain([records[0], records[2]])).toMatchObject({ ok: false, error: expect.stringContaining('缺少第 2 轮') });
    // a round replaced by another freeze record (re-digested so that it verifies on its own)
    const replaced = structuredClone(records[1]) as { freeze: Record<string, unknown>; freezeDigest: string; freezeDigestSm3: string; close: { freezeDigest: string } | null };
    replaced.freeze.frozenAt = '2026-04-20T01:00:01.000Z';
    const d = digestsOf(replaced.freeze);
    replaced.freezeDigest = d.sha256;
    replaced.freezeDigestSm3 = d.sm3;
    if (replaced.close) replaced.close.freezeDigest = d.sha256;
    const r = verifyChain([records[0], replaced, records[2]]);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('第 2 轮被替换') });

    // the same through `suiji verify --chain` on the downloaded files
    const dir = mkdtempSync(join(tmpdir(), 'suiji-chain-'));
    const files = records.map((rec, k) => {
      const f = join(dir, `round-${k + 1}.json`);
      writeFileSync(f, JSON.stringify(rec));
      return f;
    });
    writeFileSync(join(dir, 'replaced.json'), JSON.stringify(replaced));
    const run = async (paths: string[]): Promise<{ code: number; out: string }> => {
      const lines: string[] = [];
      const code = await runVerifyChain(paths, (l) => lines.push(l));
      return { code, out: lines.join('\n') };
    };
    expect(await run(files)).toMatchObject({ code: 0, out: expect.stringContaining('第 1–3 轮连续') });
    expect(await run([files[0]!, files[2]!])).toMatchObject({ code: 1, out: expect.stringContaining('缺少第 2 轮') });
    expect(await run([files[0]!, join(dir, 'replaced.json'), files[2]!])).toMatchObject({ code: 1, out: expect.stringContaining('第 2 轮被替换') });
  });
});

describe('a task whose plan form the leader sent back (PlanRejected)', () => {
  const C = `${SAMPLE_PLAN_ID}-03`; // draw date 2026-06-18
  const statusC = (): Promise<Call> => coord('GET', `/tasks/${C}/status`);
  const approvalMailsFor = (): number => platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(SAMPLE_LEADER_EMAIL) && e.subject.includes('审批') && (e.body.text ?? '').includes('第三次内部联合随机抽查')).length;

  it('is resumed: launch says what to do, the resume sends the plan form to the leaders again, the approval goes on to the witnesses', async () => {
    clock.set('2026-06-18T01:00:00Z');
    expect((await coord('POST', `/tasks/${C}/launch`, {})).status).toBe(201);
    await waitForStage(statusC, 'approval');
    expect(approvalMailsFor()).toBe(1);
    expect((await leader('POST', `/tasks/${C}/approval`, { approve: false, reason: '抽查事项与本季度重点不符' })).json).toMatchObject({ approved: false, applied: true });
    await waitForStage(statusC, 'failed');
    // what the console's task page and `suiji task status` show of it
    const failed = (await coord('GET', `/tasks/${C}/summary`)).json;
    expect(failed).toMatchObject({
      stage: 'failed',
      stageName: '已终止',
      failure: { error: 'PlanRejected', cause: expect.stringContaining('抽查事项与本季度重点不符') },
      next: { who: 'coordinator', what: '任务已终止：如需继续，提交恢复申请（写明理由）' },
    });
    const again = await coord('POST', `/tasks/${C}/launch`, {});
    expect(again.status).toBe(409);
    expect(again.json.message).toContain('任务计划被分管领导退回（任务计划未获批准');
    expect(again.json.message).toContain('再提交恢复申请并写明如何处理');

    expect((await coord('POST', `/tasks/${C}/resume`, { reason: '已按领导意见调整抽查事项说明' })).status).toBe(202);
    expect(await pendingLeaderDecisions(SAMPLE_MAIN_DEPT)).toMatchObject([{ taskId: C, kind: 'resume' }]);
    expect((await coord('GET', `/tasks/${C}/summary`)).json).toMatchObject({ resumeRequest: { reason: '已按领导意见调整抽查事项说明' }, next: { who: 'leader', what: '分管领导审批恢复申请' } });
    const row = ((await leader('GET', `/departments/${SAMPLE_MAIN_DEPT}/tasks`)).json as { taskId: string }[]).find((r) => r.taskId === C);
    expect(row).toMatchObject({ stageName: '已终止', decision: { kind: 'resume', label: '恢复申请待审批' }, next: { who: 'leader', what: '恢复申请待审批' } });
    expect((await leader('POST', `/tasks/${C}/approval`, { approve: true, reason: '同意重新报审', subject: 'resume' })).json).toEqual({ resume: 'approved', round: 1 });
    // the plan form waits for a fresh decision, announced by a new approval mail; the rejection stays on record
    await waitForStage(statusC, 'approval');
    await expect.poll(approvalMailsFor, { timeout: 30_000 }).toBe(2);
    expect(await pendingLeaderDecisions(SAMPLE_MAIN_DEPT)).toMatchObject([{ taskId: C, kind: 'plan' }]);
    expect((await leader('POST', `/tasks/${C}/approval`, { approve: true })).json).toMatchObject({ approved: true, applied: true });
    await waitForStage(statusC, 'witnesses');
    const whats = ((await coord('GET', `/tasks/${C}/audit`)).json as { what: string }[]).map((x) => x.what);
    expect(whats).toEqual(expect.arrayContaining(['plan.rejected', 'resume.requested', 'resume.approved', 'plan.approved']));
  }, 180_000);
});
