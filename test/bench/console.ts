/**
 * `npm run bench -- console [targets]`: the web console on the local platform in headless
 * Chromium (Debian's), printed figures:
 *   - bundle: JS + CSS of the first screens as transferred (gzip), and of the whole build;
 *   - first contentful paint of /console (sign-in page) and of the home screen signed in;
 *   - the task page interactive (a drawn task with its progress table) — median of 5 loads;
 *   - a filtered page of the targets list: 50 loads through the API and 50 through the screen
 *     (choose a filter, click 查询, rows painted), p50 and p95.
 * The registry is the sample district with `targets` targets (default 20,000). A page of the
 * targets list reads the pool index until it has 50 matches, so its cost follows the filter's
 * selectivity and the page size, not the registry's size; the figure printed says which size
 * it was measured on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../shared/dev/local/console-build.js';
import { REPO_ROOT } from '../../shared/dev/local/lambdas.js';
import { startPlatform } from '../../shared/dev/local/platform.js';
import { ApiClient } from '../../shared/dev/local/api-client.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { sampleDistrict, SAMPLE_COORDINATOR_EMAIL, SAMPLE_LEADER_EMAIL, SAMPLE_MAIN_DEPT, SAMPLE_PLAN_ID, SAMPLE_TOWNS } from '../../shared/dev/sample/district.js';
import { ManualClock, setClock } from '../../shared/clock.js';
import { passBeacon } from '../helpers/beacon.js';
import { launchChromium } from '../console/browser.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const TARGETS = Number(process.argv[2] ?? 20_000);
const TASK = `${SAMPLE_PLAN_ID}-01`;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (n: number): string => `${n.toFixed(0)} ms`;

// --- the build
await ensureConsoleBuilt((l) => console.log(l));
const dist = join(REPO_ROOT, 'web', 'dist', 'assets');
let allGz = 0;
for (const f of readdirSync(dist)) if (/\.(js|css)$/.test(f)) allGz += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
console.log(`whole console build: JS + CSS ${kb(allGz)} gzipped (every screen; each loads only its own chunks)`);

// --- the platform with the sample district, and one task drawn (for the task page)
setClock(new ManualClock('2026-01-12T01:00:00Z'));
const platform = await startPlatform({ retryDelayMs: 10, environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
const browser = await launchChromium();
try {
  const t0 = Date.now();
  const loaded = await loadSampleDistrict(sampleDistrict({ targets: TARGETS }));
  console.log(`sample district: ${loaded.targets.created + loaded.targets.updated + loaded.targets.unchanged} targets loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const api = new ApiClient(platform);
  const coord = await api.as(SAMPLE_COORDINATOR_EMAIL);
  const leader = await api.as(SAMPLE_LEADER_EMAIL);
  const stage = async (want: string): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      if ((await coord('GET', `/tasks/${TASK}/status`)).json?.stage === want) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`stage ${want} not reached`);
  };
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  await coord('POST', `/tasks/${TASK}/launch`, {});
  await stage('approval');
  await leader('POST', `/tasks/${TASK}/approval`, { approve: true });
  await stage('witnesses');
  await coord('POST', `/tasks/${TASK}/ceremony/witnesses`, { witnesses: [{ id: 'w1', name: '甲', role: '纪检监督', commitment: sha('bench-1') }, { id: 'w2', name: '乙', role: '企业代表', commitment: sha('bench-2') }] });
  await coord('POST', `/tasks/${TASK}/ceremony/close`, {});
  await stage('ceremony');
  passBeacon(); // the draw waits for the beacon round fixed at the freeze
  await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w1', secret: 'bench-1' });
  await coord('POST', `/tasks/${TASK}/ceremony/reveal`, { witnessId: 'w2', secret: 'bench-2' });
  await stage('results');
  const drawn = (await coord('GET', `/tasks/${TASK}/status`)).json.total as number;

  const token = await platform.tokenFor(SAMPLE_COORDINATOR_EMAIL);
  const principal = (await coord('GET', '/me')).json;
  const session = JSON.stringify({ token, principal });
  const base = `${platform.apiUrl}/console`;

  /** A fresh context (empty cache); signed in when asked (the console keeps its session per tab). */
  async function freshPage(signedIn: boolean): Promise<{ page: Page; bytes: () => number; close: () => Promise<void> }> {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    if (signedIn) await ctx.addInitScript(`sessionStorage.setItem('suiji.session', ${JSON.stringify(session)})`);
    const page = await ctx.newPage();
    page.setDefaultTimeout(120_000);
    let total = 0;
    page.on('requestfinished', async (req) => {
      if (!/\.(js|css)$/.test(new URL(req.url()).pathname)) return;
      total += (await req.sizes()).responseBodySize;
    });
    return { page, bytes: () => total, close: () => ctx.close() };
  }
  // (page scripts as strings: this file is type-checked without the DOM library)
  const fcp = (page: Page): Promise<number> =>
    page.evaluate(`new Promise((r) => {
      const e = performance.getEntriesByName('first-contentful-paint')[0];
      if (e) return r(e.startTime);
      new PerformanceObserver((l) => r(l.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
    })`);

  // warm the server side (first requests compile modules in-process)
  {
    const w = await freshPage(true);
    await w.page.goto(`${base}#/tasks/${TASK}`);
    await w.page.locator('[data-test="progress"] .el-table__body tr').first().waitFor();
    await w.close();
  }

  // --- first screens: sign-in page (not signed in) and home (signed in)
  const login = await freshPage(false);
  await login.page.goto(base);
  await login.page.getByText('本地平台').waitFor();
  await login.page.waitForLoadState('networkidle');
  const loginFcp = await fcp(login.page);
  const loginBytes = login.bytes();
  await login.close();
  const home = await freshPage(true);
  await home.page.goto(base);
  await home.page.locator('[data-test="todo"]').waitFor();
  await home.page.waitForLoadState('networkidle');
  const homeFcp = await fcp(home.page);
  const homeBytes = home.bytes();
  await home.close();
  console.log(`first screen JS + CSS (gzip, as transferred): sign-in page ${kb(loginBytes)}, home signed in ${kb(homeBytes)}  (budget 350 KB)`);
  console.log(`first contentful paint: sign-in page ${ms(loginFcp)}, home ${ms(homeFcp)}  (budget 1,000 ms)`);

  // --- the task page interactive: its progress table of the drawn targets on screen
  const taskTimes: number[] = [];
  // where the time goes: scripts parsed (DOMContentLoaded), then each API read (start → end)
  const parts: Record<string, number[]> = {};
  for (let i = 0; i < 5; i++) {
    const p = await freshPage(true);
    await p.page.goto(`${base}#/tasks/${TASK}`);
    await p.page.locator('[data-test="progress"] .el-table__body tr').first().waitFor();
    await p.page.locator('[data-test="stage"]').waitFor();
    taskTimes.push(await p.page.evaluate(() => performance.now()));
    const marks = (await p.page.evaluate(`(() => {
      const out = { 'scripts ready': performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd };
      for (const e of performance.getEntriesByType('resource')) {
        const m = /\\/tasks\\/[^/]+\\/(summary|targets)/.exec(e.name);
        if (m) { out[m[1] + ' asked'] = e.startTime; out[m[1] + ' read'] = e.responseEnd; }
      }
      return out;
    })()`)) as Record<string, number>;
    for (const [k, v] of Object.entries(marks)) (parts[k] ??= []).push(v);
    await p.close();
  }
  console.log(`task page interactive (${drawn} drawn targets, cold cache): median ${ms(pct(taskTimes, 50))}, max ${ms(Math.max(...taskTimes))}  (budget 1,500 ms)`);
  console.log(`  of which (median, ms since navigation): ${Object.entries(parts).map(([k, v]) => `${k} ${ms(pct(v, 50))}`).join(', ')}`);

  // --- a filtered page of the targets list, 50 loads
  const towns = SAMPLE_TOWNS.map((t) => t.name);
  const filters = Array.from({ length: 50 }, (_, i) => ({ risk: 'ABCD'[i % 4]!, jurisdiction: towns[i % towns.length]! }));
  const apiTimes: number[] = [];
  for (const f of filters) {
    const t = performance.now();
    const r = await coord('GET', `/departments/${SAMPLE_MAIN_DEPT}/targets?risk=${f.risk}&jurisdiction=${encodeURIComponent(f.jurisdiction)}&limit=50`);
    apiTimes.push(performance.now() - t);
    if (r.status !== 200) throw new Error(JSON.stringify(r.json));
  }
  const screen = await freshPage(true);
  await screen.page.goto(`${base}#/registry/targets`);
  await screen.page.locator('[data-test="registry"] .el-table__body tr').first().waitFor();
  const screenTimes: number[] = [];
  for (const f of filters) {
    const p = screen.page;
    await p.locator('input[aria-label="辖区"]').fill(f.jurisdiction);
    await p.locator('[data-test="filter-risk"]').click();
    await p.locator('.el-select-dropdown__item:visible', { hasText: `${f.risk} 类` }).first().click();
    const t = performance.now();
    await Promise.all([p.waitForResponse((r) => r.url().includes('/targets?')), p.locator('[data-test="search"]').click()]);
    await p.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    screenTimes.push(performance.now() - t);
  }
  await screen.close();
  console.log(`filtered targets page (risk class + jurisdiction, 50 per page) over ${TARGETS.toLocaleString('en')} targets, 50 loads:`);
  console.log(`  API    p50 ${ms(pct(apiTimes, 50))}, p95 ${ms(pct(apiTimes, 95))}`);
  console.log(`  screen p50 ${ms(pct(screenTimes, 50))}, p95 ${ms(pct(screenTimes, 95))}  (budget 300 ms at p95)`);
} finally {
  await browser.close();
  await platform.stop();
}
process.exit(0);
