/**
 * Offline verification of a draw record: re-derives digests, commitments, seed, selection and
 * teams from the record alone and reports OK or the first difference, in words.
 *
 * Order of checks (the first failing one is reported): shape → poolDigest → eligibilityDigest →
 * canonical form of the input lines → counts in the freeze record → taskId → freezeDigest →
 * feasibility → reveals against commitments → seed → per-stratum counts → selected targets
 * (count, then each target's USCC, stratum, priority, area) → teams and leaders → matching caps.
 */
import { checkReveals, seedOfRound } from './ceremony.js';
import { drawWithSeed, buildRecord, checkFrozenInputs, drawCounts, matchParams } from './draw.js';
import { findShortages } from './match.js';
import { freezeDigestOf, parseRecordShape, type DrawRecord } from './record.js';
import type { BatchHasher } from './simd.js';
import { verifyOutcomeV2, verifyRecordV2 } from './v2/verify.js';

export type VerifyResult = { ok: true; summary: string; record?: DrawRecord } | { ok: false; error: string };

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function verifyRecord(value: unknown, opts: { hasher?: BatchHasher } = {}): VerifyResult {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: '记录格式错误：应为 JSON 对象' };
  const alg = (value as Record<string, unknown>)['algorithm'];
  if (alg === 'suiji-draw-v2') {
    if ((value as Record<string, unknown>)['recordVersion'] !== 2) return { ok: false, error: `不支持的记录版本 recordVersion：${show((value as Record<string, unknown>)['recordVersion'])}（suiji-draw-v2 为版本 2）` };
    return 'outcome' in value ? verifyOutcomeV2(value) : verifyRecordV2(value, opts);
  }
  if (alg !== 'suiji-draw-v1') return { ok: false, error: `不支持的抽取算法 algorithm：${show(alg)}（本工具验证 suiji-draw-v1 和 suiji-draw-v2）` };
  const ver = (value as Record<string, unknown>)['recordVersion'];
  if (ver !== 1) return { ok: false, error: `不支持的记录版本 recordVersion：${show(ver)}（本工具验证版本 1）` };
  const shape = parseRecordShape(value);
  if (!shape.ok) return shape;
  const rec = shape.record;
  const f = rec.freeze;

  const frozen = checkFrozenInputs(f, rec.inputs);
  if (!frozen.ok) return frozen;
  const pool = frozen.pool;
  if (rec.taskId !== f.taskId) return { ok: false, error: `任务编号不一致：taskId 为 ${rec.taskId}，freeze.taskId 为 ${f.taskId}` };
  const fd = freezeDigestOf(f);
  if (fd !== rec.freezeDigest) {
    return {
      ok: false,
      error: `冻结记录摘要不一致：freezeDigest 为 ${rec.freezeDigest}，按 freeze 重新计算为 ${fd}（冻结记录被改动；请与抽查任务公告中公布的 freezeDigest 核对）`,
    };
  }
  const shortages = findShortages(pool, drawCounts(f), matchParams(f));
  if (shortages.length) return { ok: false, error: `冻结的输入无法完成抽取（正常产生的记录不会如此）：${shortages[0]!.message}` };

  // reveals: same witnesses in the same order as frozen, each matching its commitment
  const rw = rec.reveals.witnesses.map((w) => w.id);
  const fw = f.witnesses.map((w) => w.id);
  if (JSON.stringify(rw) !== JSON.stringify(fw)) {
    return { ok: false, error: `揭示值的见证人 reveals.witnesses 为 ${JSON.stringify(rw)}，与冻结记录登记的见证人 ${JSON.stringify(fw)} 不一致` };
  }
  let reveals;
  try {
    reveals = checkReveals(f, rec.reveals);
  } catch (e) {
    return { ok: false, error: `揭示值校验失败：${(e as Error).message}` };
  }
  const seed = seedOfRound(f, reveals);
  if (seed !== rec.seed) return { ok: false, error: `种子 seed 不一致：记录为 ${rec.seed}，按揭示值重新计算为 ${seed}` };

  const result = drawWithSeed(pool, f, seed, opts.hasher);
  const expected = buildRecord({ freeze: f, freezeDigest: fd, pool }, reveals, result, rec.inputs);

  for (let s = 0; s < 5; s++) {
    const a = rec.strata[s]!, b = expected.strata[s]!;
    for (const k of ['stratum', 'candidates', 'ratioBp', 'selected'] as const) {
      if (a[k] !== b[k]) return { ok: false, error: `分层统计 strata[${s}].${k} 不一致：记录为 ${show(a[k])}，重新计算为 ${show(b[k])}` };
    }
  }
  if (rec.targets.length !== expected.targets.length) {
    return { ok: false, error: `抽中对象数量 targets 不一致：记录为 ${rec.targets.length} 个，重新计算为 ${expected.targets.length} 个` };
  }
  for (let r = 0; r < rec.targets.length; r++) {
    const a = rec.targets[r]!, b = expected.targets[r]!;
    for (const k of ['uscc', 'stratum', 'priority', 'area'] as const) {
      if (a[k] !== b[k]) return { ok: false, error: `第 ${r + 1} 个抽中对象 targets[${r}].${k} 不一致：记录为 ${a[k]}，重新计算为 ${b[k]}` };
    }
  }
  for (let r = 0; r < rec.targets.length; r++) {
    const a = rec.targets[r]!, b = expected.targets[r]!;
    if (JSON.stringify(a.team) !== JSON.stringify(b.team)) {
      return { ok: false, error: `第 ${r + 1} 个抽中对象（${a.uscc}）的检查组 targets[${r}].team 不一致：记录为 ${a.team.join('、')}，重新计算为 ${b.team.join('、')}` };
    }
    if (a.leader !== b.leader) {
      return { ok: false, error: `第 ${r + 1} 个抽中对象（${a.uscc}）的组长 targets[${r}].leader 不一致：记录为 ${a.leader}，重新计算为 ${b.leader}` };
    }
  }
  const ma = rec.matching, mb = expected.matching;
  if (ma.teamSize !== mb.teamSize) return { ok: false, error: `matching.teamSize 不一致：记录为 ${ma.teamSize}，重新计算为 ${mb.teamSize}` };
  if (JSON.stringify(ma.jointUnits) !== JSON.stringify(mb.jointUnits)) {
    return { ok: false, error: `matching.jointUnits 不一致：记录为 ${JSON.stringify(ma.jointUnits)}，重新计算为 ${JSON.stringify(mb.jointUnits)}` };
  }
  if (ma.areas.length !== mb.areas.length) return { ok: false, error: `matching.areas 数量不一致：记录为 ${ma.areas.length}，重新计算为 ${mb.areas.length}` };
  for (let i = 0; i < ma.areas.length; i++) {
    const a = ma.areas[i]!, b = mb.areas[i]!;
    for (const k of ['area', 'selected', 'seats', 'inspectors', 'share'] as const) {
      if (a[k] !== b[k]) return { ok: false, error: `辖区工作量 matching.areas[${i}].${k} 不一致：记录为 ${show(a[k])}，重新计算为 ${show(b[k])}` };
    }
  }
  if (ma.inspectors.length !== mb.inspectors.length) {
    return { ok: false, error: `matching.inspectors 数量不一致：记录为 ${ma.inspectors.length}，重新计算为 ${mb.inspectors.length}` };
  }
  for (let i = 0; i < ma.inspectors.length; i++) {
    const a = ma.inspectors[i]!, b = mb.inspectors[i]!;
    for (const k of ['id', 'cap', 'load'] as const) {
      if (a[k] !== b[k]) return { ok: false, error: `检查人员工作量 matching.inspectors[${i}].${k} 不一致：记录为 ${show(a[k])}，重新计算为 ${show(b[k])}` };
    }
  }
  if (ma.capYields !== mb.capYields) return { ok: false, error: `matching.capYields 不一致：记录为 ${ma.capYields}，重新计算为 ${mb.capYields}` };

  const strata = rec.strata.map((s) => `${s.stratum} ${s.selected}/${s.candidates}`).join('，');
  const beacon = f.beacon ? `；公共随机信标 ${f.beacon.source} 第 ${f.beacon.round} 轮取值 ${reveals.beacon}（请对照信标公开数据核实）` : '';
  const summary =
    `OK ${rec.algorithm} 任务 ${rec.taskId}：对象池 ${pool.n} 个，抽中 ${rec.targets.length} 个（${strata}），` +
    `检查组 ${rec.targets.length} 个（每组 ${f.team.size} 人），见证人 ${f.witnesses.length} 名，` +
    `freezeDigest ${rec.freezeDigest}，种子 ${seed}${beacon}`;
  return { ok: true, summary, record: rec };
}
