/**
 * Writing items straight into DynamoDB Local's data file (its SQLite database), for benchmarks
 * that need a registry far larger than DynamoDB Local accepts in reasonable time: through its API
 * it spends about 2 ms of JVM CPU per item written and serializes the writes (≈500 items/s
 * whatever the number of parallel BatchWriteItem streams; docs/CONSOLE.md, Measurements), so a
 * million targets took ~45 minutes. Here the same rows are built in Node and inserted by Debian's
 * `sqlite3` in one transaction, while no DynamoDB Local has the file open.
 *
 * The row layout is DynamoDB Local's own (DynamoDBLocal.jar, LocalDBUtils and SQLiteDBAccess):
 *   hashKey, rangeKey      the key attributes' string values as UTF-8 blobs
 *   hashValue, rangeValue  SHA-1 of the salt "LocalDdb" and that UTF-8 value
 *   hashRangeValue         SHA-1 of the salt and hashValue ‖ rangeValue
 *   itemSize               DynamoDB's item size (names + values; 1 per nested element, 3 per list or map)
 *   ObjectJSON             the item in the API's AttributeValue JSON
 *   indexKey_<n>           a GSI's key attributes (the columns its SQLite index is built on),
 *                          NULL where the item does not carry the index's keys (sparse indexes)
 * Only string keys and the attribute types our targets use (S, BOOL, NULL, L, M) are supported;
 * anything else throws rather than writing a row DynamoDB Local would read differently.
 * test/console/sqlite-bulk.test.ts checks every column against rows DynamoDB Local wrote itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { TABLE } from '../../../store/table.js';
import { ensureDebianPackage } from '../debian.js';

type Attr = { S: string } | { BOOL: boolean } | { NULL: true } | { L: Attr[] } | { M: Record<string, Attr> };

const SALT = 'LocalDdb';
const sha1 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha1').update(SALT);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The DynamoDB AttributeValue of a plain value (undefined members dropped, as our document client does). */
export function toAttr(v: unknown, path = ''): Attr {
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'boolean') return { BOOL: v };
  if (v === null) return { NULL: true };
  if (Array.isArray(v)) return { L: v.map((x, i) => toAttr(x, `${path}[${i}]`)) };
  if (typeof v === 'object') return { M: toAttrMap(v as Record<string, unknown>, path) };
  throw new Error(`sqlite-bulk: ${path || 'value'} is a ${typeof v}, which this loader does not encode`);
}
function toAttrMap(o: Record<string, unknown>, path = ''): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const [k, x] of Object.entries(o)) if (x !== undefined) out[k] = toAttr(x, path ? `${path}.${k}` : k);
  return out;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');
function attrSize(a: Attr): number {
  if ('S' in a) return utf8(a.S);
  if ('BOOL' in a || 'NULL' in a) return 1;
  if ('L' in a) return a.L.reduce((n, x) => n + attrSize(x), 0) + a.L.length + 3;
  return mapSize(a.M) + Object.keys(a.M).length + 3;
}
const mapSize = (m: Record<string, Attr>): number => Object.entries(m).reduce((n, [k, x]) => n + utf8(k) + attrSize(x), 0);

/** The SQLite columns of the table's indexes: GSI name → its key columns (from the CREATE INDEX statements). */
export type IndexColumns = Record<string, { hash: string; range: string }>;

export interface SqliteRow {
  hashKey: Buffer;
  rangeKey: Buffer;
  hashValue: Buffer;
  rangeValue: Buffer;
  hashRangeValue: Buffer;
  itemSize: number;
  objectJson: string;
  /** column → value (NULL columns absent) */
  indexKeys: Record<string, Buffer>;
}

/** The row DynamoDB Local stores for `item` in our table. */
export function sqliteRow(item: Record<string, unknown>, columns: IndexColumns): SqliteRow {
  const m = toAttrMap(item);
  const key = (name: string): string => {
    const a = m[name];
    if (!a || !('S' in a)) throw new Error(`sqlite-bulk: key attribute ${name} must be a string`);
    return a.S;
  };
  const hashKey = Buffer.from(key(TABLE.partitionKey));
  const rangeKey = Buffer.from(key(TABLE.sortKey));
  const hashValue = sha1(hashKey);
  const rangeValue = sha1(rangeKey);
  const indexKeys: Record<string, Buffer> = {};
  for (const idx of Object.values(TABLE.indexes)) {
    const cols = columns[idx.name];
    if (!cols) throw new Error(`sqlite-bulk: no SQLite index for ${idx.name}`);
    if (m[idx.partitionKey] === undefined || m[idx.sortKey] === undefined) continue;
    indexKeys[cols.hash] = Buffer.from(key(idx.partitionKey));
    indexKeys[cols.range] = Buffer.from(key(idx.sortKey));
  }
  return {
    hashKey,
    rangeKey,
    hashValue,
    rangeValue,
    hashRangeValue: sha1(hashValue, rangeValue),
    itemSize: mapSize(m),
    objectJson: JSON.stringify(m),
    indexKeys,
  };
}

