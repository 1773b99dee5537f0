/**
 * FreezePool and RunDraw: the bridge between the pure draw module (shared/draw, published in
 * docs/DRAW.md) and the registries. The freeze reads the task's scope with parallel queries
 * over the sharded pool index, computes eligibility, refuses an infeasible draw before
 * anything is written, and stores the frozen inputs in the blob store; the draw runs after
 * every witness revealed and writes one progress record per drawn target.
 */
import {
  DrawInfeasibleError,
  DrawInputError,
  MissingRevealError,
  RevealMismatchError,
  drawPoolBuilder,
  createParallelHasher,
  warmUpDraw,
  loadFrozen,
  newSystemSecret,
  runDraw,
  serializeRecord,
  STRATA,
  type DrawRecord,
  type FreezeRecord,
  type ParallelHasher,
} from '../draw/index.js';
import { checkCodeOfTarget, eachTargetBlock, freezeDrawV2, namesAt, rechainFreezeV2, recordV2Stream, runDrawV2, targetColumnsOf, type DrawRecordV2, type FreezeRecordV2 } from '../draw/v2/index.js';
import { getBlob, putBlob, putBlobStream } from '../blobs.js';
import { prefaultHeap } from '../draw/memory.js';
import { ceremonyRoundOf, getCeremony, updateCeremony } from '../store/ceremony.js';
import { appendChainRound, endChainRound, getChainHead, getChainRound } from '../store/chain.js';
import { beaconAt, beaconSpecsFor, awaitBeacons } from './beacons.js';
import { closeRoundV2, endRoundV2, frozenKey, loadFrozenV2, readFrozenBlob, recordKey, writeFrozenBlob, type DrawSummaryV2 } from './draw-v2.js';
import { K } from '../store/keys.js';
import { getItem, isConditionFailure, putItem, type Item } from '../store/base.js';
import { forEachPoolPage, getTargets, listInspectionItems, listInspectors, putTargets } from '../store/registry.js';
import { clearAssignments, updateTask, writeAssignments, type ProgressRecord } from '../store/tasks.js';
import { taskContext } from './progress.js';
import { drawDepartments } from './team.js';
import { LifecycleError } from './errors.js';
import { witnessShortfall } from '../domain/witnesses.js';
import { participatingSections } from '../domain/plan.js';
import { keyStratumDrawn } from '../domain/sampling.js';
import { now, nowIso } from '../clock.js';
import { chinaToday, maxDate } from '../domain/calendar.js';
import { firstLadderDay } from '../domain/deadlines.js';
import type { PlanTask, Target } from '../domain/schemas.js';


/** Attributes of a target the draw needs (projection of the pool read). */
const POOL_PROJECTION = ['uscc', 'jurisdiction', 'industry', 'tags', 'riskClass', 'isKey', 'status', 'kind', 'lastInspections'];

export interface DrawSummary {
  round: number;
  status: 'frozen' | 'drawn' | 'aborted' | 'failed';
  freeze: {
    poolDigest: string;
    eligibilityDigest: string;
    counts: Record<string, number>;
    /** v1: registered before the freeze; v2: from the close record (with names), empty until then. */
    witnesses: { id: string; name?: string; role: string; commitment: string }[];
    systemCommitment: string;
    frozenAt: string;
  };
  freezeRecord: FreezeRecord | FreezeRecordV2;
  freezeDigest: string;
  /** suiji-draw-v2 rounds: the department chain, the beacons, the close record, the outcome. */
  v2?: DrawSummaryV2;
  seed?: string;
  selectedCount?: number;
  /** Department of each inspector in the frozen pool (teams are recorded as (department, id)). */
  memberDepartments?: Record<string, string>;
}

/** From this pool size on, the freeze and the ceremony's hashing use a helper thread (the second vCPU). */
const LARGE_POOL = 50_000;
let helper: ParallelHasher | undefined;
const drawHasher = (): ParallelHasher => (helper ??= createParallelHasher());

