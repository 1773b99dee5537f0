/**
 * The daily deadline job (EventBridge Scheduler, 08:00 China time): reminders before result
 * entry, publication and follow-up due dates, and escalations after a miss — read from the due
 * index by date (decision 2), never a scan.
 *
 * Every open deadline climbs a ladder (`ladderDates` in shared/domain/deadlines.ts, from its
 * department's profile): the reminder `reminderLeadWorkingDays` ahead → the team; the first
 * working day after the miss → the team and the section head of each member's section; the
 * leadership step `escalateToLeadershipAfterWorkingDays` later → the leaders of the task's
 * department. The due index files each open deadline under the day of its next step (`filedOn`;
 * a new deadline under its first step, never before the day it is created). On a working day the
 * job reads the days from its last run through today (a handful of partitions; after an outage
 * the missed days too), and for each deadline sends every step reached and not had yet — once
 * each, catching up deadlines created already overdue and days missed while the platform was
 * down (a reminder is skipped once the deadline is overdue) — then records the steps and files
 * it under its next step's day (out of the index when the ladder is done). Met deadlines are not
 * in the index, so they never escalate. Everything is grouped into one
 * digest per person (e-mail address) per day: at most one reminder digest and one escalation
 * digest (the leadership level wins when a person has both levels). Idempotency keys
 * `reminder#<today>#<email>` / `escalation#<today>#<email>`: a second run the same day finds the
 * deadlines filed on and sends nothing; a run that failed after sending sends nothing twice
 * either. Reminder digests with result entries carry `Reply-To: r+<token>@…` (reply by mail,
 * shared/mail/inbound.ts); the token is stored per digest key, so a retried run reuses it.
 *
 * Suppressed addresses (bounce/complaint) and inspectors whose `mailStatus` is not ok are
 * skipped; the department's coordinators are told once per address (key shared with the SES
 * event handler). A year the calendar does not cover (`CalendarYearNotCovered`) never crashes
 * the job or gets guessed: what can be computed is sent, and each affected department's
 * coordinators get one alert per missing year (`calendar#<year>#<department>#<email>`, shared
 * with the reports job; every later day only logs the gap).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { maskEmail } from '../lambda/redact.js';
import { addDays, CalendarYearNotCovered, chinaToday, defaultCalendar, maxDate, type Calendar } from '../domain/calendar.js';
import type { PolicyProfile } from '../domain/profiles.js';
import { dueDate, firstLadderDay, ladderDates, ladderToday, workingDaysLeft, workingDaysOverdue, type DeadlineStep } from '../domain/deadlines.js';
import type { Department, Inspector } from '../domain/schemas.js';
import { now } from '../clock.js';
import { config } from '../config.js';
import { getProfile } from '../services/profile.js';
import { listDepartments, listInspectors } from '../store/registry.js';
import { advanceDeadline, deadlinesFiledOn, getTask, lastDeadlineRun, pendingDeadlines, recordDeadlineRun, settleDeadline, type DeadlineRecord, type ProgressRecord, type TaskRecord } from '../store/tasks.js';
import { assignmentLink } from '../lifecycle/notify.js';
import { taskContext, type TaskContext } from '../lifecycle/progress.js';
import { teamOf } from '../lifecycle/team.js';
import { inspectorKey, teamRefs, type InspectorRef } from '../domain/identity.js';
import { batchGet, runPool } from '../store/base.js';
import { K } from '../store/keys.js';
import {
  SUBJECT_PREFIX,
  TextBuilder,
  callout,
  fmtDateWeekday,
  html,
  list,
  para,
  renderEscalationDigest,
  renderReminderDigest,
  shell,
  textFooter,
  type OverdueEntry,
  type ReminderEntry,
  type RenderedMail,
} from '../mail/render.js';
import { replyAddress } from '../mail/reply.js';
import { isSuppressed, type SendOutcome } from '../mail/send.js';
import { deliver, notifyCoordinators, ownersOf, suppressionOf, type Recipient } from '../mail/events.js';
import { issueReplyToken } from '../mail/inbound.js';

const logger = new Logger({ serviceName: 'suiji-jobs' });

// ---------------------------------------------------------------- shared by the jobs

/** Departments, their profiles and inspectors, loaded once per run. */
export class Directory {
  /** Each department's inspectors, read when a team of that department is first needed. */
  private inspectors = new Map<string, Promise<Map<string, Inspector>>>();
  private contexts = new Map<string, Promise<TaskContext | undefined>>();
  private constructor(
    readonly departments: Department[],
    readonly profiles: Map<string, PolicyProfile>,
  ) {}

