/**
 * The China-region mail path end to end, against real local servers: mail out over SMTP (the
 * local SMTP server, credentials from local Secrets Manager) into Maildirs that dovecot serves;
 * a reply in through the reply mailbox's MX, polled over IMAP, authenticated by its own DKIM
 * and SPF (fixture DNS, key made here), recorded as a result and answered; a DSN for a message
 * Suiji sent suppresses the address, a DSN for anything else does nothing; handled messages
 * leave the polled mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { dkimKey, dkimSigned, domainZone, replyMessage, zoneResolver, type DkimKey, type Zone } from '../helpers/mail-auth.js';
import { startLocalSecrets, type LocalSecrets } from '../../shared/dev/local/secrets.js';
import { OUTBOX_MAILBOX, REPLY_MAILBOX, startLocalSmtp, type LocalSmtp } from '../../shared/dev/local/smtp.js';
import { startDovecot, type LocalDovecot } from '../../shared/dev/local/dovecot.js';
import { freePort } from '../../shared/dev/local/dynamo.js';
import { runDeadlineJob } from '../../shared/jobs/deadlines.js';
import { pollMailbox } from '../../shared/mail/imap.js';
import { isSuppressed, resetSes } from '../../shared/mail/send.js';
import { getProgress } from '../../shared/store/tasks.js';
import { resetConfig } from '../../shared/config.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';

const INBOUND = 'reply.example.gov.cn';
const BOUNCES = `bounces@${INBOUND}`;
let stack: TestStack;
let secrets: LocalSecrets;
let dovecot: LocalDovecot;
let smtp: LocalSmtp;
let F: DeptFixture;
let m: Inspector[];
let U: Target[];
let task: string;
let key: DkimKey;
let zone: Zone;
const pw = { reply: randomBytes(9).toString('hex'), outbox: randomBytes(9).toString('hex'), suiji: randomBytes(9).toString('hex') };
const clock = new ManualClock('2026-03-10T01:00:00Z');

/** Every message in a mailbox folder, read over IMAP as its user. */
async function readMailbox(user: 'reply' | 'outbox', folder = 'INBOX'): Promise<ParsedMail[]> {
  const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user, pass: pw[user] }, logger: false });
  await c.connect();
  const out: ParsedMail[] = [];
  try {
    const lock = await c.getMailboxLock(folder);
    try {
      for await (const msg of c.fetch('1:*', { source: true })) if (msg.source) out.push(await simpleParser(msg.source));
    } catch {
      /* empty mailbox */
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
  return out;
}

/** Delivers to the reply mailbox's MX as another mail server would: no AUTH, from 127.0.0.1. */
async function toMx(from: string, to: string, raw: Buffer): Promise<void> {
  const t = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, name: 'mail.example.gov.cn' });
  await t.sendMail({ envelope: { from, to: [to] }, raw });
  t.close();
}

beforeAll(async () => {
  stack = await startTestStack();
  secrets = await startLocalSecrets();
  const dir = mkdtempSync(join(tmpdir(), 'suiji-dovecot-'));
  dovecot = await startDovecot({ dir, port: await freePort(), users: { reply: pw.reply, outbox: pw.outbox } });
  smtp = await startLocalSmtp({ port: await freePort(), mailRoot: dovecot.mailRoot, inboundDomain: INBOUND, users: { suiji: pw.suiji }, owner: dovecot.owner });
  Object.assign(process.env, {
    MAIL_TRANSPORT: 'smtp',
    MAIL_SMTP_HOST: '127.0.0.1',
    MAIL_SMTP_PORT: String(smtp.port),
    MAIL_SMTP_SECURE: 'false',
    MAIL_SMTP_SECRET_ARN: secrets.put('suiji/smtp', { username: 'suiji', password: pw.suiji }),
    MAIL_SMTP_ENVELOPE_FROM: BOUNCES,
    MAIL_IMAP_HOST: '127.0.0.1',
    MAIL_IMAP_PORT: String(dovecot.port),
    MAIL_IMAP_SECURE: 'false',
    MAIL_IMAP_SECRET_ARN: secrets.put('suiji/imap', { username: REPLY_MAILBOX, password: pw.reply }),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    MAIL_INBOUND_DOMAIN: INBOUND,
    PUBLIC_BASE_URL: 'http://127.0.0.1:3999',
  });
  resetConfig();
  resetSes();
  setClock(clock);
  key = dkimKey('example.gov.cn');
  zone = domainZone(key, ['127.0.0.1']);
  F = await createDepartment('im', 'qinhuangdao-samr-2023', { inspectors: 3, targets: 3, seed: 9300 });
  m = F.inspectors;
  U = F.targets;
  task = F.taskIds[0]!;
  await assign(task, [
    { target: U[0]!, team: [m[0]!, m[1]!], dueEntry: '2026-03-13' },
    { target: U[1]!, team: [m[0]!, m[2]!], dueEntry: '2026-03-13' },
    { target: U[2]!, team: [m[1]!, m[2]!], dueEntry: '2026-03-13' },
  ]);
}, 180_000);

afterAll(async () => {
  resetClock();
  resetSes();
  for (const k of Object.keys(process.env).filter((k) => k.startsWith('MAIL_') && k !== 'MAIL_INBOUND_DOMAIN')) delete process.env[k];
  resetConfig();
  await smtp?.stop();
  await dovecot?.stop();
  await secrets?.close();
  await stack?.stop();
});

