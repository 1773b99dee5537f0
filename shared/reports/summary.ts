/**
 * The leadership summary in one call: KPIs from the profile, the workbook in the department's
 * form layout, and the e-mail with the workbook attached.
 */
import type { PolicyProfile } from '../domain/profiles.js';
import { renderLeadershipSummary, type LeadershipSummaryMail } from '../mail/templates/leadership-summary.js';
import type { PersonRef, RenderedMail } from '../mail/templates/layout.js';
import { computeKpis, type KpiRow } from './kpi.js';
import { XLSX_CONTENT_TYPE, monthlyReportXlsx, reportFileName, type ReportMeta } from './monthly-xlsx.js';
import type { ReportStats } from './stats.js';

export interface LeadershipSummaryInput {
  profile: PolicyProfile;
  stats: ReportStats;
  meta: Omit<ReportMeta, 'kpis'>;
  recipient: PersonRef;
  dashboardUrl?: string | undefined;
  pendingDecisions?: LeadershipSummaryMail['pendingDecisions'];
}

export interface LeadershipSummary {
  mail: RenderedMail;
  kpis: KpiRow[];
  xlsx: Buffer;
  filename: string;
}

export async function buildLeadershipSummary(i: LeadershipSummaryInput): Promise<LeadershipSummary> {
  const kpis = computeKpis(i.profile, i.stats);
  const xlsx = await monthlyReportXlsx(i.profile.reports.monthly.layout, i.stats, { ...i.meta, kpis });
  const filename = reportFileName(i.stats, i.meta.departmentName);
  const mail = renderLeadershipSummary({
    recipient: i.recipient,
    departmentName: i.meta.departmentName,
    stats: i.stats,
    kpis,
    attachment: { filename, contentType: XLSX_CONTENT_TYPE, content: xlsx },
    dashboardUrl: i.dashboardUrl,
    pendingDecisions: i.pendingDecisions,
  });
  return { mail, kpis, xlsx, filename };
}
