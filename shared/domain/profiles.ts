/**
 * Department policy profiles: every rule number of the seed plans is configuration.
 *
 * A profile is validated by the zod schema `PolicyProfile`; its messages are Chinese and name the
 * field. Five presets transcribe the five seed plans (`/work/shared/seeds`, file names below). Each
 * setting has an entry in `citations`:
 *   - `{ kind: 'seed', file, quote }`  the value comes from the seed; `quote` is a verbatim excerpt
 *     (line breaks of the source removed; "…" joins excerpts that are apart in the source);
 *   - `{ kind: 'default', note }`      the seed is silent; the note says why this default;
 *   - `{ kind: 'override', note }`     a department changed it (set by `mergeProfile`).
 * Validation requires a citation for every setting, so a new setting cannot ship unexplained.
 *
 * Conventions used by the date helpers (documented decisions):
 *   - Shares, ratios and KPI targets are basis points (10000 = 100%); `null` = the seed sets no target.
 *   - "N working days after X": due date = `calendar.addWorkingDays(X, N)` (X itself not counted).
 *   - "before day X" (X日前) for a calendar date is read as "by X, inclusive"; when X is not a working
 *     day the due date moves per `deadlines.calendarDateOnNonWorkingDay` (default: to the last working
 *     day before X, since nothing can be handed in on a holiday).
 *   - A reminder goes `reminderLeadWorkingDays` working days before the due date:
 *     `calendar.subtractWorkingDays(due, lead)`.
 *   - A missed due date escalates on the first working day after it (inspector and section head) and
 *     to leadership `escalateToLeadershipAfterWorkingDays` working days after that.
 */
import { z } from 'zod';
import { defaultCalendar, isoDate, minDate, maxDate, daysInMonth, type Calendar, type IsoDate } from './calendar.js';

// ---------------------------------------------------------------- labels and field builders

/** Chinese names of the settings, by path; used in messages and in the profile page. */
export const PROFILE_LABELS: Readonly<Record<string, string>> = {
  id: '配置编号',
  name: '配置名称',
  issuer: '发文单位',
  document: '来源文件',
  basedOn: '基于预设',
  citations: '来源说明',
  'coverage.annualInspectedShareBp': '年度抽查企业占比目标',
  'coverage.base': '年度抽查占比基数',
  'coverage.includesSuperiorAssigned': '是否计入上级部门下派的抽查',
  'rounds.defaultRatioBp': '每次抽查默认比例',
  'rounds.perYear': '年度抽查次数',
  'rounds.templates': '年度抽查安排',
  'keyEnterprises.defaultRatioBp': '重点企业默认抽查比例',
  'keyEnterprises.windows': '重点企业分时段抽查比例',
  'joint.countShareBp': '联合抽查次数占比目标',
  'joint.targetShareBp': '联合抽查户数占比目标',
  'joint.crossDepartmentMinDepartments': '跨部门联合抽查最少参与部门数',
  'joint.plannedInternalJointTasks': '计划内部联合抽查次数',
  'joint.plannedCrossDepartmentTasks': '计划跨部门联合抽查次数',
  creditRiskShareBp: '运用信用风险分类开展抽查的占比目标',
  minInspectorsPerTarget: '每户检查人员最少人数',
  matchWithinJurisdiction: '执法人员是否限本辖区匹配',
  checkMethods: '检查方式',
  reviewRequired: '公示前是否须审核',
  'deadlines.resultEntry.workingDays': '结果录入期限（工作日）',
  'deadlines.resultEntry.beforeRoundEnd': '结果录入是否须在本次抽查结束前完成',
  'deadlines.resultEntry.reminderLeadWorkingDays': '结果录入提前提醒（工作日）',
  'deadlines.publication.workingDays': '结果公示期限（工作日）',
  'deadlines.publication.reminderLeadWorkingDays': '结果公示提前提醒（工作日）',
  'deadlines.followUp.workingDays': '后续处置期限（工作日）',
  'deadlines.followUp.reminderLeadWorkingDays': '后续处置提前提醒（工作日）',
  'deadlines.escalateToLeadershipAfterWorkingDays': '逾期后报告领导的间隔（工作日）',
  'deadlines.calendarDateOnNonWorkingDay': '截止日遇非工作日的处理',
  'reports.monthly.dueDay': '月报表报送日',
  'reports.monthly.reminderLeadWorkingDays': '月报表提前提醒（工作日）',
  'reports.monthly.layout': '月报表格式',
  'reports.quarterly.rule': '季度总结报送时间',
  'reports.quarterly.reminderLeadWorkingDays': '季度总结提前提醒（工作日）',
  'annualPlan.publishBy': '年度抽查计划公示期限',
  'draw.disciplineSupervision': '抽取是否须纪检部门监督',
  'draw.signedRecord': '抽取过程是否须书面记录并经在场人员签字存档',
  cooldownDays: '同一对象同类抽查间隔天数',
  resultPhrases: '抽查结果表述',
  followUpDispositions: '后续处置方式',
  'kpi.publicationRateBp': '抽查结果公示率目标',
  'kpi.onTimeEntryRateBp': '结果按时录入率目标',
  'kpi.onTimePublicationRateBp': '结果按时公示率目标',
  'kpi.followUpClosureRateBp': '后续处置完结率目标',
};

/** Paths whose value is one setting although it is an object. */
const ATOMIC_PATHS = new Set(['reports.quarterly.rule', 'annualPlan.publishBy']);
/** Top-level keys that describe the profile rather than configure it (no citation needed). */
const META_KEYS = new Set(['id', 'name', 'issuer', 'document', 'basedOn', 'citations']);

const L = (path: string) => PROFILE_LABELS[path] ?? path;

type ErrFn = (iss: { input?: unknown; code?: string; keys?: string[] }) => string;
const typeErr =
  (label: string, expected: string): ErrFn =>
  (iss) =>
    iss.input === undefined ? `缺少${label}` : `${label}应为${expected}`;

const objErr =
  (label: string): ErrFn =>
  (iss) =>
    iss.code === 'unrecognized_keys'
      ? `${label}中有未知配置项：${(iss.keys ?? []).join('、')}`
      : iss.input === undefined
        ? `缺少${label}`
        : `${label}应为对象`;

const bp = (label: string) =>
  z
    .number({ error: typeErr(label, '0–10000 的整数（万分比，10000 即 100%）') })
    .int({ error: `${label}应为整数（万分比，10000 即 100%）` })
    .min(0, { error: `${label}不能小于 0` })
    .max(10_000, { error: `${label}不能超过 10000（即 100%）` });

const int = (label: string, min: number, max: number) =>
  z
    .number({ error: typeErr(label, `${min}–${max} 的整数`) })
    .int({ error: `${label}应为整数` })
    .min(min, { error: `${label}不能小于 ${min}` })
    .max(max, { error: `${label}不能大于 ${max}` });

const bool = (label: string) => z.boolean({ error: typeErr(label, '是或否（true/false）') });
const str = (label: string) =>
  z.string({ error: typeErr(label, '文字') }).trim().min(1, { error: `${label}不能为空` });

const obj = <T extends z.core.$ZodLooseShape>(label: string, shape: T) => z.strictObject(shape, { error: objErr(label) });


// ---------------------------------------------------------------- schema pieces

export const CHECK_METHODS = ['书面检查', '实地核查', '网络监测', '委托专业机构'] as const;
export type ProfileCheckMethod = (typeof CHECK_METHODS)[number];

export const REPORT_LAYOUTS = ['qinhuangdao-housing-2023', 'shijiazhuang-changan-2024'] as const;
export type ReportLayout = (typeof REPORT_LAYOUTS)[number];

const Month = (label: string) => int(label, 1, 12);

const RoundTemplate = obj('抽查安排', {
  name: str('抽查安排名称'),
  sector: str('抽查领域'),
  fromMonth: Month('开始月份'),
  toMonth: Month('结束月份'),
  ratioBp: bp('抽查比例'),
  joint: z.enum(['none', 'internal', 'cross-department'], {
    error: '联合方式应为 none（不联合）、internal（部门内部联合）、cross-department（跨部门联合）之一',
  }),
});

