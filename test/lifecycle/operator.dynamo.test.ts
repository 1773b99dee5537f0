/**
 * What an operator meets after the draw, on DynamoDB Local (issue 11):
 *   - dates: results published at 07:52 Beijing time carry that day as 公示日期, in the stored
 *     index date, the public record and the public pages;
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { enterResult, publishResults } from '../../shared/lifecycle/progress.js';
import { publicRoutes } from '../../functions/api/routes/public.js';
import { getItem, type Item } from '../../shared/store/base.js';
import { K } from '../../shared/store/keys.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import type { Request } from '../../shared/http/core.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';

let stack: TestStack;
let F: DeptFixture;
const clock = new ManualClock('2026-12-04T02:00:00Z');

/** A request as the dispatcher builds it (the route handlers are called directly). */
export function request(o: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; principal?: Request['principal'] } = {}): Request {
  return {
    route: { method: 'GET', path: '/', auth: 'public', summary: '' },
    params: o.params ?? {},
    query: o.query ?? {},
    headers: {},
    ...(o.principal ? { principal: o.principal } : {}),
    body: Buffer.from(o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body)),
    sourceIp: '127.0.0.1',
    event: {} as Request['event'],
  };
}

export const resultBody = (F: DeptFixture, present: string[], checkDate: string) => ({
  codes: ['1'],
  itemOutcomes: F.items.map((i) => ({ itemId: i.id, outcome: 'pass' })),
  methods: ['实地核查'],
  checkDate,
  present,
  signature: { signed: true, signer: '企业负责人' },
});

beforeAll(async () => {
  stack = await startTestStack();
  setClock(clock);
  F = await createDepartment('op', 'fuping-housing-2021', { inspectors: 4, targets: 4, seed: 8100 });
}, 120_000);

afterAll(async () => {
  resetClock();
  await stack?.stop();
});

describe('dates are Beijing dates', () => {
  it('a result published at 07:52 Beijing time on 12-06 is published on 12-06 everywhere', async () => {
    const task = F.taskIds[0]!;
    const [i1, i2] = F.inspectors as [Inspector, Inspector];
    const target = F.targets[0] as Target;
    await assign(task, [{ target, team: [i1, i2] }]);
    await enterResult(task, target.uscc, resultBody(F, [i1.id, i2.id], '2026-12-04'), { by: i1.email, inspectorId: i1.id }, 'api');

    clock.set('2026-12-05T23:52:00Z');
    const r = await publishResults(task, { by: F.dept.coordinators[0]!.email });
    expect(r.published).toEqual([target.uscc]);

    const stored = await getItem<Item & { publishedOn?: string; publishedAt: string }>(K.published(task, target.uscc), true);
    expect(stored?.gsi2sk).toBe(`2026-12-06#${task}#${target.uscc}`);
    expect(stored?.publishedOn).toBe('2026-12-06');

    const index = await publicRoutes['GET /public']!(request());
    expect(index.html).toContain('<td>2026-12-06</td>');
    expect(index.html).not.toContain('2026-12-05');
    const one = await publicRoutes['GET /public/results/{taskId}/{uscc}']!(request({ params: { taskId: task, uscc: target.uscc } }));
    expect(one.html).toMatch(/公示日期<\/th><td>2026-12-06</);
  });
});
