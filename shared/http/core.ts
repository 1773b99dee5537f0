/**
 * The HTTP layer shared by the API Lambda and the local server: principals from JWT claims,
 * typed request/response helpers, and the route dispatcher that authorizes every signed-in
 * request from its route's `allow` column (ROUTES, the single source; checked in access.ts). Errors are domain errors (Chinese message,
 * a code); `errors.ts` turns them into statuses.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ROUTES, type Role, type RouteSpec } from './routes.js';
import { parseOrThrow } from '../domain/schemas.js';
import { LIMITS } from '../domain/limits.js';
import { DomainError, invalid, unauthenticated } from '../domain/errors.js';
import { errorResponse } from './errors.js';
import { securityHeaders } from './security.js';
import { authorize } from './access.js';
import type { Staff } from '../usecases/access.js';
import { claimMapping, claimValues, hasSecondFactor, roleFrom } from '../auth/claims.js';

export interface Principal {
  sub: string;
  email: string;
  name: string;
  role: Exclude<Role, 'public'>;
  department: string;
  /** Inspector id when the principal is an inspector. */
  inspectorId?: string;
  /**
   * Whether the sign-in used a second factor, where the token says so (AUTH_CLAIM_MFA); absent
   * where the issuer requires MFA for every sign-in (the Cognito pool, the built-in sign-in).
   */
  mfa?: boolean;
}

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
};

export interface Request {
  route: RouteSpec;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  principal?: Principal;
  /** Raw body bytes (imports upload files). */
  body: Buffer;
  sourceIp: string;
  event: ApiEvent;
}

export type Response = {
  status?: number;
  json?: unknown;
  html?: string;
  text?: string;
  binary?: { data: Buffer; contentType: string; filename?: string };
  headers?: Record<string, string>;
};

export type RouteHandler = (req: Request) => Promise<Response>;

/**
 * Principal from API Gateway JWT claims: Cognito's and the built-in sign-in's (`cognito:groups`,
 * `custom:department`), or an OIDC issuer's claims as mapped by shared/auth/claims.ts.
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal | undefined {
  if (!claims) return undefined;
  const m = claimMapping();
  const role = roleFrom(claimValues(claims[m.role]), m);
  const department = claims[m.department];
  if (!role || typeof department !== 'string' || !department) return undefined;
  const inspectorId = claims[m.inspectorId];
  return {
    sub: String(claims.sub ?? ''),
    email: String(claims.email ?? ''),
    name: String(claims.name ?? claims.email ?? ''),
    role,
    department,
    ...(typeof inspectorId === 'string' && inspectorId ? { inspectorId } : {}),
    ...(m.mfa ? { mfa: hasSecondFactor(claimValues(claims[m.mfa])) } : {}),
  };
}

export function requirePrincipal(req: Request): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}

/** The signed-in person as the use cases take them (`Staff`), with the source address. */
export function staffOf(req: Request): Staff {
  const p = requirePrincipal(req);
  return { email: p.email, name: p.name, role: p.role, department: p.department, ...(p.inspectorId ? { inspectorId: p.inspectorId } : {}), ip: req.sourceIp };
}

/** The JSON body, unchecked (an empty body is `{}`); a use case validates it against its schema. */
export function readJson(req: Request): unknown {
  try {
    return req.body.length ? JSON.parse(req.body.toString('utf8')) : {};
  } catch {
    throw invalid('请求体不是有效的 JSON');
  }
}

export function parseJson<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  return parseOrThrow(schema, readJson(req));
}

/** application/x-www-form-urlencoded (HTML forms reached from e-mails). */
export function parseForm(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** Uploads (imports) may be as large as API Gateway takes; every other body is far smaller. */
export const bodyLimitOf = (route: Pick<RouteSpec, 'path'>): number => (route.path.includes('/imports/') ? LIMITS.importBytes : LIMITS.requestBytes);

function checkBodySize(route: RouteSpec, body: Buffer): void {
  const max = bodyLimitOf(route);
  if (body.length > max) {
    throw new DomainError('invalid', `请求内容过大（${(body.length / 1048576).toFixed(1)} MB），本接口最多接受 ${(max / 1048576).toFixed(0)} MB`, { reason: 'PayloadTooLarge' });
  }
}

/**
 * Path parameters as the handlers see them: percent-decoded once and checked here, so no handler
 * meets a malformed escape (decodeURIComponent throws), a path separator smuggled in as `%2F`
 * (`..%2F..` would name another blob), a control character or an oversized key. Ids follow the
 * `Id` rule (a trailing `.json` included); tags are free text without `/`. The console's
 * `{proxy+}` is a path of its own and checked by its route (serveFile).
 */
const ID_PARAM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,69}$/;
const PARAM_RULES: Record<string, RegExp> = {
  dept: ID_PARAM,
  taskId: ID_PARAM,
  planId: ID_PARAM,
  itemId: ID_PARAM,
  inspectorId: ID_PARAM,
  expertId: ID_PARAM,
  followupId: ID_PARAM,
  linkId: /^[A-Za-z0-9_-]{1,64}$/,
  kind: ID_PARAM,
  tagKind: ID_PARAM,
  uscc: /^[0-9A-Za-z]{1,18}(\.json)?$/,
};
const FREE_PARAM = /^[^/\\\u0000-\u001f\u007f]{1,200}$/u; // ≤ LIMITS.name

