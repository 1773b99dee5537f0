/**
 * A small HTTP client of the local platform's API that acts as a given person (dev sign-in),
 * exactly as the CLI or a browser would. Used by the demo and the integration tests.
 */
import type { Platform } from './platform.js';

export interface Call {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

/** Options of one call: a timeout (the call rejects with a TimeoutError) and redirects followed or not. */
export interface CallOptions {
  timeoutMs?: number;
  /** Default false: a redirect is the answer (status 3xx), as a test wants to see it. */
  followRedirects?: boolean;
}

export class ApiClient {
  private tokens = new Map<string, string>();
  /** The in-process platform, or any that has an API address and a way to sign in (a child process). */
  constructor(private readonly platform: Pick<Platform, 'apiUrl' | 'tokenFor'>) {}

  async as(email: string): Promise<(method: string, path: string, body?: unknown, headers?: Record<string, string>, opts?: CallOptions) => Promise<Call>> {
    let token = this.tokens.get(email);
    if (!token) {
      token = await this.platform.tokenFor(email);
      this.tokens.set(email, token);
    }
    return (method, path, body, headers, opts) => this.call(method, path, body, { authorization: `Bearer ${token}`, ...(headers ?? {}) }, opts);
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, opts: CallOptions = {}): Promise<Call> {
    const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
    const res = await fetch(`${this.platform.apiUrl}${path}`, {
      method,
      headers: { ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: isRaw ? (body as string | Buffer) : JSON.stringify(body) } : {}),
      redirect: opts.followRedirects ? 'follow' : 'manual',
      ...(opts.timeoutMs ? { signal: AbortSignal.timeout(opts.timeoutMs) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }
}

