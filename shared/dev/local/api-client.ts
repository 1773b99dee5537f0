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

export class ApiClient {
  private tokens = new Map<string, string>();
  constructor(private readonly platform: Platform) {}

  async as(email: string): Promise<(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Call>> {
    let token = this.tokens.get(email);
    if (!token) {
      token = await this.platform.tokenFor(email);
      this.tokens.set(email, token);
    }
    return (method, path, body, headers) => this.call(method, path, body, { authorization: `Bearer ${token}`, ...(headers ?? {}) });
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
    const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
    const res = await fetch(`${this.platform.apiUrl}${path}`, {
      method,
      headers: { ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: isRaw ? (body as string | Buffer) : JSON.stringify(body) } : {}),
      redirect: 'manual',
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

