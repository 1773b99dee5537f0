/**
 * Recovery from stored state (issue 12, the fault-injection suite's findings), against the local
 * stack (DynamoDB Local, the SES emulator stopped and restarted):
 *
 * - Owed confirmation mails were sent only as a side effect of result traffic, and that drain
 *   stopped at the first failure: after the SES emulator had been down for a minute, 387 mails
 *   stayed owed. Now the recovery job (JobRecover, `rate(1 minute)`) sends every due item, goes
 *   on past a failing one, backs off per item, ends a run when the mail service keeps failing,
 *   and sends each mail once (claims are conditional writes; two drains at once send one mail).
 * - A stage's task token claimed by a request that then died (or whose claim could not be given
 *   back because DynamoDB was down) stayed claimed forever: the task never left its stage. Now a
 *   claim without a confirmed call expires after a lease and the next observer uses the token.
 */
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { startLocalSes, type LocalSes } from '../../shared/dev/local/ses.js';
import { LocalScheduler } from '../../shared/dev/local/scheduler.js';
import { ManualClock, now, resetClock } from '../../shared/clock.js';
import { getItem, putItem } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { getOwed, owedCount, owedDue, type OwedConfirmation } from '../../shared/store/outbox.js';
import { claimToken, confirmTokenUsed, saveToken } from '../../shared/store/tasks.js';
import { enterResult } from '../../shared/lifecycle/progress.js';
import { confirmationKey, drainOwedConfirmations } from '../../shared/usecases/confirmations.js';
import { mailTransport } from '../../shared/mail/transport/index.js';
import { jointResult, jointTaskAtWork, JOINT_TASK as TASK, type TargetWithInspector } from './fixture.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
let platform: Platform;
let mine: TargetWithInspector[];
let ses: LocalSes | undefined;
const later = (ms: number) => clock.set(new Date(now().getTime() + ms).toISOString());

beforeAll(async () => {
  const w = await jointTaskAtWork(clock);
  platform = w.s.platform;
  mine = w.mine;
}, 240_000);

afterAll(async () => {
  resetClock();
  await ses?.stop();
  await platform?.stop();
});

/** Store a version through the form channel, as a request killed right after its transaction. */
async function storedByForm(t: (typeof mine)[number], remark: string): Promise<OwedConfirmation> {
  const r = await enterResult(TASK, t.uscc, jointResult(t.team, ['1'], { remark }), { by: t.me.email, role: 'inspector', inspector: { department: t.me.department, id: t.me.id } }, 'form');
  const owed = await getOwed(TASK, t.uscc, r.progress.resultVersion!);
  expect(owed, 'the transaction that stored the result wrote the owed confirmation').toBeDefined();
  return owed!;
}

const inboxOf = (box: LocalSes, text: string) => box.emails().filter((m) => (m.body.text ?? m.body.html ?? '').includes(text));

