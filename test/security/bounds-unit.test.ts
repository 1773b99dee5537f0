/**
 * Bounds without the platform (issue 12, 5–6): a multi-megabyte reply is read only as far as a
 * reply can matter (the 4.4 MB reply of the review ran 19 s and then failed), and a store's
 * ValidationException that gets past the schemas is a 400 in Chinese, not a 500.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseInboundMail, splitResultLines } from '../../shared/mail/reply.js';
import { errorResponse } from '../../shared/http/errors.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import { LIMITS } from '../../shared/domain/limits.js';
import { STANDARD_RESULT_PHRASES } from '../../shared/domain/phrases.js';
import { sesReply } from '../helpers/inbound.js';

describe('a huge reply is read within bounds', () => {
  it('4.4 MB of result lines and one 1 MB line: bounded lines, bounded time', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `${makeUscc(i)} 1 第${i}行`);
    lines.splice(10, 0, `${makeUscc(99_999)} 1 ${'长'.repeat(1024 * 1024)}`);
    const raw = sesReply({ from: 'zhangsan@qhd.example.gov.cn', token: 'abcdefghijklmnopqrstuvwxyz', body: lines.join('\n'), id: '<huge@qhd.example.gov.cn>' });
    expect(raw.length).toBeGreaterThan(4 * 1024 * 1024);
    const t0 = performance.now();
    const mail = await parseInboundMail(raw);
    const { entries } = splitResultLines(mail.lines, STANDARD_RESULT_PHRASES.map((p) => p.code));
    const ms = performance.now() - t0;
    expect(mail.lines.length).toBeLessThanOrEqual(LIMITS.replyBodyLines);
    expect(Math.max(...mail.lines.map((l) => l.length))).toBeLessThanOrEqual(LIMITS.text + 401);
    expect(entries.length).toBeLessThanOrEqual(LIMITS.replyBodyLines);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('the store refusing a request', () => {
  it('an AWS ValidationException is a logged 400 with a Chinese message', () => {
    const e = Object.assign(new Error('One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    const log = vi.fn();
    expect(errorResponse(e, log)).toEqual({ status: 400, json: { error: 'BadRequest', message: '请求的数据不符合存储要求（例如过长），未保存任何内容' } });
    expect(log).toHaveBeenCalledTimes(1);
    // a plain error of that name (not from the SDK) stays a 500
    expect(errorResponse(Object.assign(new Error('x'), { name: 'ValidationException' })).status).toBe(500);
  });
});
