/**
 * 抽查计划公告: the public announcement of a published annual plan, as JSON (`announcement`)
 * and as a printable Chinese HTML page (`renderPlanPage`). Every field of the wuhai-housing-2019
 * plan form (抽查计划表) appears per task, the annual plan table (年度抽查工作计划) lists all
 * tasks, and the adjustment history shows every published version with its reason and approval.
 * Pure: the caller loads the plan, department, items and versions. Every value is escaped.
 */
import { html, page, raw, type Safe } from './html.js';
import {
  JOINT_KIND_NAMES,
  jointKind,
  participatingDepartments,
  participatingSections,
  type JointKind,
  type ExpectedSummary,
} from '../domain/plan.js';
import { formatBp, type Department, type InspectionItem, type PlanTask, type PlanVersion, type RiskClass } from '../domain/schemas.js';
import { chinaDate } from '../domain/calendar.js';
import { keyStratumDrawn } from '../domain/sampling.js';
import type { PolicyProfile } from '../domain/profiles.js';

const RISK: readonly RiskClass[] = ['A', 'B', 'C', 'D'];
const KIND_NAMES: Record<string, string> = { enterprise: '企业', individual: '个体工商户', 'non-market': '非市场主体' };

export interface AnnouncedItem {
  id: string;
  name: string;
  department: string;
  legalBasis: string;
  content: string;
  methods: string[];
}

export interface AnnouncedTask {
  seq: number;
  taskId: string;
  /** 抽查任务名称 */
  name: string;
  /** 牵头科室 */
  leadSection: string;
  /** 本系统联合检查科室 (the lead section not repeated) */
  jointSections: string[];
  /** 跨部门联合检查部门 (the initiating department not repeated) */
  jointDepartments: { id: string; name: string }[];
  /** 抽查类型 */
  jointKind: JointKind;
  jointKindName: string;
  /** 抽查类别 */
  category: string;
  /** 抽查事项: 一般检查事项 / 重点检查事项 */
  items: { general: AnnouncedItem[]; key: AnnouncedItem[] };
  /** 抽查对象 */
  scope: PlanTask['scope'] & { description: string };
  /** 抽查依据 */
  legalBasis: string;
  /** 抽查时间 */
  window: { start: string; end: string };
  /** 抽取日期 */
  drawDate: string;
  /** 市场主体抽查比例 */
  ratios: { A: number; B: number; C: number; D: number; key: number; description: string };
  /** 检查人员范围 */
  inspectorScope: PlanTask['inspectorScope'] & { departmentNames: string[]; teamSize?: number; description: string };
  /** Expected draw at publication (from the pool at that time). */
  expected?: { total: number; strata: ExpectedSummary['strata'] };
  notes?: string;
  /** The plan form (抽查计划表) rows in their order, as text. */
  form: { label: string; value: string }[];
}

export interface AnnouncedVersion {
  version: number;
  status: PlanVersion['status'];
  publishedAt?: string;
  reason?: string;
  approvedBy?: string;
  approvedAt?: string;
}

export interface PlanAnnouncement {
  kind: 'plan-announcement';
  plan: {
    planId: string;
    title: string;
    year: number;
    version: number;
    status: PlanVersion['status'];
    department: { id: string; name: string };
    publishedAt?: string;
    approvedBy?: string;
    approvedAt?: string;
    reason?: string;
  };
  tasks: AnnouncedTask[];
  /** Published versions, oldest first (drafts and pending adjustments are not public). */
  history: AnnouncedVersion[];
}

export interface AnnouncementOptions {
  /** All departments, for the names of joint departments. */
  departments?: readonly Department[];
  /** The department's profile: team size and jurisdiction matching in the inspector scope text. */
  profile?: PolicyProfile;
}

type VersionLike = PlanVersion & { expected?: Record<string, ExpectedSummary> };

const join = (xs: readonly string[], empty = '无'): string => (xs.length ? xs.join('、') : empty);

