/**
 * 一公开: the public result record (抽查结果公告) and the task announcement (抽查任务公告) with
 * its draw record. Nothing here shows an inspector's personal data: teams appear only as the
 * pseudonymous ids of the draw record.
 */
import { html, page } from './html.js';
import { chinaDate, chinaDateTime } from '../domain/calendar.js';
import type { PublicRecord } from '../lifecycle/progress.js';
import type { PublicIndexSection, TaskAnnouncement } from '../usecases/public.js';
import { formatBp } from '../domain/schemas.js';

export function renderResultPage(r: PublicRecord): string {
  return page(
    '抽查检查结果公示',
    html`<table>
        <tr><th>检查对象名称</th><td>${r.targetName}</td></tr>
        <tr><th>统一社会信用代码</th><td>${r.uscc}</td></tr>
        <tr><th>抽查任务</th><td><a href="/public/tasks/${encodeURIComponent(r.taskId)}">${r.taskName}</a></td></tr>
        <tr><th>抽查事项</th><td>${r.items.map((i) => i.name).join('、')}</td></tr>
        <tr><th>检查结果</th><td>${r.phrases.map((p) => p.text).join('；')}</td></tr>
        <tr><th>检查日期</th><td>${r.checkDate}</td></tr>
        <tr><th>公示部门</th><td>${r.departmentName}</td></tr>
        ${r.jointDepartmentNames?.length ? html`<tr><th>联合检查部门</th><td>${r.jointDepartmentNames.join('、')}</td></tr>` : ''}
        <tr><th>公示日期</th><td>${chinaDate(r.publishedAt)}</td></tr>
      </table>
      <p class="muted">检查结果的公示只针对抽查行为本身；后续作出的行政处罚按照行政处罚信息公示的规定另行公示。</p>
      <p><a href="/public/results/${encodeURIComponent(r.taskId)}/${encodeURIComponent(r.uscc)}.json">JSON</a></p>`,
  );
}

