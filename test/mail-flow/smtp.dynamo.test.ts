/**
 * Mail out over SMTP (MAIL_TRANSPORT=smtp) against the local SMTP server, with the credentials
 * read from (local) Secrets Manager: the message arrives as composed and its Message-ID is
 * recorded for matching bounces; a recipient the server refuses (550) is a bounce (suppressed,
 * inspector marked, coordinator told); a 421 is retried; a rotated password is read again after
 * the server refuses the cached one; the sending rate holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { simpleParser } from 'mailparser';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { startLocalSecrets, type LocalSecrets } from '../../shared/dev/local/secrets.js';
import { OUTBOX_MAILBOX, startLocalSmtp, type LocalSmtp } from '../../shared/dev/local/smtp.js';
import { freePort } from '../../shared/dev/local/dynamo.js';
import { deliver } from '../../shared/mail/events.js';
import { isSuppressed, resetSes, sendMail, sentMessage } from '../../shared/mail/send.js';
import { buildMimeMessage } from '../../shared/mail/mime.js';
import { getInspector, putInspector } from '../../shared/store/registry.js';
import { resetConfig } from '../../shared/config.js';
import { secretJson } from '../../shared/secrets.js';

let stack: TestStack;
let secrets: LocalSecrets;
let smtp: LocalSmtp;
let F: DeptFixture;
const users: Record<string, string> = { suiji: 'first-password' };
const busy = new Map<string, number>();
let mailRoot: string;

beforeAll(async () => {
  stack = await startTestStack();
  secrets = await startLocalSecrets();
  mailRoot = mkdtempSync(join(tmpdir(), 'suiji-maildir-'));
  smtp = await startLocalSmtp({
    port: await freePort(),
    mailRoot,
    inboundDomain: 'reply.example.gov.cn',
    users,
    refuse: (a) => {
      if (a.startsWith('gone')) return '550 5.1.1 user unknown';
      if (a.startsWith('busy') && (busy.get(a) ?? 0) < 1) {
        busy.set(a, (busy.get(a) ?? 0) + 1);
        return '421 4.7.0 try again later';
      }
      return undefined;
    },
  });
  const arn = secrets.put('suiji/smtp', { username: 'suiji', password: 'first-password' });
  Object.assign(process.env, {
    MAIL_TRANSPORT: 'smtp',
    MAIL_SMTP_HOST: '127.0.0.1',
    MAIL_SMTP_PORT: String(smtp.port),
    MAIL_SMTP_SECURE: 'false',
    MAIL_SMTP_SECRET_ARN: arn,
    MAIL_SMTP_ENVELOPE_FROM: 'bounces@reply.example.gov.cn',
    MAIL_SEND_RATE: '20',
    MAIL_SEND_BURST: '5',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    MAIL_INBOUND_DOMAIN: 'reply.example.gov.cn',
  });
  resetConfig();
  resetSes();
  F = await createDepartment('sm', 'qinhuangdao-samr-2023', { inspectors: 3, targets: 2, seed: 9100 });
}, 180_000);

afterAll(async () => {
  resetSes();
  for (const k of ['MAIL_TRANSPORT', 'MAIL_SEND_RATE', 'MAIL_SEND_BURST']) delete process.env[k];
  resetConfig();
  await smtp?.stop();
  await secrets?.close();
  await stack?.stop();
});

const raw = (to: string, subject = '测试') => buildMimeMessage({ from: 'suiji@example.gov.cn', to: [to], subject, text: '正文' });

describe('SMTP transport', () => {
  it('delivers the composed message into the mailbox and records its Message-ID for bounces', async () => {
    const i1 = F.inspectors[0]!;
    const out = await deliver({ key: 'smtp-1', kind: 'assignment', to: [{ name: i1.name, email: i1.email }], mail: { subject: '【双随机】检查任务分派', text: '您好', html: '<p>您好</p>' }, mimeKind: 'assignment', replyTo: 'r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn' });
    expect(out).toBe('sent');
    const m = smtp.messages().at(-1)!;
    expect(m).toMatchObject({ mailbox: OUTBOX_MAILBOX, from: 'bounces@reply.example.gov.cn', to: [i1.email] });
    const files = readdirSync(join(mailRoot, OUTBOX_MAILBOX, 'Maildir', 'new'));
    expect(files).toHaveLength(1);
    const p = await simpleParser(readFileSync(join(mailRoot, OUTBOX_MAILBOX, 'Maildir', 'new', files[0]!)));
    expect(p.subject).toBe('【双随机】检查任务分派');
    expect(p.headers.get('x-suiji-kind')).toBe('assignment');
    expect(p.replyTo?.value[0]?.address).toBe('r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn');
    expect(await sentMessage(p.messageId!)).toMatchObject({ key: 'smtp-1', kind: 'assignment', to: [i1.email] });
    // The same key again sends nothing.
    expect(await deliver({ key: 'smtp-1', kind: 'assignment', to: [{ name: i1.name, email: i1.email }], mail: { subject: 'x', text: 'x', html: 'x' } })).toBe('duplicate');
    expect(smtp.messages()).toHaveLength(1);
  });

  it('a recipient refused with 550 is a bounce: suppressed, the inspector marked, the coordinator told once', async () => {
    const i2 = F.inspectors[1]!;
    const gone = { ...i2, email: 'gone.sm@example.gov.cn' };
    await putInspector(gone);
    const before = smtp.messages().length;
    expect(await sendMail({ key: 'smtp-gone', kind: 'reminder-digest', to: [gone.email], raw: await raw(gone.email) })).toBe('suppressed');
    expect(await isSuppressed(gone.email)).toBe(true);
    expect((await getInspector('sm', gone.id))!.mailStatus).toBe('bounced');
    const notices = smtp.messages().slice(before);
    expect(notices.map((n) => n.to)).toEqual([[F.dept.coordinators[0]!.email]]);
    const notice = await simpleParser(notices[0]!.raw);
    expect(notice.subject).toContain('邮件无法送达');
    expect(notice.text).toContain('550 5.1.1 user unknown');
    // Nothing more goes to the address.
    expect(await sendMail({ key: 'smtp-gone-2', kind: 'reminder-digest', to: [gone.email], raw: await raw(gone.email) })).toBe('suppressed');
    expect(smtp.messages().length).toBe(before + 1);
  });

  it('retries a 421 and sends once', async () => {
    const before = smtp.messages().length;
    expect(await sendMail({ key: 'smtp-busy', kind: 'x', to: ['busy.sm@example.gov.cn'], raw: await raw('busy.sm@example.gov.cn') }, { baseDelayMs: 10 })).toBe('sent');
    expect(busy.get('busy.sm@example.gov.cn')).toBe(1);
    expect(smtp.messages().length).toBe(before + 1);
  });

  it('reads a rotated password again when the server refuses the cached one', async () => {
    users.suiji = 'rotated-password';
    secrets.put('suiji/smtp', { username: 'suiji', password: 'rotated-password' });
    resetSes(); // a fresh connection (the pooled one was authenticated before the rotation) — credentials stay cached
    // Prime the cache with the old value, as a warm Lambda would hold it.
    secrets.put('suiji/smtp', { username: 'suiji', password: 'first-password' });
    await secretJson(process.env.MAIL_SMTP_SECRET_ARN!);
    secrets.put('suiji/smtp', { username: 'suiji', password: 'rotated-password' });
    expect(await sendMail({ key: 'smtp-rotated', kind: 'x', to: ['a.sm@example.gov.cn'], raw: await raw('a.sm@example.gov.cn') }, { baseDelayMs: 10 })).toBe('sent');
  });

  it('holds the sending rate (20/s after a burst of 5)', async () => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 25 }, async (_, i) => sendMail({ key: `smtp-rate-${i}`, kind: 'x', to: [`r${i}.sm@example.gov.cn`], raw: await raw(`r${i}.sm@example.gov.cn`) })));
    // The bucket was full: 5 at once, 20 more at 20/s.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
  });
});
