/**
 * The printable 一企一表 sheet: the record form for one target, taken on site. Target, items with
 * their check contents and a conclusion box each, check methods, team with certificate numbers
 * and signature lines, the department's result options, a box for the problems found, and the
 * inspected party's signature — or the refusal with its reason and a witness (wuhai: "记录应当由检查
 * 对象签字或者盖章。对无法取得签字或者盖章的，应当注明原因，必要时可邀请相关人员签字见证").
 * A full HTML page (A4 print CSS); every value escaped. Served by the API: styles by class and
 * the print button's one hashed script only (the pages' CSP, shared/pages/inline.ts).
 */
import { esc, fmtDateTime, fmtWindow, html, joinCn, raw } from './layout.js';
import { ITEM_OUTCOME_LABELS } from '../../domain/result.js';
import { inlineScript, inlineStyle } from '../../pages/inline.js';

export interface InspectionSheetData {
  departmentName: string;
  /** Sheet number, e.g. task id + target sequence. */
  sheetNo?: string | undefined;
  task: {
    taskId: string;
    name: string;
    window: { start: string; end: string };
    leadSection?: string | undefined;
    legalBasis?: string | undefined;
    /** Departments of a cross-department joint inspection. */
    jointDepartments?: string[] | undefined;
  };
  target: {
    uscc: string;
    name: string;
    address?: string | undefined;
    contact?: { person?: string | undefined; phone?: string | undefined } | undefined;
  };
  items: { name: string; content: string; legalBasis?: string | undefined; key?: boolean | undefined }[];
  /** Check methods allowed for this target (profile ∩ items). */
  methods: string[];
  team: { name: string; certificateNo?: string | undefined; section?: string | undefined; leader?: boolean | undefined }[];
  phrases: readonly { code: string; text: string }[];
  /** When the sheet was generated (ISO instant). */
  generatedAt?: string | undefined;
  /**
   * suiji-draw-v2: the enterprise's check code (核验码) and the public self-check page, so the
   * inspected party can check on its copy that it was drawn from the frozen pool, in which stratum.
   */
  selfCheck?: { round: number; code: string; url: string } | undefined;
}

const BOX = '☐';

const CSS = `
@page{size:A4;margin:14mm 12mm}
body{font-family:"SimSun","宋体","Songti SC","Noto Serif CJK SC",serif;color:#000;margin:0;background:#fff;font-size:13px}
main{max-width:190mm;margin:0 auto;padding:8mm 0}
h1{font-size:20px;text-align:center;margin:0 0 4px 0;letter-spacing:1px}
.sub{text-align:center;font-size:12px;margin:0 0 10px 0}
.meta{display:flex;justify-content:space-between;font-size:12px;margin:0 0 4px 0}
table{border-collapse:collapse;width:100%;margin:0 0 8px 0;page-break-inside:auto}
tr{page-break-inside:avoid}
th,td{border:1px solid #000;padding:5px 6px;vertical-align:top;text-align:left}
th{background:#f2f2f2;font-weight:bold;white-space:nowrap}
td.c,th.c{text-align:center}
.sec{font-weight:bold;background:#e6e6e6}
.opts span{display:inline-block;margin:0 14px 2px 0;white-space:nowrap}
.line{display:inline-block;min-width:42mm;border-bottom:1px solid #000;height:16px;vertical-align:bottom}
.short{min-width:22mm}
.tiny{min-width:10mm}
.wide{min-width:80mm}
.mono{font-family:"Courier New",monospace;word-break:break-all}
.w8{width:8mm}.w34{width:34mm}.w40{width:40mm}.h14{height:14mm}.small{font-size:11px}
.blank{height:26mm}
.note{font-size:11px;margin-top:6px}
.noprint{margin:12px 0;text-align:right}
@media print{.noprint{display:none}}
`;

const STYLE = inlineStyle(CSS);
const PRINT = inlineScript("document.getElementById('print').addEventListener('click',function(){window.print()})");

