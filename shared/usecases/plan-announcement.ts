/**
 * 抽查计划公告: the public announcement of a published annual plan as data — every field of the
 * wuhai-housing-2019 plan form (抽查计划表) per task, the annual plan table (年度抽查工作计划)
 * and the adjustment history of every published version with its reason and approval. The
 * API returns it as JSON and `pages/plan-page.ts` renders it as the printable Chinese page.
 */
import {
  JOINT_KIND_NAMES,
  jointKind,
  participatingDepartments,
  participatingSections,
  type JointKind,
  type ExpectedSummary,
} from '../domain/plan.js';
import { formatBp, TARGET_KIND_LABELS, type Department, type InspectionItem, type PlanTask, type PlanVersion, type RiskClass } from '../domain/schemas.js';
import { keyStratumDrawn } from '../domain/sampling.js';
import type { PolicyProfile } from '../domain/profiles.js';
import { getPlan, listPlans } from '../store/plans.js';
import { getDepartment, listDepartments, listInspectionItems } from '../store/registry.js';
import { getProfile } from '../services/profile.js';

const RISK: readonly RiskClass[] = ['A', 'B', 'C', 'D'];

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
    `主体类型：${join(s.kinds.map((k) => TARGET_KIND_LABELS[k] ?? k), '全部')}`,
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

// ---------------------------------------------------------------- loading

/**
 * The public announcement of a plan: the published version (or an earlier published version,
 * now superseded, when `version` is given) with the history of published versions.
 */
export async function publishedAnnouncement(planId: string, opts: { version?: number } = {}): Promise<PlanAnnouncement | undefined> {
  const plan = await getPlan(planId);
  if (!plan?.meta.publishedVersion) return undefined;
  const v = plan.versions.find((x) => x.version === (opts.version ?? plan.meta.publishedVersion));
  if (!v?.publishedAt) return undefined;
  const departments = await listDepartments();
  const department = departments.find((d) => d.id === plan.meta.department) ?? (await getDepartment(plan.meta.department));
  if (!department) return undefined;
  const involved = new Set<string>([department.id]);
  for (const t of v.tasks) for (const d of [...t.jointDepartments, ...t.inspectorScope.departments]) involved.add(d);
  const items: InspectionItem[] = (await Promise.all([...involved].map((d) => listInspectionItems(d)))).flat();
  let profile;
  try {
    profile = await getProfile(department.id);
  } catch {
    profile = undefined;
  }
  return announcement(v, department as Department, items, plan.versions, { departments, ...(profile ? { profile } : {}) });
}

/** Published plans of a department (for the public index). */
export async function publishedPlansOf(dept: string): Promise<{ planId: string; title: string; year: number; version: number }[]> {
  return (await listPlans(dept))
    .filter((m) => m.publishedVersion !== undefined)
    .map((m) => ({ planId: m.planId, title: m.title, year: m.year, version: m.publishedVersion! }));
}
