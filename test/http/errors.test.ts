/**
 * Errors become HTTP in one place: every domain error code has its status and `error` name,
 * field issues travel as `issues`, and anything that is not a domain error is a logged 500
 * that shows no internals.
 */
import { describe, expect, it, vi } from 'vitest';
import { dispatch, type ApiEvent, type RouteHandler } from '../../shared/http/core.js';
import { errorResponse } from '../../shared/http/errors.js';
import { DomainError, conflict, forbidden, invalid, notFound, tooLate, unauthenticated, type DomainErrorCode } from '../../shared/domain/errors.js';
import { ValidationError, parseOrThrow, IsoDate } from '../../shared/domain/schemas.js';
import { ProfileValidationError } from '../../shared/domain/profiles.js';
import { TransitionRejected } from '../../shared/store/tasks.js';
import { ImportWriteError } from '../../shared/import/run.js';

function event(routeKey: string, claims?: Record<string, string>, body?: string): ApiEvent {
  return {
    routeKey,
    rawPath: '/',
    headers: {},
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
    requestContext: { http: { sourceIp: '127.0.0.1' }, ...(claims ? { authorizer: { jwt: { claims } } } : {}) },
  } as unknown as ApiEvent;
}
const COORDINATOR = { sub: 'u1', email: 'c@example.gov.cn', 'cognito:groups': 'coordinator', 'custom:department': 'd1' };

