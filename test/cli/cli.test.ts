/**
 * The CLI against a stubbed API (no platform): an error is printed once, and the lifecycle
 * commands a coordinator needs exist (task publish, followup open / close).
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
});