function ratioDescription(t: PlanTask, expected?: ExpectedSummary): string {
  const classes = t.scope.riskClasses;
  const values = classes.map((c) => t.ratiosBp[c]);
  const same = values.length > 0 && values.every((v) => v === values[0]);
  const parts: string[] = [];
  if (same) parts.push(`${classes.map((c) => `${c}`).join('、')}类均为 ${formatBp(values[0]!)}`);
  else parts.push(classes.map((c) => `${c}类 ${formatBp(t.ratiosBp[c])}`).join('，'));
  const skipped = RISK.filter((c) => !classes.includes(c));
  if (skipped.length) parts.push(`${skipped.join('、')}类不抽取`);
  parts.push(
    keyStratumDrawn(t.keyRatioBp)
      ? '重点企业 100%'
      : t.keyRatioBp > 0
        ? `重点企业 ${formatBp(t.keyRatioBp)}（按所属信用风险分类比例抽取）`
        : '重点企业按所属信用风险分类比例抽取',
  );
  if (expected) parts.push(`预计抽取约 ${expected.total} 户`);
  return parts.join('；');
}

function scopeDescription(t: PlanTask, deptName: string): string {
  const s = t.scope;
  const parts = [
    `辖区：${join(s.jurisdictions, '全部辖区')}`,
    `行业：${join(s.industries, '全部行业')}`,
    `主体类型：${join(s.kinds.map((k) => KIND_NAMES[k] ?? k), '全部')}`,
    `信用风险分类：${join(s.riskClasses.map((c) => `${c}类`), '不限')}`,
  ];
  if (s.tags.length) parts.push(`标签：${s.tags.join('、')}`);
  return `${deptName}检查对象名录库中在营的检查对象（${parts.join('；')}）`;
}