const KeyWindow = obj('重点企业抽查时段', {
  fromMonth: Month('开始月份'),
  toMonth: Month('结束月份'),
  ratioBp: bp('抽查比例'),
});

const PhraseCode = z
  .string({ error: typeErr('结果代码', '文字') })
  .regex(/^[0-9A-Z]{1,4}$/, { error: '结果代码应为 1–4 位数字或大写字母' });

export const ResultPhrase = obj('抽查结果表述', {
  code: PhraseCode,
  text: str('结果表述'),
  /** Signals a problem found at the target. */
  problem: bool('是否属于发现问题'),
  /** A description of the problem must accompany the result. */
  requiresDescription: bool('是否须描述问题'),
  /** The result opens a follow-up disposal (后续处置). */
  requiresFollowUp: bool('是否须后续处置'),
  /** Cannot be combined with any other code (e.g. 1 未发现问题). */
  exclusive: bool('是否只能单独选择'),
  /** Codes this one cannot be combined with (checked in both directions). */
  excludes: z.array(PhraseCode, { error: typeErr('互斥代码', '代码列表') }),
  /** If non-empty, at least one of these codes must be chosen with this one (e.g. B needs A or E). */
  requiresAnyOf: z.array(PhraseCode, { error: typeErr('须同时选择的代码', '代码列表') }),
});
export type ResultPhrase = z.infer<typeof ResultPhrase>;

export const FollowUpDisposition = obj('后续处置方式', {
  code: z
    .string({ error: typeErr('处置方式代码', '文字') })
    .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: '处置方式代码应为小写字母、数字和连字符' }),
  name: str('处置方式名称'),
});
export type FollowUpDisposition = z.infer<typeof FollowUpDisposition>;

const MonthDay = z
  .string({ error: typeErr('报送日期', 'MM-DD 格式') })
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: '报送日期应为 MM-DD 格式，例如 04-01' })
  .refine((s) => Number(s.slice(3)) <= (s.startsWith('02') ? 28 : daysInMonth(2001, Number(s.slice(0, 2)))), {
    error: '报送日期不存在（2 月最多取 28 日）',
  });

export const QuarterlyRule = z.discriminatedUnion(
  'kind',
  [
    obj(L('reports.quarterly.rule'), { kind: z.literal('lastWorkingDayOfQuarter') }),
    obj(L('reports.quarterly.rule'), {
      kind: z.literal('fixedDates'),
      dates: z
        .array(
          obj('季度总结报送日期', {
            /** The quarter the summary covers. */
            quarter: int('所总结的季度', 1, 4),
            monthDay: MonthDay,
          }),
          { error: typeErr('季度总结报送日期', '列表') },
        )
        .min(1, { error: '季度总结报送日期至少一个' })
        .max(4, { error: '季度总结报送日期最多四个' }),
    }),
  ],
  { error: `${L('reports.quarterly.rule')}应为 lastWorkingDayOfQuarter（每季度最后一个工作日）或 fixedDates（固定日期）` },
);
export type QuarterlyRule = z.infer<typeof QuarterlyRule>;

const PublishBy = obj(L('annualPlan.publishBy'), {
  /** 0 = in the plan year; −1 = in the year before (e.g. wuhai: by end of November before). */
  yearOffset: int('计划公示年份偏移', -1, 0),
  month: Month('计划公示截止月份'),
  day: z.union([int('计划公示截止日', 1, 31), z.literal('last')], { error: '计划公示截止日应为 1–31 或 "last"（月末）' }),
});

export const Citation = z.discriminatedUnion(
  'kind',
  [
    obj('来源说明', { kind: z.literal('seed'), file: str('来源文件名'), quote: str('原文摘录') }),
    obj('来源说明', { kind: z.literal('default'), note: str('默认值说明') }),
    obj('来源说明', { kind: z.literal('override'), note: str('覆盖说明') }),
  ],
  { error: '来源说明应为 seed（原文）、default（默认）或 override（部门覆盖）之一' },
);
export type Citation = z.infer<typeof Citation>;

const Deadline = (prefix: string, label: string) =>
  obj(label, {
    workingDays: int(L(`${prefix}.workingDays`), 1, 120),
    reminderLeadWorkingDays: int(L(`${prefix}.reminderLeadWorkingDays`), 0, 60),
  });

// ---------------------------------------------------------------- the profile schema

const ProfileShape = obj('配置', {
  id: z
    .string({ error: typeErr(L('id'), '文字') })
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, { error: `${L('id')}只能包含小写字母、数字和连字符` }),
  name: str(L('name')),
  issuer: str(L('issuer')),
  document: obj(L('document'), {
    file: str('来源文件名'),
    title: str('文件标题'),
    docNo: z.string({ error: typeErr('文号', '文字') }).nullable(),
    /** Date as printed on the document. */
    date: z.string({ error: typeErr('成文日期', '文字') }).nullable(),
    year: int('文件年度', 2000, 2100),
  }),
  basedOn: z.string({ error: typeErr(L('basedOn'), '文字') }).nullable(),

  coverage: obj('年度抽查覆盖', {
    annualInspectedShareBp: bp(L('coverage.annualInspectedShareBp')).nullable(),
    base: z.enum(['enterprises-end-of-previous-year', 'target-pool'], {
      error: `${L('coverage.base')}应为 enterprises-end-of-previous-year（上年底企业数）或 target-pool（检查对象名录库）`,
    }),
    includesSuperiorAssigned: bool(L('coverage.includesSuperiorAssigned')),
  }),
  rounds: obj('抽查安排', {
    defaultRatioBp: bp(L('rounds.defaultRatioBp')),
    perYear: int(L('rounds.perYear'), 1, 100).nullable(),
    templates: z.array(RoundTemplate, { error: typeErr(L('rounds.templates'), '列表') }),
  }),
  keyEnterprises: obj('重点企业', {
    /** Ratio for key enterprises outside any window; null = the task's own ratio. */
    defaultRatioBp: bp(L('keyEnterprises.defaultRatioBp')).nullable(),
    windows: z.array(KeyWindow, { error: typeErr(L('keyEnterprises.windows'), '列表') }),
  }),
  joint: obj('联合抽查', {
    countShareBp: bp(L('joint.countShareBp')).nullable(),
    targetShareBp: bp(L('joint.targetShareBp')).nullable(),
    crossDepartmentMinDepartments: int(L('joint.crossDepartmentMinDepartments'), 2, 50),
    plannedInternalJointTasks: int(L('joint.plannedInternalJointTasks'), 0, 1000).nullable(),
    plannedCrossDepartmentTasks: int(L('joint.plannedCrossDepartmentTasks'), 0, 1000).nullable(),
  }),
  creditRiskShareBp: bp(L('creditRiskShareBp')).nullable(),
  minInspectorsPerTarget: int(L('minInspectorsPerTarget'), 1, 20),
  matchWithinJurisdiction: bool(L('matchWithinJurisdiction')),
  checkMethods: z
    .array(z.enum(CHECK_METHODS, { error: `${L('checkMethods')}应为 ${CHECK_METHODS.join('、')} 之一` }), {
      error: typeErr(L('checkMethods'), '列表'),
    })
    .min(1, { error: `${L('checkMethods')}至少一种` }),
  reviewRequired: bool(L('reviewRequired')),
  deadlines: obj('期限', {
    resultEntry: obj('结果录入期限', {
      workingDays: int(L('deadlines.resultEntry.workingDays'), 1, 120),
      beforeRoundEnd: bool(L('deadlines.resultEntry.beforeRoundEnd')),
      reminderLeadWorkingDays: int(L('deadlines.resultEntry.reminderLeadWorkingDays'), 0, 60),
    }),
    publication: Deadline('deadlines.publication', '结果公示期限'),
    followUp: Deadline('deadlines.followUp', '后续处置期限'),
    escalateToLeadershipAfterWorkingDays: int(L('deadlines.escalateToLeadershipAfterWorkingDays'), 1, 60),
    calendarDateOnNonWorkingDay: z.enum(['previous-working-day', 'next-working-day', 'as-is'], {
      error: `${L('deadlines.calendarDateOnNonWorkingDay')}应为 previous-working-day（提前到之前最后一个工作日）、next-working-day（顺延到下一个工作日）或 as-is（不调整）`,
    }),
  }),
  reports: obj('报表', {
    monthly: obj('月报表', {
      dueDay: int(L('reports.monthly.dueDay'), 1, 28),
      reminderLeadWorkingDays: int(L('reports.monthly.reminderLeadWorkingDays'), 0, 15),
      layout: z.enum(REPORT_LAYOUTS, { error: `${L('reports.monthly.layout')}应为 ${REPORT_LAYOUTS.join('、')} 之一` }),
    }),
    quarterly: obj('季度总结', {
      rule: QuarterlyRule,
      reminderLeadWorkingDays: int(L('reports.quarterly.reminderLeadWorkingDays'), 0, 30),
    }),
  }),
  annualPlan: obj('年度抽查计划', { publishBy: PublishBy }),
  draw: obj('抽取', {
    disciplineSupervision: bool(L('draw.disciplineSupervision')),
    signedRecord: bool(L('draw.signedRecord')),
  }),
  cooldownDays: int(L('cooldownDays'), 0, 3660),
  resultPhrases: z
    .array(ResultPhrase, { error: typeErr(L('resultPhrases'), '列表') })
    .min(1, { error: `${L('resultPhrases')}至少一项` }),
  followUpDispositions: z
    .array(FollowUpDisposition, { error: typeErr(L('followUpDispositions'), '列表') })
    .min(1, { error: `${L('followUpDispositions')}至少一项` }),
  kpi: obj('考核目标', {
    publicationRateBp: bp(L('kpi.publicationRateBp')),
    onTimeEntryRateBp: bp(L('kpi.onTimeEntryRateBp')),
    onTimePublicationRateBp: bp(L('kpi.onTimePublicationRateBp')),
    followUpClosureRateBp: bp(L('kpi.followUpClosureRateBp')),
  }),
  citations: z.record(z.string(), Citation, { error: typeErr(L('citations'), '以配置路径为键的对象') }),
});

