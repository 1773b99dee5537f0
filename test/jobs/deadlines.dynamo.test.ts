/**
 * The daily deadline job against DynamoDB Local and the SES emulator, on hand-built departments:
 *   dl-a (fuping preset: entry reminder 2 working days ahead, publication/follow-up 3) and
 *   dl-b (qinhuangdao-samr preset: entry reminder 3 working days ahead); both escalate to
 *   leadership 3 working days after the first escalation.
 * Today is Tuesday 2026-03-10 (no holiday nearby): due in 2 working days = 03-12, in 3 = 03-13;
 * overdue by 1 = due 03-09, by 1 + 3 = due 03-04. Deadlines are created on 03-10 (the clock), so
 * those already overdue then (03-09, 03-04) are caught up by the first run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../helpers/local-aws.js';
import { assign, createDepartment, inbox, meetDeadline, openDeadline, startMailStack, textOf, to, addressOf, type DeptFixture, type Inbox, type MailStack } from './fixtures.js';
import { jobDay, runDeadlineJob } from '../../shared/jobs/deadlines.js';
import { ManualClock } from '../../shared/clock.js';
import { suppress } from '../../shared/mail/send.js';
import { Calendar } from '../../shared/domain/calendar.js';
import { deadlinesFiledOn, deadlinesOfTask, transition } from '../../shared/store/tasks.js';
import type { LocalSes, EmulatorEmail } from '../../shared/dev/local/ses.js';
import type { Inspector, Target } from '../../shared/domain/schemas.js';

let stack: TestStack;
let ses: LocalSes;
let mail: MailStack;
let box: Inbox;
let A: DeptFixture;
let B: DeptFixture;
let a: Inspector[];
let b: Inspector[];
let tA: Target[];
let tB: Target[];

const clock = new ManualClock('2026-03-10T00:00:00Z');
/** Run the job for a day, with the clock at 08:00 China time. */
async function runOn(day: string, cal?: Calendar) {
  clock.set(`${day}T00:00:00Z`);
  return runDeadlineJob(day, cal ? { calendar: cal } : {});
}

type Kind = 'reminder' | 'escalation' | 'leadership' | 'delivery' | 'calendar' | 'other';
function kindOf(m: EmulatorEmail): Kind {
  if (m.subject.startsWith('【双随机】到期提醒')) return 'reminder';
  if (m.subject.startsWith('【双随机】逾期提醒')) return 'escalation';
  if (m.subject.startsWith('【双随机】逾期事项报告')) return 'leadership';
  if (m.subject.includes('邮件无法送达')) return 'delivery';
  if (m.subject.includes('工作日历缺少')) return 'calendar';
  return 'other';
}
/** recipient → kind → mails */
function byRecipient(mails: EmulatorEmail[]): Map<string, Map<Kind, EmulatorEmail[]>> {
  const out = new Map<string, Map<Kind, EmulatorEmail[]>>();
  for (const m of mails) {
    for (const r of to(m)) {
      const k = out.get(r) ?? new Map<Kind, EmulatorEmail[]>();
      k.set(kindOf(m), [...(k.get(kindOf(m)) ?? []), m]);
      out.set(r, k);
    }
  }
  return out;
}
/** The USCCs of `targets` listed in a mail. */
const listed = (m: EmulatorEmail, targets: Target[]) => targets.filter((t) => textOf(m).includes(t.uscc)).map((t) => t.uscc);
const ids = (xs: Inspector[]) => xs.map((x) => x.id);

