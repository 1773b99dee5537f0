/** Preset transcribing docs/seeds/wuhai-housing-2019.txt: settings that differ from the defaults, each cited verbatim. */
import { CHECK_METHODS } from '../../schemas.js';
import type { PresetSpec } from '../defaults.js';

export const wuhaiHousing2019: PresetSpec = {
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
};
