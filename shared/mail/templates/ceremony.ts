/**
 * Draw ceremony notice to witnesses and supervisors (e.g. the discipline-inspection officer,
 * 纪检部门监督). `invitation`: time and place, and for witnesses how to commit a secret before
 * the freeze and reveal it at the ceremony; `record`: the draw record is published and can be
 * re-run with the verifier.
 */
import { SUBJECT_PREFIX, TextBuilder, button, callout, fmtDateTime, html, kvTable, list, para, shell, textFooter, type PersonRef, type RenderedMail } from './layout.js';

export interface CeremonyMail {
  stage: 'invitation' | 'record';
  recipient: PersonRef;
  role: 'witness' | 'supervisor' | 'observer';
  departmentName: string;
  task: { taskId: string; name: string };
  ceremony: { at: string; place: string; onlineUrl?: string | undefined };
  /** Witness: page where the commitment (SHA-256 of the secret) is registered. */
  commitUrl?: string | undefined;
  /** Witness: commitments close at the freeze. */
  commitBy?: string | undefined;
  /** `record`: the published draw record. */
  recordUrl?: string | undefined;
  /** `record`: the commitment and the pool fingerprint, to compare with the published record. */
  fingerprints?: { poolDigest?: string | undefined; seed?: string | undefined; commitment?: string | undefined } | undefined;
}

const ROLE: Record<CeremonyMail['role'], string> = { witness: '见证人', supervisor: '监督人', observer: '列席人员' };

export function renderCeremonyNotice(d: CeremonyMail): RenderedMail {
  const role = ROLE[d.role];
  if (d.stage === 'record') {
    const subject = `${SUBJECT_PREFIX}抽取记录已公布：${d.task.name}`;
    const intro = `${d.recipient.name}：您作为${role}参加的抽查任务“${d.task.name}”抽取已完成，抽取记录已公开。任何人都可以用记录中的数据重新运行抽取，核对结果是否一致。`;
    const rows: [string, string | undefined][] = [
      ['抽查任务', `${d.task.name}（${d.task.taskId}）`],
      ['抽取时间', fmtDateTime(d.ceremony.at)],
      ['抽取地点', d.ceremony.place],
      ['名录指纹', d.fingerprints?.poolDigest],
      ['随机种子', d.fingerprints?.seed],
      ['您的承诺值', d.fingerprints?.commitment],
    ];
    const body = html`${para(intro)}${kvTable(rows.filter(([, v]) => v !== undefined))}${d.recordUrl ? html`<div style="margin:12px 0">${button(d.recordUrl, '查看抽取记录')}</div>` : ''}${para('请核对记录中的承诺值与您登记的一致；如有异议，请联系牵头科室或纪检部门。')}`;
    const text = new TextBuilder().line(intro).blank().kvs(rows.filter(([, v]) => v !== undefined));
    if (d.recordUrl) text.blank().kv('抽取记录', d.recordUrl);
    text.blank().line('请核对记录中的承诺值与您登记的一致；如有异议，请联系牵头科室或纪检部门。');
    textFooter(text);
    return { subject, html: shell({ title: '抽取记录已公布', preheader: intro, department: d.departmentName, body }), text: text.toString() };
  }

  const subject = `${SUBJECT_PREFIX}抽取见证邀请：${d.task.name}（${fmtDateTime(d.ceremony.at)}）`;
  const intro = `${d.recipient.name}：${d.departmentName}定于 ${fmtDateTime(d.ceremony.at)} 对抽查任务“${d.task.name}”进行随机抽取，请您作为${role}参加。`;
  const rows: [string, string | undefined][] = [
    ['抽查任务', `${d.task.name}（${d.task.taskId}）`],
    ['抽取时间', fmtDateTime(d.ceremony.at)],
    ['抽取地点', d.ceremony.place],
    ['线上观看', d.ceremony.onlineUrl],
    ['您的身份', role],
  ];
  const steps =
    d.role === 'witness'
      ? [
          `抽取前${d.commitBy ? `（${fmtDateTime(d.commitBy)} 前）` : ''}：自行想好一段只有您知道的文字（密钥，不含换行），在登记页面提交它的承诺值（系统只保存其 SHA-256 摘要，不保存密钥本身）。`,
          '抽取时：当场公开您的密钥；系统核对它与承诺值一致后，与其他见证人的密钥和系统随机数共同生成随机种子。',
          '在密钥公开之前，任何人（包括系统管理员）都无法预知抽取结果。请妥善保管密钥，不要提前告诉任何人。',
        ]
      : ['抽取在检查对象名录冻结、见证人承诺登记之后进行；请现场监督抽取过程并在书面记录上签字。', '抽取记录将公开，任何人都可以复核。'];
  const body = html`${para(intro)}${kvTable(rows)}${callout(list(steps), 'info')}${d.role === 'witness' && d.commitUrl ? html`<div style="margin:12px 0">${button(d.commitUrl, '登记承诺值')}</div>` : ''}`;
  const text = new TextBuilder().line(intro).blank().kvs(rows).blank();
  steps.forEach((s, i) => text.line(`${i + 1}. ${s}`));
  if (d.role === 'witness' && d.commitUrl) text.blank().kv('登记承诺值', d.commitUrl);
  textFooter(text);
  return { subject, html: shell({ title: '抽取见证邀请', preheader: intro, department: d.departmentName, body }), text: text.toString() };
}
