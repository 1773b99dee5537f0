/**
 * E-mail links: `/l/{id}`. Mail scanners prefetch GETs, so a GET only ever shows a page (a
 * confirmation, or the result form); only a POST acts, and a POST that acts consumes a
 * single-use id. The id resolves server-side to what it allows and for whom.
 */
import { resolveLink, consumeLink, createLink } from '../../../shared/links.js';
import { parseForm, type RouteHandler, type Response } from '../../../shared/http/core.js';
import { html, page } from '../../../shared/pages/html.js';
import { renderResultForm, formToResult } from '../../../shared/pages/result-form.js';
import { enterResult, taskContext } from '../../../shared/lifecycle/progress.js';
import { completeStage, failStage } from '../../../shared/lifecycle/callbacks.js';
import { getProgress, audit, listProgress, STATUS_NAMES } from '../../../shared/store/tasks.js';
import { getDepartment, getInspector, getTargets, listInspectionItems } from '../../../shared/store/registry.js';
import { composeMime, renderInspectionSheet, renderResultConfirmation } from '../../../shared/mail/render.js';
import { sendMail } from '../../../shared/mail/send.js';
import { nowIso } from '../../../shared/clock.js';
import { ValidationError } from '../../../shared/domain/schemas.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { httpStatusOf } from '../../../shared/http/errors.js';
import { config } from '../../../shared/config.js';

const expired = (reason: string): Response => ({
  status: 410,
  html: page('链接不可用', html`<div class="box error"><p>${reason}</p><p>如需继续办理，请联系本部门协调员，或等待系统发送的新提醒邮件。</p></div>`),
});

async function resultFormPage(linkId: string, payload: Record<string, string>, errors: ValidationError | undefined, values?: Record<string, string | string[]>): Promise<Response> {
  const { taskId, uscc, inspectorId, department } = payload as { taskId: string; uscc: string; inspectorId: string; department: string };
  const ctx = await taskContext(taskId);
  const p = await getProgress(taskId, uscc);
  if (!p) return expired('该检查对象不在任务名单中');
  const items = new Map((await listInspectionItems(department ?? ctx.task.department)).map((i) => [i.id, i]));
  const team = await Promise.all(p.team.map(async (id) => ({ id, name: (await getInspector(ctx.task.department, id))?.name ?? id })));
  return {
    status: errors ? 400 : 200,
    html: renderResultForm({
      action: `/l/${linkId}`,
      task: ctx.planTask,
      target: p,
      team,
      inspectorId,
      items: [...ctx.planTask.items.general, ...ctx.planTask.items.key].map((id) => ({ id, name: items.get(id)?.name ?? id, content: items.get(id)?.content ?? '' })),
      phrases: ctx.profile.resultPhrases,
      methods: ctx.profile.checkMethods,
      ...(errors ? { errors: errors.issues } : {}),
      ...(values ? { values } : {}),
    }),
  };
}

/** The target must be on this inspector's team in this task. */
async function inTeam(payload: Record<string, string>, uscc: string): Promise<Response | undefined> {
  const p = await getProgress(payload.taskId!, uscc);
  if (!p || !p.team.includes(payload.inspectorId!)) {
    return { status: 404, html: page('无此检查对象', html`<div class="box error"><p>「${uscc}」不在您本次任务的检查对象中。</p></div>`) };
  }
  return undefined;
}

async function assignmentListPage(linkId: string, payload: Record<string, string>): Promise<Response> {
  const ctx = await taskContext(payload.taskId!);
  const mine = (await listProgress(payload.taskId!, { projection: ['uscc', 'name', 'team', 'leader', 'status', 'dueEntry', 'jurisdiction'] })).filter((p) =>
    p.team.includes(payload.inspectorId!),
  );
  return {
    html: page(
      `我的检查对象：${ctx.planTask.name}`,
      html`<p>抽查时间：${ctx.planTask.window.start} 至 ${ctx.planTask.window.end}。共 ${mine.length} 户。</p>
        <table><tr><th>检查对象</th><th>辖区</th><th>状态</th><th>录入期限</th><th></th></tr>
        ${mine.map(
          (p) => html`<tr><td>${p.name}<br><span class="muted">${p.uscc}</span></td><td>${p.jurisdiction}</td><td>${STATUS_NAMES[p.status]}${p.leader === payload.inspectorId ? '（组长）' : ''}</td><td>${p.dueEntry ?? ''}</td>
            <td><a href="/l/${linkId}?t=${p.uscc}">录入结果</a> · <a href="/l/${linkId}?t=${p.uscc}&amp;print=1">打印一企一表</a></td></tr>`,
        )}</table>`,
    ),
  };
}

