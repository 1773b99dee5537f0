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
  freezeDraw,
  frozenInputs,
  loadFrozen,
  newSystemSecret,
  runDraw,
  serializeRecord,
  type DrawRecord,
  type FreezeRecord,
  type ParallelHasher,
} from '../draw/index.js';
import { getBlob, putBlob } from '../blobs.js';
import { ceremonyRoundOf, getCeremony, updateCeremony } from '../store/ceremony.js';
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
import type { Target } from '../domain/schemas.js';

const frozenKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/frozen.json`;
const recordKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/record.json`;

/** Attributes of a target the draw needs (projection of the pool read). */
const POOL_PROJECTION = ['uscc', 'jurisdiction', 'industry', 'tags', 'riskClass', 'isKey', 'status', 'kind', 'lastInspections'];

export interface DrawSummary {
  round: number;
  status: 'frozen' | 'drawn';
  freeze: {
    poolDigest: string;
    eligibilityDigest: string;
    counts: Record<string, number>;
    witnesses: { id: string; role: string; commitment: string }[];
    systemCommitment: string;
    frozenAt: string;
  };
  freezeRecord: FreezeRecord;
  freezeDigest: string;
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
  if (!helper) warmUpDraw(drawHasher());
  return drawHasher().threads;
}

export async function freezeStage(input: { taskId: string }): Promise<{ round: number; candidates: number; toDraw: number }> {
  const ctx = await taskContext(input.taskId);
  const { task, planTask, profile } = ctx;
  const round = ceremonyRoundOf(task);
  const ceremony = await getCeremony(task.taskId, round);
  if (ceremony?.status === 'aborted') throw new LifecycleError('CeremonyAborted', ceremony.abortReason ?? `第 ${round} 轮抽取已中止`);
  const shortfall = witnessShortfall(profile.draw, ceremony?.witnesses ?? []);
  if (!ceremony || shortfall.length) {
    throw new LifecycleError('WitnessesMissing', `第 ${round} 轮抽取见证人不足：${shortfall.join('；')}`);
  }
  const existing = await getItem<DrawSummary & Item>(K.draw(task.taskId, round), true);
  if (existing && ceremony.status !== 'registered') {
    // A retried invocation after a successful freeze: the freeze record is already published.
    return { round, candidates: existing.freezeRecord.candidates, toDraw: existing.freezeRecord.strata.reduce((n, s) => n + s.toDraw, 0) };
  }

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

  let frozen;
  try {
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
    const system = newSystemSecret();
    const at = nowIso();
    frozen = freezeDraw({
      taskId: task.taskId,
      pool: built.pool,
      ratiosBp: built.ratiosBp,
      minTeamSize: profile.minInspectorsPerTarget,
      jointUnits: built.jointUnits,
      frozenAt: at,
      drawTime: at,
      witnesses: ceremony.witnesses.map((w) => ({ id: w.id, commitment: w.commitment })),
      systemCommitment: system.commitment,
      beacon: null,
      labels: built.labels,
      ...(built.pool.candidates.length >= LARGE_POOL ? { helper: drawHasher() } : {}),
    });
    // Frozen inputs first, then the published record, then the ceremony: a crash in between
    // re-freezes on retry (nothing was published yet).
    await putBlob(frozenKey(task.taskId, round), JSON.stringify({ freeze: frozen.freeze, inputs: frozenInputs(frozen) }), 'application/json');
    const summary: DrawSummary = {
      round,
      status: 'frozen',
      freeze: {
        poolDigest: frozen.freeze.poolDigest,
        eligibilityDigest: frozen.freeze.eligibilityDigest,
        counts: Object.fromEntries(frozen.freeze.strata.map((s) => [s.stratum, s.candidates])),
        witnesses: ceremony.witnesses.map((w) => ({ id: w.id, role: w.role, commitment: w.commitment })),
        systemCommitment: system.commitment,
        frozenAt: at,
      },
      freezeRecord: frozen.freeze,
      freezeDigest: frozen.freezeDigest,
      memberDepartments: built.departmentOf,
    };
    await putItem({ ...K.draw(task.taskId, round), entity: 'draw', taskId: task.taskId, ...summary });
    // Only a round still open freezes: an abort while the pool was read wins.
    await updateCeremony(task.taskId, round, { status: 'frozen', systemCommitment: system.commitment, systemSecretHex: system.hex }, 'attribute_exists(pk) AND #s = :reg', { ':reg': 'registered' }, { '#s': 'status' });
  } catch (e) {
    if (isConditionFailure(e)) {
      const now = await getCeremony(task.taskId, round);
      throw new LifecycleError('CeremonyAborted', now?.abortReason ?? `第 ${round} 轮抽取已中止`);
    }
    if (e instanceof DrawInfeasibleError || e instanceof DrawInputError) throw new LifecycleError('DrawInfeasible', e.message);
    throw e;
  }
  await updateTask(task.taskId, { stage: 'freeze' });
  return { round, candidates: frozen.freeze.candidates, toDraw: frozen.freeze.strata.reduce((n, s) => n + s.toDraw, 0) };
}