export function renderInspectionSheet(d: InspectionSheetData): string {
  const leader = d.team.find((m) => m.leader);
  const title = '“双随机、一公开”检查记录表（一企一表）';
  const body = html`<div class="noprint"><button type="button" id="print">打印</button></div>
<h1>${title}</h1>
<p class="sub">${d.departmentName}</p>
<div class="meta"><span>编号：${d.sheetNo ?? d.task.taskId}</span><span>抽查时间：${fmtWindow(d.task.window)}</span></div>
<table>
<tr><td class="sec" colspan="4">一、抽查任务</td></tr>
<tr><th>抽查任务</th><td colspan="3">${d.task.name}（${d.task.taskId}）</td></tr>
<tr><th>牵头科室</th><td>${d.task.leadSection ?? '—'}</td><th>联合检查部门</th><td>${joinCn(d.task.jointDepartments ?? [], '无')}</td></tr>
${d.task.legalBasis ? html`<tr><th>抽查依据</th><td colspan="3">${d.task.legalBasis}</td></tr>` : ''}
<tr><td class="sec" colspan="4">二、检查对象</td></tr>
<tr><th>名称</th><td colspan="3">${d.target.name}</td></tr>
<tr><th>统一社会信用代码</th><td>${d.target.uscc}</td><th>联系人及电话</th><td>${[d.target.contact?.person, d.target.contact?.phone].filter(Boolean).join(' ') || raw('<span class="line short"></span>')}</td></tr>
<tr><th>地址</th><td colspan="3">${d.target.address ?? raw('<span class="line"></span>')}</td></tr>
</table>
<table>
<tr><td class="sec" colspan="4">三、检查事项及结论</td></tr>
<tr><th class="c w8">序号</th><th>检查事项</th><th>检查内容</th><th class="w34">检查结论</th></tr>
${d.items.map(
  (it, i) =>
    html`<tr><td class="c">${i + 1}</td><td>${it.key ? '【重点】' : ''}${it.name}${it.legalBasis ? html`<br><span class="small">依据：${it.legalBasis}</span>` : ''}</td><td>${it.content}</td><td class="opts">${Object.values(ITEM_OUTCOME_LABELS).map((o) => html`<span>${BOX} ${o}</span>`)}</td></tr>`,
)}
</table>
<table>
<tr><td class="sec">四、检查方式</td></tr>
<tr><td class="opts">${d.methods.map((m) => html`<span>${BOX} ${m}</span>`)}</td></tr>
<tr><td class="sec">五、检查结果（可多选，按本部门抽查结果表述）</td></tr>
<tr><td class="opts">${d.phrases.map((p) => html`<span>${BOX} ${p.code} ${p.text}</span>`)}</td></tr>
<tr><td class="sec">六、发现的问题及处理意见</td></tr>
<tr><td class="blank"></td></tr>
</table>
<table>
<tr><td class="sec" colspan="4">七、检查人员（检查组长：${leader?.name ?? '—'}）</td></tr>
<tr><th>姓名</th><th>科室</th><th>执法证号</th><th class="w40">签字</th></tr>
${d.team.map((m) => html`<tr><td>${m.name}${m.leader ? '（组长）' : ''}</td><td>${m.section ?? ''}</td><td>${m.certificateNo ?? ''}</td><td></td></tr>`)}
<tr><th>检查日期</th><td colspan="3"><span class="line short"></span> 年 <span class="line tiny"></span> 月 <span class="line tiny"></span> 日</td></tr>
</table>
<table>
<tr><td class="sec">八、被检查对象意见及签字</td></tr>
<tr><td class="h14">被检查对象意见：</td></tr>
<tr><td>被检查对象（签字或盖章）：<span class="line"></span>　　职务：<span class="line short"></span>　　日期：<span class="line short"></span></td></tr>
<tr><td>${BOX} 被检查对象拒绝签字或盖章，原因：<span class="line wide"></span><br><br>见证人（签字）：<span class="line"></span>　　日期：<span class="line short"></span></td></tr>
</table>
${d.selfCheck
  ? html`<table>
<tr><td class="sec" colspan="2">九、随机抽取核验（供被检查对象自查）</td></tr>
<tr><th>核验码</th><td class="mono" data-test="check-code">${d.selfCheck.code}</td></tr>
<tr><th>自查网址</th><td class="small">${d.selfCheck.url}</td></tr>
<tr><td colspan="2" class="small">本企业由第 ${d.selfCheck.round} 轮随机抽取产生。在上述网址输入本企业统一社会信用代码和核验码，可自行核对本企业是否在公开的抽取对象池中、属于哪一层、是否被抽中；抽取记录可下载，并可用 suiji verify 独立复核。核验码仅用于自查，请妥善保管。</td></tr>
</table>`
  : ''}
<p class="note">说明：1. 本表一式两份，检查组和被检查对象各执一份。2. 检查结果应自检查之日起按规定时限录入系统并公示（谁检查、谁录入、谁公示）。3. 实地核查时检查人员应出示执法证件。${d.generatedAt ? `　生成时间：${fmtDateTime(d.generatedAt)}` : ''}</p>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(`${title} ${d.target.name}`)}</title>${STYLE}</head><body><main>${body}</main>${PRINT}</body></html>`;
}
