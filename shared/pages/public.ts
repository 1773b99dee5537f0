/**
 * 一公开: the public result record (抽查结果公告) and the task announcement (抽查任务公告) with
 * its draw record. Nothing here shows an inspector's personal data: teams appear only as the
 * pseudonymous ids of the draw record.
 */
import { html, page } from './html.js';
import { chinaDate, chinaDateTime } from '../domain/calendar.js';
import type { PublicRecord } from '../lifecycle/progress.js';
import type { DepartmentChain, PublicIndexSection, TaskAnnouncement } from '../usecases/public.js';
import type { SelfCheck, BeaconSpec } from '../draw/v2/index.js';
import type { DrawSummaryV2 } from '../lifecycle/draw-v2.js';
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

const STRATUM_NAMES: Record<string, string> = { key: '重点企业', A: 'A类', B: 'B类', C: 'C类', D: 'D类' };

/** A beacon as the page names it; the local test chain is never passed off as drand. */
export function beaconLabel(b: BeaconSpec): string {
  if (b.source === 'index-close') return `${b.date} 上证指数、深证成指收盘点位`;
  const at = chinaDateTime(new Date((b.genesis + (b.round - 1) * b.period) * 1000).toISOString());
  if (b.source === 'drand-quicknet') return `drand quicknet 第 ${b.round} 轮（${at} 发布）`;
  return `本地测试信标 suiji-local-test 第 ${b.round} 轮（${at}；仅用于本地演示和测试，不是 drand，不提供公共随机性保证）`;
}

const OUTCOME_NAMES: Record<string, string> = { frozen: '进行中', drawn: '已抽取', aborted: '中止', failed: '失败' };

/** The index-close beacon of a round: every entry and who made it (two different people must agree). */
function indexClosesPart(x: NonNullable<TaskAnnouncement['rounds'][number]['indexCloses']>) {
  return html`<p data-test="index-closes">指数收盘信标：${x.date} 上证指数（000001.SH）、深证成指（399001.SZ）收盘点位，收盘（${chinaDateTime(x.at)}）后由两名不同人员分别录入，一致方被采用。${
    x.status === 'agreed' ? html`已由 ${(x.enteredBy ?? []).join('、')} 录入一致。` : x.entries.length ? '尚待另一人录入一致的点位。' : '尚未录入。'
  }</p>
    ${x.entries.length
      ? html`<table><tr><th>录入人</th><th>上证指数</th><th>深证成指</th><th>录入时间</th><th></th></tr>${x.entries.map(
          (e) => html`<tr><td>${e.name}（${e.role}）</td><td>${e.closes[0]}</td><td>${e.closes[1]}</td><td>${chinaDateTime(e.at)}</td><td>${e.mismatch ? '与另一人录入不一致，未被采用' : ''}</td></tr>`,
        )}</table>`
      : ''}`;
}

