/** Preset transcribing docs/seeds/fuping-housing-2021.txt: settings that differ from the defaults, each cited verbatim. */
import { CHECK_METHODS } from '../../schemas.js';
import type { PresetSpec } from '../defaults.js';

export const fupingHousing2021: PresetSpec = {
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
};