/** Setting paths of a profile object: leaves, arrays and atomic objects, excluding meta keys. */
export function settingPaths(profile: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (path && (ATOMIC_PATHS.has(path) || !isPlainObject(v))) {
      out.push(path);
      return;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (!path && META_KEYS.has(k)) continue;
      walk(child, path ? `${path}.${k}` : k);
    }
  };
  walk(profile, '');
  return out;
}

export const PolicyProfile = ProfileShape.superRefine((prof, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  // Every setting is explained, and nothing else is.
  const paths = settingPaths(prof as unknown as Record<string, unknown>);
  const known = new Set(paths);
  for (const path of paths) {
    if (!prof.citations[path]) issue(['citations', path], `缺少“${L(path)}”（${path}）的来源说明`);
  }
  for (const path of Object.keys(prof.citations)) {
    if (!known.has(path)) issue(['citations', path], `来源说明中的“${path}”不是配置项`);
  }

  // Deadlines: reminders fall after the start; publication cannot be due before entry.
  const d = prof.deadlines;
  for (const kind of ['resultEntry', 'publication', 'followUp'] as const) {
    if (d[kind].reminderLeadWorkingDays >= d[kind].workingDays) {
      issue(
        ['deadlines', kind, 'reminderLeadWorkingDays'],
        `${L(`deadlines.${kind}.reminderLeadWorkingDays`)}应小于${L(`deadlines.${kind}.workingDays`)}（${d[kind].workingDays}）`,
      );
    }
  }
  if (d.publication.workingDays < d.resultEntry.workingDays) {
    issue(
      ['deadlines', 'publication', 'workingDays'],
      `${L('deadlines.publication.workingDays')}（${d.publication.workingDays}）不能短于${L('deadlines.resultEntry.workingDays')}（${d.resultEntry.workingDays}）`,
    );
  }

  // Month windows.
  prof.rounds.templates.forEach((t, i) => {
    if (t.fromMonth > t.toMonth) issue(['rounds', 'templates', i, 'toMonth'], `${L('rounds.templates')}第 ${i + 1} 项的结束月份早于开始月份`);
  });
  prof.keyEnterprises.windows.forEach((w, i) => {
    if (w.fromMonth > w.toMonth) issue(['keyEnterprises', 'windows', i, 'toMonth'], `${L('keyEnterprises.windows')}第 ${i + 1} 项的结束月份早于开始月份`);
  });

  // Quarterly dates: one per quarter, in calendar order.
  const rule = prof.reports.quarterly.rule;
  if (rule.kind === 'fixedDates') {
    const quarters = rule.dates.map((x) => x.quarter);
    if (new Set(quarters).size !== quarters.length) issue(['reports', 'quarterly', 'rule', 'dates'], '季度总结报送日期中同一季度出现多次');
    const sorted = [...rule.dates].sort((a, b) => a.quarter - b.quarter);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.monthDay <= sorted[i - 1]!.monthDay) {
        issue(['reports', 'quarterly', 'rule', 'dates'], '季度总结报送日期应随季度先后递增');
      }
    }
  }

  const pb = prof.annualPlan.publishBy;
  if (pb.day !== 'last' && pb.day > (pb.month === 2 ? 28 : daysInMonth(2001, pb.month))) {
    issue(['annualPlan', 'publishBy', 'day'], `${L('annualPlan.publishBy')}：${pb.month} 月没有 ${pb.day} 日`);
  }

  // Result phrases: unique codes; references resolve.
  const codes = new Set<string>();
  prof.resultPhrases.forEach((ph, i) => {
    if (codes.has(ph.code)) issue(['resultPhrases', i, 'code'], `结果代码“${ph.code}”重复`);
    codes.add(ph.code);
  });
  prof.resultPhrases.forEach((ph, i) => {
    for (const [key, list] of [
      ['excludes', ph.excludes],
      ['requiresAnyOf', ph.requiresAnyOf],
    ] as const) {
      for (const c of list) {
        if (!codes.has(c) || c === ph.code) {
          issue(['resultPhrases', i, key], `结果代码“${ph.code}”引用的代码“${c}”不存在或指向自身`);
        }
      }
    }
    if (ph.problem === false && ph.requiresDescription) {
      issue(['resultPhrases', i, 'requiresDescription'], `结果代码“${ph.code}”不属于发现问题，不应要求描述问题`);
    }
  });

  const dispositionCodes = prof.followUpDispositions.map((x) => x.code);
  if (new Set(dispositionCodes).size !== dispositionCodes.length) issue(['followUpDispositions'], `${L('followUpDispositions')}中代码重复`);
  if (new Set(prof.checkMethods).size !== prof.checkMethods.length) issue(['checkMethods'], `${L('checkMethods')}中有重复项`);
});
export type PolicyProfile = z.infer<typeof PolicyProfile>;

// ---------------------------------------------------------------- errors

export interface ProfileIssue {
  /** Dotted path, e.g. "deadlines.resultEntry.workingDays" or "resultPhrases.3.code". */
  path: string;
  /** Chinese name of the setting (and item number for list items). */
  field: string;
  message: string;
}

export class ProfileValidationError extends Error {
  readonly code = 'PROFILE_INVALID';
  constructor(readonly issues: ProfileIssue[]) {
    super(`配置有误：${issues.map((i) => i.message).join('；')}`);
    this.name = 'ProfileValidationError';
  }
}

export class UnknownPresetError extends Error {
  readonly code = 'UNKNOWN_PRESET';
  constructor(readonly presetId: string) {
    super(`未知的配置预设“${presetId}”（可用：${PRESET_IDS.join('、')}）`);
    this.name = 'UnknownPresetError';
  }
}

