/**
 * Security headers on every page the API serves, walked on the local platform through a real
 * task: every public and e-mail-link route is requested (pages before and after the draw,
 * approval, result forms with and without errors, the printable sheet, confirmations, expired
 * and unknown links, missing records), and every response must carry nosniff, no-referrer,
 * frame-ancestors 'none'; every HTML page a CSP whose hashes cover each inline <style> and
 * <script> of that page, and no inline handler or style attribute that the policy would block.
 * The console (its page and files) sets its own policy (functions/api/routes/console-assets.ts);
 * here it only has to carry the headers every response carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { matchRoute } from '../../shared/dev/local/server.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { ROUTES } from '../../shared/http/routes.js';
import { routeKey } from '../../shared/http/core.js';
import { createLink } from '../../shared/links.js';
import { assignmentLink } from '../../shared/lifecycle/notify.js';
import { ApiClient, waitForStage, type Call } from '../helpers/api.js';
import { witnessAndDraw } from '../helpers/platform.js';

const TASK = `${SAMPLE_PLAN_ID}-01`;
const clock = new ManualClock('2026-01-12T01:00:00Z');

interface Seen {
  key: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
}
const seen: Seen[] = [];

let platform: Platform;
let coord: Awaited<ReturnType<ApiClient['as']>>;

/** A browser's request: no token, the body as an HTML form posts it. */
async function visit(method: 'GET' | 'POST', path: string, form?: Record<string, string | string[]>): Promise<Seen> {
  const body = form
    ? new URLSearchParams(Object.entries(form).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString()
    : undefined;
  const res = await fetch(`${platform.apiUrl}${path}`, {
    method,
    redirect: 'manual',
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  const url = new URL(path, 'http://x');
  const match = matchRoute(method, url.pathname);
  const s: Seen = { key: match ? routeKey(match.spec) : `${method} ${url.pathname}`, url: path, status: res.status, headers: res.headers, body: await res.text() };
  seen.push(s);
  return s;
}

const isConsole = (key: string): boolean => / \/console(\/|$)/.test(key);
const linkId = (path: string): string => /\/l\/([A-Za-z0-9_-]+)/.exec(path)![1]!;
const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

beforeAll(async () => {
  setClock(clock);
  platform = await startPlatform({ retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: 200 }));
  const api = new ApiClient(platform);
  coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
}, 180_000);

afterAll(async () => {
  resetClock();
  await platform?.stop();
});

const status = (): Promise<Call> => coord('GET', `/tasks/${TASK}/status`);

describe('walking every public and link page', () => {
  it('serves the public site before any task ran, and its error pages', async () => {
    expect((await visit('GET', '/public')).status).toBe(200);
    expect((await visit('GET', `/public/plans/${SAMPLE_PLAN_ID}`)).status).toBe(200);
    expect((await visit('GET', `/public/plans/${SAMPLE_PLAN_ID}.json`)).status).toBe(200);
    expect((await visit('GET', '/public/plans/nope')).status).toBe(404);
    expect((await visit('GET', '/public/tasks/nope')).status).toBe(404);
    expect((await visit('GET', '/public/tasks/nope/draw')).status).toBe(404);
    expect((await visit('GET', '/public/results/nope/91130100MA0000000X')).status).toBe(404);
    expect((await visit('GET', '/l/short')).status).toBe(410);
    expect((await visit('POST', `/l/${'x'.repeat(22)}`, { decision: 'approve' })).status).toBe(410);
    // The console's page (404 when web/ is not built) and a file that does not exist.
    expect([200, 404]).toContain((await visit('GET', '/console')).status);
    expect((await visit('GET', '/console/assets/missing.js')).status).toBe(404);
    // Sign-in: which one this deployment has; the built-in sign-in's routes answer 404 without it.
    expect((await visit('GET', '/auth/config')).status).toBe(200);
    expect((await visit('GET', '/auth/.well-known/openid-configuration')).status).toBe(404);
    expect((await visit('GET', '/auth/jwks.json')).status).toBe(404);
    expect((await visit('POST', '/auth/sign-in', { email: 'a@b.cn', password: 'x', totp: '123456' })).status).toBe(404);
  }, 60_000);

  it('serves an approval link’s page (older mails: the plan form and the way to the console), which never approves', async () => {
    expect((await coord('POST', `/tasks/${TASK}/launch`, {})).status).toBe(201);
    await waitForStage(status, 'approval');
    const id = await createLink('approve-task', { taskId: TASK }, SAMPLE_LEADER_EMAIL, { days: 30, singleUse: true });
    expect((await visit('GET', `/l/${id}`)).body).toContain('抽查任务审批');
    expect((await visit('POST', `/l/${id}`, { decision: 'approve' })).status).toBe(403);
    const leader = await new ApiClient(platform).as(SAMPLE_LEADER_EMAIL);
    expect((await leader('POST', `/tasks/${TASK}/approval`, { approve: true })).status).toBe(200);
    expect((await visit('GET', `/l/${id}`)).body).toContain('该抽查任务计划已由');
    expect((await visit('POST', `/l/${id}`, { decision: 'approve' })).status).toBe(409); // decided
    await waitForStage(status, 'witnesses');
  }, 120_000);

  it('serves the inspector’s pages after the draw: list, form, printable sheet, errors, confirmation', async () => {
    await witnessAndDraw(coord, TASK, ['secret-one', 'secret-two']);
    expect((await visit('GET', `/public/tasks/${TASK}`)).status).toBe(200);
    expect((await visit('GET', `/public/tasks/${TASK}/draw`)).status).toBe(200);
    expect((await visit('GET', `/public/tasks/${TASK}/selfcheck`)).status).toBe(200);
    expect((await visit('GET', `/public/tasks/${TASK}/selfcheck?uscc=91130100MA0000000X&code=${'0'.repeat(32)}`)).body).toContain('未找到');
    expect((await visit('GET', `/public/departments/${SAMPLE_MAIN_DEPT}/chain`)).status).toBe(200);
    // a witness's reveal after the draw: refused, never a 5xx
    expect([400, 409]).toContain((await visit('POST', `/public/tasks/${TASK}/reveal`, { witnessId: 'w1', secret: 'secret-one' })).status);

    const targets = (await coord('GET', `/tasks/${TASK}/targets?limit=1000`)).json.items as { uscc: string; team: string[] }[];
    const inspectors = (await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/inspectors`)).json as { id: string; email: string; department: string }[];
    const plan = (await coord('GET', `/plans/${SAMPLE_PLAN_ID}`)).json;
    const task = plan.versions.at(-1).tasks.find((x: { taskId: string }) => x.taskId === TASK);
    const itemIds: string[] = [...task.items.general, ...task.items.key];
    const [t0, t1] = targets as [(typeof targets)[0], (typeof targets)[0]];
    const member = inspectors.find((i) => i.id === t0.team[0])!;
    const other = targets.find((t) => !t.team.includes(member.id));
    const form = (t: { team: string[] }) => ({
      codes: '1',
      ...Object.fromEntries(itemIds.map((i) => [`item_${i}`, 'pass'])),
      methods: '实地核查',
      checkDate: '2026-01-20',
      present: t.team.slice(0, 2),
      signed: 'true',
      signer: '法定代表人',
    });
    clock.set('2026-01-21T02:00:00Z');

    const view = await assignmentLink(TASK, 1, member);
    expect((await visit('GET', `/l/${view}`)).body).toContain(t0.uscc);
    expect((await visit('GET', `/l/${view}?t=${t0.uscc}`)).body).toContain('<form');
    const sheet = await visit('GET', `/l/${view}?t=${t0.uscc}&print=1`);
    expect(sheet.body).toContain('<script>');
    if (other) expect((await visit('GET', `/l/${view}?t=${other.uscc}`)).status).toBe(404);
    expect((await visit('POST', `/l/${view}?t=${t0.uscc}`, { codes: 'A' })).status).toBe(400);
    expect((await visit('POST', `/l/${view}?t=${t0.uscc}`, form(t0))).status).toBe(200);

    const second = inspectors.find((i) => i.id === t1.team[0])!;
    const enter = await createLink('enter-result', { taskId: TASK, uscc: t1.uscc, inspectorId: second.id, department: second.department }, second.email, { singleUse: true });
    expect((await visit('GET', `/l/${enter}`)).body).toContain('<form');
    expect((await visit('POST', `/l/${enter}`, { codes: '1' })).status).toBe(400);
    expect((await visit('POST', `/l/${enter}`, form(t1))).status).toBe(200);
    const other2 = await createLink('view-status', { taskId: TASK }, second.email);
    expect((await visit('GET', `/l/${other2}`)).status).toBe(200);

    const pub = await coord('POST', `/tasks/${TASK}/publish`, {});
    expect(pub.status, JSON.stringify(pub.json)).toBe(200);
    expect((await visit('GET', `/public/results/${TASK}/${t0.uscc}`)).status).toBe(200);
    expect((await visit('GET', `/public/results/${TASK}/${t0.uscc}.json`)).status).toBe(200);
    expect((await visit('GET', '/public')).body).toContain(t0.uscc.slice(0, 8));
  }, 180_000);
});

describe('what every response carried', () => {
  it('requested every public and link route', () => {
    const keys = new Set(seen.map((s) => s.key));
    for (const r of ROUTES.filter((x) => x.auth === 'public' || x.auth === 'link')) expect(keys, routeKey(r)).toContain(routeKey(r));
  });

  it('sends nosniff, no-referrer and no framing on every response', () => {
    for (const s of seen) {
      expect(s.headers.get('x-content-type-options'), s.url).toBe('nosniff');
      expect(s.headers.get('referrer-policy'), s.url).toBe('no-referrer');
      expect(s.headers.get('x-frame-options'), s.url).toBe('DENY');
      expect(s.headers.get('content-security-policy'), s.url).toContain("frame-ancestors 'none'");
      if (!isConsole(s.key)) expect(s.headers.get('content-security-policy'), s.url).toMatch(/^default-src 'none'/);
    }
  });

  it('gives every page a policy that allows exactly its inline styles and scripts', () => {
    const pages = seen.filter((s) => s.headers.get('content-type')?.startsWith('text/html') && !isConsole(s.key));
    expect(new Set(pages.map((p) => p.key)).size).toBeGreaterThanOrEqual(6);
    for (const p of pages) {
      const csp = p.headers.get('content-security-policy')!;
      const directive = (name: string) => (csp.split('; ').find((d) => d.startsWith(`${name} `)) ?? '').split(' ').slice(1);
      expect(directive('form-action'), p.url).toEqual(["'self'"]);
      expect(csp, p.url).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
      const styles = [...p.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      const scripts = [...p.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      expect(styles.length, p.url).toBeGreaterThan(0);
      for (const css of styles) expect(directive('style-src'), p.url).toContain(hashOf(css));
      for (const js of scripts) expect(directive('script-src'), p.url).toContain(hashOf(js));
      // What a hash cannot allow: attributes with style or script, external resources.
      expect(p.body, p.url).not.toMatch(/\sstyle\s*=|\son[a-z]+\s*=|javascript:|<script\s+src|<link\b|<img\b|<iframe\b/i);
    }
  });

  it('sends the same headers on signed-in JSON routes and their errors', async () => {
    for (const r of [await coord('GET', '/me'), await coord('GET', '/departments/other/targets')]) expect(r.status).toBeLessThan(500);
    const res = await fetch(`${platform.apiUrl}/me`, { headers: { authorization: `Bearer ${await platform.tokenFor(SAMPLE_COORDINATOR_EMAIL)}` } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  });
});
