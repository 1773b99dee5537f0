/** Preset transcribing docs/seeds/qinhuangdao-samr-2023.txt: settings that differ from the defaults, each cited verbatim. */
import type { PresetSpec } from '../defaults.js';

export const qinhuangdaoSamr2023: PresetSpec = {
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
};