async function sheetPage(payload: Record<string, string>, uscc: string): Promise<string> {
  const ctx = await taskContext(payload.taskId!);
  const p = (await getProgress(payload.taskId!, uscc))!;
  const dept = await getDepartment(ctx.task.department);
  const [target] = await getTargets(ctx.task.department, [uscc]);
  const items = new Map((await listInspectionItems(ctx.task.department)).map((i) => [i.id, i]));
  const itemIds = [...ctx.planTask.items.general, ...ctx.planTask.items.key];
  const team = await Promise.all(p.team.map(async (id) => ({ id, insp: await getInspector(ctx.task.department, id) })));
  return renderInspectionSheet({
    departmentName: dept?.name ?? ctx.task.department,
    sheetNo: `${ctx.task.taskId}-${uscc.slice(-6)}`,
    task: { taskId: ctx.task.taskId, name: ctx.planTask.name, window: ctx.planTask.window, leadSection: ctx.planTask.leadSection, legalBasis: ctx.planTask.legalBasis, jointDepartments: ctx.planTask.jointDepartments },
    target: { uscc, name: p.name, ...(target?.contact.address ? { address: target.contact.address } : {}), ...(target ? { contact: { person: target.contact.person, phone: target.contact.phone } } : {}) },
    items: itemIds.map((id) => ({ name: items.get(id)?.name ?? id, content: items.get(id)?.content ?? '', legalBasis: items.get(id)?.legalBasis, key: ctx.planTask.items.key.includes(id) })),
    methods: ctx.profile.checkMethods,
    team: team.map(({ id, insp }) => ({ name: insp?.name ?? id, certificateNo: insp?.certificateNo, section: insp?.section, leader: id === p.leader })),
    phrases: ctx.profile.resultPhrases,
  });
}

/** Confirmation mail of a result recorded through the form. */
async function confirmRecorded(payload: Record<string, string>, uscc: string, res: Awaited<ReturnType<typeof enterResult>>): Promise<void> {
  if (res.unchanged) return;
  const insp = await getInspector(payload.department ?? '', payload.inspectorId ?? '');
  if (!insp) return;
  const dept = await getDepartment(insp.department);
  const mail = renderResultConfirmation({
    recipient: { name: insp.name, email: insp.email },
    departmentName: dept?.name ?? insp.department,
    via: 'form',
    receivedAt: nowIso(),
    recorded: [{ uscc, targetName: res.progress.name, codes: res.result.phrases, ...(res.result.remark ? { remark: res.result.remark } : {}) }],
    rejected: [],
  });
  await sendMail({
    key: `confirm#${payload.taskId}#${uscc}#v${res.progress.resultVersion}#${insp.id}`,
    kind: 'result-confirmation',
    to: [insp.email],
    raw: await composeMime(mail, { from: config().mailFrom, to: [{ name: insp.name, address: insp.email }], kind: 'result-confirmation' }),
  });
}