/** Turns zod issues into Chinese, field-named issues. */
export function describeProfileIssues(error: z.ZodError): ProfileIssue[] {
  return error.issues.map((iss) => {
    const parts = iss.path.map(String);
    // The longest labelled prefix names the field; list items add their number.
    let field = '配置';
    let prefixLen = 0;
    for (let n = parts.length; n > 0; n--) {
      const key = parts.slice(0, n).join('.');
      if (PROFILE_LABELS[key]) {
        field = PROFILE_LABELS[key]!;
        prefixLen = n;
        break;
      }
    }
    const next = parts[prefixLen];
    if (next !== undefined && /^\d+$/.test(next)) field += `第 ${Number(next) + 1} 项`;
    const message = iss.message.includes(field) || prefixLen === 0 ? iss.message : `${field}：${iss.message}`;
    return { path: parts.join('.'), field, message };
  });
}

export function parseProfile(input: unknown): PolicyProfile {
  const r = PolicyProfile.safeParse(input);
  if (!r.success) throw new ProfileValidationError(describeProfileIssues(r.error));
  return r.data;
}

// ---------------------------------------------------------------- shared data: phrases, dispositions

/**
 * The standard result phrases of the market-regulation systems (BRIEF §2). B, C, 6, D qualify a
 * finding and go with A (pending follow-up) or, except 6, with E (corrected on order); status
 * codes (F, 7, 9–12), 1 and 8 stand alone.
 */
