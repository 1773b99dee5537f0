import { describe, expect, it } from 'vitest';
import { summarizePool, validatePlan, type PlanContext, type PoolCell } from '../../shared/domain/plan.js';
import { drawCount, requiredKeyRatio } from '../../shared/domain/sampling.js';
import { getPreset } from '../../shared/domain/profiles.js';
import type { Department, InspectionItem, Inspector, PlanTask } from '../../shared/domain/schemas.js';

// ---------------------------------------------------------------- a tiny district

const dept = (id: string, name: string, sections: string[]): Department => ({
  id,
  name,
  presetId: 'wuhai-housing-2019',
  sections,
  coordinators: [],
  leaders: [{ name: '领导', email: `${id}.leader@example.gov.cn` }],
  sectionHeads: [],
  liaison: { name: '联络员', email: `${id}.liaison@example.gov.cn` },
});
const D1 = dept('d1', '甲县住房和城乡建设局', ['办公室', '市场股', '安全站']);
const D2 = dept('d2', '甲县市场监督管理局', ['特设股']);
const D3 = dept('d3', '甲县应急管理局', ['执法队']);

const item = (id: string, department: string, section: string, category: 'general' | 'key', specialties: string[]): InspectionItem => ({
  id,
  department,
  section,
  name: `事项${id}`,
  legalBasis: '《建筑法》',
  subjectDepartment: department,
  content: '内容',
  methods: ['实地核查'],
  category,
  itemCategory: '类别',
  specialties,
});
const ITEMS = [
  item('m1', 'd1', '市场股', 'general', ['建筑市场']),
  item('s1', 'd1', '安全站', 'key', ['施工安全']),
  item('t1', 'd2', '特设股', 'key', ['特种设备']),
  item('e1', 'd3', '执法队', 'general', ['安全生产']),
];

let n = 0;
const insp = (department: string, section: string, jurisdictions: string[], specialties: string[], extra: Partial<Inspector> = {}): Inspector => ({
  id: `i${++n}`,
  department,
  section,
  name: `检查员${n}`,
  jurisdictions,
  specialties,
  certificateNo: `C${n}`,
  certificateExpiry: '2027-12-31',
  email: `i${n}@example.gov.cn`,
  active: true,
  conflicts: [],
  tags: [],
  mailStatus: 'ok',
  ...extra,
});
function inspectors(): Inspector[] {
  n = 0;
  return [
    insp('d1', '市场股', ['东镇', '西乡'], ['建筑市场']),
    insp('d1', '市场股', ['东镇', '西乡'], ['建筑市场']),
    insp('d1', '市场股', ['东镇'], ['建筑市场']),
    insp('d1', '安全站', ['东镇', '西乡'], ['施工安全']),
    insp('d1', '安全站', ['东镇', '西乡'], ['施工安全']),
    insp('d2', '特设股', ['东镇', '西乡'], ['特种设备']),
    insp('d3', '执法队', ['东镇', '西乡'], ['安全生产']),
  ];
}

const cell = (jurisdiction: string, industry: string, riskClass: 'A' | 'B' | 'C' | 'D', count: number, isKey = false, tags: string[] = []): PoolCell => ({
  jurisdiction,
  industry,
  kind: 'enterprise',
  riskClass,
  isKey,
  tags,
  count,
});
const POOL: PoolCell[] = [
  cell('东镇', '建筑施工', 'A', 100),
  cell('东镇', '建筑施工', 'B', 50),
  cell('东镇', '建筑施工', 'D', 3, true),
  cell('西乡', '建筑施工', 'A', 40),
  cell('西乡', '建筑施工', 'C', 7, true),
  cell('西乡', '房屋中介', 'A', 30, false, ['投诉举报']),
];

function ctx(over: Partial<PlanContext> = {}): PlanContext {
  return {
    department: D1,
    profile: getPreset('wuhai-housing-2019'),
    departments: [D1, D2, D3],
    items: ITEMS,
    inspectors: inspectors(),
    pool: POOL,
    ...over,
  };
}