function pathParams(raw: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    let value: string;
    try {
      value = decodeURIComponent(v ?? '');
    } catch {
      throw invalid('请求路径中的百分号编码（%XX）无效');
    }
    if (k === 'proxy') {
      out[k] = value;
      continue;
    }
    const rule = PARAM_RULES[k] ?? FREE_PARAM;
    if (!rule.test(value) || value.includes('..')) throw invalid(`请求路径中的「${value.length > 40 ? `${value.slice(0, 40)}…` : value}」不是有效的${PARAM_LABELS[k] ?? '参数'}`);
    out[k] = value;
  }
  return out;
}

const PARAM_LABELS: Record<string, string> = {
  dept: '部门编号',
  taskId: '任务编号',
  planId: '计划编号',
  itemId: '事项编号',
  inspectorId: '检查人员编号',
  expertId: '专家编号',
  followupId: '后续处置编号',
  linkId: '链接',
  kind: '导入类型',
  tagKind: '标签类别',
  tag: '标签',
  uscc: '统一社会信用代码',
};
const BY_KEY = new Map(ROUTES.map((r) => [routeKey(r), r]));

function toResult(res: Response): APIGatewayProxyResultV2 {
  // Every response leaves here, errors included: the security headers are set once (a route may
  // set its own policy, e.g. the console's, in res.headers).
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    ...securityHeaders(res.html !== undefined ? 'html' : 'other'),
    ...(res.headers ?? {}),
  };
  const status = res.status ?? 200;
  if (res.binary) {
    headers['content-type'] = res.binary.contentType;
    if (res.binary.filename) {
      headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(res.binary.filename)}`;
    }
    return { statusCode: status, headers, body: res.binary.data.toString('base64'), isBase64Encoded: true };
  }
  if (res.html !== undefined) {
    headers['content-type'] = 'text/html; charset=utf-8';
    return { statusCode: status, headers, body: res.html };
  }
  if (res.text !== undefined) {
    headers['content-type'] = 'text/plain; charset=utf-8';
    return { statusCode: status, headers, body: res.text };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { statusCode: status, headers, body: JSON.stringify(res.json ?? null) };
}

export function errorResult(e: unknown, log?: (msg: string, err: unknown) => void): APIGatewayProxyResultV2 {
  return toResult(errorResponse(e, log));
}

/**
 * Dispatch an API Gateway v2 event to its handler: the route comes from `routeKey` (set by
 * API Gateway, and by the local server from the same ROUTES); a jwt route is authorized from its
 * `allow` column (access.ts) before its handler runs.
 */
export async function dispatch(
  event: ApiEvent,
  handlers: Record<string, RouteHandler>,
  log?: (msg: string, err: unknown) => void,
): Promise<APIGatewayProxyResultV2> {
  try {
    const route = BY_KEY.get(event.routeKey);
    const handler = handlers[event.routeKey];
    if (!route || !handler) throw new DomainError('notFound', `没有这个接口：${event.routeKey}`);
    const principal = principalFromClaims(event.requestContext.authorizer?.jwt?.claims);
    if (route.auth === 'jwt' && !principal) throw unauthenticated();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
    const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
    checkBodySize(route, body);
    const req: Request = {
      route,
      params: pathParams(event.pathParameters),
      query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
      headers,
      ...(principal ? { principal } : {}),
      body,
      sourceIp: event.requestContext.http?.sourceIp ?? '',
      event,
    };
    // The allow matrix, in one place (access.ts): role, department, plan, task, team.
    if (route.auth === 'jwt') await authorize(req, principal!);
    return toResult(await handler(req));
  } catch (e) {
    return errorResult(e, log);
  }
}
