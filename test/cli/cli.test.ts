/**
 * The CLI against a stubbed API (no platform): an error is printed once, and the lifecycle
 * commands a coordinator needs exist (task publish, followup open / close, the ceremony's
 * witness add / close, task resume and late-launch).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../shared/dev/cli/main.js';

function stubApi(status: number, json: unknown): { calls: { url: string; method: string; body?: unknown }[] } {
  const calls: { url: string; method: string; body?: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: { method: string; body?: string }) => {
    calls.push({ url, method: init.method, ...(init.body ? { body: JSON.parse(init.body) } : {}) });
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
  });
  return { calls };
}

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    await main(['node', 'suiji', '--endpoint', 'http://127.0.0.1:9', '--token', 't', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return { out: out.join('\n'), err: err.join('\n') };
}

afterEach(() => {
  vi.unstubAllGlobals();
  process.exitCode = 0;
});

describe('suiji CLI', () => {
  it('prints a validation error once: a header, then each field once', async () => {
    const issues = [{ field: '处置方式', message: '不能为空' }];
    stubApi(400, { error: 'ValidationError', message: '处置方式：不能为空', issues });
    const { err } = await run('followup', 'open', 'T1', '91130624MA0000000X', '--disposition', 'x', '--unit', '执法队');
    expect(err.split('处置方式：不能为空')).toHaveLength(2);
    expect(err).toContain('错误 400：以下 1 处输入有误');
    expect(process.exitCode).toBe(1);
  });

  it('task publish and followup open / close call the API and answer in Chinese', async () => {
    const api = stubApi(200, { published: ['U1', 'U2'], skipped: [{ uscc: 'U3', reason: '结果尚未审核' }] });
    expect((await run('task', 'publish', 'T1')).out).toBe('已公示 2 户，未公示 1 户：\n  U3：结果尚未审核');
    expect(api.calls[0]).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:9/tasks/T1/publish', body: {} });

    const open = stubApi(201, { id: 'f1', due: '2027-01-04' });
    expect((await run('followup', 'open', 'T1', 'U1', '--disposition', '责令整改', '--unit', '执法队')).out).toBe('已登记后续处置 f1（办理期限 2027-01-04）');
    expect(open.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/tasks/T1/targets/U1/followups', body: { disposition: '责令整改', responsibleUnit: '执法队' } });

    stubApi(200, { targetClosed: true });
    expect((await run('followup', 'close', 'T1', 'U1', 'f1', '--outcome', '已整改')).out).toBe('后续处置 f1 已办结；该检查对象已办结');
  });

  it('ceremony witness add / remove / close, a refused reveal, task resume and late-launch call the API', async () => {
    const add = stubApi(200, { round: 1, witnesses: 1, missing: ['至少需要 2 名见证人，目前已登记 1 名'] });
    const added = await run('ceremony', 'witness', 'add', 'T1', 'w1', '--name', '王纪检', '--role', '纪检监督', '--secret', 's1');
    expect(added.out).toBe('第 1 轮已登记见证人 1 名\n  尚不能截止登记：至少需要 2 名见证人，目前已登记 1 名');
    // the secret stays here: only its commitment is sent
    expect(add.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/tasks/T1/ceremony/witnesses', body: { id: 'w1', name: '王纪检', role: '纪检监督', commitment: 'e8bc163c82eee18733288c7d4ac636db3a6deb013ef2d37b68322be20edc45cc' } });
    expect((await run('ceremony', 'witness', 'add', 'T1', 'w2', '--name', '李', '--role', '企业代表')).err).toContain('--commitment');

    const removed = stubApi(200, { round: 1, witnesses: 1, missing: ['至少需要 2 名见证人，目前已登记 1 名'] });
    expect((await run('ceremony', 'witness', 'remove', 'T1', 'w9')).out).toBe('已移除见证人 w9；第 1 轮现登记见证人 1 名\n  尚不能截止登记：至少需要 2 名见证人，目前已登记 1 名');
    expect(removed.calls[0]).toMatchObject({ method: 'DELETE', url: 'http://127.0.0.1:9/tasks/T1/ceremony/witnesses/w9' });

    const close = stubApi(200, { round: 1, witnesses: 2, applied: true });
    expect((await run('ceremony', 'close', 'T1')).out).toBe('第 1 轮见证人登记已截止（2 名）；对象池冻结后请各见证人揭示');
    expect(close.calls[0]).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:9/tasks/T1/ceremony/close' });

    stubApi(400, { error: 'RevealMismatch', message: '见证人「李」（w2）揭示的值与其承诺不符（第 1 次），未被采用；请核对后重新揭示，仪式继续进行' });
    expect((await run('ceremony', 'reveal', 'T1', 'w2', 'typo')).err).toContain('请核对后重新揭示');
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;

    const resume = stubApi(202, { message: '恢复申请已提交，待分管领导批准；原抽取记录保持公开' });
    expect((await run('task', 'resume', 'request', 'T1', '--reason', '见证人已到场')).out).toBe('恢复申请已提交，待分管领导批准；原抽取记录保持公开');
    expect(resume.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/tasks/T1/resume', body: { reason: '见证人已到场' } });
    const approve = stubApi(200, { resume: 'approved', round: 2 });
    expect((await run('task', 'resume', 'approve', 'T1', '--reason', '同意')).out).toBe('已批准恢复：第 2 轮抽取，待登记见证人');
    expect(approve.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/tasks/T1/approval', body: { subject: 'resume', approve: true, reason: '同意' } });

    const late = stubApi(202, { message: '逾期启动申请已提交，待分管领导批准；批准后即可按新的日期启动' });
    await run('task', 'late-launch', 'request', 'T1', '--reason', '汛期顺延抽查', '--draw-date', '2026-06-24', '--from', '2026-06-24', '--to', '2026-08-31');
    expect(late.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/tasks/T1/late-launch', body: { reason: '汛期顺延抽查', drawDate: '2026-06-24', window: { start: '2026-06-24', end: '2026-08-31' } } });
    stubApi(200, { lateLaunch: 'approved' });
    expect((await run('task', 'late-launch', 'approve', 'T1')).out).toBe('已批准逾期启动；请启动任务：suiji task launch T1');
  });
});

describe('suiji task status, targets --status, followup list', () => {
  const summary = {
    taskId: 'T1',
    name: '2026年第一次随机抽查',
    stageName: '检查录入',
    total: 3,
    counts: { notified: 1, result_entered: 1, followup_open: 1 },
    countNames: { notified: '已通知', result_entered: '已录入', followup_open: '后续处置中' },
    reached: { resultEntered: 2, published: 1, closed: 0 },
    timeline: [
      { name: '启动任务', state: 'done', at: '2026-06-15T01:00:00.000Z', by: 'c@x' },
      { name: '检查录入', state: 'current' },
    ],
    people: { 'c@x': '张协调' },
    overdue: [{ kindName: '结果录入', ref: 'U1', due: '2026-06-12', people: [{ name: '李四' }, { name: '王五' }] }],
    next: { who: 'inspector', what: '检查人员录入结果（1 户已逾期）' },
  };

  it('task status is readable: stage, counts, overdue with who is responsible, the next action; --json for scripts', async () => {
    const api = stubApi(200, summary);
    const { out } = await run('task', 'status', 'T1');
    expect(api.calls[0]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:9/tasks/T1/summary' });
    expect(out).toContain('2026年第一次随机抽查（T1）：检查录入');
    expect(out).toContain('✓ 启动任务  2026-06-15 09:00  张协调');
    expect(out).toContain('各状态：已通知 1，已录入 1，后续处置中 1');
    expect(out).toContain('逾期 1 项：');
    expect(out).toContain('结果录入  U1  期限 2026-06-12  责任人 李四、王五');
    expect(out).toContain('下一步：检查人员录入结果（1 户已逾期）');
    expect(out).not.toContain('{');
    stubApi(200, summary);
    expect(JSON.parse((await run('task', 'status', 'T1', '--json')).out)).toEqual(summary);
    stubApi(200, summary);
    expect(JSON.parse((await run('--json', 'task', 'status', 'T1')).out)).toEqual(summary);
  });

  it('task targets passes the status filter to the server and shows statuses in Chinese', async () => {
    const api = stubApi(200, { items: [{ uscc: 'U2', name: '某公司', status: 'followup_open', team: ['i1', 'i2'], leader: 'i1' }] });
    const { out } = await run('task', 'targets', 'T1', '--status', 'followup_open,closed', '--limit', '5');
    expect(api.calls[0]!.url).toBe('http://127.0.0.1:9/tasks/T1/targets?limit=5&status=followup_open%2Cclosed');
    expect(out).toContain('U2  后续处置中  组长 i1');
  });

  it('followup list shows the dispositions with their status, and filters on the server', async () => {
    const api = stubApi(200, { items: [{ id: 'f1', uscc: 'U1', disposition: '责令整改', responsibleUnit: '执法队', due: '2026-07-10', status: 'open', openedBy: 'x' }, { id: 'f2', uscc: 'U1', disposition: '移送', responsibleUnit: '法规科', due: '2026-07-10', status: 'closed', outcome: '已移送', openedBy: 'x' }] });
    const { out } = await run('followup', 'list', 'T1', '--uscc', 'U1', '--status', 'open');
    expect(api.calls[0]!.url).toBe('http://127.0.0.1:9/tasks/T1/followups?uscc=U1&status=open');
    expect(out).toContain('f1  U1  处置中  责令整改  责任单位 执法队  期限 2026-07-10');
    expect(out).toContain('f2  U1  已办结  移送  责任单位 法规科  期限 2026-07-10  办结情况 已移送');
    expect(out).toContain('共 2 项后续处置（处置中 1）');
  });
});

describe('suiji on a local platform that does not accept the token it found', () => {
  it('signs in again as the same person through the local sign-in and retries once (e.g. a platform started with SUIJI_CLOCK_START and its own data folder)', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const home = mkdtempSync(`${tmpdir()}/suiji-cli-`);
    vi.stubEnv('HOME', home);
    vi.stubEnv('SUIJI_TOKEN', '');
    const payload = Buffer.from(JSON.stringify({ email: 'someone@example.gov.cn' })).toString('base64url');
    const stale = `h.${payload}.sig`;
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(`${home}/.suiji`);
    writeFileSync(`${home}/.suiji/tokens.json`, JSON.stringify({ 'http://127.0.0.1:9': stale }));
    const calls: { url: string; auth?: string; body?: string }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
      calls.push({ url, ...(init.headers.authorization ? { auth: init.headers.authorization } : {}), ...(init.body ? { body: init.body } : {}) });
      if (url.endsWith('/auth/dev-login')) return new Response(JSON.stringify({ token: 'fresh' }), { status: 200, headers: { 'content-type': 'application/json' } });
      if (init.headers.authorization !== 'Bearer fresh') return new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401, headers: { 'content-type': 'application/json' } });
      return new Response(JSON.stringify({ name: '某人', email: 'someone@example.gov.cn', role: 'coordinator', department: 'd' }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
    try {
      await main(['node', 'suiji', '--endpoint', 'http://127.0.0.1:9', 'whoami']);
    } finally {
      log.mockRestore();
      error.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(out.join('\n')).toBe('某人 <someone@example.gov.cn> coordinator @ d');
    expect(calls.map((c) => `${c.url} ${c.auth ?? ''}`)).toEqual([`http://127.0.0.1:9/me Bearer ${stale}`, 'http://127.0.0.1:9/auth/dev-login ', 'http://127.0.0.1:9/me Bearer fresh']);
    expect(JSON.parse(calls[1]!.body!)).toEqual({ email: 'someone@example.gov.cn' });
    expect(JSON.parse(readFileSync(`${home}/.suiji/tokens.json`, 'utf8'))).toEqual({ 'http://127.0.0.1:9': 'fresh' });
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('never replaces a token given with --token: the 401 is printed once', async () => {
    stubApi(401, { message: 'Unauthorized' });
    const { err } = await run('whoami');
    expect(err).toBe('错误 401：Unauthorized');
    expect(process.exitCode).toBe(1);
  });

  it('import: asks for an upload, PUTs the file there, starts the run and polls it; a rejected file prints the report, saves the CSV and fails', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/suiji-cli-import-`);
    const file = `${dir}/对象.csv`;
    writeFileSync(file, Buffer.from([0xb6, 0xd4, 0xcf, 0xf3])); // GBK bytes go as they are
    const base = 'http://127.0.0.1:9/departments/d1/imports/targets/uploads';
    const id = '0b7f3c2e-6a0f-4d8e-9d8a-1c2b3a4d5e6f';
    const calls: { method: string; url: string; body?: unknown }[] = [];
    let polls = 0;
    const json = (status: number, v: unknown): Response => new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });
    const rejected = { id, status: 'rejected', stalled: false, total: 3, done: 0, created: 0, updated: 0, unchanged: 0, errorCount: 1, errors: [{ row: 3, column: '信用风险分类', value: 'E', reason: '应为 A、B、C、D 之一' }], report: '第 3 行【信用风险分类】“E”：应为 A、B、C、D 之一', summary: '导入被拒绝：共 1 处错误，未写入任何数据。' };
    vi.stubGlobal('fetch', async (url: string, init: { method?: string; body?: unknown }) => {
      calls.push({ method: init.method ?? 'GET', url, ...(init.body !== undefined ? { body: init.body } : {}) });
      if (url === base) return json(201, { run: { id, status: 'uploading' }, upload: { url: 'https://bucket.s3.cn-north-1.amazonaws.com.cn/imports/d1/x/upload?X-Amz-Signature=s', method: 'PUT' } });
      if (url.startsWith('https://bucket.')) return new Response('', { status: 200 });
      if (url === `${base}/${id}/start`) return json(202, { id, status: 'queued', stalled: false, done: 0 });
      if (url === `${base}/${id}`) return json(200, ++polls < 2 ? { id, status: 'running', stalled: false, done: 0 } : rejected);
      if (url === `${base}/${id}?report=csv`) return new Response('\ufeff行号,列,值,原因\r\n3,信用风险分类,E,应为 A、B、C、D 之一\r\n', { status: 200, headers: { 'content-type': 'text/csv' } });
      return json(404, { message: url });
    });
    const { out } = await run('import', 'targets', file, '--dept', 'd1', '--report', `${dir}/report.csv`);
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      `POST ${base}`,
      'PUT https://bucket.s3.cn-north-1.amazonaws.com.cn/imports/d1/x/upload',
      `POST ${base}/${id}/start`,
      `GET ${base}/${id}`,
      `GET ${base}/${id}`,
      `GET ${base}/${id}`,
    ]);
    expect(JSON.parse(String(calls[0]!.body))).toEqual({ filename: '对象.csv', size: 4 });
    expect(Buffer.from(calls[1]!.body as Uint8Array)).toEqual(Buffer.from([0xb6, 0xd4, 0xcf, 0xf3]));
    expect(out).toContain('导入被拒绝：共 1 处错误，未写入任何数据。');
    expect(out).toContain('第 3 行【信用风险分类】“E”');
    expect(readFileSync(`${dir}/report.csv`, 'utf8')).toContain('3,信用风险分类,E');
    expect(process.exitCode).toBe(1);
  });
});
