/**
 * The local stand-in for API Gateway: matches ROUTES, verifies dev tokens, builds the same
 * APIGatewayProxyEventV2 (routeKey, pathParameters, JWT claims under requestContext.authorizer)
 * and calls the API Lambda's handler. Local-only routes (dev sign-in, raw inbound mail) are
 * served here and never deployed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ROUTES, type RouteSpec } from '../../http/routes.js';
import { routeKey, type ApiEvent } from '../../http/core.js';
import { verifyDevToken } from '../devauth.js';

type LambdaHandler = (event: ApiEvent, context: Context) => Promise<APIGatewayProxyResultV2>;
export type LocalRouteHandler = (req: { body: Buffer; headers: Record<string, string>; query: URLSearchParams; params: Record<string, string> }) => Promise<{
  status: number;
  json?: unknown;
  text?: string;
}>;

interface Compiled {
  spec: RouteSpec;
  re: RegExp;
  names: string[];
  /** Literal segments count: more specific routes win. */
  literals: number;
}

function compile(spec: RouteSpec): Compiled {
  const names: string[] = [];
  const segs = spec.path.split('/').filter(Boolean);
  const re = segs
    .map((s) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(s);
      if (m) {
        names.push(m[1]!);
        // {name+} is greedy like API Gateway's proxy parameter: the rest of the path.
        return m[2] ? '(.+)' : '([^/]+)';
      }
      return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { spec, re: new RegExp(`^/${re}/?$`), names, literals: segs.filter((s) => !s.startsWith('{')).length };
}

const COMPILED = ROUTES.map(compile).sort((a, b) => b.literals - a.literals);

export function matchRoute(method: string, path: string): { spec: RouteSpec; params: Record<string, string> } | undefined {
  for (const c of COMPILED) {
    if (c.spec.method !== method) continue;
    const m = c.re.exec(path);
    if (!m) continue;
    return { spec: c.spec, params: Object.fromEntries(c.names.map((n, i) => [n, m[i + 1]!])) };
  }
  return undefined;
}

/** API Gateway's HTTP API refuses a payload over 10 MB with 413 before any Lambda runs. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
/**
 * The local stand-in for a presigned S3 PUT (`/local/blobs/{key+}`) takes what an import may be
 * (64 MiB, shared/import/parse.ts) and a little more, so the import run reports a file too large
 * in Chinese, as it does in AWS where S3 takes the upload.
 */
const LOCAL_BLOB_MAX_BODY = 80 * 1024 * 1024;

/** The body, or undefined when it is larger than API Gateway would pass on (the rest is drained). */
async function readBody(req: IncomingMessage, limit = GATEWAY_MAX_BODY): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= limit) chunks.push(c as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

function lambdaContext(name: string): Context {
  const start = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 29_000 - (Date.now() - start)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LocalApiOptions {
  port: number;
  host?: string;
  apiHandler: LambdaHandler;
  localRoutes: Record<string, LocalRouteHandler>;
  /**
   * The JWT authorizer: claims of a valid bearer token, else undefined. Default: the dev tokens.
   * The China mode verifies the built-in sign-in's RS256 tokens against the API's own JWKS.
   */
  verifyToken?: (token: string) => Promise<Record<string, string | string[]> | undefined>;
}

export function startLocalApi(opts: LocalApiOptions): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((e) => {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'InternalError', message: String(e) }));
    });
  });
  return new Promise((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server)));
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: LocalApiOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  if (url.pathname === '/' && method === 'GET') {
    res.writeHead(302, { location: '/public' });
    res.end();
    return;
  }
  const match = matchRoute(method, url.pathname);
  if (!match) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'NotFound', message: `没有这个接口：${method} ${url.pathname}` }));
    return;
  }
  const body = await readBody(req, match.spec.auth === 'local' && match.spec.path.startsWith('/local/blobs/') ? LOCAL_BLOB_MAX_BODY : GATEWAY_MAX_BODY);
  if (!body) {
    res.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;

  if (match.spec.auth === 'local') {
    const h = opts.localRoutes[routeKey(match.spec)];
    const r = h ? await h({ body, headers, query: url.searchParams, params: match.params }) : { status: 501, text: 'not available' };
    res.writeHead(r.status, { 'content-type': r.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
    res.end(r.text ?? JSON.stringify(r.json ?? null));
    return;
  }

  // What API Gateway's JWT authorizer does: reject a missing/invalid token on jwt routes.
  let claims: Record<string, string | string[]> | undefined;
  if (match.spec.auth === 'jwt') {
    const token = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
    claims = token ? await (opts.verifyToken ?? verifyDevToken)(token) : undefined;
    if (!claims) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ message: 'Unauthorized' }));
      return;
    }
  }
  const isText = /^(application\/(json|x-www-form-urlencoded)|text\/)/.test(headers['content-type'] ?? 'application/json');
  const event = {
    version: '2.0',
    routeKey: routeKey(match.spec),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    pathParameters: match.params,
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: routeKey(match.spec),
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as ApiEvent;
  const result = (await opts.apiHandler(event, lambdaContext('SuijiApi'))) as APIGatewayProxyStructuredResultV2;
  const outHeaders = result.headers ?? {};
  res.writeHead(result.statusCode ?? 200, outHeaders as Record<string, string>);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
}