export const linkRoutes: Record<string, RouteHandler> = {
  'GET /l/{linkId}': async (req) => {
    const r = await resolveLink(req.params.linkId!);
    if (!r.ok) return expired(r.reason);
    const { link } = r;
    switch (link.action) {
      case 'enter-result':
        return resultFormPage(link.id, link.payload, undefined);
      case 'view-assignment': {
        const t = req.query.t;
        if (!t) return assignmentListPage(link.id, link.payload);
        const check = await inTeam(link.payload, t);
        if (check) return check;
        if (req.query.print) return { html: await sheetPage(link.payload, t) };
        return resultFormPage(`${link.id}?t=${encodeURIComponent(t)}`, { ...link.payload, uscc: t }, undefined);
      }
      case 'approve-task': {
        const ctx = await taskContext(link.payload.taskId!);
        const t = ctx.planTask;
        return {
          html: page(
            '抽查任务审批',
            html`<table>
                <tr><th>抽查任务名称</th><td>${t.name}</td></tr>
                <tr><th>牵头科室</th><td>${t.leadSection}</td></tr>
                <tr><th>本系统联合检查科室</th><td>${t.jointSections.join('、') || '无'}</td></tr>
                <tr><th>跨部门联合检查部门</th><td>${t.jointDepartments.join('、') || '无'}</td></tr>
                <tr><th>抽查类别</th><td>${t.category}</td></tr>
                <tr><th>抽查时间</th><td>${t.window.start} 至 ${t.window.end}</td></tr>
                <tr><th>抽取日期</th><td>${t.drawDate}</td></tr>
                <tr><th>抽查依据</th><td>${t.legalBasis}</td></tr>
              </table>
              <form method="post">
                <label for="reason">意见（不批准时必填）</label><textarea id="reason" name="reason" rows="3"></textarea>
                <p><button name="decision" value="approve">批准</button><button class="secondary" name="decision" value="reject">不批准</button></p>
              </form>`,
            { subtitle: `审批人：${link.recipient}` },
          ),
        };
      }
      default:
        return { html: page('Suiji', html`<p>请使用邮件中的按钮继续办理。</p>`) };
    }
  },

  'POST /l/{linkId}': async (req) => {
    const r = await resolveLink(req.params.linkId!);
    if (!r.ok) return expired(r.reason);
    const { link } = r;
    const form = parseForm(req);
    if (link.action === 'view-assignment') {
      const t = req.query.t ?? '';
      const check = await inTeam(link.payload, t);
      if (check) return check;
      const { taskId, inspectorId } = link.payload as { taskId: string; inspectorId: string };
      try {
        const res = await enterResult(taskId, t, formToResult(form), { by: link.recipient, role: 'inspector', ip: req.sourceIp, inspectorId }, 'form');
        await confirmRecorded(link.payload, t, res);
        return {
          html: page(
            res.unchanged ? '检查结果未变化' : res.corrected ? '检查结果已更正' : '检查结果已录入',
            html`<div class="box"><p class="ok">${res.unchanged ? '提交的内容与已录入的结果相同，未重复记录。' : '已记录：'}${res.result.phrases.map((p) => `${p.code} ${p.text}`).join('；')}</p>
              <p>检查日期：${res.result.checkDate}；版本：${res.progress.resultVersion}</p>
              <p><a href="/l/${link.id}">返回我的检查对象</a>（公示前可更正）</p></div>`,
          ),
        };
      } catch (e) {
        if (e instanceof ValidationError) return resultFormPage(`${link.id}?t=${encodeURIComponent(t)}`, { ...link.payload, uscc: t }, e, form);
        if (e instanceof DomainError) return { status: httpStatusOf(e), html: page('未能录入', html`<div class="box error"><p>${e.message}</p></div>`) };
        throw e;
      }
    }
    if (link.action === 'enter-result') {
      const { taskId, uscc, inspectorId } = link.payload as { taskId: string; uscc: string; inspectorId: string };
      try {
        const res = await enterResult(taskId, uscc, formToResult(form), { by: link.recipient, role: 'inspector', ip: req.sourceIp, inspectorId }, 'form');
        await consumeLink(link.id);
        await confirmRecorded(link.payload, uscc, res);
        // A fresh link for corrections until publication.
        const again = await createLink('enter-result', link.payload, link.recipient, { days: 30, singleUse: true });
        return {
          html: page(
            res.corrected ? '检查结果已更正' : '检查结果已录入',
            html`<div class="box"><p class="ok">已记录：${res.result.phrases.map((p) => `${p.code} ${p.text}`).join('；')}</p>
              <p>检查日期：${res.result.checkDate}；版本：${res.progress.resultVersion}</p>
              <p>公示前如需更正，请使用<a href="${config().publicBaseUrl}/l/${again}">此链接</a>。</p></div>`,
          ),
        };
      } catch (e) {
        if (e instanceof ValidationError) return resultFormPage(link.id, link.payload, e, form);
        if (e instanceof DomainError) return { status: httpStatusOf(e), html: page('未能录入', html`<div class="box error"><p>${e.message}</p></div>`) };
        throw e;
      }
    }
    if (link.action === 'approve-task') {
      const taskId = link.payload.taskId!;
      const approve = form.decision === 'approve';
      const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
      if (!approve && !reason) return { status: 400, html: page('请填写理由', html`<div class="box error"><p>不批准时请填写理由。</p><p><a href="/l/${link.id}">返回</a></p></div>`) };
      if (!(await consumeLink(link.id))) return expired('该审批链接已使用过');
      const ok = approve ? await completeStage(taskId, 'approval', { approvedBy: link.recipient }) : await failStage(taskId, 'approval', 'PlanRejected', reason);
      await audit(taskId, { by: link.recipient, role: 'leader', ip: req.sourceIp }, approve ? 'plan.approved' : 'plan.rejected', { reason, via: 'mail-link', applied: ok });
      return { html: page(approve ? '已批准' : '已退回', html`<div class="box"><p>${ok ? (approve ? '任务计划已批准，流程继续进行。' : `任务计划未获批准：${reason}`) : '该审批已处理过，本次操作未产生变化。'}</p></div>`) };
    }
    return { status: 400, html: page('无法办理', html`<p>该链接不支持此操作。</p>`) };
  },
};
