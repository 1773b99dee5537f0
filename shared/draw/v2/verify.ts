/**
 * Offline verification of suiji-draw-v2 records (docs/DRAW.md §16–§17): a draw record alone,
 * an outcome record alone, and a department's chain of records.
 *
 * Draw record, in this order (the first failure is reported): shape → freeze counts and team →
 * freezeDigest (SHA-256 and SM3) → public pool (sorted, no duplicates, counts) and poolDigest →
 * public eligibility (canonical) and eligibilityDigest → close record (digests, belongs to the
 * freeze, closed before the beacons) → beacons (BLS / index values) → reveals → seed → priority
 * of every commitment → selected commitments per stratum → each opening against its commitment
 * and stratum list → teams, leaders, shares, caps, loads, cap yields.
 */
import { createHasher, type BatchHasher } from '../simd.js';
import { drawCount, FULL_BP, teamSize } from '../../domain/sampling.js';
import { STRATA } from '../pool.js';
import { findShortages } from '../match.js';
import { commitmentOf, digestCommitments, iota } from './commit.js';
import { checkRevealsV2, deriveSeedV2, drawWithSeedV2, lateClose, linesDigest, buildRecordV2 } from './draw.js';
import { decodePoolLists, firstUnsorted, lazyPoolWords, parsePublicEligibility } from './pooltext.js';
import { wordsToHex } from '../sha256.js';
import {
  CloseRecordV2Schema,
  digestsOf,
  DrawRecordV2Schema,
  eachTargetBlock,
  namesAt,
  OutcomeRecordV2Schema,
  parseShape,
  targetColumnsOf,
  ZERO_DIGEST,
  type CloseRecordV2,
  type DrawRecordV2,
  type FreezeRecordV2,
  type OutcomeRecordV2,
} from './record.js';

class VerifyStop extends Error {}

export type VerifyV2Result = { ok: true; summary: string } | { ok: false; error: string };
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const fail = (error: string) => ({ ok: false as const, error });

/** Freeze record self-consistency: counts, team size, digests. */
function checkFreeze(f: FreezeRecordV2, freezeDigest: string, freezeDigestSm3: string): string | undefined {
  for (let s = 0; s < 5; s++) {
    const st = f.strata[s]!;
    if (st.stratum !== STRATA[s]) return `冻结记录 freeze.strata[${s}].stratum 应为 ${STRATA[s]}`;
    if (s === 0 && st.ratioBp !== FULL_BP) return `冻结记录 freeze.strata[0].ratioBp 应为 ${FULL_BP}`;
    const n = drawCount(st.candidates, st.ratioBp);
    if (st.toDraw !== n) return `冻结记录 freeze.strata[${s}].toDraw 不一致：记录为 ${st.toDraw}，按比例重新计算为 ${n}`;
  }
  const total = f.strata.reduce((a, s) => a + s.candidates, 0);
  if (total !== f.candidates) return `冻结记录 freeze.candidates 不一致：记录为 ${f.candidates}，各层合计 ${total}`;
  const units = [...new Set(f.team.jointUnits)].sort();
  if (JSON.stringify(units) !== JSON.stringify(f.team.jointUnits)) return `冻结记录 freeze.team.jointUnits 应升序且不重复`;
  const size = teamSize(f.team.minSize, units.length);
  if (f.team.size !== size) return `冻结记录 freeze.team.size 不一致：记录为 ${f.team.size}，重新计算为 ${size}`;
  if ((f.round === 1) !== (f.prev === ZERO_DIGEST && f.prevSm3 === ZERO_DIGEST)) return `冻结记录 freeze.prev：第 ${f.round} 轮的上一轮摘要${f.round === 1 ? '应为全零' : '不能为全零'}`;
  const d = digestsOf(f);
  if (d.sha256 !== freezeDigest) return `冻结记录摘要不一致：freezeDigest 为 ${freezeDigest}，按 freeze 重新计算为 ${d.sha256}（冻结记录被改动；请与抽查任务公告中公布的 freezeDigest 核对）`;
  if (d.sm3 !== freezeDigestSm3) return `冻结记录 SM3 摘要不一致：freezeDigestSm3 为 ${freezeDigestSm3}，重新计算为 ${d.sm3}`;
  return undefined;
}

