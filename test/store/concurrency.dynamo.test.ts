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
import { auditTrail, getTask, listProgress, markNotified, transition, TransitionRejected, writeAssignments } from '../../shared/store/tasks.js';

let stack: TestStack;
let D: DeptFixture;
let E: DeptFixture;

beforeAll(async () => {
  stack = await startTestStack();
  D = await createDepartment('cc-a', 'fuping-housing-2021', { inspectors: 4, targets: 40, seed: 77 });
  await assign(D.taskIds[0]!, D.targets.map((target, i) => ({ target, team: [D.inspectors[i % 4]!, D.inspectors[(i + 1) % 4]!] })));
  E = await createDepartment('cc-b', 'fuping-housing-2021', { inspectors: 2, targets: 230, seed: 78 });
  const team = E.inspectors.map((x) => x.id);
  await writeAssignments(
    E.taskIds[0]!,
    1,
    E.targets.map((t) => ({
      taskId: E.taskIds[0]!, uscc: t.uscc, name: t.name, jurisdiction: t.jurisdiction, industry: t.industry, riskClass: t.riskClass, stratum: t.riskClass,
      isKey: t.isKey, kind: t.kind, team, leader: team[0]!, priority: 'normal', status: 'assigned', history: [{ status: 'assigned', at: '2026-01-05T01:00:00.000Z', by: 'draw' }],
    })),
    { by: 'test' },
  );
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

  it('marking 230 targets notified in chunks skips the ones already moved on, exactly once each', async () => {
    const taskId = E.taskIds[0]!;
    const moved = [E.targets[7]!.uscc, E.targets[150]!.uscc]; // in the 1st and 2nd chunk of 100
    for (const uscc of moved) await transition({ taskId, uscc, from: ['assigned'], to: 'checked', actor: { by: 'early-bird' }, auditWhat: 'target.check' });
    const all = E.targets.map((t) => t.uscc);
    await Promise.all([markNotified(taskId, all), markNotified(taskId, all)]); // a retried invocation, concurrently
    const progress = await listProgress(taskId);
    const status = new Map(progress.map((p) => [p.uscc, p]));
    for (const uscc of moved) expect(status.get(uscc)!.status).toBe('checked');
    const notified = progress.filter((p) => p.status === 'notified');
    expect(notified).toHaveLength(228);
    expect(notified.every((p) => p.history.filter((h) => h.status === 'notified').length === 1)).toBe(true);
    const task = await getTask(taskId, true);
    expect(task!.counts).toMatchObject({ notified: 228, checked: 2 });
    expect(task!.counts['assigned'] ?? 0).toBe(0);
  });
});
