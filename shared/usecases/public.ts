/**
 * 一公开: what anyone may read without signing in — the index of published plans and results,
 * a task's announcement with every draw round (freeze record, seed, selection), the draw record
 * itself, and one published result. Data only; `shared/pages/public.ts` renders it.
 */
import { indexClosesOf } from './ceremony.js';
import { indexSpecOf } from '../lifecycle/beacons.js';
import { K } from '../store/keys.js';
import { getItem, queryAll, queryPage, type Item } from '../store/base.js';
import { TABLE } from '../store/table.js';
import { getTask } from '../store/tasks.js';
import { ceremonyRoundOf, getCeremony } from '../store/ceremony.js';
import { findTask } from '../store/plans.js';
import { getDepartment, listDepartments } from '../store/registry.js';
import { taskNames } from '../lifecycle/names.js';
import { getDrawRecordJson, getDrawSummary } from '../lifecycle/draw-stage.js';
import type { DrawSummaryV2 } from '../lifecycle/draw-v2.js';
import { listChain, type ChainEntry } from '../store/chain.js';
import { selfCheck, type DrawRecordV2, type SelfCheck } from '../draw/v2/index.js';
import { invalid } from '../domain/errors.js';
import { revealSecret } from './ceremony.js';
import type { PublicRecord } from '../lifecycle/progress.js';
import type { Department } from '../domain/schemas.js';
import { notFound } from '../domain/errors.js';
import { publishedPlansOf } from './plan-announcement.js';
import { effectiveDates } from '../domain/late.js';

const LOOKUP = TABLE.indexes.lookup;

export interface TaskAnnouncement {
  taskId: string;
  taskName: string;
  departmentName: string;
  planId: string;
  category: string;
  window: { start: string; end: string };
  drawDate: string;
  legalBasis: string;
  items: { id: string; name: string; category: string }[];
  jointSections: string[];
  /** Participating departments of a cross-department task, the lead first (empty otherwise). */
  jointDepartments: { id: string; name: string }[];
  ratiosBp: Record<string, number>;
  keyRatioBp: number;
  rounds: {
    round: number;
    status: string;
    redrawReason?: string;
    freeze?: { poolDigest: string; eligibilityDigest: string; counts: Record<string, number>; witnesses: { id: string; name?: string; role: string; commitment: string }[]; systemCommitment: string; frozenAt?: string };
    freezeDigest?: string;
    /** suiji-draw-v2: department chain, beacons, close record, outcome. */
    v2?: DrawSummaryV2;
    seed?: string;
    selected?: { uscc: string; stratum: string; team: string[]; leader: string }[];
    abortReason?: string;
    /** Reveals refused for not matching the witness's commitment (then revealed again). */
    failedReveals?: { witnessId: string; at: string }[];
    /** A round that resumed the task after it had failed: why, and the leader's approval. */
    resume?: { after: string; reason: string; approvedAt: string; approvalReason: string };
    /** Index-close beacon: every entry of the closes and who made it (name, role), and whether two agreed. */
    indexCloses?: NonNullable<ReturnType<typeof indexClosesOf>>;
  }[];
  results: { uscc: string; targetName: string; phrases: string; checkDate: string }[];
  /** The task was launched late with new dates (the dates above are those). */
  lateLaunch?: { original: { drawDate: string; window: { start: string; end: string } }; reason: string; decidedByName?: string; decidedAt?: string; comment?: string };
  /** The published plan version the task follows, when it is an adjustment, with its reason. */
  planAdjustment?: { version: number; reason: string };
}

export interface PublicIndexSection {
  dept: Department;
  plans: Awaited<ReturnType<typeof publishedPlansOf>>;
  /** The latest published results, newest first (up to 20). */
  recent: PublicRecord[];
}

export async function publicIndex(): Promise<PublicIndexSection[]> {
  const depts = await listDepartments();
  return Promise.all(
    depts.map(async (d) => {
      const recent = await queryPage<PublicRecord & Item>({ index: LOOKUP.name, pkName: LOOKUP.partitionKey, pk: K.publishedOfDept(d.id), forward: false, limit: 20 });
      return { dept: d, plans: await publishedPlansOf(d.id), recent: recent.items };
    }),
  );
}

