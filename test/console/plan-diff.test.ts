/** The plan version comparison the console shows side by side (web/src/plan-diff.ts). */
import { describe, expect, it } from 'vitest';
import { planDiff } from '../../web/src/plan-diff.js';
import { samplePlan } from '../../shared/dev/sample/district.js';

describe('planDiff', () => {
  const v1 = samplePlan().tasks;
  it('finds nothing between a version and itself', () => {
    expect(planDiff(v1, structuredClone(v1))).toEqual([]);
  });

  it('names each changed field of a task with both values, and added and removed tasks', () => {
    const v2 = structuredClone(v1);
    v2[0]!.drawDate = '2026-01-19';
    v2[0]!.ratiosBp.D = 1000;
    const removed = v2.splice(1, 1)[0]!;
    v2.push({ ...structuredClone(v1[0]!), taskId: 'fp-zjj-2026-99', name: '2026年专项抽查' });
    const rows = planDiff(v1, v2);
    const first = rows.filter((r) => r.task.includes(v1[0]!.taskId));
    expect(first.map((r) => r.field).sort()).toEqual(['抽取日期', '抽查比例']);
    expect(first.find((r) => r.field === '抽取日期')).toMatchObject({ a: v1[0]!.drawDate, b: '2026-01-19' });
    expect(first.find((r) => r.field === '抽查比例')!.b).toContain('D 10%');
    expect(rows).toContainEqual({ task: `${removed.name}（${removed.taskId}）`, field: '（删除任务）', a: removed.name, b: '' });
    expect(rows.some((r) => r.field === '（新增任务）' && r.b === '2026年专项抽查')).toBe(true);
  });
});
