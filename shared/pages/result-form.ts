/**
 * The result-entry form (一企一表 result) reached from e-mail links: GET renders it (with the
 * previous values and Chinese errors next to their fields after a rejected POST), POST submits
 * it as application/x-www-form-urlencoded, converted here into the ResultInput shape.
 */
import { randomUUID } from 'node:crypto';
import { html, page, raw } from './html.js';
import { inlineScript } from './inline.js';
import type { FieldIssue } from '../domain/schemas.js';
import { ITEM_OUTCOME_LABELS } from '../domain/result.js';
import { LIMITS } from '../domain/limits.js';
import type { ResultFormData } from '../usecases/links.js';

export interface ResultFormModel extends ResultFormData {
  /** Where the form posts to. */
  action: string;
  /** After a refused submission: the problems by field, and the values as submitted. */
  errors?: FieldIssue[];
  values?: Record<string, string | string[]>;
}

const OUTCOMES = Object.entries(ITEM_OUTCOME_LABELS);

/**
 * Saving when the network or the server fails half-way: the form posts with fetch; a 5xx or a
 * network error means the result may have been stored anyway, so the page says so and asks the
 * server whether this submission (its hidden id) is stored before it offers to submit again. A
 * repeated submission is stored once (the server answers with the stored result). Without
 * JavaScript the form posts as usual, and a repeated POST is equally harmless.
 */
const SAVE_SCRIPT = inlineScript(`(function(){
var f=document.querySelector('form[data-save]');if(!f||!window.fetch||!window.URLSearchParams)return;
var box=document.getElementById('save-state'),btn=f.querySelector('button[type=submit]');
function show(t,c){box.textContent=t;box.className='box '+(c||'');box.hidden=false;}
f.addEventListener('submit',function(ev){ev.preventDefault();btn.disabled=true;
var body=new URLSearchParams(new FormData(f));show('正在保存……');
fetch(location.href,{method:'POST',body:body,headers:{'content-type':'application/x-www-form-urlencoded'}})
.then(function(r){if(r.status>=500)throw new Error('HTTP '+r.status);return r.text().then(function(t){document.open();document.write(t);document.close();});})
.catch(function(){show('网络中断或服务器出错：本次提交可能已经保存，正在核实……','error');check(body.get('submission'),0);});});
function check(id,n){var u=new URL(location.href);u.searchParams.set('check',id);
fetch(u.toString(),{headers:{accept:'application/json'}}).then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);return r.json();})
.then(function(s){if(s.saved){show('已保存（第 '+s.version+' 版），无需重新提交；确认邮件随后发出。');}else{show('未保存：请检查网络后重新提交。','error');btn.disabled=false;}})
.catch(function(){if(n<4){setTimeout(function(){check(id,n+1);},2000*(n+1));}else{show('暂时无法确认是否已保存：请稍后刷新本页查看当前结果，再决定是否重新提交（重复提交不会重复录入）。','error');btn.disabled=false;}});}
})();`);

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** 熊艳（应急管理综合行政执法队，组长）: name, section and the leader mark. */
const memberLabel = (t: { name: string; section?: string | undefined }, leader: boolean): string => {
  const notes = [t.section, leader ? '组长' : undefined].filter(Boolean);
  return notes.length ? `${t.name}（${notes.join('，')}）` : t.name;
};

