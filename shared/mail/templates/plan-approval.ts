/**
 * Plan-approval request to the department leader: the task plan form (乌海市住建局双随机抽查计划表
 * fields: 牵头科室, 本系统联合检查科室, 跨部门联合检查部门, 抽查任务名称, 抽查类别, 抽查事项
 * (一般/重点), 抽查对象, 抽查依据, 抽查时间, 市场主体抽查比例, 检查人员范围) with approve and
 * reject links (each opens a confirmation page; only its POST acts).
 */
import { formatBp, TARGET_KIND_LABELS, type PlanTask } from '../../domain/schemas.js';
import { keyStratumDrawn } from '../../domain/sampling.js';
import {
  SUBJECT_PREFIX,
  TextBuilder,
  button,
  callout,
  fmtDate,
  fmtWindow,
  heading,
  html,
  joinCn,
  kvTable,
  list,
  note,
  para,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface PlanApprovalMail {
  leader: PersonRef;
  departmentName: string;
  requestedBy: PersonRef;
  plan: { title: string; year: number; version: number; reason?: string | undefined };
  task: PlanTask;
  /** Item id → name (抽查事项). */
  itemNames: Readonly<Record<string, string>>;
  /** Department id → name (跨部门联合检查部门, 检查人员范围). */
  departmentNames: Readonly<Record<string, string>>;
  /** Candidates in the pool at the time of the request, when known. */
  poolSize?: number | undefined;
  /** The task's approval in the console (`…/console#/approve/<taskId>`): it signs in (MFA in AWS) first. */
  consoleUrl: string;
  /** Approve before this date for the draw to happen on time. */
  respondBy?: string | undefined;
}


/** 抽查对象: the target scope as a sentence. */
export function describeScope(scope: PlanTask['scope']): string {
  const parts: string[] = [];
  if (scope.kinds.length) parts.push(`主体类型：${scope.kinds.map((k) => TARGET_KIND_LABELS[k] ?? k).join('、')}`);
  if (scope.jurisdictions.length) parts.push(`辖区：${scope.jurisdictions.join('、')}`);
  if (scope.industries.length) parts.push(`行业：${scope.industries.join('、')}`);
  if (scope.tags.length) parts.push(`标签：${scope.tags.join('、')}`);
  parts.push(`信用风险分类：${scope.riskClasses.length ? scope.riskClasses.join('、') : '无'}类`);
  return parts.join('；');
}

/** 市场主体抽查比例 by risk class, and the key-enterprise ratio. */
export function describeRatios(task: PlanTask): string {
  const r = task.ratiosBp;
  const classes = (['A', 'B', 'C', 'D'] as const).filter((c) => task.scope.riskClasses.includes(c));
  const parts = classes.map((c) => `${c}类 ${formatBp(r[c])}`);
  parts.push(`重点企业 ${keyStratumDrawn(task.keyRatioBp) ? '全部抽取（100%）' : formatBp(task.keyRatioBp)}`);
  return parts.join('，');
}

/** The plan form rows (label, value) in the order of the 抽查计划表. */
export function planFormRows(d: Pick<PlanApprovalMail, 'task' | 'itemNames' | 'departmentNames'>): [string, string][] {
  const t = d.task;
  const item = (id: string) => d.itemNames[id] ?? id;
  const dept = (id: string) => d.departmentNames[id] ?? id;
  const items = [
    t.items.general.length ? `一般检查事项：${t.items.general.map(item).join('、')}` : '',
    t.items.key.length ? `重点检查事项：${t.items.key.map(item).join('、')}` : '',
  ].filter(Boolean);
  const is = t.inspectorScope;
  return [
    ['牵头科室', t.leadSection],
    ['本系统联合检查科室', joinCn(t.jointSections, '无')],
    ['跨部门联合检查部门', joinCn(t.jointDepartments.map(dept), '无')],
    ['抽查任务名称', t.name],
    ['抽查类别', t.category],
    ['抽查事项', items.join('；') || '—'],
    ['抽查对象', describeScope(t.scope)],
    ['抽查依据', t.legalBasis],
    ['抽查时间', fmtWindow(t.window)],
    ['抽取日期', fmtDate(t.drawDate)],
    ['市场主体抽查比例', describeRatios(t)],
    [
      '检查人员范围',
      [`部门：${is.departments.map(dept).join('、')}`, is.sections.length ? `科室：${is.sections.join('、')}` : '', is.specialties.length ? `专业领域：${is.specialties.join('、')}` : '']
        .filter(Boolean)
        .join('；'),
    ],
  ];
}

export function renderPlanApprovalRequest(d: PlanApprovalMail): RenderedMail {
  const t = d.task;
  const rows = planFormRows(d);
  const subject = `${SUBJECT_PREFIX}抽查任务待审批：${t.name}`;
  const intro = `${d.leader.name}：${d.requestedBy.name}提交了${d.plan.year}年度抽查计划“${d.plan.title}”（第 ${d.plan.version} 版）中的抽查任务，请审批。`;
  const body = html`${para(intro)}${d.plan.reason ? callout(html`<strong>计划调整理由：</strong>${d.plan.reason}`, 'warn') : ''}${heading('抽查计划表')}${kvTable(rows)}${
    d.poolSize !== undefined ? note(`按当前名录库，符合抽查对象范围的检查对象共 ${d.poolSize} 户（抽取时以冻结的名录为准）。`) : ''
  }${d.respondBy ? para(html`请于 <strong>${fmtDate(d.respondBy)}</strong> 前审批，以便按期抽取。`) : ''}<div style="margin:16px 0">${button(d.consoleUrl, '登录工作台审批')}</div>${list([
    '审批须登录工作台（随机 · 双随机、一公开工作台）后办理：批准或退回都是有法律效力的行为，邮件链接本身不能审批，转发本邮件也不会让他人获得审批权限。',
    '同意后，系统将在抽取日期冻结检查对象名录并公开抽取。',
  ])}`;
  const text = new TextBuilder().line(intro);
  if (d.plan.reason) text.blank().kv('计划调整理由', d.plan.reason);
  text.heading('抽查计划表').kvs(rows);
  if (d.poolSize !== undefined) text.blank().line(`按当前名录库，符合抽查对象范围的检查对象共 ${d.poolSize} 户（抽取时以冻结的名录为准）。`);
  if (d.respondBy) text.blank().line(`请于 ${fmtDate(d.respondBy)} 前审批。`);
  text.heading('审批').kv('登录工作台审批', d.consoleUrl).line('（审批须登录工作台后办理，邮件链接本身不能审批。）');
  textFooter(text);
  return {
    subject,
    html: shell({ title: `抽查任务待审批：${t.name}`, preheader: intro, department: d.departmentName, body }),
    text: text.toString(),
  };
}