beforeAll(async () => {
  mail = await startMailStack(clock);
  ({ stack, ses } = mail);
  A = await createDepartment('dl-a', 'fuping-housing-2021', { inspectors: 4, targets: 9, seed: 1000 });
  B = await createDepartment('dl-b', 'qinhuangdao-samr-2023', { inspectors: 2, targets: 5, seed: 5000 });
  a = A.inspectors; // a1 甲, a2 乙, a3 甲, a4 乙
  b = B.inspectors; // b1 甲, b2 乙
  tA = A.targets;
  tB = B.targets;
  const [a1, a2, a3, a4] = a as [Inspector, Inspector, Inspector, Inspector];
  const [b1, b2] = b as [Inspector, Inspector];
  const task = A.taskIds[0]!;
  await assign(task, [
    { target: tA[0]!, team: [a1, a2], dueEntry: '2026-03-12' }, // reminder today (lead 2)
    { target: tA[1]!, team: [a1, a3], dueEntry: '2026-03-12' }, // reminder today
    { target: tA[2]!, team: [a2, a4] }, // publication due 03-13: reminder today (lead 3)
    { target: tA[3]!, team: [a3, a4], dueEntry: '2026-03-13' }, // entry lead is 2: not today
    { target: tA[4]!, team: [a2, a4], dueEntry: '2026-03-09' }, // missed yesterday: escalation today
    { target: tA[5]!, team: [a1, a3], dueEntry: '2026-03-09' }, // met: never escalated
    { target: tA[6]!, team: [a1, a2] }, // follow-up due 03-04, opened today: escalation and leadership today
    { target: tA[7]!, team: [a3, a4] }, // follow-up due 03-13: reminder today (lead 3)
    { target: tA[8]!, team: [a1, a2] }, // pending deadline (calendar test)
  ]);
  await openDeadline(task, tA[2]!.uscc, 'publish', '2026-03-13', ids([a2, a4]), 'result_entered');
  await meetDeadline(task, tA[5]!.uscc, 'entry', 'result_entered');
  await openDeadline(task, tA[6]!.uscc, 'followup', '2026-03-04', ids([a1, a2]), 'followup_open');
  await openDeadline(task, tA[7]!.uscc, 'followup', '2026-03-13', ids([a3, a4]), 'followup_open');
  await assign(B.taskIds[0]!, [
    { target: tB[0]!, team: [b1, b2], dueEntry: '2026-03-13' }, // B's entry lead is 3: reminder today
    { target: tB[1]!, team: [b1, b2], dueEntry: '2026-03-12' }, // reminder day 03-09 came before it existed: today
    { target: tB[2]!, team: [b1, b2], dueEntry: '2026-03-16' }, // reminder on 03-11
    { target: tB[3]!, team: [b1, b2], dueEntry: '2026-03-17' }, // reminder on 03-12
    { target: tB[4]!, team: [b1, b2], dueEntry: '2026-12-28' }, // escalation on 12-29
  ]);
  box = inbox(ses);
}, 180_000);

afterAll(() => mail?.stop());

