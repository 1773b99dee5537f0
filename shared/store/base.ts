/**
 * Small, typed helpers over the document client: every adapter goes through these so paging,
 * batching, retries of unprocessed items and conditional-write failures are handled once.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { ddb, tableName } from './db.js';
import { DomainError, invalid } from '../domain/errors.js';

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown> & Key;

export async function getItem<T = Item>(key: Key, consistent = false): Promise<T | undefined> {
  const r = await ddb().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: consistent }));
  return r.Item as T | undefined;
}

export async function putItem(item: Item, condition?: { expr: string; names?: Record<string, string>; values?: Record<string, unknown> }): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: tableName(),
      Item: item,
      ...(condition
        ? {
            ConditionExpression: condition.expr,
            ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
            ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
          }
        : {}),
    }),
  );
}

/** Put only if no item has this key; returns false when it already existed. */
export async function putIfAbsent(item: Item): Promise<boolean> {
  try {
    await putItem(item, { expr: 'attribute_not_exists(pk)' });
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

export async function deleteItem(key: Key): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: tableName(), Key: key }));
}

export interface UpdateSpec {
  set?: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, number>;
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** Extra SET clauses written by hand (e.g. list_append), using `names`/`values`. */
  raw?: string;
}

/** UpdateItem built from plain maps; attribute names are always aliased (#a0…). */
export async function updateItem<T = Item>(key: Key, spec: UpdateSpec): Promise<T> {
  const names: Record<string, string> = { ...(spec.names ?? {}) };
  const values: Record<string, unknown> = { ...(spec.values ?? {}) };
  const parts: string[] = [];
  let n = 0;
  const alias = (attr: string): string => {
    const a = `#u${n++}`;
    names[a] = attr;
    return a;
  };
  const sets = Object.entries(spec.set ?? {}).filter(([, v]) => v !== undefined);
  const setClauses = sets.map(([k, v]) => {
    const a = alias(k);
    values[`:u${n}`] = v;
    return `${a} = :u${n}`;
  });
  if (spec.raw) setClauses.push(spec.raw);
  if (setClauses.length) parts.push('SET ' + setClauses.join(', '));
  const adds = Object.entries(spec.add ?? {});
  if (adds.length) {
    parts.push(
      'ADD ' +
        adds
          .map(([k, v]) => {
            const a = alias(k);
            values[`:u${n}`] = v;
            return `${a} :u${n}`;
          })
          .join(', '),
    );
  }
  if (spec.remove?.length) parts.push('REMOVE ' + spec.remove.map(alias).join(', '));
  const input = {
    TableName: tableName(),
    Key: key,
    UpdateExpression: parts.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    ...(spec.condition ? { ConditionExpression: spec.condition } : {}),
    ReturnValues: 'ALL_NEW' as const,
  };
  const r = await retryOnConflict(() => ddb().send(new UpdateCommand(input)));
  return r.Attributes as T;
}

