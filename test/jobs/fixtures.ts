/**
 * Hand-built small departments for the job and mail-flow tests, written through the store
 * functions: department, items, inspectors, a small target pool, a published plan with one task
 * (createDraft → approvePlan → publishPlan, so `findTask`/`taskContext` work), the task record,
 * drawn targets (writeAssignments) and deadlines (writeAssignments / transition).
 * Also: the SES emulator wiring and a reader for its inbox.
 */
import { simpleParser } from 'mailparser';
import { makeUscc } from '../../shared/domain/uscc.js';
import type { Department, InspectionItem, Inspector, PlanBody, PlanTask, Target } from '../../shared/domain/schemas.js';
import { putDepartment, putInspectionItem, putInspector, putTarget } from '../../shared/store/registry.js';
import { approvePlan, createDraft, publishPlan } from '../../shared/services/plans.js';
import { createTask, transition, writeAssignments, type ProgressRecord } from '../../shared/store/tasks.js';
import type { DeadlineKind } from '../../shared/domain/deadlines.js';
import { startLocalSes, type EmulatorEmail, type LocalSes } from '../../shared/dev/local/ses.js';
import { freePort } from '../../shared/dev/local/dynamo.js';
import { resetSes } from '../../shared/mail/send.js';
import { resetConfig } from '../../shared/config.js';
import { resetClock, setClock, type Clock } from '../../shared/clock.js';
import { startTestStack, type TestStack } from '../helpers/local-aws.js';

export const SECTIONS = ['甲科', '乙科'] as const;

export interface DeptFixture {
  dept: Department;
  inspectors: Inspector[];
  items: InspectionItem[];
  targets: Target[];
  planId: string;
  taskIds: string[];
}

const mail = (dept: string, local: string) => `${local}.${dept}@example.gov.cn`;

/**
 * A department with two sections (甲科, 乙科), a head for each, one leader, one coordinator, a
 * liaison, `inspectors` inspectors alternating between the sections, two items, `targets`
 * enterprises and a published plan with `tasks` tasks (window 2026-01-05 … 2026-12-25).
 */
export async function createDepartment(id: string, presetId: string, opts: { inspectors?: number; targets?: number; tasks?: number; seed?: number } = {}): Promise<DeptFixture> {
  const dept: Department = {
    id,
    name: `${id} 测试局`,
    presetId,
    sections: [...SECTIONS],
    coordinators: [{ name: `协调员${id}`, email: mail(id, 'coordinator') }],
    leaders: [{ name: `分管领导${id}`, email: mail(id, 'leader'), title: '副局长' }],
    sectionHeads: SECTIONS.map((s, i) => ({ name: `${s}科长${id}`, email: mail(id, `head${i + 1}`), section: s })),
    liaison: { name: `联络员${id}`, email: mail(id, 'liaison') },
  };
  await putDepartment(dept);
  const items: InspectionItem[] = [1, 2].map((n) => ({
    id: `${id}-item${n}`,
    department: id,
    name: `检查事项${n}`,
    legalBasis: '《建筑法》第十条',
    subjectDepartment: dept.name,
    content: `检查内容${n}`,
    methods: ['实地核查', '书面检查'],
    category: 'general',
    itemCategory: n === 1 ? '建筑市场' : '工程质量',
    specialties: [],
  }));
  for (const i of items) await putInspectionItem(i);
  const inspectors: Inspector[] = Array.from({ length: opts.inspectors ?? 4 }, (_, k) => ({
    id: `${id}-i${k + 1}`,
    department: id,
    section: SECTIONS[k % 2]!,
    name: `检查员${id}-${k + 1}`,
    jurisdictions: ['城关镇'],
    specialties: [],
    certificateNo: `CERT-${id}-${k + 1}`,
    certificateExpiry: '2030-12-31',
    email: mail(id, `i${k + 1}`),
    active: true,
    conflicts: [],
    tags: [],
    mailStatus: 'ok',
  }));
  for (const i of inspectors) await putInspector(i);
  const seed = opts.seed ?? 1000;
  const targets: Target[] = Array.from({ length: opts.targets ?? 8 }, (_, k) => ({
    uscc: makeUscc(seed + k, { kind: 'enterprise', region: '130624' }),
    name: `测试企业${id}-${k + 1}有限公司`,
    kind: 'enterprise',
    department: id,
    jurisdiction: '城关镇',
    industry: '建筑施工',
    tags: [],
    riskClass: 'A',
    isKey: false,
    status: 'active',
    contact: {},
    lastInspections: [],
  }));
  for (const t of targets) await putTarget(t);

  const tasks: PlanTask[] = Array.from({ length: opts.tasks ?? 1 }, (_, k) => ({
    taskId: `${id}-2026-t${k + 1}`,
    name: `${id} 第${k + 1}次随机抽查`,
    leadSection: SECTIONS[0],
    jointSections: k === 1 ? [...SECTIONS] : [],
    jointDepartments: [],
    category: '不定向抽查',
    items: { general: items.map((i) => i.id), key: [] },
    scope: { jurisdictions: [], industries: [], tags: [], kinds: [], riskClasses: ['A', 'B', 'C', 'D'] },
    legalBasis: '《建筑法》',
    window: { start: '2026-01-05', end: '2026-12-25' },
    drawDate: '2026-01-05',
    ratiosBp: { A: 5000, B: 5000, C: 5000, D: 5000 },
    keyRatioBp: 10_000,
    inspectorScope: { departments: [id], sections: [], specialties: [] },
    creditRiskBased: k !== 1,
  }));
  const body: PlanBody = { title: `${dept.name}2026年度随机抽查计划`, year: 2026, tasks };
  const planId = `${id}-2026`;
  const actor = { email: dept.coordinators[0]!.email, name: dept.coordinators[0]!.name, department: id };
  await createDraft(id, body, actor, { planId });
  await approvePlan(planId, { email: dept.leaders[0]!.email, name: dept.leaders[0]!.name, department: id });
  await publishPlan(planId, actor);
  for (const t of tasks) {
    await createTask({ taskId: t.taskId, department: id, planId, planVersion: 1, name: t.name, stage: 'results', launchedAt: '2026-01-05T01:00:00.000Z', launchedBy: actor.email });
  }
  return { dept, inspectors, items, targets, planId, taskIds: tasks.map((t) => t.taskId) };
}