/** The v2 announcement of a round: freeze record, chain link, beacon, close record — all before any reveal. */
function v2Round(a: TaskAnnouncement, r: TaskAnnouncement['rounds'][number], v2: DrawSummaryV2) {
  const f = r.freeze!;
  return html`<table>
      <tr><th>抽取算法</th><td>suiji-draw-v2（对象池以加盐承诺值公布，未抽中企业的信息不公开）</td></tr>
      <tr><th>部门抽取链</th><td>${v2.department} 第 ${v2.chainRound} 轮（<a href="/public/departments/${encodeURIComponent(v2.department)}/chain">全部轮次</a>）；上一轮冻结摘要 <code>${v2.prev}</code></td></tr>
      <tr><th>冻结记录摘要</th><td>SHA-256 <code>${r.freezeDigest}</code><br>SM3 <code>${v2.freezeDigestSm3}</code></td></tr>
      <tr><th>冻结时间</th><td>${f.frozenAt ? chinaDateTime(f.frozenAt) : ''}；见证人登记最迟截止 ${chinaDateTime(v2.drawTime)}</td></tr>
      <tr><th>公共随机信标</th><td>${v2.beacons.map((b) => beaconLabel(b)).join('；')}。种子在该信标发布前无法计算。</td></tr>
      <tr><th>对象池摘要</th><td><code>${f.poolDigest}</code></td></tr>
      <tr><th>人员资格摘要</th><td><code>${f.eligibilityDigest}</code></td></tr>
      <tr><th>系统承诺</th><td><code>${f.systemCommitment}</code></td></tr>
    </table>
    <table><tr><th>层</th>${Object.keys(f.counts).map((k) => html`<th>${STRATUM_NAMES[k] ?? k}</th>`)}</tr><tr><td>候选数</td>${Object.values(f.counts).map((n) => html`<td>${n}</td>`)}</tr></table>
    ${v2.close
      ? html`<p>见证人登记已于 ${chinaDateTime(v2.close.record.closedAt)} 截止（登记截止记录摘要 <code>${v2.close.closeDigest}</code>，SM3 <code>${v2.close.closeDigestSm3}</code>）：</p>
          <ul>${v2.close.record.witnesses.map((w) => html`<li>${w.name}（${w.role}，${w.id}）：<code>${w.commitment}</code></li>`)}</ul>
          ${r.status === 'frozen' || r.status === 'revealing' ? html`<p>见证人请在本人设备上打开 <a href="/console#/witness?task=${encodeURIComponent(a.taskId)}">见证人页面</a> 揭示秘密文字。</p>` : ''}`
      : html`<p class="muted">见证人登记中（见证人在本人设备上计算承诺值，截止后在此公布全部承诺值）。</p>`}
    ${r.indexCloses ? indexClosesPart(r.indexCloses) : ''}
    ${v2.outcome ? html`<p class="bad">本轮${OUTCOME_NAMES[v2.outcome.status]}：${v2.outcome.reason}（<a href="/public/tasks/${encodeURIComponent(a.taskId)}/draw?round=${r.round}">结果记录</a>）</p>` : ''}`;
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
          ${r.freeze && r.v2
            ? v2Round(a, r, r.v2)
            : r.freeze
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
            ? html`<p>抽中 ${r.selected.length} 户（检查组成员以${r.v2 ? '本轮记录专用的化名（p001…）' : '匿名编号'}公示）。<a href="/public/tasks/${encodeURIComponent(a.taskId)}/draw?round=${r.round}">下载完整抽取记录（JSON）</a>，可用 <code>suiji verify</code> 独立复核。${r.v2 ? html` 企业可凭通知中的核验码 <a href="/public/tasks/${encodeURIComponent(a.taskId)}/selfcheck?round=${r.round}">自查</a> 是否在本轮对象池中。` : ''}</p>
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

/** The department's chain of v2 rounds (docs/DRAW.md §17). */
export function renderChainPage(c: DepartmentChain): string {
  return page(
    `${c.departmentName} 抽取链`,
    html`<p>本部门每一轮抽取（含中止、失败和重新抽取）按冻结顺序编号，每轮冻结记录含上一轮冻结记录的摘要（SHA-256 与 SM3）。下载全部记录后可用 <code>suiji verify --chain</code> 核对：缺少或被替换的轮次会被指出。</p>
      ${c.rounds.length
        ? html`<table><tr><th>轮次</th><th>抽查任务</th><th>状态</th><th>冻结时间</th><th>冻结记录摘要 freezeDigest</th><th>上一轮 prev</th><th>记录</th></tr>${c.rounds.map(
            (r) => html`<tr><td>${r.round}${r.redrawOf ? `（重抽第 ${r.redrawOf} 轮）` : ''}</td><td><a href="/public/tasks/${encodeURIComponent(r.taskId)}">${r.taskId}</a>（任务第 ${r.taskRound} 轮）</td><td>${OUTCOME_NAMES[r.status] ?? r.status}${r.reason ? `：${r.reason}` : ''}</td><td>${chinaDateTime(r.frozenAt)}</td><td><code>${r.freezeDigest}</code></td><td><code>${r.prev}</code></td><td>${r.recordKey ? html`<a href="/public/tasks/${encodeURIComponent(r.taskId)}/draw?round=${r.taskRound}">JSON</a>` : ''}</td></tr>`,
          )}</table>`
        : html`<p class="muted">尚无 suiji-draw-v2 抽取轮次。</p>`}`,
  );
}

/** The enterprise self-check form and its answer. */
export function renderSelfCheckPage(r: { taskId: string; round: number; result?: SelfCheck }, uscc: string): string {
  const res = r.result;
  return page(
    '企业自查：是否在抽取对象池中',
    html`<p>抽查任务 <a href="/public/tasks/${encodeURIComponent(r.taskId)}">${r.taskId}</a> 第 ${r.round} 轮。公开记录只含每个候选对象的加盐承诺值；输入本企业的统一社会信用代码和通知中的核验码，即可确认本企业是否在对象池中、属于哪一层。核验在服务器上对公开记录进行，与离线命令 <code>suiji selfcheck</code> 结果相同。</p>
      <form method="get" action="/public/tasks/${encodeURIComponent(r.taskId)}/selfcheck">
        <input type="hidden" name="round" value="${r.round}">
        <p><label>统一社会信用代码 <input name="uscc" value="${uscc}" maxlength="18" required></label></p>
        <p><label>核验码 <input name="code" size="48" required></label></p>
        <p><button type="submit">自查</button></p>
      </form>
      ${res
        ? res.found
          ? html`<p class="ok" data-test="selfcheck-found">在对象池中：${STRATUM_NAMES[res.stratum] ?? res.stratum}，${res.drawn ? '本轮被抽中' : '本轮未被抽中'}（承诺值 <code>${res.commitment}</code>）。</p>`
          : html`<p class="bad" data-test="selfcheck-missing">${res.error ?? '未找到：该统一社会信用代码与核验码不对应对象池中的任何承诺值（可能未列入对象池，或核验码有误）。'}</p>`
        : ''}`,
  );
}
