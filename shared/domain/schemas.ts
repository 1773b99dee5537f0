/**
 * Zod schemas: the single source of truth for every shape Suiji stores or accepts.
 * Field labels (LABELS) give validation errors their Chinese field names; `describeIssues`
 * turns a ZodError into `{ field, message }` pairs a user can act on.
 */
import { z } from 'zod';
import { validateUscc, normalizeUscc } from './uscc.js';
import { DomainError } from './errors.js';
import { LIMITS, tooLongMessage } from './limits.js';

z.config(z.locales.zhCN());

// ---------------------------------------------------------------- primitives

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const IsoDate = z
  .string()
  .regex(DATE_RE, { message: '日期格式应为 YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    message: '不是有效日期',
  });
export type IsoDate = z.infer<typeof IsoDate>;

export const Uscc = z
  .string()
  .transform((s) => normalizeUscc(s))
  .superRefine((s, ctx) => {
    const r = validateUscc(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
  });

export const Id = z
  .string()
  .min(1, { message: '不能为空' })
  .max(64, { message: '不能超过 64 个字符' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: '只能包含字母、数字、点、下划线和连字符' });

export const Email = z.email({ message: '电子邮箱格式不正确' }).max(254, { message: tooLongMessage(254) }).transform((s) => s.toLowerCase());
/** A required name-like string (≤ LIMITS.name characters). */
export const NonEmpty = z.string().trim().min(1, { message: '不能为空' }).max(LIMITS.name, { message: tooLongMessage(LIMITS.name) });
/** A required free text (legal basis, item content, a reason: ≤ LIMITS.text characters). */
export const LongText = z.string().trim().min(1, { message: '不能为空' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) });
/** An optional string of at most `max` characters (LIMITS). */
export const Short = (max: number = LIMITS.name) => z.string().max(max, { message: tooLongMessage(max) });
/** A list of at most LIMITS.listItems entries. */
export const List = <T extends z.ZodType>(item: T) => z.array(item).max(LIMITS.listItems, { message: `不能超过 ${LIMITS.listItems} 项` });
export const BasisPoints = z.number().int({ message: '应为整数（万分比）' }).min(0).max(10_000);

/** Basis points as a percentage for people: 300 → 3%, 250 → 2.5%, 255 → 2.55%. */
export function formatBp(bp: number): string {
  return `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : bp % 10 === 0 ? 1 : 2)}%`;
}

export const RiskClass = z.enum(['A', 'B', 'C', 'D'], { message: '信用风险分类应为 A、B、C、D 之一' });
export type RiskClass = z.infer<typeof RiskClass>;

/** The check methods (书面检查、实地核查、网络监测、委托专业机构, as wuhai-housing-2019 lists them). */
export const CHECK_METHODS = ['书面检查', '实地核查', '网络监测', '委托专业机构'] as const;
export const CheckMethod = z.enum(CHECK_METHODS, {
  message: `检查方式应为 ${CHECK_METHODS.join('、')} 之一`,
});
export type CheckMethod = z.infer<typeof CheckMethod>;

export const Role = z.enum(['coordinator', 'inspector', 'leader', 'public']);

// ---------------------------------------------------------------- department

export const Person = z.object({
  name: NonEmpty,
  email: Email,
  title: Short().optional(),
  /** 联系电话 (office line) and 手机, e.g. for the report forms' contact footer. */
  phone: Short().trim().min(1).optional(),
  mobile: Short().trim().min(1).optional(),
});

/** Administrative level of a department: the report forms say 市有关部门 / 区 / 县 accordingly. */
export const DepartmentLevel = z.enum(['province', 'city', 'district', 'county'], { message: '行政层级应为 province（省）、city（市）、district（区）、county（县）之一' });
export type DepartmentLevel = z.infer<typeof DepartmentLevel>;

export const Department = z.object({
  id: Id,
  name: NonEmpty,
  /** Absent: the report forms use level-neutral wording (有关部门, 本级) rather than guess. */
  level: DepartmentLevel.optional(),
  /** 办公电话 of the department, when the liaison has no line of his own. */
  phone: Short().trim().min(1).optional(),
  /** Policy preset the department's profile derives from (see profiles.ts). */
  presetId: NonEmpty,
  sections: List(NonEmpty).default([]),
  coordinators: List(Person).default([]),
  leaders: List(Person).min(1, { message: '至少需要一名分管领导' }),
  /** Section heads receive the first escalation of a missed deadline. */
  sectionHeads: List(Person.extend({ section: NonEmpty })).default([]),
  /** 信息联络员: receives monthly/quarterly report reminders. */
  liaison: Person,
});
export type Department = z.infer<typeof Department>;

// ---------------------------------------------------------------- 一单: inspection items

