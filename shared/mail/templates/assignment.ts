/**
 * Assignment notice to one team member after the draw: every target they are matched to, with
 * USCC, address, items, window, check methods, the team and its leader, a link to the target's
 * one-form-per-target sheet (一企一表) and a link to its printable page.
 */
import {
  SUBJECT_PREFIX,
  TextBuilder,
  callout,
  fmtDate,
  fmtWindow,
  heading,
  html,
  joinCn,
  kvTable,
  link,
  list,
  para,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface TeamMember {
  name: string;
  /** Team leader (组长) of this target's team. */
  leader?: boolean | undefined;
  section?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
}

export interface AssignedTarget {
  uscc: string;
  name: string;
  address?: string | undefined;
  contact?: { person?: string | undefined; phone?: string | undefined } | undefined;
  items: { name: string; content?: string | undefined; key?: boolean | undefined }[];
  methods: string[];
  team: TeamMember[];
  /** The 一企一表 sheet (record form) of this target. */
  sheetUrl: string;
  /** Printable page of the sheet (to take on site). */
  printUrl: string;
  /** Result entry due date when already known (e.g. the end of the window). */
  dueDate?: string | undefined;
}

export interface AssignmentMail {
  recipient: PersonRef;
  departmentName: string;
  task: { taskId: string; name: string; window: { start: string; end: string }; leadSection: string; legalBasis?: string | undefined };
  targets: AssignedTarget[];
  /** Draw record (public), for reference. */
  drawRecordUrl?: string | undefined;
  /** Minimum inspectors on site per target (profile), mentioned as a rule. */
  minInspectorsOnSite?: number | undefined;
}

const leaderOf = (t: AssignedTarget): string => t.team.find((m) => m.leader)?.name ?? '—';
const teamText = (t: AssignedTarget): string =>
  t.team.map((m) => `${m.name}${m.leader ? '（组长）' : ''}${m.section ? `·${m.section}` : ''}${m.phone ? ` ${m.phone}` : ''}`).join('、');

export function renderAssignmentNotice(d: AssignmentMail): RenderedMail {
  const n = d.targets.length;
  const subject = `${SUBJECT_PREFIX}检查任务分派：${d.task.name}（${n} 户）`;
  const intro = `${d.recipient.name}：经随机抽取和随机匹配，您被选派参加抽查任务“${d.task.name}”，负责以下 ${n} 个检查对象。请在抽查时间内按“一企一表”实施检查，检查后及时录入结果。`;
  const rules = [
    `抽查时间：${fmtWindow(d.task.window)}`,
    d.minInspectorsOnSite ? `实地核查时检查人员不少于 ${d.minInspectorsOnSite} 人，并出示执法证件。` : '实地核查时应出示执法证件。',
    '检查对象如与您存在利害关系，请立即向牵头科室申请回避。',
    '检查记录应由检查对象签字或盖章；拒绝签字的，注明原因，必要时请见证人签字。',
  ];
  const body = html`${para(intro)}${kvTable([
    ['抽查任务', `${d.task.name}（${d.task.taskId}）`],
    ['牵头科室', d.task.leadSection],
    ['抽查时间', fmtWindow(d.task.window)],
    ...(d.task.legalBasis ? ([['抽查依据', d.task.legalBasis]] as [string, string][]) : []),
  ])}${d.targets.map(
    (t, i) =>
      html`${heading(`${i + 1}. ${t.name}`)}${kvTable([
        ['统一社会信用代码', t.uscc],
        ['地址', t.address],
        ['联系人', t.contact ? [t.contact.person, t.contact.phone].filter(Boolean).join(' ') : undefined],
        ['检查事项', list(t.items.map((it) => html`${it.key ? '【重点】' : ''}${it.name}${it.content ? html`<br><span style="color:#667085">${it.content}</span>` : ''}`))],
        ['检查方式', joinCn(t.methods)],
        ['检查组', teamText(t)],
        ['组长', leaderOf(t)],
        ...(t.dueDate ? ([['结果录入截止', fmtDate(t.dueDate)]] as [string, string][]) : []),
        ['一企一表', html`${link(t.sheetUrl, '打开检查记录表')}　${link(t.printUrl, '打印版')}`],
      ])}`,
  )}${callout(list(rules), 'info')}${d.drawRecordUrl ? para(html`抽取过程记录：${link(d.drawRecordUrl, '查看抽取记录')}`) : ''}`;

  const text = new TextBuilder().line(intro);
  text.blank().kvs([
    ['抽查任务', `${d.task.name}（${d.task.taskId}）`],
    ['牵头科室', d.task.leadSection],
    ['抽查时间', fmtWindow(d.task.window)],
  ]);
  if (d.task.legalBasis) text.kv('抽查依据', d.task.legalBasis);
  d.targets.forEach((t, i) => {
    text.heading(`${i + 1}. ${t.name}`).kvs([
      ['统一社会信用代码', t.uscc],
      ['地址', t.address],
      ['联系人', t.contact ? [t.contact.person, t.contact.phone].filter(Boolean).join(' ') : undefined],
    ]);
    text.line('检查事项：');
    for (const it of t.items) text.line(`  - ${it.key ? '【重点】' : ''}${it.name}${it.content ? `：${it.content}` : ''}`);
    text.kvs([
      ['检查方式', joinCn(t.methods)],
      ['检查组', teamText(t)],
      ['组长', leaderOf(t)],
    ]);
    if (t.dueDate) text.kv('结果录入截止', fmtDate(t.dueDate));
    text.kv('一企一表', t.sheetUrl).kv('打印版', t.printUrl);
  });
  text.heading('注意事项');
  for (const r of rules) text.line(`- ${r}`);
  if (d.drawRecordUrl) text.blank().kv('抽取过程记录', d.drawRecordUrl);
  textFooter(text);
  return {
    subject,
    html: shell({ title: `检查任务分派：${d.task.name}`, preheader: intro, department: d.departmentName, body }),
    text: text.toString(),
  };
}
