/**
 * The pages behind e-mail links (`/l/{id}`), from the data of `usecases/links.ts`: the
 * inspector's assignment list, the leader's approval form, what an action did, and why a link
 * cannot be used. The result form itself is `result-form.ts`.
 */
import { html, page } from './html.js';
import type { AssignmentList, ResultEntry, TaskApprovalForm } from '../usecases/links.js';
import { describeDecision } from '../usecases/approval.js';
import type { ApprovalDecision } from '../store/tasks.js';

/** An expired or used link, or one whose target is no longer on the task. */
export const linkUnusablePage = (reason: string): string =>
  page('链接不可用', html`<div class="box error"><p>${reason}</p><p>如需继续办理，请联系本部门协调员，或等待系统发送的新提醒邮件。</p></div>`);

export const notOnTeamPage = (message: string): string => page('无此检查对象', html`<div class="box error"><p>${message}</p></div>`);

export const resultRefusedPage = (message: string): string => page('未能录入', html`<div class="box error"><p>${message}</p></div>`);

export const unsupportedLinkPage = (): string => page('无法办理', html`<p>该链接不支持此操作。</p>`);

export const otherLinkPage = (): string => page('Suiji', html`<p>请使用邮件中的按钮继续办理。</p>`);

export function assignmentListPage(linkId: string, a: AssignmentList): string {
  return page(
    `我的检查对象：${a.taskName}`,
    html`<p>抽查时间：${a.window.start} 至 ${a.window.end}。共 ${a.targets.length} 户。</p>
        <table><tr><th>检查对象</th><th>辖区</th><th>状态</th><th>录入期限</th><th></th></tr>
        ${a.targets.map(
          (p) => html`<tr><td>${p.name}<br><span class="muted">${p.uscc}</span></td><td>${p.jurisdiction}</td><td>${p.status}${p.isLeader ? '（组长）' : ''}</td><td>${p.dueEntry ?? ''}</td>
            <td><a href="/l/${linkId}?t=${p.uscc}">录入结果</a> · <a href="/l/${linkId}?t=${p.uscc}&amp;print=1">打印一企一表</a></td></tr>`,
        )}</table>`,
  );
}

/** What a result submitted through a link did; `correctionUrl` for a used-up link, else back to the list. */
export function resultRecordedPage(linkId: string, r: { entry: ResultEntry; correctionUrl?: string }): string {
  const { entry: res } = r;
  const recorded = res.result.phrases.map((p) => `${p.code} ${p.text}`).join('；');
  if (r.correctionUrl) {
    return page(
      res.corrected ? '检查结果已更正' : '检查结果已录入',
      html`<div class="box"><p class="ok">已记录：${recorded}</p>
              <p>检查日期：${res.result.checkDate}；版本：${res.progress.resultVersion}</p>
              <p>公示前如需更正，请使用<a href="${r.correctionUrl}">此链接</a>。</p></div>`,
    );
  }
  return page(
    res.unchanged ? '检查结果未变化' : res.corrected ? '检查结果已更正' : '检查结果已录入',
    html`<div class="box"><p class="ok">${res.unchanged ? '提交的内容与已录入的结果相同，未重复记录。' : '已记录：'}${recorded}</p>
              <p>检查日期：${res.result.checkDate}；版本：${res.progress.resultVersion}</p>
              <p><a href="/l/${linkId}">返回我的检查对象</a>（公示前可更正）</p></div>`,
  );
}

/** An approval already decided: who, when, what — and no form. */
export function approvalAlreadyDecidedPage(d: ApprovalDecision, note?: string): string {
  return page(
    d.approved ? '任务计划已批准' : '任务计划未获批准',
    html`<div class="box"><p>${describeDecision(d)}。</p>${note ? html`<p class="muted">${note}</p>` : ''}<p>无需再次审批；如有疑问，请联系本部门协调员。</p></div>`,
  );
}

/**
 * What an approval link (older mails) shows: the plan form and the way to the console, where the
 * leader signs in and decides. The page has no form: an approval needs a signed-in session.
 */
export function taskApprovalPage(f: TaskApprovalForm): string {
  if (f.decided) return approvalAlreadyDecidedPage(f.decided);
  const t = f.task;
  return page(
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
              ${approvalInConsole(f.consoleUrl)}`,
    { subtitle: `审批人：${f.approver}` },
  );
}

const approvalInConsole = (consoleUrl: string) =>
  html`<div class="box"><p>审批是有法律效力的行为，须登录工作台后办理（批准或退回）；邮件链接本身不能审批。</p>
                <p><a class="button" href="${consoleUrl}">登录工作台审批</a></p></div>`;

/** A POST to an approval link (a form of an older page): nothing happens; the console is the way. */
export const approvalNeedsSignInPage = (consoleUrl: string): string => page('请登录工作台审批', approvalInConsole(consoleUrl));