export interface Assignment {
  target: Target;
  team: Inspector[];
  dueEntry?: string;
  kind?: Target['kind'];
}

/**
 * Drawn targets of a task (progress + seats; an entry deadline when `dueEntry` is given). With
 * `legacy`, as the draw wrote them before teams kept each member's department.
 */
export async function assign(taskId: string, rows: Assignment[], opts: { legacy?: boolean } = {}): Promise<void> {
  const progress: ProgressRecord[] = rows.map((r) => ({
    taskId,
    uscc: r.target.uscc,
    name: r.target.name,
    jurisdiction: r.target.jurisdiction,
    industry: r.target.industry,
    riskClass: r.target.riskClass,
    stratum: r.target.riskClass,
    isKey: r.target.isKey,
    kind: r.kind ?? r.target.kind,
    team: r.team.map((i) => i.id),
    ...(opts.legacy ? {} : { teamDepartments: r.team.map((i) => i.department) }),
    leader: r.team[0]!.id,
    priority: 'normal',
    status: 'notified',
    history: [{ status: 'assigned', at: '2026-01-05T01:00:00.000Z', by: 'draw' }, { status: 'notified', at: '2026-01-05T01:00:00.000Z', by: 'system' }],
    ...(r.dueEntry ? { dueEntry: r.dueEntry } : {}),
  }));
  await writeAssignments(taskId, 1, progress, { by: 'test' });
}

/** Open a deadline of a target (as the lifecycle does, through a status transition). */
export async function openDeadline(taskId: string, uscc: string, kind: DeadlineKind, due: string, people: string[], to: ProgressRecord['status'] = 'checked'): Promise<void> {
  await transition({ taskId, uscc, from: ['assigned', 'notified', 'checked', 'result_entered', 'reviewed', 'published', 'followup_open'], to, actor: { by: 'test' }, openDeadlines: [{ kind, ref: uscc, due: { date: due }, people }], auditWhat: 'test.deadline' });
}

/** Meet (close) a deadline, e.g. the result was entered in time. */
export async function meetDeadline(taskId: string, uscc: string, kind: DeadlineKind, to: ProgressRecord['status']): Promise<void> {
  await transition({ taskId, uscc, from: ['assigned', 'notified', 'checked', 'result_entered', 'reviewed', 'published', 'followup_open'], to, actor: { by: 'test' }, closeDeadlines: [{ kind, ref: uscc }], auditWhat: 'test.met' });
}

// ---------------------------------------------------------------- SES emulator

export async function startSes(): Promise<LocalSes> {
  const ses = await startLocalSes({ port: await freePort() });
  ses.clear();
  Object.assign(process.env, { AWS_ENDPOINT_URL_SESV2: ses.endpoint, PUBLIC_BASE_URL: 'http://127.0.0.1:3999', MAIL_INBOUND_DOMAIN: 'reply.example.gov.cn' });
  resetConfig();
  resetSes();
  return ses;
}

export interface MailStack {
  stack: TestStack;
  ses: LocalSes;
  /** Stops both and gives the real clock back. */
  stop(): Promise<void>;
}

/** DynamoDB Local with the app's tables and the SES emulator, with `clock` set: the jobs' setting. */
export async function startMailStack(clock: Clock): Promise<MailStack> {
  const stack = await startTestStack();
  const ses = await startSes();
  setClock(clock);
  return {
    stack,
    ses,
    async stop() {
      resetClock();
      await ses.stop();
      await stack.stop();
    },
  };
}

/** The address inside `"Name" <addr>` (the emulator stores display forms). */
export const addressOf = (s: string): string => (/<([^>]+)>/.exec(s)?.[1] ?? s).trim().toLowerCase();

export interface Inbox {
  /** Mails received since the last call. */
  take(): EmulatorEmail[];
  all(): EmulatorEmail[];
}

export function inbox(ses: LocalSes): Inbox {
  let seen = ses.emails().length;
  return {
    take() {
      const all = ses.emails();
      const out = all.slice(seen);
      seen = all.length;
      return out;
    },
    all: () => ses.emails(),
  };
}

export const to = (m: EmulatorEmail): string[] => m.destination.to.flatMap((s) => s.split(',')).map(addressOf);

/** The text body of a mail (the emulator keeps it decoded). */
export const textOf = (m: EmulatorEmail): string => m.body.text ?? '';

export { simpleParser };
