/**
 * What a preset starts from: the values used where a seed is silent, each with the note shown as
 * its citation, the standard follow-up dispositions, and the shape of a preset (`PresetSpec`).
 */
import type { FollowUpDisposition, PolicyProfile } from './schema.js';
import { CHECK_METHODS } from '../schemas.js';
import { STANDARD_RESULT_PHRASES } from '../phrases.js';

export const STANDARD_DISPOSITIONS: readonly FollowUpDisposition[] = [
  { code: 'order-correction', name: '责令改正' },
  { code: 'case-clue', name: '移交案件线索' },
  { code: 'notify-department', name: '抄告相关部门' },
  { code: 'judicial-referral', name: '移送司法机关' },
  { code: 'other', name: '其他' },
];

export type Settings = Omit<PolicyProfile, 'id' | 'name' | 'issuer' | 'document' | 'basedOn' | 'citations'>;

/** Values used where a seed is silent, with the reason shown as the citation note. */
export const DEFAULTS: Settings = {
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
  draw: { minWitnesses: 2, disciplineSupervision: false, signedRecord: false, beacon: 'drand-quicknet' },
  cooldownDays: 180,
  resultPhrases: STANDARD_RESULT_PHRASES.map((x) => ({ ...x, excludes: [...x.excludes], requiresAnyOf: [...x.requiresAnyOf] })),
  followUpDispositions: STANDARD_DISPOSITIONS.map((x) => ({ ...x })),
  kpi: { publicationRateBp: 10_000, onTimeEntryRateBp: 10_000, onTimePublicationRateBp: 10_000, followUpClosureRateBp: 10_000 },
};

export const DEFAULT_NOTES: Record<string, string> = {
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
  'draw.minWitnesses': '方案未规定见证人数；系统默认至少 2 名见证人，一人失误或缺席时抽取仍有他人见证',
  'draw.disciplineSupervision': '方案未要求纪检监督抽取；抽取记录仍按系统规则公开、可复核',
  'draw.signedRecord': '方案未要求签字的书面记录；抽取记录仍按系统规则公开、可复核',
  'draw.beacon': '方案未规定公共随机信标；系统默认采用 drand quicknet（无需人工录入，离线可验证；本地平台为本地测试信标）。可改为下一交易日上证指数、深证成指收盘点位（两人分别录入），或两者并用',
  cooldownDays: '方案未规定；系统默认同一对象同类抽查间隔 180 天，以减少对经营主体的干扰',
  resultPhrases: '方案未列出结果表述；采用市场监管部门抽查结果标准表述',
  followUpDispositions: '方案未列出处置方式；采用责令改正、移交案件线索、抄告相关部门、移送司法机关、其他',
  'kpi.publicationRateBp': '系统默认：抽查结果 100% 公示',
  'kpi.onTimeEntryRateBp': '系统默认：结果 100% 按时录入',
  'kpi.onTimePublicationRateBp': '系统默认：结果 100% 按时公示',
  'kpi.followUpClosureRateBp': '系统默认：后续处置 100% 完结',
};

export interface PresetSpec {
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

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