function checkClose(f: FreezeRecordV2, freezeDigest: string, close: CloseRecordV2, closeDigest: string, closeDigestSm3: string): string | undefined {
  if (close.freezeDigest !== freezeDigest) return `登记截止记录 close.freezeDigest 为 ${close.freezeDigest}，不属于本轮冻结记录（${freezeDigest}）`;
  const ids = close.witnesses.map((w) => w.id);
  const sorted = [...new Set(ids)].sort();
  if (JSON.stringify(ids) !== JSON.stringify(sorted)) return `登记截止记录 close.witnesses 应按编号升序且不重复：${JSON.stringify(ids)}`;
  if (ids.includes('system') || ids.includes('beacon')) return '登记截止记录 close.witnesses 使用了保留编号 system 或 beacon';
  const late = lateClose(f, close.closedAt);
  if (late) return late;
  if (Date.parse(close.closedAt) < Date.parse(f.frozenAt)) return `登记截止时间 ${close.closedAt} 早于冻结时间 ${f.frozenAt}`;
  const d = digestsOf(close);
  if (d.sha256 !== closeDigest) return `登记截止记录摘要不一致：closeDigest 为 ${closeDigest}，按 close 重新计算为 ${d.sha256}（请与公告中公布的承诺核对）`;
  if (d.sm3 !== closeDigestSm3) return `登记截止记录 SM3 摘要不一致：closeDigestSm3 为 ${closeDigestSm3}，重新计算为 ${d.sm3}`;
  return undefined;
}