describe('SMTP out, IMAP in', () => {
  let digest: ParsedMail;
  let token: string;

  it('the daily digest goes out over SMTP and is in the outbox mailbox dovecot serves', async () => {
    await runDeadlineJob('2026-03-10');
    const out = await readMailbox('outbox');
    digest = out.find((x) => x.subject?.includes('到期提醒') && JSON.stringify(x.to).includes(m[0]!.email))!;
    expect(digest, 'digest to the first inspector').toBeDefined();
    token = /^r\+([a-z2-7]{26})@/.exec(digest.replyTo!.value[0]!.address!)![1]!;
    expect(smtp.messages().every((x) => x.from === BOUNCES)).toBe(true);
  });

  it('a DKIM-signed reply through the MX is polled over IMAP, recorded and answered; the mailbox is emptied', async () => {
    const reply = await dkimSigned(replyMessage({ from: m[0]!.email, to: `r+${token}@${INBOUND}`, body: `${U[0]!.uscc} 1\n${U[1]!.uscc} A 未按规定公示`, id: `imap-1@example.gov.cn` }), key);
    await toMx(m[0]!.email, `r+${token}@${INBOUND}`, reply);
    const sentBefore = smtp.messages().length;
    const r = await pollMailbox({ resolver: zoneResolver(zone) });
    expect(r, JSON.stringify(r)).toMatchObject({ found: 1, handled: { applied: 1 }, failed: 0 });
    expect((await getProgress(task, U[0]!.uscc))!).toMatchObject({ status: 'result_entered', result: { codes: ['1'], via: 'mail' } });
    expect((await getProgress(task, U[1]!.uscc))!.result).toMatchObject({ codes: ['A'], problems: '未按规定公示' });
    // U[1]'s problem opened its follow-up: its notices (team leader, coordinator) aside, one answer.
    const sent = smtp.messages().slice(sentBefore);
    const subjects = await Promise.all(sent.map(async (x) => (await simpleParser(x.raw)).subject ?? ''));
    expect(subjects.filter((x) => x.includes('后续处置：')).length).toBeGreaterThanOrEqual(1);
    const answer = sent.filter((_, i) => !subjects[i]!.includes('后续处置：'));
    expect(answer.map((x) => x.to)).toEqual([[m[0]!.email]]);
    const parsed = await simpleParser(answer[0]!.raw);
    expect(parsed.subject).toContain('已录入 2 项');
    expect(parsed.inReplyTo).toBe('<imap-1@example.gov.cn>');
    expect(await readMailbox('reply')).toEqual([]);
    expect((await readMailbox('reply', 'Suiji-Processed')).map((x) => x.messageId)).toEqual(['<imap-1@example.gov.cn>']);
    // The same message delivered again: handled once.
    await toMx(m[0]!.email, `r+${token}@${INBOUND}`, reply);
    expect(await pollMailbox({ resolver: zoneResolver(zone) })).toMatchObject({ found: 1, handled: { duplicate: 1 } });
  });

  it('an unsigned reply claiming the inspector’s address does nothing', async () => {
    const forged = Buffer.from(replyMessage({ from: m[0]!.email, to: `r+${token}@${INBOUND}`, body: `${U[0]!.uscc} A 伪造`, id: 'imap-forged@example.gov.cn' }));
    await toMx(m[0]!.email, `r+${token}@${INBOUND}`, forged);
    expect(await pollMailbox({ resolver: zoneResolver(zone) })).toMatchObject({ handled: { unverified: 1 } });
    expect((await getProgress(task, U[0]!.uscc))!.result).toMatchObject({ codes: ['1'] });
  });

  it('a DSN naming a message Suiji sent is a bounce; one naming anything else is ignored', async () => {
    const sentTo = m[1]!.email;
    const original = (await readMailbox('outbox')).find((x) => JSON.stringify(x.to).includes(sentTo))!;
    const dsn = (messageId: string, id: string) =>
      Buffer.from(
        [
          `From: Mail Delivery System <MAILER-DAEMON@mail.example.gov.cn>`,
          `To: ${BOUNCES}`,
          'Subject: Undelivered Mail Returned to Sender',
          `Message-ID: <${id}@mail.example.gov.cn>`,
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
          '',
          '--b1',
          'Content-Type: text/plain; charset=us-ascii',
          '',
          'Your message could not be delivered.',
          '--b1',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mail.example.gov.cn',
          'Arrival-Date: Tue, 10 Mar 2026 09:30:00 +0800',
          '',
          `Final-Recipient: rfc822; ${sentTo}`,
          'Action: failed',
          'Status: 5.1.1',
          'Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable',
          '',
          '--b1',
          'Content-Type: text/rfc822-headers',
          '',
          `Message-ID: ${messageId}`,
          `Subject: ${original.headers.get('subject') ? '=?UTF-8?B?' + Buffer.from(original.subject!).toString('base64') + '?=' : 'x'}`,
          '',
          '--b1--',
          '',
        ].join('\r\n'),
      );
    await toMx('', BOUNCES, dsn('<not-ours@example.gov.cn>', 'dsn-0'));
    expect(await pollMailbox({ resolver: zoneResolver(zone) })).toMatchObject({ handled: { unmatched: 1 } });
    expect(await isSuppressed(sentTo)).toBe(false);
    const before = smtp.messages().length;
    await toMx('', BOUNCES, dsn(original.messageId!, 'dsn-1'));
    expect(await pollMailbox({ resolver: zoneResolver(zone) })).toMatchObject({ handled: { bounce: 1 } });
    expect(await isSuppressed(sentTo)).toBe(true);
    const notice = smtp.messages().slice(before).filter((x) => x.mailbox === OUTBOX_MAILBOX);
    expect(notice.map((x) => x.to)).toEqual([[F.dept.coordinators[0]!.email]]);
    expect((await simpleParser(notice[0]!.raw)).text).toContain('550 5.1.1 mailbox unavailable');
  });
});