  static async load(): Promise<Directory> {
    const departments = await listDepartments({ fresh: true });
    const profiles = new Map<string, PolicyProfile>();
    for (const d of departments) {
      // One department's broken profile must not stop the others' reminders.
      try {
        profiles.set(d.id, await getProfile(d.id));
      } catch (e) {
        logger.error('department profile unusable; its date rules are skipped', { department: d.id, error: (e as Error).message });
      }
    }
    return new Directory(departments, profiles);
  }

  department(id: string): Department | undefined {
    return this.departments.find((d) => d.id === id);
  }

  profile(id: string): PolicyProfile | undefined {
    return this.profiles.get(id);
  }

  /** The inspector (department, id): a namesake in another department is someone else. */
  async inspector(ref: InspectorRef): Promise<Inspector | undefined> {
    // One shared promise per department: concurrent callers must not see a half-filled map.
    let m = this.inspectors.get(ref.department);
    if (!m) this.inspectors.set(ref.department, (m = listInspectors(ref.department).then((l) => new Map(l.map((i) => [inspectorKey(i), i])))));
    return (await m).get(inspectorKey(ref));
  }

  /** The registered members of a drawn target's team, each as (department, id). */
  async team(p: ProgressRecord): Promise<Inspector[]> {
    let refs = teamRefs(p);
    if (!p.teamDepartments) {
      // Progress drawn before members were qualified: resolved against the task's draw scope.
      let c = this.contexts.get(p.taskId);
      if (!c) this.contexts.set(p.taskId, (c = taskContext(p.taskId).catch(() => undefined)));
      const ctx = await c;
      refs = ctx ? await teamOf(ctx, p) : [];
    }
    const found = await Promise.all(refs.map((r) => (r ? this.inspector(r) : undefined)));
    return found.filter((i): i is Inspector => i !== undefined);
  }
}

/** Years the calendar could not answer for, and the departments affected. */
export class CalendarGaps {
  readonly years = new Map<number, Set<string>>();

  /** Run `fn`; a CalendarYearNotCovered is recorded for `departments` and yields undefined. */
  guard<T>(departments: readonly string[], fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof CalendarYearNotCovered)) throw e;
      this.note(e, departments);
      return undefined;
    }
  }

  /** `guard` for asynchronous work. */
  async guardAsync<T>(departments: readonly string[], fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof CalendarYearNotCovered)) throw e;
      this.note(e, departments);
      return undefined;
    }
  }

  note(e: CalendarYearNotCovered, departments: readonly string[]): void {
    const set = this.years.get(e.year) ?? new Set<string>();
    for (const d of departments) set.add(d);
    this.years.set(e.year, set);
  }

  get empty(): boolean {
    return this.years.size === 0;
  }

  list(): { year: number; departments: string[] }[] {
    return [...this.years].map(([year, d]) => ({ year, departments: [...d].sort() }));
  }
}

/** What stops while the calendar lacks a year: the deadline job's mail and the reports job's. */
const CALENDAR_GAP_EFFECTS = '检查结果录入、公示和后续处置的到期提醒与逾期提醒，月报表、季度总结的报送提醒和领导汇总';

/** The alert to coordinators when the working-day calendar lacks a year (no template exists for it). */
export function renderCalendarAlert(d: { recipient: Recipient; departmentName: string; today: string; year: number; covered: readonly number[] }): RenderedMail {
  const subject = `${SUBJECT_PREFIX}工作日历缺少 ${d.year} 年节假日安排，到期提醒暂停`;
  const intro = `${d.recipient.name}：${fmtDateWeekday(d.today)}，系统无法计算 ${d.year} 年的工作日：工作日历尚未收录国务院办公厅公布的 ${d.year} 年部分节假日安排。`;
  const effect = `受影响的工作：${CALENDAR_GAP_EFFECTS}。涉及 ${d.year} 年的到期日、提醒日和逾期天数不会被推算，相关提醒暂停发送；不涉及 ${d.year} 年的提醒照常发送。`;
  const fix = `请在 shared/domain/calendar-overrides.json 中补充 ${d.year} 年的放假和调休上班日期（格式见 shared/domain/calendar.ts 文件开头的说明）并重新部署。本提醒对每个缺少的年份只发送一次；补充之前，涉及 ${d.year} 年的提醒一直暂停，补充后自动恢复。`;
  const covered = `已收录年份：${d.covered.length ? `${d.covered[0]}–${d.covered[d.covered.length - 1]}` : '无'}`;
  const body = html`${para(intro)}${callout(effect, 'bad')}${list([fix, covered])}`;
  const text = new TextBuilder().line(intro).blank().line(effect).blank().line(`- ${fix}`).line(`- ${covered}`);
  textFooter(text);
  return { subject, html: shell({ title: `工作日历缺少 ${d.year} 年节假日安排`, preheader: intro, department: d.departmentName, body }), text: text.toString() };
}

