/**
 * The benchmarks' bulk loader (shared/dev/local/dynamodb/sqlite-bulk.ts) writes DynamoDB Local's
 * data file directly. These tests hold it to what DynamoDB Local itself writes: targets stored by
 * the real import path and by putTargets are compared column by column with the loader's rows,
 * and targets written by the loader are then read back through DynamoDB Local's API (GetItem,
 * the pool index with a filter, counts per shard).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { bulkInsert, ensureSqlite3, indexColumns, sqliteJson, sqliteRow, toAttr } from '../../shared/dev/local/dynamodb/sqlite-bulk.js';
import { getTarget, listTargets, putTargets, targetItem, upsertTargets } from '../../shared/store/registry.js';
import { ddb, tableName } from '../../shared/store/db.js';
import { K } from '../../shared/store/keys.js';
import { POOL_SHARDS, TABLE } from '../../shared/store/table.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import type { Target } from '../../shared/domain/schemas.js';

const DEPT = 'd1';
const TOWNS = ['城关镇', '北关街道', "O'Brien 乡"]; // (a quote: the loader's SQL literals must escape it)
const target = (n: number): Target => ({
  uscc: makeUscc(n),
  name: `测试建筑工程有限公司${n}`,
  kind: n % 7 ? 'enterprise' : 'individual',
  department: DEPT,
  jurisdiction: TOWNS[n % TOWNS.length]!,
  industry: n % 2 ? '建筑施工' : '餐饮服务',
  tags: n % 5 ? [] : ['消防重点'],
  riskClass: 'ABCD'[n % 4] as Target['riskClass'],
  isKey: n % 5 < 2,
  status: n % 11 ? 'active' : 'inactive',
  contact: n % 2 ? { person: '张三', phone: '0312-1234567' } : { address: '河北省保定市阜平县城关镇1号', email: `c${n}@example.com` },
  lastInspections: n % 6 ? [] : [{ department: DEPT, itemCategory: '建筑市场', date: '2026-03-02', taskId: 't1', team: ['i1', 'i2'] }],
});

let dir: string;
let stack: TestStack;
let dbFile: string;
beforeAll(async () => {
  ensureSqlite3((l) => console.log(l));
  dir = mkdtempSync(join(tmpdir(), 'suiji-sqlite-bulk-'));
  stack = await startTestStack(undefined, { dataDir: dir });
  dbFile = join(dir, 'shared-local-instance.db');
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** DynamoDB Local again on the same data file (it must be stopped while the loader writes). */
async function restart(): Promise<void> {
  await stack.stop();
  stack = await startTestStack(undefined, { dataDir: dir });
}