export const STANDARD_RESULT_PHRASES: readonly ResultPhrase[] = [
  phrase('1', '未发现问题', { exclusive: true }),
  phrase('A', '发现问题待后续处理', { problem: true, followUp: true, excludes: ['E'] }),
  phrase('B', '未按规定公示应当公示的信息', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('C', '公示信息隐瞒真实情况弄虚作假', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('6', '通过登记的住所（经营场所）无法联系', { problem: true, excludes: ['E'], requiresAnyOf: ['A'] }),
  phrase('D', '违反其他法律、法规、规章规定', { problem: true, requiresAnyOf: ['A', 'E'] }),
  phrase('E', '发现问题经责令已改正', { problem: true, excludes: ['A', '6'] }),
  phrase('F', '未发现开展本次抽查涉及的经营活动', { exclusive: true }),
  phrase('7', '已关闭停业或正在组织清算', { exclusive: true }),
  phrase('8', '不配合检查情节严重', { problem: true, followUp: true, exclusive: true }),
  phrase('9', '注销', { exclusive: true }),
  phrase('10', '被吊销', { exclusive: true }),
  phrase('11', '被撤销', { exclusive: true }),
  phrase('12', '迁出', { exclusive: true }),
];

function phrase(
  code: string,
  text: string,
  o: { problem?: boolean; followUp?: boolean; exclusive?: boolean; excludes?: string[]; requiresAnyOf?: string[] },
): ResultPhrase {
  const problem = o.problem ?? false;
  return {
    code,
    text,
    problem,
    requiresDescription: problem,
    requiresFollowUp: o.followUp ?? false,
    exclusive: o.exclusive ?? false,
    excludes: o.excludes ?? [],
    requiresAnyOf: o.requiresAnyOf ?? [],
  };
}

export const STANDARD_DISPOSITIONS: readonly FollowUpDisposition[] = [
  { code: 'order-correction', name: '责令改正' },
  { code: 'case-clue', name: '移交案件线索' },
  { code: 'notify-department', name: '抄告相关部门' },
  { code: 'judicial-referral', name: '移送司法机关' },
  { code: 'other', name: '其他' },
];

// ---------------------------------------------------------------- presets

type Settings = Omit<PolicyProfile, 'id' | 'name' | 'issuer' | 'document' | 'basedOn' | 'citations'>;

/** Values used where a seed is silent, with the reason shown as the citation note. */
const DEFAULTS: Settings = {
  coverage: { annualInspectedShareBp: 300, base: 'enterprises-end-of-previous-year', includesSuperiorAssigned: true },
  rounds: { defaultRatioBp: 300, perYear: null, templates: [] },
  keyEnterprises: { defaultRatioBp: null, windows: [] },
  joint: {
    countShareBp: null,
    targetShareBp: null,
    crossDepartmentMinDepartments: 2,
    plannedInternalJointTasks: null,
    plannedCrossDepartmentTasks: null,
  },
  creditRiskShareBp: null,
  minInspectorsPerTarget: 2,
  matchWithinJurisdiction: true,
  checkMethods: [...CHECK_METHODS],
  reviewRequired: false,
  deadlines: {
    resultEntry: { workingDays: 20, beforeRoundEnd: false, reminderLeadWorkingDays: 3 },
    publication: { workingDays: 20, reminderLeadWorkingDays: 3 },
    followUp: { workingDays: 20, reminderLeadWorkingDays: 3 },
    escalateToLeadershipAfterWorkingDays: 3,
    calendarDateOnNonWorkingDay: 'previous-working-day',
  },
  reports: {
    monthly: { dueDay: 20, reminderLeadWorkingDays: 3, layout: 'shijiazhuang-changan-2024' },
    quarterly: { rule: { kind: 'lastWorkingDayOfQuarter' }, reminderLeadWorkingDays: 5 },
  },
  annualPlan: { publishBy: { yearOffset: 0, month: 2, day: 'last' } },
  draw: { disciplineSupervision: false, signedRecord: false },
  cooldownDays: 180,
  resultPhrases: STANDARD_RESULT_PHRASES.map((x) => ({ ...x, excludes: [...x.excludes], requiresAnyOf: [...x.requiresAnyOf] })),
  followUpDispositions: STANDARD_DISPOSITIONS.map((x) => ({ ...x })),
  kpi: { publicationRateBp: 10_000, onTimeEntryRateBp: 10_000, onTimePublicationRateBp: 10_000, followUpClosureRateBp: 10_000 },
};

const DEFAULT_NOTES: Record<string, string> = {
  'coverage.annualInspectedShareBp': '方案未规定年度抽查占比；取各方案中的最低目标 3%（秦皇岛市市场监管局方案“不低于 3%”）',
  'coverage.base': '方案未规定占比基数；采用长安区方案的口径：上年底企业数量',
  'coverage.includesSuperiorAssigned': '方案未规定；按长安区方案口径，上级部门下派的抽查一并计入',
  'rounds.defaultRatioBp': '方案未规定每次抽查比例；取阜平方案每次 3% 的比例',
  'rounds.perYear': '方案未规定年度抽查次数',
  'rounds.templates': '方案未列出分时段的抽查安排',
  'keyEnterprises.defaultRatioBp': '方案未规定重点企业比例；重点企业按所在抽查任务的比例抽取',
  'keyEnterprises.windows': '方案未规定重点企业分时段比例',
  'joint.countShareBp': '方案未规定联合抽查次数占比目标',
  'joint.targetShareBp': '方案未规定联合抽查户数占比目标',
  'joint.crossDepartmentMinDepartments': '方案未规定跨部门联合的部门数；跨部门联合至少需要发起部门之外的一个部门，取 2',
  'joint.plannedInternalJointTasks': '方案未规定计划内部联合抽查次数',
  'joint.plannedCrossDepartmentTasks': '方案未规定计划跨部门联合抽查次数',
  creditRiskShareBp: '方案未规定运用信用风险分类开展抽查的占比目标',
  minInspectorsPerTarget: '方案未规定；取阜平方案“检查人员不少于2人”',
  matchWithinJurisdiction: '方案未规定；取乌海方案“随机匹配应限于辖区范围内”',
  checkMethods: '方案未列出检查方式；允许书面检查、实地核查、网络监测、委托专业机构四种方式（乌海方案所列）',
  reviewRequired: '方案未要求公示前审核',
  'deadlines.resultEntry.workingDays': '方案未规定录入天数；取秦皇岛市场监管、乌海方案的 20 个工作日',
  'deadlines.resultEntry.beforeRoundEnd': '方案未要求在本次抽查结束前录入',
  'deadlines.resultEntry.reminderLeadWorkingDays': '系统默认：截止前 3 个工作日提醒（5 日期限为 2 个工作日）',
  'deadlines.publication.workingDays': '方案未规定公示天数；取秦皇岛市场监管、乌海方案的 20 个工作日',
  'deadlines.publication.reminderLeadWorkingDays': '系统默认：截止前 3 个工作日提醒',
  'deadlines.followUp.workingDays': '方案未规定后续处置天数；取长安区方案的 20 个工作日',
  'deadlines.followUp.reminderLeadWorkingDays': '系统默认：截止前 3 个工作日提醒',
  'deadlines.escalateToLeadershipAfterWorkingDays': '系统默认：逾期次日提醒检查人员和科室负责人，再过 3 个工作日报告分管领导',
  'deadlines.calendarDateOnNonWorkingDay': '系统默认：“X日前”按当日（含）截止，遇节假日或周末提前到之前最后一个工作日',
  'reports.monthly.dueDay': '方案未规定月报日期；取长安区方案“每月20日前”',
  'reports.monthly.reminderLeadWorkingDays': '系统默认：报送日前 3 个工作日提醒信息联络员',
  'reports.monthly.layout': '方案未附月报表；采用长安区月报表格式（按月填报工作情况）',
  'reports.quarterly.rule': '方案未规定季度总结时间；取秦皇岛住建方案“每季度最后 1 个工作日前”',
  'reports.quarterly.reminderLeadWorkingDays': '系统默认：报送日前 5 个工作日提醒信息联络员',
  'annualPlan.publishBy': '方案未规定计划公示期限；取秦皇岛市场监管方案“2 月底前完成抽查工作计划的制定、上报和公示”',
  'draw.disciplineSupervision': '方案未要求纪检监督抽取；抽取记录仍按系统规则公开、可复核',
  'draw.signedRecord': '方案未要求签字的书面记录；抽取记录仍按系统规则公开、可复核',
  cooldownDays: '方案未规定；系统默认同一对象同类抽查间隔 180 天，以减少对经营主体的干扰',
  resultPhrases: '方案未列出结果表述；采用市场监管部门抽查结果标准表述',
  followUpDispositions: '方案未列出处置方式；采用责令改正、移交案件线索、抄告相关部门、移送司法机关、其他',
  'kpi.publicationRateBp': '系统默认：抽查结果 100% 公示',
  'kpi.onTimeEntryRateBp': '系统默认：结果 100% 按时录入',
  'kpi.onTimePublicationRateBp': '系统默认：结果 100% 按时公示',
  'kpi.followUpClosureRateBp': '系统默认：后续处置 100% 完结',
};

interface PresetSpec {
  id: string;
  name: string;
  issuer: string;
  document: PolicyProfile['document'];
  /** Settings that differ from DEFAULTS (deep-merged). */
  settings: DeepPartial<Settings>;
  /** Path → verbatim quote(s) from the seed ("…" joins excerpts). */
  cite: Record<string, string>;
  /** Path → note, for defaults whose reasoning is specific to this preset. */
  notes?: Record<string, string>;
}

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

const SPECS: PresetSpec[] = [
  {
    id: 'qinhuangdao-housing-2023',
    name: '秦皇岛市住房和城乡建设局 2023 年“双随机、一公开”监管工作实施方案',
    issuer: '秦皇岛市住房和城乡建设局',
    document: {
      file: 'qinhuangdao-housing-2023.txt',
      title: '2023年秦皇岛市住房和城乡建设局“双随机、一公开”监管工作实施方案',
      docNo: null,
      date: null,
      year: 2023,
    },
    settings: {
      joint: { countShareBp: 2500, targetShareBp: 1500, plannedInternalJointTasks: 8, plannedCrossDepartmentTasks: 1 },
      creditRiskShareBp: 8000,
      reviewRequired: true,
      reports: {
        monthly: { dueDay: 18, layout: 'qinhuangdao-housing-2023' },
        quarterly: { rule: { kind: 'lastWorkingDayOfQuarter' } },
      },
      annualPlan: { publishBy: { yearOffset: 0, month: 3, day: 1 } },
    },
    cite: {
      'joint.countShareBp': '确保今年联合抽查次数占随机抽查总次数的比例不低于25%',
      'joint.targetShareBp': '部门联合抽查户数占随机抽查总户数的比例不低于15%',
      'joint.plannedInternalJointTasks': '今年，局计划开展8次内部联合随机抽查，开展1次跨部门联合随机抽查',
      'joint.plannedCrossDepartmentTasks': '今年，局计划开展8次内部联合随机抽查，开展1次跨部门联合随机抽查',
      creditRiskShareBp: '运用信用风险分级分类开展的抽查次数占抽查企业总次数的比例不低于80%',
      reviewRequired: '坚决克服方案制定不认真、现场检查走过场、纸上填报、结果录入审核把关不严等不认真履行职责的现象',
      'reports.monthly.dueDay': '于每月 18 日前将月报表',
      'reports.monthly.layout': '附件：“双随机、一公开”监管月报表…市有关部门“双随机、一公开”监管月报表',
      'reports.quarterly.rule': '每季度最后 1 个工作日前将各科室、各单位每季度“双随机、一公开”监管工作总结报送人事法规科',
      'annualPlan.publishBy': '于3月1日前，制定本科室、本单位工作方案',
      resultPhrases: '及时在监管平台中完成本系统抽查结果表述与市场监管总局明确的抽查结果表述映射工作',
      followUpDispositions:
        '健全随机抽查后续处置机制，规范问题线索的转办、移送等工作，依法定程序及时移交有处置权限的机构和相关部门，涉嫌犯罪的及时移送司法机关',
      'kpi.publicationRateBp': '年度计划、实施方案、抽查结果及后续处理结果要及时向社会公开',
      'kpi.onTimeEntryRateBp': '重点强化对抽查计划的制定与落实、按时限完成结果录入、发现问题的后续处理等环节的督查',
      'kpi.followUpClosureRateBp': '涉嫌犯罪的及时移送司法机关，实现随机抽查监管闭环',
    },
    notes: {
      'joint.crossDepartmentMinDepartments': '方案要求“科学合理确定联合部门数量，不盲目追求参与部门多”，未定下限；取 2',
      'deadlines.resultEntry.workingDays': '方案要求“按时限完成结果录入”但未定天数；取同市市场监管局方案的 20 个工作日',
      'coverage.annualInspectedShareBp': '方案未规定年度抽查占比；取同市市场监管局方案“年度抽查企业占比不低于 3%”',
    },
  },
  {
    id: 'fuping-housing-2021',
    name: '阜平县住房和城乡建设局 2021 年度“双随机、一公开”监管工作实施方案',
    issuer: '阜平县住房和城乡建设局',
    document: {
      file: 'fuping-housing-2021.txt',
      title: '阜平县住房和城乡建设局2021年度“双随机、一公开”监管工作实施方案',
      docNo: '阜住建双随机[2021]1号',
      date: '2020年1月15日',
      year: 2021,
    },
    settings: {
      coverage: { annualInspectedShareBp: 500 },
      rounds: {
        defaultRatioBp: 300,
        perYear: 5,
        templates: [
          { name: '第一次随机抽查', sector: '建筑市场监督', fromMonth: 1, toMonth: 4, ratioBp: 300, joint: 'none' },
          { name: '第二次随机抽查', sector: '建设工程安全', fromMonth: 4, toMonth: 6, ratioBp: 300, joint: 'none' },
          { name: '第三次内部联合随机抽查', sector: '工程建设标准', fromMonth: 6, toMonth: 8, ratioBp: 300, joint: 'internal' },
          { name: '第四次内部联合随机抽查', sector: '房地产市场监督', fromMonth: 8, toMonth: 10, ratioBp: 300, joint: 'internal' },
          { name: '第五次内部联合随机抽查', sector: '建设领域许可监督', fromMonth: 10, toMonth: 12, ratioBp: 300, joint: 'internal' },
        ],
      },
      keyEnterprises: {
        windows: [
          { fromMonth: 1, toMonth: 4, ratioBp: 10_000 },
          { fromMonth: 6, toMonth: 8, ratioBp: 10_000 },
          { fromMonth: 8, toMonth: 10, ratioBp: 10_000 },
          { fromMonth: 10, toMonth: 12, ratioBp: 10_000 },
          { fromMonth: 4, toMonth: 6, ratioBp: 200 },
          { fromMonth: 7, toMonth: 9, ratioBp: 200 },
        ],
      },
      minInspectorsPerTarget: 2,
      checkMethods: [...CHECK_METHODS],
      deadlines: { resultEntry: { workingDays: 5, beforeRoundEnd: true, reminderLeadWorkingDays: 2 } },
      cooldownDays: 0,
    },
    cite: {
      'coverage.annualInspectedShareBp': '确保年度随机抽查占比达到 5%以上',
      'rounds.defaultRatioBp': '按照 3%的比例，对建筑市场监督开展“双随机”抽查',
      'rounds.perYear': '1-4 月份开展阜平县住房和城乡建设局第一次随机抽查…10-12月份开展阜平县住房和城乡建设局第五次内部联合随机抽查',
      'rounds.templates':
        '1-4 月份开展阜平县住房和城乡建设局第一次随机抽查…按照 3%的比例，对建筑市场监督开展“双随机”抽查…4-6月份开展阜平县住房和城乡建设局第二次随机抽查…按照3%的比例，对建设工程安全开展“双随机”抽查…6-8月份月份开展阜平县住房和城乡建设局第三次内部联合随机抽查…按照3%的比例，对工程建设标准开展“双随机”抽查…8-10月份月份开展阜平县住房和城乡建设局第四次内部联合随机抽查…按照3%的比例，对建房地产市场监督开展“双随机”抽查…10-12月份开展阜平县住房和城乡建设局第五次内部联合随机抽查…按照3%的比例，对建设领域许可监督开展“双随机”抽查',
      'keyEnterprises.windows': '各分管股室分别于1-4月、6-8月8-10月10至12月按照重点企业100%的比例，4—6月、7—9月按照2%的比例',
      minInspectorsPerTarget: '对企业进行实地核查时，检查人员不少于2人',
      checkMethods:
        '检查人员按照抽查内容可以采用书面检查、实地核查、网络监测等方式，也可以依法利用其他政府部门作出的检查、核查结果或者其他专业机构作出的专业结论',
      'deadlines.resultEntry.workingDays': '执法人员在抽查工作后5个工作日内和本次抽查结束之日前，将抽查结果录入',
      'deadlines.resultEntry.beforeRoundEnd': '执法人员在抽查工作后5个工作日内和本次抽查结束之日前，将抽查结果录入',
      followUpDispositions: '按时公示抽查结果，按期上报总结，及时抄送抽查中发现的问题线索',
      'kpi.publicationRateBp': '抽查检查结果 100%公示',
      'kpi.followUpClosureRateBp': '抽查检查发现问题后续监管到位',
    },
    notes: {
      'deadlines.resultEntry.reminderLeadWorkingDays': '系统默认：5 个工作日的录入期限，截止前 2 个工作日提醒',
      'deadlines.publication.workingDays':
        '方案规定结果录入后由系统自动归集公示（“抽查结果由系统完成数据交换后自动归集到市场主体名下”），未定天数；取 20 个工作日为上限',
      'keyEnterprises.defaultRatioBp': '方案只规定了各时段的比例；时段之外重点企业按所在抽查任务的比例抽取',
      cooldownDays: '方案要求重点企业在 1-4 月、6-8 月、8-10 月、10-12 月均按 100% 抽查，同一对象一年内会多次被抽到，因此不设间隔（0）',
    },
  },
  {
    id: 'shijiazhuang-changan-2024',
    name: '2024年石家庄市长安区“双随机、一公开”监管工作实施方案',
    issuer: '石家庄市长安区“双随机、一公开”监管工作领导小组办公室',
    document: {
      file: 'shijiazhuang-changan-2024.txt',
      title: '2024年石家庄市长安区“双随机、一公开”监管工作实施方案',
      docNo: '长双随机办〔2024〕3号',
      date: '2024年2月20日',
      year: 2024,
    },
    settings: {
      coverage: { annualInspectedShareBp: 500, base: 'enterprises-end-of-previous-year', includesSuperiorAssigned: true },
      joint: { countShareBp: 10_000, targetShareBp: 10_000 },
      creditRiskShareBp: 10_000,
      reviewRequired: true,
      deadlines: { followUp: { workingDays: 20 } },
      reports: {
        monthly: { dueDay: 20, layout: 'shijiazhuang-changan-2024' },
        quarterly: {
          rule: {
            kind: 'fixedDates',
            dates: [
              { quarter: 1, monthDay: '04-01' },
              { quarter: 2, monthDay: '06-20' },
              { quarter: 3, monthDay: '10-01' },
              { quarter: 4, monthDay: '12-16' },
            ],
          },
        },
      },
    },
    cite: {
      'coverage.annualInspectedShareBp':
        '2024年度各部门“双随机、一公开”抽查企业（含本部门抽取及上级部门下派）数量占2023年底企业数量的比例要不低于5%',
      'coverage.base': '数量占2023年底企业数量的比例要不低于5%',
      'coverage.includesSuperiorAssigned': '抽查企业（含本部门抽取及上级部门下派）数量',
      'joint.countShareBp': '除特殊情况外，联合抽查次数占比、户数占比均实现100%',
      'joint.targetShareBp': '除特殊情况外，联合抽查次数占比、户数占比均实现100%',
      creditRiskShareBp: '运用信用风险分级分类开展的抽查数量占比要达到本地总抽查数的100%',
      reviewRequired: '结果录入审核把关不严、结果录入错误和超期录入',
      'deadlines.followUp.workingDays': '各部门在后续处置信息产生后20个工作日内，依据职责和管辖权限，要依法做好抽查结果的后续处置工作',
      'reports.monthly.dueDay': '各成员单位于每月20日前将月报表',
      'reports.monthly.layout': '附件：区有关部门“双随机、一公开”监管工作月报表',
      'reports.quarterly.rule':
        '4月1日、6月20日、10月1日、12月16日前将本部门“双随机、一公开”监管工作总结报送区“双随机、一公开”领导小组办公室',
      followUpDispositions: '依法定程序及时移交有处置权限的机构和相关部门，涉嫌犯罪的及时移送司法机关',
      'kpi.publicationRateBp': '制定的年度计划、实施方案、抽查结果及后续处理结果要及时向社会公开',
      'kpi.onTimeEntryRateBp': '结果录入审核把关不严、结果录入错误和超期录入',
      'kpi.followUpClosureRateBp': '坚决杜绝后续处置及完结结果不回填或回填超期等现象，确保后续监管到位',
    },
    notes: {
      'joint.crossDepartmentMinDepartments': '方案全面推行“一业一查”部门联合抽查，未定部门数下限；取 2',
      'deadlines.resultEntry.workingDays': '方案要求杜绝“超期录入”但未定天数；取秦皇岛市场监管、乌海方案的 20 个工作日',
    },
  },
  {
    id: 'qinhuangdao-samr-2023',
    name: '秦皇岛市市场监管系统 2023 年“双随机、一公开”监管工作实施方案',
    issuer: '秦皇岛市市场监督管理局',
    document: {
      file: 'qinhuangdao-samr-2023.txt',
      title: '秦皇岛市市场监管系统2023年“双随机、一公开”监管工作实施方案',
      docNo: '秦市监函〔2023〕51号',
      date: '2023年2月17日',
      year: 2023,
    },
    settings: {
      coverage: { annualInspectedShareBp: 300 },
      creditRiskShareBp: 8000,
      reviewRequired: true,
      deadlines: { resultEntry: { workingDays: 20 }, publication: { workingDays: 20 } },
      reports: { monthly: { dueDay: 18, layout: 'qinhuangdao-housing-2023' } },
      annualPlan: { publishBy: { yearOffset: 0, month: 2, day: 'last' } },
    },
    cite: {
      'coverage.annualInspectedShareBp': '全系统年度抽查企业占比不低于 3%',
      creditRiskShareBp: '全年运用企业信用风险分类开展随机抽查次数占总抽查次数的比例不低于 80%',
      reviewRequired: '复核人员、主管领导要把好审核关',
      'deadlines.resultEntry.workingDays': '在检查结束后 20 个工作日内录入检查结果并向社会公示',
      'deadlines.publication.workingDays': '在检查结束后 20 个工作日内录入检查结果并向社会公示',
      'annualPlan.publishBy': '并于 2 月底前完成抽查工作计划的制定、上报和公示',
      followUpDispositions: '及时录入后续处理结果，涉及其他部门监管职责的要及时抄告、移送',
      'kpi.publicationRateBp': '抽查结果按时公示率 100%',
      'kpi.onTimePublicationRateBp': '抽查结果按时公示率 100%',
      'kpi.followUpClosureRateBp': '抽查检查发现问题后续处置率 100%',
    },
    notes: {
      'joint.countShareBp': '方案要求“能联尽联、应联必联”开展系统内部联合抽查，未定次数占比',
      'joint.targetShareBp': '方案要求“能联尽联、应联必联”开展系统内部联合抽查，未定户数占比',
      'reports.monthly.dueDay': '方案只要求“按照市局各项工作报送时间节点要求”报送；取同市住建局方案所附市级月报表的报送日（每月 18 日前）',
      'reports.monthly.layout': '方案未附月报表；采用同市住建局方案所附“市有关部门“双随机、一公开”监管月报表”',
      'reports.quarterly.rule': '方案未规定季度总结时间；取同市住建局方案“每季度最后 1 个工作日前”',
    },
  },
  {
    id: 'wuhai-housing-2019',
    name: '乌海市住建领域继续规范开展“双随机、一公开”监管工作实施方案',
    issuer: '乌海市住房和城乡建设局',
    document: {
      file: 'wuhai-housing-2019.txt',
      title: '乌海市住建领域继续规范开展“双随机、一公开”监管工作实施方案',
      docNo: '乌建局函字〔2019〕223号',
      date: '2019年11月29日',
      year: 2019,
    },
    settings: {
      joint: { crossDepartmentMinDepartments: 3 },
      matchWithinJurisdiction: true,
      checkMethods: [...CHECK_METHODS],
      deadlines: { resultEntry: { workingDays: 20 }, publication: { workingDays: 20 } },
      annualPlan: { publishBy: { yearOffset: -1, month: 11, day: 'last' } },
      draw: { disciplineSupervision: true, signedRecord: true },
    },
    cite: {
      'joint.crossDepartmentMinDepartments': '联合抽查参与部门一般不少于3个',
      matchWithinJurisdiction: '随机匹配应限于辖区范围内',
      checkMethods: '检查可采取书面检查、实地核查、网络监测、委托专业机构等多种检查方式',
      'deadlines.resultEntry.workingDays': '检查部门在完成检查之日起20个工作日内，通过监管平台录入并公示抽查检查结果',
      'deadlines.publication.workingDays': '检查部门在完成检查之日起20个工作日内，通过监管平台录入并公示抽查检查结果',
      'annualPlan.publishBy': '制定2020年底前本部门、跨部门联合的抽查计划，并通过部门协同监管平台录入公示…完成时限：11月底前',
      'draw.disciplineSupervision': '采取摇号方式，在住建局纪检部门监督下',
      'draw.signedRecord': '书面记录抽查过程，并经现场参加人员签字后存档，同时接受社会监督',
      followUpDispositions: '对抽查过程中发现存在违法违规行为的，应当依法依规作出相应处理',
      'kpi.publicationRateBp': '已实施检查但未进行公示的，视为未完成抽查检查',
    },
    notes: {
      'rounds.defaultRatioBp': '方案要求“合理确定、动态调整抽查比例、频次”，未定比例；取阜平方案每次 3%',
    },
  },
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: plain objects merge key by key; arrays, scalars, null and atomic settings replace. */
function deepMerge<T>(base: T, over: unknown, path = ''): T {
  if (!isPlainObject(base) || !isPlainObject(over) || ATOMIC_PATHS.has(path)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const child = path ? `${path}.${k}` : k;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v, child) : v;
  }
  return out as T;
}

function buildPreset(spec: PresetSpec): PolicyProfile {
  const settings = deepMerge(structuredClone(DEFAULTS), structuredClone(spec.settings));
  const citations: Record<string, Citation> = {};
  for (const path of settingPaths(settings as unknown as Record<string, unknown>)) {
    const quote = spec.cite[path];
    if (quote) citations[path] = { kind: 'seed', file: spec.document.file, quote };
    else citations[path] = { kind: 'default', note: spec.notes?.[path] || DEFAULT_NOTES[path] || '系统默认' };
  }
  for (const path of Object.keys(spec.cite)) {
    if (!citations[path]) throw new Error(`preset ${spec.id}: citation for unknown setting ${path}`);
  }
  return parseProfile({
    id: spec.id,
    name: spec.name,
    issuer: spec.issuer,
    document: spec.document,
    basedOn: null,
    ...settings,
    citations,
  });
}

const PRESETS: ReadonlyMap<string, PolicyProfile> = new Map(SPECS.map((s) => [s.id, deepFreeze(buildPreset(s))]));
export const PRESET_IDS: readonly string[] = SPECS.map((s) => s.id);

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** A preset by id (a mutable copy); throws `UnknownPresetError`. */
export function getPreset(id: string): PolicyProfile {
  const preset = PRESETS.get(id);
  if (!preset) throw new UnknownPresetError(id);
  return structuredClone(preset);
}

/** All presets (mutable copies), in seed order. */
export function listPresets(): PolicyProfile[] {
  return [...PRESETS.values()].map((x) => structuredClone(x));
}

/**
 * A profile with a department's overrides applied (deep merge: objects merge, arrays and scalars
 * replace), validated. Overridden settings get `{ kind: 'override' }` citations unless the
 * overrides bring their own `citations` for them. Throws `ProfileValidationError` (Chinese,
 * field-named) on unknown keys or invalid values.
 */
export function mergeProfile(preset: PolicyProfile | string, overrides: unknown): PolicyProfile {
  const base = typeof preset === 'string' ? getPreset(preset) : structuredClone(preset);
  if (overrides === undefined || overrides === null) return parseProfile(base);
  if (!isPlainObject(overrides)) {
    throw new ProfileValidationError([{ path: '', field: '配置', message: '配置覆盖应为对象' }]);
  }
  const { citations: overrideCitations, ...rest } = overrides;
  const merged = deepMerge(base, structuredClone(rest)) as PolicyProfile;
  const citations: Record<string, unknown> = { ...base.citations };
  // Unknown keys get no citation here; validation rejects them by name.
  for (const path of settingPaths(rest)) {
    if (path in base.citations) citations[path] = { kind: 'override', note: '部门配置覆盖了预设值' };
  }
  if (isPlainObject(overrideCitations)) Object.assign(citations, overrideCitations);
  const profile = { ...merged, basedOn: base.basedOn ?? base.id, citations };
  return parseProfile(profile);
}

// ---------------------------------------------------------------- helpers for jobs and checks

/** How a calendar-date deadline moves when it falls on a non-working day. */
function adjustCalendarDate(profile: PolicyProfile, d: IsoDate, calendar: Calendar): IsoDate {
  switch (profile.deadlines.calendarDateOnNonWorkingDay) {
    case 'previous-working-day':
      return calendar.previousWorkingDayOnOrBefore(d);
    case 'next-working-day':
      return calendar.nextWorkingDayOnOrAfter(d);
    case 'as-is':
      return d;
  }
}

/** Due date of the monthly report for (year, month): day `dueDay` of that month, adjusted. */
export function monthlyReportDueDate(profile: PolicyProfile, year: number, month: number, calendar: Calendar = defaultCalendar): IsoDate {
  return adjustCalendarDate(profile, isoDate(year, month, profile.reports.monthly.dueDay), calendar);
}

/** When the liaison is reminded of the monthly report for (year, month). */
export function monthlyReportReminderDate(profile: PolicyProfile, year: number, month: number, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.subtractWorkingDays(monthlyReportDueDate(profile, year, month, calendar), profile.reports.monthly.reminderLeadWorkingDays);
}

export interface QuarterlyDue {
  /** The quarter the summary covers. */
  quarter: number;
  /** The date as written in the plan (e.g. 2026-10-01 for "10月1日前"). */
  nominal: IsoDate;
  dueDate: IsoDate;
  reminderDate: IsoDate;
}

/**
 * Quarterly summary due dates of a year. For `lastWorkingDayOfQuarter` the due date is that day;
 * for fixed dates ("4月1日、6月20日、10月1日、12月16日前") it is the date read inclusively and moved
 * per `calendarDateOnNonWorkingDay` (10-01 is always a holiday → the last working day of September).
 * The reminder goes `reminderLeadWorkingDays` working days before the due date.
 */
export function quarterlySummaryDueDates(profile: PolicyProfile, year: number, calendar: Calendar = defaultCalendar): QuarterlyDue[] {
  const q = profile.reports.quarterly;
  const rows =
    q.rule.kind === 'lastWorkingDayOfQuarter'
      ? [1, 2, 3, 4].map((quarter) => {
          const nominal = calendar.lastWorkingDayOfQuarter(year, quarter);
          return { quarter, nominal, dueDate: nominal };
        })
      : q.rule.dates.map(({ quarter, monthDay }) => {
          const nominal = `${year}-${monthDay}`;
          return { quarter, nominal, dueDate: adjustCalendarDate(profile, nominal, calendar) };
        });
  return rows
    .map((r) => ({ ...r, reminderDate: calendar.subtractWorkingDays(r.dueDate, q.reminderLeadWorkingDays) }))
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1));
}

