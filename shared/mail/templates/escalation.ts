/**
 * Escalation digest for missed deadlines. Level `first` goes, on the first working day after a
 * miss, to the responsible inspector and the section head; level `leadership` goes to the
 * department leadership after the profile's further working days. Lists what is overdue, by
 * how many working days, and who is responsible, grouped by section.
 */
import { DEADLINE_LABELS } from '../../domain/deadlines.js';
import type { OverdueItem } from '../../reports/stats.js';
import {
  SUBJECT_PREFIX,
  TextBuilder,
  callout,
  dataTable,
  fmtDate,
  fmtDateWeekday,
  heading,
  html,
  joinCn,
  link,
  para,
  shell,
  textFooter,
  type PersonRef,
  type RenderedMail,
} from './layout.js';

export interface OverdueEntry extends OverdueItem {
  section: string;
  url?: string | undefined;
}

export interface EscalationMail {
  level: 'first' | 'leadership';
  recipient: PersonRef;
  departmentName: string;
  today: string;
  entries: OverdueEntry[];
  /** Profile setting, quoted in the first-level mail ("after N more working days leadership is told"). */
  leadershipAfterWorkingDays?: number | undefined;
}

export function renderEscalationDigest(d: EscalationMail): RenderedMail {
  const entries = [...d.entries].sort(
    (a, b) => a.section.localeCompare(b.section, 'zh') || b.overdueWorkingDays - a.overdueWorkingDays || a.dueDate.localeCompare(b.dueDate) || a.uscc.localeCompare(b.uscc),
  );
  const sections = [...new Set(entries.map((e) => e.section))];
  const max = Math.max(0, ...entries.map((e) => e.overdueWorkingDays));
  const subject =
    d.level === 'leadership'
      ? `${SUBJECT_PREFIX}逾期事项报告：${entries.length} 项逾期，最长 ${max} 个工作日（${d.departmentName}）`
      : `${SUBJECT_PREFIX}逾期提醒：${entries.length} 项已超过期限`;
  const intro =
    d.level === 'leadership'
      ? `${d.recipient.name}：截至 ${fmtDateWeekday(d.today)}，${d.departmentName}有 ${entries.length} 项工作逾期未完成，已提醒责任人和科室负责人，现报告如下。`
      : `${d.recipient.name}：截至 ${fmtDateWeekday(d.today)}，以下 ${entries.length} 项工作已超过期限仍未完成，请立即办理。`;
  const consequence =
    d.level === 'first' && d.leadershipAfterWorkingDays
      ? `如再过 ${d.leadershipAfterWorkingDays} 个工作日仍未完成，系统将报告分管领导。已实施检查但未公示的，视为未完成抽查检查。`
      : '已实施检查但未公示的，视为未完成抽查检查。';
  const headers = ['检查对象', '统一社会信用代码', '事项', '抽查任务', '截止日期', '逾期', '责任人', ...(entries.some((e) => e.url) ? ['办理'] : [])];
  const row = (e: OverdueEntry) => [
    e.targetName,
    e.uscc,
    DEADLINE_LABELS[e.kind],
    e.taskName,
    fmtDate(e.dueDate),
    `${e.overdueWorkingDays} 个工作日`,
    joinCn(e.responsible),
    ...(headers.length > 7 ? [e.url ? link(e.url, '办理') : null] : []),
  ];
  const body = html`${para(intro)}${sections.map((s) => {
    const rows = entries.filter((e) => e.section === s);
    return html`${heading(`${s}（${rows.length} 项）`)}${dataTable(headers, rows.map(row), { badRows: new Set(rows.map((_, i) => i)) })}`;
  })}${callout(consequence, 'bad')}`;

  const text = new TextBuilder().line(intro);
  for (const s of sections) {
    text.heading(`${s}（${entries.filter((e) => e.section === s).length} 项）`);
    entries
      .filter((e) => e.section === s)
      .forEach((e, i) => {
        text.line(`${i + 1}. ${e.targetName}（${e.uscc}）— ${DEADLINE_LABELS[e.kind]}逾期 ${e.overdueWorkingDays} 个工作日`);
        text.kv('抽查任务', e.taskName, '   ').kv('截止日期', fmtDate(e.dueDate), '   ').kv('责任人', joinCn(e.responsible), '   ');
        if (e.url) text.kv('办理', e.url, '   ');
      });
  }
  text.blank().line(consequence);
  textFooter(text);
  return {
    subject,
    html: shell({ title: d.level === 'leadership' ? '逾期事项报告' : '逾期提醒', preheader: intro, department: d.departmentName, body }),
    text: text.toString(),
  };
}
