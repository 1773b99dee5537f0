/**
 * 抽查计划公告 as a printable Chinese HTML page, from the announcement data
 * (`usecases/plan-announcement.ts`). Every value is escaped.
 */
import { html, page, raw, type Safe } from './html.js';
import { inlineStyle } from './inline.js';
import { chinaDate } from '../domain/calendar.js';
import type { PlanAnnouncement } from '../usecases/plan-announcement.js';

/** "2026-02-10T08:00:00.000Z" → "2026-02-10" in China time. */
function day(iso: string | undefined): string {
  if (!iso) return '—';
  return Number.isNaN(Date.parse(iso)) ? iso : chinaDate(iso);
}

const lines = (s: string): Safe => html`${s.split('\n').map((l, i) => html`${i ? raw('<br>') : ''}${l}`)}`;

const PAGE_CSS = raw(
  inlineStyle(`
.plan-form th{width:9em}.annual td,.annual th{font-size:13px}.task{page-break-inside:avoid;margin-top:22px}
.badge{display:inline-block;border:1px solid #b4232a;color:#b4232a;border-radius:3px;padding:0 6px;font-size:12px;margin-left:6px}
.sign{display:flex;gap:48px;margin-top:8px;font-size:14px}@media print{.task{page-break-before:auto}a{color:inherit;text-decoration:none}}
`),
);

export function renderPlanPage(a: PlanAnnouncement): string {
  const p = a.plan;
  const current = p.status === 'published';
  const annual = html`<table class="annual">
    <tr><th>序号</th><th>抽查计划名称</th><th>抽查事项</th><th>抽查类型</th><th>抽查对象范围</th><th>抽取日期</th><th>抽查对象数量或比例</th><th>备注</th></tr>
    ${a.tasks.map(
      (t) => html`<tr>
        <td>${t.seq}</td>
        <td>${t.name}</td>
        <td>${[...t.items.general, ...t.items.key].map((x) => x.name).join('、')}</td>
        <td>${t.jointKindName}${t.jointDepartments.length ? `（${t.jointDepartments.map((d) => d.name).join('、')}）` : ''}${t.jointSections.length ? `（${[t.leadSection, ...t.jointSections].join('、')}）` : ''}</td>
        <td>${t.scope.description}</td>
        <td>${t.drawDate}</td>
        <td>${t.ratios.description}</td>
        <td>${[`抽查时间 ${t.window.start} 至 ${t.window.end}`, t.notes ?? ''].filter(Boolean).join('；')}</td>
      </tr>`,
    )}
  </table>`;
  const forms = a.tasks.map(
    (t) => html`<section class="task" id="task-${t.taskId}">
      <h3>${t.seq}. ${t.name}<span class="badge">${t.jointKindName}</span></h3>
      <table class="plan-form">
        ${t.form.map((r) => html`<tr><th>${r.label}</th><td>${lines(r.value)}</td></tr>`)}
        <tr><th>任务编号</th><td><a href="/public/tasks/${encodeURIComponent(t.taskId)}">${t.taskId}</a></td></tr>
      </table>
      ${t.items.general.length + t.items.key.length
        ? html`<table><tr><th>抽查事项</th><th>类别</th><th>抽查主体</th><th>抽查依据</th><th>抽查内容</th><th>检查方式</th></tr>
          ${[...t.items.general.map((x) => [x, '一般'] as const), ...t.items.key.map((x) => [x, '重点'] as const)].map(
            ([x, c]) => html`<tr><td>${x.name}</td><td>${c}</td><td>${x.department}</td><td>${x.legalBasis}</td><td>${x.content}</td><td>${x.methods.join('、')}</td></tr>`,
          )}</table>`
        : ''}
    </section>`,
  );
  const history = html`<table>
    <tr><th>版本</th><th>公示日期</th><th>调整理由</th><th>审批人</th><th>审批日期</th><th>状态</th></tr>
    ${a.history.map(
      (h) => html`<tr>
        <td>第 ${h.version} 版</td>
        <td>${day(h.publishedAt)}</td>
        <td>${h.reason ?? (h.version === 1 ? '年度计划首次公示' : '—')}</td>
        <td>${h.approvedBy ?? '—'}</td>
        <td>${day(h.approvedAt)}</td>
        <td>${h.status === 'published' ? '现行' : h.status === 'superseded' ? '已被调整' : h.status}</td>
      </tr>`,
    )}
  </table>`;
  const body = html`${PAGE_CSS}
    <table>
      <tr><th>发布部门</th><td>${p.department.name}</td></tr>
      <tr><th>计划年度</th><td>${p.year} 年</td></tr>
      <tr><th>版本</th><td>第 ${p.version} 版${current ? '（现行）' : p.status === 'superseded' ? '（已被调整，非现行版本）' : ''}</td></tr>
      <tr><th>公示日期</th><td>${day(p.publishedAt)}</td></tr>
      <tr><th>审批</th><td>${p.approvedBy ?? '—'}${p.approvedAt ? `，${day(p.approvedAt)}` : ''}</td></tr>
      ${p.reason ? html`<tr><th>调整理由</th><td>${p.reason}</td></tr>` : ''}
      <tr><th>抽查任务</th><td>${a.tasks.length} 项</td></tr>
    </table>
    <h2>${p.year}年度“双随机、一公开”抽查工作计划</h2>
    ${annual}
    <h2>抽查计划表</h2>
    ${forms}
    <h2>计划调整记录</h2>
    ${a.history.length ? history : html`<p class="muted">暂无公示记录。</p>`}
    <p class="muted">本计划按照“双随机、一公开”要求向社会公开；计划调整须经审批并重新公示。抽查结果将在检查完成后依法公示。</p>
    <p><a href="/public/plans/${encodeURIComponent(p.planId)}.json">JSON</a></p>`;
  return page(p.title, body, { subtitle: `${p.department.name} · 抽查计划公告` });
}