describe('domain errors to HTTP', () => {
  it('maps every code to one status and error name', () => {
    const cases: [DomainError, number, string][] = [
      [invalid('检查日期晚于今天'), 400, 'BadRequest'],
      [unauthenticated(), 401, 'Unauthorized'],
      [forbidden('无权访问'), 403, 'Forbidden'],
      [notFound('任务「x」'), 404, 'NotFound'],
      [conflict('已处理'), 409, 'Conflict'],
      [tooLate('链接已过期'), 410, 'Gone'],
      [new DomainError('unavailable', '稍后重试'), 503, 'Unavailable'],
    ];
    const codes = new Set<DomainErrorCode>();
    for (const [e, status, error] of cases) {
      codes.add(e.code);
      expect(errorResponse(e)).toEqual({ status, json: { error, message: e.message } });
    }
    expect(codes.size).toBe(7);
    expect(notFound('任务「x」').message).toBe('任务「x」不存在');
    expect(errorResponse(conflict('冲突', { at: 1 })).json).toEqual({ error: 'Conflict', message: '冲突', details: { at: 1 } });
  });

  it('field issues (schemas, profiles) are a 400 ValidationError naming the fields', () => {
    let v: unknown;
    try {
      parseOrThrow(IsoDate, '2026-13-01');
    } catch (e) {
      v = e;
    }
    expect(v).toBeInstanceOf(ValidationError);
    const r = errorResponse(v);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('ValidationError');
    expect(r.json.issues).toEqual((v as ValidationError).issues);
    expect(r.json.issues!.length).toBeGreaterThan(0);

    const p = errorResponse(new ProfileValidationError([{ path: 'deadlines.resultEntry.workingDays', field: '结果录入期限', message: '应为正整数' }]));
    expect(p).toEqual({
      status: 400,
      json: { error: 'ValidationError', message: '配置有误：应为正整数', issues: [{ path: 'deadlines.resultEntry.workingDays', field: '结果录入期限', message: '应为正整数' }] },
    });
  });

  it('store and import errors carry their code; an interrupted import is a logged 503', () => {
    expect(errorResponse(new TransitionRejected('检查结果已录入'))).toEqual({ status: 409, json: { error: 'Conflict', message: '检查结果已录入' } });
    const log = vi.fn();
    const r = errorResponse(new ImportWriteError(new Error('ProvisionedThroughputExceeded')), log);
    expect(r.status).toBe(503);
    expect(r.json.error).toBe('ImportInterrupted');
    expect(r.json.message).toContain('请重新导入同一文件');
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('anything else is a 500 without internals, and is logged', () => {
    const log = vi.fn();
    expect(errorResponse(new Error('ECONNRESET at 10.0.0.1'), log)).toEqual({ status: 500, json: { error: 'InternalError', message: '服务器内部错误，请稍后重试' } });
    expect(log).toHaveBeenCalledTimes(1);
    const quiet = vi.fn();
    errorResponse(conflict('x'), quiet);
    expect(quiet).not.toHaveBeenCalled();
  });
});

describe('a store that cannot be reached is a 503, not a bug', () => {
  // the shapes the AWS SDK v3 gives: a connection error with the SDK's metadata attached, a
  // throttling exception, a service-side 5xx
  const sdk = (name: string, extra: Record<string, unknown>): Error => Object.assign(new Error(name), { name, $metadata: {}, ...extra });
  it.each([
    ['connection refused (DynamoDB down)', sdk('Error', { code: 'ECONNREFUSED' })],
    ['connection reset mid-request', sdk('Error', { code: 'ECONNRESET' })],
    ['throttled', sdk('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['provisioned throughput exceeded', sdk('ProvisionedThroughputExceededException', { $metadata: { httpStatusCode: 400 } })],
    ['a 500 from the service', sdk('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['a 503 from the service', sdk('UnknownError', { $metadata: { httpStatusCode: 503 } })],
  ])('%s', (_what, e) => {
    const log = vi.fn();
    const r = errorResponse(e, log);
    expect(r.status).toBe(503);
    expect(r.json.error).toBe('Unavailable');
    expect(r.json.message).toContain('请先刷新页面核对是否已保存');
    expect(log).toHaveBeenCalledTimes(1);
  });
  it('a conditional-check failure or a plain bug is not an outage', () => {
    expect(errorResponse(sdk('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } })).status).toBe(500);
    expect(errorResponse(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).status).toBe(500);
  });
});

describe('dispatch answers with the mapping', () => {
  const json = (r: Awaited<ReturnType<typeof dispatch>>) => {
    const res = r as { statusCode: number; body: string };
    return { status: res.statusCode, json: JSON.parse(res.body) };
  };
  const throwing = (e: unknown): Record<string, RouteHandler> => ({ 'GET /me': async () => Promise.reject(e) });

  it('unknown routes, missing sign-in, wrong role, other department', async () => {
    expect(json(await dispatch(event('GET /nope'), {}))).toEqual({ status: 404, json: { error: 'NotFound', message: '没有这个接口：GET /nope' } });
    expect(json(await dispatch(event('GET /me'), throwing(new Error('unreached'))))).toEqual({ status: 401, json: { error: 'Unauthorized', message: '请先登录' } });
    const leaderOnly = await dispatch(event('POST /plans/{planId}/approve', COORDINATOR), { 'POST /plans/{planId}/approve': async () => ({ json: {} }) }).then(json);
    expect(leaderOnly).toEqual({ status: 403, json: { error: 'Forbidden', message: '该操作需要以下角色之一：分管领导' } });
    const other = await dispatch(
      { ...event('GET /departments/{dept}/items', COORDINATOR), pathParameters: { dept: 'd2' } } as ApiEvent,
      { 'GET /departments/{dept}/items': async () => ({ json: [] }) },
    ).then(json);
    expect(other).toEqual({ status: 403, json: { error: 'Forbidden', message: '无权访问其他部门（d2）的数据' } });
  });

  it('a handler’s domain error and a broken JSON body', async () => {
    expect(json(await dispatch(event('GET /me', COORDINATOR), throwing(notFound('见证人「w9」'))))).toEqual({
      status: 404,
      json: { error: 'NotFound', message: '见证人「w9」不存在' },
    });
    const { parseJson } = await import('../../shared/http/core.js');
    const { z } = await import('zod');
    const r = await dispatch(event('GET /me', COORDINATOR, '{not json'), { 'GET /me': async (req) => ({ json: parseJson(req, z.object({})) }) }).then(json);
    expect(r).toEqual({ status: 400, json: { error: 'BadRequest', message: '请求体不是有效的 JSON' } });
  });
});