export function isConditionFailure(e: unknown): boolean {
  return (
    e instanceof ConditionalCheckFailedException ||
    (e instanceof TransactionCanceledException &&
      (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'))
  );
}

export interface QuerySpec {
  index?: string;
  pkName?: string;
  skName?: string;
  pk: string;
  /** Sort-key condition: begins_with prefix, or between [from, to]. */
  skPrefix?: string;
  skBetween?: [string, string];
  filter?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  projection?: string[];
  limit?: number;
  consistent?: boolean;
  forward?: boolean;
  startKey?: Record<string, unknown>;
}

/** A query's last evaluated key as an opaque page cursor for clients. */
export const encodeCursor = (key: Record<string, unknown>): string => Buffer.from(JSON.stringify(key)).toString('base64url');

const badCursor = (): DomainError => invalid('分页游标（cursor）无效，请使用上一页返回的 cursor');

/** A client's page cursor back to a start key (checked against its query in `queryPage`). */
export function decodeCursor(cursor: string): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw badCursor();
  return key as Record<string, unknown>;
}

/**
 * A start key that came from a client must be one this query could have returned: string key
 * attributes of the table (and of the index), in the query's own partition. Anything else would
 * reach DynamoDB as a ValidationException (a 500) or page through another partition.
 */
function checkStartKey(q: QuerySpec, key: Record<string, unknown>): void {
  const allowed = new Set(['pk', 'sk', q.pkName ?? 'pk', q.skName ?? 'sk']);
  const entries = Object.entries(key);
  if (!entries.length || entries.some(([k, v]) => !allowed.has(k) || typeof v !== 'string' || v.length > 1024)) throw badCursor();
  if (key[q.pkName ?? 'pk'] !== q.pk) throw badCursor();
  if (q.skPrefix !== undefined && typeof key[q.skName ?? 'sk'] === 'string' && !(key[q.skName ?? 'sk'] as string).startsWith(q.skPrefix)) throw badCursor();
}

/** One page of a query. */
export async function queryPage<T = Item>(q: QuerySpec): Promise<{ items: T[]; scanned: number; next?: Record<string, unknown> }> {
  if (q.startKey) checkStartKey(q, q.startKey);
  const names: Record<string, string> = { '#pk': q.pkName ?? 'pk', ...(q.names ?? {}) };
  const values: Record<string, unknown> = { ':pk': q.pk, ...(q.values ?? {}) };
  let cond = '#pk = :pk';
  if (q.skPrefix !== undefined) {
    names['#sk'] = q.skName ?? 'sk';
    values[':skp'] = q.skPrefix;
    cond += ' AND begins_with(#sk, :skp)';
  } else if (q.skBetween) {
    names['#sk'] = q.skName ?? 'sk';
    values[':sk1'] = q.skBetween[0];
    values[':sk2'] = q.skBetween[1];
    cond += ' AND #sk BETWEEN :sk1 AND :sk2';
  }
  let projection: string | undefined;
  if (q.projection) {
    projection = q.projection
      .map((p, i) => {
        names[`#p${i}`] = p;
        return `#p${i}`;
      })
      .join(', ');
  }
  const input: QueryCommandInput = {
    TableName: tableName(),
    KeyConditionExpression: cond,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(q.index ? { IndexName: q.index } : {}),
    ...(q.filter ? { FilterExpression: q.filter } : {}),
    ...(projection ? { ProjectionExpression: projection } : {}),
    ...(q.limit ? { Limit: q.limit } : {}),
    ...(q.consistent ? { ConsistentRead: true } : {}),
    ...(q.forward === false ? { ScanIndexForward: false } : {}),
    ...(q.startKey ? { ExclusiveStartKey: q.startKey } : {}),
  };
  const r = await ddb().send(new QueryCommand(input));
  return { items: (r.Items ?? []) as T[], scanned: r.ScannedCount ?? 0, ...(r.LastEvaluatedKey ? { next: r.LastEvaluatedKey } : {}) };
}

/** Every item of a query (follows pages). Use only where the result is bounded. */
export async function queryAll<T = Item>(q: QuerySpec): Promise<T[]> {
  const out: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<T>({ ...q, ...(startKey ? { startKey } : {}) });
    out.push(...page.items);
    startKey = page.next;
  } while (startKey);
  return out;
}

/**
 * Query until `limit` matching items are found. DynamoDB's Limit counts the items it reads, not
 * those the filter keeps, so a filtered page comes back short: each further read is sized from
 * the share of matches seen so far (one or two round trips instead of a dozen). A read may then
 * return more matches than wanted; the extra ones are dropped and the returned key is that of
 * the last item kept, so the next page starts right after it and nothing is skipped.
 * `maxRead` bounds the items read (matching or not): a rare filter over a large partition then
 * returns what it found so far and the key to go on from, instead of reading the whole partition.
 */