/** Verifies a v2 draw record (already parsed JSON). */
export function verifyRecordV2(value: unknown, opts: { hasher?: BatchHasher } = {}): VerifyV2Result {
  // The pool lists (a million entries) are read apart from the schema: as words if the record
  // file was read with parseRecordFile (never turned into strings), else by decodePoolLists.
  const inputs = (value as { inputs?: Record<string, unknown> } | null)?.inputs;
  const isObject = inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs);
  const words = isObject ? lazyPoolWords(inputs) : undefined;
  const rawPool = isObject && !words ? inputs.pool : undefined;
  const empty = { key: [], A: [], B: [], C: [], D: [] };
  let light = value;
  if (isObject && 'pool' in inputs) {
    const rest: Record<string, unknown> = {};
    for (const k of Object.keys(inputs)) if (k !== 'pool') rest[k] = inputs[k];
    light = { ...(value as object), inputs: { ...rest, pool: empty } };
  }
  const shape = parseShape<DrawRecordV2>(DrawRecordV2Schema, light);
  if (!shape.ok) return shape;
  const decoded = words ? { ok: true as const, commitments: words.sorted, bounds: [...words.bounds], digest: digestCommitments(words.sorted) } : decodePoolLists(rawPool);
  if (!decoded.ok) return decoded;
  const rec = shape.value;
  const f = rec.freeze;
  if (rec.taskId !== f.taskId) return fail(`任务编号不一致：taskId 为 ${rec.taskId}，freeze.taskId 为 ${f.taskId}`);
  const bad = checkFreeze(f, rec.freezeDigest, rec.freezeDigestSm3);
  if (bad) return fail(bad);

  // public pool: per stratum sorted, no duplicates, counts, digest
  const { commitments, bounds } = decoded;
  const n = bounds[5]!;
  for (let s = 0; s < 5; s++) {
    const count = bounds[s + 1]! - bounds[s]!;
    if (count !== f.strata[s]!.candidates) return fail(`公开对象池 inputs.pool.${STRATA[s]} 有 ${count} 个承诺值，冻结记录为 ${f.strata[s]!.candidates} 个`);
    const j = firstUnsorted(commitments, bounds[s]!, bounds[s + 1]!);
    if (j >= 0) return fail(`公开对象池 inputs.pool.${STRATA[s]} 第 ${j + 1} 个承诺值未按升序排列或重复`);
  }
  const order = iota(n);
  const pd = decoded.digest;
  if (pd !== f.poolDigest) return fail(`对象池摘要不一致：freeze.poolDigest 为 ${f.poolDigest}，按 inputs.pool 重新计算为 ${pd}（冻结的对象池或其摘要被改动）`);

  const ed = linesDigest(rec.inputs.eligibility);
  if (ed !== f.eligibilityDigest) return fail(`检查人员资格摘要不一致：freeze.eligibilityDigest 为 ${f.eligibilityDigest}，按 inputs.eligibility 重新计算为 ${ed}`);
  let base;
  try {
    base = parsePublicEligibility(rec.inputs.eligibility);
  } catch (e) {
    return fail(`公开资格清单不合规范：${(e as Error).message}`);
  }
  if (base.inspectorIds.length !== f.inspectors) return fail(`冻结记录 freeze.inspectors 为 ${f.inspectors}，资格清单有 ${base.inspectorIds.length} 名`);
  if (base.areaNames.length !== f.areas) return fail(`冻结记录 freeze.areas 为 ${f.areas}，资格清单有 ${base.areaNames.length} 个辖区`);

  const cbad = checkClose(f, rec.freezeDigest, rec.close, rec.closeDigest, rec.closeDigestSm3);
  if (cbad) return fail(cbad);
  const rw = rec.reveals.witnesses.map((w) => w.id);
  const cw = rec.close.witnesses.map((w) => w.id);
  if (JSON.stringify(rw) !== JSON.stringify(cw)) return fail(`揭示值的见证人 reveals.witnesses 为 ${JSON.stringify(rw)}，与登记的见证人 ${JSON.stringify(cw)} 不一致`);
  let reveals;
  try {
    reveals = checkRevealsV2(f, rec.close, rec.reveals);
  } catch (e) {
    return fail(`揭示值校验失败：${(e as Error).message}`);
  }
  const seed = deriveSeedV2(rec.freezeDigest, rec.closeDigest, reveals.witnesses.map((w) => w.secret), reveals.system, reveals.beacons.map((b) => b.randomness));
  if (seed !== rec.seed) return fail(`种子 seed 不一致：记录为 ${rec.seed}，按揭示值和信标重新计算为 ${seed}`);

  // openings of the drawn entries, by commitment
  const areaIndex = new Map(base.areaNames.map((a, k) => [a, k]));
  const inspIndex = new Map(base.inspectorIds.map((id, k) => [id, k]));
  const byCommitment = new Map(rec.targets.map((t, r) => [t.commitment, { t, r }]));
  let openErr: string | undefined;
  const memberSets: Set<string | undefined>[] = [];
  const opening = (i: number) => {
    const c = wordsToHex(commitments, i * 8);
    const hit = byCommitment.get(c);
    const s = bounds.findIndex((b, k) => k < 5 && i >= b && i < bounds[k + 1]!);
    if (!hit) {
      openErr ??= `重新计算应抽中承诺值 ${c}（${STRATA[s]} 层），记录中没有它的公开信息（targets）`;
      return { uscc: '000000000000000000', stratum: s, area: 0, excl: [] };
    }
    const t = hit.t;
    const k = areaIndex.get(t.area);
    const excl = t.exclusions.map((x) => inspIndex.get(x));
    if (k === undefined) openErr ??= `第 ${hit.r + 1} 个抽中对象 targets[${hit.r}].area「${t.area}」不在资格清单的辖区中`;
    else if (excl.some((x) => x === undefined)) openErr ??= `第 ${hit.r + 1} 个抽中对象 targets[${hit.r}].exclusions 含有资格清单之外的检查人员`;
    else if (t.stratum !== STRATA[s]) openErr ??= `第 ${hit.r + 1} 个抽中对象 targets[${hit.r}].stratum 为 ${t.stratum}，其承诺值在 ${STRATA[s]} 层`;
    else {
      const sortedEx = [...t.exclusions].sort();
      const members = (memberSets[k] ??= new Set(Array.from(base.areaMembers[k]!, (x) => base.inspectorIds[x])));
      if (JSON.stringify(sortedEx) !== JSON.stringify(t.exclusions) || new Set(sortedEx).size !== sortedEx.length || sortedEx.some((x) => !members.has(x))) {
        openErr ??= `第 ${hit.r + 1} 个抽中对象 targets[${hit.r}].exclusions 应为该辖区名单内、升序且不重复的化名`;
      } else {
        const text = `${t.uscc},${t.stratum},${k},${t.exclusions.join(';')}`;
        const got = commitmentOf(Buffer.from(t.salt, 'hex'), text).toString('hex');
        if (got !== c) openErr ??= `第 ${hit.r + 1} 个抽中对象 targets[${hit.r}] 的公开信息（统一社会信用代码 ${t.uscc}、盐值、辖区、回避人员）与其承诺值不符：重新计算为 ${got}，承诺值为 ${c}`;
        else if (!/^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(t.uscc)) openErr ??= `第 ${hit.r + 1} 个抽中对象的统一社会信用代码「${t.uscc}」格式不正确`;
      }
    }
    return { uscc: t.uscc.padEnd(18, '0').slice(0, 18), stratum: s, area: k ?? 0, excl: excl.map((x) => x ?? 0) };
  };
  const hasher = opts.hasher ?? createHasher();
  let result;
  try {
    result = drawWithSeedV2(seed, commitments, order, bounds, f, opening, base, hasher, (pool) => {
      if (openErr) throw new VerifyStop(openErr);
      // the public part of feasibility (§2.4): every drawn entry can be staffed
      const short = findShortages(pool, pool.strataCounts, { teamSize: f.team.size, jointUnits: f.team.jointUnits });
      if (short.length) throw new VerifyStop(`抽中对象的检查人员不足（正常产生的记录不会如此）：${short[0]!.message}`);
    });
  } catch (e) {
    if (e instanceof VerifyStop) return fail(e.message);
    throw e;
  }
  if (result.selection.order.length !== rec.targets.length) return fail(`抽中对象数量 targets 不一致：记录为 ${rec.targets.length} 个，重新计算为 ${result.selection.order.length} 个`);
  const expected = buildRecordV2(
    { freeze: f, freezeDigest: rec.freezeDigest, freezeDigestSm3: rec.freezeDigestSm3, sorted: commitments, salts: new Uint8Array(0), pool: base },
    { close: rec.close, closeDigest: rec.closeDigest, closeDigestSm3: rec.closeDigestSm3 },
    reveals,
    result,
    empty,
    (i) => byCommitment.get(wordsToHex(commitments, i * 8))!.t.salt,
  );
  for (let s = 0; s < 5; s++) {
    const a = rec.strata[s]!, b = expected.strata[s]!;
    for (const k of ['stratum', 'candidates', 'ratioBp', 'selected'] as const) {
      if (a[k] !== b[k]) return fail(`分层统计 strata[${s}].${k} 不一致：记录为 ${show(a[k])}，重新计算为 ${show(b[k])}`);
    }
  }
  // the rebuilt targets read from its columns block by block (no object per target kept)
  const cols = targetColumnsOf(expected)!;
  let targetErr: string | undefined;
  eachTargetBlock(cols, ({ r0, m, commitments, priorities, usccs }) => {
    for (let k = 0; k < m && !targetErr; k++) {
      const r = r0 + k, a = rec.targets[r]!;
      const team = namesAt(cols.ids, cols.teamMembers, cols.teamOff[r]!, cols.teamOff[r + 1]!);
      const b = {
        commitment: commitments.slice(k * 64, k * 64 + 64), uscc: usccs.slice(k * 18, k * 18 + 18), stratum: STRATA[cols.strata[r]!],
        area: cols.areaNames[cols.area[r]!], priority: priorities.slice(k * 64, k * 64 + 64), leader: team[0],
      };
      for (const key of ['commitment', 'uscc', 'stratum', 'area', 'priority', 'leader'] as const) {
        if (a[key] !== b[key]) {
          targetErr = `第 ${r + 1} 个抽中对象 targets[${r}].${key} 不一致：记录为 ${a[key]}，重新计算为 ${b[key]}`;
          break;
        }
      }
      if (!targetErr && JSON.stringify(a.team) !== JSON.stringify(team)) targetErr = `第 ${r + 1} 个抽中对象（${a.uscc}）的检查组 targets[${r}].team 不一致：记录为 ${a.team.join('、')}，重新计算为 ${team.join('、')}`;
    }
  });
  if (targetErr) return fail(targetErr);
  const ma = rec.matching, mb = expected.matching;
  if (ma.teamSize !== mb.teamSize) return fail(`matching.teamSize 不一致：记录为 ${ma.teamSize}，重新计算为 ${mb.teamSize}`);
  if (JSON.stringify(ma.jointUnits) !== JSON.stringify(mb.jointUnits)) return fail(`matching.jointUnits 不一致：记录为 ${JSON.stringify(ma.jointUnits)}，重新计算为 ${JSON.stringify(mb.jointUnits)}`);
  if (JSON.stringify(ma.areas) !== JSON.stringify(mb.areas)) return fail(`辖区工作量 matching.areas 不一致：记录为 ${JSON.stringify(ma.areas)}，重新计算为 ${JSON.stringify(mb.areas)}`);
  if (ma.inspectors.length !== mb.inspectors.length) return fail(`matching.inspectors 数量不一致：记录为 ${ma.inspectors.length}，重新计算为 ${mb.inspectors.length}`);
  for (let i = 0; i < ma.inspectors.length; i++) {
    const a = ma.inspectors[i]!, b = mb.inspectors[i]!;
    for (const k of ['id', 'cap', 'load'] as const) {
      if (a[k] !== b[k]) return fail(`检查人员工作量 matching.inspectors[${i}].${k} 不一致：记录为 ${show(a[k])}，重新计算为 ${show(b[k])}`);
    }
  }
  if (ma.capYields !== mb.capYields) return fail(`matching.capYields 不一致：记录为 ${ma.capYields}，重新计算为 ${mb.capYields}`);

  const strata = rec.strata.map((s) => `${s.stratum} ${s.selected}/${s.candidates}`).join('，');
  const beacons = f.beacons.map((b) => (b.source === 'index-close' ? `指数收盘 ${b.date}` : `${b.source} 第 ${b.round} 轮（BLS 签名已验证）`)).join('、');
  return {
    ok: true,
    summary:
      `OK ${rec.algorithm} 任务 ${rec.taskId}（${f.department} 第 ${f.round} 轮）：对象池 ${n} 个承诺值，抽中 ${rec.targets.length} 个（${strata}），` +
      `每组 ${f.team.size} 人，见证人 ${rec.close.witnesses.length} 名，信标 ${beacons}，` +
      `freezeDigest ${rec.freezeDigest}（SM3 ${rec.freezeDigestSm3}），closeDigest ${rec.closeDigest}，种子 ${seed}`,
  };
}

