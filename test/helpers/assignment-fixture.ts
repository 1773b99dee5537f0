/**
 * A Qinhuangdao housing-bureau assignment notice (two items, two methods, a two-person team) with
 * as many targets as USCCs given: the templates test renders it, the MIME benchmark composes it.
 */
import type { AssignedTarget, AssignmentMail } from '../../shared/mail/templates/assignment.js';

export function sampleAssignedTargets(usccs: readonly string[], url: (path: string) => string, nameSuffix: (i: number) => string = () => ''): AssignedTarget[] {
  return usccs.map((uscc, i) => ({
    uscc,
    name: `秦皇岛市第${i + 1}建筑有限公司${nameSuffix(i)}`,
    address: `海港区文化路 ${i + 10} 号`,
    contact: { person: '陈经理', phone: '0335-1234567' },
    items: [
      { name: '资质条件核查', content: '核查注册人员、技术负责人是否满足资质标准', key: false },
      { name: '安全生产许可证', content: '是否在有效期内', key: true },
    ],
    methods: ['书面检查', '实地核查'],
    team: [
      { name: '张三', leader: true, section: '建筑市场监管科', phone: '13800000001' },
      { name: '李四', section: '质量安全监督站' },
    ],
    sheetUrl: url(`sheet${i}aaaaaaaaaaaaaaaa`),
    printUrl: url(`print${i}aaaaaaaaaaaaaaaa`),
    dueDate: '2024-06-28',
  }));
}

export const sampleAssignmentMail = (targets: AssignedTarget[]): AssignmentMail => ({
  recipient: { name: '李四' },
  departmentName: '秦皇岛市住房和城乡建设局',
  task: { taskId: 'qhd-2024-01', name: '建筑业企业资质动态核查', window: { start: '2024-04-01', end: '2024-05-31' }, leadSection: '建筑市场监管科' },
  targets,
  minInspectorsOnSite: 2,
});
