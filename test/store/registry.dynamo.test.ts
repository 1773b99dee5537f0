/**
 * Re-importing registry rows never erases what the system recorded: a target's inspection
 * history (cooldown, previous team) and an inspector's delivery status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';
import { getTarget, listTargets, putTargets, upsertTargets, upsertInspectors, getInspector, putInspector, type TargetFilter } from '../../shared/store/registry.js';
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

describe('a filtered targets list pages through every match once', () => {
  // 600 targets over the 16 pool shards: four risk classes, two towns. A filter keeps one in
  // four or one in eight, so DynamoDB pages (whose Limit counts items read, not matches) come
  // back short or long; paging with the returned cursor must still show each match exactly once.
  const all = Array.from({ length: 600 }, (_, i) => ({
    ...target(10_000 + i),
    department: 'd2',
    riskClass: 'ABCD'[i % 4]!,
    jurisdiction: i % 8 < 4 ? '城关镇' : '东关镇',
  }));
  beforeAll(async () => {
    await upsertTargets('d2', all as Target[]);
  });

  async function pageThrough(filter: TargetFilter, limit: number): Promise<{ seen: string[]; pages: number }> {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listTargets('d2', filter, limit, cursor);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      if (page.cursor) expect(page.items.length).toBe(limit); // only the last page is short
      seen.push(...page.items.map((t) => t.uscc));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 500);
    return { seen, pages };
  }

  it.each([
    [{ riskClass: 'A' }, 7],
    [{ riskClass: 'C' }, 50],
    [{ riskClass: 'B', jurisdiction: '东关镇' }, 7],
    [{ riskClass: 'D', jurisdiction: '城关镇' }, 50],
    [{}, 40],
  ] as [TargetFilter, number][])('filter %j, %i per page', async (filter, limit) => {
    const want = all
      .filter((t) => (!filter.riskClass || t.riskClass === filter.riskClass) && (!filter.jurisdiction || t.jurisdiction === filter.jurisdiction))
      .map((t) => t.uscc)
      .sort();
    const { seen } = await pageThrough(filter, limit);
    expect(new Set(seen).size).toBe(seen.length); // none twice
    expect([...seen].sort()).toEqual(want); // none lost
  });

  it('a page reads at most its budget: a rare filter comes back partial with a cursor, and going on finds every match once', async () => {
    // a name part and risk class that 2 of the 600 match; a budget of 100 items read cannot find them in one go
    const name = '测试建筑工程有限公司1009';
    const want = all.filter((t) => t.name.includes(name) && t.riskClass === 'B').map((t) => t.uscc).sort();
    expect(want.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let cursor: string | undefined;
    let partials = 0;
    let calls = 0;
    do {
      const page = await listTargets('d2', { name, riskClass: 'B' }, 20, cursor, 100);
      calls++;
      if (page.partial) {
        partials++;
        expect(page.cursor).toBeDefined(); // a partial page always says where to go on
        expect(page.items.length).toBeLessThan(20);
      }
      seen.push(...page.items.map((t) => t.uscc));
      cursor = page.cursor;
    } while (cursor && calls < 100);
    expect(partials).toBeGreaterThan(0);
    expect(calls).toBeGreaterThanOrEqual(6); // 600 read 100 at a time
    expect(calls).toBeLessThanOrEqual(6 + 16); // (at most one short read more per shard)
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(want);
    // the default budget reads these 600 in one page: complete, not partial
    const whole = await listTargets('d2', { name, riskClass: 'B' }, 20);
    expect(whole.partial).toBeUndefined();
    expect(whole.cursor).toBeUndefined();
    expect(whole.items.map((t) => t.uscc).sort()).toEqual(want);
  });
});
