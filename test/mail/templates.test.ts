import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import ExcelJS from 'exceljs';
import { getPreset } from '../../shared/domain/profiles.js';
import { receiptNo } from '../../shared/usecases/confirmations.js';
import { STANDARD_RESULT_PHRASES } from '../../shared/domain/phrases.js';
import { makeUscc } from '../../shared/domain/uscc.js';
import type { PlanTask } from '../../shared/domain/schemas.js';
import {
  composeMime,
  renderAssignmentNotice,
  renderCeremonyNotice,
  renderDeliveryProblemNotice,
  renderEscalationDigest,
  renderInspectionSheet,
  renderMail,
  renderPlanApprovalRequest,
  renderReminderDigest,
  renderReportReminder,
  renderResultConfirmation,
  type RenderedMail,
} from '../../shared/mail/render.js';
import { htmlToPlain, isLineError, parseResultLines } from '../../shared/mail/reply.js';
import { buildLeadershipSummary } from '../../shared/reports/summary.js';
import { KPI_FIRST_ROW, MAIN_SHEET, OVERDUE_SHEET, REPORT_CELLS } from '../../shared/reports/monthly-xlsx.js';
import { sampleAssignedTargets, sampleAssignmentMail } from '../helpers/assignment-fixture.js';
import { sampleStats } from '../reports/fixtures.js';

const EVIL = '<script>alert("x")</script>&';
const U = [1, 2, 3, 4].map((n) => makeUscc(n));
const url = (p: string) => `https://suiji.example.gov.cn/l/${p}`;
const phrases = STANDARD_RESULT_PHRASES.map((p) => ({ code: p.code, text: p.text }));

/** Visible text of the HTML part (tags removed, entities decoded). */
const visible = (html: string) => htmlToPlain(html);

/** Checks that hold for every message: escaped values, balanced tables, text part without markup. */
function wellFormed(m: RenderedMail): void {
  expect(m.subject.length).toBeGreaterThan(4);
  expect(m.html).not.toContain('<script>');
  expect((m.html.match(/<table\b/g) ?? []).length).toBe((m.html.match(/<\/table>/g) ?? []).length);
  expect((m.html.match(/<tr\b/g) ?? []).length).toBe((m.html.match(/<\/tr>/g) ?? []).length);
  expect(m.text).not.toMatch(/<\/?(p|div|table|td|a)\b/);
  // No style sheets: every style is inline (mail clients drop <style>).
  expect(m.html).not.toContain('<style');
}

