/**
 * 一公开: published plans, task announcements with their draw records, and result records.
 * Public: no sign-in. `.json` at the end of a path gives the same content as JSON.
 */
import { K } from '../../../shared/store/keys.js';
import { getItem, queryAll, queryPage, type Item } from '../../../shared/store/base.js';
import { TABLE } from '../../../shared/store/table.js';
import { getTask } from '../../../shared/store/tasks.js';
import { getCeremony } from '../../../shared/store/ceremony.js';
import { findTask } from '../../../shared/store/plans.js';
import { getDepartment, listDepartments, listInspectionItems } from '../../../shared/store/registry.js';
import { getDrawRecordJson, getDrawSummary } from '../../../shared/lifecycle/draw-stage.js';
import { renderResultPage, renderTaskAnnouncement, type TaskAnnouncement } from '../../../shared/pages/public.js';
import { renderPlanPage } from '../../../shared/pages/plan-page.js';
import { publishedAnnouncement, publishedPlansOf } from '../../../shared/usecases/plan-announcement.js';
import { html, page } from '../../../shared/pages/html.js';
import { type RouteHandler } from '../../../shared/http/core.js';
import { notFound } from '../../../shared/domain/errors.js';
import { chinaDate } from '../../../shared/domain/calendar.js';
import type { PublicRecord } from '../../../shared/lifecycle/progress.js';

const LOOKUP = TABLE.indexes.lookup;

function splitJson(param: string): { id: string; json: boolean } {
  return param.endsWith('.json') ? { id: param.slice(0, -5), json: true } : { id: param, json: false };
}

async function taskAnnouncement(taskId: string): Promise<TaskAnnouncement | undefined> {
  const found = await findTask(taskId);
  if (!found) return undefined;
  const { plan, task: t } = found;
  const dept = await getDepartment(plan.department);
  const items = new Map((await listInspectionItems(plan.department)).map((i) => [i.id, i]));
  const runtime = await getTask(taskId, false);
  const rounds: TaskAnnouncement['rounds'] = [];
  const lastRound = (runtime?.drawRound ?? 0) + 1;
  for (let round = 1; round <= lastRound; round++) {
    const c = await getCeremony(taskId, round);
    if (!c) continue;
    const s = await getDrawSummary(taskId, round);
    rounds.push({
      round,
      status: c.status,
      ...(c.redraw ? { redrawReason: c.redraw.reason } : {}),
      ...(c.abortReason ? { abortReason: c.abortReason } : {}),
      ...(s?.freeze ? { freeze: s.freeze } : {}),
      ...(s?.seed ? { seed: s.seed } : {}),
      ...(s?.selected ? { selected: s.selected } : {}),
    });
  }
  const results = await queryAll<PublicRecord & Item>({ pk: `PUB#${taskId}` });
  return {
    taskId,
    taskName: t.name,
    departmentName: dept?.name ?? plan.department,
    planId: plan.planId,
    category: t.category,
    window: t.window,
    drawDate: t.drawDate,
    legalBasis: t.legalBasis,
    items: [...t.items.general, ...t.items.key].map((id) => ({ id, name: items.get(id)?.name ?? id, category: items.get(id)?.category ?? 'general' })),
    jointSections: t.jointSections,
    jointDepartments: t.jointDepartments,
    ratiosBp: t.ratiosBp,
    keyRatioBp: t.keyRatioBp,
    rounds,
    results: results.map((r) => ({ uscc: r.uscc, targetName: r.targetName, phrases: r.phrases.map((p) => p.text).join('；'), checkDate: r.checkDate })),
  };
}

export const publicRoutes: Record<string, RouteHandler> = {
  'GET /public': async () => {
    const depts = await listDepartments();
    const sections = await Promise.all(
      depts.map(async (d) => {
        const recent = await queryPage<PublicRecord & Item>({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.publishedOfDept(d.id), forward: false, limit: 20 });
        return { dept: d, plans: await publishedPlansOf(d.id), recent: recent.items };
      }),
    );
    return {
      html: page(
        '双随机、一公开 信息公示',
        html`${sections.map(
          (s) => html`<h2>${s.dept.name}</h2>
            <p>年度抽查计划：${s.plans.length ? s.plans.map((p) => html`<a href="/public/plans/${encodeURIComponent(p.planId)}">${p.title}</a> `) : '暂无'}</p>
            ${s.recent.length
              ? html`<table><tr><th>检查对象</th><th>抽查任务</th><th>检查结果</th><th>公示日期</th></tr>${s.recent.map(
                  (r) => html`<tr><td><a href="/public/results/${encodeURIComponent(r.taskId)}/${encodeURIComponent(r.uscc)}">${r.targetName}</a></td><td><a href="/public/tasks/${encodeURIComponent(r.taskId)}">${r.taskName}</a></td><td>${r.phrases.map((p) => p.text).join('；')}</td><td>${chinaDate(r.publishedAt)}</td></tr>`,
                )}</table>`
              : html`<p class="muted">暂无公示的检查结果。</p>`}`,
        )}`,
      ),
    };
  },

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
    const t = await getTask(req.params.taskId!, false);
    const round = req.query.round ? Number(req.query.round) : (t?.drawRound ?? 1);
    const body = await getDrawRecordJson(req.params.taskId!, round);
    if (!body) throw notFound(`第 ${round} 轮抽取记录`);
    return { binary: { data: Buffer.from(body), contentType: 'application/json; charset=utf-8', filename: `${req.params.taskId}-draw-${round}.json` } };
  },

  'GET /public/results/{taskId}/{uscc}': async (req) => {
    const { id, json } = splitJson(req.params.uscc!);
    const r = await getItem<PublicRecord & Item>(K.published(req.params.taskId!, id.toUpperCase()));
    if (!r) throw notFound('公示的检查结果');
    const { pk: _p, sk: _s, gsi2pk: _g, gsi2sk: _h, entity: _e, ...record } = r as Item & PublicRecord & { gsi2pk?: string; gsi2sk?: string; entity?: string };
    return json ? { json: record } : { html: renderResultPage(record as PublicRecord) };
  },
};