/**
 * Result-entry due date: N working days after the check; where the profile says "and before the
 * round ends", no later than the round's last working day — but never before the check date.
 */
export function resultEntryDueDate(
  profile: PolicyProfile,
  checkDate: IsoDate,
  roundEnd: IsoDate | null | undefined,
  calendar: Calendar = defaultCalendar,
): IsoDate {
  const r = profile.deadlines.resultEntry;
  const due = calendar.addWorkingDays(checkDate, r.workingDays);
  if (!r.beforeRoundEnd || !roundEnd) return due;
  const cap = calendar.previousWorkingDayOnOrBefore(roundEnd);
  return maxDate(checkDate, minDate(due, cap));
}

/** Publication due date: N working days after the check ("完成检查之日起20个工作日内"). */
export function publicationDueDate(profile: PolicyProfile, checkDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.addWorkingDays(checkDate, profile.deadlines.publication.workingDays);
}

/** Follow-up due date: N working days after the follow-up arises ("后续处置信息产生后20个工作日内"). */
export function followUpDueDate(profile: PolicyProfile, arisenDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.addWorkingDays(arisenDate, profile.deadlines.followUp.workingDays);
}

export type DeadlineKind = 'resultEntry' | 'publication' | 'followUp';

/** The day the reminder for a deadline of this kind is sent. */
export function deadlineReminderDate(profile: PolicyProfile, kind: DeadlineKind, dueDate: IsoDate, calendar: Calendar = defaultCalendar): IsoDate {
  return calendar.subtractWorkingDays(dueDate, profile.deadlines[kind].reminderLeadWorkingDays);
}

