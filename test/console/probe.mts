import { launchChromium, shot } from './browser.js';
const base = process.argv[2] ?? 'http://127.0.0.1:3310';
const t0 = Date.now();
const b = await launchChromium();
const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
p.on('console', (m) => console.log('[console]', m.text()));
p.on('pageerror', (e) => console.log('[err]', e.message));
p.on('requestfailed', (r) => console.log('[fail]', r.url(), r.failure()?.errorText));
p.on('response', (r) => { if (r.status() >= 400) console.log('[http]', r.status(), r.url()); });
await p.goto(`${base}/console`, { timeout: 60000 });
console.log('loaded', Date.now() - t0, p.url());
await p.getByText('本地平台').waitFor({ timeout: 60000 });
console.log('login shown', Date.now() - t0);
await p.locator('[data-email="zjj.coordinator@example.gov.cn"]').click();
await p.getByRole('heading', { name: '工作台' }).waitFor();
console.log('home', Date.now() - t0);
for (const [path, name] of [['#/registry/targets', 'reg-targets'], ['#/registry/inspectors', 'reg-inspectors'], ['#/import', 'import'], ['#/plans/fp-zjj-2026', 'plan'], ['#/reports', 'reports']]) {
  await p.goto(`${base}/console${path}`);
  await p.waitForTimeout(4000);
  await shot(p, `probe-${name}`);
  console.log(name, Date.now() - t0);
}
await b.close();