/** sqlite3 on PATH (Debian: `apt-get install -y sqlite3`). */
export function haveSqlite3(): boolean {
  return spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0;
}

/** Installs Debian's sqlite3 when it is missing (root only; otherwise says how). */
export function ensureSqlite3(log?: (l: string) => void): void {
  ensureDebianPackage('sqlite3', haveSqlite3, "the bulk loader writes DynamoDB Local's data file with it", log);
}

/** A query's rows (sqlite3 -json). */
export function sqliteJson<T = Record<string, unknown>>(dbFile: string, sql: string): T[] {
  const r = spawnSync('sqlite3', ['-json', '-readonly', dbFile, sql], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`sqlite3 ${dbFile}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as T[]) : [];
}

/** Our table's GSI columns in the data file, read from DynamoDB Local's CREATE INDEX statements ("<table>*<gsi>"). */
export function indexColumns(dbFile: string, table: string): IndexColumns {
  const out: IndexColumns = {};
  for (const { name, sql } of sqliteJson<{ name: string; sql: string }>(dbFile, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table.replace(/'/g, "''")}' AND sql IS NOT NULL`)) {
    const gsi = name.slice(table.length + 1);
    const m = /\((indexKey_\d+), (indexKey_\d+), hashRangeValue\)/.exec(sql);
    if (m && name.startsWith(`${table}*`)) out[gsi] = { hash: m[1]!, range: m[2]! };
  }
  if (!Object.keys(out).length) throw new Error(`sqlite-bulk: table ${table} not found in ${dbFile} (is it DynamoDB Local's data file?)`);
  return out;
}

const blob = (b: Buffer): string => `X'${b.toString('hex')}'`;
// text literal cast to a blob: the UTF-8 bytes (the database's encoding), half the size of hex
const textBlob = (s: string): string => `CAST('${s.replace(/'/g, "''")}' AS BLOB)`;

/**
 * Insert (or replace, as PutItem would) `items` into `table` of the data file, in one transaction.
 * DynamoDB Local must not have the file open. Items come in batches from `batches` so a million
 * need not be in memory at once.
 */
export async function bulkInsert(dbFile: string, table: string, batches: Iterable<Record<string, unknown>[]>): Promise<number> {
  const columns = indexColumns(dbFile, table);
  const indexCols = [...new Set(Object.values(columns).flatMap((c) => [c.hash, c.range]))].sort();
  const proc = spawn('sqlite3', ['-bail', dbFile], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', resolve));
  const write = (s: string): Promise<void> | undefined =>
    proc.stdin.write(s) ? undefined : new Promise<void>((resolve) => proc.stdin.once('drain', resolve));
  const quoted = `"${table.replace(/"/g, '""')}"`;
  // (no fsync per statement: the file is rebuilt from scratch if the run dies)
  await write(`PRAGMA synchronous = OFF;\nPRAGMA cache_size = -262144;\nBEGIN;\n`);
  let n = 0;
  for (const batch of batches) {
    let sql = '';
    for (const item of batch) {
      const r = sqliteRow(item, columns);
      sql += `INSERT OR REPLACE INTO ${quoted} (hashKey, rangeKey, hashValue, rangeValue, itemSize, ObjectJSON, hashRangeValue, ${indexCols.join(', ')}) VALUES (${textBlob(r.hashKey.toString())}, ${textBlob(r.rangeKey.toString())}, ${blob(r.hashValue)}, ${blob(r.rangeValue)}, ${r.itemSize}, ${textBlob(r.objectJson)}, ${blob(r.hashRangeValue)}, ${indexCols.map((c) => (r.indexKeys[c] ? textBlob(r.indexKeys[c].toString()) : 'NULL')).join(', ')});\n`;
      n++;
    }
    await write(sql);
    if (proc.exitCode !== null) break;
  }
  await write('COMMIT;\n');
  proc.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`sqlite3 failed (${code}) loading ${dbFile}: ${stderr.slice(0, 2000)}`);
  return n;
}
