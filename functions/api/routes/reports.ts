/**
 * 统计与报表 for people: a department's KPIs for a month or quarter (numerator, denominator,
 * target, 达标/未达标/无数据), a month-by-month trend of the year, and the monthly or quarterly
 * XLSX in the department's preset layout — the same statistics and workbook the leadership
 * summary mail carries (shared/reports), computed on request.
 */
import { z } from 'zod';
import { computeReportStats } from '../../../shared/jobs/report-stats.js';
import { computeKpis } from '../../../shared/reports/kpi.js';
import { monthlyReportXlsx, reportFileName, XLSX_CONTENT_TYPE } from '../../../shared/reports/monthly-xlsx.js';
import type { ReportPeriod } from '../../../shared/reports/stats.js';
import { getProfile } from '../../../shared/services/profile.js';
import { getDepartment } from '../../../shared/store/registry.js';
import { chinaToday } from '../../../shared/domain/calendar.js';
import { parseOrThrow } from '../../../shared/domain/schemas.js';
import { now } from '../../../shared/clock.js';
import type { Request, RouteHandler } from '../../../shared/http/core.js';

const Query = z.object({
  year: z.coerce.number({ message: '年份应为数字' }).int().min(2000, { message: '年份应在 2000 至 2100 之间' }).max(2100, { message: '年份应在 2000 至 2100 之间' }),
  month: z.coerce.number().int().min(1, { message: '月份应为 1 至 12' }).max(12, { message: '月份应为 1 至 12' }).optional(),
  quarter: z.coerce.number().int().min(1, { message: '季度应为 1 至 4' }).max(4, { message: '季度应为 1 至 4' }).optional(),
});

function periodOf(req: Request): { period: ReportPeriod; today: string } {
  const today = chinaToday(now());
  const q = parseOrThrow(Query, { year: req.query.year ?? today.slice(0, 4), month: req.query.month || undefined, quarter: req.query.quarter || undefined });
  const period: ReportPeriod = q.quarter ? { kind: 'quarter', year: q.year, quarter: q.quarter } : { kind: 'month', year: q.year, month: q.month ?? Number(today.slice(5, 7)) };
  return { period, today };
}

export const reportRoutes: Record<string, RouteHandler> = {
  'GET /departments/{dept}/reports/kpis': async (req) => {
    const dept = req.params.dept!;
    const { period, today } = periodOf(req);
    const profile = await getProfile(dept);
    const stats = await computeReportStats(dept, period, { asOf: today });
    // The trend: each month of the year so far, year to date at its end.
    const lastMonth = period.year < Number(today.slice(0, 4)) ? 12 : Number(today.slice(5, 7));
    const trend = [];
    for (let month = 1; month <= lastMonth; month++) {
      const s = await computeReportStats(dept, { kind: 'month', year: period.year, month }, { asOf: today });
      trend.push({ month, kpis: computeKpis(profile, s).map((k) => ({ id: k.id, value: k.value, status: k.status })) });
    }
    return { json: { period, asOf: today, kpis: computeKpis(profile, stats), trend } };
  },

  'GET /departments/{dept}/reports/xlsx': async (req) => {
    const dept = req.params.dept!;
    const { period, today } = periodOf(req);
    const [profile, department] = await Promise.all([getProfile(dept), getDepartment(dept)]);
    const stats = await computeReportStats(dept, period, { asOf: today });
    const name = department?.name ?? dept;
    const data = await monthlyReportXlsx(profile.reports.monthly.layout, stats, {
      departmentName: name,
      filledOn: today,
      contact: { name: department?.liaison.name },
      kpis: computeKpis(profile, stats),
    });
    return { binary: { data, contentType: XLSX_CONTENT_TYPE, filename: reportFileName(stats, name) } };
  },
};