describe('the recovery job sends what is owed', () => {
  it('SES down: items are deferred with back-off, the run ends after failures in a row; SES back: every item is sent once, past a failing one', async () => {
    const owed = [];
    for (const [k, t] of mine.entries()) {
      owed.push(await storedByForm(t, `恢复-${k}`));
      later(1000); // owed in this order: the drain takes the longest owed first
    }
    // within the grace period the request that stored it may still send it: not due yet
    expect((await owedDue(now().toISOString(), 100)).items).toHaveLength(0);
    later(60_000);
    expect((await owedDue(now().toISOString(), 100)).items).toHaveLength(3);

    await platform.ses.stop();
    const down = await drainOwedConfirmations({ stopAfterFailures: 2 });
    expect(down).toMatchObject({ sent: 0, failed: 2, stopped: 'failing' });
    // the two tried are deferred 30 s (attempt 1); the third is still due now
    expect((await owedDue(now().toISOString(), 100)).items).toHaveLength(1);
    later(31_000);
    expect((await owedDue(now().toISOString(), 100)).items).toHaveLength(3);
    const tried = (await Promise.all(owed.map((o) => getOwed(o.taskId, o.uscc, o.version)))).filter((o) => o?.attempts === 1);
    expect(tried).toHaveLength(2);
    expect(tried[0]!.lastError).toBeTruthy();

    ses = await startLocalSes({ port: platform.ses.port, persistFile: join(platform.dataDir, 'inbox-recovery.jsonl') });
    // One message the mail service refuses (its own fault, not an outage): the others still go.
    // Told by its text, not its address: the drawn teams may all begin with the same inspector.
    const transport = mailTransport();
    const send = transport.send.bind(transport);
    transport.send = async (m) => {
      if ((await simpleParser(m.raw)).text?.includes('恢复-0')) throw Object.assign(new Error('Message rejected'), { name: 'MessageRejected' });
      return send(m);
    };
    try {
      const up = await drainOwedConfirmations({ stopAfterFailures: 2 });
      expect(up).toMatchObject({ sent: 2, failed: 1 });
      expect(up.stopped).toBeUndefined();
    } finally {
      transport.send = send;
    }
    expect(inboxOf(ses, '恢复-1')).toHaveLength(1);
    expect(inboxOf(ses, '恢复-2')).toHaveLength(1);
    const failing = (await getOwed(owed[0]!.taskId, owed[0]!.uscc, owed[0]!.version))!;
    expect(failing).toMatchObject({ attempts: 2, lastError: 'MessageRejected' });
    // its back-off doubled: not due 30 s later, due after a minute
    later(31_000);
    expect((await owedDue(now().toISOString(), 100)).items).toHaveLength(0);
    later(30_000);

    // two drains at the same moment (two job runs overlapping): one mail
    const both = await Promise.all([drainOwedConfirmations(), drainOwedConfirmations()]);
    expect(both[0].sent + both[1].sent).toBe(1);
    expect(await owedCount()).toBe(0);
    for (const k of [0, 1, 2]) expect(inboxOf(ses, `恢复-${k}`)).toHaveLength(1);
    for (const o of owed) expect(await getItem(K.mailLog(confirmationKey(o)))).toMatchObject({ status: 'sent' });
  });

  it('a sender that died while sending: its log record is taken over after the lease (sent), a live one is left alone', async () => {
    const t = mine[1]!;
    const o = await storedByForm(t, '发送中断');
    later(60_000);
    // another sender is sending right now (its log record is fresh): the item stays owed
    await putItem({ ...K.mailLog(confirmationKey(o)), entity: 'mail', kind: 'result-confirmation', to: [t.me.email], cc: [], at: now().toISOString(), status: 'sending' });
    expect(await drainOwedConfirmations()).toMatchObject({ sent: 0, busy: 1 });
    expect(await getOwed(o.taskId, o.uscc, o.version)).toBeDefined();
    // it never finished: after the lease the record is taken over and the mail goes out
    later(3 * 60_000);
    expect(await drainOwedConfirmations()).toMatchObject({ sent: 1 });
    expect(inboxOf(ses!, '发送中断')).toHaveLength(1);
    expect(await getOwed(o.taskId, o.uscc, o.version)).toBeUndefined();
  });

  it('runs every minute from the template on the local scheduler (EventBridge Scheduler in AWS)', async () => {
    const scheduler = new LocalScheduler({ template: platform.lambdas.template, lambdas: platform.lambdas, log: () => undefined });
    const recovery = scheduler.schedules.find((s) => s.name.startsWith('Recovery'));
    expect(recovery).toMatchObject({ expression: 'rate(1 minute)', target: { kind: 'lambda' } });
    expect(platform.lambdas.find(recovery!.target.arn).entry).toMatch(/functions\/jobs\/recover\.ts$/);
    const t = mine[2]!;
    await storedByForm(t, '定时发送');
    const from = now();
    later(3 * 60_000);
    const fired = (await scheduler.runDue(from, now())).filter((f) => f.schedule === recovery!.name);
    expect(fired.length).toBe(3);
    expect(fired.every((f) => f.ok)).toBe(true);
    expect(inboxOf(ses!, '定时发送')).toHaveLength(1);
    expect(await owedCount()).toBe(0);
  });
});

describe("a stage's token claimed by a request that died", () => {
  it('is claimed again after the lease unless its call was confirmed', async () => {
    const task = 'lease-test';
    await saveToken(task, 'results', 'tok-1', 1);
    const first = await claimToken(task, 'results', 'success');
    expect(first?.token).toBe('tok-1');
    expect(await claimToken(task, 'results', 'success')).toBeUndefined();
    later(61_000);
    const again = await claimToken(task, 'results', 'success');
    expect(again?.token, 'a claim without a confirmed call expires').toBe('tok-1');
    await confirmTokenUsed(task, 'results', again!.usedAt);
    later(10 * 60_000);
    expect(await claimToken(task, 'results', 'success'), 'a confirmed use is final').toBeUndefined();
  });
});
