/**
 * E-mail links and reply tokens outlive neither their use nor the inspector (issue 12, 3):
 * - a deactivated or deleted inspector still entered results and read the contact sheet (一企一表,
 *   with the enterprise's contact person and phone) through his 180-day assignment link, and his
 *   reply tokens still recorded results;
 * - the single-use enter-result link was used up only after the result was written, so two POSTs
 *   at the same moment both recorded (the second as a correction).
 * Now every use resolves the inspector again and requires him active, and the link is claimed by
 * a conditional write before the result is entered (a refused entry gives the claim back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../shared/dev/local/platform.js';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { createLink, resolveLink } from '../../shared/links.js';
import { assignmentLink } from '../../shared/lifecycle/notify.js';
import { getProgress } from '../../shared/store/tasks.js';
import { handleInboundMail, issueReplyToken } from '../../shared/mail/inbound.js';
import type { Inspector } from '../../shared/domain/schemas.js';
import type { ApiClient } from '../helpers/api.js';
import { sesReply } from '../helpers/inbound.js';
import { drawnJointTask, JOINT_ITEMS, JOINT_TASK as TASK, type JointSetting } from './fixture.js';
import { resultForm } from '../helpers/result-form.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let platform: Platform;
let api: ApiClient;
let s: JointSetting;
/** Three team members, each with a target of his own for one test. */
let picks: { insp: Inspector; target: JointSetting['targets'][number] }[] = [];

/** The result form as a browser posts it, for a target of the joint task. */
function form(t: { team: string[] }, checkDate: string, present = t.team.slice(0, 2)): string {
  return resultForm({ items: JOINT_ITEMS, checkDate, present }).toString();
}

const enterResultLink = (p: (typeof picks)[number]): Promise<string> =>
  createLink('enter-result', { taskId: TASK, inspectorId: p.insp.id, department: p.insp.department, uscc: p.target.uscc, round: '1' }, p.insp.email, { days: 30, singleUse: true });

beforeAll(async () => {
  setClock(clock);
  s = await drawnJointTask();
  ({ platform, api } = s);
  const used = new Set<string>();
  for (const t of s.targets) {
    const k = t.team.findIndex((x) => !used.has(x));
    if (k < 0) continue;
    used.add(t.team[k]!);
    picks.push({ insp: s.inspectors.get(t.teamDepartments[k]!)!.find((i) => i.id === t.team[k])!, target: t });
    if (picks.length === 3) break;
  }
  expect(picks.length, 'the joint task draws three targets or more').toBe(3);
  clock.set('2026-05-20T02:00:00Z');
}, 240_000);

afterAll(async () => {
  resetClock();
  await platform?.stop();
});

describe('single-use links', () => {
  it('POSTs of an enter-result link arriving together record once', async () => {
    const p = picks[0]!;
    const id = await enterResultLink(p);
    // Six submissions a few milliseconds apart, each a different result (a later one would be a correction).
    const dates = ['2026-05-14', '2026-05-15', '2026-05-16', '2026-05-17', '2026-05-18', '2026-05-19'];
    const answers = await Promise.all(
      dates.map(async (d, k) => {
        await new Promise((r) => setTimeout(r, k * 15));
        return api.call('POST', `/l/${id}`, form(p.target, d), FORM);
      }),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 410, 410, 410, 410, 410]);
    expect(answers.find((r) => r.status === 410)!.text).toContain('使用过');
    const progress = await getProgress(TASK, p.target.uscc);
    expect(progress?.resultVersion).toBe(1);
    expect(progress?.result).toMatchObject({ enteredBy: p.insp.id, via: 'form' });
  });

  it('a refused entry does not use the link up; the accepted one does', async () => {
    const p = picks[1]!;
    const id = await enterResultLink(p);
    const refused = await api.call('POST', `/l/${id}`, form(p.target, '2026-05-19', []), FORM);
    expect(refused.status).toBe(400);
    expect((await resolveLink(id)).ok).toBe(true);
    expect((await api.call('POST', `/l/${id}`, form(p.target, '2026-05-19'), FORM)).status).toBe(200);
    expect((await api.call('POST', `/l/${id}`, form(p.target, '2026-05-18'), FORM)).status).toBe(410);
    expect((await getProgress(TASK, p.target.uscc))?.resultVersion).toBe(1);
  });
});

