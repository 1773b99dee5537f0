/**
 * The local Lambda service's Invoke API on loopback HTTP (`POST /2015-03-31/functions/{name}/invocations`),
 * so Suiji's code calls `@aws-sdk/client-lambda` unchanged with `AWS_ENDPOINT_URL_LAMBDA`
 * pointing here (shared/lambda/invoke.ts). `X-Amz-Invocation-Type: Event` answers 202 at once and
 * runs the function in the background with Lambda's asynchronous retries (two, after a pause);
 * RequestResponse runs it and answers its result.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaFunctionError, LambdaServiceError, type LocalLambdas } from './lambdas.js';

export interface LambdaServer {
  endpoint: string;
  /** Resolves when every asynchronous invocation started so far (with its retries) has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface LambdaServerOptions {
  port?: number;
  /** Pause before each asynchronous retry (Lambda: about one and two minutes; locally short). */
  retryDelayMs?: number;
  /** Retries of a failed asynchronous invocation (Lambda's default and the stack's retryAttempts: 2). */
  retryAttempts?: number;
  log?: (line: string) => void;
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaServer(lambdas: LocalLambdas, opts: LambdaServerOptions = {}): Promise<LambdaServer> {
  const log = opts.log ?? (() => undefined);
  const running = new Set<Promise<void>>();
  let closing = false;

  const runAsync = async (name: string, event: unknown): Promise<void> => {
    const attempts = 1 + (opts.retryAttempts ?? 2);
    for (let i = 1; i <= attempts && !closing; i++) {
      try {
        await lambdas.invoke(name, event);
        return;
      } catch (e) {
        log(`[lambda] asynchronous ${name} failed (attempt ${i} of ${attempts}): ${(e as Error).message}`);
        if (i < attempts) await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 1000));
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const m = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method !== 'POST' || !m) return send(404, { Type: 'User', message: 'Unknown operation' }, { 'x-amzn-errortype': 'UnknownOperationException' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const name = decodeURIComponent(m[1]!);
    try {
      lambdas.find(name);
    } catch (e) {
      const err = e as LambdaServiceError;
      return send(404, { Type: 'User', message: err.message }, { 'x-amzn-errortype': err.name });
    }
    const event = raw ? (JSON.parse(raw) as unknown) : {};
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      const p = runAsync(name, event).finally(() => running.delete(p));
      running.add(p);
      return send(202, undefined);
    }
    try {
      send(200, await lambdas.invoke(name, event));
    } catch (e) {
      if (e instanceof LambdaFunctionError) return send(200, e.payload, { 'x-amz-function-error': 'Unhandled' });
      throw e;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
      res.end(JSON.stringify({ message: String(e) }));
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    idle: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
    close: async () => {
      closing = true;
      await Promise.allSettled([...running]);
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