/** The announcement JSON of one plan version. */
export function announcement(
  version: VersionLike,
  department: Department,
  items: readonly InspectionItem[],
  history: readonly PlanVersion[],
  opts: AnnouncementOptions = {},
): PlanAnnouncement {
  const itemById = new Map(items.map((i) => [i.id, i]));
  const deptName = (id: string) => (id === department.id ? department.name : (opts.departments?.find((d) => d.id === id)?.name ?? id));
  const ref = (id: string): AnnouncedItem => {
    const it = itemById.get(id);
    return it
      ? { id, name: it.name, department: deptName(it.department), legalBasis: it.legalBasis, content: it.content, methods: [...it.methods] }
      : { id, name: id, department: '', legalBasis: '', content: '', methods: [] };
  };
  const profile = opts.profile;
  const tasks = version.tasks.map((t, i): AnnouncedTask => {
    const exp = version.expected?.[t.taskId];
    const kind = jointKind(t, version.department);
    const jointDepartments = participatingDepartments(t, version.department)
      .filter((d) => d !== version.department)
      .map((id) => ({ id, name: deptName(id) }));
    const jointSections = participatingSections(t).filter((s) => s !== t.leadSection);
    const teamSize = exp?.teamSize ?? profile?.minInspectorsPerTarget;
    const scopeDepts = t.inspectorScope.departments.map(deptName);
    const inspectorDescription = [
      `${scopeDepts.join('、')}${t.inspectorScope.sections.length ? ` ${t.inspectorScope.sections.join('、')}` : ''}执法检查人员名录库中的在岗执法检查人员`,
      t.inspectorScope.specialties.length ? `须具备专业：${t.inspectorScope.specialties.join('、')}` : '',
      teamSize ? `每户不少于 ${teamSize} 人` : '',
      kind !== 'none' ? `每个检查组包含每个参与${kind === 'internal' ? '科室' : '部门'}的人员` : '',
      profile?.matchWithinJurisdiction ? '限检查对象所在辖区随机匹配' : '',
      '执法证在抽查时间内有效',
    ]
      .filter(Boolean)
      .join('；');
    const general = t.items.general.map(ref);
    const key = t.items.key.map(ref);
    const ratios = { ...t.ratiosBp, key: t.keyRatioBp, description: ratioDescription(t, exp) };
    const scope = { ...t.scope, description: scopeDescription(t, department.name) };
    const itemText = [
      `${general.length ? '☑' : '☐'} 一般检查事项${general.length ? `：${general.map((x) => x.name).join('、')}` : ''}`,
      `${key.length ? '☑' : '☐'} 重点检查事项${key.length ? `：${key.map((x) => x.name).join('、')}` : ''}`,
    ].join('\n');
    return {
      seq: i + 1,
      taskId: t.taskId,
      name: t.name,
      leadSection: t.leadSection,
      jointSections,
      jointDepartments,
      jointKind: kind,
      jointKindName: JOINT_KIND_NAMES[kind],
      category: t.category,
      items: { general, key },
      scope,
      legalBasis: t.legalBasis,
      window: { ...t.window },
      drawDate: t.drawDate,
      ratios,
      inspectorScope: { ...t.inspectorScope, departmentNames: scopeDepts, ...(teamSize ? { teamSize } : {}), description: inspectorDescription },
      ...(exp ? { expected: { total: exp.total, strata: exp.strata } } : {}),
      ...(t.notes ? { notes: t.notes } : {}),
      form: [
        { label: '牵头科室', value: `${department.name} ${t.leadSection}` },
        { label: '本系统联合检查科室', value: join(jointSections) },
        { label: '跨部门联合检查部门', value: join(jointDepartments.map((d) => d.name)) },
        { label: '抽查任务名称', value: t.name },
        { label: '抽查类别', value: `${t.category}（${JOINT_KIND_NAMES[kind]}）` },
        { label: '抽查事项', value: itemText },
        { label: '抽查对象', value: scope.description },
        { label: '抽查依据', value: t.legalBasis },
        { label: '抽查时间', value: `${t.window.start} 至 ${t.window.end}` },
        { label: '抽取日期', value: t.drawDate },
        { label: '市场主体抽查比例', value: ratios.description },
        { label: '检查人员范围', value: inspectorDescription },
      ],
    };
  });
  const published = history
    .filter((v) => v.publishedAt)
    .sort((a, b) => a.version - b.version)
    .map(
      (v): AnnouncedVersion => ({
        version: v.version,
        status: v.status,
        ...(v.publishedAt ? { publishedAt: v.publishedAt } : {}),
        ...(v.reason ? { reason: v.reason } : {}),
        ...(v.approvedBy ? { approvedBy: v.approvedBy } : {}),
        ...(v.approvedAt ? { approvedAt: v.approvedAt } : {}),
      }),
    );
  return {
    kind: 'plan-announcement',
    plan: {
      planId: version.planId,
      title: version.title,
      year: version.year,
      version: version.version,
      status: version.status,
      department: { id: department.id, name: department.name },
      ...(version.publishedAt ? { publishedAt: version.publishedAt } : {}),
      ...(version.approvedBy ? { approvedBy: version.approvedBy } : {}),
      ...(version.approvedAt ? { approvedAt: version.approvedAt } : {}),
      ...(version.reason ? { reason: version.reason } : {}),
    },
    tasks,
    history: published,
  };
}

// ---------------------------------------------------------------- HTML

/** "2026-02-10T08:00:00.000Z" → "2026-02-10" in China time. */
function day(iso: string | undefined): string {
  if (!iso) return '—';
  return Number.isNaN(Date.parse(iso)) ? iso : chinaDate(iso);
}

const lines = (s: string): Safe => html`${s.split('\n').map((l, i) => html`${i ? raw('<br>') : ''}${l}`)}`;

const PAGE_CSS = raw(`<style>
.plan-form th{width:9em}.annual td,.annual th{font-size:13px}.task{page-break-inside:avoid;margin-top:22px}
.badge{display:inline-block;border:1px solid #b4232a;color:#b4232a;border-radius:3px;padding:0 6px;font-size:12px;margin-left:6px}
.sign{display:flex;gap:48px;margin-top:8px;font-size:14px}@media print{.task{page-break-before:auto}a{color:inherit;text-decoration:none}}
</style>`);

