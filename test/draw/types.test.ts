/** The registry shapes (zod schemas) fit the draw's structural input types. */
import { describe, expect, it } from 'vitest';
import type { Inspector, Target } from '../../shared/domain/schemas.js';
import { buildDrawPool, type EligibilityInspector, type EligibilityTarget } from '../../shared/draw/index.js';

describe('registry records fit buildDrawPool', () => {
  it('Target and Inspector are accepted as they are', () => {
    const target: Target = {
      uscc: '91130302MA07L1XQ3K', name: '某建筑公司', kind: 'enterprise', department: 'dept-h', jurisdiction: '海港区',
      industry: '建筑业', tags: [], riskClass: 'B', isKey: false, status: 'active', contact: {}, lastInspections: [],
    };
    const inspector: Inspector = {
      id: 'i1', department: 'dept-h', section: '建筑市场科', name: '张三', jurisdictions: ['海港区'], specialties: [],
      certificateNo: 'C1', certificateExpiry: '2030-01-01', email: 'a@example.org', active: true, conflicts: [], tags: [], mailStatus: 'ok',
    };
    const t: EligibilityTarget = target; // compile-time check
    const i: EligibilityInspector = inspector;
    const r = buildDrawPool({
      targets: [t], inspectors: [i, { ...inspector, id: 'i2' }],
      task: { scope: {}, items: [], window: { start: '2025-01-01', end: '2025-02-01' }, departments: ['dept-h'], drawDate: '2025-01-01', cooldownDays: 0, ratiosBp: { A: 300, B: 300, C: 300, D: 300 }, keyAtFull: true },
    });
    expect(r.pool.candidates).toEqual([{ uscc: target.uscc, stratum: 'B', area: '海港区' }]);
    expect(r.pool.areas).toEqual([{ name: '海港区', inspectors: ['i1', 'i2'] }]);
  });
});
