/**
 * The single DynamoDB table behind Suiji and its indexes. Both the CDK data stack and the
 * local platform derive the table from this definition (locally via the synthesized template),
 * so key names live in exactly one place.
 *
 * Key layout (see docs/ARCHITECTURE.md for every access pattern):
 *   pk / sk                  primary key of every entity
 *   gsi1pk / gsi1sk          "pool" index: targets sharded per department (POOL#<dept>#<shard>)
 *                            so a draw can read a large scope with parallel queries
 *   gsi2pk / gsi2sk          "lookup" index: secondary lookups (inspector by email, plans by
 *                            department, public records by department, tasks by plan …)
 *   gsi3pk / gsi3sk          "due" index: open deadlines by date (DUE#<yyyy-mm-dd>), sparse:
 *                            the attributes are removed once a deadline is met; owed mails
 *                            (OUTBOX, by time) until they are sent
 *   ttl                      expiry (epoch seconds) for e-mail link ids and idempotency keys
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: {
    pool: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    lookup: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    due: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
} as const;

/** Number of pool shards per department; a draw reads them in parallel. */
export const POOL_SHARDS = 16;

export type IndexName = keyof typeof TABLE.indexes;