export function renderPlanPage(a: PlanAnnouncement): string {
  const p = a.plan;
  const current = p.status === 'published';
  const annual = html`<table class="annual">
    <tr><th>序号</th><th>抽查计划名称</th><th>抽查事项</th><th>抽查类型</th><th>抽查对象范围</th><th>抽取日期</th><th>抽查对象数量或比例</th><th>备注</th></tr>
    ${a.tasks.map(
      (t) => html`<tr>
        <td>${t.seq}</td>
        <td>${t.name}</td>
        <td>${[...t.items.general, ...t.items.key].map((x) => x.name).join('、')}</td>
        <td>${t.jointKindName}${t.jointDepartments.length ? `（${t.jointDepartments.map((d) => d.name).join('、')}）` : ''}${t.jointSections.length ? `（${[t.leadSection, ...t.jointSections].join('、')}）` : ''}</td>
        <td>${t.scope.description}</td>
        <td>${t.drawDate}</td>
        <td>${t.ratios.description}</td>
        <td>${[`抽查时间 ${t.window.start} 至 ${t.window.end}`, t.notes ?? ''].filter(Boolean).join('；')}</td>
      </tr>`,
    )}
  </table>`;
  const forms = a.tasks.map(
    (t) => html`<section class="task" id="task-${t.taskId}">
      <h3>${t.seq}. ${t.name}<span class="badge">${t.jointKindName}</span></h3>
      <table class="plan-form">
        ${t.form.map((r) => html`<tr><th>${r.label}</th><td>${lines(r.value)}</td></tr>`)}
        <tr><th>任务编号</th><td><a href="/public/tasks/${encodeURIComponent(t.taskId)}">${t.taskId}</a></td></tr>
      </table>
      ${t.items.general.length + t.items.key.length
        ? html`<table><tr><th>抽查事项</th><th>类别</th><th>抽查主体</th><th>抽查依据</th><th>抽查内容</th><th>检查方式</th></tr>
          ${[...t.items.general.map((x) => [x, '一般'] as const), ...t.items.key.map((x) => [x, '重点'] as const)].map(
            ([x, c]) => html`<tr><td>${x.name}</td><td>${c}</td><td>${x.department}</td><td>${x.legalBasis}</td><td>${x.content}</td><td>${x.methods.join('、')}</td></tr>`,
          )}</table>`
        : ''}
    </section>`,
  );
  const history = html`<table>
    <tr><th>版本</th><th>公示日期</th><th>调整理由</th><th>审批人</th><th>审批日期</th><th>状态</th></tr>
    ${a.history.map(
      (h) => html`<tr>
        <td>第 ${h.version} 版</td>
        <td>${day(h.publishedAt)}</td>
        <td>${h.reason ?? (h.version === 1 ? '年度计划首次公示' : '—')}</td>
        <td>${h.approvedBy ?? '—'}</td>
        <td>${day(h.approvedAt)}</td>
        <td>${h.status === 'published' ? '现行' : h.status === 'superseded' ? '已被调整' : h.status}</td>
      </tr>`,
    )}
  </table>`;
  const body = html`${PAGE_CSS}
    <table>
      <tr><th>发布部门</th><td>${p.department.name}</td></tr>
      <tr><th>计划年度</th><td>${p.year} 年</td></tr>
      <tr><th>版本</th><td>第 ${p.version} 版${current ? '（现行）' : p.status === 'superseded' ? '（已被调整，非现行版本）' : ''}</td></tr>
      <tr><th>公示日期</th><td>${day(p.publishedAt)}</td></tr>
      <tr><th>审批</th><td>${p.approvedBy ?? '—'}${p.approvedAt ? `，${day(p.approvedAt)}` : ''}</td></tr>
      ${p.reason ? html`<tr><th>调整理由</th><td>${p.reason}</td></tr>` : ''}
      <tr><th>抽查任务</th><td>${a.tasks.length} 项</td></tr>
    </table>
    <h2>${p.year}年度“双随机、一公开”抽查工作计划</h2>
    ${annual}
    <h2>抽查计划表</h2>
    ${forms}
    <h2>计划调整记录</h2>
    ${a.history.length ? history : html`<p class="muted">暂无公示记录。</p>`}
    <p class="muted">本计划按照“双随机、一公开”要求向社会公开；计划调整须经审批并重新公示。抽查结果将在检查完成后依法公示。</p>
    <p><a href="/public/plans/${encodeURIComponent(p.planId)}.json">JSON</a></p>`;
  return page(p.title, body, { subtitle: `${p.department.name} · 抽查计划公告` });
}
