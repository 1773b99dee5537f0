/**
 * Mail flows end to end on DynamoDB Local and the SES emulator:
 *   - the daily job sends an inspector a reminder digest with `Reply-To: r+<token>@…`; a reply
 *     with two valid lines and one bad line records two results (through enterResult, 'mail')
 *     and answers, threaded, with the error for the third; quoted text and signature are
 *     ignored; the same message again changes nothing;
 *   - a reply from another address, or with failing SPF or DKIM, or to an unknown token changes
 *     nothing and is not answered; the log says so without the token or the addresses;
 *   - a message delivered twice at once is handled once (claimed by Message-ID first);
 *   - the S3 path (receipt rule → inbound/ → handler) and the local Lambda event;
 *   - a permanent bounce marks the inspector and suppresses the address and tells the
 *     coordinator once; a transient bounce is only logged; a complaint suppresses too; the next
 *     digest to the bounced address is skipped without a second notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import type { TestStack } from '../helpers/local-aws.js';
import { captureOutput } from '../helpers/capture.js';
import { sesReply } from '../helpers/inbound.js';
import { addressOf, assign, createDepartment, inbox, startMailStack, textOf, to, type DeptFixture, type Inbox, type MailStack } from '../jobs/fixtures.js';
import { runDeadlineJob } from '../../shared/jobs/deadlines.js';
import { handleInboundMail, handleInboundS3Event, PAPER_SIGNER } from '../../shared/mail/inbound.js';
import { handleSnsRecords, type SesEvent } from '../../shared/mail/events.js';
import { handler as inboundHandler } from '../../functions/mail/inbound.js';
import { isSuppressed } from '../../shared/mail/send.js';
import { putBlob } from '../../shared/blobs.js';
import { getInspector } from '../../shared/store/registry.js';
import { getProgress } from '../../shared/store/tasks.js';
import { ManualClock } from '../../shared/clock.js';
import type { LocalSes } from '../../shared/dev/local/ses.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';

let stack: TestStack;
let ses: LocalSes;
let mail: MailStack;
let box: Inbox;
let F: DeptFixture;
let m: Inspector[];
let U: Target[];
let token: string;
let task: string;
const clock = new ManualClock('2026-03-10T01:00:00Z');

/** A reply as SES receiving stores it (token defaults to the digest's). */
const reply = (o: Omit<Parameters<typeof sesReply>[0], 'token'> & { token?: string }): Buffer => sesReply({ ...o, token: o.token ?? token });

beforeAll(async () => {
  mail = await startMailStack(clock);
  ({ stack, ses } = mail);
  F = await createDepartment('mf', 'qinhuangdao-samr-2023', { inspectors: 4, targets: 6, seed: 7000 });
  m = F.inspectors; // m1 甲, m2 乙, m3 甲, m4 乙
  U = F.targets;
  task = F.taskIds[0]!;
  const [m1, m2, m3, m4] = m as [Inspector, Inspector, Inspector, Inspector];
  await assign(task, [
    { target: U[0]!, team: [m1, m2], dueEntry: '2026-03-13' },
    { target: U[1]!, team: [m1, m3], dueEntry: '2026-03-13' },
    { target: U[2]!, team: [m2, m3], dueEntry: '2026-03-13' },
    { target: U[3]!, team: [m1, m2], dueEntry: '2026-03-13' },
    { target: U[4]!, team: [m1, m4], dueEntry: '2026-03-13' },
    { target: U[5]!, team: [m3, m4], dueEntry: '2026-03-16' },
  ]);
  box = inbox(ses);
  await runDeadlineJob('2026-03-10');
  const digest = box.take().find((x) => to(x).includes(m1.email) && x.subject.includes('到期提醒'))!;
  expect(digest, 'm1 reminder digest').toBeDefined();
  token = /^r\+([a-z2-7]{26})@/.exec(addressOf(digest.replyTo[0]!))![1]!;
  expect(textOf(digest)).toContain('回复录入结果');
}, 180_000);

afterAll(() => mail?.stop());

