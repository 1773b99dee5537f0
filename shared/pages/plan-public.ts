/** Public plan announcement (抽查计划公告): JSON and the Chinese page, from the published version. */
import { publishedAnnouncement, publishedPlansOf } from '../store/plans.js';
import { renderPlanPage } from './plan-page.js';

export async function publicPlan(planId: string, version?: number): Promise<{ json: unknown; html: string } | undefined> {
  const a = await publishedAnnouncement(planId, version ? { version } : {});
  return a ? { json: a, html: renderPlanPage(a) } : undefined;
}

export const publicPlansIndex = publishedPlansOf;