export const InspectionItem = z.object({
  id: Id,
  department: Id,
  section: Short().optional(),
  name: NonEmpty,
  legalBasis: LongText,
  subjectDepartment: NonEmpty,
  content: LongText,
  methods: List(CheckMethod).min(1, { message: '至少一种检查方式' }),
  category: z.enum(['general', 'key'], { message: '事项类别应为 一般检查事项 或 重点检查事项' }),
  /** Item category used for the inspection cooldown (same department, same category). */
  itemCategory: NonEmpty,
  /** Specialties an inspector needs to check this item. */
  specialties: List(NonEmpty).default([]),
  guide: Short(LIMITS.text).optional(),
});
export type InspectionItem = z.infer<typeof InspectionItem>;

// ---------------------------------------------------------------- 两库: targets, inspectors, experts

/** Kinds of target and their Chinese names (import files, plan page, approval mail). */
export const TARGET_KIND_LABELS = { enterprise: '企业', individual: '个体工商户', 'non-market': '非市场主体' } as const;
export const TargetKind = z.enum(['enterprise', 'individual', 'non-market'], {
  message: `主体类型应为 ${Object.values(TARGET_KIND_LABELS).join('、')} 之一`,
});

export const LastInspection = z.object({
  department: Id,
  itemCategory: NonEmpty,
  date: IsoDate,
  taskId: Id,
  team: List(Id),
});

export const Target = z.object({
  uscc: Uscc,
  name: NonEmpty,
  kind: TargetKind,
  department: Id,
  jurisdiction: NonEmpty,
  industry: NonEmpty,
  tags: List(NonEmpty).default([]),
  riskClass: RiskClass,
  isKey: z.boolean(),
  status: z.enum(['active', 'inactive', 'deregistered'], { message: '状态应为 正常、停业、注销 之一' }),
  contact: z
    .object({
      person: Short().optional(),
      phone: Short().optional(),
      email: Short(254).optional(),
      address: Short(LIMITS.address).optional(),
    })
    .default({}),
  lastInspections: List(LastInspection).default([]),
});
export type Target = z.infer<typeof Target>;

export const Inspector = z.object({
  id: Id,
  department: Id,
  section: NonEmpty,
  name: NonEmpty,
  jurisdictions: List(NonEmpty).min(1, { message: '至少一个辖区' }),
  specialties: List(NonEmpty).default([]),
  certificateNo: NonEmpty,
  certificateExpiry: IsoDate,
  email: Email,
  phone: Short().optional(),
  active: z.boolean(),
  /** USCCs the inspector declared a conflict of interest with. */
  conflicts: List(Short()).default([]),
  tags: List(NonEmpty).default([]),
  /** Address marked undeliverable after a bounce or complaint. */
  mailStatus: z.enum(['ok', 'bounced', 'complained']).default('ok'),
});
export type Inspector = z.infer<typeof Inspector>;

export const Expert = z.object({
  id: Id,
  department: Id,
  name: NonEmpty,
  organisation: NonEmpty,
  specialties: List(NonEmpty).min(1, { message: '至少一个专业领域' }),
  email: Email,
  phone: Short().optional(),
  active: z.boolean(),
});
export type Expert = z.infer<typeof Expert>;

export const TagKind = z.enum(['target', 'inspector']);

// ---------------------------------------------------------------- annual plan and tasks

/** Target scope of a task: every given filter must match (empty = no restriction). */
export const TargetScope = z.object({
  jurisdictions: List(NonEmpty).default([]),
  industries: List(NonEmpty).default([]),
  tags: List(NonEmpty).default([]),
  kinds: List(TargetKind).default([]),
  /** Risk classes drawn; a class not listed is not drawn (ratio 0). */
  riskClasses: z.array(RiskClass).default(['A', 'B', 'C', 'D']),
});

export const InspectorScope = z.object({
  departments: List(Id).min(1, { message: '至少一个部门' }),
  sections: List(NonEmpty).default([]),
  specialties: List(NonEmpty).default([]),
});

export const PlanTask = z.object({
  taskId: Id,
  /** 抽查任务名称 */
  name: NonEmpty,
  /** 牵头科室 */
  leadSection: NonEmpty,
  /** 本系统联合检查科室 */
  jointSections: List(NonEmpty).default([]),
  /** 跨部门联合检查部门 (department ids, the initiating department included) */
  jointDepartments: List(Id).default([]),
  /** 抽查类别: 定向抽查 / 不定向抽查 */
  category: z.enum(['定向抽查', '不定向抽查'], { message: '抽查类别应为 定向抽查 或 不定向抽查' }),
  /** 抽查事项: general and key items */
  items: z.object({ general: List(Id).default([]), key: List(Id).default([]) }),
  scope: TargetScope,
  legalBasis: LongText,
  window: z.object({ start: IsoDate, end: IsoDate }),
  drawDate: IsoDate,
  /** 市场主体抽查比例, per credit-risk class, in basis points (300 = 3%). */
  ratiosBp: z.object({ A: BasisPoints, B: BasisPoints, C: BasisPoints, D: BasisPoints }),
  /** Key enterprises: 10000 draws all of them; otherwise they fall in their risk stratum. */
  keyRatioBp: BasisPoints,
  inspectorScope: InspectorScope,
  /** Whether the ratios derive from the credit-risk classification (KPI "credit-risk-based share"). */
  creditRiskBased: z.boolean().default(true),
  notes: Short(LIMITS.text).optional(),
});
export type PlanTask = z.infer<typeof PlanTask>;

