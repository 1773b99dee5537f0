import { describe, expect, it } from 'vitest';
import { renderPlanPage } from '../../shared/pages/plan-page.js';
import { announcement } from '../../shared/usecases/plan-announcement.js';
import { sampleDistrict } from '../../shared/dev/sample/district.js';
import { summarizePool, validatePlan } from '../../shared/domain/plan.js';
import { getPreset } from '../../shared/domain/profiles.js';
import type { PlanVersion } from '../../shared/domain/schemas.js';

const d = sampleDistrict({ targets: 4000 });
const main = d.departments.find((x) => x.id === d.plan.department)!;
const profile = getPreset(main.presetId);
const v = validatePlan(d.plan.body, { department: main, profile, departments: d.departments, items: d.items, inspectors: d.inspectors, pool: summarizePool(d.targets) });

function versions(): (PlanVersion & { expected: typeof v.expected })[] {
  const base = { planId: d.plan.planId, department: main.id, createdBy: 'c@example.gov.cn', expected: v.expected, ...d.plan.body };
  return [
    { ...base, version: 1, status: 'superseded', createdAt: '2026-01-20T02:00:00Z', approvedBy: '赵局长', approvedAt: '2026-01-21T02:00:00Z', publishedAt: '2026-01-22T02:00:00Z' },
    {
      ...base,
      version: 2,
      status: 'published',
      reason: '第二次抽查时间调整为 4 月 20 日开始 <因汛期>',
      createdAt: '2026-03-01T02:00:00Z',
      approvedBy: '钱局长',
      approvedAt: '2026-03-02T02:00:00Z',
      publishedAt: '2026-03-03T17:00:00Z',
    },
    // a pending adjustment is not public
    { ...base, version: 3, status: 'pending-approval', reason: '尚未审批的调整', createdAt: '2026-04-01T02:00:00Z' },
  ];
}

describe('plan announcement (抽查计划公告)', () => {
  it('the sample plan validates (precondition of the page tests)', () => {
    expect(v.issues).toEqual([]);
  });

  it('carries every field of the wuhai plan form for every task, in order', () => {
    const all = versions();
    const a = announcement(all[1]!, main, d.items, all, { departments: d.departments, profile });
    expect(a.plan).toMatchObject({ planId: 'fp-zjj-2026', version: 2, year: 2026, department: { id: 'fp-zjj', name: '阜平县住房和城乡建设局' } });
    expect(a.tasks).toHaveLength(6);
    for (const t of a.tasks) {
      expect(t.form.map((r) => r.label)).toEqual([
        '牵头科室',
        '本系统联合检查科室',
        '跨部门联合检查部门',
        '抽查任务名称',
        '抽查类别',
        '抽查事项',
        '抽查对象',
        '抽查依据',
        '抽查时间',
        '抽取日期',
        '市场主体抽查比例',
        '检查人员范围',
      ]);
      expect(t.form.every((r) => r.value.length > 0)).toBe(true);
    }
    const [r1, r2, r3, , , joint] = a.tasks;
    expect(r1!.jointKindName).toBe('本部门抽查');
    expect(r1!.ratios.description).toContain('A、B、C、D类均为 3%');
    expect(r1!.ratios.description).toContain('重点企业 100%');
    expect(r1!.ratios.description).toContain(`预计抽取约 ${v.expected['fp-zjj-2026-01']!.total} 户`);
    expect(r2!.ratios.description).toContain('重点企业 2%（按所属信用风险分类比例抽取）');
    expect(r3!.jointKindName).toBe('部门内部联合抽查');
    expect(r3!.jointSections).toEqual(['建筑市场管理股']);
    expect(r3!.form[1]!.value).toBe('建筑市场管理股');
    expect(joint!.jointKind).toBe('cross-department');
    expect(joint!.jointDepartments.map((x) => x.name)).toEqual(['阜平县市场监督管理局', '阜平县应急管理局']);
    expect(joint!.items.key.map((x) => x.department)).toEqual(['阜平县市场监督管理局', '阜平县应急管理局']);
    expect(joint!.form[5]!.value).toBe('☑ 一般检查事项：燃气经营企业经营行为检查\n☑ 重点检查事项：气瓶充装单位特种设备安全检查、燃气经营企业安全生产主体责任落实情况检查');
    expect(joint!.inspectorScope.description).toContain('每户不少于 3 人');
    expect(joint!.inspectorScope.description).toContain('限检查对象所在辖区随机匹配');
    // history: published versions only, oldest first
    expect(a.history.map((h) => [h.version, h.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('renders a printable page with the annual table and the adjustment history, escaping every value', () => {
    const all = versions();
    const hostile = { ...all[1]!, title: '计划 "A&B" <b>', tasks: all[1]!.tasks.map((t, i) => (i === 0 ? { ...t, name: '<script>alert(1)</script>抽查' } : t)) };
    const html = renderPlanPage(announcement(hostile, main, d.items, all, { departments: d.departments, profile }));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;抽查');
    expect(html).toContain('计划 &quot;A&amp;B&quot; &lt;b&gt;');
    for (const h of ['序号', '抽查计划名称', '抽查事项', '抽查类型', '抽查对象范围', '抽取日期', '抽查对象数量或比例', '备注']) expect(html).toContain(`<th>${h}</th>`);
    expect(html).toContain('计划调整记录');
    expect(html).toContain('第二次抽查时间调整为 4 月 20 日开始 &lt;因汛期&gt;');
    expect(html).toContain('钱局长');
    expect(html).toContain('年度计划首次公示');
    // published 2026-03-03T17:00Z is 2026-03-04 in China
    expect(html).toContain('2026-03-04');
    expect(html).not.toContain('尚未审批的调整');
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
  });
});