describe('links and reply tokens end with the inspector', () => {
  const coordinatorOf = (i: Inspector) => api.as(`${i.department.slice(3)}.coordinator@example.gov.cn`);
  async function setActive(i: Inspector, active: boolean): Promise<void> {
    const { id: _i, department: _d, ...body } = i;
    expect((await (await coordinatorOf(i))('PUT', `/departments/${i.department}/inspectors/${i.id}`, { ...body, active })).status).toBe(200);
  }

  it('a deactivated inspector neither reads (list, form, contact sheet) nor enters through his assignment link, nor by reply', async () => {
    const { insp, target } = picks[2]!;
    const link = await assignmentLink(TASK, 1, insp); // the link his assignment notice carried
    const sheet = `/l/${link}?t=${target.uscc}&print=1`;
    expect((await api.call('GET', `/l/${link}`)).status).toBe(200);
    expect((await api.call('GET', sheet)).status).toBe(200);

    await setActive(insp, false);
    for (const path of [`/l/${link}`, `/l/${link}?t=${target.uscc}`, sheet]) {
      const r = await api.call('GET', path);
      expect(r.status, path).toBe(410);
      expect(r.text).toContain('已停用');
    }
    expect((await api.call('POST', `/l/${link}?t=${target.uscc}`, form(target, '2026-05-19'), FORM)).status).toBe(410);
    const lapsed = await createLink('enter-result', { taskId: TASK, inspectorId: insp.id, department: insp.department, uscc: target.uscc, round: '1' }, insp.email, { singleUse: true });
    expect((await api.call('POST', `/l/${lapsed}`, form(target, '2026-05-19'), FORM)).status).toBe(410);

    const token = await issueReplyToken(`test#lapsed#${insp.id}`, { inspectors: [{ id: insp.id, department: insp.department }], department: insp.department, address: insp.email, date: '2026-05-20' });
    const before = platform.ses.emails().length;
    const out = await handleInboundMail(sesReply({ from: insp.email, token, body: `${target.uscc} 1`, id: 'lapsed-reply-1' }));
    expect(out.status).toBe('unverified');
    expect(out.reasons).toContain('检查人员登记已停用，回复令牌已失效');
    expect(out.recorded).toEqual([]);
    expect(platform.ses.emails().length).toBe(before);
    expect((await getProgress(TASK, target.uscc))?.result).toBeUndefined();

    // active again, his links are his again
    await setActive(insp, true);
    expect((await api.call('GET', `/l/${link}`)).status).toBe(200);
  });

  it('a deleted inspector’s link is refused too', async () => {
    const { target } = picks[2]!;
    const k = target.team.findIndex((id) => id !== picks[2]!.insp.id);
    const insp = s.inspectors.get(target.teamDepartments[k]!)!.find((i) => i.id === target.team[k])!;
    const link = await assignmentLink(TASK, 1, insp);
    expect((await api.call('GET', `/l/${link}?t=${target.uscc}&print=1`)).status).toBe(200);
    expect((await (await coordinatorOf(insp))('DELETE', `/departments/${insp.department}/inspectors/${insp.id}`)).status).toBe(204);
    const r = await api.call('GET', `/l/${link}?t=${target.uscc}&print=1`);
    expect(r.status).toBe(410);
    expect(r.text).toContain('已不在本部门执法检查人员名录库中');
    expect((await api.call('POST', `/l/${link}?t=${target.uscc}`, form(target, '2026-05-19'), FORM)).status).toBe(410);
    expect((await getProgress(TASK, target.uscc))?.result).toBeUndefined();
  });
});