/**
 * One alert per missing year, department and coordinator (the key is shared by both jobs, so
 * whichever meets the gap first tells it); the daily runs after that only log the gap.
 */
export async function sendCalendarAlerts(today: string, gaps: CalendarGaps, dir: Directory, what: string, cal: Calendar): Promise<number> {
  let sent = 0;
  for (const { year, departments } of gaps.list()) {
    logger.warn('working-day calendar does not cover a year', { today, year, departments, what });
    for (const id of departments) {
      const dept = dir.department(id);
      if (!dept) continue;
      for (const c of dept.coordinators) {
        const key = `calendar#${year}#${id}#${c.email.toLowerCase()}`;
        const mail = renderCalendarAlert({ recipient: c, departmentName: dept.name, today, year, covered: cal.coveredYears() });
        const r = await deliver({ key, kind: 'calendar-alert', to: [{ name: c.name, email: c.email }], mail });
        if (r === 'sent') sent++;
      }
    }
  }
  return sent;
}

/** Whether mail to an address should be skipped (suppressed, or an inspector marked undeliverable). */
export async function undeliverable(email: string, inspector?: Inspector): Promise<boolean> {
  return (inspector !== undefined && inspector.mailStatus !== 'ok') || (await isSuppressed(email));
}

/** Tell the coordinators (once per address) that a person with pending mail cannot be reached. */
export async function reportUndeliverable(email: string, dir: Directory, subject: string, inspector?: Inspector): Promise<number> {
  const s = await suppressionOf(email);
  const problem = s?.reason ?? (inspector?.mailStatus === 'complained' ? 'complaint' : 'bounce');
  const owners = await ownersOf(email, dir.departments, inspector ? [inspector] : undefined);
  return notifyCoordinators(email, owners, { problem, diagnostic: s?.detail, occurredAt: s?.at, failedSubject: subject });
}

// ---------------------------------------------------------------- the job

export interface DeadlineJobOptions {
  calendar?: Calendar;
}

export interface DeadlineJobSummary {
  today: string;
  /** false on weekends/holidays (nothing is done) and when today's year is not covered. */
  workingDay: boolean;
  /** Reminder / first-level escalation / leadership digests sent now. */
  reminders: number;
  escalations: number;
  leadership: number;
  /** Every mail sent now (digests, delivery notices, calendar alerts). */
  mails: number;
  /** Digests not sent: already sent today (duplicate run) or the address is undeliverable. */
  skipped: number;
  /** Deadline items found, per question (before grouping by person). */
  items: { reminders: number; overdue: number; leadership: number };
  /** Addresses skipped as undeliverable. */
  undeliverable: string[];
  calendarGaps: { year: number; departments: string[] }[];
  /** Pending deadlines (due date in a year the calendar lacked) given their due date now. */
  settled: number;
}

interface Item {
  d: DeadlineRecord;
  due: string;
  task: TaskRecord;
  p?: ProgressRecord;
  /** Ladder steps to send today, the steps had after today, and the day to file it under next. */
  send: DeadlineStep[];
  steps: DeadlineStep[];
  next: string | null;
}

/** A deadline with a step to send today, and its target. */
type Sent = Item & { p: ProgressRecord };

interface Person {
  recipient: Recipient;
  inspector?: Inspector;
  /** Department shown in the mail header. */
  department: string;
  reminders: ReminderEntry[];
  overdue: OverdueEntry[];
  leadership: boolean;
  /** Inspectors behind this address, by (department, id) (reply token). */
  inspectors: Map<string, Inspector>;
}