describe('daily deadline job', () => {
  it('sends one reminder digest per person with every item due, escalations the day after a miss, leadership after N more working days', async () => {
    const s = await runOn('2026-03-10');
    expect(s).toMatchObject({ workingDay: true, reminders: 6, escalations: 5, leadership: 1, mails: 12, skipped: 0 });
    expect(s.items).toEqual({ reminders: 6, overdue: 2, leadership: 1 });
    const mails = box.take();
    expect(mails).toHaveLength(12);
    const got = byRecipient(mails);
    const [a1, a2, a3, a4] = a as [Inspector, Inspector, Inspector, Inspector];
    const [b1, b2] = b as [Inspector, Inspector];
    const reminderOf = (i: Inspector) => {
      const r = got.get(i.email)?.get('reminder') ?? [];
      expect(r, i.email).toHaveLength(1); // one digest, never one mail per target
      return r[0]!;
    };
    const all = [...tA, ...tB];
    expect(listed(reminderOf(a1), all).sort()).toEqual([tA[0]!.uscc, tA[1]!.uscc].sort());
    expect(listed(reminderOf(a2), all).sort()).toEqual([tA[0]!.uscc, tA[2]!.uscc].sort());
    expect(listed(reminderOf(a3), all).sort()).toEqual([tA[1]!.uscc, tA[7]!.uscc].sort());
    expect(listed(reminderOf(a4), all).sort()).toEqual([tA[2]!.uscc, tA[7]!.uscc].sort());
    expect(listed(reminderOf(b1), all).sort()).toEqual([tB[0]!.uscc, tB[1]!.uscc].sort());
    expect(listed(reminderOf(b2), all).sort()).toEqual([tB[0]!.uscc, tB[1]!.uscc].sort());
    // Due dates and the inspector's own link per target.
    expect(textOf(reminderOf(a1))).toContain('2026年3月12日');
    expect(textOf(reminderOf(a1))).toMatch(new RegExp(`http://127\\.0\\.0\\.1:3999/l/[A-Za-z0-9_-]{16,}\\?t=${tA[0]!.uscc}`));
    expect(textOf(reminderOf(a3))).toContain('后续处置');
    // Digests with result entries accept replies; a4's (publication + follow-up only) does not.
    for (const i of [a1, a2, a3, b1, b2]) expect(reminderOf(i).replyTo.map(addressOf)[0]).toMatch(/^r\+[a-z2-7]{26}@reply\.example\.gov\.cn$/);
    expect(reminderOf(a4).replyTo).toEqual([]);
    expect(new Set([a1, a2, a3].map((i) => reminderOf(i).replyTo[0])).size).toBe(3);

    // Escalation: the team of the missed entry (a2, a4, both 乙科) and the 乙科 head; the
    // follow-up created already 4 working days overdue has not been escalated before, so its team
    // (a1 甲科, a2 乙科) and both heads get it now, once, with the leader.
    const head = (s2: string) => A.dept.sectionHeads.find((h) => h.section === s2)!.email;
    const escalated = (r: string) => {
      const e = got.get(r)?.get('escalation') ?? [];
      expect(e, r).toHaveLength(1);
      return e[0]!;
    };
    for (const r of [a4.email]) expect(listed(escalated(r), all)).toEqual([tA[4]!.uscc]);
    for (const r of [a2.email, head('乙科')]) expect(listed(escalated(r), all).sort()).toEqual([tA[4]!.uscc, tA[6]!.uscc].sort());
    for (const r of [a1.email, head('甲科')]) expect(listed(escalated(r), all)).toEqual([tA[6]!.uscc]);
    expect(textOf(escalated(a4.email))).toContain('逾期 1 个工作日');
    expect(textOf(escalated(a1.email))).toContain('逾期 4 个工作日');
    // Leadership: the follow-up missed 1 + 3 working days ago.
    const lead = got.get(A.dept.leaders[0]!.email)?.get('leadership') ?? [];
    expect(lead).toHaveLength(1);
    expect(listed(lead[0]!, all)).toEqual([tA[6]!.uscc]);
    expect(textOf(lead[0]!)).toContain('逾期 4 个工作日');
    // The met deadline is nowhere.
    for (const m of mails) expect(textOf(m)).not.toContain(tA[5]!.uscc);
    // dl-a's entry lead is 2: the entry due 03-13 is not reminded today.
    for (const m of mails) expect(listed(m, [tA[3]!])).toEqual([]);
  });

  it('sends nothing twice when run again the same day', async () => {
    const s = await runOn('2026-03-10');
    // Every deadline is filed under its next step's day now: nothing is even found.
    expect(s).toMatchObject({ reminders: 0, escalations: 0, leadership: 0, mails: 0, skipped: 0, items: { reminders: 0, overdue: 0, leadership: 0 } });
    expect(box.take()).toEqual([]);
  });

  it('escalates exactly once the day after a miss and to leadership exactly N working days later; skips a bounced address and tells the coordinator once', async () => {
    const [b1, b2] = b as [Inspector, Inspector];
    await suppress(b2.email, 'bounce', 'smtp; 550 5.1.1 user unknown');
    const days = ['2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15', '2026-03-16', '2026-03-17'];
    const perDay = new Map<string, EmulatorEmail[]>();
    for (const d of days) {
      const s = await runOn(d);
      if (d === '2026-03-14' || d === '2026-03-15') expect(s).toMatchObject({ workingDay: false, mails: 0 });
      perDay.set(d, box.take());
    }
    const missedOn0309 = tA[4]!.uscc;
    const escalationsWith = (uscc: string) =>
      [...perDay].flatMap(([d, ms]) => ms.filter((m) => (kindOf(m) === 'escalation' || kindOf(m) === 'leadership') && textOf(m).includes(uscc)).map((m) => `${d} ${kindOf(m)} ${to(m).join(',')}`));
    // Escalated on 03-10 (previous test); then only leadership on 03-13 = 03-10 + 3 working days.
    expect(escalationsWith(missedOn0309)).toEqual([`2026-03-13 leadership ${A.dept.leaders[0]!.email}`]);
    expect(escalationsWith(tA[5]!.uscc)).toEqual([]);
    // Entries due 03-12 (tA0, tA1) escalate on 03-13 to their teams and section heads, once.
    const e0312 = escalationsWith(tA[0]!.uscc);
    expect(e0312.every((x) => x.startsWith('2026-03-13 escalation'))).toBe(true);
    expect(e0312.map((x) => x.split(' ')[2]).sort()).toEqual([a[0]!.email, a[1]!.email, A.dept.sectionHeads[0]!.email, A.dept.sectionHeads[1]!.email].sort());
    // The leader's 03-13 report lists the 03-09 miss, not the fresh ones.
    const leader0313 = perDay.get('2026-03-13')!.filter((m) => kindOf(m) === 'leadership');
    expect(leader0313).toHaveLength(1);
    expect(listed(leader0313[0]!, [...tA, ...tB])).toEqual([missedOn0309]);

    // b2 bounced: no digest to b2; b1 still gets its reminders; B's coordinator is told once.
    const to11 = byRecipient(perDay.get('2026-03-11')!);
    expect(to11.get(b2.email)).toBeUndefined();
    expect(listed(to11.get(b1.email)!.get('reminder')![0]!, tB)).toEqual([tB[2]!.uscc]);
    const notices = [...perDay.values()].flat().filter((m) => kindOf(m) === 'delivery');
    expect(notices.map((m) => to(m))).toEqual([[B.dept.coordinators[0]!.email]]);
    expect(textOf(notices[0]!)).toContain(b2.email);
    expect(byRecipient(perDay.get('2026-03-12')!).get(b1.email)?.get('reminder')).toHaveLength(1);
    expect([...perDay.values()].flat().filter((m) => to(m).includes(b2.email))).toEqual([]);
  });

  it('catches up the steps of days it did not run (platform down 03-18 … 03-24), each once', async () => {
    const s = await runOn('2026-03-25');
    const mails = box.take();
    const got = byRecipient(mails);
    // Leadership steps due 03-18 … 03-23, all at once, one digest per leader.
    const leaderOf = (f: DeptFixture) => got.get(f.dept.leaders[0]!.email)?.get('leadership') ?? [];
    expect(leaderOf(A)).toHaveLength(1);
    expect(listed(leaderOf(A)[0]!, tA).sort()).toEqual([tA[0]!, tA[1]!, tA[2]!, tA[3]!, tA[7]!].map((t) => t.uscc).sort());
    expect(leaderOf(B)).toHaveLength(1);
    expect(listed(leaderOf(B)[0]!, tB).sort()).toEqual([tB[0]!, tB[1]!, tB[2]!, tB[3]!].map((t) => t.uscc).sort());
    // tB3 (due 03-17) missed its first escalation (03-18) as well: b1 and dl-b's heads (b2 bounced).
    const first = mails.filter((m) => kindOf(m) === 'escalation');
    expect(first.flatMap(to).sort()).toEqual([b[0]!.email, ...B.dept.sectionHeads.map((h) => h.email)].sort());
    for (const m of first) expect(listed(m, [...tA, ...tB])).toEqual([tB[3]!.uscc]);
    expect(s).toMatchObject({ reminders: 0, escalations: 3, leadership: 2 });
    // Nothing is sent twice on the following days.
    expect((await runOn('2026-03-26')).mails).toBe(0);
    expect(box.take()).toEqual([]);
  });

  it('alerts the coordinators once per missing year and department when the calendar lacks it, still sends what it can compute, and settles pending deadlines once the year is added', async () => {
    // A deadline whose due date fell in 2027 while the calendar lacked it (lifecycle: dueOrPending).
    const task = A.taskIds[0]!;
    await transition({
      taskId: task,
      uscc: tA[8]!.uscc,
      from: ['notified'],
      to: 'result_entered',
      actor: { by: 'test' },
      openDeadlines: [{ kind: 'publish', ref: tA[8]!.uscc, due: { pendingYear: 2027, basis: { from: '2026-12-21', rule: 'publish' } }, people: ids([a[0]!, a[1]!]) }],
      auditWhat: 'test.pending',
    });

    // 12-29: the 12-28 miss escalates; its leadership step falls in 2027 → alert (once for the year).
    const s = await runOn('2026-12-29');
    expect(s.workingDay).toBe(true);
    expect(s.calendarGaps).toEqual([{ year: 2027, departments: ['dl-a', 'dl-b'] }]);
    expect(s.escalations).toBe(3); // b1 and both of dl-b's section heads (b2 is suppressed: skipped)
    const mails = box.take();
    const alerts = mails.filter((m) => kindOf(m) === 'calendar');
    expect(alerts.map((m) => to(m)[0]).sort()).toEqual([A.dept.coordinators[0]!.email, B.dept.coordinators[0]!.email].sort());
    expect(alerts[0]!.subject).toContain('2027');
    expect(textOf(alerts[0]!)).toContain('calendar-overrides.json');
    const esc = mails.filter((m) => kindOf(m) === 'escalation');
    expect(esc.map((m) => listed(m, tB))).toEqual(esc.map(() => [tB[4]!.uscc]));
    expect(esc.flatMap(to).sort()).toEqual([b[0]!.email, ...B.dept.sectionHeads.map((h) => h.email)].sort());

    expect((await runOn('2026-12-29')).mails).toBe(0); // a second run the same day
    expect(box.take()).toEqual([]);
    // 2027-01-04: the day itself is unknown — nothing guessed; the gap is still reported in the
    // summary (and logged), but the coordinators were told about 2027 already: no second alert.
    const s2 = await runOn('2027-01-04');
    expect(s2).toMatchObject({ workingDay: false, reminders: 0, escalations: 0, settled: 0, calendarGaps: [{ year: 2027, departments: ['dl-a', 'dl-b'] }], mails: 0 });
    expect(box.take().filter((m) => kindOf(m) === 'calendar')).toEqual([]);

    // Once 2027 is added (test data, not the official notice), the pending deadline gets its due
    // date and enters the due index; no alert.
    const with2027 = new Calendar({
      overrides: {
        '2027': {
          source: 'test data',
          holidays: [{ date: '2027-01-01', name: '元旦' }, { date: '2027-01-02', name: '元旦' }, { date: '2027-01-03', name: '元旦' }],
          workdays: [],
        },
      },
    });
    const s3 = await runOn('2027-01-05', with2027);
    // The 12-28 miss's leadership step (01-04, now known) goes now.
    expect(s3).toMatchObject({ workingDay: true, settled: 1, calendarGaps: [], leadership: 1 });
    const due = with2027.addWorkingDays('2026-12-21', 20);
    // Counted by hand: 12-22…12-31 are 8 working days, 01-01…01-03 off, 01-04…01-15 are 10, then 01-18, 01-19.
    expect(due).toBe('2027-01-19');
    const dl = (await deadlinesOfTask(task)).find((d) => d.kind === 'publish' && d.ref === tA[8]!.uscc)!;
    expect(dl.due).toBe(due);
    expect(dl.pendingYear).toBeUndefined();
    // Filed under its reminder: 3 working days before the due date.
    expect(dl.filedOn).toBe('2027-01-14');
    expect((await deadlinesFiledOn('2027-01-14')).map((d) => d.ref)).toContain(tA[8]!.uscc);
    expect(box.take().filter((m) => kindOf(m) === 'calendar')).toEqual([]);
  });

  it('works on the scheduled day: explicit day, else the occurrence time in China time, else the clock', () => {
    expect(jobDay({ today: '2026-05-06' })).toBe('2026-05-06');
    expect(jobDay({ schedule: 'DailyDeadlines', scheduledTime: '2026-03-09T16:30:00Z' })).toBe('2026-03-10'); // 00:30 in China
    clock.set('2026-07-01T23:59:00Z');
    expect(jobDay({})).toBe('2026-07-02');
  });
});
