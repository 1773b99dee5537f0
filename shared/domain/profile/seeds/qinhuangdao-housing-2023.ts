/** Preset transcribing docs/seeds/qinhuangdao-housing-2023.txt: settings that differ from the defaults, each cited verbatim. */
import type { PresetSpec } from '../defaults.js';

export const qinhuangdaoHousing2023: PresetSpec = {
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
};
