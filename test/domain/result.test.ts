import { describe, expect, it } from 'vitest';
import { validateResult, type ResultContext } from '../../shared/domain/result.js';
import { ValidationError } from '../../shared/domain/schemas.js';
import { getPreset } from '../../shared/domain/profiles.js';

// The standard phrase list of the presets (1 未发现问题 … 12 迁出), as a department would have it.
const ctx: ResultContext = {
  phrases: getPreset('fuping-housing-2021').resultPhrases,
  allowedMethods: ['书面检查', '实地核查'],
  minOnSite: 2,
  team: ['i1', 'i2', 'i3'],
  itemIds: ['item-a', 'item-b'],
  window: { start: '2026-03-01', end: '2026-04-30' },
  today: '2026-04-10',
};

const good = {
  codes: ['1'],
  itemOutcomes: [
    { itemId: 'item-a', outcome: 'pass' },
    { itemId: 'item-b', outcome: 'not_applicable' },
  ],
  methods: ['实地核查'],
  checkDate: '2026-04-08',
  present: ['i1', 'i2'],
  signature: { signed: true, signer: '王经理' },
};

function issues(input: unknown): string[] {
  try {
    validateResult(input, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues.map((i) => `${i.field}：${i.message}`);
  }
  return [];
}

describe('result validation', () => {
  it('accepts a complete result and reports whether it has a problem', () => {
    const r = validateResult(good, ctx);
    expect(r.hasProblem).toBe(false);
    expect(r.phrases).toEqual([{ code: '1', text: '未发现问题' }]);
    const p = validateResult(
      { ...good, codes: ['a'], itemOutcomes: [{ itemId: 'item-a', outcome: 'problem' }, { itemId: 'item-b', outcome: 'pass' }], problems: '未公示' },
      ctx,
    );
    expect(p.hasProblem).toBe(true);
    expect(p.needsFollowUp).toBe(true); // A 发现问题待后续处理 opens a follow-up
    const corrected = validateResult(
      { ...good, codes: ['E'], itemOutcomes: [{ itemId: 'item-a', outcome: 'problem' }, { itemId: 'item-b', outcome: 'pass' }], problems: '现场责令改正' },
      ctx,
    );
    expect([corrected.hasProblem, corrected.needsFollowUp]).toEqual([true, false]); // E: corrected on the spot
    expect(p.codes).toEqual(['A']);
  });

  it('rejects unknown codes and exclusive combinations, naming the field', () => {
    expect(issues({ ...good, codes: ['Z'] })).toEqual(['检查结果：结果代码“Z”不在本部门的结果表述清单中']);
    expect(issues({ ...good, codes: ['1', 'A'], problems: 'x', itemOutcomes: [{ itemId: 'item-a', outcome: 'problem' }, { itemId: 'item-b', outcome: 'pass' }] })).toContainEqual(
      '检查结果：“1 未发现问题”只能单独选择',
    );
    // B (未按规定公示应当公示的信息) needs A or E beside it
    expect(issues({ ...good, codes: ['B'], problems: 'x', itemOutcomes: [{ itemId: 'item-a', outcome: 'problem' }, { itemId: 'item-b', outcome: 'pass' }] })[0]).toMatch(
      /^检查结果：选择“B 未按规定公示应当公示的信息”时须同时选择“A/,
    );
  });

  it('requires a problem description when a problem code is chosen', () => {
    expect(issues({ ...good, codes: ['E'], itemOutcomes: [{ itemId: 'item-a', outcome: 'problem' }, { itemId: 'item-b', outcome: 'pass' }] })).toEqual([
      '问题描述：所选检查结果须描述发现的问题',
    ]);
  });

  it('checks the date against the window and today', () => {
    expect(issues({ ...good, checkDate: '2026-02-27' })).toEqual(['检查日期：检查日期 2026-02-27 不在抽查时间 2026-03-01 至 2026-04-30 之内']);
    expect(issues({ ...good, checkDate: '2026-04-11' })).toEqual(['检查日期：检查日期 2026-04-11 晚于今天（2026-04-10）']);
  });

  it('needs at least two team members on site and only team members', () => {
    expect(issues({ ...good, present: ['i1'] })).toEqual(['到场检查人员：实地核查时检查人员不少于 2 人，本次登记到场 1 人']);
    expect(issues({ ...good, present: ['i1', 'x9'] })).toContainEqual('到场检查人员[2]：「x9」不是本检查对象的检查组成员');
    // a documents-only check has no on-site minimum
    expect(issues({ ...good, methods: ['书面检查'], present: ['i1'] })).toEqual([]);
  });

  it('refuses a present inspector whose certificate had expired on the check date, naming him and the date', () => {
    const certificates = new Map([
      ['i1', { name: '张建国', expiry: '2026-04-07' }],
      ['i2', { name: '李芳', expiry: '2026-04-08' }], // valid through its expiry date
      ['i3', { name: '王强', expiry: '2025-12-31' }], // expired, but not present
    ]);
    const withCerts = { ...ctx, certificates };
    expect(() => validateResult(good, withCerts)).toThrow('检查人员「张建国」的执法证已于 2026-04-07 到期，不能作为 2026-04-08 的到场检查人员');
    try {
      validateResult(good, withCerts);
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => [i.field, i.path])).toEqual([['到场检查人员[1]', ['present', 0]]]);
    }
    expect(validateResult({ ...good, checkDate: '2026-04-07' }, withCerts).present).toEqual(['i1', 'i2']);
    expect(validateResult({ ...good, present: ['i2', 'i1'], checkDate: '2026-04-06' }, withCerts).checkDate).toBe('2026-04-06');
  });

  it('needs an outcome for every task item', () => {
    expect(issues({ ...good, itemOutcomes: [{ itemId: 'item-a', outcome: 'pass' }] })).toEqual(['检查事项结论：缺少检查事项「item-b」的结论']);
  });

  it('needs a signature or the refusal with its reason', () => {
    expect(issues({ ...good, signature: { signed: false } })[0]).toMatch(/^被检查对象签字/);
    expect(issues({ ...good, signature: { signed: false, refusalReason: '法定代表人不在场且拒绝签字' } })).toEqual([]);
  });

  it('rejects methods the department does not use', () => {
    expect(issues({ ...good, methods: ['网络监测', '实地核查'] })).toEqual(['检查方式[1]：本部门不使用检查方式「网络监测」']);
  });
});
