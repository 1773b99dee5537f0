/**
 * The web console (工作台), served by the API itself: same origin as the API (no CORS), the same
 * path in AWS and on the local platform, and no CloudFront (which in the mainland China regions
 * needs an ICP-licensed custom domain before it serves anything; see docs/CONSOLE.md).
 *
 * `GET /console` is the single page (hash routing, so no rewrite rules anywhere); the hashed
 * assets under `/console/assets/` are immutable and cached for a year; the page is never cached,
 * so a new release is picked up at the next load. Files come from the built `web/dist` (locally)
 * or the `console/` folder that bundling copies next to the handler (AWS).
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Request, Response, RouteHandler } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';
import { config } from '../../../shared/config.js';
import { signInConfig } from './signin.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Content-Security-Policy of the console page: only its own scripts; Element Plus sets inline
 * style attributes, hence 'unsafe-inline' for styles only; the API and, in AWS, Cognito's token
 * endpoint are the only places it talks to.
 */
export function consoleCsp(): string {
  const auth = process.env.CONSOLE_AUTH_DOMAIN ? ` https://${process.env.CONSOLE_AUTH_DOMAIN}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${auth}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'" + auth,
    "object-src 'none'",
  ].join('; ');
}

export function consoleDir(): string | undefined {
  const candidates = [
    process.env.CONSOLE_DIR,
    fileURLToPath(new URL('./console/', import.meta.url)),
    fileURLToPath(new URL('../../../web/dist/', import.meta.url)),
  ].filter((d): d is string => Boolean(d));
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

/** Compressed copies, made once per file per process (the files never change under a process). */
const gzCache = new Map<string, Buffer>();

async function serveFile(req: Request, rel: string, cache: string): Promise<Response> {
  const dir = consoleDir();
  if (!dir) throw notFound('控制台（尚未构建：请运行 npm start 或 npm run build:web）');
  const root = resolve(dir) + sep;
  const path = resolve(root, rel);
  if (!path.startsWith(root)) throw notFound('文件');
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw notFound('文件');
  }
  const contentType = TYPES[extname(path)] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  if (contentType.startsWith('text/html')) {
    headers['content-security-policy'] = consoleCsp();
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
  }
  const compressible = /^(text\/|application\/json|image\/svg)/.test(contentType) && data.length > 1024;
  if (compressible && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    let gz = gzCache.get(path);
    if (!gz) gzCache.set(path, (gz = gzipSync(data, { level: 9 })));
    return { binary: { data: gz, contentType }, headers: { ...headers, 'content-encoding': 'gzip' } };
  }
  return { binary: { data, contentType }, headers };
}

/** How the console signs in: the deployment's sign-in (routes/signin.ts), as `{ auth: <mode>, … }`. */
function authConfig(): Response {
  const { mode, ...rest } = signInConfig();
  return { json: { auth: mode, ...rest }, headers: { 'cache-control': 'no-cache' } };
}

export const consoleAssetRoutes: Record<string, RouteHandler> = {
  'GET /console': (req) => serveFile(req, 'index.html', 'no-cache'),
  'GET /console/{proxy+}': async (req) => {
    const rel = req.params.proxy ?? '';
    if (rel === 'config.json') return authConfig();
    // Hashed file names: a changed file gets a new name, so these never need revalidation.
    return serveFile(req, rel || 'index.html', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  },
};
