/**
 * The console's sign-in page with the built-in sign-in (the local platform's China mode), in
 * Chromium: account, password and TOTP code; the new password asked for at first sign-in; a
 * wrong code refused in Chinese; then the 工作台 as the coordinator, who manages the
 * department's accounts on 登录账号 (create, unlock, reset TOTP or password, deactivate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startPlatform, type Platform } from '../../shared/dev/local/platform.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_MAIN_DEPT } from '../../shared/dev/sample/district.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { ensureConsoleBuilt } from '../../shared/dev/local/console-build.js';
import { createUser, totpCode } from '../../shared/auth/builtin.js';
import { launchChromium, shot } from './browser.js';

// The browser checks a token's expiry against its own clock: the platform's runs from now.
const clock = new ManualClock(new Date().toISOString());
let platform: Platform;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  setClock(clock);
  await ensureConsoleBuilt();
  platform = await startPlatform({ mode: 'cn', retryDelayMs: 10 });
  await loadSampleDistrict(sampleDistrict({ targets: 100 }));
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await ctx.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  resetClock();
  await platform?.stop();
});

describe('the console signs in with the built-in sign-in', { timeout: 180_000 }, () => {
  it('asks for account, password and TOTP, then a new password at first sign-in, and opens the 工作台', async () => {
    const c = await createUser({ email: SAMPLE_COORDINATOR_EMAIL, name: '示例协调员', role: 'coordinator', department: SAMPLE_MAIN_DEPT }, 'test');
    await page.goto(`${platform.apiUrl}/console`);
    await page.locator('[data-testid="builtin-form"]').waitFor();
    // No staff list here: the dev sign-in does not exist in this mode.
    expect(await page.getByText('本地平台：选择一位已登记的工作人员登录').count()).toBe(0);
    await shot(page, 'signin-builtin-01');

    await page.locator('#account').fill(SAMPLE_COORDINATOR_EMAIL);
    await page.locator('#password').fill(c.temporaryPassword);
    await page.locator('#totp').fill(totpCode(c.totp.secret, clock.now().getTime() - 120_000));
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('账号、密码或动态口令不正确').waitFor();

    clock.advance(30_000);
    await page.locator('#totp').fill(totpCode(c.totp.secret));
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('首次登录或密码重置后须设置新密码').waitFor();
    await page.locator('#new-password').fill('Lq8#vN2-xPw7!ks');
    clock.advance(30_000);
    await page.locator('#totp').fill(totpCode(c.totp.secret));
    await shot(page, 'signin-builtin-02-new-password');
    await page.getByRole('button', { name: '设置新密码并登录' }).click();
    await page.getByRole('heading', { name: '工作台' }).waitFor();
    await expect(page.locator('[data-test="who"]').textContent()).resolves.toContain('协调员');
    // the screenshot shows the loaded page (the counters say — until the tasks are read)
    await expect.poll(() => page.locator('[data-test="counter-launch"]').textContent(), { timeout: 60_000 }).not.toBe('—');
    await shot(page, 'signin-builtin-03-home');
  });

  it('the coordinator manages the accounts on 登录账号: created with credentials and QR shown once, unlocked, TOTP or password reset, deactivated', async () => {
    const email = 'zjj.leader3@example.gov.cn';
    const signIn = async (password: string, totp: string, newPassword?: string): Promise<{ status: number; error?: string }> => {
      const r = await fetch(`${platform.apiUrl}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, totp, ...(newPassword ? { newPassword } : {}) }) });
      return { status: r.status, error: ((await r.json()) as { error?: string }).error };
    };
    const state = () => page.locator(`[data-test="state-${email}"]`);
    const action = (name: string) => page.locator(`[data-test="actions-${email}"]`).getByRole('button', { name });
    const confirm = (name: string) => page.locator('.el-message-box').getByRole('button', { name }).click();
    const credentials = async (): Promise<{ password?: string; secret?: string; qr: number }> => {
      const c = page.locator('[data-test="credentials"]');
      await c.waitFor();
      const text = async (sel: string): Promise<string | undefined> => ((await c.locator(sel).count()) ? (await c.locator(sel).textContent())!.trim() : undefined);
      const out = { password: await text('[data-test="temporary-password"]'), secret: await text('[data-test="totp-secret"]'), qr: await c.locator('[data-test="totp-qr"] svg').count() };
      return out;
    };

    await page.getByRole('menuitem', { name: '登录账号' }).click();
    await page.locator('[data-test="users"]').getByText(SAMPLE_COORDINATOR_EMAIL).waitFor();
    await page.locator('[data-test="new-user"]').click();
    await page.locator('#u-email').fill(email);
    await page.locator('#u-name').fill('分管领导丙');
    await page.locator('[data-test="u-role"]').getByText('分管领导').click();
    await page.locator('[data-test="u-save"]').click();
    const created = await credentials();
    expect(created.password).toMatch(/.{12,}/);
    expect(created.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(created.qr).toBe(1);
    await shot(page, 'signin-builtin-04-account-credentials');
    await page.locator('[data-test="credentials-done"]').click();
    await expect(state().textContent()).resolves.toContain('待首次登录改密');

    // the credentials work; then five wrong passwords lock the account
    const password = 'Hv7!pQ2-mZr9#tw';
    clock.advance(30_000);
    expect((await signIn(created.password!, totpCode(created.secret!), password)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      await signIn('not-the-password', totpCode(created.secret!));
    }
    await page.reload();
    await state().getByText('已锁定').waitFor();
    await shot(page, 'signin-builtin-05-locked');
    await action('解锁').click();
    await state().getByText('正常').waitFor();
    clock.advance(30_000);
    expect((await signIn(password, totpCode(created.secret!))).status).toBe(200); // password and TOTP kept

    // a new TOTP secret only: the QR again, no password; the old secret no longer works
    await action('重置动态口令').click();
    await confirm('重置');
    const totpOnly = await credentials();
    expect(totpOnly).toMatchObject({ password: undefined, qr: 1 });
    expect(totpOnly.secret).not.toBe(created.secret);
    await page.locator('[data-test="credentials-done"]').click();
    clock.advance(30_000);
    expect((await signIn(password, totpCode(created.secret!))).status).toBe(401);
    clock.advance(30_000);
    expect((await signIn(password, totpCode(totpOnly.secret!))).status).toBe(200);

    // a new password only: no QR; the account must change it at its next sign-in
    await action('重置密码').click();
    await confirm('重置');
    const passwordOnly = await credentials();
    expect(passwordOnly).toMatchObject({ secret: undefined, qr: 0 });
    await page.locator('[data-test="credentials-done"]').click();
    await state().getByText('待首次登录改密').waitFor();
    clock.advance(30_000);
    expect(await signIn(password, totpCode(totpOnly.secret!))).toMatchObject({ status: 401 });

    // deactivated: refused, whatever the credentials; enabled again from the same row
    await action('停用').click();
    await confirm('停用');
    await state().getByText('已停用').waitFor();
    clock.advance(30_000);
    expect(await signIn(passwordOnly.password!, totpCode(totpOnly.secret!), 'Zx3$kLm9-Qw2!er')).toMatchObject({ status: 403, error: 'AccountDisabled' });
    await action('启用').click();
    await state().getByText('待首次登录改密').waitFor();
    await shot(page, 'signin-builtin-06-accounts');
  });
});
