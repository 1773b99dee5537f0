/**
 * `npm start`: the whole platform on this machine with real parts, data kept under .local/,
 * the sample district loaded on first run, schedules running in real time.
 * `SUIJI_MODE=cn npm start`: the same as deployed in the AWS China regions — mail over the local
 * SMTP server and dovecot (IMAP), the built-in sign-in (password + TOTP) instead of dev sign-in.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modeFromEnv, startPlatform } from './platform.js';
import { createUser, totpCode } from '../../auth/builtin.js';
import { LocalScheduler } from './scheduler.js';
import { SAMPLE_COORDINATOR_EMAIL, SAMPLE_MAIN_DEPT, sampleDistrict } from '../sample/district.js';
import { OffsetClock, setClock } from '../../clock.js';
import { loadSampleDistrict } from '../sample/load.js';
import { ensureConsoleBuilt } from './console-build.js';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const dataDir = process.env.SUIJI_DATA_DIR ?? join(root, '.local');
const num = (v: string | undefined, d: number): number => (v ? Number(v) : d);

// SUIJI_CLOCK_START runs the platform as if it were that instant (time then flows normally),
// e.g. to walk through the sample 2026 plan from its first draw date.
if (process.env.SUIJI_CLOCK_START) setClock(new OffsetClock(process.env.SUIJI_CLOCK_START));

const mode = modeFromEnv();
const t0 = Date.now();
// The console is served by the API under /console: build it first if web/ changed.
await ensureConsoleBuilt((l) => console.log(`  ${l}`));
const platform = await startPlatform({
  dataDir,
  ports: {
    api: num(process.env.SUIJI_API_PORT, 3000),
    ses: num(process.env.SUIJI_SES_PORT, 8005),
    dynamo: num(process.env.SUIJI_DYNAMO_PORT, 8000),
    sfn: num(process.env.SUIJI_SFN_PORT, 8083),
  },
  mode,
  log: (l) => console.log(`  ${l}`),
});

const marker = join(dataDir, 'sample-loaded');
if (!existsSync(marker)) {
  console.log('  loading the sample district (first run) …');
  const size = process.env.SUIJI_SAMPLE_TARGETS ? Number(process.env.SUIJI_SAMPLE_TARGETS) : undefined;
  const r = await loadSampleDistrict(size ? sampleDistrict({ targets: size }) : undefined);
  writeFileSync(marker, JSON.stringify(r, null, 2));
  console.log(`  sample district loaded: ${JSON.stringify(r)}`);
}

// Global mode: the CLI is signed in as the sample coordinator. China mode: the built-in sign-in
// has no shortcut; on first run the sample coordinator gets an account (as an operator creates
// the first one, docs/DEPLOY.md) whose temporary password and TOTP secret are kept here.
const accountsFile = join(dataDir, 'cn', 'signin-accounts.json');
if (mode === 'global') {
  writeFileSync(join(dataDir, 'dev-token.json'), JSON.stringify({ email: SAMPLE_COORDINATOR_EMAIL, token: await platform.tokenFor(SAMPLE_COORDINATOR_EMAIL) }), { mode: 0o600 });
} else {
  rmSync(join(dataDir, 'dev-token.json'), { force: true });
  if (!existsSync(accountsFile)) {
    const c = await createUser({ email: SAMPLE_COORDINATOR_EMAIL, name: '示例协调员', role: 'coordinator', department: SAMPLE_MAIN_DEPT }, 'npm start');
    writeFileSync(accountsFile, JSON.stringify({ email: SAMPLE_COORDINATOR_EMAIL, temporaryPassword: c.temporaryPassword, totpSecret: c.totp.secret, totpUri: c.totp.uri }, null, 2), { mode: 0o600 });
  }
}

if (process.env.SUIJI_CHAOS === '1') (await import('./chaos.js')).installChaos(platform, (l) => console.log(`  ${l}`));

const scheduler = new LocalScheduler({ template: platform.lambdas.template, lambdas: platform.lambdas, log: (l: string) => console.log(`  ${l}`) });
await scheduler.start();

console.log(`
Suiji is up (${((Date.now() - t0) / 1000).toFixed(1)} s).

  控制台 console          ${platform.apiUrl}/console
  API and public pages   ${platform.apiUrl}/public
  published 2026 plan    ${platform.apiUrl}/public/plans/${SAMPLE_MAIN_DEPT}-2026
  mail inbox             ${mode === 'global' ? platform.inboxUrl : '(China mode: the IMAP mailbox "outbox", below)'}
  data                   ${dataDir}

${
  mode === 'global'
    ? `Try:  npx suiji targets list --risk D --limit 5
      (signed in as the sample coordinator ${SAMPLE_COORDINATOR_EMAIL}; npx suiji login <email> to switch)`
    : chinaHint()
}
Stop with Ctrl-C; data is kept and an in-flight lifecycle resumes at the next start.
`);

function chinaHint(): string {
  const a = JSON.parse(readFileSync(accountsFile, 'utf8')) as { email: string; temporaryPassword: string; totpSecret: string };
  const c = platform.china!;
  return `China mode (SUIJI_MODE=cn): SMTP 127.0.0.1:${c.smtp.port}, IMAP 127.0.0.1:${c.dovecot.port}
      mailbox "outbox" (every message sent, password ${c.mailboxPasswords.outbox}), "reply" (polled every minute)
Sign in (built-in: password + TOTP; a new password is asked for at first sign-in):
      ${a.email} / temporary password ${a.temporaryPassword}
      TOTP secret ${a.totpSecret} (add it to an authenticator app; current code ${totpCode(a.totpSecret)})
      npx suiji login ${a.email}     (asks for password and code)`;
}

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping …');
  scheduler.stop();
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
