/**
 * DynamoDB Local with the table of the fixture app's template, the environment the adapters
 * read, and small readers of what the fixture handlers record.
 */
import type { LocalTemplate } from '../../shared/dev/local/lambdas.js';
import { getItem, putItem } from '../../shared/store/base.js';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { fixtureTemplate } from './fixture-app.js';

export interface FixtureStack extends TestStack {
  template: LocalTemplate;
}

export async function startFixtureStack(): Promise<FixtureStack> {
  const template = fixtureTemplate();
  return { template, ...(await startTestStack(template as Parameters<typeof startTestStack>[0])) };
}

/** How many times a fixture handler ran for `key` (e.g. `callback:t1:approval`). */
export async function calls(key: string): Promise<number> {
  return (await getItem<{ n?: number } & Record<string, unknown>>({ pk: 'FIXTURE#calls', sk: key }, true))?.n ?? 0;
}

export async function callRecord(key: string): Promise<Record<string, unknown> | undefined> {
  return getItem<Record<string, unknown> & { pk: string; sk: string }>({ pk: 'FIXTURE#calls', sk: key }, true);
}

/** The task token the callback fixture stored for a task's stage. */
export async function storedToken(taskId: string, stage: string): Promise<string> {
  const t = await getItem<{ token: string } & Record<string, unknown>>({ pk: 'FIXTURE#token', sk: `${taskId}#${stage}` }, true);
  if (!t) throw new Error(`no token stored for ${taskId}/${stage}`);
  return t.token;
}

/** Let a fixture close step held with `holdClose` finish. */
export async function release(taskId: string): Promise<void> {
  await putItem({ pk: 'FIXTURE#release', sk: taskId });
}
