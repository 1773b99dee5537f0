/**
 * The one place where errors become HTTP: a domain error's code gives the status and the
 * `error` name of the JSON body; a store or mail service that cannot be reached is a 503 (the
 * request may be retried; nothing about it is the caller's fault); anything else is a bug (500,
 * logged, no internals shown).
 */
import { DomainError, type DomainErrorCode } from '../domain/errors.js';

const HTTP: Record<DomainErrorCode, { status: number; error: string }> = {
  invalid: { status: 400, error: 'BadRequest' },
  unauthenticated: { status: 401, error: 'Unauthorized' },
  forbidden: { status: 403, error: 'Forbidden' },
  notFound: { status: 404, error: 'NotFound' },
  conflict: { status: 409, error: 'Conflict' },
  tooLate: { status: 410, error: 'Gone' },
  unavailable: { status: 503, error: 'Unavailable' },
};

export interface ErrorBody {
  error: string;
  message: string;
  issues?: readonly { field: string; message: string }[];
  details?: unknown;
}

/** Status and JSON body of an error; `log` hears of every error that is not the caller's fault. */
export function errorResponse(e: unknown, log?: (msg: string, err: unknown) => void): { status: number; json: ErrorBody } {
  if (e instanceof DomainError) {
    const { status, error } = HTTP[e.code];
    if (status >= 500) log?.('request failed', e);
    return {
      status,
      json: {
        error: e.reason ?? error,
        message: e.message,
        ...(e.issues ? { issues: e.issues } : {}),
        ...(e.details !== undefined ? { details: e.details } : {}),
      },
    };
  }
  if (isAwsValidation(e)) {
    // The store refused the request as malformed (an oversized key, a bad start key): the caller's
    // input got past the schemas, so it is a 400 — logged, because the schemas should catch it first.
    log?.('store refused the request as invalid', e);
    return { status: 400, json: { error: 'BadRequest', message: '请求的数据不符合存储要求（例如过长），未保存任何内容' } };
  }
  if (isOutage(e)) {
    // DynamoDB (or another AWS service) down, restarting or throttling: the request can be
    // retried. A write may or may not have been stored, so the message says to check first.
    log?.('service unavailable', e);
    return {
      status: 503,
      json: { error: 'Unavailable', message: '服务暂时不可用（数据存储暂时无法访问），请稍后重试；如刚才在保存，请先刷新页面核对是否已保存' },
    };
  }
  log?.('unhandled error', e);
  return { status: 500, json: { error: 'InternalError', message: '服务器内部错误，请稍后重试' } };
}

/** An AWS SDK ValidationException (DynamoDB's answer to a malformed request). */
const isAwsValidation = (e: unknown): boolean =>
  e instanceof Error && e.name === 'ValidationException' && typeof (e as { $metadata?: unknown }).$metadata === 'object';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const THROTTLED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'ServiceUnavailable', 'InternalServerError', 'TimeoutError']);

/**
 * An AWS SDK call that failed for the service's sake, not the request's: no connection, a
 * timeout, throttling, or a 5xx from the service. Only errors that carry the SDK's `$metadata`
 * count, so a bug that happens to say ECONNRESET in its message stays a 500.
 */
const isOutage = (e: unknown): boolean => {
  if (!(e instanceof Error) || typeof (e as { $metadata?: unknown }).$metadata !== 'object') return false;
  const x = e as Error & { code?: string; $metadata: { httpStatusCode?: number } };
  return NETWORK_CODES.has(x.code ?? '') || THROTTLED.has(x.name) || (x.$metadata.httpStatusCode ?? 0) >= 500;
};

/** The HTTP status an error answers with (pages that render the message themselves). */
export const httpStatusOf = (e: unknown): number => errorResponse(e).status;
