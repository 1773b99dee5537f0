/**
 * Monthly / quarterly summary to the department leadership: the KPIs against the profile
 * targets with what is off target marked, the main figures (period and year to date), for a
 * quarter the overdue items by section, and the report form as an XLSX attachment.
 * (`buildLeadershipSummary` in reports/summary.ts computes the KPIs and the workbook.)
 */
import { kpiVerdict, renderKpiTable, type KpiRow } from '../../reports/kpi.js';
import { describePeriod, totalChannel, type ReportStats } from '../../reports/stats.js';
import { DEADLINE_LABELS } from '../../domain/deadlines.js';
import {
  SUBJECT_PREFIX,
  TextBuilder,
  button,
  callout,
  dataTable,
  fmtDate,
  heading,
  html,
  joinCn,
  kvTable,
  list,
  para,
  raw,
  shell,
  textFooter,
  type MailAttachment,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface LeadershipSummaryMail {
  recipient: PersonRef;
  departmentName: string;
  stats: ReportStats;
  kpis: readonly KpiRow[];
  /** The filled report form (XLSX). */
  attachment: MailAttachment;
  dashboardUrl?: string | undefined;
  /** What waits for the department's leaders on the day the summary is sent (plan forms, late launches, resumes, re-draws). */
  pendingDecisions?: readonly { taskId: string; taskName: string; label: string; reason?: string | undefined }[] | undefined;
}

export function renderLeadershipSummary(d: LeadershipSummaryMail): RenderedMail {
  const s = d.stats;
  const quarter = s.period.kind === 'quarter';
  const periodText = describePeriod(s.period);
  const verdict = kpiVerdict(d.kpis);
  const ytd = totalChannel(s.yearToDate);
  const cur = totalChannel(s.current);
  const overdueCount = s.overdue.reduce((n, x) => n + x.items.length, 0);
  const subject = `${SUBJECT_PREFIX}${periodText}“双随机、一公开”监管${quarter ? '季度' : '月度'}汇总（${d.departmentName}）：${verdict.headline}`;
  const intro = `${d.recipient.name}：现将${d.departmentName}${periodText}“双随机、一公开”监管工作情况报告如下（本年度累计至${fmtDate(s.range.end)}）。${quarter ? '季度报表' : '月报表'}见附件“${d.attachment.filename}”。`;
  const figures: [string, string][] = [
    [quarter ? '本季度抽查' : '本月抽查', `${cur.all.tasks} 次，${cur.all.targets} 户，发现问题 ${cur.all.problemTargets} 户`],
    ['本年累计抽查', `${ytd.all.tasks} 次，${ytd.all.targets} 户，发现问题 ${ytd.all.problemTargets} 户`],
    ['其中部门联合（跨部门）', `${ytd.crossDepartment.tasks} 次，${ytd.crossDepartment.targets} 户`],
    ['其中部门内部联合', `${ytd.internalJoint.tasks} 次，${ytd.internalJoint.targets} 户`],
    ['利用信用风险分级分类', `${ytd.creditRisk.tasks} 次，${ytd.creditRisk.targets} 户`],
    ['本年累计结果公示', `${s.timeliness.published} 户`],
    ['逾期未完成事项', `${overdueCount} 项`],
    ['待领导审批事项', `${d.pendingDecisions?.length ?? 0} 项`],
  ];
  const decisions = d.pendingDecisions ?? [];
  const decisionLine = (x: (typeof decisions)[number]): string => `${x.label}：${x.taskName}（${x.taskId}）${x.reason ? `，理由：${x.reason}` : ''}`;
  const kpiTable = renderKpiTable(d.kpis);
  const sections = s.overdue.filter((x) => x.items.length);
  const overdueHtml = quarter
    ? html`${heading(`逾期事项（按科室，${overdueCount} 项）`)}${
        sections.length
          ? html`${dataTable(
              ['科室', '逾期事项', '最长逾期', '责任人'],
              sections.map((x) => [
                x.section,
                `${x.items.length} 项（${Object.entries(DEADLINE_LABELS)
                  .map(([k, n]) => [n, x.items.filter((i) => i.kind === k).length] as const)
                  .filter(([, c]) => c > 0)
                  .map(([n, c]) => `${n} ${c}`)
                  .join('，')}）`,
                `${Math.max(...x.items.map((i) => i.overdueWorkingDays))} 个工作日`,
                joinCn([...new Set(x.items.flatMap((i) => i.responsible))]),
              ]),
              { badRows: new Set(sections.map((_, i) => i)) },
            )}${para('明细见附件“逾期事项”工作表。', 'color:#667085;font-size:12px')}`
          : para('无逾期事项。')
      }`
    : '';
  const body = html`${para(intro)}${callout(verdict.sentence, verdict.status === '未达标' ? 'bad' : verdict.status === '达标' ? 'info' : 'warn')}${heading('主要数据')}${kvTable(figures)}${
    decisions.length ? html`${heading(`待您审批的事项（${decisions.length} 项）`)}${list(decisions.map(decisionLine))}` : ''
  }${heading('考核指标（本年累计）')}${raw(kpiTable.html)}${overdueHtml}${
    d.dashboardUrl ? html`<div style="margin:12px 0">${button(d.dashboardUrl, '查看详细情况')}</div>` : ''
  }`;

  const text = new TextBuilder().line(intro);
  text.blank().line(verdict.sentence);
  text.heading('主要数据').kvs(figures);
  if (decisions.length) {
    text.heading(`待您审批的事项（${decisions.length} 项）`);
    for (const x of decisions) text.line(`  - ${decisionLine(x)}`);
  }
  text.heading('考核指标（本年累计）');
  for (const l of kpiTable.text.split('\n')) text.line(l);
  if (quarter) {
    text.heading(`逾期事项（按科室，${overdueCount} 项）`);
    if (!sections.length) text.line('无逾期事项。');
    for (const x of sections) {
      text.line(`${x.section}：${x.items.length} 项，最长逾期 ${Math.max(...x.items.map((i) => i.overdueWorkingDays))} 个工作日`);
      for (const i of x.items) text.line(`  - ${i.targetName}（${i.uscc}）${DEADLINE_LABELS[i.kind]}逾期 ${i.overdueWorkingDays} 个工作日，责任人：${joinCn(i.responsible)}`);
    }
  }
  if (d.dashboardUrl) text.blank().kv('详细情况', d.dashboardUrl);
  text.blank().line(`附件：${d.attachment.filename}`);
  textFooter(text);
  return {
    subject,
    html: shell({ title: `${periodText}“双随机、一公开”监管${quarter ? '季度' : '月度'}汇总`, preheader: verdict.headline, department: d.departmentName, body }),
    text: text.toString(),
    attachments: [d.attachment],
  };
}
