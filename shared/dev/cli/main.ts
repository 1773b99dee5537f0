/**
 * `suiji`: a thin client of the HTTP API. Every command is one or two HTTP calls; nothing here
 * touches the database. `verify` is the exception by design: it re-runs a draw record offline.
 */
import { Command, Option } from 'commander';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { chinaDateTime } from '../../domain/calendar.js';
import type { ImportRunView } from '../../import/job.js';

const DEFAULT_ENDPOINT = process.env.SUIJI_ENDPOINT ?? 'http://127.0.0.1:3000';
/** Tokens remembered per endpoint (`suiji login`; read at each use, so HOME decides). */
const tokensFile = (): string => join(homedir(), '.suiji', 'tokens.json');
/** This file's folder: the source's, also when run from the launcher's bundle (suiji.mjs defines it). */
declare const SUIJI_CLI_DIR: string | undefined;
const CLI_DIR = typeof SUIJI_CLI_DIR === 'string' ? SUIJI_CLI_DIR : dirname(new URL(import.meta.url).pathname);
/** Written by `npm start` for the sample district's coordinator, so a first command just works. */
const LOCAL_DEV_TOKEN = join(process.env.SUIJI_DATA_DIR ?? resolve(CLI_DIR, '../../../.local'), 'dev-token.json');

interface Ctx {
  endpoint: string;
  token?: string;
  /** The token was given (--token, SUIJI_TOKEN): never replaced. */
  explicit: boolean;
  json: boolean;
}

function readTokens(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(tokensFile(), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function ctxOf(cmd: Command): Ctx {
  const o = cmd.optsWithGlobals<{ endpoint: string; token?: string; json?: boolean }>();
  const endpoint = o.endpoint.replace(/\/$/, '');
  let token = o.token ?? (process.env.SUIJI_TOKEN || undefined) ?? readTokens()[endpoint];
  if (!token && endpoint === DEFAULT_ENDPOINT.replace(/\/$/, '') && existsSync(LOCAL_DEV_TOKEN)) {
    token = (JSON.parse(readFileSync(LOCAL_DEV_TOKEN, 'utf8')) as { token: string }).token;
  }
  return { endpoint, ...(token ? { token } : {}), explicit: Boolean(o.token ?? (process.env.SUIJI_TOKEN || undefined)), json: Boolean(o.json) };
}

/** The e-mail a token was issued to (its payload, unverified: only to sign in again as the same person). */
function emailOf(token: string | undefined): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { email?: unknown };
    return typeof payload.email === 'string' ? payload.email : undefined;
  } catch {
    return undefined;
  }
}

async function saveToken(endpoint: string, token: string): Promise<void> {
  const tokens = readTokens();
  tokens[endpoint] = token;
  await mkdir(dirname(tokensFile()), { recursive: true });
  await writeFile(tokensFile(), JSON.stringify(tokens, null, 2), { mode: 0o600 });
}

/**
 * The local platform refused the token the CLI found by itself — written by another platform
 * (another data folder, e.g. one started with SUIJI_CLOCK_START), or none was found: sign in
 * again through the local sign-in route as the same person (else the sample coordinator) and
 * remember the token. In AWS that route does not exist and the 401 stands.
 */