describe('plan approval request', () => {
  const task: PlanTask = {
    taskId: 'qhd-2024-01',
    name: `房地产开发企业资质联合抽查${EVIL}`,
    leadSection: '房地产市场监管科',
    jointSections: ['建筑市场监管科'],
    jointDepartments: ['qhd-zjj', 'qhd-scjg'],
    category: '不定向抽查',
    items: { general: ['item-1'], key: ['item-2'] },
    scope: { jurisdictions: ['海港区', '北戴河区'], industries: ['房地产开发'], tags: [], kinds: ['enterprise'], riskClasses: ['A', 'B', 'C', 'D'] },
    legalBasis: '《房地产开发企业资质管理规定》',
    window: { start: '2024-04-01', end: '2024-05-31' },
    drawDate: '2024-03-25',
    ratiosBp: { A: 300, B: 500, C: 800, D: 1500 },
    keyRatioBp: 10_000,
    inspectorScope: { departments: ['qhd-zjj'], sections: ['房地产市场监管科'], specialties: [] },
    creditRiskBased: true,
  };
  it('shows every 抽查计划表 field and one way to approve: the console, which signs in first', () => {
    const m = renderPlanApprovalRequest({
      leader: { name: '王局长', email: 'w@x.cn' },
      departmentName: '秦皇岛市住房和城乡建设局',
      requestedBy: { name: '刘洋' },
      plan: { title: '2024年度随机抽查计划', year: 2024, version: 2, reason: '新增联合抽查任务' },
      task,
      itemNames: { 'item-1': '资质条件核查', 'item-2': '预售资金监管' },
      departmentNames: { 'qhd-zjj': '市住建局', 'qhd-scjg': '市市场监管局' },
      poolSize: 1234,
      consoleUrl: 'https://api.example.gov.cn/console#/approve/qhd-zjj-2024-03',
      respondBy: '2024-03-22',
    });
    wellFormed(m);
    expect(m.subject).toBe(`【双随机】抽查任务待审批：${task.name}`);
    const v = visible(m.html);
    for (const label of ['牵头科室', '本系统联合检查科室', '跨部门联合检查部门', '抽查任务名称', '抽查类别', '抽查事项', '抽查对象', '抽查依据', '抽查时间', '市场主体抽查比例', '检查人员范围']) {
      expect(v).toContain(label);
      expect(m.text).toContain(`${label}：`);
    }
    for (const s of ['建筑市场监管科', '市住建局、市市场监管局', '一般检查事项：资质条件核查', '重点检查事项：预售资金监管', '辖区：海港区、北戴河区', 'A类 3%，B类 5%，C类 8%，D类 15%，重点企业 全部抽取（100%）', '2024年4月1日至2024年5月31日', '新增联合抽查任务', '1234 户', task.name]) {
      expect(v).toContain(s);
      expect(m.text).toContain(s);
    }
    expect(m.html).toContain('href="https://api.example.gov.cn/console#/approve/qhd-zjj-2024-03"');
    expect(m.text).toContain('https://api.example.gov.cn/console#/approve/qhd-zjj-2024-03');
    // no link id that acts: an approval needs a signed-in session (issue 12, 4)
    expect(`${m.html}${m.text}`).not.toMatch(/\/l\/[A-Za-z0-9_-]{16,}/);
    expect(v).toContain('邮件链接本身不能审批');
  });

  it('refuses non-http links', () => {
    expect(() =>
      renderPlanApprovalRequest({ leader: { name: 'a' }, departmentName: 'd', requestedBy: { name: 'b' }, plan: { title: 't', year: 2024, version: 1 }, task, itemNames: {}, departmentNames: {}, consoleUrl: 'javascript:alert(1)' }),
    ).toThrow(/http/);
  });
});

describe('assignment notice', () => {
  it('lists each target with USCC, address, items, methods, team, leader and both sheet links', () => {
    const targets = sampleAssignedTargets([U[0]!, U[1]!], url, (i) => (i === 1 ? EVIL : ''));
    const m = renderAssignmentNotice(sampleAssignmentMail(targets));
    wellFormed(m);
    expect(m.subject).toBe('【双随机】检查任务分派：建筑业企业资质动态核查（2 户）');
    const v = visible(m.html);
    for (const t of targets) {
      for (const s of [t.name, t.uscc, t.address, '核查注册人员、技术负责人是否满足资质标准', '【重点】安全生产许可证', '书面检查、实地核查', '张三（组长）', '2024年6月28日']) {
        expect(v).toContain(s);
        expect(m.text).toContain(s);
      }
      expect(m.html).toContain(`href="${t.sheetUrl}"`);
      expect(m.html).toContain(`href="${t.printUrl}"`);
      expect(m.text).toContain(`一企一表：${t.sheetUrl}`);
      expect(m.text).toContain(`打印版：${t.printUrl}`);
    }
    expect(v).toContain('2024年4月1日至2024年5月31日');
    expect(m.text).toContain('实地核查时检查人员不少于 2 人');
  });
});

