/** Preset transcribing docs/seeds/shijiazhuang-changan-2024.txt: settings that differ from the defaults, each cited verbatim. */
import type { PresetSpec } from '../defaults.js';

export const shijiazhuangChangan2024: PresetSpec = {
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
};
