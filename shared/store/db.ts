/**
 * DynamoDB document client, shared by every adapter. On the local platform the endpoint comes
 * from AWS_ENDPOINT_URL_DYNAMODB (the SDK's own service-specific endpoint variable), so the
 * same code runs against DynamoDB Local and AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.js';

let client: DynamoDBDocumentClient | undefined;

export function ddb(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ maxAttempts: 8 }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  return client;
}

export function tableName(): string {
  return config().tableName;
}

/** For tests and the local platform after the endpoint changes. */
export function resetDdb(): void {
  client = undefined;
  for (const f of resetHooks) f();
}

const resetHooks: (() => void)[] = [];
/** Caches of table contents register here: a new endpoint or table empties them. */
export function onDdbReset(f: () => void): void {
  resetHooks.push(f);
}