/**
 * Escalation days of a missed due date: the first working day after it (to the inspector and the
 * section head), and `escalateToLeadershipAfterWorkingDays` working days after that (to leadership).
 */
export function escalationDates(profile: PolicyProfile, dueDate: IsoDate, calendar: Calendar = defaultCalendar): { first: IsoDate; leadership: IsoDate } {
  const first = calendar.addWorkingDays(dueDate, 1);
  return { first, leadership: calendar.addWorkingDays(first, profile.deadlines.escalateToLeadershipAfterWorkingDays) };
}

/** Deadline for publishing the annual plan of `planYear` (calendar date, adjusted like other dates). */
export function annualPlanDueDate(profile: PolicyProfile, planYear: number, calendar: Calendar = defaultCalendar): IsoDate {
  const { yearOffset, month, day } = profile.annualPlan.publishBy;
  const y = planYear + yearOffset;
  return adjustCalendarDate(profile, isoDate(y, month, day === 'last' ? daysInMonth(y, month) : day), calendar);
}

/**
 * The key-enterprise ratio for a task in `month` (1–12): the highest ratio of the windows that
 * contain the month (the fuping windows overlap; the stricter one wins), else `defaultRatioBp`
 * (null = use the task's own ratio).
 */
export function keyEnterpriseRatioBp(profile: PolicyProfile, month: number): number | null {
  let best: number | null = null;
  for (const w of profile.keyEnterprises.windows) {
    if (month >= w.fromMonth && month <= w.toMonth && (best === null || w.ratioBp > best)) best = w.ratioBp;
  }
  return best ?? profile.keyEnterprises.defaultRatioBp;
}