export async function runDeadlineJob(today: string = chinaToday(now()), opts: DeadlineJobOptions = {}): Promise<DeadlineJobSummary> {
  const cal = opts.calendar ?? defaultCalendar;
  const summary: DeadlineJobSummary = { today, workingDay: false, reminders: 0, escalations: 0, leadership: 0, mails: 0, skipped: 0, items: { reminders: 0, overdue: 0, leadership: 0 }, undeliverable: [], calendarGaps: [], settled: 0 };
  const dir = await Directory.load();
  const gaps = new CalendarGaps();
  const allDepts = dir.departments.map((d) => d.id);

  summary.settled = await settlePending(today, cal, dir, gaps);
  const working = gaps.guard(allDepts, () => cal.isWorkingDay(today));
  if (working) {
    summary.workingDay = true;
    await collectAndSend(today, cal, dir, gaps, summary);
    await recordDeadlineRun(today);
  }
  if (!gaps.empty) {
    summary.calendarGaps = gaps.list();
    summary.mails += await sendCalendarAlerts(today, gaps, dir, '检查结果录入、公示和后续处置的到期提醒与逾期提醒', cal);
  }
  return summary;
}

/**
 * Deadlines whose due date fell in a year the calendar did not cover are kept pending (store:
 * `pendingDeadlines`, with the basis they count from). Once the year is covered they get their
 * due date and enter the due index (before today's queries, so they are reminded on time); while
 * it is not, the departments concerned are alerted.
 */
async function settlePending(today: string, cal: Calendar, dir: Directory, gaps: CalendarGaps): Promise<number> {
  let settled = 0;
  const tasks = new Map<string, TaskRecord | undefined>();
  for (const d of await pendingDeadlines()) {
    if (!tasks.has(d.taskId)) tasks.set(d.taskId, await getTask(d.taskId, false));
    const task = tasks.get(d.taskId);
    const profile = task && dir.profile(task.department);
    if (!task || !profile) continue;
    if (!d.basis) {
      if (d.pendingYear) gaps.note(new CalendarYearNotCovered(d.pendingYear, cal.coveredYears()), [task.department]);
      continue;
    }
    const basis = d.basis;
    const due = gaps.guard([task.department], () => dueDate(profile, basis, cal));
    const filedOn = due && gaps.guard([task.department], () => firstLadderDay(profile, d.kind, due, today, cal));
    if (due && filedOn) {
      await settleDeadline(d, due, filedOn);
      settled++;
    }
  }
  return settled;
}

/** How far back a run catches up on days the job did not run (platform down): a year. */
const MAX_CATCH_UP_DAYS = 366;

