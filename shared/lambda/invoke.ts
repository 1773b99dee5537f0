/**
 * Asynchronous invocation of another function of the stack (InvocationType Event): Lambda
 * queues the event, answers 202 at once and retries a failed run twice (the function's
 * retryAttempts), then hands the event to the dead-letter queue. On the local platform the same
 * Lambda API is served on loopback (AWS_ENDPOINT_URL_LAMBDA, shared/dev/local/lambda-server.ts).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

let client: LambdaClient | undefined;

export async function invokeAsync(functionName: string, event: unknown): Promise<void> {
  client ??= new LambdaClient({});
  const r = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  if (r.StatusCode !== 202) throw new Error(`asynchronous invocation of ${functionName} answered ${r.StatusCode}`);
}

/** Tests and the local platform point the client at a new endpoint. */
export function resetLambdaClient(): void {
  client = undefined;
}