/**
 * Lambda init of the FreezePool and RunDraw functions: helper thread up, draw code optimized.
 * Returns the draw's threads: 2 once the helper thread has done its part of the warm-up.
 */
export function prepareDrawThreads(): 1 | 2 {
  // once per process: the local platform loads both functions into one
  if (!helper) {
    warmUpDraw(drawHasher());
    // the first draw's buffers in memory touched before (shared/draw/memory.ts; the function's
    // environment sets SUIJI_DRAW_HEAP_MB and DRAW_MALLOC_ENV), freed on the event loop before
    // the first invocation. An optimization only: a failure leaves the draw as it was.
    prefaultHeap(Number(process.env['SUIJI_DRAW_HEAP_MB'] ?? 0)).catch(() => undefined);
  }
  return drawHasher().threads;
}

/**
 * Minutes from the freeze to the planned close of witness registration (the beacon round follows
 * it, ≥ 60 s later). SUIJI_REGISTRATION_SECONDS shortens it where a real clock runs a whole
 * ceremony unattended (the local platform's restart test); tests on a ManualClock move past it.
 */
export const REGISTRATION_MINUTES = 15;
const registrationMs = (): number => (process.env.SUIJI_REGISTRATION_SECONDS ? Number(process.env.SUIJI_REGISTRATION_SECONDS) * 1000 : REGISTRATION_MINUTES * 60_000);
/**
 * How long after its publication time a beacon may still be missing before the round fails (on
 * the platform's clock). The state machine waits for the beacon's time before RunDraw, and runs it
 * again every BEACON_RETRY_SECONDS while it is not out (infra/lifecycle.ts); this bounds the loop.
 */
export const BEACON_WAIT_MS = 12 * 60_000;
/** Within one invocation, how long RunDraw polls a beacon whose time has come (a relay a few seconds behind). */
const BEACON_POLL_MS = 5_000;

/**
 * FreezePool (suiji-draw-v2): reads the scope, checks feasibility, freezes the pool as salted
 * commitments with pseudonymous inspectors, commits the system's entropy, fixes the beacon
 * round after the planned close of registration, and appends the round to the department's
 * chain — all before witness registration closes. Published at once: the freeze record.
 */
