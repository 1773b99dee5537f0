/**
 * Loading the sample district into DynamoDB Local (table from the synthesized template): the
 * full 20,000 targets, the plan approved and published; a second load writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { ddb, tableName } from '../../shared/store/db.js';
import { loadSampleDistrict } from '../../shared/dev/sample/load.js';
import { SAMPLE_PLAN_ID, SAMPLE_TARGET_COUNT, sampleDistrict } from '../../shared/dev/sample/district.js';
import { findTask } from '../../shared/store/plans.js';
import { publishedAnnouncement } from '../../shared/usecases/plan-announcement.js';
import { listTargets } from '../../shared/store/registry.js';
import { renderPlanPage } from '../../shared/pages/plan-page.js';
import { principalForEmail } from '../../shared/dev/local/devlogin.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function fingerprint(): Promise<{ count: number; digest: string }> {
  const { createHash } = await import('node:crypto');
  const rows: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({ TableName: tableName(), ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const i of r.Items ?? []) rows.push(JSON.stringify(i, Object.keys(i).sort()));
    start = r.LastEvaluatedKey;
  } while (start);
  rows.sort();
  return { count: rows.length, digest: createHash('sha256').update(rows.join('\n')).digest('hex') };
}

describe('loadSampleDistrict', () => {
  it('writes the district, approves and publishes the plan; a second run writes nothing', async () => {
    const first = await loadSampleDistrict();
    console.log(`sample district load: ${JSON.stringify(first.ms)} ms`);
    expect(first.targets).toEqual({ created: SAMPLE_TARGET_COUNT, updated: 0, unchanged: 0 });
    expect(first.departments).toEqual({ written: 4, unchanged: 0 });
    expect(first.inspectors.created).toBe(sampleDistrict().inspectors.length);
    expect(first.plan).toEqual({ planId: SAMPLE_PLAN_ID, version: 1, created: true, published: true });
    expect(first.ms.targets).toBeLessThan(60_000);

    const before = await fingerprint();
    const second = await loadSampleDistrict();
    console.log(`second load (nothing to write): ${JSON.stringify(second.ms)} ms`);
    expect(second.targets).toEqual({ created: 0, updated: 0, unchanged: SAMPLE_TARGET_COUNT });
    expect(second.inspectors.created + second.inspectors.updated).toBe(0);
    expect(second.items.created + second.items.updated + second.experts.created + second.experts.updated).toBe(0);
    expect(second.departments.written + second.profiles.written + second.tags.written).toBe(0);
    expect(second.plan).toEqual({ planId: SAMPLE_PLAN_ID, version: 1, created: false, published: false });
    expect(await fingerprint()).toEqual(before);
  }, 180_000);

  it('the loaded district answers the first commands: D-class targets, the plan page, sign-in', async () => {
    const d = await listTargets('fp-zjj', { riskClass: 'D' }, 5);
    expect(d.items).toHaveLength(5);
    expect(d.items.every((t) => t.riskClass === 'D')).toBe(true);
    const a = await publishedAnnouncement(SAMPLE_PLAN_ID);
    expect(a?.tasks).toHaveLength(6);
    expect(renderPlanPage(a!)).toContain('阜平县住房和城乡建设局2026年度');
    expect((await findTask(`${SAMPLE_PLAN_ID}-03`))?.task.jointSections).toEqual(['建筑市场管理股']);
    const main = sampleDistrict({ targets: 0 }).departments[0]!;
    expect(await principalForEmail(main.coordinators[0]!.email)).toMatchObject({ role: 'coordinator', department: 'fp-zjj' });
    expect(await principalForEmail(main.leaders[0]!.email)).toMatchObject({ role: 'leader', department: 'fp-zjj' });
  });
});