export async function drawStage(input: { taskId: string }): Promise<{ round: number; selected: number }> {
  const ctx = await taskContext(input.taskId);
  const { task, planTask } = ctx;
  const round = ceremonyRoundOf(task);
  const summary = await getItem<DrawSummary & Item>(K.draw(task.taskId, round), true);
  const ceremony = await getCeremony(task.taskId, round);
  if (!summary || !ceremony?.systemSecretHex) throw new Error(`round ${round} of ${task.taskId} was not frozen`);

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
        { witnesses: ceremony.witnesses.map((w) => ({ id: w.id, secret: ceremony.reveals[w.id] ?? '' })), system: ceremony.systemSecretHex, beacon: null },
        { inputs, ...(frozen.pool.n >= LARGE_POOL ? { hasher: drawHasher() } : {}) },
      );
    } catch (e) {
      if (e instanceof RevealMismatchError || e instanceof MissingRevealError) throw new LifecycleError('CeremonyAborted', e.message);
      throw e;
    }
    await putBlob(recordKey(task.taskId, round), serializeRecord(record), 'application/json');
  }

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
  const taskItems = new Set([...planTask.items.general, ...planTask.items.key]);
  const categories = [...new Set((await listInspectionItems(task.department)).filter((i) => taskItems.has(i.id)).map((i) => i.itemCategory))];
  await putTargets(
    record.targets.flatMap((t) => {
      const d = details.get(t.uscc);
      if (!d) return [];
      const others = (d.lastInspections ?? []).filter((l) => l.taskId !== task.taskId);
      const mine = categories.map((itemCategory) => ({ department: task.department, itemCategory, date: drawDate, taskId: task.taskId, team: t.team }));
      return [{ ...d, lastInspections: [...others, ...mine].slice(-10) }];
    }),
  );

  await putItem({ ...K.draw(task.taskId, round), entity: 'draw', taskId: task.taskId, ...summary, status: 'drawn', seed: record.seed, selectedCount: record.targets.length });
  await updateCeremony(task.taskId, round, { status: 'drawn' });
  await updateTask(task.taskId, { stage: 'draw', drawRound: round });
  return { round, selected: record.targets.length };
}

export async function getDrawRecordJson(taskId: string, round: number): Promise<string | undefined> {
  return (await getBlob(recordKey(taskId, round)))?.toString('utf8');
}

/** What the public announcement shows of a round: the freeze record, and after the draw the seed and teams. */
export async function getDrawSummary(taskId: string, round: number): Promise<{ freeze?: DrawSummary['freeze']; seed?: string; selected?: { uscc: string; stratum: string; team: string[]; leader: string }[] } | undefined> {
  const s = await getItem<DrawSummary & Item>(K.draw(taskId, round));
  if (!s) return undefined;
  if (s.status !== 'drawn') return { freeze: s.freeze };
  const json = await getDrawRecordJson(taskId, round);
  const rec = json ? (JSON.parse(json) as DrawRecord) : undefined;
  return {
    freeze: s.freeze,
    ...(s.seed ? { seed: s.seed } : {}),
    ...(rec ? { selected: rec.targets.map((t) => ({ uscc: t.uscc, stratum: t.stratum, team: t.team, leader: t.leader })) } : {}),
  };
}