export async function freezeStage(input: { taskId: string }): Promise<{ round: number; candidates: number; toDraw: number }> {
  const ctx = await taskContext(input.taskId);
  const { task, planTask, profile } = ctx;
  const round = ceremonyRoundOf(task);
  const ceremony = await getCeremony(task.taskId, round);
  if (ceremony?.status === 'aborted') throw new LifecycleError('CeremonyAborted', ceremony.abortReason ?? `第 ${round} 轮抽取已中止`);
  if (!ceremony) throw new Error(`round ${round} of ${task.taskId} has no ceremony record`);
  if (ceremony.closeOnFreeze) {
    const shortfall = witnessShortfall(profile.draw, ceremony.witnesses);
    if (shortfall.length) throw new LifecycleError('WitnessesMissing', `第 ${round} 轮抽取见证人不足：${shortfall.join('；')}`);
  }
  const existing = await getItem<DrawSummary & Item>(K.draw(task.taskId, round), true);
  const done = (f: { candidates: number; strata: { toDraw: number }[] }) => ({ round, candidates: f.candidates, toDraw: f.strata.reduce((n, s) => n + s.toDraw, 0) });
  if (existing && ceremony.status !== 'registered') return done(existing.freezeRecord); // a retried invocation after a successful freeze

  let blob = await readFrozenBlob(task.taskId, round);
  let built: Awaited<ReturnType<typeof buildPool>> | undefined;
  let departmentOf: Record<string, string> | undefined;
  try {
    // A retry after the round was appended to the chain keeps that round (its record is published).
    const mine = blob ? await getChainRound(blob.freeze.department, blob.freeze.round) : undefined;
    if (!blob || mine?.taskId !== task.taskId || mine.taskRound !== round || mine.freezeDigest !== blob.freezeDigest) {
      built = await buildPool(ctx);
      departmentOf = built.departmentOf;
      const prevSummary = round > 1 ? await getItem<DrawSummary & Item>(K.draw(task.taskId, round - 1), true) : undefined;
      const system = newSystemSecret();
      const frozenAt = nowIso();
      const drawTime = new Date(now().getTime() + registrationMs()).toISOString();
      const beacons = await beaconSpecsFor(drawTime, profile.draw.beacon);
      const link = (h: Awaited<ReturnType<typeof getChainHead>>) => ({ round: (h?.round ?? 0) + 1, prev: h ? { freezeDigest: h.freezeDigest, freezeDigestSm3: h.freezeDigestSm3 } : null });
      let frozen = freezeDrawV2({
        taskId: task.taskId,
        department: task.department,
        ...link(await getChainHead(task.department)),
        redrawOf: prevSummary?.v2?.chainRound ?? null,
        pool: built.pool,
        ratiosBp: built.ratiosBp,
        minTeamSize: profile.minInspectorsPerTarget,
        jointUnits: built.jointUnits,
        frozenAt,
        drawTime,
        systemCommitment: system.commitment,
        beacons,
        labels: built.labels,
        ...(built.candidates >= LARGE_POOL ? { helper: drawHasher() } : {}),
      });
      for (let attempt = 0; ; attempt++) {
        // Internal state first, then the chain: a crash in between freezes again on retry.
        blob = await writeFrozenBlob(task.taskId, round, frozen, { systemSecretHex: system.hex, ...(departmentOf ? { departmentOf } : {}) });
        const f = frozen.freeze;
        const appended = await appendChainRound({
          department: f.department, round: f.round, taskId: task.taskId, taskRound: round, status: 'frozen',
          freezeDigest: frozen.freezeDigest, freezeDigestSm3: frozen.freezeDigestSm3, prev: f.prev, redrawOf: f.redrawOf, frozenAt,
        });
        if (appended) break;
        if (attempt >= 8) throw new Error(`department chain of ${task.department} is busy`);
        // another task of the department took that round: the same pool as the next one (the
        // pool is compiled once; nothing of this freeze was published)
        const next = link(await getChainHead(task.department));
        frozen = rechainFreezeV2(frozen, next.round, next.prev);
      }
    } else departmentOf = blob.departmentOf;
  } catch (e) {
    if (e instanceof DrawInfeasibleError || e instanceof DrawInputError) throw new LifecycleError('DrawInfeasible', e.message);
    throw e;
  }
  const f = blob!.freeze;
  const summary: DrawSummary = {
    round,
    status: 'frozen',
    freeze: {
      poolDigest: f.poolDigest,
      eligibilityDigest: f.eligibilityDigest,
      counts: Object.fromEntries(f.strata.map((s) => [s.stratum, s.candidates])),
      witnesses: [],
      systemCommitment: f.systemCommitment,
      frozenAt: f.frozenAt,
    },
    freezeRecord: f,
    freezeDigest: blob!.freezeDigest,
    ...(departmentOf ? { memberDepartments: departmentOf } : {}),
    v2: { department: f.department, chainRound: f.round, prev: f.prev, freezeDigestSm3: blob!.freezeDigestSm3, drawTime: f.drawTime, beacons: f.beacons },
  };
  await putItem({ ...K.draw(task.taskId, round), entity: 'draw', taskId: task.taskId, ...summary });
  try {
    // Only a round still open freezes: an abort while the pool was read wins (and is chained).
    await updateCeremony(task.taskId, round, { status: 'frozen', systemCommitment: f.systemCommitment, systemSecretHex: blob!.systemSecretHex }, 'attribute_exists(pk) AND #s = :reg', { ':reg': 'registered' }, { '#s': 'status' });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const c = await getCeremony(task.taskId, round);
    const reason = c?.abortReason ?? `第 ${round} 轮抽取已中止`;
    await endRoundV2(task.taskId, round, 'aborted', reason);
    throw new LifecycleError('CeremonyAborted', reason);
  }
  // Registration closed before the freeze: its close record follows the freeze record now.
  if (ceremony.closeOnFreeze) {
    const r = await closeRoundV2(task.taskId, round, ceremony.closeOnFreeze.by);
    if (r.aborted) throw new LifecycleError('CeremonyAborted', r.aborted);
  }
  await updateTask(task.taskId, { stage: 'freeze' });
  return done(f);
}