export function renderResultForm(m: ResultFormModel): string {
  const prev = (m.target.result ?? {}) as Record<string, unknown>;
  const v = m.values ?? {};
  const has = (name: string, value: string, fallback: boolean): boolean => (m.values ? list(v[name]).includes(value) : fallback);
  const prevCodes = (prev.codes as string[] | undefined) ?? [];
  const prevMethods = (prev.methods as string[] | undefined) ?? [];
  const prevPresent = (prev.present as string[] | undefined) ?? [m.inspectorId];
  const prevItems = new Map(((prev.itemOutcomes as { itemId: string; outcome: string }[] | undefined) ?? []).map((i) => [i.itemId, i.outcome]));
  const prevSig = prev.signature as { signed: boolean; signer?: string; refusalReason?: string } | undefined;
  const signed = m.values ? one(v.signed) : prevSig ? String(prevSig.signed) : 'true';
  return page(
    `检查结果录入：${m.target.name}`,
    html`${m.errors?.length
        ? html`<div class="box error"><p class="bad">未能保存，请修改以下内容：</p><ul>${m.errors.map((e) => html`<li>${e.field}：${e.message}</li>`)}</ul></div>`
        : ''}
      <table>
        <tr><th>检查对象</th><td>${m.target.name}（${m.target.uscc}）</td></tr>
        <tr><th>抽查任务</th><td>${m.task.name}</td></tr>
        <tr><th>抽查时间</th><td>${m.task.window.start} 至 ${m.task.window.end}</td></tr>
        <tr><th>检查组</th><td>${m.team.map((t) => memberLabel(t, t.id === m.target.leader)).join('、')}</td></tr>
      </table>
      <div id="save-state" class="box" role="status" hidden></div>
      <form method="post" data-save>
        <input type="hidden" name="submission" value="${m.values ? one(v.submission) || randomUUID() : randomUUID()}">
        <label>检查结果（可多选）</label>
        ${m.phrases.map((p) => html`<div><input type="checkbox" name="codes" value="${p.code}" id="c-${p.code}" ${has('codes', p.code, prevCodes.includes(p.code)) ? html`checked` : ''}><span> ${p.code} ${p.text}</span></div>`)}
        <label>检查事项结论</label>
        <table><tr><th>事项</th><th>内容</th><th>结论</th></tr>
        ${m.items.map(
          (it) => html`<tr><td>${it.name}</td><td>${it.content}</td><td><select name="item_${it.id}">${OUTCOMES.map(
            ([val, label]) => html`<option value="${val}" ${(m.values ? one(v[`item_${it.id}`]) : (prevItems.get(it.id) ?? 'pass')) === val ? html`selected` : ''}>${label}</option>`,
          )}</select></td></tr>`,
        )}
        </table>
        <label>检查方式</label>
        ${m.methods.map((me) => html`<div><input type="checkbox" name="methods" value="${me}" ${has('methods', me, prevMethods.length ? prevMethods.includes(me) : me === '实地核查') ? html`checked` : ''}><span> ${me}</span></div>`)}
        <label for="checkDate">检查日期</label>
        <input type="date" id="checkDate" name="checkDate" value="${m.values ? one(v.checkDate) : ((prev.checkDate as string) ?? m.target.checkDate ?? '')}">
        <label>到场检查人员</label>
        ${m.team.map((t) => html`<div><input type="checkbox" name="present" value="${t.id}" ${has('present', t.id, prevPresent.includes(t.id)) ? html`checked` : ''}><span> ${t.name}</span></div>`)}
        <label>被检查对象签字</label>
        <div><input type="radio" name="signed" value="true" ${signed === 'true' ? html`checked` : ''}> 已签字，签字人：<input type="text" name="signer" maxlength="${LIMITS.name}" value="${m.values ? one(v.signer) : (prevSig?.signer ?? '')}" class="inline"></div>
        <div><input type="radio" name="signed" value="false" ${signed === 'false' ? html`checked` : ''}> 拒绝签字，原因：<input type="text" name="refusalReason" maxlength="${LIMITS.text}" value="${m.values ? one(v.refusalReason) : (prevSig?.refusalReason ?? '')}" class="inline"></div>
        <label for="problems">发现的问题（选择发现问题类结果时必填）</label>
        <textarea id="problems" name="problems" rows="3" maxlength="${LIMITS.text}">${m.values ? one(v.problems) : ((prev.problems as string) ?? '')}</textarea>
        <label for="remark">备注</label>
        <textarea id="remark" name="remark" rows="2" maxlength="${LIMITS.text}">${m.values ? one(v.remark) : ((prev.remark as string) ?? '')}</textarea>
        <p><button type="submit">提交检查结果</button></p>
      </form>${raw(SAVE_SCRIPT)}`,
    { subtitle: '谁检查、谁录入：本表由检查组成员填写，公示前可更正。' },
  );
}

/** The form's submission id (hidden field): a retry of the same submission is recognised by it. */
export const submissionOf = (form: Record<string, string | string[]>): string | undefined => {
  const s = one(form.submission);
  return /^[0-9a-f-]{36}$/.test(s) ? s : undefined;
};

/** Form fields → the ResultInput shape (validation happens in validateResult). */
export function formToResult(form: Record<string, string | string[]>): Record<string, unknown> {
  const itemOutcomes = Object.entries(form)
    .filter(([k]) => k.startsWith('item_'))
    .map(([k, val]) => ({ itemId: k.slice(5), outcome: one(val) }));
  const signed = one(form.signed) !== 'false';
  return {
    codes: list(form.codes),
    itemOutcomes,
    methods: list(form.methods),
    checkDate: one(form.checkDate),
    present: list(form.present),
    signature: signed ? { signed: true, signer: one(form.signer) } : { signed: false, refusalReason: one(form.refusalReason) },
    ...(one(form.problems).trim() ? { problems: one(form.problems) } : {}),
    ...(one(form.remark).trim() ? { remark: one(form.remark) } : {}),
  };
}
