/**
 * The web console in a real browser (Debian's Chromium through playwright-core): the sample
 * district's coordinator, its leader and two witnesses take the 2026 plan's first task from
 * launch to closed through the console alone; the inspectors enter their results through their
 * assignment mails' links. Each main screen is saved under test-output/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID } from '../../shared/dev/sample/district.js';
import { setProfileOverrides } from '../../shared/services/profile.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { passBeacon } from '../helpers/platform.js';
import { ensureConsoleBuilt } from '../../shared/dev/local/console-build.js';
import { launchChromium, shot } from './browser.js';
import { gbk } from '../helpers/gbk.js';
import { TARGET_HEADER, targetsCsv } from '../import/generate.js';
import { readPool } from '../../shared/store/registry.js';
import { resultForm } from '../helpers/result-form.js';

const TASK = `${SAMPLE_PLAN_ID}-01`;
const clock = new ManualClock('2026-01-12T01:00:00Z'); // 09:00 China time, the task's draw date
const SECRETS = ['第一位见证人的秘密 2026', 'witness-two-秘密-8842'];
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

let platform: Platform;
let browser: Browser;
const contexts: BrowserContext[] = [];
let coord: Page;
let leader: Page;

async function personPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  // A shared 2-core machine under load: a first screen may take tens of seconds.
  page.setDefaultTimeout(90_000);
  page.setDefaultNavigationTimeout(120_000);
  page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
  return page;
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${platform.apiUrl}/console`);
  await page.locator(`[data-email="${email}"]`).click();
  await page.getByRole('heading', { name: '工作台' }).waitFor();
}

const stageOf = (page: Page) => page.locator('[data-test="stage"]');

/**
 * Press 刷新 until the task's stage reads `stage`, as a person would: after an act elsewhere (a
 * mail link, the other person's entry) the workflow moves on a moment later, not by the click.
 */
async function refreshUntil(page: Page, stage: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    await page.getByRole('button', { name: '刷新' }).click();
    if (await stageOf(page).filter({ hasText: stage }).isVisible()) return;
    if (Date.now() > deadline) throw new Error(`stage ${stage} not reached in ${ms} ms (now: ${await stageOf(page).textContent()})`);
    await page.waitForTimeout(1000);
  }
}

/** Choose an option of an Element Plus select (a popper outside the select's element). */
async function choose(page: Page, select: string, option: string): Promise<void> {
  await page.locator(select).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

beforeAll(async () => {
  setClock(clock);
  await ensureConsoleBuilt();
  platform = await startPlatform({ retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: 600 }));
  // the department's draws use drand and the index closes (profile draw.beacon: both); set now,
  // since the functions cache a department's profile for 30 s
  await setProfileOverrides(SAMPLE_MAIN_DEPT, { draw: { beacon: 'both' } }, 'e2e');
  browser = await launchChromium();
  coord = await personPage();
  leader = await personPage();
}, 600_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  resetClock();
  await platform?.stop();
});