describe('reply by mail', () => {
  it('records two valid lines, rejects the third with its reason, ignores quoted text and signature, and answers threaded', async () => {
    const body = [
      '各位好，检查结果如下：',
      `${U[0]!.uscc} 1`,
      `${U[1]!.uscc} A,D 施工现场未按规定设置安全防护`,
      `${U[3]!.uscc} A`,
      '',
      '-- ',
      '检查员甲',
      `${U[4]!.uscc} 1`,
      '',
      '在 2026年3月10日 08:00，双随机 <suiji@example.gov.cn> 写道：',
      `> ${U[2]!.uscc} 1`,
    ].join('\n');
    const raw = reply({ from: m[0]!.email, body, id: 'reply-1', inReplyTo: '<digest-1@example.gov.cn>' });
    const out = await handleInboundMail(raw);
    expect(out.status).toBe('applied');
    expect(out.recorded.map((r) => r.uscc)).toEqual([U[0]!.uscc, U[1]!.uscc]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.line).toBe(`${U[3]!.uscc} A`);
    expect(out.rejected[0]!.reasons.join('')).toContain('所选检查结果须描述发现的问题');
    expect(out.ignoredLines).toEqual(['各位好，检查结果如下：']);

    const p0 = (await getProgress(task, U[0]!.uscc))!;
    expect(p0.status).toBe('result_entered');
    expect(p0.result).toMatchObject({
      codes: ['1'],
      via: 'mail',
      enteredBy: m[0]!.id,
      methods: ['实地核查'],
      checkDate: '2026-03-10',
      present: [m[0]!.id, m[1]!.id],
      signature: { signed: true, signer: PAPER_SIGNER },
      itemOutcomes: F.items.map((i) => ({ itemId: i.id, outcome: 'pass' })),
    });
    const p1 = (await getProgress(task, U[1]!.uscc))!;
    expect(p1).toMatchObject({ status: 'result_entered', hasProblem: true, needsFollowUp: true });
    expect(p1.result).toMatchObject({ codes: ['A', 'D'], problems: '施工现场未按规定设置安全防护', itemOutcomes: F.items.map((i) => ({ itemId: i.id, outcome: 'problem' })) });
    for (const u of [U[3]!, U[4]!, U[2]!]) expect((await getProgress(task, u.uscc))!.status).toBe('notified');

    // The problem found opened its follow-up: its notice goes to the team leader and the coordinator.
    const all = box.take();
    const notices = all.filter((x) => x.subject.includes('后续处置：'));
    expect(notices.map((x) => x.subject).every((x) => x.includes(U[1]!.name))).toBe(true);
    expect(notices.flatMap(to)).toContain(F.dept.coordinators[0]!.email);
    const mails = all.filter((x) => !notices.includes(x));
    expect(mails).toHaveLength(1);
    const c = mails[0]!;
    expect(to(c)).toEqual([m[0]!.email]);
    expect(c.subject).toMatch(/^Re: /);
    expect(c.subject).toContain('已录入 2 项，1 项未录入');
    expect(textOf(c)).toContain(`${U[3]!.uscc} A`);
    expect(textOf(c)).toContain('所选检查结果须描述发现的问题');
    expect(textOf(c)).toContain('施工现场未按规定设置安全防护');
    expect(addressOf(c.replyTo[0]!)).toBe(`r+${token}@reply.example.gov.cn`);
    expect(out.confirmation).toMatchObject({ outcome: 'sent', inReplyTo: '<reply-1@example.gov.cn>', to: m[0]!.email });

    // The same message delivered again has no second effect.
    expect((await handleInboundMail(raw)).status).toBe('duplicate');
    expect(box.take()).toEqual([]);
  });

  it('a message delivered twice at the same moment is handled once; a forged message cannot reserve a genuine reply’s Message-ID', async () => {
    const raw = reply({ from: m[0]!.email, body: `${U[0]!.uscc} 1 复查无问题`, id: 'twice-1' });
    const both = await Promise.all([handleInboundMail(raw), handleInboundMail(raw)]);
    expect(both.map((o) => o.status).sort()).toEqual(['applied', 'duplicate']);
    expect(box.take()).toHaveLength(1);
    expect((await getProgress(task, U[0]!.uscc))!.result).toMatchObject({ remark: '复查无问题' });
    // Another sender uses the Message-ID of a reply that has not arrived yet: nothing happens,
    // and the genuine reply is still handled.
    expect((await handleInboundMail(reply({ from: m[1]!.email, body: `${U[0]!.uscc} 1 伪造`, id: 'later-1' }))).status).toBe('unverified');
    expect((await handleInboundMail(reply({ from: m[0]!.email, body: `${U[0]!.uscc} 1`, id: 'later-1' }))).status).toBe('applied');
    expect(box.take()).toHaveLength(1);
  });

  it('changes nothing and answers nothing for another sender, failing SPF or DKIM, or an unknown token', async () => {
    const body = `${U[3]!.uscc} 1`;
    const cases = [
      { name: 'another address', raw: reply({ from: m[1]!.email, body, id: 'x-other' }), status: 'unverified', reason: '不是该提醒邮件的收件人' },
      { name: 'look-alike address', raw: reply({ from: m[0]!.email.replace('@', '@mail.'), body, id: 'x-alike' }), status: 'unverified', reason: '不是该提醒邮件的收件人' },
      { name: 'SPF fail', raw: reply({ from: m[0]!.email, body, id: 'x-spf', spf: 'fail' }), status: 'unverified', reason: 'SPF' },
      { name: 'DKIM fail', raw: reply({ from: m[0]!.email, body, id: 'x-dkim', dkim: 'fail' }), status: 'unverified', reason: 'DKIM' },
      { name: 'unknown token', raw: reply({ from: m[0]!.email, body, id: 'x-token', token: 'a'.repeat(26) }), status: 'ignored', reason: '令牌' },
    ];
    const logged = await captureOutput(async () => {
      for (const c of cases) {
        const out = await handleInboundMail(c.raw);
        expect(out.status, c.name).toBe(c.status);
        expect(out.reasons.join('；'), c.name).toContain(c.reason);
        expect(out.recorded, c.name).toEqual([]);
        expect(out.confirmation, c.name).toBeUndefined();
      }
    });
    // Each refusal is logged, but never with the reply token (a credential) or a whole address.
    expect(logged).toContain('unverified reply');
    expect(logged).toContain(`${token.slice(0, 4)}…`);
    for (const secret of [token, 'a'.repeat(26), m[0]!.email, m[1]!.email]) expect(logged).not.toContain(secret);
    expect((await getProgress(task, U[3]!.uscc))!.status).toBe('notified');
    expect(box.take()).toEqual([]);
  });

  it('handles a reply stored under inbound/ (S3 event) and the local Lambda event; rejects a target of another team', async () => {
    await putBlob('inbound/ses-message-2', reply({ from: m[0]!.email, body: `${U[4]!.uscc} 1 现场检查正常\n${U[2]!.uscc} 1`, id: 'reply-2' }));
    const [out] = await handleInboundS3Event({ Records: [{ s3: { object: { key: 'inbound/ses-message-2' } } }] });
    expect(out!.recorded.map((r) => r.uscc)).toEqual([U[4]!.uscc]);
    expect(out!.rejected[0]!.reasons[0]).toContain('不是您所在检查组负责的检查对象');
    expect((await getProgress(task, U[4]!.uscc))!.result).toMatchObject({ remark: '现场检查正常' });

    // The form of POST /local/inbound-mail on the local platform: { local: true, raw: base64 }.
    const raw3 = reply({ from: m[0]!.email, body: `${U[3]!.uscc} A,B 未按规定公示年度报告`, id: 'reply-3' });
    const ctx = { functionName: 'MailInbound', awsRequestId: 'test-1', invokedFunctionArn: 'arn:aws:lambda:cn-north-1:000000000000:function:MailInbound', memoryLimitInMB: '1024' } as unknown as Context;
    const r3 = (await inboundHandler({ local: true, raw: raw3.toString('base64') }, ctx)) as Awaited<ReturnType<typeof handleInboundMail>>;
    expect(r3.status).toBe('applied');
    expect((await getProgress(task, U[3]!.uscc))!.result).toMatchObject({ codes: ['A', 'B'], problems: '未按规定公示年度报告' });
    const mails = box.take().filter((x) => !x.subject.includes('后续处置：')); // U[3]'s follow-up notices aside
    expect(mails.map((x) => x.subject)).toEqual([expect.stringContaining('已录入 1 项，1 项未录入'), expect.stringContaining('已录入 1 项')]);
  });
});