async function collectAndSend(today: string, cal: Calendar, dir: Directory, gaps: CalendarGaps, summary: DeadlineJobSummary): Promise<void> {
  // ---- the due index: the days since the last run (its own day included: deadlines created
  // after that run are filed under it), a handful of partitions on a normal day
  const last = await lastDeadlineRun();
  const first = last && last <= today ? maxDate(last, addDays(today, -MAX_CATCH_UP_DAYS)) : today;
  const filed: DeadlineRecord[] = [];
  for (let d = first; d <= today; d = addDays(d, 1)) filed.push(...(await deadlinesFiledOn(d)));
  const tasks = new Map<string, Promise<TaskRecord | undefined>>();
  const taskOf = (id: string) => {
    let p = tasks.get(id);
    if (!p) tasks.set(id, (p = getTask(id, false)));
    return p;
  };

  // ---- each deadline's ladder today
  const found: { d: DeadlineRecord; due: string; task: TaskRecord; send: DeadlineStep[]; steps: DeadlineStep[]; next: string | null }[] = [];
  for (const d of filed) {
    if (!d.due) continue;
    const task = await taskOf(d.taskId);
    const profile = task && dir.profile(task.department);
    if (!task || !profile || task.stage === 'failed') continue;
    const { dates, uncovered } = ladderDates(profile, d.kind, d.due, cal);
    const t = ladderToday(dates, d.steps ?? [], today);
    // Only a step needed now makes a gap worth an alert (a December due date in March does not).
    if (uncovered && t.waiting) gaps.note(uncovered, [task.department]);
    found.push({ d, due: d.due, task, send: t.send, steps: [...(d.steps ?? []), ...t.skip, ...t.send], next: t.next });
  }
  // One batched read for the targets (a large task can have thousands due on one day).
  const progress = new Map(
    (await batchGet<ProgressRecord & { pk: string; sk: string }>(found.filter((f) => f.send.length).map((f) => K.progress(f.d.taskId, f.d.ref)))).map((p) => [`${p.pk}|${p.sk}`, p]),
  );
  const all: Item[] = [];
  for (const f of found) {
    const k = K.progress(f.d.taskId, f.d.ref);
    const p = progress.get(`${k.pk}|${k.sk}`);
    // No progress: a re-draw replaced the target (its deadline is filed on, harmlessly).
    all.push({ ...f, ...(p ? { p } : {}) });
  }
  const withStep = (step: DeadlineStep) => all.filter((it): it is Sent => it.p !== undefined && it.send.includes(step));
  const reminders = withStep('reminder');
  const overdue = withStep('overdue');
  const leadership = withStep('leadership');
  summary.items = { reminders: reminders.length, overdue: overdue.length, leadership: leadership.length };

  // ---- group by person
  const people = new Map<string, Person>();
  const person = (r: Recipient, department: string, inspector?: Inspector): Person => {
    const key = r.email.toLowerCase();
    let p = people.get(key);
    if (!p) people.set(key, (p = { recipient: { name: r.name, email: key }, department, reminders: [], overdue: [], leadership: false, inspectors: new Map(), ...(inspector ? { inspector } : {}) }));
    if (inspector) {
      p.inspectors.set(inspectorKey(inspector), inspector);
      p.inspector ??= inspector;
    }
    return p;
  };
  const deptName = (id: string) => dir.department(id)?.name ?? id;
  const links = new Map<string, Promise<string>>();
  const urlFor = async (it: Sent, insp: Inspector): Promise<string> => {
    const k = `${it.task.taskId}#${inspectorKey(insp)}`;
    let l = links.get(k);
    if (!l) links.set(k, (l = assignmentLink(it.task.taskId, it.task.drawRound, insp)));
    return `${config().publicBaseUrl}/l/${await l}?t=${encodeURIComponent(it.p.uscc)}`;
  };
  const team = (it: Sent) => dir.team(it.p);
  const sectionOf = async (it: Sent): Promise<string> => {
    const members = await team(it);
    return (members.find((i) => i.id === it.p.leader) ?? members[0])?.section ?? '未分科室';
  };
  const seen = new Set<string>(); // person × deadline × list, so an item is listed once per digest
  const once = (who: string, what: string, it: Item) => {
    const k = `${who}|${what}|${it.d.taskId}|${it.d.kind}|${it.d.ref}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };

  for (const it of reminders) {
    for (const insp of await team(it)) {
      const p = person(insp, insp.department, insp);
      if (!once(p.recipient.email, 'r', it)) continue;
      p.reminders.push({
        kind: it.d.kind,
        taskName: it.task.name,
        uscc: it.p.uscc,
        targetName: it.p.name,
        dueDate: it.due,
        workingDaysLeft: gaps.guard([it.task.department], () => workingDaysLeft(today, it.due, cal)) ?? 0,
        url: await urlFor(it, insp),
      });
    }
  }
  const overdueEntry = async (it: Sent, insp?: Inspector): Promise<OverdueEntry> => ({
    kind: it.d.kind,
    section: await sectionOf(it),
    taskName: it.task.name,
    uscc: it.p.uscc,
    targetName: it.p.name,
    dueDate: it.due,
    overdueWorkingDays: gaps.guard([it.task.department], () => workingDaysOverdue(it.due, today, cal)) ?? 0,
    responsible: (await team(it)).map((i) => i.name),
    url: insp ? await urlFor(it, insp) : undefined,
  });
  for (const it of overdue) {
    const members = await team(it);
    for (const insp of members) {
      const p = person(insp, insp.department, insp);
      if (once(p.recipient.email, 'o', it)) p.overdue.push(await overdueEntry(it, insp));
    }
    // Section heads of every member's section (in the member's own department).
    for (const insp of members) {
      for (const h of dir.department(insp.department)?.sectionHeads.filter((s) => s.section === insp.section) ?? []) {
        const p = person(h, insp.department);
        if (once(p.recipient.email, 'o', it)) p.overdue.push(await overdueEntry(it));
      }
    }
  }
  for (const it of leadership) {
    for (const l of dir.department(it.task.department)?.leaders ?? []) {
      const p = person(l, it.task.department);
      p.leadership = true;
      if (once(p.recipient.email, 'o', it)) p.overdue.push(await overdueEntry(it));
    }
  }

  // ---- send: one reminder digest and at most one escalation digest per person
  const count = (r: SendOutcome, field: 'reminders' | 'escalations' | 'leadership') => {
    if (r === 'sent') {
      summary[field]++;
      summary.mails++;
    } else summary.skipped++;
  };
  // A few people at a time (each digest is a few reads and writes plus the send); every mail
  // has its own idempotency key, so the order does not matter. The address was checked against
  // the suppression list just before: the sends do not read it again.
  await runPool([...people.values()], 4, async (p) => {
    const email = p.recipient.email;
    if (await undeliverable(email, p.inspector)) {
      summary.skipped += (p.reminders.length ? 1 : 0) + (p.overdue.length ? 1 : 0);
      summary.undeliverable.push(email);
      logger.warn('digest not sent: address undeliverable', { email: maskEmail(email), today });
      summary.mails += await reportUndeliverable(email, dir, p.overdue.length ? '逾期提醒' : '到期提醒', p.inspector);
      return;
    }
    if (p.reminders.length) {
      const key = `reminder#${today}#${email}`;
      const entryDue = p.reminders.some((e) => e.kind === 'entry') && p.inspectors.size > 0;
      const token = entryDue ? await issueReplyToken(key, { inspectors: [...p.inspectors.values()].map((i) => ({ id: i.id, department: i.department })), department: p.department, address: email, date: today }) : undefined;
      const reply = token ? replyAddress(token, config().mailInboundDomain) : undefined;
      const mail = renderReminderDigest({
        recipient: p.recipient,
        departmentName: deptName(p.department),
        today,
        entries: p.reminders,
        phrases: (dir.profile(p.department)?.resultPhrases ?? []).map((x) => ({ code: x.code, text: x.text })),
        replyAddress: reply,
      });
      count(await deliver({ key, kind: 'reminder-digest', to: [p.recipient], mail, replyTo: reply, mimeKind: 'reminder-digest' }, { suppressionChecked: true }), 'reminders');
    }
    if (p.overdue.length) {
      const level = p.leadership ? 'leadership' : 'first';
      const mail = renderEscalationDigest({
        level,
        recipient: p.recipient,
        departmentName: deptName(p.department),
        today,
        entries: p.overdue,
        leadershipAfterWorkingDays: dir.profile(p.department)?.deadlines.escalateToLeadershipAfterWorkingDays,
      });
      count(await deliver({ key: `escalation#${today}#${email}`, kind: 'escalation', to: [p.recipient], mail, mimeKind: 'escalation' }, { suppressionChecked: true }), level === 'leadership' ? 'leadership' : 'escalations');
    }
  });
  summary.undeliverable.sort();

  // ---- after sending: record the steps and file each deadline under its next step's day (a
  // failed run is re-run the same day: the mails' keys stop a second send, the filing follows)
  await runPool(all, 8, async (it) => {
    if (it.send.length || it.steps.length !== (it.d.steps ?? []).length || it.next !== (it.d.filedOn ?? it.d.due)) await advanceDeadline(it.d, it.steps, it.next);
  });
}

// ---------------------------------------------------------------- scheduled invocation

/** What the scheduler passes (infra: `{ schedule, scheduledTime }`); `today` for manual runs. */
export interface JobEvent {
  schedule?: string;
  scheduledTime?: string;
  /** YYYY-MM-DD, China date: run the job for this day (manual re-run, local demo). */
  today?: string;
}

/**
 * The day a scheduled run works on: `today` when given; else the occurrence's scheduled time (a
 * retried or delayed run still works on the intended day; the local scheduler derives it from the
 * injected clock); else the injectable clock.
 */
export function jobDay(event: JobEvent | undefined): string {
  if (event?.today && /^\d{4}-\d{2}-\d{2}$/.test(event.today)) return event.today;
  if (event?.scheduledTime) {
    const t = new Date(event.scheduledTime);
    if (Number.isFinite(t.getTime())) return chinaToday(t);
  }
  return chinaToday(now());
}