async function renewLocalToken(ctx: Ctx): Promise<boolean> {
  if (ctx.explicit) return false;
  const { SAMPLE_COORDINATOR_EMAIL } = await import('../sample/district.js');
  const email = emailOf(ctx.token) ?? SAMPLE_COORDINATOR_EMAIL;
  let res: globalThis.Response;
  try {
    res = await fetch(`${ctx.endpoint}/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  } catch {
    return false;
  }
  if (!res.ok) return false;
  const r = (await res.json()) as { token?: string };
  if (!r.token) return false;
  ctx.token = r.token;
  await saveToken(ctx.endpoint, r.token);
  console.error(`（本地平台不接受找到的登录凭据，已重新以 ${email} 登录）`);
  return true;
}

class CliError extends Error {
  /** The API's `error` name (e.g. PasswordChangeRequired), when the API said one. */
  reason?: string;
}

async function call(ctx: Ctx, method: string, path: string, body?: unknown, raw?: { data: Buffer; contentType: string }): Promise<unknown> {
  const send = async (): Promise<globalThis.Response> => {
    try {
      return await fetch(`${ctx.endpoint}${path}`, {
        method,
        headers: {
          ...(ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
          ...(raw ? { 'content-type': raw.contentType } : body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(raw ? { body: raw.data } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new CliError(`无法连接 ${ctx.endpoint}（${(e as Error).message}）。本地平台是否已用 npm start 启动？`);
    }
  };
  let res = await send();
  if (res.status === 401 && (await renewLocalToken(ctx))) res = await send();
  const type = res.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const p = payload as { error?: string; message?: string; issues?: { field: string; message: string }[]; details?: unknown };
    // a validation error's message is its issues joined: print the issues once, one per line
    const lines = [p?.issues?.length ? `错误 ${res.status}：以下 ${p.issues.length} 处输入有误` : `错误 ${res.status}：${p?.message ?? String(payload)}`];
    for (const i of p?.issues ?? []) lines.push(`  - ${i.field}：${i.message}`);
    if (p?.details && !p.issues) lines.push(JSON.stringify(p.details, null, 2));
    const err = new CliError(lines.join('\n'));
    if (p?.error) err.reason = p.error;
    throw err;
  }
  return payload;
}

/** A line from the terminal; hidden (no echo) for passwords. */
async function ask(question: string, hidden = false): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => process.stdout.write(s.startsWith(question) ? question : '');
  try {
    return await new Promise<string>((r) => rl.question(question, (a) => r(a)));
  } finally {
    if (hidden) process.stdout.write('\n');
    rl.close();
  }
}

type Signed = { token: string; principal: { name: string; role: string; department: string }; expiresAt?: string };

/** The built-in sign-in: password (SUIJI_PASSWORD or asked), TOTP code (--totp or asked), a new password when required. */
async function builtinLogin(ctx: Ctx, email: string, totpGiven?: string): Promise<Signed> {
  const password = process.env.SUIJI_PASSWORD ?? (await ask('密码：', true));
  const totp = totpGiven ?? (await ask('动态口令（6 位）：'));
  try {
    return (await call(ctx, 'POST', '/auth/sign-in', { email, password, totp })) as Signed;
  } catch (e) {
    if ((e as CliError).reason !== 'PasswordChangeRequired') throw e;
    console.log((e as Error).message.replace(/^错误 \d+：/, ''));
    const newPassword = process.env.SUIJI_NEW_PASSWORD ?? (await ask('新密码（至少 12 位，含大写、小写、数字、符号中的三类）：', true));
    // the code just used is spent: the next one
    const next = await ask('下一个动态口令（6 位）：');
    return (await call(ctx, 'POST', '/auth/sign-in', { email, password, totp: next, newPassword })) as Signed;
  }
}

async function me(ctx: Ctx): Promise<{ department: string; role: string; email: string; name: string }> {
  return (await call(ctx, 'GET', '/me')) as { department: string; role: string; email: string; name: string };
}

async function deptOf(ctx: Ctx, given?: string): Promise<string> {
  return given ?? (await me(ctx)).department;
}

function out(ctx: Ctx, value: unknown, table?: () => void): void {
  if (ctx.json || !table) console.log(JSON.stringify(value, null, 2));
  else table();
}

const RISK_NAMES: Record<string, string> = { A: 'A（低）', B: 'B（较低）', C: 'C（较高）', D: 'D（高）' };

/** Target statuses in Chinese (the API's codes stay in --json). */
const STATUS_ZH: Record<string, string> = {
  assigned: '已分派',
  notified: '已通知',
  checked: '已检查',
  result_entered: '已录入',
  reviewed: '已审核',
  published: '已公示',
  followup_open: '后续处置中',
  closed: '已办结',
};

/** What `GET /tasks/{taskId}/summary` returns that `task status` shows. */
export interface TaskSummary {
  taskId: string;
  name: string;
  departmentName?: string;
  stageName: string;
  total: number;
  counts?: Record<string, number>;
  countNames?: Record<string, string>;
  reached?: { resultEntered: number; published: number; closed: number; followupOpened?: number };
  failure?: { error: string; cause?: string };
  timeline: { name: string; state: string; at?: string; by?: string }[];
  people: Record<string, string>;
  overdue: { kindName: string; ref: string; due: string; people: { name: string }[] }[];
  next?: { who?: string; what: string };
  draw?: { round: number; selected: number; seed?: string };
}

/** The readable `task status`: stage, timeline, counts, overdue with who is responsible, next action. */
export function formatTaskSummary(s: TaskSummary): string {
  const lines = [`${s.name}（${s.taskId}）：${s.stageName}`];
  for (const st of s.timeline) {
    const mark = { done: '✓', current: '▶', failed: '✗', pending: '·' }[st.state] ?? ' ';
    lines.push(`  ${mark} ${st.name}${st.at ? `  ${chinaDateTime(st.at)}  ${s.people[st.by ?? ''] ?? st.by ?? ''}` : ''}`);
  }
  if (s.failure) lines.push(`  失败原因：${s.failure.cause ?? s.failure.error}`);
  if (s.draw) lines.push(`  抽取：第 ${s.draw.round} 轮，${s.draw.selected} 户；种子 ${s.draw.seed ?? '—'}`);
  if (s.total) {
    lines.push(`  进度：已录入 ${s.reached?.resultEntered ?? 0}/${s.total}，已公示 ${s.reached?.published ?? 0}，已办结 ${s.reached?.closed ?? 0}`);
    const counts = Object.entries(s.counts ?? {}).filter(([, n]) => n > 0);
    if (counts.length) lines.push(`  各状态：${counts.map(([k, n]) => `${s.countNames?.[k] ?? STATUS_ZH[k] ?? k} ${n}`).join('，')}`);
  }
  if (s.overdue.length) {
    lines.push(`  逾期 ${s.overdue.length} 项：`);
    for (const o of s.overdue.slice(0, 20)) lines.push(`    ${o.kindName}  ${o.ref}  期限 ${o.due}  责任人 ${o.people.map((p) => p.name).join('、') || '—'}`);
    if (s.overdue.length > 20) lines.push(`    …另有 ${s.overdue.length - 20} 项（--json 查看全部）`);
  } else if (s.total) lines.push('  无逾期事项');
  if (s.next) lines.push(`  下一步：${s.next.what}`);
  return lines.join('\n');
}

export function buildCli(): Command {
  const program = new Command('suiji')
    .description('Suiji 双随机、一公开 — command-line client of the HTTP API')
    .addOption(new Option('--endpoint <url>', 'API endpoint').default(DEFAULT_ENDPOINT))
    .option('--token <jwt>', 'bearer token (else SUIJI_TOKEN, ~/.suiji/tokens.json, or the local dev token)')
    .option('--json', 'print raw JSON');

  program
    .command('login')
    .description('sign in and remember the token: the built-in sign-in (password + TOTP) where the deployment has it, else the local dev sign-in')
    .argument('<email>')
    .option('--totp <code>', 'the current TOTP code (else asked)')
    .action(async (email: string, o: { totp?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const cfg = (await call({ endpoint: ctx.endpoint, explicit: true, json: ctx.json }, 'GET', '/auth/config').catch(() => ({ mode: 'local' }))) as { mode: string };
      let r: Signed;
      if (cfg.mode === 'builtin') r = await builtinLogin({ endpoint: ctx.endpoint, explicit: true, json: ctx.json }, email, o.totp);
      else if (cfg.mode === 'local') r = (await call(ctx, 'POST', '/auth/dev-login', { email })) as Signed;
      else throw new CliError(`该部署使用${cfg.mode === 'oidc' ? '统一身份认证（OIDC）' : 'Cognito'}登录：请在控制台登录后复制令牌，用 --token 或 SUIJI_TOKEN 传入`);
      await saveToken(ctx.endpoint, r.token);
      console.log(`已登录：${r.principal.name}（${r.principal.role}，${r.principal.department}）${r.expiresAt ? `，有效期至 ${chinaDateTime(r.expiresAt)}` : ''}`);
    });

  const users = program.command('users').description('内置登录账号（协调员管理本部门账号）');
  users
    .command('list')
    .option('--dept <id>')
    .action(async (o: { dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const list = (await call(ctx, 'GET', `/departments/${await deptOf(ctx, o.dept)}/users`)) as { email: string; name: string; role: string; lockedUntil?: string; disabled: boolean }[];
      out(ctx, list, () => {
        for (const u of list) console.log(`${u.email}\t${u.name}\t${u.role}${u.disabled ? '\t已停用' : ''}${u.lockedUntil ? `\t锁定至 ${chinaDateTime(u.lockedUntil)}` : ''}`);
      });
    });
  const printCredentials = (ctx: Ctx, c: { user: { email: string }; temporaryPassword?: string; totp?: { secret: string; uri: string } }): void =>
    out(ctx, c, () => {
      console.log(`账号 ${c.user.email}`);
      if (c.temporaryPassword) console.log(`临时密码：${c.temporaryPassword}（首次登录时须修改）`);
      if (c.totp) {
        console.log(`动态口令密钥：${c.totp.secret}`);
        console.log(`  ${c.totp.uri}`);
      }
      console.log('请当面或通过安全渠道交给本人；以上信息只显示这一次。');
    });
  users
    .command('create')
    .argument('<email>')
    .requiredOption('--name <name>')
    .requiredOption('--role <role>', 'coordinator | leader | inspector')
    .option('--inspector-id <id>', 'inspectors: the registry id')
    .option('--dept <id>')
    .action(async (email: string, o: { name: string; role: string; inspectorId?: string; dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const body = { email, name: o.name, role: o.role, ...(o.inspectorId ? { inspectorId: o.inspectorId } : {}) };
      printCredentials(ctx, (await call(ctx, 'POST', `/departments/${await deptOf(ctx, o.dept)}/users`, body)) as Parameters<typeof printCredentials>[1]);
    });
  users
    .command('reset')
    .description('new temporary password and TOTP secret (or only one of them); unlocks the account')
    .argument('<email>')
    .option('--password-only', 'only a new temporary password (the TOTP secret is kept)')
    .option('--totp-only', 'only a new TOTP secret (the password is kept)')
    .option('--dept <id>')
    .action(async (email: string, o: { dept?: string; passwordOnly?: boolean; totpOnly?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const body = o.passwordOnly ? { password: true } : o.totpOnly ? { totp: true } : {};
      printCredentials(ctx, (await call(ctx, 'POST', `/departments/${await deptOf(ctx, o.dept)}/users/${encodeURIComponent(email)}/reset`, body)) as Parameters<typeof printCredentials>[1]);
    });
  users
    .command('unlock')
    .description('unlock an account locked by failed sign-ins (password and TOTP kept)')
    .argument('<email>')
    .option('--dept <id>')
    .action(async (email: string, o: { dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const u = (await call(ctx, 'POST', `/departments/${await deptOf(ctx, o.dept)}/users/${encodeURIComponent(email)}/unlock`, {})) as { email: string };
      out(ctx, u, () => console.log(`账号 ${u.email} 已解锁`));
    });
  users
    .command('disable')
    .description('deactivate an account (enable: --enable)')
    .argument('<email>')
    .option('--enable', 'enable it again')
    .option('--dept <id>')
    .action(async (email: string, o: { dept?: string; enable?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const u = (await call(ctx, 'PUT', `/departments/${await deptOf(ctx, o.dept)}/users/${encodeURIComponent(email)}/status`, { disabled: !o.enable })) as { email: string; disabled: boolean };
      out(ctx, u, () => console.log(`账号 ${u.email} ${u.disabled ? '已停用' : '已启用'}`));
    });

  program
    .command('whoami')
    .action(async (_o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const p = await me(ctx);
      out(ctx, p, () => console.log(`${p.name} <${p.email}> ${p.role} @ ${p.department}`));
    });

  const targets = program.command('targets').description('检查对象名录库');
  targets
    .command('list')
    .option('--dept <id>')
    .option('--risk <class>', 'credit-risk class A–D')
    .option('--jurisdiction <name>')
    .option('--industry <name>')
    .option('--key', 'key enterprises only')
    .option('--limit <n>', 'how many', '20')
    .option('--cursor <c>')
    .action(async (o: { dept?: string; risk?: string; jurisdiction?: string; industry?: string; key?: boolean; limit: string; cursor?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const dept = await deptOf(ctx, o.dept);
      const q = new URLSearchParams({ limit: o.limit });
      if (o.risk) q.set('risk', o.risk);
      if (o.jurisdiction) q.set('jurisdiction', o.jurisdiction);
      if (o.industry) q.set('industry', o.industry);
      if (o.key) q.set('key', 'true');
      if (o.cursor) q.set('cursor', o.cursor);
      const r = (await call(ctx, 'GET', `/departments/${encodeURIComponent(dept)}/targets?${q}`)) as {
        items: { uscc: string; name: string; jurisdiction: string; industry: string; riskClass: string; isKey: boolean }[];
        cursor?: string;
        partial?: boolean;
      };
      out(ctx, r, () => {
        for (const t of r.items) {
          console.log(`${t.uscc}  ${RISK_NAMES[t.riskClass] ?? t.riskClass}${t.isKey ? ' 重点' : ''}  ${t.jurisdiction}  ${t.industry}  ${t.name}`);
        }
        // (partial: the server read its share of a large registry before the page filled; more may match further on)
        console.log(`共 ${r.items.length} 条${r.partial ? '（本次只查找了名录的一部分，后面可能还有符合条件的记录）' : ''}${r.cursor ? `；${r.partial ? '继续查找' : '下一页'}：--cursor ${r.cursor}` : ''}`);
      });
    });
  targets
    .command('get')
    .argument('<uscc>')
    .option('--dept <id>')
    .action(async (uscc: string, o: { dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'GET', `/departments/${encodeURIComponent(await deptOf(ctx, o.dept))}/targets/${encodeURIComponent(uscc)}`));
    });

  program
    .command('import')
    .description('bulk import a CSV or XLSX file (all-or-nothing): uploaded, then validated and written by an import run')
    .argument('<kind>', 'targets | inspectors | items | experts')
    .argument('<file>')
    .option('--dept <id>')
    .option('--report <file.csv>', 'when the file is rejected, save the complete error report (CSV) here')
    .action(async (kind: string, file: string, o: { dept?: string; report?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const dept = await deptOf(ctx, o.dept);
      const base = `/departments/${encodeURIComponent(dept)}/imports/${encodeURIComponent(kind)}/uploads`;
      // Bytes, never text: a CSV saved by Excel on Chinese Windows is GBK (or UTF-16); the import decodes it.
      const data = await readFile(file);
      const created = (await call(ctx, 'POST', base, { filename: basename(file), size: data.length })) as { run: ImportRunView; upload: { url: string; method: string } };
      const id = created.run.id;
      let put: globalThis.Response;
      try {
        put = await fetch(created.upload.url, { method: created.upload.method, body: data });
      } catch (e) {
        throw new CliError(`上传文件失败（${(e as Error).message}）`);
      }
      if (!put.ok) throw new CliError(`上传文件失败：${put.status} ${(await put.text()).slice(0, 200)}`);
      let run = (await call(ctx, 'POST', `${base}/${id}/start`, {})) as ImportRunView;
      let restarted = false;
      let shown = '';
      for (let wait = 200; !['done', 'rejected', 'failed'].includes(run.status); wait = Math.min(wait * 2, 2000)) {
        await new Promise((r) => setTimeout(r, wait));
        run = (await call(ctx, 'GET', `${base}/${id}`)) as ImportRunView;
        // The run's invocation died and Lambda's retries are spent: starting it again continues it.
        if (run.stalled && !restarted) {
          restarted = true;
          run = (await call(ctx, 'POST', `${base}/${id}/start`, {})) as ImportRunView;
        }
        const line = run.total === undefined ? '正在校验文件…' : `已校验 ${run.total} 条，已写入 ${run.done} / ${run.total}`;
        if (!ctx.json && line !== shown) console.error((shown = line));
      }
      if (run.status === 'rejected' && o.report) {
        const res = await fetch(`${ctx.endpoint}${base}/${id}?report=csv`, { headers: ctx.token ? { authorization: `Bearer ${ctx.token}` } : {} });
        if (res.ok) await writeFile(o.report, Buffer.from(await res.arrayBuffer()));
      }
      out(ctx, run, () => {
        console.log(run.summary ?? run.status);
        if (run.report) console.log(run.report);
        if (run.errorCount && run.errors && run.errorCount > run.errors.length) console.log(`……共 ${run.errorCount} 处错误，以上为前 ${run.errors.length} 处${o.report ? '' : '（--report <文件.csv> 保存完整错误报告）'}`);
        if (run.status === 'rejected' && o.report) console.log(`完整错误报告已保存到 ${o.report}`);
      });
      if (run.status !== 'done') process.exitCode = 1;
    });

  const plans = program.command('plans').description('年度抽查计划');
  plans
    .command('list')
    .option('--dept <id>')
    .action(async (o: { dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'GET', `/departments/${encodeURIComponent(await deptOf(ctx, o.dept))}/plans`));
    });
  plans
    .command('get')
    .argument('<planId>')
    .action(async (planId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'GET', `/plans/${encodeURIComponent(planId)}`));
    });

  const task = program.command('task').description('抽查任务 lifecycle');
  task
    .command('launch')
    .argument('<taskId>')
    .action(async (taskId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/launch`, {}));
    });
  task
    .command('publish')
    .description('coordinator: publish every valid result not yet published (or --uscc …)')
    .argument('<taskId>')
    .option('--uscc <codes...>', 'only these targets')
    .action(async (taskId: string, o: { uscc?: string[] }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/publish`, o.uscc ? { usccs: o.uscc } : {})) as { published: string[]; skipped: { uscc: string; reason: string }[] };
      out(ctx, r, () => {
        console.log(`已公示 ${r.published.length} 户${r.skipped.length ? `，未公示 ${r.skipped.length} 户：` : ''}`);
        for (const s of r.skipped) console.log(`  ${s.uscc}：${s.reason}`);
      });
    });
  task
    .command('list')
    .description("the department's tasks: stage, drawn, entered/published, overdue, next action")
    .option('--dept <id>')
    .action(async (o: { dept?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const rows = (await call(ctx, 'GET', `/departments/${encodeURIComponent(await deptOf(ctx, o.dept))}/tasks`)) as {
        taskId: string; name: string; stageName: string; drawDate: string; total: number; reached?: { resultEntered: number; published: number }; overdue: number; next?: { what: string }; jointLabel?: string;
      }[];
      out(ctx, rows, () => {
        for (const t of rows) {
          console.log(`${t.taskId}  ${t.stageName}  抽取日期 ${t.drawDate}  ${t.total ? `抽取 ${t.total} 户，已录入 ${t.reached?.resultEntered ?? 0}，已公示 ${t.reached?.published ?? 0}` : ''}${t.overdue ? `，逾期 ${t.overdue}` : ''}  ${t.name}${t.jointLabel ? `  ${t.jointLabel}` : ''}`);
          if (t.next) console.log(`    下一步：${t.next.what}`);
        }
      });
    });
  task
    .command('status')
    .alias('summary')
    .description('where a task stands: stage timeline, counts, overdue with who is responsible, the next action (--json: the whole summary for scripts)')
    .argument('<taskId>')
    .option('--json', 'print the summary as JSON')
    .action(async (taskId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const s = (await call(ctx, 'GET', `/tasks/${encodeURIComponent(taskId)}/summary`)) as TaskSummary;
      out(ctx, s, () => console.log(formatTaskSummary(s)));
    });

  task
    .command('approve')
    .description('leader: approve (or --reject <reason>) the task plan form')
    .argument('<taskId>')
    .option('--reject <reason>')
    .action(async (taskId: string, o: { reject?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/approval`, o.reject ? { approve: false, reason: o.reject } : { approve: true }));
    });
  const late = task.command('late-launch').description('逾期启动: a task past its draw date or window starts with new dates a leader approved');
  late
    .command('request')
    .argument('<taskId>')
    .requiredOption('--reason <text>', 'why the task starts late (at least 5 characters; public)')
    .requiredOption('--draw-date <YYYY-MM-DD>', 'the new draw date (today or later)')
    .requiredOption('--from <YYYY-MM-DD>', 'start of the new inspection window')
    .requiredOption('--to <YYYY-MM-DD>', 'end of the new inspection window')
    .action(async (taskId: string, o: { reason: string; drawDate: string; from: string; to: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/late-launch`, { reason: o.reason, drawDate: o.drawDate, window: { start: o.from, end: o.to } })) as { message: string };
      out(ctx, r, () => console.log(r.message));
    });
  for (const [name, approve] of [['approve', true], ['reject', false]] as const) {
    late
      .command(name)
      .description(`leader: ${name} the requested late launch${approve ? '' : ' (--reason required)'}`)
      .argument('<taskId>')
      .option('--reason <text>')
      .action(async (taskId: string, o: { reason?: string }, cmd: Command) => {
        const ctx = ctxOf(cmd);
        const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/late-launch/approval`, { approve, ...(o.reason ? { reason: o.reason } : {}) })) as { lateLaunch: string };
        out(ctx, r, () => console.log(r.lateLaunch === 'approved' ? `已批准逾期启动；请启动任务：suiji task launch ${taskId}` : '已不批准逾期启动'));
      });
  }
  const resume = task.command('resume').description('恢复已终止的任务: the coordinator asks with a reason, a leader decides with a reason');
  resume
    .command('request')
    .argument('<taskId>')
    .requiredOption('--reason <text>', 'why the task should go on (at least 5 characters)')
    .action(async (taskId: string, o: { reason: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/resume`, { reason: o.reason })) as { message: string };
      out(ctx, r, () => console.log(r.message));
    });
  for (const [name, approve] of [['approve', true], ['reject', false]] as const) {
    resume
      .command(name)
      .description(`leader: ${name} the requested resume (a new ceremony round)`)
      .argument('<taskId>')
      .requiredOption('--reason <text>')
      .action(async (taskId: string, o: { reason: string }, cmd: Command) => {
        const ctx = ctxOf(cmd);
        const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/approval`, { subject: 'resume', approve, reason: o.reason })) as { resume: string; round?: number };
        out(ctx, r, () => console.log(r.resume === 'approved' ? `已批准恢复：第 ${r.round} 轮抽取，待登记见证人` : r.resume === 'rejected' ? '已不批准恢复' : '该申请已处理过'));
      });
  }
  task
    .command('targets')
    .argument('<taskId>')
    .option('--status <codes>', 'only targets in these statuses, comma-separated (e.g. followup_open,published)')
    .option('--limit <n>', 'how many', '100')
    .option('--cursor <c>')
    .action(async (taskId: string, o: { limit: string; status?: string; cursor?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const q = new URLSearchParams({ limit: o.limit, ...(o.status ? { status: o.status } : {}), ...(o.cursor ? { cursor: o.cursor } : {}) });
      const r = (await call(ctx, 'GET', `/tasks/${encodeURIComponent(taskId)}/targets?${q}`)) as { items: { uscc: string; name: string; status: string; team: string[]; leader: string }[]; cursor?: string };
      out(ctx, r, () => {
        for (const t of r.items) console.log(`${t.uscc}  ${STATUS_ZH[t.status] ?? t.status}  组长 ${t.leader}  ${t.team.join(',')}  ${t.name}`);
        console.log(`共 ${r.items.length} 户${r.cursor ? `；下一页：--cursor ${r.cursor}` : ''}`);
      });
    });

  const followup = program.command('followup').description('后续处置: open and close dispositions of targets with problems');
  followup
    .command('open')
    .argument('<taskId>')
    .argument('<uscc>')
    .requiredOption('--disposition <code>', "a disposition code of the department's list")
    .requiredOption('--unit <name>', 'responsible unit')
    .option('--due <YYYY-MM-DD>')
    .option('--note <text>')
    .action(async (taskId: string, uscc: string, o: { disposition: string; unit: string; due?: string; note?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const body = { disposition: o.disposition, responsibleUnit: o.unit, ...(o.due ? { due: o.due } : {}), ...(o.note ? { note: o.note } : {}) };
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/targets/${encodeURIComponent(uscc)}/followups`, body)) as { id: string; due: string };
      out(ctx, r, () => console.log(`已登记后续处置 ${r.id}（办理期限 ${r.due || '待定'}）`));
    });
  followup
    .command('list')
    .description("a task's follow-up dispositions (--uscc one target, --status open|closed)")
    .argument('<taskId>')
    .option('--uscc <code>')
    .option('--status <status>', 'open (处置中) or closed (已办结)')
    .action(async (taskId: string, o: { uscc?: string; status?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const q = new URLSearchParams({ ...(o.uscc ? { uscc: o.uscc } : {}), ...(o.status ? { status: o.status } : {}) });
      const r = (await call(ctx, 'GET', `/tasks/${encodeURIComponent(taskId)}/followups${q.size ? `?${q}` : ''}`)) as {
        items: { id: string; uscc: string; disposition: string; responsibleUnit: string; due: string; status: 'open' | 'closed'; outcome?: string; openedBy: string }[];
      };
      out(ctx, r, () => {
        for (const f of r.items) {
          console.log(`${f.id}  ${f.uscc}  ${f.status === 'open' ? '处置中' : '已办结'}  ${f.disposition}  责任单位 ${f.responsibleUnit}  期限 ${f.due || '待定'}${f.outcome ? `  办结情况 ${f.outcome}` : ''}`);
        }
        console.log(`共 ${r.items.length} 项后续处置（处置中 ${r.items.filter((f) => f.status === 'open').length}）`);
      });
    });
  followup
    .command('close')
    .argument('<taskId>')
    .argument('<uscc>')
    .argument('<followupId>')
    .requiredOption('--outcome <text>', 'the outcome (办结情况)')
    .action(async (taskId: string, uscc: string, id: string, o: { outcome: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/targets/${encodeURIComponent(uscc)}/followups/${encodeURIComponent(id)}/close`, { outcome: o.outcome })) as { targetClosed: boolean };
      out(ctx, r, () => console.log(`后续处置 ${id} 已办结${r.targetClosed ? '；该检查对象已办结' : ''}`));
    });

  const ceremony = program.command('ceremony').description('抽取仪式: witnesses commit, then reveal');
  ceremony
    .command('commit')
    .description("a witness's commitment: SHA-256 of the secret (computed here, nothing is sent)")
    .argument('<secret>')
    .action(async (secret: string) => {
      const { commitSecret } = await import('../../draw/index.js');
      console.log(commitSecret(secret));
    });
  const witness = ceremony.command('witness').description('见证人登记: one at a time, then `ceremony close`');
  witness
    .command('add')
    .description('add one witness with the commitment to the secret (or --secret: the commitment is computed here, the secret is not sent)')
    .argument('<taskId>')
    .argument('<witnessId>')
    .requiredOption('--name <name>')
    .requiredOption('--role <role>', 'e.g. 纪检监督, 企业代表, 公证员')
    .option('--commitment <sha256>')
    .option('--secret <secret>', 'compute the commitment locally from the secret')
    .action(async (taskId: string, witnessId: string, o: { name: string; role: string; commitment?: string; secret?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      if (!o.commitment === !o.secret) throw new CliError('请给出 --commitment <承诺值> 或 --secret <秘密>（二者之一）');
      const commitment = o.commitment ?? (await import('../../draw/index.js')).commitSecret(o.secret!);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/witnesses`, { id: witnessId, name: o.name, role: o.role, commitment })) as { round: number; witnesses: number; missing: string[] };
      out(ctx, r, () => {
        console.log(`第 ${r.round} 轮已登记见证人 ${r.witnesses} 名`);
        console.log(r.missing.length ? `  尚不能截止登记：${r.missing.join('；')}` : `  可以截止登记：suiji ceremony close ${taskId}`);
      });
    });
  witness
    .command('remove')
    .description('take a witness registered by mistake off the list (only while registration is open)')
    .argument('<taskId>')
    .argument('<witnessId>')
    .action(async (taskId: string, witnessId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'DELETE', `/tasks/${encodeURIComponent(taskId)}/ceremony/witnesses/${encodeURIComponent(witnessId)}`)) as { round: number; witnesses: number; missing: string[] };
      out(ctx, r, () => {
        console.log(`已移除见证人 ${witnessId}；第 ${r.round} 轮现登记见证人 ${r.witnesses} 名`);
        console.log(r.missing.length ? `  尚不能截止登记：${r.missing.join('；')}` : `  可以截止登记：suiji ceremony close ${taskId}`);
      });
    });
  ceremony
    .command('freeze')
    .description('coordinator: freeze the pool now (freeze record, system commitment and beacon round published); witnesses register after, then `ceremony close`')
    .argument('<taskId>')
    .action(async (taskId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/freeze`, {})) as { round: number };
      out(ctx, r, () => console.log(`第 ${r.round} 轮对象池正在冻结；冻结记录公开后登记见证人，再截止登记：suiji ceremony close ${taskId}`));
    });
  ceremony
    .command('close')
    .description("coordinator: close witness registration (at least the profile's witnesses); before the freeze the pool freezes next, after it the close record is published")
    .argument('<taskId>')
    .action(async (taskId: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/close`, {})) as { round: number; witnesses: number };
      out(ctx, r, () => console.log(`第 ${r.round} 轮见证人登记已截止（${r.witnesses} 名）；对象池冻结后请各见证人揭示`));
    });
  ceremony
    .command('abort')
    .description('abort the open ceremony (before the draw), with the reason on record; the task can then be resumed')
    .argument('<taskId>')
    .requiredOption('--reason <text>')
    .action(async (taskId: string, o: { reason: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/abort`, { reason: o.reason }));
    });
  ceremony
    .command('witnesses')
    .description('add several witnesses at once: --witness <id>:<name>:<role>:<commitment> (repeat); then `ceremony close`')
    .argument('<taskId>')
    .requiredOption('--witness <spec...>')
    .action(async (taskId: string, o: { witness: string[] }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const witnesses = o.witness.map((w) => {
        const [id, name, role, commitment] = w.split(':');
        if (!id || !name || !role || !commitment) throw new CliError(`见证人格式应为 <编号>:<姓名>:<身份>:<承诺值>，收到「${w}」`);
        return { id, name, role, commitment };
      });
      out(ctx, await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/witnesses`, { witnesses }));
    });
  ceremony
    .command('index-closes')
    .description("coordinator or leader: enter the closes of 上证指数 and 深证成指 on the trading day the freeze fixed (index-close beacon); two different people's entries must agree")
    .argument('<taskId>')
    .requiredOption('--shanghai <close>', '上证指数 (000001.SH) close, two decimals')
    .requiredOption('--shenzhen <close>', '深证成指 (399001.SZ) close, two decimals')
    .action(async (taskId: string, o: { shanghai: string; shenzhen: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const r = (await call(ctx, 'POST', `/tasks/${encodeURIComponent(taskId)}/ceremony/index-closes`, { shanghai: o.shanghai, shenzhen: o.shenzhen })) as { round: number; date: string; status: string; missing: string[] };
      out(ctx, r, () =>
        console.log(
          r.status === 'agreed'
            ? `第 ${r.round} 轮 ${r.date} 收盘点位两人录入一致，信标值已确定${r.missing.length ? `；尚待揭示：${r.missing.join('、')}` : '；抽取随即进行'}`
            : `已录入 ${r.date} 收盘点位，待另一人录入（须与本次一致）`,
        ),
      );
    });
  ceremony
    .command('reveal')
    .description("a witness's reveal, sent by the witness from their own machine (public witness endpoint: only the secret matching the published commitment is accepted)")
    .argument('<taskId>')
    .argument('<witnessId>')
    .argument('<secret>')
    .action(async (taskId: string, witnessId: string, secret: string, _o, cmd: Command) => {
      const ctx = ctxOf(cmd);
      out(ctx, await call(ctx, 'POST', `/public/tasks/${encodeURIComponent(taskId)}/reveal`, { witnessId, secret }));
    });

  program
    .command('draw')
    .description('download the published draw record of a task (JSON), e.g. for suiji verify')
    .argument('<taskId>')
    .option('-o, --out <file>', 'write to a file')
    .option('--round <n>')
    .action(async (taskId: string, o: { out?: string; round?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const res = await fetch(`${ctx.endpoint}/public/tasks/${encodeURIComponent(taskId)}/draw${o.round ? `?round=${o.round}` : ''}`);
      if (!res.ok) throw new CliError(`错误 ${res.status}：${((await res.json()) as { message?: string }).message ?? ''}`);
      const text = await res.text();
      if (o.out) {
        await writeFile(o.out, text);
        console.log(`已保存 ${o.out}（${text.length} 字节）`);
      } else console.log(text);
    });

  program
    .command('verify')
    .description('re-derive a published draw record (v1 or v2) offline and report OK or the first difference; --chain checks a department\'s v2 records together')
    .argument('<record.json...>')
    .option('--chain', 'the files are one department\'s v2 records (draw and outcome records): check rounds 1…N and their links')
    .action(async (files: string[], o: { chain?: boolean }) => {
      const { runVerify, runVerifyChain } = await import('./verify.js');
      if (o.chain) process.exitCode = await runVerifyChain(files);
      else if (files.length !== 1) throw new CliError('用法：suiji verify <record.json>，或 suiji verify --chain <record.json…>');
      else process.exitCode = await runVerify(files[0]!);
    });

  program
    .command('selfcheck')
    .description('an enterprise checks its own inclusion (and stratum) in a published suiji-draw-v2 record, offline')
    .argument('<record.json>')
    .argument('<uscc>')
    .argument('<code>', 'the check code (核验码) from the enterprise\'s notice')
    .action(async (file: string, uscc: string, code: string) => {
      const { runSelfCheck } = await import('./verify.js');
      process.exitCode = await runSelfCheck(file, uscc, code);
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(e.message);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  await main();
}
