/**
 * Test harness: DynamoDB Local with the table created from the synthesized template, and the
 * environment the adapters read. One DynamoDB Local per test file (vitest runs files in
 * separate processes).
 */
import { startDynamo, createTablesFromTemplate, type LocalDynamo } from '../../shared/dev/local/dynamo.js';
import { synthLocalTemplates } from '../../shared/dev/local/template.js';
import { resetConfig } from '../../shared/config.js';
import { resetDdb } from '../../shared/store/db.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestStack {
  dynamo: LocalDynamo;
  tableName: string;
  blobDir: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local with the tables of `template` (the synthesized data stack's by default), in
 * memory, or in `opts.dataDir` (a data file a test can read or write with sqlite3).
 */
export async function startTestStack(
  template: Parameters<typeof createTablesFromTemplate>[1] = synthLocalTemplates().data,
  opts: { dataDir?: string } = {},
): Promise<TestStack> {
  const dynamo = await startDynamo(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const names = await createTablesFromTemplate(dynamo.endpoint, template);
  const tableName = Object.values(names)[0];
  if (!tableName) throw new Error('no table in the data stack template');
  const blobDir = mkdtempSync(join(tmpdir(), 'suiji-blobs-'));
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    BLOB_BUCKET: blobDir,
    SUIJI_LOCAL: '1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  resetConfig();
  resetDdb();
  return { dynamo, tableName, blobDir, stop: () => dynamo.stop() };
}