/** The announcement of a task of a published plan (undefined when there is none). */
export async function taskAnnouncement(taskId: string): Promise<TaskAnnouncement | undefined> {
  const found = await findTask(taskId);
  if (!found) return undefined;
  const { plan, task: planned } = found;
  const runtime = await getTask(taskId, false);
  const late = runtime?.lateLaunch;
  const t = effectiveDates(planned, late);
  const dept = await getDepartment(plan.department);
  const names = await taskNames(plan.department, t);
  const rounds: TaskAnnouncement['rounds'] = [];
  const lastRound = runtime ? ceremonyRoundOf(runtime) : 1;
  for (let round = 1; round <= lastRound; round++) {
    const c = await getCeremony(taskId, round);
    if (!c) continue;
    const s = await getDrawSummary(taskId, round);
    const indexCloses = indexClosesOf(c, indexSpecOf(s?.v2?.beacons ?? []));
    rounds.push({
      round,
      status: c.status,
      ...(c.redraw ? { redrawReason: c.redraw.reason } : {}),
      ...(c.abortReason ? { abortReason: c.abortReason } : {}),
      ...(c.failedReveals?.length ? { failedReveals: c.failedReveals.map((f) => ({ witnessId: f.witnessId, at: f.at })) } : {}),
      ...(c.resume ? { resume: { after: c.resume.after, reason: c.resume.reason, approvedAt: c.resume.approvedAt, approvalReason: c.resume.approvalReason } } : {}),
      ...(s?.freeze ? { freeze: s.freeze } : {}),
      ...(s?.freezeDigest ? { freezeDigest: s.freezeDigest } : {}),
      ...(s?.v2 ? { v2: s.v2 } : {}),
      ...(s?.seed ? { seed: s.seed } : {}),
      ...(s?.selected ? { selected: s.selected } : {}),
      ...(indexCloses ? { indexCloses } : {}),
    });
  }
  // R#: the task's records (D#<dept>#… are the partner departments' index entries of the same results)
  const results = await queryAll<PublicRecord & Item>({ pk: K.published(taskId, '').pk, skPrefix: K.published(taskId, '').sk });
  return {
    taskId,
    taskName: t.name,
    departmentName: dept?.name ?? plan.department,
    planId: plan.planId,
    category: t.category,
    window: t.window,
    drawDate: t.drawDate,
    legalBasis: t.legalBasis,
    items: names.items.map((it) => ({ id: it.id, name: it.name, category: it.key ? 'key' : 'general' })),
    jointSections: t.jointSections,
    jointDepartments: names.jointDepartments,
    ratiosBp: t.ratiosBp,
    keyRatioBp: t.keyRatioBp,
    rounds,
    results: results.map((r) => ({ uscc: r.uscc, targetName: r.targetName, phrases: r.phrases.map((p) => p.text).join('；'), checkDate: r.checkDate })),
    ...(late
      ? {
          lateLaunch: {
            original: late.original,
            reason: late.reason,
            ...(late.decidedByName ? { decidedByName: late.decidedByName } : {}),
            ...(late.decidedAt ? { decidedAt: late.decidedAt } : {}),
            ...(late.comment ? { comment: late.comment } : {}),
          },
        }
      : {}),
    ...(plan.version > 1 && plan.reason ? { planAdjustment: { version: plan.version, reason: plan.reason } } : {}),
  };
}

/** The draw record of a round (default: the latest), exactly as published. */
export async function publicDrawRecord(taskId: string, round?: number): Promise<{ json: string; filename: string }> {
  const t = await getTask(taskId, false);
  const r = round ?? t?.drawRound ?? 1;
  const json = await getDrawRecordJson(taskId, r);
  if (!json) throw notFound(`第 ${r} 轮抽取记录`);
  return { json, filename: `${taskId}-draw-${r}.json` };
}

/** One published result (its stored form without the table's keys). */
export async function publishedResult(taskId: string, uscc: string): Promise<PublicRecord> {
  const r = await getItem<PublicRecord & Item>(K.published(taskId, uscc.toUpperCase()));
  if (!r) throw notFound('公示的检查结果');
  const { pk: _p, sk: _s, gsi2pk: _g, gsi2sk: _h, entity: _e, ...record } = r as Item & PublicRecord & { gsi2pk?: string; gsi2sk?: string; entity?: string };
  return record as PublicRecord;
}

/** A witness's reveal from their own device: the secret must match the published commitment. */
export async function witnessReveal(taskId: string, input: unknown): Promise<{ round: number; recorded: boolean; missing: string[] }> {
  return revealSecret(null, taskId, input);
}

export interface DepartmentChain {
  department: string;
  departmentName: string;
  rounds: ChainEntry[];
}

/** The department's chain of v2 rounds (docs/DRAW.md §17). */
export async function departmentChain(department: string): Promise<DepartmentChain> {
  const dept = await getDepartment(department);
  if (!dept) throw notFound(`部门「${department}」`);
  return { department, departmentName: dept.name, rounds: await listChain(department) };
}

/**
 * The enterprise's self-check against a drawn v2 round's public pool: its USCC and the check
 * code from its notice. Undefined result when no code was given (the page shows the form).
 */
export async function selfCheckOf(taskId: string, roundParam: string | undefined, uscc?: string, code?: string): Promise<{ taskId: string; round: number; result?: SelfCheck }> {
  const t = await getTask(taskId, false);
  if (!t) throw notFound(`抽查任务「${taskId}」`);
  const round = roundParam ? Number(roundParam) : t.drawRound;
  if (!Number.isInteger(round) || round < 1) throw invalid('轮次应为正整数');
  if (!uscc && !code) return { taskId, round };
  const json = await getDrawRecordJson(taskId, round);
  if (!json) throw notFound(`第 ${round} 轮抽取记录`);
  const rec = JSON.parse(json) as Partial<DrawRecordV2>;
  if (rec.algorithm !== 'suiji-draw-v2' || !rec.inputs || !rec.targets) throw invalid(`第 ${round} 轮不是 suiji-draw-v2 抽取记录，没有可自查的承诺值（v1 记录直接列出全部候选对象）`);
  return { taskId, round, result: selfCheck(rec as DrawRecordV2, uscc ?? '', code ?? '') };
}