describe('reminder digest', () => {
  const entries = [
    { kind: 'publish' as const, taskName: '任务乙', uscc: U[2]!, targetName: '丙公司', dueDate: '2024-04-12', workingDaysLeft: 3, url: url('pub2aaaaaaaaaaaaaaaa') },
    { kind: 'entry' as const, taskName: '任务甲', uscc: U[1]!, targetName: `乙公司${EVIL}`, dueDate: '2024-04-10', workingDaysLeft: 1, url: url('res1aaaaaaaaaaaaaaaa') },
    { kind: 'entry' as const, taskName: '任务甲', uscc: U[0]!, targetName: '甲公司', dueDate: '2024-04-09', workingDaysLeft: 0, url: url('res0aaaaaaaaaaaaaaaa') },
  ];
  const base = { recipient: { name: '张三' }, departmentName: '秦皇岛市住房和城乡建设局', today: '2024-04-09', entries, phrases };

  it('one mail lists every due target with its date and link, result entries first, earliest first', () => {
    const m = renderReminderDigest({ ...base, replyAddress: 'r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn' });
    wellFormed(m);
    expect(m.subject).toBe('【双随机】到期提醒：结果录入 2 项、结果公示 1 项，最早 2024年4月9日 到期');
    const order = ['甲公司', '乙公司', '丙公司'].map((n) => m.text.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    for (const e of entries) {
      expect(m.html).toContain(`href="${e.url}"`);
      expect(m.text).toContain(e.url);
    }
    expect(m.text).toContain('2024年4月9日（今天到期）');
    expect(m.text).toContain('2024年4月10日（剩 1 个工作日）');
    expect(visible(m.html)).toContain(`乙公司${EVIL}`);
  });

  it('explains replying with the department codes, and its example line is accepted by the reply parser', () => {
    const m = renderReminderDigest({ ...base, replyAddress: 'r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn' });
    for (const p of phrases) expect(m.text).toMatch(new RegExp(`^  ${p.code} +${p.text.replace(/[()（）]/g, '.')}$`, 'm'));
    const example = m.text.split('\n')[m.text.split('\n').findIndex((l) => l.includes('例如')) + 1]!.trim();
    expect(example).toBe(`${U[0]} 1`);
    const parsed = parseResultLines([example], phrases.map((p) => p.code));
    expect(parsed).toHaveLength(1);
    expect(isLineError(parsed[0]!)).toBe(false);
    expect(visible(m.html)).toContain('r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn');
  });

  it('leaves the reply instructions out without a reply address or without result entries', () => {
    expect(renderReminderDigest(base).text).not.toContain('回复本邮件');
    const pubOnly = renderReminderDigest({ ...base, entries: [entries[0]!], replyAddress: 'r+abcdefghijklmnopqrstuvwxyz@reply.example.gov.cn' });
    expect(pubOnly.text).not.toContain('回复本邮件');
    expect(pubOnly.html).toContain('请勿直接回复');
  });
});

describe('escalation digest', () => {
  const entries = [
    { kind: 'entry' as const, section: '物业管理科', taskName: '物业联合抽查', uscc: U[0]!, targetName: '甲物业', dueDate: '2024-04-01', overdueWorkingDays: 1, responsible: ['赵六', '孙七'], url: url('e0aaaaaaaaaaaaaaaa') },
    { kind: 'publish' as const, section: '建筑市场监管科', taskName: '资质核查', uscc: U[1]!, targetName: '乙建筑', dueDate: '2024-03-25', overdueWorkingDays: 6, responsible: ['张三'] },
  ];
  it('first level: to the inspector and section head, grouped by section, naming days overdue and who is responsible', () => {
    const m = renderEscalationDigest({ level: 'first', recipient: { name: '张三' }, departmentName: '秦皇岛市住房和城乡建设局', today: '2024-04-02', entries, leadershipAfterWorkingDays: 3 });
    wellFormed(m);
    expect(m.subject).toBe('【双随机】逾期提醒：2 项已超过期限');
    expect(m.text).toContain('甲物业（' + U[0] + '）— 结果录入逾期 1 个工作日');
    expect(m.text).toContain('乙建筑（' + U[1] + '）— 结果公示逾期 6 个工作日');
    expect(m.text).toContain('责任人：赵六、孙七');
    expect(m.text).toContain('再过 3 个工作日');
    expect(m.text.indexOf('【物业管理科（1 项）】')).toBeGreaterThan(0);
    expect(m.text.indexOf('【建筑市场监管科（1 项）】')).toBeGreaterThan(0);
  });
  it('leadership level names the department and the longest delay', () => {
    const m = renderEscalationDigest({ level: 'leadership', recipient: { name: '王局长' }, departmentName: '秦皇岛市住房和城乡建设局', today: '2024-04-08', entries });
    expect(m.subject).toBe('【双随机】逾期事项报告：2 项逾期，最长 6 个工作日（秦皇岛市住房和城乡建设局）');
  });
});

describe('result confirmation', () => {
  it('lists recorded and rejected lines with reasons, answering the reply thread', () => {
    const m = renderResultConfirmation({
      recipient: { name: '张三' },
      departmentName: '秦皇岛市住房和城乡建设局',
      via: 'reply',
      receivedAt: '2024-04-01T02:13:44Z',
      recorded: [
        { uscc: U[0]!, targetName: '甲公司', codes: [{ code: '1', text: '未发现问题' }] },
        { uscc: U[1]!, targetName: '乙公司', codes: [{ code: 'A', text: '发现问题待后续处理' }, { code: 'D', text: '违反其他法律、法规、规章规定' }], remark: '未按规定办理资质变更' },
      ],
      rejected: [{ line: `${U[2]} X`, reasons: ['结果代码“X”不在本部门的结果表述清单中'], url: url('fix2aaaaaaaaaaaaaaaa') }],
      ignoredLines: ['您好，结果如下：'],
      inReplyToSubject: '回复: 【双随机】到期提醒：结果录入 3 项',
    });
    wellFormed(m);
    expect(m.subject).toBe('Re: 【双随机】到期提醒：结果录入 3 项（已录入 2 项，1 项未录入）');
    expect(m.text).toContain('您通过邮件回复于 2024年4月1日 10:13 提交');
    expect(m.text).toContain(`2. 乙公司（${U[1]}）：A 发现问题待后续处理；D 违反其他法律、法规、规章规定；备注：未按规定办理资质变更`);
    expect(m.text).toContain(`1. ${U[2]} X\n   原因：结果代码“X”不在本部门的结果表述清单中`);
    expect(m.text).toContain('- 您好，结果如下：');
    expect(m.html).toContain('color:#b4232a');
  });
  it('form submissions get a plain status subject', () => {
    const m = renderResultConfirmation({ recipient: { name: '张三' }, departmentName: 'd', via: 'form', receivedAt: '2024-04-01T02:00:00Z', recorded: [{ uscc: U[0]!, targetName: '甲', codes: [{ code: '1', text: '未发现问题' }] }], rejected: [] });
    expect(m.subject).toBe('【双随机】结果录入确认：已录入 1 项');
    expect(m.text).not.toContain('未录入（');
    expect(m.text).not.toContain('回执编号');
  });
  it('carries the receipt number of its idempotency key: every copy of one confirmation the same, another version another', () => {
    const d = { recipient: { name: '张三' }, departmentName: 'd', via: 'form' as const, receivedAt: '2024-04-01T02:00:00Z', recorded: [{ uscc: U[0]!, targetName: '甲', codes: [{ code: '1', text: '未发现问题' }] }], rejected: [] };
    const v1 = receiptNo('confirm#t#u#v1#i');
    expect(v1).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(receiptNo('confirm#t#u#v1#i')).toBe(v1);
    expect(receiptNo('confirm#t#u#v2#i')).not.toBe(v1);
    const m = renderResultConfirmation({ ...d, receipt: v1 });
    expect(m.text).toContain(`回执编号：${v1}（编号相同的邮件是同一份确认，重复收到的可忽略）`);
    expect(m.html).toContain(`回执编号：${v1}`);
  });
});

describe('report reminder', () => {
  it('names the report, the due date (moved off a holiday) and where it goes', () => {
    const m = renderReportReminder({
      recipient: { name: '刘洋' },
      departmentName: '长安区住房和城乡建设局',
      period: { kind: 'quarter', year: 2024, quarter: 3 },
      dueDate: '2024-09-30',
      nominalDate: '2024-10-01',
      workingDaysLeft: 3,
      submitTo: '区“双随机、一公开”领导小组办公室',
    });
    wellFormed(m);
    expect(m.subject).toBe('【双随机】季度总结报送提醒：2024年第3季度，2024年9月30日前报送');
    expect(m.text).toContain('请于 2024年9月30日（星期一） 前将长安区住房和城乡建设局2024年第3季度“双随机、一公开”监管工作季度总结报送区“双随机、一公开”领导小组办公室（还有 3 个工作日）');
    expect(m.text).toContain('方案规定的报送日为2024年10月1日');
    const monthly = renderReportReminder({ recipient: { name: '刘洋' }, departmentName: 'd', period: { kind: 'month', year: 2024, month: 3 }, dueDate: '2024-04-18', workingDaysLeft: 0, submitTo: '局人事法规科' });
    expect(monthly.subject).toBe('【双随机】月报表报送提醒：2024年3月，2024年4月18日前报送');
    expect(monthly.text).toContain('今天到期');
    expect(monthly.text).not.toContain('方案规定的报送日');
  });
});

describe('delivery problem and ceremony notices', () => {
  it('bounce notice names the address, owner and diagnostic', () => {
    const m = renderDeliveryProblemNotice({ recipient: { name: '刘洋' }, departmentName: 'd', problem: 'bounce', bounceType: 'Permanent', bounceSubType: 'NoEmail', address: 'zhangsan@qhd.example.gov.cn', owner: { name: '张三', role: '执法检查人员' }, diagnostic: `550 5.1.1 user unknown ${EVIL}`, occurredAt: '2024-04-01T01:00:00Z', failedSubject: '【双随机】到期提醒' });
    wellFormed(m);
    expect(m.subject).toBe('【双随机】邮件无法送达：张三（执法检查人员）');
    expect(m.text).toContain('退信（Permanent / NoEmail）');
    expect(visible(m.html)).toContain(`550 5.1.1 user unknown ${EVIL}`);
    const c = renderDeliveryProblemNotice({ recipient: { name: '刘洋' }, departmentName: 'd', problem: 'complaint', address: 'a@b.cn', occurredAt: '2024-04-01T01:00:00Z' });
    expect(c.subject).toBe('【双随机】收件人将系统邮件标记为垃圾邮件：a@b.cn');
  });

  it('witness invitation explains commit and reveal; record notice carries the fingerprints', () => {
    const inv = renderCeremonyNotice({ stage: 'invitation', recipient: { name: '周八' }, role: 'witness', departmentName: 'd', task: { taskId: 't1', name: '任务' }, ceremony: { at: '2024-03-25T01:30:00Z', place: '局三楼会议室' }, commitUrl: url('commitaaaaaaaaaaaaaa'), commitBy: '2024-03-24T09:00:00Z' });
    wellFormed(inv);
    expect(inv.subject).toBe('【双随机】抽取见证邀请：任务（2024年3月25日 09:30）');
    expect(inv.text).toContain('SHA-256');
    expect(inv.text).toContain(url('commitaaaaaaaaaaaaaa'));
    const sup = renderCeremonyNotice({ stage: 'invitation', recipient: { name: '纪检' }, role: 'supervisor', departmentName: 'd', task: { taskId: 't1', name: '任务' }, ceremony: { at: '2024-03-25T01:30:00Z', place: '局三楼会议室' }, commitUrl: url('commitaaaaaaaaaaaaaa') });
    expect(sup.text).not.toContain(url('commitaaaaaaaaaaaaaa'));
    const rec = renderCeremonyNotice({ stage: 'record', recipient: { name: '周八' }, role: 'witness', departmentName: 'd', task: { taskId: 't1', name: '任务' }, ceremony: { at: '2024-03-25T01:30:00Z', place: '局三楼会议室' }, recordUrl: url('recordaaaaaaaaaaaaaa'), fingerprints: { poolDigest: 'ab'.repeat(32), seed: 'cd'.repeat(32) } });
    expect(rec.text).toContain(`名录指纹：${'ab'.repeat(32)}`);
    expect(rec.text).not.toContain('您的承诺值');
  });
});

describe('inspection sheet (一企一表, printable)', () => {
  it('has the target, every item with its content, methods, result options, team and signature/refusal lines', () => {
    const page = renderInspectionSheet({
      departmentName: '秦皇岛市住房和城乡建设局',
      sheetNo: 'qhd-2024-01-0007',
      task: { taskId: 'qhd-2024-01', name: '建筑业企业资质动态核查', window: { start: '2024-04-01', end: '2024-05-31' }, leadSection: '建筑市场监管科', jointDepartments: ['市市场监管局'] },
      target: { uscc: U[0]!, name: `秦皇岛某建筑有限公司${EVIL}`, address: '海港区文化路 10 号' },
      items: [
        { name: '资质条件核查', content: '注册人员是否满足标准', legalBasis: '《建筑业企业资质管理规定》第三十条' },
        { name: '安全生产许可证', content: '是否在有效期内', key: true },
      ],
      methods: ['书面检查', '实地核查'],
      team: [{ name: '张三', leader: true, certificateNo: '13030012345' }, { name: '李四', certificateNo: '13030054321' }],
      phrases,
      generatedAt: '2024-04-01T00:00:00Z',
    });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toContain('<script>alert');
    const v = htmlToPlain(page.replace(/<style>[\s\S]*?<\/style>/, ''));
    for (const s of [
      '“双随机、一公开”检查记录表（一企一表）',
      `秦皇岛某建筑有限公司${EVIL}`,
      U[0]!,
      '海港区文化路 10 号',
      '注册人员是否满足标准',
      '依据：《建筑业企业资质管理规定》第三十条',
      '【重点】安全生产许可证',
      '☐ 书面检查',
      '☐ 实地核查',
      '张三（组长）',
      '13030054321',
      '被检查对象（签字或盖章）',
      '☐ 被检查对象拒绝签字或盖章，原因：',
      '见证人（签字）',
      '编号：qhd-2024-01-0007',
      '检查组长：张三',
    ]) expect(v).toContain(s);
    for (const p of phrases) expect(v).toContain(`☐ ${p.code} ${p.text}`);
    // One conclusion box per item.
    expect(v.match(/☐ 不涉及/g)).toHaveLength(2);
    expect(page).toContain('@page{size:A4');
  });
});

describe('leadership summary, end to end', () => {
  it('the mail carries the XLSX; opened from the parsed MIME it matches the stats cell by cell', async () => {
    const profile = getPreset('qinhuangdao-housing-2023');
    const stats = sampleStats(77, { kind: 'quarter', year: 2024, quarter: 1 });
    // No joint work between sections: the joint shares fall below the 25% / 15% targets.
    stats.yearToDate.provincial.internalJoint = { tasks: 0, targets: 0, problemTargets: 0 };
    stats.yearToDate.other.internalJoint = { tasks: 0, targets: 0, problemTargets: 0 };
    const { mail, kpis, filename } = await buildLeadershipSummary({
      profile,
      stats,
      meta: { departmentName: '秦皇岛市住房和城乡建设局', filledOn: '2024-04-10', contact: { name: '刘洋', phone: '0335-3031234' } },
      recipient: { name: '王局长' },
    });
    wellFormed(mail);
    const bad = kpis.filter((k) => k.ok === false);
    expect(bad.length).toBeGreaterThan(0);
    expect(mail.subject).toBe(`【双随机】2024年第1季度“双随机、一公开”监管季度汇总（秦皇岛市住房和城乡建设局）：${bad.length} 项指标未达标`);
    for (const k of bad) expect(mail.text).toContain(`${k.name}（${k.valueText}，目标 ${k.targetText}）`);
    expect(mail.text).toContain('【逾期事项（按科室，3 项）】');
    expect(mail.text).toContain('建筑市场监管科：2 项，最长逾期 7 个工作日');

    const raw = await composeMime(mail, { from: { name: '双随机监管系统', address: 'suiji@example.gov.cn' }, to: [{ name: '王局长', address: 'wang@example.gov.cn' }], kind: 'leadership-summary' });
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.headers.get('x-suiji-kind')).toBe('leadership-summary');
    expect(parsed.attachments).toHaveLength(1);
    const att = parsed.attachments[0]!;
    expect(att.filename).toBe(filename);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(att.content as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet(MAIN_SHEET)!;
    const cells = REPORT_CELLS['qinhuangdao-housing-2023'];
    for (const ch of ['provincial', 'other'] as const) {
      for (const [k, c] of Object.entries(stats.yearToDate[ch])) {
        const key = `yearToDate.${ch}.${k}`;
        if (!cells[`${key}.tasks`]) continue; // internalJoint is not a form row
        expect(ws.getCell(cells[`${key}.tasks`]!).value).toBe(c.tasks);
        expect(ws.getCell(cells[`${key}.targets`]!).value).toBe(c.targets);
        expect(ws.getCell(cells[`${key}.problemTargets`]!).value).toBe(c.problemTargets);
      }
    }
    const kws = wb.getWorksheet('KPI')!;
    kpis.forEach((k, i) => expect(kws.getCell(`D${KPI_FIRST_ROW + i}`).value).toBe(k.ok === false ? '未达标' : k.status));
    expect(wb.getWorksheet(OVERDUE_SHEET)).toBeDefined();
  });

  it('a month with no data says 无数据 in subject, body and workbook — never 达标 — for a county bureau in county words', async () => {
    const profile = getPreset('shijiazhuang-changan-2024');
    const stats = sampleStats(5, { kind: 'month', year: 2026, month: 11 });
    for (const p of [stats.current, stats.yearToDate]) for (const ch of ['provincial', 'other'] as const) for (const k of Object.keys(p[ch]) as (keyof typeof p.other)[]) p[ch][k] = { tasks: 0, targets: 0, problemTargets: 0 };
    stats.coverage = { inspectedEnterprises: 0, baseEnterprises: null };
    stats.timeliness = { checked: 0, entryDue: 0, entryOnTime: 0, published: 0, publicationDue: 0, publicationOnTime: 0, followUpArisen: 0, followUpClosed: 0 };
    const { mail, xlsx } = await buildLeadershipSummary({
      profile,
      stats,
      meta: { departmentName: '阜平县应急管理局', level: 'county', filledOn: '2026-12-07', contact: { name: '赵敏', phone: '0312-0600003' } },
      recipient: { name: '王局长' },
    });
    expect(mail.subject).toBe('【双随机】2026年11月“双随机、一公开”监管月度汇总（阜平县应急管理局）：各项指标暂无数据');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain('均已达标');
      expect(body).toContain('各项考核指标本期均无数据，无法判断是否达标');
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet(MAIN_SHEET)!;
    expect(ws.getCell('A1').value).toBe('县有关部门“双随机、一公开”监管工作月报表');
    expect(ws.getCell('C18').value).toBe('联系电话：0312-0600003');
    expect(String(wb.getWorksheet('KPI')!.getCell(`A${KPI_FIRST_ROW + 8}`).value)).toMatch(/^结论：无数据。/);
  });

  it('renderMail dispatches by kind', () => {
    const m = renderMail({ kind: 'report-reminder', data: { recipient: { name: 'a' }, departmentName: 'd', period: { kind: 'month', year: 2024, month: 1 }, dueDate: '2024-02-18', workingDaysLeft: 2, submitTo: '局人事法规科' } });
    expect(m.subject).toContain('月报表报送提醒');
  });
});