export type ResultCodesCheck =
  | { ok: true; problem: boolean; requiresDescription: boolean; requiresFollowUp: boolean; phrases: ResultPhrase[] }
  | { ok: false; reasons: string[] };

/** Checks a combination of result codes against the profile's phrase list (Chinese reasons). */
export function checkResultCodes(profile: { readonly resultPhrases: readonly ResultPhrase[] }, codes: readonly string[]): ResultCodesCheck {
  const byCode = new Map(profile.resultPhrases.map((x) => [x.code, x]));
  const reasons: string[] = [];
  const label = (c: string) => `${c} ${byCode.get(c)?.text ?? ''}`.trim();
  if (codes.length === 0) return { ok: false, reasons: ['请至少选择一项抽查结果'] };
  const seen = new Set<string>();
  for (const c of codes) {
    if (!byCode.has(c)) reasons.push(`结果代码“${c}”不在本部门的结果表述清单中`);
    else if (seen.has(c)) reasons.push(`结果代码“${c}”重复`);
    seen.add(c);
  }
  if (reasons.length) return { ok: false, reasons };
  const chosen = [...seen].map((c) => byCode.get(c)!);
  for (const ph of chosen) {
    if (ph.exclusive && chosen.length > 1) reasons.push(`“${label(ph.code)}”只能单独选择`);
  }
  chosen.forEach((a, i) => {
    for (const b of chosen.slice(i + 1)) {
      if (a.excludes.includes(b.code) || b.excludes.includes(a.code)) {
        reasons.push(`“${label(a.code)}”与“${label(b.code)}”不能同时选择`);
      }
    }
  });
  for (const ph of chosen) {
    if (ph.requiresAnyOf.length && !ph.requiresAnyOf.some((c) => seen.has(c))) {
      reasons.push(`选择“${label(ph.code)}”时须同时选择${ph.requiresAnyOf.map((c) => `“${label(c)}”`).join('或')}`);
    }
  }
  if (reasons.length) return { ok: false, reasons: [...new Set(reasons)] };
  return {
    ok: true,
    problem: chosen.some((x) => x.problem),
    requiresDescription: chosen.some((x) => x.requiresDescription),
    requiresFollowUp: chosen.some((x) => x.requiresFollowUp),
    phrases: chosen,
  };
}
