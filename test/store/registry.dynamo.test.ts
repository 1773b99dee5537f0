/**
 * Re-importing registry rows never erases what the system recorded: a target's inspection
 * history (cooldown, previous team) and an inspector's delivery status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { getTarget, putTargets, upsertTargets, upsertInspectors, getInspector, putInspector } from '../../shared/store/registry.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const target = (n: number, name = `测试建筑工程有限公司${n}`): Target => ({
  uscc: makeUscc(n),
  name,
  kind: 'enterprise',
  department: 'd1',
  jurisdiction: '城关镇',
  industry: '建筑施工',
  tags: [],
  riskClass: 'B',
  isKey: false,
  status: 'active',
  contact: {},
  lastInspections: [],
});

describe('registry upserts keep system-recorded fields', () => {
  it('a target drawn since the last import stays unchanged on re-import and keeps its history on update', async () => {
    const rows = [target(1), target(2)];
    expect(await upsertTargets('d1', rows)).toEqual({ created: 2, updated: 0, unchanged: 0 });
    const history = [{ department: 'd1', itemCategory: '建筑市场', date: '2026-03-02', taskId: 't1', team: ['i1', 'i2'] }];
    await putTargets([{ ...target(1), lastInspections: history }]);

    expect(await upsertTargets('d1', rows)).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect((await getTarget('d1', makeUscc(1)))!.lastInspections).toEqual(history);

    expect(await upsertTargets('d1', [target(1, '测试建筑工程集团有限公司'), target(2)])).toEqual({ created: 0, updated: 1, unchanged: 1 });
    const after = (await getTarget('d1', makeUscc(1)))!;
    expect(after.name).toBe('测试建筑工程集团有限公司');
    expect(after.lastInspections).toEqual(history);
  });

  it('a re-imported inspector keeps a bounced address marked', async () => {
    const insp: Inspector = {
      id: 'i1', department: 'd1', section: '执法队', name: '张三', jurisdictions: ['城关镇'], specialties: ['建筑市场'],
      certificateNo: 'C1', certificateExpiry: '2027-12-31', email: 'zhang@example.gov.cn', active: true, conflicts: [], tags: [], mailStatus: 'ok',
    };
    await upsertInspectors('d1', [insp]);
    await putInspector({ ...insp, mailStatus: 'bounced' });
    expect(await upsertInspectors('d1', [insp])).toEqual({ created: 0, updated: 0, unchanged: 1 });
    await upsertInspectors('d1', [{ ...insp, phone: '13800000000' }]);
    expect((await getInspector('d1', 'i1'))!.mailStatus).toBe('bounced');
  });
});
