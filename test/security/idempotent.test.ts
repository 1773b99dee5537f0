/**
 * Idempotent under failure (issue 12, 11). The defects this reproduces: two copies of the same
 * result entry at the same moment (a client retrying while the first is still in flight) got a
 * 409 for the second; a retry after a lost answer was not told it was stored; while DynamoDB or
 * SES was down, requests answered 500 although the result was stored, and no confirmation mail
 * ever went out for them (the mail was sent by the request, after the write).
 *
 * Now a retry of what is stored answers 200 with the stored result; the form carries a
 * submission id, asks the server after a failed save whether it is stored, and a repeated POST
 * (even on the used-up link) gets the stored result; the confirmation is owed from the same
 * transaction as the result (store/outbox.ts) and sent exactly once by whoever gets to it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { startLocalSes, type LocalSes } from '../../shared/dev/local/ses.js';
import { ManualClock, resetClock } from '../../shared/clock.js';
import { getProgress, getTask } from '../../shared/store/tasks.js';
import { getItem } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { getOwed } from '../../shared/store/outbox.js';
import { enterResult } from '../../shared/lifecycle/progress.js';
import { assignmentLink } from '../../shared/lifecycle/notify.js';
import { drainOwedConfirmations } from '../../shared/usecases/confirmations.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import type { ApiClient } from '../helpers/api.js';
import { JOINT_ITEMS, jointResult, jointTaskAtWork, JOINT_TASK as TASK, type As } from './fixture.js';
import { resultForm } from '../helpers/result-form.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
let platform: Platform;
let api: ApiClient;
/** The task's targets, each with the first inspector of its team. */
let mine: { uscc: string; team: string[]; me: Inspector; as: As }[];
let ses: LocalSes | undefined;

beforeAll(async () => {
  const w = await jointTaskAtWork(clock);
  ({ platform, api } = w.s);
  mine = [];
  for (const t of w.mine) mine.push({ ...t, as: await api.as(t.me.email) });
}, 240_000);

afterAll(async () => {
  resetClock();
  await ses?.stop();
  await platform?.stop();
});

const confirmKey = (t: { uscc: string; me: Inspector }, v: number) => `confirm#${TASK}#${t.uscc}#v${v}#${t.me.id}`;

async function sesDown(): Promise<void> {
  await (ses ?? platform.ses).stop();
}
async function sesUp(): Promise<LocalSes> {
  ses = await startLocalSes({ port: platform.ses.port, persistFile: join(platform.dataDir, 'inbox-restarted.jsonl') });
  return ses;
}