export const PlanBody = z.object({
  title: NonEmpty,
  year: z.number().int().min(2000).max(2100),
  tasks: List(PlanTask).min(1, { message: '计划至少包含一个抽查任务' }),
});
export type PlanBody = z.infer<typeof PlanBody>;

export const PlanVersion = PlanBody.extend({
  planId: Id,
  department: Id,
  version: z.number().int().min(1),
  status: z.enum(['draft', 'pending-approval', 'approved', 'published', 'superseded']),
  /** Why this version exists (required from version 2: 计划调整的理由). */
  reason: Short(LIMITS.text).optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  approvedBy: z.string().optional(),
  approvedAt: z.string().optional(),
  publishedAt: z.string().optional(),
  submittedBy: z.string().optional(),
  submittedAt: z.string().optional(),
  /** The leader's last rejection: the version went back to its editor with this reason. */
  rejection: z.object({ reason: z.string(), by: z.string(), at: z.string() }).optional(),
});
export type PlanVersion = z.infer<typeof PlanVersion>;

// ---------------------------------------------------------------- labels for errors

/** Chinese names of fields, used to turn zod paths into messages a user understands. */
export const LABELS: Record<string, string> = {
  id: '编号',
  uscc: '统一社会信用代码',
  name: '名称',
  kind: '主体类型',
  department: '部门',
  jurisdiction: '辖区',
  jurisdictions: '辖区',
  industry: '行业',
  industries: '行业',
  tags: '标签',
  riskClass: '信用风险分类',
  riskClasses: '信用风险分类',
  isKey: '重点企业',
  status: '状态',
  contact: '联系方式',
  person: '联系人',
  phone: '联系电话',
  email: '电子邮箱',
  address: '地址',
  section: '科室',
  sections: '科室',
  specialties: '专业领域',
  certificateNo: '执法证号',
  certificateExpiry: '执法证有效期',
  active: '在岗',
  conflicts: '回避对象',
  organisation: '所在单位',
  legalBasis: '抽查依据',
  subjectDepartment: '抽查主体',
  content: '抽查内容',
  methods: '检查方式',
  category: '抽查类别',
  itemCategory: '事项类别',
  guide: '工作指引',
  title: '计划名称',
  year: '年度',
  tasks: '抽查任务',
  taskId: '任务编号',
  leadSection: '牵头科室',
  jointSections: '本系统联合检查科室',
  jointDepartments: '跨部门联合检查部门',
  items: '抽查事项',
  itemOutcomes: '检查事项结论',
  general: '一般检查事项',
  key: '重点检查事项',
  scope: '抽查对象范围',
  window: '抽查时间',
  start: '开始日期',
  end: '结束日期',
  drawDate: '抽取日期',
  ratiosBp: '市场主体抽查比例',
  keyRatioBp: '重点企业抽查比例',
  inspectorScope: '检查人员范围',
  departments: '部门',
  leaders: '分管领导',
  liaison: '信息联络员',
  level: '行政层级',
  mobile: '手机',
  reason: '调整理由',
  presetId: '政策模板',
  // result entry
  codes: '检查结果',
  checkDate: '检查日期',
  present: '到场检查人员',
  signature: '被检查对象签字',
  signer: '签字人',
  refusalReason: '拒绝签字原因',
  problems: '问题描述',
  outcome: '结论',
  itemId: '事项编号',
  remark: '备注',
};

export interface FieldIssue {
  /** Chinese field path, e.g. 「抽查任务[2]·抽查时间·开始日期」 */
  field: string;
  message: string;
  /** Machine path, for clients. */
  path: (string | number)[];
}

export function fieldLabel(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (const p of path) {
    if (typeof p === 'number') {
      const last = parts.pop() ?? '';
      parts.push(`${last}[${p + 1}]`);
    } else {
      const k = String(p);
      parts.push(LABELS[k] ?? k);
    }
  }
  return parts.join('·') || '（整体）';
}

export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: fieldLabel(i.path),
    message: i.message,
    path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
  }));
}

/** Parse or throw a ValidationError carrying Chinese field messages. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(describeIssues(r.error));
  return r.data;
}

/** Input that fails its schema: an `invalid` domain error naming every field. */
export class ValidationError extends DomainError {
  declare readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super('invalid', issues.map((i) => `${i.field}：${i.message}`).join('；'), { issues, reason: 'ValidationError' });
    this.name = 'ValidationError';
  }
}
