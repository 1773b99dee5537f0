/**
 * The console's sign-in page with the built-in sign-in (the local platform's China mode), in
 * Chromium: account, password and TOTP code; the new password asked for at first sign-in; a
 * wrong code refused in Chinese; then the 工作台 as the coordinator.
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
    await shot(page, 'signin-builtin-03-home');
  });
});