describe('expired reply token', () => {
  it('a verified reply after the token expired records nothing and says why', async () => {
    clock.set('2026-04-15T02:00:00Z'); // more than 30 days after the 03-10 digest
    const before = (await getProgress(task, U[2]!.uscc))!.status;
    const out = await handleInboundMail(reply({ from: m[0]!.email, body: `${U[0]!.uscc} 1`, id: 'late-1' }));
    expect(out.status).toBe('expired');
    expect(out.recorded).toEqual([]);
    expect((await getProgress(task, U[2]!.uscc))!.status).toBe(before);
    const mails = box.take();
    expect(mails.map((x) => to(x))).toEqual([[m[0]!.email]]);
    expect(textOf(mails[0]!)).toContain('有效期');
    clock.set('2026-03-10T01:00:00Z');
  });
});

describe('delivery problems', () => {
  const bounce = (address: string, type = 'Permanent', id = 'm-1'): SesEvent => ({
    eventType: 'Bounce',
    bounce: { bounceType: type, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: '2026-03-10T03:00:00.000Z', feedbackId: `fb-${id}` },
    mail: { messageId: id, timestamp: '2026-03-10T02:59:00.000Z', commonHeaders: { subject: '【双随机】到期提醒' } },
  });
  const sns = (e: SesEvent) => [{ Sns: { Message: JSON.stringify(e) } }];

  it('a permanent bounce marks the inspector, suppresses the address and tells the coordinator once', async () => {
    const m3 = m[2]!;
    const [first] = await handleSnsRecords(sns(bounce(m3.email)));
    expect(first).toMatchObject({ type: 'Bounce', suppressed: [m3.email], marked: [m3.id], notified: 1 });
    expect((await getInspector('mf', m3.id))!.mailStatus).toBe('bounced');
    expect(await isSuppressed(m3.email)).toBe(true);
    // Redelivered event, and another message bouncing at the same address: no second notice.
    expect((await handleSnsRecords(sns(bounce(m3.email))))[0]!.notified).toBe(0);
    expect((await handleSnsRecords(sns(bounce(m3.email, 'Permanent', 'm-2'))))[0]!.notified).toBe(0);
    const mails = box.take();
    expect(mails).toHaveLength(1);
    expect(to(mails[0]!)).toEqual([F.dept.coordinators[0]!.email]);
    expect(mails[0]!.subject).toContain('邮件无法送达');
    expect(textOf(mails[0]!)).toContain(m3.email);
    expect(textOf(mails[0]!)).toContain('检查人员');
    expect(textOf(mails[0]!)).toContain('550 5.1.1 user unknown');
  });

  it('a transient bounce is only logged; a complaint suppresses and is reported with the owner’s role', async () => {
    const m4 = m[3]!;
    const [t] = await handleSnsRecords(sns(bounce(m4.email, 'Transient')));
    expect(t).toMatchObject({ logged: true, suppressed: [], notified: 0 });
    expect(await isSuppressed(m4.email)).toBe(false);
    expect((await getInspector('mf', m4.id))!.mailStatus).toBe('ok');
    const leader = F.dept.leaders[0]!.email;
    const [c] = await handleSnsRecords(sns({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: leader }], complaintFeedbackType: 'abuse', timestamp: '2026-03-10T04:00:00.000Z' }, mail: { commonHeaders: { subject: '【双随机】逾期事项报告' } } }));
    expect(c).toMatchObject({ suppressed: [leader], marked: [], notified: 1 });
    expect(await isSuppressed(leader)).toBe(true);
    const mails = box.take();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('标记为垃圾邮件');
    expect(textOf(mails[0]!)).toContain('分管领导');
  });

  it('the next digest to the bounced address is skipped without a second notice', async () => {
    clock.set('2026-03-11T00:00:00Z');
    const s = await runDeadlineJob('2026-03-11'); // U5 (m3, m4) is due 03-16: reminder today
    expect(s.undeliverable).toEqual([m[2]!.email]);
    const mails = box.take();
    expect(mails.flatMap(to)).toEqual([m[3]!.email]);
    expect(mails[0]!.subject).toContain('到期提醒');
  });
});