/** The task's scope read page by page and filtered into the packed draw pool (before anything is frozen). */
async function buildPool(ctx: Awaited<ReturnType<typeof taskContext>>) {
  const { task, planTask, profile } = ctx;
  const departments = drawDepartments(task.department, planTask);
  // The draw happens today (or on the planned day, if frozen ahead of it): certificates must be
  // valid from then on, and the cooldown counts back from it.
  const drawDate = maxDate(planTask.drawDate, chinaToday(now()));
  const [inspectorLists, itemLists] = await Promise.all([
    Promise.all(departments.map((d) => listInspectors(d))),
    Promise.all([...new Set([task.department, ...planTask.jointDepartments])].map((d) => listInspectionItems(d))),
  ]);
  const itemIds = new Set([...planTask.items.general, ...planTask.items.key]);
  const items = itemLists.flat().filter((i) => itemIds.has(i.id));
  // Each page of the pool read is filtered and packed into typed arrays as it arrives: the
  // invocation never holds the scope as items (a 10⁶ scope would be ~1 GB of objects), and the
  // freeze never walks one object per candidate.
  const builder = drawPoolBuilder({
    packed: true,
    inspectors: inspectorLists.flat(),
    task: {
      scope: {
        jurisdictions: planTask.scope.jurisdictions,
        industries: planTask.scope.industries,
        tags: planTask.scope.tags,
        kinds: planTask.scope.kinds,
        riskClasses: planTask.scope.riskClasses,
      },
      items,
      window: planTask.window,
      departments,
      ...(participatingSections(planTask).length ? { jointSections: participatingSections(planTask) } : {}),
      ...(planTask.inspectorScope.sections.length ? { inspectorSections: planTask.inspectorScope.sections } : {}),
      drawDate,
      cooldownDays: profile.cooldownDays,
      ratiosBp: planTask.ratiosBp,
      keyAtFull: keyStratumDrawn(planTask.keyRatioBp),
    },
  });
  await forEachPoolPage<Target>(task.department, POOL_PROJECTION, planTask.scope.jurisdictions.length ? { jurisdictions: planTask.scope.jurisdictions } : {}, (page) => {
    for (const t of page) builder.add(t);
  });
  const built = builder.finish();
  return { ...built, candidates: built.pool.candidates.length };
}

/** A drawn target as the progress records need it: the team by registry ids. */
interface DrawnTarget {
  uscc: string;
  stratum: string;
  area: string;
  team: string[];
  leader: string;
  priority: string;
  /** v2: the enterprise's check code for the self-check (docs/DRAW.md §16). */
  checkCode?: string;
}

