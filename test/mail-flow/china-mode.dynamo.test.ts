/**
 * The local platform in its China mode (SUIJI_MODE=cn: the aws-cn template, local SMTP server,
 * dovecot, local Secrets Manager and DNS, built-in sign-in), end to end:
 *  - sign-in: an account bootstrapped as DEPLOY.md says, password + TOTP → (first: a new
 *    password) → token → an API call; the API's JWKS is what the local JWT authorizer trusts; a
 *    dev token is refused; lockout after five failures, unlocked by a coordinator's reset;
 *    expiry after the session's minutes; every attempt in the account's audit;
 *  - mail: a task launched, its approval request mailed over SMTP, approved by the signed-in
 *    leader, drawn; assignment notices go out over SMTP into the outbox mailbox; a reminder digest's
 *    reply comes back through the reply mailbox's MX, DKIM-signed, is polled over IMAP by the
 *    template's MailImapPoll function, authenticated through the local DNS, and recorded.
 * The global mode (SES emulator, dev sign-in) is what every other platform test runs.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { ApiClient, waitForStage, type Call } from '../helpers/api.js';
import { witnessAndDraw } from '../helpers/platform.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID, sampleDistrict } from '../../shared/dev/sample/district.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { createUser, totpCode, LOCK_AFTER_FAILURES, SESSION_MINUTES } from '../../shared/auth/builtin.js';
import { issueDevToken } from '../../shared/dev/devauth.js';
import { assign, createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { replyMessage } from '../helpers/mail-auth.js';
import { getProgress } from '../../shared/store/tasks.js';
import { OUTBOX_MAILBOX } from '../../shared/dev/local/smtp.js';

const clock = new ManualClock('2026-01-12T01:00:00Z');
const TASK = `${SAMPLE_PLAN_ID}-01`;
let platform: Platform;
let api: ApiClient;

const call = (method: string, path: string, body?: unknown, token?: string): Promise<Call> =>
  api.call(method, path, body, token ? { authorization: `Bearer ${token}` } : {});
const signIn = (email: string, password: string, totp: string, newPassword?: string): Promise<Call> =>
  call('POST', '/auth/sign-in', { email, password, totp, ...(newPassword ? { newPassword } : {}) });
const tick = (seconds: number): void => clock.advance(seconds * 1000);
const outbox = () => platform.china!.smtp.messages().filter((m) => m.mailbox === OUTBOX_MAILBOX);

beforeAll(async () => {
  setClock(clock);
  platform = await startPlatform({ mode: 'cn', retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: 200 }));
  api = new ApiClient(platform);
}, 240_000);

afterAll(async () => {
  resetClock();
  await platform?.stop();
});

describe('built-in sign-in', () => {
  const coordinatorPassword = 'Xk7#mq2-Lp9!vr';
  let coordinatorTotp = '';
  let token = '';

  it('says which sign-in the deployment provides, and serves its discovery document and key', async () => {
    expect((await call('GET', '/auth/config')).json).toEqual({ mode: 'builtin', issuer: `${platform.apiUrl}/auth`, sessionMinutes: SESSION_MINUTES });
    const discovery = (await call('GET', '/auth/.well-known/openid-configuration')).json;
    expect(discovery).toMatchObject({ issuer: `${platform.apiUrl}/auth`, jwks_uri: `${platform.apiUrl}/auth/jwks.json` });
    const jwks = (await call('GET', '/auth/jwks.json')).json;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('first sign-in: password + TOTP, a new password required, then a token the API accepts', async () => {
    // The first coordinator is created by the operator (DEPLOY.md), later ones through the API.
    const c = await createUser({ email: SAMPLE_COORDINATOR_EMAIL, name: '联络员', role: 'coordinator', department: SAMPLE_MAIN_DEPT }, 'operator');
    coordinatorTotp = c.totp.secret;
    expect(c.totp.uri).toMatch(/^otpauth:\/\/totp\//);
    const first = await signIn(SAMPLE_COORDINATOR_EMAIL, c.temporaryPassword, totpCode(coordinatorTotp));
    expect(first.status).toBe(403);
    expect(first.json.error).toBe('PasswordChangeRequired');
    // The same code again is refused (used once), whatever else is right.
    const replay = await signIn(SAMPLE_COORDINATOR_EMAIL, c.temporaryPassword, totpCode(coordinatorTotp), coordinatorPassword);
    expect(replay.status).toBe(401);
    tick(30);
    const weak = await signIn(SAMPLE_COORDINATOR_EMAIL, c.temporaryPassword, totpCode(coordinatorTotp), 'short');
    expect(weak.status).toBe(400);
    expect(weak.json.message).toMatch(/至少 12 位/);
    tick(30);
    const ok = await signIn(SAMPLE_COORDINATOR_EMAIL, c.temporaryPassword, totpCode(coordinatorTotp), coordinatorPassword);
    expect(ok.status).toBe(200);
    expect(ok.json.principal).toMatchObject({ email: SAMPLE_COORDINATOR_EMAIL, role: 'coordinator', department: SAMPLE_MAIN_DEPT });
    token = ok.json.token;
    const me = await call('GET', '/me', undefined, token);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ role: 'coordinator', department: SAMPLE_MAIN_DEPT });
    expect((await call('GET', `/departments/${SAMPLE_MAIN_DEPT}/targets?limit=5`, undefined, token)).status).toBe(200);
    // The old password is gone; a dev token (HS256, the global mode's) means nothing here.
    tick(30);
    expect((await signIn(SAMPLE_COORDINATOR_EMAIL, c.temporaryPassword, totpCode(coordinatorTotp))).status).toBe(401);
    const dev = await issueDevToken({ sub: 'x', email: SAMPLE_COORDINATOR_EMAIL, name: 'x', role: 'coordinator', department: SAMPLE_MAIN_DEPT });
    expect((await call('GET', '/me', undefined, dev)).status).toBe(401);
  }, 60_000);

  it('locks an account after five failures; the coordinator’s reset unlocks it with new credentials', async () => {
    const created = await call('POST', `/departments/${SAMPLE_MAIN_DEPT}/users`, { email: 'zjj.leader2@example.gov.cn', name: '分管领导乙', role: 'leader' }, token);
    expect(created.status).toBe(201);
    const { temporaryPassword, totp } = created.json as { temporaryPassword: string; totp: { secret: string } };
    expect((await call('GET', `/departments/${SAMPLE_MAIN_DEPT}/users`, undefined, token)).json.map((u: { email: string }) => u.email)).toContain('zjj.leader2@example.gov.cn');
    for (let i = 1; i <= LOCK_AFTER_FAILURES; i++) {
      tick(30);
      const r = await signIn('zjj.leader2@example.gov.cn', 'wrong-password', totpCode(totp.secret));
      if (i < LOCK_AFTER_FAILURES) {
        expect(r.status).toBe(401);
        expect(r.json.error).toBe('InvalidCredentials');
      } else {
        expect(r.status).toBe(403);
        expect(r.json.error).toBe('AccountLocked');
      }
    }
    tick(30);
    const locked = await signIn('zjj.leader2@example.gov.cn', temporaryPassword, totpCode(totp.secret), 'Nq4$wLm8-Tz2!pa');
    expect(locked.status).toBe(403);
    expect(locked.json.error).toBe('AccountLocked');
    const reset = await call('POST', `/departments/${SAMPLE_MAIN_DEPT}/users/${encodeURIComponent('zjj.leader2@example.gov.cn')}/reset`, {}, token);
    expect(reset.status).toBe(200);
    tick(30);
    const after = await signIn('zjj.leader2@example.gov.cn', reset.json.temporaryPassword, totpCode(reset.json.totp.secret), 'Nq4$wLm8-Tz2!pa');
    expect(after.status).toBe(200);
    expect(after.json.principal.role).toBe('leader');
    const audit = (await call('GET', `/departments/${SAMPLE_MAIN_DEPT}/users/${encodeURIComponent('zjj.leader2@example.gov.cn')}/audit`, undefined, token)).json as { what: string; data: { reason?: string } }[];
    expect(audit[0]!.what).toBe('signin.succeeded');
    expect(audit.filter((a) => a.data.reason === 'InvalidCredentials')).toHaveLength(LOCK_AFTER_FAILURES - 1);
    expect(audit.filter((a) => a.data.reason === 'AccountLocked')).toHaveLength(2);
    expect(audit.map((a) => a.what)).toEqual(expect.arrayContaining(['account.created', 'account.reset']));
    // Another department's coordinator cannot see or reset this account.
    expect((await call('GET', '/departments/other-dept/users', undefined, token)).status).toBe(403);
  }, 60_000);

  it('the CLI signs in with password and TOTP where the deployment has the built-in sign-in', async () => {
    const home = mkdtempSync(join(tmpdir(), 'suiji-cli-home-'));
    const saved = { HOME: process.env.HOME, SUIJI_PASSWORD: process.env.SUIJI_PASSWORD };
    Object.assign(process.env, { HOME: home, SUIJI_PASSWORD: coordinatorPassword });
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    try {
      vi.resetModules();
      const { main } = await import('../../shared/dev/cli/main.js');
      tick(30);
      await main(['node', 'suiji', '--endpoint', platform.apiUrl, 'login', SAMPLE_COORDINATOR_EMAIL, '--totp', totpCode(coordinatorTotp)]);
      expect(lines.join('\n')).toMatch(/已登录：联络员（coordinator/);
      const saved = JSON.parse(readFileSync(join(home, '.suiji', 'tokens.json'), 'utf8')) as Record<string, string>;
      expect((await call('GET', '/me', undefined, saved[platform.apiUrl])).json.email).toBe(SAMPLE_COORDINATOR_EMAIL);
      lines.length = 0;
      await main(['node', 'suiji', '--endpoint', platform.apiUrl, '--json', 'users', 'list']);
      expect(JSON.parse(lines.join('\n')).map((u: { email: string }) => u.email)).toContain(SAMPLE_COORDINATOR_EMAIL);
    } finally {
      log.mockRestore();
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('ends the session after its minutes', async () => {
    expect((await call('GET', '/me', undefined, token)).status).toBe(200);
    tick(SESSION_MINUTES * 60 + 5);
    expect((await call('GET', '/me', undefined, token)).status).toBe(401);
    tick(30);
    const again = await signIn(SAMPLE_COORDINATOR_EMAIL, coordinatorPassword, totpCode(coordinatorTotp));
    expect(again.status).toBe(200);
    expect((await call('GET', '/me', undefined, again.json.token)).status).toBe(200);
  });
});

describe('mail over SMTP and IMAP', () => {
  it('sends the approval request and the assignment notices over SMTP', async () => {
    const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
    const status = (): Promise<Call> => coord('GET', `/tasks/${TASK}/status`);
    expect((await coord('POST', `/tasks/${TASK}/launch`, {})).status).toBe(201);
    await waitForStage(status, 'approval');
    // The approval request went out over SMTP; its button leads to the console (sign-in first).
    const request = await Promise.all(outbox().filter((m) => m.to.includes(SAMPLE_LEADER_EMAIL)).map((m) => simpleParser(m.raw)));
    expect(request.some((m) => (m.html || '').includes('/console')), 'the approval request to the leader, over SMTP').toBe(true);
    const leader = await api.as(SAMPLE_LEADER_EMAIL);
    expect((await leader('POST', `/tasks/${TASK}/approval`, { approve: true })).status).toBe(200);
    await waitForStage(status, 'witnesses');
    await witnessAndDraw(coord, TASK, ['secret-one', 'secret-two']);
    const team = new Set(((await coord('GET', `/tasks/${TASK}/targets?limit=1000`)).json.items as { team: string[] }[]).flatMap((t) => t.team));
    const inspectors = (await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`)).json as { id: string; email: string }[];
    const emails = inspectors.filter((i) => team.has(i.id)).map((i) => i.email);
    expect(emails.length).toBeGreaterThan(1);
    const notified = new Set(outbox().flatMap((m) => m.to));
    for (const e of emails) expect(notified.has(e), e).toBe(true);
    // Submitted with the provider's login, envelope from the bounce address of the reply domain.
    expect(outbox().every((m) => m.from === 'bounces@reply.example.gov.cn')).toBe(true);
  }, 180_000);

  it('a reply to a reminder comes back through the MX, is polled over IMAP, authenticated and recorded', async () => {
    clock.set('2026-03-10T01:00:00Z');
    const F: DeptFixture = await createDepartment('cnm', 'qinhuangdao-samr-2023', { inspectors: 2, targets: 2, seed: 9400 });
    const [m0, m1] = F.inspectors as [DeptFixture['inspectors'][0], DeptFixture['inspectors'][0]];
    const [u0, u1] = F.targets as [DeptFixture['targets'][0], DeptFixture['targets'][0]];
    const task = F.taskIds[0]!;
    // Counted before the assignment: the platform's own scheduler may run the day's job first.
    const before = outbox().length;
    await assign(task, [
      { target: u0, team: [m0, m1], dueEntry: '2026-03-13' },
      { target: u1, team: [m0, m1], dueEntry: '2026-03-13' },
    ]);
    await platform.invoke('JobDeadlines', { schedule: 'DailyDeadlines', scheduledTime: '2026-03-10T00:00:00Z' });
    const digest = await simpleParser(outbox().slice(before).find((m) => m.to.includes(m0.email))!.raw);
    const replyTo = digest.replyTo!.value[0]!.address!;
    expect(replyTo).toMatch(/^r\+[a-z2-7]{26}@reply\.example\.gov\.cn$/);
    const raw = Buffer.from(replyMessage({ from: m0.email, to: replyTo, body: `${u0.uscc} 1\n${u1.uscc} A 未按规定公示`, id: 'cn-mode-1@example.gov.cn' }));
    // POST /local/inbound-mail in the China mode: DKIM-signed, through the MX, then the poll.
    const polled = await api.call('POST', '/local/inbound-mail', raw, { 'content-type': 'message/rfc822' });
    expect(polled.status).toBe(200);
    expect(polled.json).toMatchObject({ found: 1, handled: { applied: 1 }, failed: 0 });
    expect(await getProgress(task, u0.uscc)).toMatchObject({ status: 'result_entered', result: { codes: ['1'], via: 'mail' } });
    expect((await getProgress(task, u1.uscc))!.result).toMatchObject({ codes: ['A'], problems: '未按规定公示' });
    // The confirmation went back over SMTP.
    expect(outbox().some((m) => m.to.includes(m0.email) && m.raw.toString().includes('In-Reply-To: <cn-mode-1@example.gov.cn>'))).toBe(true);
  }, 120_000);
});
