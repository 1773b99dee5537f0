/**
 * A small HTTP client for integration tests: calls the local platform's API as a given person,
 * exactly as the CLI or a browser would.
 */
import { expect } from 'vitest';
import type { Platform } from '../../shared/local/platform.js';

export interface Call {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
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

/** Wait (test side only) until the task reaches a stage; the product itself never polls. */
export async function waitForStage(get: () => Promise<Call>, stage: string | string[], timeoutMs = 60_000): Promise<Call> {
  const want = Array.isArray(stage) ? stage : [stage];
  const deadline = Date.now() + timeoutMs;
  let last: Call | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (last.status === 200 && want.includes(last.json.stage)) return last;
    if (last.status === 200 && last.json.stage === 'failed' && !want.includes('failed')) {
      expect.fail(`lifecycle failed: ${JSON.stringify(last.json.failure)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect.fail(`stage ${want.join('|')} not reached; last: ${JSON.stringify(last?.json)}`);
}
