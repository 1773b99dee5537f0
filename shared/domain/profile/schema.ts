/**
 * The policy profile schema: every rule number of the seed plans is a setting of a department's
 * profile, validated by the zod schema `PolicyProfile`, whose messages are Chinese and name the
 * field. Each setting has an entry in `citations`:
 *   - `{ kind: 'seed', file, quote }`  the value comes from the seed; `quote` is a verbatim excerpt
 *     (line breaks of the source removed; "…" joins excerpts that are apart in the source);
 *   - `{ kind: 'default', note }`      the seed is silent; the note says why this default;
 *   - `{ kind: 'override', note }`     a department changed it (set by `mergeProfile`).
 * Validation requires a citation for every setting, so a new setting cannot ship unexplained.
 * Shares, ratios and KPI targets are basis points (10000 = 100%); `null` = the seed sets no target.
 *
 * The presets transcribing the five seed plans are in `./seeds/` (built in `./presets.ts`); the
 * rules computed from a profile live in their own modules: `../deadlines.ts`, `../report-dates.ts`,
 * `../sampling.ts`, `../phrases.ts`.
 */
import { z } from 'zod';
import { daysInMonth } from '../calendar.js';
import { CHECK_METHODS } from '../schemas.js';
import { standardPhrase } from '../phrases.js';
import { DomainError } from '../errors.js';
import { LIMITS, tooLongMessage } from '../limits.js';

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
  'draw.minWitnesses': '抽取仪式见证人最少人数',
  'draw.disciplineSupervision': '抽取是否须纪检部门监督',
  'draw.signedRecord': '抽取过程是否须书面记录并经在场人员签字存档',
  'draw.beacon': '抽取公共随机信标',
  cooldownDays: '同一对象同类抽查间隔天数',
  resultPhrases: '抽查结果表述',
  followUpDispositions: '后续处置方式',
  'kpi.publicationRateBp': '抽查结果公示率目标',
  'kpi.onTimeEntryRateBp': '结果按时录入率目标',
  'kpi.onTimePublicationRateBp': '结果按时公示率目标',
  'kpi.followUpClosureRateBp': '后续处置完结率目标',
};

/** Paths whose value is one setting although it is an object. */
export const ATOMIC_PATHS: ReadonlySet<string> = new Set(['reports.quarterly.rule', 'annualPlan.publishBy']);
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
  z.string({ error: typeErr(label, '文字') }).trim().min(1, { error: `${label}不能为空` }).max(LIMITS.text, { error: `${label}${tooLongMessage(LIMITS.text)}` });

const obj = <T extends z.core.$ZodLooseShape>(label: string, shape: T) => z.strictObject(shape, { error: objErr(label) });


// ---------------------------------------------------------------- schema pieces

export const REPORT_LAYOUTS = ['qinhuangdao-housing-2023', 'shijiazhuang-changan-2024'] as const;
/** Where a v2 draw's public randomness comes from (docs/DRAW.md §11). */
export const DRAW_BEACONS = ['drand-quicknet', 'index-close', 'both'] as const;
export type DrawBeaconChoice = (typeof DRAW_BEACONS)[number];
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

const ResultPhraseShape = obj('抽查结果表述', {
  code: PhraseCode,
  text: str('结果表述'),
  /** The check found nothing wrong (1 未发现问题): the checked items pass. */
  passed: bool('是否表示未发现问题'),
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
/**
 * A result phrase. Phrase lists a department stored before `passed` existed read it from the
 * standard phrase of the same code (BRIEF §2: 1 未发现问题), else false.
 */
export const ResultPhrase = z.preprocess(
  (v) => (isPlainObject(v) && v.passed === undefined && typeof v.code === 'string' ? { ...v, passed: standardPhrase(v.code)?.passed ?? false } : v),
  ResultPhraseShape,
);
export type ResultPhrase = z.infer<typeof ResultPhraseShape>;

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
    minWitnesses: int(L('draw.minWitnesses'), 1, 20),
    disciplineSupervision: bool(L('draw.disciplineSupervision')),
    signedRecord: bool(L('draw.signedRecord')),
    beacon: z.enum(DRAW_BEACONS, {
      error: `${L('draw.beacon')}应为 drand-quicknet（drand 公共随机信标）、index-close（下一交易日上证指数、深证成指收盘点位，两人分别录入）或 both（两者并用）`,
    }),
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
    if (ph.passed && (ph.problem || ph.requiresFollowUp)) {
      issue(['resultPhrases', i, 'passed'], `结果代码“${ph.code}”表示未发现问题，不能同时属于发现问题或须后续处置`);
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

export class ProfileValidationError extends DomainError {
  declare readonly issues: ProfileIssue[];
  constructor(issues: ProfileIssue[]) {
    super('invalid', `配置有误：${issues.map((i) => i.message).join('；')}`, { issues, reason: 'ValidationError' });
    this.name = 'ProfileValidationError';
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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
