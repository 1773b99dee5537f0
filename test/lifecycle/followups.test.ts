/**
 * Follow-ups open when the result that needs one is entered (issue 11, point 6), on the sample
 * district's cross-department joint task (fp-zjj with fp-scjg and fp-yjj): the due date at once
 * (20 working days), the team leader and the coordinator told by mail, the deadline filed for
 * the reminder ladder, due dates of dispositions validated, dispositions by a partner
 * department's team leader — before publication too —, the listing, and a correction that no
 * longer needs follow-up withdrawing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, resetClock, setClock } from '../../shared/clock.js';
import { defaultCalendar as cal } from '../../shared/domain/calendar.js';
import { reminderDate } from '../../shared/domain/deadlines.js';
import { deadlinesOfTask, getProgress } from '../../shared/store/tasks.js';
import { runDeadlineJob } from '../../shared/jobs/deadlines.js';
import { drawnJointTask, jointResult, JOINT_TASK, type As, type JointSetting } from '../security/fixture.js';

const clock = new ManualClock('2026-05-12T01:00:00Z');
/** 20 working days from Wednesday 2026-05-20 (the day the result is entered). */
const DUE = cal.addWorkingDays('2026-05-20', 20);
const addr = (s: string): string => /<([^>]+)>/.exec(s)?.[1] ?? s;
let s: JointSetting;
let T: JointSetting['targets'][number];
let U: JointSetting['targets'][number];
let partnerLeader: As;
let partnerLeaderEmail = '';
let member: As;
let code = '';

const inspectorOf = (dept: string, id: string) => s.inspectors.get(dept)!.find((i) => i.id === id)!;
const mailsTo = (email: string, subject: string) => s.platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(email) && e.subject.includes(subject));

beforeAll(async () => {
  setClock(clock);
  s = await drawnJointTask();
  // Targets led by a partner department's inspector (the joint task draws from all three).
  const led = s.targets.filter((t) => t.teamDepartments[t.team.indexOf(t.leader)] !== 'fp-zjj');
  expect(led.length).toBeGreaterThanOrEqual(2);
  [T, U] = led as [typeof T, typeof U];
  const lead = inspectorOf(T.teamDepartments[T.team.indexOf(T.leader)]!, T.leader);
  partnerLeaderEmail = lead.email;
  partnerLeader = await s.api.as(lead.email);
  expect(U.leader).toBeTruthy();
  code = (await s.coord('GET', '/departments/fp-zjj/profile')).json.followUpDispositions[0].code as string;
  clock.set('2026-05-20T01:00:00Z'); // Wednesday, after the check on 05-19
}, 300_000);

afterAll(async () => {
  resetClock();
  await s?.platform.stop();
});