// The machine is shared and slow: a screen's first load may take seconds; each step gets minutes.
describe('the console in Chromium: a task from launch to closed', { timeout: 300_000 }, () => {
  it('signs the coordinator in from the staff list and shows what needs action', async () => {
    await coord.goto(`${platform.apiUrl}/console`);
    await coord.getByText('本地平台：选择一位已登记的工作人员登录').waitFor();
    expect(coord.url()).toContain('#/login');
    await shot(coord, '01-login');
    await signIn(coord, SAMPLE_COORDINATOR_EMAIL);
    await expect(coord.locator('[data-test="who"]').textContent()).resolves.toContain('协调员');
    const todo = coord.locator('[data-test="todo"]');
    await todo.getByText('待启动').first().waitFor();
    await expect(todo.textContent()).resolves.toContain('2026年第一次随机抽查');
    // a coordinator's menu has the registries, plans, tasks and reports
    for (const m of ['抽查任务', '名录库', '年度抽查计划', '统计与报表']) await coord.getByRole('menuitem', { name: m }).first().waitFor();
    // no account management here: the local platform's global mode has no built-in sign-in
    expect(await coord.getByRole('menuitem', { name: '登录账号' }).count()).toBe(0);
    await shot(coord, '02-home-coordinator');
  });

  it('launches the task from the task list, with the plan form on the task page', async () => {
    await coord.getByRole('menuitem', { name: '抽查任务' }).click();
    const list = coord.locator('[data-test="tasks"]');
    await list.getByText(TASK).waitFor();
    // the list fits a 1440 px screen: its last column (下一步) ends inside the table's box, no horizontal scroll
    const table = (await list.boundingBox())!;
    const lastHead = (await list.locator('th', { hasText: '下一步' }).boundingBox())!;
    expect(lastHead.x + lastHead.width).toBeLessThanOrEqual(table.x + table.width + 1);
    expect(table.x + table.width).toBeLessThanOrEqual(1440);
    await expect(list.locator('tr', { hasText: TASK }).locator('[data-test="task-next"]').textContent()).resolves.toContain('启动任务');
    await shot(coord, '03-tasks');
    await list.getByRole('link', { name: '2026年第一次随机抽查' }).first().click();
    await expect(stageOf(coord).textContent()).resolves.toBe('未启动');
    await expect(coord.locator('[data-test="plan-card"]').textContent()).resolves.toContain('牵头科室');
    await coord.locator('[data-test="launch"]').click();
    await coord.locator('.el-message-box').getByRole('button', { name: '启动' }).click();
    await coord.locator('[data-test="stage"]', { hasText: '待领导审批' }).waitFor();
  });

  it('the leader follows the approval mail into the console, signs in, refuses a rejection without reason, approves', async () => {
    // The mail's one button leads to the console's approval route; no link id approves (issue 12, 4).
    const mail = platform.ses.emails().find((e) => e.destination.to.some((t) => t.includes(SAMPLE_LEADER_EMAIL)) && e.subject.includes('审批'));
    expect(mail, 'the approval request mail').toBeDefined();
    const href = /href="([^"]*#\/approve\/[^"]+)"/.exec(mail!.body.html ?? '')?.[1];
    expect(href).toBe(`${platform.apiUrl}/console#/approve/${TASK}`);
    expect(`${mail!.body.html}${mail!.body.text}`).not.toMatch(/\/l\/[A-Za-z0-9_-]{16,}/);
    await leader.goto(href!);
    // not signed in: the console signs in first, then goes on to the approval
    await leader.getByText('本地平台：选择一位已登记的工作人员登录').waitFor();
    expect(leader.url()).toContain('#/login');
    await leader.locator(`[data-email="${SAMPLE_LEADER_EMAIL}"]`).click();
    await leader.locator('[data-test="approval-card"]').waitFor();
    expect(leader.url()).toContain(`#/tasks/${TASK}`);
    await shot(leader, '04-approval-from-mail');
    // the home screen shows the approval waiting; a leader has no import menu (the API would refuse it)
    await leader.goto(`${platform.apiUrl}/console#/`);
    await expect.poll(() => leader.locator('[data-test="counter-approvals"]').textContent(), { timeout: 90_000 }).toBe('1');
    await expect(leader.getByRole('menuitem', { name: '批量导入' }).count()).resolves.toBe(0);
    await shot(leader, '04-home-leader');
    await leader.goto(href!);
    await leader.locator('[data-test="approval-card"]').waitFor();
    await leader.locator('[data-test="reject"]').click();
    await leader.locator('[data-test="approval-card"] .el-form-item__error', { hasText: '不批准时请填写理由' }).waitFor();
    await shot(leader, '05-approval-field-error');
    await leader.locator('[data-test="approve"]').click();
    await leader.locator('[data-test="stage"]', { hasText: '待登记见证人' }).waitFor();
    const steps = await leader.locator('[data-test="timeline"] .el-step').first().textContent();
    expect(steps).toContain('计划审批');
    // who acted, by name (not e-mail)
    expect(steps).not.toContain(SAMPLE_LEADER_EMAIL);
    expect(steps).toMatch(/09:\d\d\s*\S+/);
  });

  const commitments: string[] = [];
  it('each witness computes a commitment in their own browser, without signing in', async () => {
    for (const [i, secret] of SECRETS.entries()) {
      const w = await personPage();
      await w.goto(`${platform.apiUrl}/console#/witness`);
      await w.locator('[data-test="secret"]').fill(secret);
      await w.locator('[data-test="compute"]').click();
      const c = (await w.locator('[data-test="commitment"]').textContent())!.trim();
      // the same value as `suiji ceremony commit`, computed with Web Crypto in the page
      expect(c).toBe(sha(secret));
      commitments.push(c);
      if (i === 0) await shot(w, '06-witness-commitment');
    }
  });

  /**
   * Register the two witnesses one at a time and close registration. `freezeFirst`: the pool is
   * frozen first (freeze record, system commitment and beacon public), the witnesses register
   * after; otherwise registration closes and the pool freezes with the close right after it.
   */
  async function registerWitnesses(badFirst: boolean, freezeFirst = false): Promise<void> {
    const card = coord.locator('[data-test="witness-card"]');
    await card.waitFor();
    if (freezeFirst) {
      await coord.locator('[data-test="freeze"]').click();
      await coord.locator('[data-test="stage"]', { hasText: '抽取仪式' }).waitFor();
      await coord.locator('[data-test="freeze-digest"]').waitFor();
      // the local platform's beacon says what it is: a local test chain, not drand
      await expect(coord.locator('[data-test="freeze-record"] [data-test="beacon"]').textContent()).resolves.toContain('不是 drand');
      await shot(coord, '06b-frozen-before-witnesses');
    }
    await coord.locator('[data-test="w-name"]').fill('王纪检');
    await coord.locator('[data-test="w-commitment"]').fill(commitments[0]!);
    await coord.locator('[data-test="add-witness"]').click();
    await card.getByText(commitments[0]!).waitFor();
    // one witness is not enough: closing is not offered yet, and the page says why
    await coord.locator('[data-test="witness-missing"]', { hasText: '至少需要 2 名见证人，目前已登记 1 名' }).waitFor();
    await expect(coord.locator('[data-test="close-registration"]').isDisabled()).resolves.toBe(true);
    await coord.locator('[data-test="w-name"]').fill('李企业');
    if (badFirst) {
      await coord.locator('[data-test="w-commitment"]').fill('abc123');
      await coord.locator('[data-test="add-witness"]').click();
      await coord.locator('.el-form-item__error', { hasText: '承诺值应为 64 位小写十六进制' }).waitFor();
      await shot(coord, '07-witnesses-field-error');
      // a witness registered by mistake comes off the list before registration closes
      await coord.locator('[data-test="w-name"]').fill('张错登');
      await coord.locator('[data-test="w-commitment"]').fill(sha('登记错了'));
      await coord.locator('[data-test="add-witness"]').click();
      await coord.locator('[data-test="witness-ready"]').waitFor();
      await coord.locator('[data-test="remove-witness-w2"]').click();
      await coord.locator('.el-message-box').getByRole('button', { name: '移除' }).click();
      await coord.locator('[data-test="witness-missing"]', { hasText: '至少需要 2 名见证人，目前已登记 1 名' }).waitFor();
      await expect(card.textContent()).resolves.not.toContain('张错登');
      await coord.locator('[data-test="w-name"]').fill('李企业');
    }
    await coord.locator('[data-test="w-commitment"]').fill(commitments[1]!);
    await coord.locator('[data-test="add-witness"]').click();
    await coord.locator('[data-test="witness-ready"]').waitFor();
    await coord.locator('[data-test="close-registration"]').click();
    await coord.locator('.el-message-box').getByRole('button', { name: '截止登记' }).click();
    await coord.locator('[data-test="stage"]', { hasText: '抽取仪式' }).waitFor();
    const ceremony = coord.locator('[data-test="ceremony-card"]');
    await ceremony.getByText(commitments[0]!).waitFor();
    await expect(ceremony.textContent()).resolves.toMatch(/系统承诺值[0-9a-f]{64}/);
    await expect(ceremony.textContent()).resolves.toMatch(/登记截止记录摘要[0-9a-f]{64}/);
  }

  it('the coordinator registers the witnesses one at a time (a bad commitment is refused beside its field) and closes registration', async () => {
    await coord.getByRole('button', { name: '刷新' }).click();
    await registerWitnesses(true);
  });

  it('an aborted ceremony is resumed with a new round after the leader approves, with reasons', async () => {
    await coord.locator('[data-test="ceremony-card"]').getByRole('button', { name: '中止仪式' }).click();
    await coord.locator('.el-message-box input').fill('企业代表临时离场');
    await coord.locator('.el-message-box').getByRole('button', { name: '中止' }).click();
    await coord.locator('[data-test="stage"]', { hasText: '已终止' }).waitFor({ timeout: 60_000 });
    await coord.locator('[data-test="resume-reason"]').fill('企业代表已回到现场，重新组织抽取');
    await coord.locator('[data-test="resume-request"]').click();
    await coord.locator('[data-test="resume-pending"]').waitFor();

    await leader.getByRole('button', { name: '刷新' }).click();
    await leader.locator('[data-test="resume-card"]', { hasText: '企业代表已回到现场，重新组织抽取' }).waitFor();
    await leader.locator('[data-test="resume-approve"]').click();
    await leader.locator('.el-form-item__error', { hasText: '批准恢复时请写明理由' }).waitFor();
    await leader.locator('[data-test="resume-decision"]').fill('同意恢复，按程序重新抽取');
    await shot(leader, '07b-resume-approval');
    await leader.locator('[data-test="resume-approve"]').click();
    await leader.locator('[data-test="stage"]', { hasText: '待登记见证人' }).waitFor({ timeout: 60_000 });

    await coord.getByRole('button', { name: '刷新' }).click();
    await coord.locator('[data-test="resume-note"]', { hasText: '同意恢复，按程序重新抽取' }).waitFor();
    await registerWitnesses(false, true);
    await expect(coord.locator('[data-test="ceremony-card"]').textContent()).resolves.toContain('第 2 轮');
    await coord.locator('[data-test="index-closes"]', { hasText: '2026-01-13 上证指数' }).waitFor();
  });

  it("reveals on the witnesses' own devices (no sign-in; a mistyped secret is caught in the page and never sent); the draw waits for the beacon", async () => {
    const card = coord.locator('[data-test="ceremony-card"]');
    // the operator's page has no field for a secret: it points the witnesses to their own page
    await expect(card.locator('input[type="password"]').count()).resolves.toBe(0);
    const url = await card.locator('[data-test="reveal-link"]').textContent();
    expect(url).toContain('#/witness?task=');

    const first = await personPage();
    await first.goto(url!.replace(/^https?:\/\/[^/]+/, platform.apiUrl));
    await choose(first, '[data-test="reveal-witness"]', '王纪检');
    await first.locator('[data-test="reveal-secret"]').fill('第一位见证人的秘密 2025');
    await first.locator('.el-form-item__error', { hasText: '与您登记的承诺值不一致' }).waitFor();
    await expect(first.locator('[data-test="reveal"]').isDisabled()).resolves.toBe(true);
    await shot(first, '08-witness-reveal-mismatch');
    // (the server refuses a mismatch too and keeps it on record: test/lifecycle/ceremony.test.ts)
    await first.locator('[data-test="reveal-secret"]').fill(SECRETS[0]!);
    await first.locator('[data-test="reveal-match"]').waitFor();
    await first.locator('[data-test="reveal"]').click();
    await first.locator('[data-test="revealed"]', { hasText: '尚待揭示：李企业' }).waitFor();
    await coord.getByRole('button', { name: '刷新' }).click();
    await card.locator('.el-tag', { hasText: '已揭示' }).waitFor();

    const second = await personPage();
    await second.goto(url!.replace(/^https?:\/\/[^/]+/, platform.apiUrl));
    await choose(second, '[data-test="reveal-witness"]', '李企业');
    await second.locator('[data-test="reveal-secret"]').fill(SECRETS[1]!);
    await second.locator('[data-test="reveal-match"]').waitFor();
    await second.locator('[data-test="reveal"]').click();
    await second.locator('[data-test="revealed"]', { hasText: '全部见证人已揭示' }).waitFor();
    // the beacon round comes after the planned close of registration: the clock moves past it
    // every secret is in, the beacon round is not out yet: nothing is drawn
    await leader.getByRole('button', { name: '刷新' }).click();
    await leader.locator('[data-test="stage"]', { hasText: '抽取仪式' }).waitFor();
    passBeacon();
    // the index closes of the next trading day: two people, each in their own console, after 15:00
    await coord.getByRole('button', { name: '刷新' }).click();
    await expect(coord.locator('[data-test="index-submit"]').isDisabled()).resolves.toBe(true);
    clock.set('2026-01-13T07:00:00Z');
    await coord.getByRole('button', { name: '刷新' }).click();
    await coord.locator('[data-test="index-shanghai"]').fill('4165.29');
    await coord.locator('[data-test="index-shenzhen"]').fill('14366.91');
    await coord.locator('[data-test="index-submit"]').click();
    await coord.locator('[data-test="index-entries"]', { hasText: '4165.29' }).waitFor();
    await leader.getByRole('button', { name: '刷新' }).click();
    await leader.locator('[data-test="index-shanghai"]').fill('4165.29');
    await leader.locator('[data-test="index-shenzhen"]').fill('14369.61');
    await leader.locator('[data-test="index-submit"]').click();
    await leader.locator('[data-test="index-error"]', { hasText: '深证成指收盘点位两次录入不一致' }).waitFor();
    await leader.locator('[data-test="index-entries"]', { hasText: '与另一人录入不一致，未被采用' }).waitFor();
    await shot(leader, '08b-index-closes-mismatch');
    await leader.locator('[data-test="index-shenzhen"]').fill('14366.91');
    await leader.locator('[data-test="index-submit"]').click();
    await refreshUntil(leader, '检查与结果录入');

    await coord.getByRole('button', { name: '刷新' }).click();
    await coord.locator('[data-test="stage"]', { hasText: '检查与结果录入' }).waitFor();
    await setProfileOverrides(SAMPLE_MAIN_DEPT, {}, 'e2e');
    const draw = coord.locator('[data-test="draw-card"]');
    await expect(draw.textContent()).resolves.toMatch(/抽取户数\d+ 户/);
    // the department gives an enterprise its check code for the public self-check, on request
    const row = await coord.locator('[data-test="progress"] tbody tr').first().textContent();
    await coord.locator('[data-test="checkcode-uscc"]').fill(/[0-9A-HJ-NP-RTUW-Y]{18}/.exec(row!)![0]);
    await coord.locator('[data-test="checkcode"]').click();
    await expect(coord.locator('[data-test="checkcode-result"]').textContent()).resolves.toMatch(/的核验码：[0-9a-f]{32}/);
    await draw.getByRole('button', { name: '在服务器上复核' }).click();
    await coord.locator('[data-test="verification"]', { hasText: '复核通过' }).waitFor();
    const rows = await coord.locator('[data-test="progress"] tbody tr').count();
    expect(rows).toBeGreaterThan(5);
    await shot(coord, '09-task-drawn');
  });

  it('inspectors enter results through their mail links; the console shows progress and publishes', async () => {
    // Every assignment mail carries one link per inspector listing all of their targets.
    const mails = platform.ses.emails().filter((e) => e.subject.includes('检查任务分派'));
    expect(mails.length).toBeGreaterThan(1);
    const linkOf = new Map<string, string>();
    for (const m of mails) {
      const body = `${m.body.html ?? ''}${m.body.text ?? ''}`;
      const link = /\/l\/([A-Za-z0-9_-]{8,})/.exec(body)?.[1];
      if (link) linkOf.set(m.destination.to.join(), link);
    }
    const auth = { authorization: `Bearer ${await platform.tokenFor(SAMPLE_COORDINATOR_EMAIL)}` };
    const summary = (await (await fetch(`${platform.apiUrl}/tasks/${TASK}/summary`, { headers: auth })).json()) as { department: string; plan: { items: { general: string[]; key: string[] } } };
    const { items: targets } = (await (await fetch(`${platform.apiUrl}/tasks/${TASK}/targets?limit=1000`, { headers: auth })).json()) as { items: { uscc: string; team: string[] }[] };
    const itemIds: string[] = [...summary.plan.items.general, ...summary.plan.items.key];
    const inspectors = (await (await fetch(`${platform.apiUrl}/departments/${summary.department}/inspectors`, { headers: auth })).json()) as { id: string; email: string }[];
    const emailOf = new Map(inspectors.map((i) => [i.id, i.email]));
    clock.set('2026-01-21T02:00:00Z');
    for (const [i, t] of targets.entries()) {
      const email = emailOf.get(t.team[0]!)!;
      const link = [...linkOf].find(([to]) => to.includes(email))?.[1];
      expect(link, `assignment link of ${email}`).toBeDefined();
      const problem = i === 0;
      const form = resultForm({
        items: itemIds,
        checkDate: '2026-01-20',
        present: t.team.slice(0, 2),
        signed: true,
        ...(problem ? { codes: 'A', verdict: 'problem' as const, problems: '未按规定公示资质信息' } : {}),
      });
      const res = await fetch(`${platform.apiUrl}/l/${link}?t=${t.uscc}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      expect(res.status, await res.clone().text()).toBe(200);
    }

    await refreshUntil(coord, '待公示');
    await expect(coord.locator('[data-test="progress-card"]').textContent()).resolves.toContain('已录入结果');
    // The problem found opened its follow-up when the result was entered: shown with its due date before publication.
    const arisen = coord.locator(`[data-test="fu-open-${targets[0]!.uscc}"] [data-test="fu-due"]`);
    await arisen.waitFor();
    await expect(arisen.textContent()).resolves.toMatch(/录入结果时自动建立，处置期限 \d{4}年\d{1,2}月\d{1,2}日/);
    await shot(coord, '10-task-results-entered');
    await coord.locator('[data-test="publish"]').click();
    await coord.locator('[data-test="stage"]', { hasText: '后续处置' }).waitFor({ timeout: 60_000 });
  });

  it('opens and closes the follow-up of the problem found; the task closes with its summary', async () => {
    const open = coord.locator('[data-test^="fu-open-"]').first();
    await open.waitFor();
    await open.locator('[data-test="fu-submit"]').click();
    await open.locator('.el-form-item__error', { hasText: '请选择处置方式' }).waitFor();
    await choose(coord, '[data-test^="fu-open-"] [data-test="fu-disposition"]', '责令改正');
    await open.locator('[data-test="fu-unit"]').fill('建筑市场监督股');
    await open.locator('[data-test="fu-submit"]').click();
    const table = coord.locator('[data-test="followups"]');
    await table.getByText('处置中').waitFor();
    await shot(coord, '11-followup-open');
    await table.locator('[data-test="fu-outcome"]').fill('已整改到位，完结');
    await table.locator('[data-test="fu-close"]').click();
    await coord.locator('[data-test="stage"]', { hasText: '已办结' }).waitFor({ timeout: 60_000 });
    const closed = coord.locator('[data-test="closed-card"]');
    await expect(closed.textContent()).resolves.toMatch(/发现问题\s*1/);
    const steps = coord.locator('[data-test="timeline"] .el-step.is-horizontal .el-step__head.is-success');
    await expect(steps.count()).resolves.toBe(7);
    await coord.locator('.el-collapse-item__header', { hasText: '操作记录' }).click();
    await coord.locator('[data-test="audit"]').getByText('任务办结').waitFor();
    await shot(coord, '12-task-closed');
  });

  it('registries: a filtered page of targets, field errors from the shared schema beside the fields', async () => {
    await coord.getByRole('menuitem', { name: '名录库' }).click();
    await coord.getByRole('menuitem', { name: '检查对象名录库' }).click();
    await choose(coord, '[data-test="filter-risk"]', 'D 类');
    await coord.locator('[data-test="search"]').click();
    const table = coord.locator('[data-test="registry"]');
    await expect.poll(async () => {
      const cells = await table.locator('.el-table__body tr td:nth-child(6)').allTextContents();
      return cells.length > 0 && cells.every((c) => c.includes('D 类'));
    }, { timeout: 90_000 }).toBe(true);
    await shot(coord, '13-registry-targets');
    // Search by part of a name, server-side, with the risk filter still on.
    const first = (await table.locator('.el-table__body tr td:nth-child(2)').first().textContent())!.trim();
    const part = [...first].slice(2, 6).join('');
    await coord.locator('[data-test="filter-name"]').fill(part);
    await coord.locator('[data-test="search"]').click();
    await expect.poll(async () => {
      const names = await table.locator('.el-table__body tr td:nth-child(2)').allTextContents();
      return names.length > 0 && names.every((n) => n.includes(part)) && names.includes(first);
    }, { timeout: 90_000 }).toBe(true);
    await coord.locator('[data-test="filter-name"]').fill('');
    await table.getByRole('button', { name: '编辑' }).first().click();
    const dialog = coord.locator('[data-test="edit-form"]');
    await dialog.locator('[data-test="f-name"]').fill('');
    await coord.locator('[data-test="save"]').click();
    await dialog.locator('.el-form-item__error', { hasText: '不能为空' }).waitFor();
    await shot(coord, '14-registry-field-error');
    await coord.getByRole('button', { name: '取消' }).click();
  });

  it('imports a GBK CSV: a bad row is reported row by row and nothing is written', async () => {
    const auth = { authorization: `Bearer ${await platform.tokenFor(SAMPLE_COORDINATOR_EMAIL)}` };
    const existing = (await (await fetch(`${platform.apiUrl}/departments/fp-zjj/targets?limit=1`, { headers: auth })).json()) as { items: Record<string, unknown>[] };
    const t = existing.items[0] as { uscc: string; name: string; jurisdiction: string; industry: string };
    const row = (over: Record<string, string>): string =>
      TARGET_HEADER.map((h) => ({ 统一社会信用代码: t.uscc, 名称: '改名后的公司（不应写入）', 主体类型: '企业', 辖区: t.jurisdiction, 行业: t.industry, 信用风险分类: 'A', 重点企业: '否', 状态: '正常', ...over })[h] ?? '').join(',');
    const csv = `${TARGET_HEADER.join(',')}\r\n${row({})}\r\n${row({ 统一社会信用代码: '91130624MA0BADXXX', 信用风险分类: 'E' })}\r\n`;
    await coord.getByRole('menuitem', { name: '批量导入' }).click();
    await coord.locator('[data-test="import-file"]').setInputFiles({ name: '检查对象（GBK）.csv', mimeType: 'text/csv', buffer: gbk(csv) });
    await coord.locator('[data-test="import-submit"]').click();
    const errors = coord.locator('[data-test="import-errors"]');
    await errors.waitFor();
    const text = (await errors.textContent())!;
    expect(text).toContain('信用风险分类');
    expect(text).toMatch(/\b3\b/); // the spreadsheet row of the bad record
    await shot(coord, '15-import-errors');
    const after = (await (await fetch(`${platform.apiUrl}/departments/fp-zjj/targets/${t.uscc}`, { headers: auth })).json()) as { name: string };
    expect(after.name).toBe(t.name);
  });

  it('plans and reports: the published plan, KPIs with 达标/未达标/无数据 and the XLSX', async () => {
    await coord.getByRole('menuitem', { name: '年度抽查计划' }).click();
    await coord.locator('[data-test="plans"]').getByRole('link').first().click();
    await coord.locator('[data-test="plan-tasks"]').getByText(TASK).waitFor();
    await shot(coord, '16-plan');
    await coord.getByRole('menuitem', { name: '统计与报表' }).click();
    const kpis = coord.locator('[data-test="kpis"]');
    await kpis.locator('.el-table__body tr').first().waitFor();
    const statuses = await kpis.locator('.el-table__body tr td:nth-child(6)').allTextContents();
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    for (const st of statuses) expect(['达标', '未达标', '无数据', '未设目标']).toContain(st.trim());
    await expect(coord.locator('canvas').count()).resolves.toBeGreaterThanOrEqual(2);
    const [file] = await Promise.all([coord.waitForEvent('download'), coord.locator('[data-test="xlsx"]').click()]);
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    await shot(coord, '17-reports');
  });
  it('a new annual plan: a task refused beside its field, submitted, sent back with a reason, resubmitted, approved and published', async () => {
    await coord.getByRole('menuitem', { name: '年度抽查计划' }).click();
    await coord.locator('[data-test="new-plan"]').click();
    await coord.getByLabel('计划名称').fill('2026年度建筑市场专项抽查计划');
    await coord.locator('#p-year').fill('2026');
    await coord.getByLabel('计划编号').fill('fp-zjj-2026-zx');
    // Saving without a task: the server's message, nothing lost.
    await coord.locator('[data-test="save-plan"]').click();
    await coord.locator('[data-test="plan-issues"]').getByText('计划至少包含一个抽查任务').waitFor();
    await coord.locator('[data-test="add-task"]').click();
    const dlg = coord.locator('[data-test="task-dialog"]');
    await dlg.getByLabel('任务编号').fill('fp-zjj-2026-zx-01');
    await dlg.getByLabel('任务名称').fill('2026年专项抽查（建筑市场）');
    await dlg.getByLabel('牵头科室').fill('建筑市场管理股');
    await dlg.locator('[data-test="t-general"]').click();
    await coord.locator('.el-select-dropdown__item:visible', { hasText: 'zjj-001' }).first().click();
    await dlg.getByLabel('任务名称').click(); // close the dropdown
    await dlg.locator('input[placeholder="开始日期"]').fill('2026-09-01');
    await dlg.locator('input[placeholder="结束日期"]').fill('2026-11-30');
    await dlg.locator('input[placeholder="结束日期"]').press('Enter');
    await dlg.locator('#t-drawDate').fill('2026-12-15');
    await dlg.locator('#t-drawDate').press('Enter');
    await dlg.getByLabel('检查依据').fill('《中华人民共和国建筑法》《建筑业企业资质管理规定》');
    await dlg.locator('[data-test="keep-task"]').click();
    await coord.locator('[data-test="plan-edit-tasks"]').getByText('fp-zjj-2026-zx-01').waitFor();
    await coord.locator('[data-test="save-plan"]').click();
    // The draw date outside the window: refused, the task marked, the message beside the field in its dialog.
    await coord.locator('[data-test="plan-error"]').waitFor();
    await coord.locator('[data-test="plan-edit-tasks"] .row-error').waitFor();
    await coord.locator('[data-test="edit-task-0"]').click();
    await dlg.locator('.el-form-item__error', { hasText: '不在抽查时间' }).waitFor();
    await shot(coord, '18-plan-edit-error');
    await dlg.locator('#t-drawDate').fill('2026-09-01');
    await dlg.locator('#t-drawDate').press('Enter');
    await dlg.locator('[data-test="keep-task"]').click();
    await coord.locator('[data-test="save-plan"]').click();
    await coord.locator('[data-test="submit-plan"]').click();
    await coord.getByText('等待分管领导批准后发布。').waitFor();

    // The leader sends it back; a rejection needs its reason.
    await leader.goto(`${platform.apiUrl}/console#/plans/fp-zjj-2026-zx`);
    await leader.locator('[data-test="reject-plan"]').click();
    await leader.locator('[data-test="confirm-reject"]').click();
    await leader.getByText('退回计划须说明理由').waitFor();
    await leader.locator('[data-test="reject-reason"]').fill('D 类比例过低，请提高到 30%');
    await leader.locator('[data-test="confirm-reject"]').click();
    await leader.locator('[data-test="plan-rejection"]').getByText('D 类比例过低').waitFor();

    await coord.reload();
    await coord.locator('[data-test="plan-rejection"]').getByText('D 类比例过低，请提高到 30%').waitFor();
    await coord.locator('[data-test="edit-plan"]').click();
    await coord.locator('[data-test="edit-task-0"]').click();
    await dlg.locator('#t-ratio-D').fill('30');
    await dlg.locator('#t-ratio-D').press('Tab');
    await dlg.locator('[data-test="keep-task"]').click();
    await coord.locator('[data-test="save-plan"]').click();
    await coord.locator('[data-test="submit-plan"]').click();
    await coord.getByText('等待分管领导批准后发布。').waitFor();

    await leader.reload();
    await leader.locator('[data-test="approve-plan"]').click();
    await coord.reload();
    await coord.locator('[data-test="publish-plan"]').click();
    await coord.locator('[data-test="adjust-plan"]').waitFor();
    const tasks = coord.locator('[data-test="plan-tasks"]');
    await tasks.getByText('fp-zjj-2026-zx-01').waitFor();
    await expect(tasks.locator('.el-table__body tr').first().textContent()).resolves.toContain('30%');
    const pub = await fetch(`${platform.apiUrl}/public/plans/fp-zjj-2026-zx.json`);
    expect(pub.status).toBe(200);
    await shot(coord, '19-plan-published');
  });

  it('a task whose draw date has passed: the launch is refused until the leader approves a late launch with new dates', async () => {
    const LATE = `${SAMPLE_PLAN_ID}-02`; // draw date 2026-04-20, window 2026-04-16 … 06-15
    clock.set('2026-06-22T02:00:00Z');
    // (through the task list: the task page of another task is a new page)
    await coord.goto(`${platform.apiUrl}/console#/tasks`);
    await coord.goto(`${platform.apiUrl}/console#/tasks/${LATE}`);
    await coord.locator('[data-test="late-warning"]', { hasText: '抽取日期（2026-04-20）已过，抽查时间（2026-04-16 至 2026-06-15）已结束' }).waitFor();
    await expect(coord.locator('[data-test="launch"]').isDisabled()).resolves.toBe(true);
    await coord.locator('[data-test="late-reason"]').fill('汛期抢险占用执法力量，本轮抽查顺延');
    await coord.locator('[data-test="late-draw"]').fill('2026-06-19');
    await coord.locator('[data-test="late-start"]').fill('2026-06-24');
    await coord.locator('[data-test="late-end"]').fill('2026-08-31');
    await coord.locator('[data-test="late-request"]').click();
    await coord.locator('.el-form-item__error', { hasText: '不能早于今天' }).waitFor();
    await coord.locator('[data-test="late-draw"]').fill('2026-06-24');
    await coord.locator('[data-test="late-request"]').click();
    await coord.locator('[data-test="late-pending"]').waitFor();
    await shot(coord, '20-late-launch-request');

    // the leader's home counts the request among what waits for him
    await leader.goto(`${platform.apiUrl}/console#/`);
    await leader.locator('[data-test="todo"]').getByText('逾期启动申请待审批（请您审批）').waitFor();
    await expect.poll(() => leader.locator('[data-test="counter-approvals"]').textContent(), { timeout: 90_000 }).toBe('1');
    await leader.goto(`${platform.apiUrl}/console#/tasks`);
    await leader.goto(`${platform.apiUrl}/console#/tasks/${LATE}`);
    const card = leader.locator('[data-test="late-approval-card"]');
    await card.getByText('汛期抢险占用执法力量，本轮抽查顺延').waitFor();
    await leader.locator('[data-test="late-reject"]').click();
    await leader.locator('.el-form-item__error', { hasText: '不批准时请填写理由' }).waitFor();
    await leader.locator('[data-test="late-decision"]').fill('同意顺延');
    await shot(leader, '21-late-launch-approval');
    await leader.locator('[data-test="late-approve"]').click();
    await card.waitFor({ state: 'detached' });

    await coord.getByRole('button', { name: '刷新' }).click();
    await coord.locator('[data-test="late-approved"]').waitFor();
    await coord.locator('[data-test="launch"]').click();
    await coord.locator('.el-message-box').getByRole('button', { name: '启动' }).click();
    await coord.locator('[data-test="stage"]', { hasText: '待领导审批' }).waitFor();
    await expect(coord.locator('[data-test="plan-card"]').textContent()).resolves.toContain('2026年6月24日 至 2026年8月31日');
  });

  it("a cross-department task's plan card names the partner departments and their key items", async () => {
    await coord.goto(`${platform.apiUrl}/console#/tasks`);
    await coord.goto(`${platform.apiUrl}/console#/tasks/${SAMPLE_PLAN_ID}-06`);
    const card = coord.locator('[data-test="plan-card"]');
    await card.getByText('气瓶充装单位特种设备安全检查（重点）').waitFor();
    await expect(coord.locator('[data-test="joint-departments"]').textContent()).resolves.toBe('阜平县住房和城乡建设局、阜平县市场监督管理局、阜平县应急管理局');
    await expect(card.textContent()).resolves.not.toMatch(/scjg-0|yjj-0|fp-scjg/);
  });

  it("a partner department's coordinator has the cross-department task in his task list and on his home, marked with its lead department", async () => {
    // launching it is not his to do: his home lists nothing to launch
    const partner = await personPage();
    await signIn(partner, 'scjg.coordinator@example.gov.cn');
    await partner.getByText(`联合（牵头：阜平县住房和城乡建设局）`).first().waitFor();
    await expect(partner.locator('[data-test="todo"]').textContent()).resolves.not.toContain('城镇燃气经营企业跨部门联合抽查');
    await partner.getByRole('menuitem', { name: '抽查任务' }).click();
    const row = partner.locator('[data-test="tasks"] tr', { hasText: `${SAMPLE_PLAN_ID}-06` });
    await expect(row.locator('[data-test="joint-tag"]').textContent()).resolves.toBe('联合（牵头：阜平县住房和城乡建设局）');
    await shot(partner, '22-partner-tasks');
    await row.getByRole('link', { name: '2026年城镇燃气经营企业跨部门联合抽查' }).click();
    await expect(partner.locator('[data-test="joint-departments"]').textContent()).resolves.toBe('阜平县住房和城乡建设局、阜平县市场监督管理局、阜平县应急管理局');
  });

  // Last: the 1,500 targets it adds would change the department's coverage figures the plan tests check.
  it('imports a file larger than the API takes (presigned upload, import run): a bad last row rejects all, a good file is written with progress', async () => {
    const requests: string[] = [];
    const onRequest = (r: { method(): string; url(): string }): void => void requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    coord.on('request', onRequest);
    try {
      const risk = TARGET_HEADER.indexOf('信用风险分类');
      // ~12 MB: more than API Gateway's 10 MB (the local server refuses it on the API with 413 as well)
      const big = targetsCsv(70_000, 77, (i, row) => {
        if (i === 69_999) row[risk] = 'E';
      }, 7_000_000);
      expect(big.length).toBeGreaterThan(10 * 1024 * 1024);
      const count = async (): Promise<number> => (await readPool('fp-zjj', ['uscc'])).length;
      const before = await count();
      await coord.goto(`${platform.apiUrl}/console#/import`);
      await coord.locator('[data-test="import-file"]').setInputFiles({ name: '检查对象（7万行）.csv', mimeType: 'text/csv', buffer: big });
      await coord.locator('[data-test="import-submit"]').click();
      const errors = coord.locator('[data-test="import-errors"]');
      await errors.waitFor({ timeout: 240_000 });
      const text = (await errors.textContent())!;
      expect(text).toContain('70001'); // the spreadsheet row of the last record
      expect(text).toContain('未写入任何数据');
      await shot(coord, '15b-import-large-rejected');
      const [report] = await Promise.all([coord.waitForEvent('download'), coord.locator('[data-test="import-report"]').click()]);
      expect(report.suggestedFilename()).toMatch(/导入错误报告.*\.csv$/);
      expect(await count()).toBe(before);

      const good = targetsCsv(1_500, 78, undefined, 7_100_000);
      await coord.locator('[data-test="import-file"]').setInputFiles({ name: '检查对象.csv', mimeType: 'text/csv', buffer: good });
      await coord.locator('[data-test="import-submit"]').click();
      const ok = coord.locator('[data-test="import-ok"]');
      await ok.waitFor({ timeout: 240_000 });
      expect(await ok.textContent()).toContain('新增 1500 条');
      expect(await count()).toBe(before + 1_500);
      // both went the way of large imports: the file to the presigned URL, never through the API
      expect(requests.filter((r) => r.startsWith('PUT /local/blobs/imports/fp-zjj/'))).toHaveLength(2);
      expect(requests.filter((r) => /^POST \/departments\/fp-zjj\/imports\/targets$/.test(r))).toEqual([]);
    } finally {
      coord.off('request', onRequest);
    }
  });
});