export function renderTaskAnnouncement(a: TaskAnnouncement): string {
  return page(
    `抽查任务公告：${a.taskName}`,
    html`<table>
        <tr><th>发布部门</th><td>${a.departmentName}</td></tr>
        <tr><th>抽查类别</th><td>${a.category}</td></tr>
        <tr><th>抽查事项</th><td>${a.items.map((i) => `${i.name}（${i.category === 'key' ? '重点检查事项' : '一般检查事项'}）`).join('、')}</td></tr>
        <tr><th>抽查依据</th><td>${a.legalBasis}</td></tr>
        <tr><th>抽查时间</th><td>${a.window.start} 至 ${a.window.end}</td></tr>
        <tr><th>抽取日期</th><td>${a.drawDate}</td></tr>
        ${a.lateLaunch
          ? html`<tr><th>逾期启动</th><td>原定抽取日期 ${a.lateLaunch.original.drawDate}、抽查时间 ${a.lateLaunch.original.window.start} 至 ${a.lateLaunch.original.window.end}；申请理由：${a.lateLaunch.reason}；${a.lateLaunch.decidedByName ?? '分管领导'}${a.lateLaunch.decidedAt ? ` 于 ${chinaDateTime(a.lateLaunch.decidedAt)}` : ''} 批准按上列日期启动${a.lateLaunch.comment ? `（意见：${a.lateLaunch.comment}）` : ''}</td></tr>`
          : ''}
        ${a.planAdjustment ? html`<tr><th>计划调整</th><td>按第 ${a.planAdjustment.version} 版计划执行（调整理由：${a.planAdjustment.reason}）</td></tr>` : ''}
        <tr><th>联合检查</th><td>${[...a.jointSections, ...a.jointDepartments.map((d) => d.name)].join('、') || '无'}</td></tr>
        <tr><th>抽查比例</th><td>A类 ${formatBp(a.ratiosBp.A ?? 0)}，B类 ${formatBp(a.ratiosBp.B ?? 0)}，C类 ${formatBp(a.ratiosBp.C ?? 0)}，D类 ${formatBp(a.ratiosBp.D ?? 0)}；重点企业 ${formatBp(a.keyRatioBp)}</td></tr>
      </table>
      ${a.rounds.map(
        (r) => html`<h2>第 ${r.round} 轮抽取${r.redrawReason ? html`（重新抽取，理由：${r.redrawReason}）` : ''}${r.resume ? '（恢复）' : ''}</h2>
          ${r.resume ? html`<p>任务曾终止（${r.resume.after}）；恢复申请理由：${r.resume.reason}；分管领导于 ${chinaDateTime(r.resume.approvedAt)} 批准，理由：${r.resume.approvalReason}。此前各轮记录保留。</p>` : ''}
          ${r.freeze
            ? html`<p>对象池指纹（poolDigest）：<code>${r.freeze.poolDigest}</code><br>人员资格指纹（eligibilityDigest）：<code>${r.freeze.eligibilityDigest}</code><br>系统承诺：<code>${r.freeze.systemCommitment}</code></p>
                <table><tr><th>层</th>${Object.keys(r.freeze.counts).map((k) => html`<th>${k === 'key' ? '重点企业' : `${k}类`}</th>`)}</tr><tr><td>候选数</td>${Object.values(r.freeze.counts).map((n) => html`<td>${n}</td>`)}</tr></table>
                <p>见证人承诺：</p><ul>${r.freeze.witnesses.map((w) => html`<li>${w.role}（${w.id}）：<code>${w.commitment}</code></li>`)}</ul>`
            : html`<p class="muted">对象池尚未冻结。</p>`}
          ${r.seed ? html`<p>随机种子：<code>${r.seed}</code></p>` : ''}
          ${r.failedReveals?.length
            ? html`<p>揭示记录：${r.failedReveals.map((f) => `见证人 ${f.witnessId} 于 ${chinaDateTime(f.at)} 揭示的值与其承诺不符，未被采用`).join('；')}。承诺不变，采用的均为与承诺相符的揭示值。</p>`
            : ''}
          ${r.abortReason ? html`<p class="bad">本轮中止：${r.abortReason}</p>` : ''}
          ${r.selected
            ? html`<p>抽中 ${r.selected.length} 户（检查组成员以匿名编号公示）。<a href="/public/tasks/${encodeURIComponent(a.taskId)}/draw?round=${r.round}">下载完整抽取记录（JSON）</a>，可用 <code>suiji verify</code> 独立复核。</p>
                <table><tr><th>统一社会信用代码</th><th>层</th><th>检查组（组长在前）</th></tr>
                ${r.selected.slice(0, 500).map((s) => html`<tr><td>${s.uscc}</td><td>${s.stratum}</td><td><code>${[s.leader, ...s.team.filter((t) => t !== s.leader)].join(' ')}</code></td></tr>`)}
                </table>${r.selected.length > 500 ? html`<p class="muted">仅显示前 500 户，完整名单见抽取记录。</p>` : ''}`
            : ''}`,
      )}
      <h2>检查结果公示</h2>
      ${a.results.length
        ? html`<table><tr><th>检查对象</th><th>统一社会信用代码</th><th>检查结果</th><th>检查日期</th></tr>${a.results.map(
            (r) => html`<tr><td><a href="/public/results/${encodeURIComponent(a.taskId)}/${encodeURIComponent(r.uscc)}">${r.targetName}</a></td><td>${r.uscc}</td><td>${r.phrases}</td><td>${r.checkDate}</td></tr>`,
          )}</table>`
        : html`<p class="muted">尚无公示结果。</p>`}`,
  );
}

/** The public index: per department its published plans and latest published results. */
export function renderPublicIndex(sections: readonly PublicIndexSection[]): string {
  return page(
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
  );
}
