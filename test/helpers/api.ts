/**
 * A small HTTP client for integration tests: calls the local platform's API as a given person,
 * exactly as the CLI or a browser would.
 */
import { expect } from 'vitest';

export { ApiClient, type Call } from '../../shared/dev/local/api-client.js';
import type { Call } from '../../shared/dev/local/api-client.js';

/** Wait (test side only) until the task reaches a stage; the product itself never polls. */
export async function waitForStage(get: () => Promise<Call>, stage: string | string[], timeoutMs = 60_000): Promise<Call> {
  const want = Array.isArray(stage) ? stage : [stage];
  const deadline = Date.now() + timeoutMs;
  let last: Call | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (last.status === 200 && want.includes(last.json.stage)) return last;
    if (last.status === 200 && last.json.stage === 'failed' && !want.includes('failed')) {
      expect.fail(`lifecycle failed: ${JSON.stringify(last.json.failure)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect.fail(`stage ${want.join('|')} not reached; last: ${JSON.stringify(last?.json)}`);
}

/** Wait (test side only) until the task's execution has ended: the stage is stored before the state machine's last states run. */
export async function waitForExecutionEnd(get: () => Promise<Call>, timeoutMs = 60_000): Promise<Call> {
  const deadline = Date.now() + timeoutMs;
  let last: Call | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (last.status === 200 && last.json.execution?.status && last.json.execution.status !== 'RUNNING') return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect.fail(`execution still running; last: ${JSON.stringify(last?.json)}`);
}
