/**
 * 一公开: published plans, task announcements with their draw records, and result records.
 * Public: no sign-in. `.json` at the end of a path gives the same content as JSON.
 */
import { type RouteHandler } from '../../../shared/http/core.js';
import { renderChainPage, renderPublicIndex, renderResultPage, renderSelfCheckPage, renderTaskAnnouncement } from '../../../shared/pages/public.js';
import { renderPlanPage } from '../../../shared/pages/plan-page.js';
import { publishedAnnouncement } from '../../../shared/usecases/plan-announcement.js';
import { departmentChain, publicDrawRecord, publicIndex, publishedResult, selfCheckOf, taskAnnouncement, witnessReveal } from '../../../shared/usecases/public.js';
import { readJson } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';

function splitJson(param: string): { id: string; json: boolean } {
  return param.endsWith('.json') ? { id: param.slice(0, -5), json: true } : { id: param, json: false };
}

export const publicRoutes: Record<string, RouteHandler> = {
  'GET /public': async () => ({ html: renderPublicIndex(await publicIndex()) }),

  'GET /public/plans/{planId}': async (req) => {
    const { id, json } = splitJson(req.params.planId!);
    const a = await publishedAnnouncement(id);
    if (!a) throw notFound(`已发布的年度抽查计划「${id}」`);
    return json ? { json: a } : { html: renderPlanPage(a) };
  },

  'GET /public/tasks/{taskId}': async (req) => {
    const { id, json } = splitJson(req.params.taskId!);
    const a = await taskAnnouncement(id);
    if (!a) throw notFound(`抽查任务「${id}」`);
    return json ? { json: a } : { html: renderTaskAnnouncement(a) };
  },

  'GET /public/tasks/{taskId}/draw': async (req) => {
    const r = await publicDrawRecord(req.params.taskId!, req.query.round ? Number(req.query.round) : undefined);
    return { binary: { data: Buffer.from(r.json), contentType: 'application/json; charset=utf-8', filename: r.filename } };
  },

  'POST /public/tasks/{taskId}/reveal': async (req) => ({ json: await witnessReveal(req.params.taskId!, readJson(req)) }),

  'GET /public/tasks/{taskId}/selfcheck': async (req) => {
    const r = await selfCheckOf(req.params.taskId!, req.query.round, req.query.uscc, req.query.code);
    return req.query.format === 'json' ? { json: r } : { html: renderSelfCheckPage(r, req.query.uscc ?? '') };
  },

  'GET /public/departments/{dept}/chain': async (req) => {
    const c = await departmentChain(req.params.dept!);
    return req.query.format === 'json' ? { json: c } : { html: renderChainPage(c) };
  },

  'GET /public/results/{taskId}/{uscc}': async (req) => {
    const { id, json } = splitJson(req.params.uscc!);
    const record = await publishedResult(req.params.taskId!, id);
    return json ? { json: record } : { html: renderResultPage(record) };
  },
};