/** The result form's fields for a target, with its submission id from the rendered form. */
async function formOf(link: string, t: { uscc: string; team: string[] }): Promise<URLSearchParams> {
  const page = await api.call('GET', `/l/${link}?t=${t.uscc}`);
  expect(page.status).toBe(200);
  const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(page.text)?.[1];
  expect(submission, 'the form carries a submission id').toBeDefined();
  return resultForm({ submission: submission!, items: JOINT_ITEMS, checkDate: '2026-05-19', present: t.team.slice(0, 2), signed: true });
}
/** A form POST, and what it left to run after its answer (the confirmation's sender) finished. */
async function post(link: string, uscc: string, form: URLSearchParams) {
  const r = await api.call('POST', `/l/${link}?t=${uscc}`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  await platform.lambdasIdle();
  return r;
}

describe('a retried result entry returns the stored one', () => {
  it('three identical PUTs at the same moment store one result: one 201, two 200 with the stored result (was 409)', async () => {
    const t = mine[0]!;
    const before = (await getTask(TASK))!.reached?.resultEntered ?? 0;
    const body = jointResult(t.team);
    const rs = await Promise.all([0, 1, 2].map(() => t.as('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, body)));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    for (const r of rs) expect(r.json.resultVersion).toBe(1);
    for (const r of rs.filter((x) => x.status === 200)) expect(r.json).toMatchObject({ unchanged: true, result: { codes: ['1'], checkDate: '2026-05-19' } });
    const p = (await getProgress(TASK, t.uscc))!;
    expect(p.history.filter((h) => h.status === 'result_entered')).toHaveLength(1);
    expect((await getTask(TASK))!.reached?.resultEntered).toBe(before + 1);
  });

  it('a retry after the answer was lost gets 200 and the stored result', async () => {
    const t = mine[1]!;
    // stored, but its caller never heard (DynamoDB answered after the client gave up)
    await enterResult(TASK, t.uscc, jointResult(t.team), { by: t.me.email, role: 'inspector', inspector: { department: t.me.department, id: t.me.id } }, 'api');
    const r = await t.as('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, jointResult(t.team));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ unchanged: true, resultVersion: 1, result: { codes: ['1'] } });
    // different content is a correction, as before
    const c = await t.as('PUT', `/tasks/${TASK}/targets/${t.uscc}/result`, jointResult(t.team, ['1'], { remark: '补充说明' }));
    expect(c.json).toMatchObject({ corrected: true, resultVersion: 2 });
  });
});

describe('the form when saving fails half-way', () => {

  it('SES down: the result is stored and the page says so (was 500); the confirmation is owed, then sent once by the retry', async () => {
    const t = mine[2]!;
    const link = await assignmentLink(TASK, 1, t.me);
    const form = await formOf(link, t);
    await sesDown();
    const r = await post(link, t.uscc, form);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.text).toContain('检查结果已录入');
    expect((await getProgress(TASK, t.uscc))!.resultVersion).toBe(1);
    expect(await getOwed(TASK, t.uscc, 1)).toBeDefined();
    expect(await getItem(K.mailLog(confirmKey(t, 1)))).toBeUndefined();

    // the form's check after its failed save: stored, this submission
    const check = await api.call('GET', `/l/${link}?t=${t.uscc}&check=${form.get('submission')}`);
    expect(check.json).toEqual({ saved: true, version: 1 });
    const other = await api.call('GET', `/l/${link}?t=${t.uscc}&check=00000000-0000-4000-8000-000000000000`);
    expect(other.json).toEqual({ saved: false, version: 1 });

    const inbox = await sesUp();
    const again = await post(link, t.uscc, form);
    expect(again.status).toBe(200);
    expect(again.text).toContain('未重复记录');
    await post(link, t.uscc, form);
    expect(await getOwed(TASK, t.uscc, 1)).toBeUndefined();
    expect(await getItem(K.mailLog(confirmKey(t, 1)))).toMatchObject({ status: 'sent' });
    // the restarted emulator's inbox holds only what was sent since
    const mails = inbox.emails().filter((m) => m.destination.to.some((to) => to.includes(t.me.email)));
    expect(mails).toHaveLength(1);
    expect((await getProgress(TASK, t.uscc))!.resultVersion).toBe(1);
  });

  it('nobody retries: the owed confirmation (of a correction) goes out with the next drain (the recovery job), exactly once', async () => {
    const t = mine[2]!;
    const link = await assignmentLink(TASK, 1, t.me);
    const form = await formOf(link, t);
    form.append('remark', '更正：补充签字人职务');
    await sesDown();
    const r = await post(link, t.uscc, form);
    expect(r.status).toBe(200);
    expect(r.text).toContain('已更正');
    expect(await getOwed(TASK, t.uscc, 2)).toBeDefined();
    const inbox = await sesUp();
    clock.set('2026-05-20T02:05:00Z');
    const d1 = await drainOwedConfirmations();
    expect(d1).toMatchObject({ failed: 0 });
    expect(d1.sent).toBeGreaterThanOrEqual(1);
    const d2 = await drainOwedConfirmations();
    expect(d2.sent).toBe(0);
    expect(await getOwed(TASK, t.uscc, 2)).toBeUndefined();
    expect(await getItem(K.mailLog(confirmKey(t, 2)))).toMatchObject({ status: 'sent' });
    expect(inbox.emails().filter((m) => (m.body.text ?? m.body.html ?? '').includes('补充签字人职务'))).toHaveLength(1);
  });
});
