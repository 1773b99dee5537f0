/**
 * Many inspectors of one task at the same moment, against DynamoDB Local: every transition also
 * updates the task's counters, so concurrent transactions conflict on the task item. Each must
 * still take effect exactly once (retried on TransactionConflict, never on a failed condition),
 * and a double submission must be rejected, not counted twice. (DynamoDB Local serializes
 * transactions instead of cancelling them, so the retry itself is unit-tested in conflict.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, type DeptFixture } from '../jobs/fixtures.js';
import { auditTrail, getTask, listProgress, transition, TransitionRejected } from '../../shared/store/tasks.js';

let stack: TestStack;
let D: DeptFixture;

beforeAll(async () => {
  stack = await startTestStack();
  D = await createDepartment('cc-a', 'fuping-housing-2021', { inspectors: 4, targets: 40, seed: 77 });
  await assign(D.taskIds[0]!, D.targets.map((target, i) => ({ target, team: [D.inspectors[i % 4]!, D.inspectors[(i + 1) % 4]!] })));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('concurrent transitions of one task', () => {
  it('40 results entered at once, each submitted twice: 40 take effect, 40 are rejected, counters exact', async () => {
    const taskId = D.taskIds[0]!;
    const submit = (uscc: string, n: number) =>
      transition({ taskId, uscc, from: ['notified'], to: 'result_entered', actor: { by: `inspector-${n}` }, reached: { resultEntered: 1 }, auditWhat: 'target.check' }).then(
        () => 'ok' as const,
        (e: unknown) => {
          if (e instanceof TransitionRejected) return 'rejected' as const;
          throw e;
        },
      );
    const before = (await getTask(taskId, true))!;
    const outcomes = await Promise.all(D.targets.flatMap((t) => [submit(t.uscc, 1), submit(t.uscc, 2)]));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(40);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(40);

    const task = await getTask(taskId, true);
    const sum = (c: Record<string, number | undefined>) => Object.values(c).reduce<number>((a, b) => a + (b ?? 0), 0);
    expect((task!.counts['result_entered'] ?? 0) - (before.counts['result_entered'] ?? 0)).toBe(40);
    expect((before.counts['notified'] ?? 0) - (task!.counts['notified'] ?? 0)).toBe(40);
    expect(sum(task!.counts)).toBe(sum(before.counts));
    expect(task!.reached.resultEntered - (before.reached?.resultEntered ?? 0)).toBe(40);
    const progress = await listProgress(taskId);
    expect(progress.every((p) => p.status === 'result_entered' && p.history.filter((h) => h.status === 'result_entered').length === 1)).toBe(true);
    const audit = await auditTrail(taskId);
    expect(audit.filter((a) => a['what'] === 'target.check')).toHaveLength(40);
  });
});