const hex = (b: Buffer | undefined): string | null => (b ? b.toString('hex').toUpperCase() : null);
/** JSON with object keys sorted: DynamoDB Local keeps a Java HashMap's order, the loader the item's. */
const canonical = (s: string): string =>
  JSON.stringify(JSON.parse(s), (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

describe('the bulk loader writes the rows DynamoDB Local writes', () => {
  const imported = Array.from({ length: 120 }, (_, i) => target(i + 1));
  const drawn = [{ ...target(500), lastInspections: [{ department: DEPT, itemCategory: '食品', date: '2026-05-01', taskId: 't9', team: ['i3'] }] }];
  const bulk = Array.from({ length: 300 }, (_, i) => target(1000 + i));

  it('matches, column by column, targets stored by the import path and by putTargets', async () => {
    expect(await upsertTargets(DEPT, imported)).toEqual({ created: 120, updated: 0, unchanged: 0 });
    await putTargets(drawn);
    await stack.stop(); // (flushes nothing: DynamoDB Local commits each write; stopped so the file is read as it is)
    const columns = indexColumns(dbFile, stack.tableName);
    expect(columns).toEqual({ gsi1: { hash: 'indexKey_0', range: 'indexKey_1' }, gsi2: { hash: 'indexKey_2', range: 'indexKey_3' }, gsi3: { hash: 'indexKey_4', range: 'indexKey_5' } });
    const rows = sqliteJson<Record<string, string | number | null>>(
      dbFile,
      `SELECT CAST(hashKey AS TEXT) pk, hex(rangeKey) rk, hex(hashValue) hv, hex(rangeValue) rv, hex(hashRangeValue) hrv, itemSize, CAST(ObjectJSON AS TEXT) j,
         hex(indexKey_0) i0, hex(indexKey_1) i1, hex(indexKey_2) i2, hex(indexKey_3) i3, hex(indexKey_4) i4, hex(indexKey_5) i5
       FROM "${stack.tableName}" WHERE CAST(hashKey AS TEXT) LIKE 'TGT#%'`,
    );
    expect(rows).toHaveLength(imported.length + drawn.length);
    const byPk = new Map(rows.map((r) => [r.pk, r]));
    for (const t of [...imported, ...drawn]) {
      const want = sqliteRow(targetItem(t), columns);
      const row = byPk.get(K.target(DEPT, t.uscc).pk)!;
      expect(row, t.uscc).toBeDefined();
      expect({
        rk: row.rk, hv: row.hv, rv: row.rv, hrv: row.hrv, itemSize: row.itemSize, json: canonical(row.j as string),
        keys: [row.i0, row.i1, row.i2, row.i3, row.i4, row.i5].map((x) => x || null),
      }).toEqual({
        rk: hex(want.rangeKey), hv: hex(want.hashValue), rv: hex(want.rangeValue), hrv: hex(want.hashRangeValue), itemSize: want.itemSize, json: canonical(want.objectJson),
        keys: [0, 1, 2, 3, 4, 5].map((i) => hex(want.indexKeys[`indexKey_${i}`])),
      });
    }
    await restart();
  });

  it('writes targets that DynamoDB Local then serves: GetItem, the pool index with filters, counts', async () => {
    await stack.stop();
    expect(await bulkInsert(dbFile, stack.tableName, [bulk.slice(0, 150).map(targetItem), bulk.slice(150).map(targetItem)])).toBe(300);
    await restart();
    const all = [...imported, ...drawn, ...bulk];
    // whole items, primary key
    for (const t of [bulk[0]!, bulk[157]!, bulk[299]!]) expect(await getTarget(DEPT, t.uscc)).toEqual(t);
    // every target on the pool index, shard by shard
    let counted = 0;
    for (let shard = 0; shard < POOL_SHARDS; shard++) {
      const r = await ddb().send(new QueryCommand({ TableName: tableName(), IndexName: TABLE.indexes.pool.name, KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': TABLE.indexes.pool.partitionKey }, ExpressionAttributeValues: { ':p': K.poolPk(DEPT, shard) }, Select: 'COUNT' }));
      counted += r.Count ?? 0;
    }
    expect(counted).toBe(all.length);
    // the console's filtered list (jurisdiction = the index's sort key prefix, the rest filtered), page by page
    const want = all.filter((t) => t.jurisdiction === "O'Brien 乡" && t.riskClass === 'B' && t.isKey).map((t) => t.uscc).sort();
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTargets(DEPT, { jurisdiction: "O'Brien 乡", riskClass: 'B', isKey: true }, 7, cursor);
      got.push(...page.items.map((t) => t.uscc));
      cursor = page.cursor;
    } while (cursor);
    expect(want.length).toBeGreaterThan(5);
    expect(got.sort()).toEqual(want);
  });

  it('replaces an existing target as PutItem would, and refuses attribute types it cannot encode', async () => {
    await stack.stop();
    const changed = { ...bulk[3]!, name: '改名后的公司', riskClass: 'D' as const };
    expect(await bulkInsert(dbFile, stack.tableName, [[targetItem(changed)]])).toBe(1);
    await restart();
    expect(await getTarget(DEPT, changed.uscc)).toEqual(changed);
    expect(() => toAttr({ n: 1 })).toThrow(/n is a number/);
  });
});