/** v1 rounds frozen before v2 became the default draw with v1 (their records keep verifying). */
async function drawV1(task: { taskId: string }, round: number, system: string, ceremony: NonNullable<Awaited<ReturnType<typeof getCeremony>>>): Promise<{ targets: DrawnTarget[]; seed: string }> {
  let record: DrawRecord;
  const stored = await getBlob(recordKey(task.taskId, round));
  if (stored) {
    record = JSON.parse(stored.toString('utf8')) as DrawRecord; // retried invocation
  } else {
    const blob = await getBlob(frozenKey(task.taskId, round));
    if (!blob) throw new Error(`frozen inputs of ${task.taskId} round ${round} are missing`);
    const { freeze, inputs } = JSON.parse(blob.toString('utf8')) as { freeze: FreezeRecord; inputs: { pool: string[]; eligibility: string[] } };
    try {
      const frozen = loadFrozen(freeze, inputs);
      record = runDraw(
        frozen,
        { witnesses: ceremony.witnesses.map((w) => ({ id: w.id, secret: ceremony.reveals[w.id] ?? '' })), system, beacon: null },
        { inputs, ...(frozen.pool.n >= LARGE_POOL ? { hasher: drawHasher() } : {}) },
      );
    } catch (e) {
      if (e instanceof RevealMismatchError || e instanceof MissingRevealError) throw new LifecycleError('CeremonyAborted', e.message);
      throw e;
    }
    await putBlob(recordKey(task.taskId, round), serializeRecord(record), 'application/json');
  }
  return { targets: record.targets, seed: record.seed };
}

/** v2: draws once the beacon is out (else `pending`), publishes the record and closes the chain entry. */
async function drawV2(taskId: string, round: number, v2: DrawSummaryV2, ceremony: NonNullable<Awaited<ReturnType<typeof getCeremony>>>): Promise<{ targets: DrawnTarget[]; seed: string } | 'pending'> {
  const blob = await readFrozenBlob(taskId, round);
  if (!blob) throw new Error(`frozen inputs of ${taskId} round ${round} are missing`);
  const idOf = (p: string) => blob.pseudonyms[p] ?? p;
  let record: DrawRecordV2;
  const stored = await getBlob(recordKey(taskId, round));
  if (stored) {
    record = JSON.parse(stored.toString('utf8')) as DrawRecordV2; // retried invocation
  } else {
    if (!ceremony.closeRecord) throw new LifecycleError('CeremonyAborted', `第 ${round} 轮见证人登记尚未截止`);
    // The seed cannot exist before the beacon: the state machine waited for its time; a relay
    // lagging a little is polled briefly, then RunDraw answers `pending` and runs again later.
    const specs = (blob.freeze as FreezeRecordV2).beacons;
    const beacons = await awaitBeacons(specs, BEACON_POLL_MS, ceremony.indexProof);
    if (!beacons && now().getTime() < Math.max(...specs.map(beaconAt)) + BEACON_WAIT_MS) return 'pending';
    const frozen = loadFrozenV2(blob, blob.candidates >= LARGE_POOL ? drawHasher() : undefined);
    if (!beacons) {
      const reason = `公共随机信标（${frozen.freeze.beacons.map((b) => (b.source === 'index-close' ? `指数收盘 ${b.date}` : `${b.source} 第 ${b.round} 轮`)).join('、')}）未能取得`;
      await endRoundV2(taskId, round, 'failed', reason);
      throw new LifecycleError('CeremonyAborted', reason);
    }
    try {
      record = runDrawV2(
        frozen,
        ceremony.closeRecord,
        { witnesses: ceremony.closeRecord.close.witnesses.map((w) => ({ id: w.id, secret: ceremony.reveals[w.id] ?? '' })), system: blob.systemSecretHex, beacons },
        frozen.pool.n >= LARGE_POOL ? { hasher: drawHasher() } : {},
      );
    } catch (e) {
      if (e instanceof RevealMismatchError || e instanceof MissingRevealError || e instanceof DrawInputError) {
        await endRoundV2(taskId, round, 'aborted', e.message);
        throw new LifecycleError('CeremonyAborted', e.message);
      }
      throw e;
    }
    // streamed (its length first): a 10,000,000-candidate record is ~0.9 GB, never one buffer here
    await putBlobStream(recordKey(taskId, round), recordV2Stream(record), 'application/json');
  }
  await endChainRound(v2.department, v2.chainRound, 'drawn', recordKey(taskId, round));
  // Teams are published by pseudonyms; the assignments need the registry ids.
  return { targets: drawnTargetsV2(record, idOf), seed: record.seed };
}