/** Verifies an outcome record (a round ended without a draw). */
export function verifyOutcomeV2(value: unknown): VerifyV2Result {
  const shape = parseShape<OutcomeRecordV2>(OutcomeRecordV2Schema, value);
  if (!shape.ok) return shape;
  const o = shape.value;
  if (o.taskId !== o.freeze.taskId) return fail(`任务编号不一致：taskId 为 ${o.taskId}，freeze.taskId 为 ${o.freeze.taskId}`);
  const bad = checkFreeze(o.freeze, o.freezeDigest, o.freezeDigestSm3);
  if (bad) return fail(bad);
  if (o.close) {
    const c = parseShape<CloseRecordV2>(CloseRecordV2Schema, o.close);
    if (!c.ok) return c;
    if (o.close.freezeDigest !== o.freezeDigest) return fail('登记截止记录不属于本轮冻结记录');
  }
  return { ok: true, summary: `OK ${o.algorithm} 任务 ${o.taskId}（${o.freeze.department} 第 ${o.freeze.round} 轮）：本轮${o.outcome === 'aborted' ? '中止' : '失败'}（${o.reason}），freezeDigest ${o.freezeDigest}` };
}

/** Checks a department's records together (§17). Each record is verified on its own first. */
export function verifyChain(values: readonly unknown[], opts: { hasher?: BatchHasher } = {}): VerifyV2Result {
  const rounds = new Map<number, { freeze: FreezeRecordV2; freezeDigest: string; freezeDigestSm3: string; status: string; file: number }>();
  let dept: string | undefined;
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as Record<string, unknown>;
    const isOutcome = v && typeof v === 'object' && 'outcome' in v;
    const r = isOutcome ? verifyOutcomeV2(v) : verifyRecordV2(v, opts);
    if (!r.ok) return fail(`第 ${k + 1} 个文件：${r.error}`);
    const freeze = v['freeze'] as FreezeRecordV2;
    const entry = { freeze, freezeDigest: v['freezeDigest'] as string, freezeDigestSm3: v['freezeDigestSm3'] as string, status: isOutcome ? String(v['outcome']) : 'drawn', file: k + 1 };
    dept ??= freeze.department;
    if (freeze.department !== dept) return fail(`第 ${k + 1} 个文件属于部门 ${freeze.department}，其他文件属于 ${dept}：一条链只含一个部门`);
    const seen = rounds.get(freeze.round);
    if (seen && seen.freezeDigest !== entry.freezeDigest) {
      return fail(`第 ${freeze.round} 轮被替换：第 ${seen.file} 个文件与第 ${k + 1} 个文件的冻结记录不同（${seen.freezeDigest} / ${entry.freezeDigest}）`);
    }
    if (seen) return fail(`第 ${freeze.round} 轮有两个结果记录（第 ${seen.file} 个文件为 ${seen.status}，第 ${k + 1} 个文件为 ${entry.status}）`);
    rounds.set(freeze.round, entry);
  }
  if (!rounds.size) return fail('没有记录');
  const max = Math.max(...rounds.keys());
  const missing = Array.from({ length: max }, (_, i) => i + 1).filter((r) => !rounds.has(r));
  if (missing.length) return fail(`缺少第 ${missing.join('、')} 轮的记录（部门 ${dept} 的轮次应从 1 连续编号）`);
  for (let r = 2; r <= max; r++) {
    const cur = rounds.get(r)!, prev = rounds.get(r - 1)!;
    if (cur.freeze.prev !== prev.freezeDigest || cur.freeze.prevSm3 !== prev.freezeDigestSm3) {
      return fail(`第 ${r} 轮记录的上一轮摘要 prev 为 ${cur.freeze.prev}，而第 ${r - 1} 轮的 freezeDigest 为 ${prev.freezeDigest}：第 ${r - 1} 轮被替换，或链被改动`);
    }
    const re = cur.freeze.redrawOf;
    if (re !== null && !(re < r && rounds.has(re))) return fail(`第 ${r} 轮的 redrawOf 指向第 ${re} 轮，不是本链更早的轮次`);
  }
  const list = Array.from({ length: max }, (_, i) => `${i + 1}:${rounds.get(i + 1)!.status}`).join(' ');
  return { ok: true, summary: `OK 部门 ${dept} 的抽取链：第 1–${max} 轮连续、逐轮衔接（SHA-256 与 SM3），各轮记录均验证通过（${list}）` };
}
