/**
 * The local Step Functions service on loopback HTTP, speaking the real AWS JSON 1.0 protocol
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`, `application/x-amz-json-1.0`, errors as
 * `{"__type": …, "message": …}`), so Suiji's code uses `@aws-sdk/client-sfn` unchanged with
 * `AWS_ENDPOINT_URL_SFN` pointing here. Timestamps go over the wire as epoch seconds, as AWS
 * sends them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SfnError, type LocalStepFunctions } from './sfn.js';

export interface SfnServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Operation = (sfn: LocalStepFunctions, body: Body) => unknown;

const str = (b: Body, k: string): string => {
  const v = b[k];
  if (typeof v !== 'string' || !v) throw new SfnError('ValidationException', `1 validation error detected: Value null at '${k}' failed to satisfy constraint: Member must not be null`);
  return v;
};
const opt = (b: Body, k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);

const OPERATIONS: Record<string, Operation> = {
  StartExecution: (s, b) => {
    const name = opt(b, 'name');
    const input = opt(b, 'input');
    return s.startExecution({ stateMachineArn: str(b, 'stateMachineArn'), ...(name !== undefined ? { name } : {}), ...(input !== undefined ? { input } : {}) });
  },
  DescribeExecution: (s, b) => s.describeExecution({ executionArn: str(b, 'executionArn') }),
  StopExecution: (s, b) => {
    const error = opt(b, 'error');
    const cause = opt(b, 'cause');
    return s.stopExecution({ executionArn: str(b, 'executionArn'), ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
  },
  ListExecutions: (s, b) => {
    const nextToken = opt(b, 'nextToken');
    const statusFilter = opt(b, 'statusFilter') as Parameters<LocalStepFunctions['listExecutions']>[0]['statusFilter'];
    return s.listExecutions({
      stateMachineArn: str(b, 'stateMachineArn'),
      ...(statusFilter ? { statusFilter } : {}),
      ...(typeof b.maxResults === 'number' ? { maxResults: b.maxResults } : {}),
      ...(nextToken ? { nextToken } : {}),
    });
  },
  GetExecutionHistory: (s, b) => {
    const nextToken = opt(b, 'nextToken');
    return s.getExecutionHistory({
      executionArn: str(b, 'executionArn'),
      ...(typeof b.maxResults === 'number' ? { maxResults: b.maxResults } : {}),
      ...(nextToken ? { nextToken } : {}),
      ...(typeof b.reverseOrder === 'boolean' ? { reverseOrder: b.reverseOrder } : {}),
      ...(typeof b.includeExecutionData === 'boolean' ? { includeExecutionData: b.includeExecutionData } : {}),
    });
  },
  SendTaskSuccess: (s, b) => s.sendTaskSuccess({ taskToken: str(b, 'taskToken'), output: str(b, 'output') }),
  SendTaskFailure: (s, b) => {
    const error = opt(b, 'error');
    const cause = opt(b, 'cause');
    return s.sendTaskFailure({ taskToken: str(b, 'taskToken'), ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
  },
  SendTaskHeartbeat: (s, b) => s.sendTaskHeartbeat({ taskToken: str(b, 'taskToken') }),
  DescribeStateMachine: (s, b) => s.describeStateMachine({ stateMachineArn: str(b, 'stateMachineArn') }),
  DescribeStateMachineForExecution: async (s, b) => {
    const d = await s.describeExecution({ executionArn: str(b, 'executionArn') });
    const { creationDate, ...sm } = s.describeStateMachine({ stateMachineArn: d.stateMachineArn });
    return { ...sm, updateDate: creationDate };
  },
  ListStateMachines: (s) => s.listStateMachines(),
};

/** Dates become epoch seconds; undefined members are dropped. */
function toWire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toWire(x);
    return out;
  }
  return v;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

export async function startSfnServer(sfn: LocalStepFunctions, opts: { port?: number; host?: string } = {}): Promise<SfnServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, op] = target.split('.');
      const operation = prefix === 'AWSStepFunctions' && op ? OPERATIONS[op] : undefined;
      try {
        if (req.method !== 'POST') throw new SfnError('UnknownOperationException', `${req.method} is not supported`);
        if (!operation) throw new SfnError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
        const raw = await readBody(req);
        let body: Body;
        try {
          body = raw ? (JSON.parse(raw) as Body) : {};
        } catch {
          throw new SfnError('SerializationException', 'Request body is not valid JSON');
        }
        send(res, 200, toWire(await operation(sfn, body)));
      } catch (e) {
        if (e instanceof SfnError) send(res, 400, { __type: e.name, message: e.message });
        else {
          sfn.log(`[sfn-server] ${target}: ${(e as Error).stack ?? e}`);
          send(res, 500, { __type: 'InternalFailure', message: (e as Error).message ?? String(e) });
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