/**
 * The progress records' view of a v2 record's targets: from the draw's columns when the record
 * was just drawn (no record.targets objects made on the way: 381,354 at 10,000,000 candidates).
 */
export function drawnTargetsV2(record: DrawRecordV2, idOf: (pseudonym: string) => string): DrawnTarget[] {
  const c = targetColumnsOf(record);
  if (!c) return record.targets.map((t) => ({ uscc: t.uscc, stratum: t.stratum, area: t.area, team: t.team.map(idOf), leader: idOf(t.leader), priority: t.priority, checkCode: checkCodeOfTarget(t) }));
  const ids = c.ids.map(idOf);
  const out: DrawnTarget[] = new Array(c.n);
  eachTargetBlock(c, ({ r0, m, priorities, usccs, salt }) => {
    for (let k = 0; k < m; k++) {
      const r = r0 + k;
      // an exclusion list only for the few targets that have one
      const team = namesAt(ids, c.teamMembers, c.teamOff[r]!, c.teamOff[r + 1]!);
      const e0 = c.exclOff[r]!, e1 = c.exclOff[r + 1]!;
      const checkCode = e0 === e1 ? salt(r) : checkCodeOfTarget({ salt: salt(r), exclusions: namesAt(c.ids, c.exclIdx, e0, e1) });
      out[r] = {
        uscc: usccs.slice(k * 18, k * 18 + 18),
        stratum: STRATA[c.strata[r]!]!,
        area: c.areaNames[c.area[r]!]!,
        team,
        leader: team[0]!,
        priority: priorities.slice(k * 64, k * 64 + 64),
        checkCode,
      };
    }
  });
  return out;
}

export async function drawStage(input: { taskId: string }): Promise<{ round: number; selected: number; pending: boolean }> {
  const ctx = await taskContext(input.taskId);
  const { task, planTask } = ctx;
  const round = ceremonyRoundOf(task);
  const summary = await getItem<DrawSummary & Item>(K.draw(task.taskId, round), true);
  const ceremony = await getCeremony(task.taskId, round);
  if (!summary || !ceremony?.systemSecretHex) throw new Error(`round ${round} of ${task.taskId} was not frozen`);
  const drawn = summary.v2 ? await drawV2(task.taskId, round, summary.v2, ceremony) : await drawV1(task, round, ceremony.systemSecretHex, ceremony);
  if (drawn === 'pending') return { round, selected: 0, pending: true };
  const { targets, seed } = drawn;
  const record = { targets };

  // The day of the draw (never before the planned one): the targets' cooldown counts from it.
  const drawDate = maxDate(planTask.drawDate, chinaToday(now()));
  // Progress records: one per drawn target, with the details the team and the reports need.
  const details = new Map((await getTargets(task.department, record.targets.map((t) => t.uscc))).map((t) => [t.uscc, t]));
  const departmentOf = summary.memberDepartments;
  const at = nowIso();
  const rows: ProgressRecord[] = record.targets.map((t) => {
    const d = details.get(t.uscc);
    return {
      taskId: task.taskId,
      uscc: t.uscc,
      name: d?.name ?? t.uscc,
      jurisdiction: d?.jurisdiction ?? t.area,
      industry: d?.industry ?? '',
      riskClass: d?.riskClass ?? '',
      stratum: t.stratum,
      isKey: d?.isKey ?? t.stratum === 'key',
      kind: d?.kind ?? 'enterprise',
      team: t.team,
      // A round frozen before the pool kept departments: members are resolved when they act.
      ...(departmentOf && t.team.every((id) => departmentOf[id]) ? { teamDepartments: t.team.map((id) => departmentOf[id]!) } : {}),
      leader: t.leader,
      priority: t.priority,
      ...(t.checkCode ? { checkCode: t.checkCode } : {}),
      status: 'assigned',
      history: [{ status: 'assigned', at, by: 'system' }],
      dueEntry: planTask.window.end,
    };
  });
  if (round > 1) await clearAssignments(task.taskId);
  // Every entry deadline shares the round's end as due date: one filing day (its first ladder step).
  const entryFiledOn = firstLadderDay(ctx.profile, 'entry', planTask.window.end, chinaToday(now()));
  await writeAssignments(task.taskId, round, rows, { by: 'system', role: 'system' }, entryFiledOn);

  // The targets remember this inspection: cooldown and "not the previous team" for later draws.
  // A joint task inspected every participating department's items: each department's cooldown
  // (its own item categories) counts it.
  const inspected = await inspectedCategories(task.department, planTask);
  await putTargets(
    record.targets.flatMap((t) => {
      const d = details.get(t.uscc);
      if (!d) return [];
      const others = (d.lastInspections ?? []).filter((l) => l.taskId !== task.taskId);
      const mine = inspected.map(({ department, itemCategory }) => ({ department, itemCategory, date: drawDate, taskId: task.taskId, team: t.team }));
      return [{ ...d, lastInspections: [...others, ...mine].slice(-10) }];
    }),
  );

  await putItem({ ...K.draw(task.taskId, round), entity: 'draw', taskId: task.taskId, ...summary, status: 'drawn', seed, selectedCount: record.targets.length });
  await updateCeremony(task.taskId, round, { status: 'drawn' });
  await updateTask(task.taskId, { stage: 'draw', drawRound: round });
  return { round, selected: record.targets.length, pending: false };
}