describe('a result that needs follow-up', () => {
  it('opens the follow-up at once: due in 20 working days, deadline filed for its reminder, leader and coordinator told', async () => {
    const r = await partnerLeader('PUT', `/tasks/${JOINT_TASK}/targets/${T.uscc}/result`, jointResult(T.team, ['A']));
    expect(r.status, r.text).toBe(201);
    const due = DUE;
    const p = (await getProgress(JOINT_TASK, T.uscc))!;
    expect(p).toMatchObject({ status: 'result_entered', needsFollowUp: true, followUpArisenOn: '2026-05-20', dueFollowUp: due });
    const dl = (await deadlinesOfTask(JOINT_TASK)).find((d) => d.kind === 'followup' && d.ref === T.uscc)!;
    expect(dl).toMatchObject({ due, filedOn: reminderDate(due, 3, cal) });
    expect(dl.metAt).toBeUndefined();

    const toLeader = mailsTo(partnerLeaderEmail, '后续处置');
    expect(toLeader).toHaveLength(1);
    expect(toLeader[0]!.subject).toContain(`2026年6月${Number(DUE.slice(8))}日`);
    expect(toLeader[0]!.body.text).toContain('A 发现问题待后续处理');
    expect(toLeader[0]!.body.text).toContain('您担任组长');
    expect(mailsTo('zjj.coordinator@example.gov.cn', '后续处置')).toHaveLength(1);
    // A repeated submission changes nothing and sends nothing again.
    expect((await partnerLeader('PUT', `/tasks/${JOINT_TASK}/targets/${T.uscc}/result`, jointResult(T.team, ['A']))).status).toBeLessThan(300);
    expect(mailsTo(partnerLeaderEmail, '后续处置')).toHaveLength(1);
  });

  it('validates the due date of a disposition: a working day, not before today, not after the deadline without a reason, never 2099', async () => {
    const path = `/tasks/${JOINT_TASK}/targets/${T.uscc}/followups`;
    const body = { disposition: code, responsibleUnit: '市场监管所' };
    const refused = async (extra: Record<string, string>, says: string) => {
      const r = await partnerLeader('POST', path, { ...body, ...extra });
      expect(r.status, r.text).toBe(400);
      expect(r.json.message).toContain(says);
    };
    await refused({ due: '2099-01-05' }, `晚于本部门规定的后续处置期限 ${DUE}`);
    await refused({ due: '2099-01-05', dueReason: '需要鉴定' }, '超过一年');
    await refused({ due: '2026-05-19' }, '早于今天');
    await refused({ due: '2026-05-23' }, '不是工作日'); // Saturday
    await refused({ due: '2026-06-30' }, '延期理由');
  });

  it("the partner department's team leader opens and closes the disposition before publication; publication then closes the target", async () => {
    const path = `/tasks/${JOINT_TASK}/targets/${T.uscc}/followups`;
    const fu = await partnerLeader('POST', path, { disposition: code, responsibleUnit: '市场监管所' });
    expect(fu.status, fu.text).toBe(201);
    expect(fu.json.due).toBe(DUE);
    // the first disposition meets the follow-up deadline
    expect((await deadlinesOfTask(JOINT_TASK)).find((d) => d.kind === 'followup' && d.ref === T.uscc)!.metAt).toBeTruthy();
    const later = await partnerLeader('POST', path, { disposition: code, responsibleUnit: '执法大队', due: '2026-07-01', dueReason: '需等待检测报告' });
    expect(later.status, later.text).toBe(201);
    expect(later.json).toMatchObject({ due: '2026-07-01', dueReason: '需等待检测报告' });

    const list = await s.coord('GET', `/tasks/${JOINT_TASK}/followups?uscc=${T.uscc}&status=open`);
    expect(list.json.items.map((f: { id: string }) => f.id).sort()).toEqual([fu.json.id, later.json.id].sort());
    for (const id of [fu.json.id, later.json.id]) {
      const c = await partnerLeader('POST', `${path}/${id}/close`, { outcome: '已责令改正并复查合格' });
      expect(c.status, c.text).toBe(200);
      expect(c.json.targetClosed).toBe(false);
    }
    expect((await getProgress(JOINT_TASK, T.uscc))!.status).toBe('result_entered');
    expect((await s.coord('GET', `/tasks/${JOINT_TASK}/followups?uscc=${T.uscc}&status=open`)).json.items).toEqual([]);
    const pub = await s.coord('POST', `/tasks/${JOINT_TASK}/publish`, { usccs: [T.uscc] });
    expect(pub.json.published).toEqual([T.uscc]);
    expect((await getProgress(JOINT_TASK, T.uscc))!.status).toBe('closed');
    // the targets list filters by status on the server
    const closed = await s.coord('GET', `/tasks/${JOINT_TASK}/targets?status=closed`);
    expect(closed.json.items.map((t: { uscc: string }) => t.uscc)).toEqual([T.uscc]);
    expect((await s.coord('GET', `/tasks/${JOINT_TASK}/targets?status=nope`)).status).toBe(400);
  });

  it('is reminded by the daily job like every deadline; a correction that no longer needs it withdraws it', async () => {
    const lead = inspectorOf(U.teamDepartments[U.team.indexOf(U.leader)]!, U.leader);
    const uLeader = await s.api.as(lead.email);
    expect((await uLeader('PUT', `/tasks/${JOINT_TASK}/targets/${U.uscc}/result`, jointResult(U.team, ['A']))).status).toBe(201);
    const due = (await getProgress(JOINT_TASK, U.uscc))!.dueFollowUp!;
    const day = reminderDate(due, 3, cal);
    clock.set(`${day}T00:00:00Z`);
    await runDeadlineJob(day);
    const reminders = s.platform.ses.emails().filter((e) => e.destination.to.map(addr).includes(lead.email) && e.subject.startsWith('【双随机】到期提醒'));
    expect(reminders.some((m) => (m.body.text ?? '').includes(U.uscc) && (m.body.text ?? '').includes('后续处置'))).toBe(true);

    clock.set(`${day}T02:00:00Z`);
    expect((await uLeader('PUT', `/tasks/${JOINT_TASK}/targets/${U.uscc}/result`, jointResult(U.team, ['E']))).status).toBe(200);
    const p = (await getProgress(JOINT_TASK, U.uscc))!;
    expect(p.needsFollowUp).toBe(false);
    expect(p.dueFollowUp).toBeUndefined();
    expect((await deadlinesOfTask(JOINT_TASK)).find((d) => d.kind === 'followup' && d.ref === U.uscc)).toBeUndefined();
  });
});