function task(over: Partial<PlanTask> = {}): PlanTask {
  return {
    taskId: 't-1',
    name: '建筑市场随机抽查',
    leadSection: '市场股',
    jointSections: [],
    jointDepartments: [],
    category: '不定向抽查',
    items: { general: ['m1'], key: [] },
    scope: { jurisdictions: [], industries: ['建筑施工'], tags: [], kinds: [], riskClasses: ['A', 'B', 'C', 'D'] },
    legalBasis: '《建筑法》',
    window: { start: '2026-03-02', end: '2026-05-29' },
    drawDate: '2026-03-04',
    ratiosBp: { A: 300, B: 300, C: 300, D: 300 },
    keyRatioBp: 10_000,
    inspectorScope: { departments: ['d1'], sections: ['市场股'], specialties: [] },
    creditRiskBased: false,
    ...over,
  };
}

const plan = (...tasks: PlanTask[]) => ({ title: '2026年度抽查工作计划', year: 2026, tasks });
const messages = (r: ReturnType<typeof validatePlan>) => r.issues.map((i) => `${i.field}：${i.message}`);

// ---------------------------------------------------------------- tests

describe('validatePlan', () => {
  it('accepts a sound plan and computes the expected draw per stratum and jurisdiction', () => {
    const r = validatePlan(plan(task()), ctx());
    expect(messages(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const e = r.expected['t-1']!;
    // key at 100 %: 3 + 7 = 10; A: 140 × 3 % = 4.2 → 5; B: 50 × 3 % = 1.5 → 2
    expect(e.strata.key).toEqual({ pool: 10, drawn: 10, ratioBp: 10_000 });
    expect(e.strata.A).toEqual({ pool: 140, drawn: 5, ratioBp: 300 });
    expect(e.strata.B).toEqual({ pool: 50, drawn: 2, ratioBp: 300 });
    expect(e.total).toBe(17);
    // per jurisdiction, ceilings per stratum: 东镇 3 + 3 + 2 = 8; 西乡 7 + 2 = 9
    expect(e.jurisdictions.map((j) => [j.jurisdiction, j.pool, j.drawn, j.seats, j.eligible])).toEqual([
      ['东镇', 153, 8, 16, 3],
      ['西乡', 47, 9, 18, 2],
    ]);
    expect(e.teamSize).toBe(2);
  });

  it('draws key enterprises with their risk class unless the key ratio is 100 %', () => {
    const r = validatePlan(plan(task({ keyRatioBp: 0 })), ctx());
    expect(r.ok).toBe(true);
    const e = r.expected['t-1']!;
    expect(e.strata.key.pool).toBe(0);
    expect(e.strata.C).toEqual({ pool: 7, drawn: 1, ratioBp: 300 });
    expect(e.strata.D).toEqual({ pool: 3, drawn: 1, ratioBp: 300 });
  });

  it('reports schema problems with Chinese field names, ratios in percent', () => {
    const r = validatePlan({ ...plan(task({ ratiosBp: { A: 12_000, B: 300, C: 300, D: 300 } })), title: '' }, ctx());
    expect(r.ok).toBe(false);
    expect(messages(r)).toContain('抽查任务[1]·市场主体抽查比例·A：应在 0% 到 100% 之间（以万分比填写，300 即 3%，10000 即 100%）');
    expect(r.issues.some((i) => i.field === '计划名称')).toBe(true);
  });

  it('requires unique task ids', () => {
    const r = validatePlan(plan(task(), task({ name: '另一个' })), ctx());
    expect(messages(r)).toContain('抽查任务[2]·任务编号：任务编号「t-1」与抽查任务[1]重复');
  });

  it('requires items that exist, belong to a participating department and match their category', () => {
    const r = validatePlan(plan(task({ items: { general: ['nope', 't1', 's1'], key: ['m1'] } })), ctx());
    expect(messages(r)).toEqual(
      expect.arrayContaining([
        '抽查任务[1]·抽查事项·一般检查事项[1]：抽查事项「nope」不在事项清单中',
        '抽查任务[1]·抽查事项·一般检查事项[2]：抽查事项「t1 事项t1」属于甲县市场监督管理局，不是本任务的参与部门',
        '抽查任务[1]·抽查事项·一般检查事项[3]：抽查事项「s1 事项s1」在事项清单中是重点检查事项，不能列为一般检查事项',
      ]),
    );
    const none = validatePlan(plan(task({ items: { general: [], key: [] } })), ctx());
    expect(messages(none)).toContain('抽查任务[1]·抽查事项：至少选择一项抽查事项');
  });

  it('cross-department joint: at least the profile minimum of departments (3 in wuhai), all existing', () => {
    const two = task({
      jointDepartments: ['d1', 'd2'],
      items: { general: ['m1'], key: ['t1'] },
      inspectorScope: { departments: ['d1', 'd2'], sections: [], specialties: [] },
    });
    const r = validatePlan(plan(two), ctx());
    expect(messages(r)).toContain('抽查任务[1]·跨部门联合检查部门：跨部门联合抽查至少需要 3 个部门参与（含发起部门），当前只有 2 个：甲县住房和城乡建设局、甲县市场监督管理局');
    // The same task passes where the profile asks for 2 (fuping).
    expect(validatePlan(plan(two), ctx({ profile: getPreset('fuping-housing-2021') })).issues.filter((i) => i.path.includes('jointDepartments'))).toEqual([]);

    const three = task({
      jointDepartments: ['d2', 'd3'],
      items: { general: ['m1', 'e1'], key: ['t1'] },
      inspectorScope: { departments: ['d1', 'd2', 'd3'], sections: [], specialties: [] },
      window: { start: '2026-03-02', end: '2026-12-15' },
    });
    const ok = validatePlan(plan(three), ctx());
    expect(messages(ok)).toEqual([]);
    expect(ok.expected['t-1']!.teamSize).toBe(3);

    const unknown = validatePlan(plan({ ...three, jointDepartments: ['d2', 'zz'] }), ctx());
    expect(messages(unknown)).toContain('抽查任务[1]·跨部门联合检查部门[2]：部门「zz」不存在');

    const scopeMissing = validatePlan(plan({ ...three, inspectorScope: { departments: ['d1', 'd2'], sections: [], specialties: [] } }), ctx());
    expect(messages(scopeMissing)).toContain('抽查任务[1]·检查人员范围·部门：跨部门联合抽查的检查人员范围应包含每个参与部门，缺少：甲县应急管理局');
  });

  it('internal joint needs two sections of the department', () => {
    const r = validatePlan(plan(task({ jointSections: ['市场股'] })), ctx());
    expect(messages(r)).toContain('抽查任务[1]·本系统联合检查科室：部门内部联合抽查至少需要 2 个科室参与（含牵头科室），当前只有「市场股」');
    const bad = validatePlan(plan(task({ jointSections: ['财务股'] })), ctx());
    expect(messages(bad)).toContain('抽查任务[1]·本系统联合检查科室[1]：「财务股」不是甲县住房和城乡建设局的科室');
    const lead = validatePlan(plan(task({ leadSection: '不存在股' })), ctx());
    expect(messages(lead)[0]).toBe('抽查任务[1]·牵头科室：「不存在股」不是甲县住房和城乡建设局的科室（本部门科室：办公室、市场股、安全站）');
  });

  it('internal joint: every team needs a member of each section, per jurisdiction', () => {
    const joint = task({
      jointSections: ['安全站'],
      items: { general: ['m1'], key: ['s1'] },
      inspectorScope: { departments: ['d1'], sections: [], specialties: [] },
    });
    expect(messages(validatePlan(plan(joint), ctx()))).toEqual([]);
    // Without the safety station's inspectors in 西乡, teams there cannot be formed.
    const few = inspectors().map((i) => (i.section === '安全站' ? { ...i, jurisdictions: ['东镇'] } : i));
    const r = validatePlan(plan(joint), ctx({ inspectors: few }));
    expect(messages(r)).toContain('抽查任务[1]·检查人员范围：辖区「西乡」预计抽取 9 户，每个检查组须有「安全站」的检查人员，但符合条件的一名也没有');
  });

  it('draw date inside the window, on a working day; window inside the plan year', () => {
    expect(messages(validatePlan(plan(task({ drawDate: '2026-06-01' })), ctx()))).toContain(
      '抽查任务[1]·抽取日期：抽取日期 2026-06-01 不在抽查时间 2026-03-02 至 2026-05-29 内',
    );
    expect(messages(validatePlan(plan(task({ drawDate: '2026-02-27' })), ctx()))).toContain(
      '抽查任务[1]·抽取日期：抽取日期 2026-02-27 不在抽查时间 2026-03-02 至 2026-05-29 内',
    );
    expect(messages(validatePlan(plan(task({ window: { start: '2026-09-01', end: '2026-11-30' }, drawDate: '2026-10-01' })), ctx()))).toContain(
      '抽查任务[1]·抽取日期：抽取日期 2026-10-01 是法定节假日（国庆节），不是工作日',
    );
    expect(messages(validatePlan(plan(task({ drawDate: '2026-03-07' })), ctx()))).toContain('抽查任务[1]·抽取日期：抽取日期 2026-03-07 是周末，不是工作日');
    expect(messages(validatePlan(plan(task({ window: { start: '2026-11-02', end: '2027-01-29' }, drawDate: '2026-11-04' })), ctx()))).toContain(
      '抽查任务[1]·抽查时间：抽查时间 2026-11-02 至 2027-01-29 应在计划年度 2026 年内',
    );
    expect(messages(validatePlan(plan(task({ window: { start: '2026-05-29', end: '2026-03-02' } })), ctx()))).toContain(
      '抽查任务[1]·抽查时间·结束日期：结束日期 2026-03-02 早于开始日期 2026-05-29',
    );
  });

  it('key ratio: at least what the profile sets for the window, and only ratios the draw honours', () => {
    const fuping = ctx({ profile: getPreset('fuping-housing-2021') });
    const early = task({ window: { start: '2026-01-05', end: '2026-04-15' }, drawDate: '2026-01-12', keyRatioBp: 200 });
    expect(messages(validatePlan(plan(early), fuping))).toContain(
      '抽查任务[1]·重点企业抽查比例：按本部门配置（重点企业分时段抽查比例），1–4 月重点企业抽查比例应不低于 100%，本任务为 2%',
    );
    const spring = task({ window: { start: '2026-04-16', end: '2026-06-15' }, drawDate: '2026-04-20', keyRatioBp: 200 });
    expect(messages(validatePlan(plan(spring), fuping))).toEqual([]);
    expect(requiredKeyRatio(getPreset('fuping-housing-2021'), spring.window)).toEqual({ ratioBp: 200, fromMonth: 4, toMonth: 6 });
    const half = validatePlan(plan(task({ keyRatioBp: 5000 })), ctx());
    expect(messages(half)).toContain(
      '抽查任务[1]·重点企业抽查比例：重点企业抽查比例 50% 未达 100% 时，重点企业按其信用风险分类的比例抽取，无法保证 50%（A类 3%、B类 3%、C类 3%、D类 3%）；请改为 100%，或不高于各类比例',
    );
  });

  it('reports a scope that draws nothing and filter values the pool does not have', () => {
    const zero = validatePlan(plan(task({ ratiosBp: { A: 0, B: 0, C: 0, D: 0 }, keyRatioBp: 0 })), ctx());
    expect(messages(zero)).toContain('抽查任务[1]·市场主体抽查比例：所选信用风险分类的抽查比例均为 0%，本任务不会抽取任何检查对象');
    const typo = validatePlan(plan(task({ scope: { jurisdictions: ['东'], industries: ['建筑施工'], tags: ['不存在'], kinds: [], riskClasses: ['A'] } })), ctx());
    expect(messages(typo)).toEqual(
      expect.arrayContaining([
        '抽查任务[1]·抽查对象范围·辖区[1]：检查对象名录库中没有辖区「东」的检查对象',
        '抽查任务[1]·抽查对象范围·标签[1]：检查对象名录库中没有带标签「不存在」的检查对象',
        '抽查任务[1]·抽查对象范围：抽查对象范围内没有可抽取的检查对象（名录库中没有符合条件的在营检查对象）',
      ]),
    );
  });

  it('inspector scope: only participating departments and their sections', () => {
    const r = validatePlan(plan(task({ inspectorScope: { departments: ['d1', 'd2'], sections: ['市场股', '财务股'], specialties: [] } })), ctx());
    expect(messages(r)).toEqual(
      expect.arrayContaining([
        '抽查任务[1]·检查人员范围·部门[2]：甲县市场监督管理局不是本任务的参与部门',
        '抽查任务[1]·检查人员范围·科室[2]：科室「财务股」不属于检查人员范围中的部门',
      ]),
    );
  });

  it('staffing: says exactly which jurisdiction is short, by how many, and why others do not count', () => {
    const list = inspectors();
    // Only one market inspector with a valid certificate covers 西乡 through the window end.
    list[1] = { ...list[1]!, certificateExpiry: '2026-04-30' };
    const r = validatePlan(plan(task()), ctx({ inspectors: list }));
    expect(messages(r)).toEqual([
      '抽查任务[1]·检查人员范围：辖区「西乡」预计抽取 9 户，每户须 2 名检查人员，符合条件的检查人员只有 1 名，还差 1 名（另有 1 名执法证在 2026-05-29 前到期）',
    ]);
    const noSpecialty = inspectors().map((i, k) => (k === 1 ? { ...i, specialties: ['房地产市场'] } : i));
    expect(messages(validatePlan(plan(task()), ctx({ inspectors: noSpecialty })))[0]).toContain('（另有 1 名缺少专业「建筑市场」）');
    const inactive = inspectors().map((i, k) => (k === 1 ? { ...i, active: false } : i));
    expect(messages(validatePlan(plan(task()), ctx({ inspectors: inactive })))[0]).toContain('（另有 1 名不在岗）');
  });

  it('staffing: workload over the window, per jurisdiction and for the whole task', () => {
    // 东镇: 2,000 A-class targets at 3 % = 60 targets, 120 seats; a 10-working-day window.
    const big = [cell('东镇', '建筑施工', 'A', 2000)];
    const t = task({ window: { start: '2026-03-02', end: '2026-03-13' }, drawDate: '2026-03-04' });
    const r = validatePlan(plan(t), ctx({ pool: big }));
    expect(messages(r)).toEqual([
      '抽查任务[1]·检查人员范围：辖区「东镇」预计抽取 60 户，每户须 2 名检查人员，共 120 人次；按每名检查人员每个工作日最多 1 户、抽查时间内 10 个工作日计，至少需要 12 名符合条件的检查人员，现有 3 名，还差 9 名',
      '抽查任务[1]·检查人员范围：本任务预计抽取 60 户、共 120 人次；按每名检查人员每个工作日最多 1 户、抽查时间内 10 个工作日计，至少需要 12 名符合条件的检查人员，现有 3 名，还差 9 名',
    ]);
    // Four checks a day per inspector would be enough.
    expect(validatePlan(plan(t), ctx({ pool: big, checksPerInspectorPerWorkingDay: 4 })).ok).toBe(true);
  });

  it('without matching within the jurisdiction, staffing is checked over the whole scope', () => {
    const profile = { ...getPreset('wuhai-housing-2019'), matchWithinJurisdiction: false };
    const list = inspectors().map((i) => ({ ...i, jurisdictions: ['东镇'] }));
    expect(validatePlan(plan(task()), ctx({ inspectors: list })).ok).toBe(false);
    expect(validatePlan(plan(task()), ctx({ inspectors: list, profile })).ok).toBe(true);
  });

  it('joint sections and departments cannot be combined', () => {
    const r = validatePlan(
      plan(
        task({
          jointSections: ['安全站'],
          jointDepartments: ['d2', 'd3'],
          items: { general: ['m1', 'e1'], key: ['t1'] },
          inspectorScope: { departments: ['d1', 'd2', 'd3'], sections: [], specialties: [] },
        }),
      ),
      ctx(),
    );
    expect(messages(r)).toContain('抽查任务[1]·本系统联合检查科室：同一抽查任务不能既是部门内部联合又是跨部门联合：跨部门联合抽查请不要填写本系统联合检查科室');
  });
});

describe('pool summary and formulas', () => {
  it('counts active targets per filter combination', () => {
    const cells = summarizePool([
      { jurisdiction: '东镇', industry: '建筑施工', kind: 'enterprise', riskClass: 'A', isKey: false, tags: ['b', 'a'], status: 'active' },
      { jurisdiction: '东镇', industry: '建筑施工', kind: 'enterprise', riskClass: 'A', isKey: false, tags: ['a', 'b'], status: 'active' },
      { jurisdiction: '东镇', industry: '建筑施工', kind: 'enterprise', riskClass: 'A', isKey: false, tags: [], status: 'active' },
      { jurisdiction: '东镇', industry: '建筑施工', kind: 'enterprise', riskClass: 'A', isKey: false, tags: [], status: 'deregistered' },
    ]);
    expect(cells).toHaveLength(2);
    expect(cells.find((c) => c.tags.length === 2)).toMatchObject({ count: 2, tags: ['a', 'b'] });
    expect(cells.find((c) => c.tags.length === 0)).toMatchObject({ count: 1 });
  });

  it('drawCount is the draw formula ceil(N × ratio), at most N', () => {
    expect(drawCount(50, 300)).toBe(2);
    expect(drawCount(100, 300)).toBe(3);
    expect(drawCount(0, 300)).toBe(0);
    expect(drawCount(7, 10_000)).toBe(7);
    expect(drawCount(1, 1)).toBe(1);
  });
});