/** The (department, item category) pairs a task inspects: its own items and, for a joint task, its partners'. */
export async function inspectedCategories(department: string, planTask: Pick<PlanTask, 'items' | 'jointDepartments'>): Promise<{ department: string; itemCategory: string }[]> {
  const ids = new Set([...planTask.items.general, ...planTask.items.key]);
  const lists = await Promise.all([...new Set([department, ...planTask.jointDepartments])].map((d) => listInspectionItems(d)));
  const pairs = new Map<string, { department: string; itemCategory: string }>();
  for (const i of lists.flat()) if (ids.has(i.id)) pairs.set(`${i.department}\u0000${i.itemCategory}`, { department: i.department, itemCategory: i.itemCategory });
  return [...pairs.values()];
}

export async function getDrawRecordJson(taskId: string, round: number): Promise<string | undefined> {
  return (await getBlob(recordKey(taskId, round)))?.toString('utf8');
}

export interface PublicDrawSummary {
  status: DrawSummary['status'];
  freeze?: DrawSummary['freeze'];
  freezeDigest?: string;
  /** v2: the department chain, beacons and close record (all public). */
  v2?: DrawSummaryV2;
  seed?: string;
  selected?: { uscc: string; stratum: string; team: string[]; leader: string }[];
}

/** What the public announcement shows of a round: the freeze record, and after the draw the seed and teams. */
export async function getDrawSummary(taskId: string, round: number): Promise<PublicDrawSummary | undefined> {
  const s = await getItem<DrawSummary & Item>(K.draw(taskId, round));
  if (!s) return undefined;
  const base = { status: s.status, freeze: s.freeze, freezeDigest: s.freezeDigest, ...(s.v2 ? { v2: s.v2 } : {}) };
  if (s.status !== 'drawn') return base;
  const json = await getDrawRecordJson(taskId, round);
  const rec = json ? (JSON.parse(json) as { targets: { uscc: string; stratum: string; team: string[]; leader: string }[] }) : undefined;
  return {
    ...base,
    ...(s.seed ? { seed: s.seed } : {}),
    ...(rec ? { selected: rec.targets.map((t) => ({ uscc: t.uscc, stratum: t.stratum, team: t.team, leader: t.leader })) } : {}),
  };
}