export async function queryUpTo<T = Item>(q: QuerySpec, limit: number, maxRead = Infinity): Promise<{ items: T[]; next?: Record<string, unknown>; read: number }> {
  const keyNames = [...new Set(['pk', 'sk', q.pkName ?? 'pk', q.skName ?? 'sk'])];
  // the key of an item kept last is built from the item itself: a projection must carry the keys
  const spec: QuerySpec = q.projection ? { ...q, projection: [...new Set([...q.projection, ...keyNames])] } : q;
  const out: T[] = [];
  let startKey = q.startKey;
  let read = 0;
  for (;;) {
    const need = limit - out.length;
    // matches per item read so far; a filter's first read assumes one in four
    const share = read ? Math.max(out.length / read, 1 / 200) : q.filter ? 1 / 4 : 1;
    const size = Math.min(1000, maxRead - read, Math.max(need, Math.ceil((need / share) * 1.25)));
    const page = await queryPage<T>({ ...spec, limit: size, ...(startKey ? { startKey } : {}) });
    read += page.scanned;
    if (out.length + page.items.length > limit) {
      out.push(...page.items.slice(0, need));
      const last = out[out.length - 1] as Record<string, unknown>;
      return { items: out, next: Object.fromEntries(keyNames.map((k) => [k, last[k]])), read };
    }
    out.push(...page.items);
    startKey = page.next;
    if (!startKey || out.length >= limit || read >= maxRead) return { items: out, ...(startKey ? { next: startKey } : {}), read };
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false; // after the first error the other workers take no new item
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (failed || i >= items.length) return;
      try {
        await fn(items[i] as T);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Batch put/delete in chunks of 25 with bounded concurrency; unprocessed items are retried
 * with backoff until written. Idempotent: every write is a full put or a delete by key.
 */
export async function batchWrite(puts: Item[], deletes: Key[] = [], concurrency = 4): Promise<void> {
  const reqs = [
    ...puts.map((Item) => ({ PutRequest: { Item } })),
    ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
  ];
  const chunks: (typeof reqs)[] = [];
  for (let i = 0; i < reqs.length; i += 25) chunks.push(reqs.slice(i, i + 25));
  await pool(chunks, concurrency, async (chunk) => {
    let pending: typeof reqs | undefined = chunk;
    for (let attempt = 0; pending && pending.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      const r = await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
      pending = r.UnprocessedItems?.[tableName()] as typeof reqs | undefined;
    }
  });
}

export async function batchGet<T = Item>(keys: Key[], concurrency = 4, opts: { consistent?: boolean } = {}): Promise<T[]> {
  const chunks: Key[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const out: T[] = [];
  await pool(chunks, concurrency, async (chunk) => {
    let pending: Key[] | undefined = chunk;
    for (let attempt = 0; pending && pending.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      const r = await ddb().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ...(opts.consistent ? { ConsistentRead: true } : {}) } } }));
      out.push(...((r.Responses?.[tableName()] ?? []) as T[]));
      pending = r.UnprocessedKeys?.[tableName()]?.Keys as Key[] | undefined;
    }
  });
  return out;
}

type SdkTransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type NoTable<T> = T extends object ? Omit<T, 'TableName'> : never;
/** A transaction item without TableName (every item goes to the one table). */
export type TransactItem = {
  Put?: NoTable<NonNullable<SdkTransactItem['Put']>>;
  Update?: NoTable<NonNullable<SdkTransactItem['Update']>>;
  Delete?: NoTable<NonNullable<SdkTransactItem['Delete']>>;
  ConditionCheck?: NoTable<NonNullable<SdkTransactItem['ConditionCheck']>>;
};

/** All-or-nothing write of up to 100 items. */
export async function transact(items: TransactItem[], clientRequestToken?: string): Promise<void> {
  const withTable = items.map((it) => {
    const out: Record<string, unknown> = {};
    for (const [op, body] of Object.entries(it)) out[op] = { TableName: tableName(), ...(body as object) };
    return out as SdkTransactItem;
  });
  await retryOnConflict(() =>
    ddb().send(new TransactWriteCommand({ TransactItems: withTable, ...(clientRequestToken ? { ClientRequestToken: clientRequestToken } : {}) })),
  );
}

/**
 * A transaction that touches an item another transaction is writing at the same moment is
 * cancelled with reason TransactionConflict (two inspectors entering results of the same task
 * both update the task's counters). Nothing was written, so it is simply tried again, after a
 * short randomized pause; a condition failure is never retried.
 */
export function isTransactionConflict(e: unknown): boolean {
  if (e instanceof TransactionConflictException) return true;
  if (!(e instanceof TransactionCanceledException)) return false;
  const reasons = e.CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
}

const CONFLICT_ATTEMPTS = 10;

export async function retryOnConflict<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (attempt >= CONFLICT_ATTEMPTS || !isTransactionConflict(e)) throw e;
      const cap = Math.min(1000, 10 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, cap / 2 + Math.random() * (cap / 2)));
    }
  }
}

/** Strip storage attributes before returning an entity to callers. */
export function clean<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ttl: _t, ...rest } = item;
  return rest as T;
}

export { pool as runPool };
