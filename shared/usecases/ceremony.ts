/**
 * The draw ceremony of a round (suiji-draw-v2, docs/DRAW.md §11–§13): the pool is frozen first
 * (freeze record with the system's commitment and the beacon round, published at once); the
 * coordinator registers the witnesses, named with role, with the commitments they computed on
 * their own devices — before or after the freeze; one entered by mistake is removed until
 * registration closes — and closes registration once the profile's
 * witnesses are there (the close record follows the freeze record; a close too near the beacon
 * aborts the round). Each witness reveals from their own device (the public witness page, or a
 * signed-in account); a value that does not match is refused and kept on record, and the
 * witness reveals again; the last reveal resumes the execution, whose draw waits for the beacon.
 * An abort stops an open ceremony on record (for a frozen round: a chained outcome record).
 */
import { z } from 'zod';
import { abortRound, addWitnesses, ceremonyRoundOf, removeWitness, closeRegistration, getCeremony, OPEN_CEREMONY, recordFailedReveal, recordIndexEntry, recordReveal, setIndexProof, type CeremonyRecord, type IndexCloseEntry } from '../store/ceremony.js';
import { audit, type Actor } from '../store/tasks.js';
import { closeRoundV2, endRoundV2, roundBeacons } from '../lifecycle/draw-v2.js';
import { beaconAt, beaconWait, indexSpecOf } from '../lifecycle/beacons.js';
import { indexCloseProof, INDICES, type IndexBeaconSpec } from '../draw/v2/index.js';
import { DrawInputError } from '../draw/errors.js';
import { chinaDateTime } from '../domain/calendar.js';
import { isConditionFailure } from '../store/base.js';
import { now } from '../clock.js';
import { completeStage, failStage } from '../lifecycle/callbacks.js';
import { checkSecretText, commitSecret } from '../draw/ceremony.js';
import { getProfile } from '../services/profile.js';
import { witnessShortfall } from '../domain/witnesses.js';
import { conflict, DomainError, invalid, notFound } from '../domain/errors.js';
import { Id, LongText, NonEmpty, parseOrThrow } from '../domain/schemas.js';
import { LIMITS, tooLongMessage } from '../domain/limits.js';
import { actorOf, launchedTask, type Staff } from './access.js';

const Witness = z.object({ id: Id, name: NonEmpty, role: NonEmpty, commitment: z.string().regex(/^[0-9a-f]{64}$/, { message: '承诺值应为 64 位小写十六进制 SHA-256' }) });
/** One witness (`{id, name, role, commitment}`) or several (`{witnesses: [...]}`). */
export const WitnessInput = z.union([
  z.object({
    witnesses: z.array(Witness).min(1, { message: '至少登记一名见证人' }).max(LIMITS.listItems, { message: `见证人最多 ${LIMITS.listItems} 名` }),
  }),
  Witness,
]);
export const RevealInput = z.object({ witnessId: Id, secret: z.string().min(1, { message: '揭示值不能为空' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }) });
export const AbortInput = z.object({ reason: LongText });

export interface WitnessRegistration {
  round: number;
  /** Witnesses registered so far in this round. */
  witnesses: number;
  /** What still keeps registration from being closed (empty: it can be closed). */
  missing: string[];
}

/**
 * Add witnesses (with their commitments) to the round's registration. Nothing freezes yet: the
 * coordinator closes registration when every witness is there.
 */
export async function registerCeremonyWitnesses(staff: Staff, taskId: string, input: unknown): Promise<WitnessRegistration> {
  const t = await launchedTask(taskId);
  // before the freeze, or after it until registration closes (the store refuses a closed round)
  if (t.stage !== 'witnesses' && t.stage !== 'ceremony') throw conflict(`当前阶段（${t.stage}）不能登记见证人`);
  const body = parseOrThrow(WitnessInput, input);
  const witnesses = 'witnesses' in body ? body.witnesses : [body];
  if (new Set(witnesses.map((w) => w.id)).size !== witnesses.length) throw invalid('见证人编号重复');
  const round = ceremonyRoundOf(t);
  const rec = await addWitnesses(t.taskId, round, witnesses);
  await audit(t.taskId, actorOf(staff), 'ceremony.witnesses', { round, witnesses: witnesses.map((w) => ({ id: w.id, role: w.role, commitment: w.commitment })) });
  const profile = await getProfile(t.department);
  return { round, witnesses: rec.witnesses.length, missing: witnessShortfall(profile.draw, rec.witnesses) };
}

/**
 * Freeze the pool now (a signed-in coordinator), with witness registration still open: the
 * freeze record — system commitment and beacon round included — is published before any witness
 * commitment is final. Witnesses then register and registration is closed in the ceremony stage.
 */
export async function freezeCeremony(staff: Staff, taskId: string): Promise<{ round: number; applied: boolean }> {
  const t = await launchedTask(taskId);
  if (t.stage !== 'witnesses') throw conflict(`当前阶段（${t.stage}）不能冻结对象池`);
  const round = ceremonyRoundOf(t);
  const c = await getCeremony(t.taskId, round);
  if (c?.status === 'aborted') throw conflict(`第 ${round} 轮抽取已中止（${c.abortReason ?? '原因未记录'}）`);
  if (!c) await addWitnesses(t.taskId, round, []);
  const applied = await completeStage(t.taskId, 'witnesses', { round });
  if (applied) await audit(t.taskId, actorOf(staff), 'ceremony.freeze', { round });
  return { round, applied };
}

/**
 * Take a witness off the round's registration before it is closed (entered by mistake, or the
 * person cannot attend); the removal and who did it stay in the audit trail. After closing, the
 * list is fixed: only an abort and a resumed round change it.
 */
export async function removeCeremonyWitness(staff: Staff, taskId: string, witnessId: string): Promise<WitnessRegistration> {
  const t = await launchedTask(taskId);
  // like registration: before the freeze, or after it until registration closes (the store refuses a closed round)
  if (t.stage !== 'witnesses' && t.stage !== 'ceremony') throw conflict(`当前阶段（${t.stage}）不能变更见证人：见证人登记已截止`);
  const round = ceremonyRoundOf(t);
  if ((await getCeremony(t.taskId, round))?.reveals[witnessId] !== undefined) throw conflict(`见证人「${witnessId}」已揭示，不能移除`);
  const { record, removed } = await removeWitness(t.taskId, round, witnessId);
  await audit(t.taskId, actorOf(staff), 'ceremony.witness-removed', { round, witness: { id: removed.id, name: removed.name, role: removed.role, commitment: removed.commitment } });
  const profile = await getProfile(t.department);
  return { round, witnesses: record.witnesses.length, missing: witnessShortfall(profile.draw, record.witnesses) };
}

/**
 * Close the round's witness registration (a signed-in coordinator: the act fixes who witnesses
 * the draw): at least the profile's number of witnesses, a discipline-inspection witness where
 * the profile asks for one. Before the freeze, the execution freezes the pool and closes at once
 * after; after the freeze, the close record is made now — too late for the beacon, the round is
 * aborted on record.
 */
export async function closeWitnessRegistration(staff: Staff, taskId: string): Promise<{ round: number; witnesses: number; applied: boolean }> {
  const t = await launchedTask(taskId);
  if (t.stage !== 'witnesses' && t.stage !== 'ceremony') throw conflict(`当前阶段（${t.stage}）不能截止见证人登记`);
  const round = ceremonyRoundOf(t);
  const c = await getCeremony(t.taskId, round);
  if (c?.status === 'aborted') throw conflict(`第 ${round} 轮抽取已中止（${c.abortReason ?? '原因未记录'}）`);
  const profile = await getProfile(t.department);
  const problems = witnessShortfall(profile.draw, c?.witnesses ?? []);
  if (problems.length) throw new DomainError('invalid', `见证人登记尚不能截止：${problems.join('；')}`, { issues: problems.map((message) => ({ field: 'witnesses', message })) });
  if (t.stage === 'ceremony') {
    if (c!.closeRecord) throw conflict(`第 ${round} 轮见证人登记已截止`);
    const r = await closeRoundV2(t.taskId, round, staff.email);
    if (r.aborted) {
      await abortRound(t.taskId, round, r.aborted);
      await audit(t.taskId, actorOf(staff), 'ceremony.aborted', { round, reason: r.aborted });
      await failStage(t.taskId, 'ceremony', 'CeremonyAborted', r.aborted);
      throw conflict(r.aborted);
    }
    if (!r.closed) throw conflict(`第 ${round} 轮见证人登记已截止`);
    await audit(t.taskId, actorOf(staff), 'ceremony.closed', { round, witnesses: c!.witnesses.map((w) => w.id) });
    return { round, witnesses: c!.witnesses.length, applied: true };
  }
  const closed = await closeRegistration(t.taskId, round, staff.email, c!.witnesses.length);
  if (closed) await audit(t.taskId, actorOf(staff), 'ceremony.closed', { round, witnesses: c!.witnesses.map((w) => w.id) });
  // A retried close whose first attempt closed the record but did not resume still resumes.
  const applied = await completeStage(t.taskId, 'witnesses', { round });
  if (!closed && !applied) throw conflict(`第 ${round} 轮见证人登记已截止`);
  return { round, witnesses: c!.witnesses.length, applied };
}

/** Refused reveals kept on record per witness and round. */
export const MAX_RECORDED_MISMATCHES = 10;

/** The commitment a revealed secret stands for; undefined for text no witness can have committed (`commitSecret` refuses it). */
const commitmentOf = (secret: string): string | undefined => (checkSecretText(secret) ? undefined : commitSecret(secret));

/**
 * Record one witness's reveal. A value that does not match the witness's commitment is refused
 * and the attempt kept on record (who, when — never the value); the witness reveals again. The
 * last matching reveal resumes the execution. Revealing twice records nothing new.
 */
export async function revealSecret(staff: Staff | null, taskId: string, input: unknown): Promise<{ round: number; recorded: boolean; missing: string[] }> {
  const t = await launchedTask(taskId);
  const body = parseOrThrow(RevealInput, input);
  const round = ceremonyRoundOf(t);
  const c = await getCeremony(t.taskId, round);
  if (!c || !['frozen', 'revealing'].includes(c.status)) throw conflict('抽取对象池尚未冻结，或本轮仪式已结束');
  // v2 (a round whose freeze made a system commitment before the close): reveals follow the close record
  if (!c.closed && !c.closeRecord) throw conflict('见证人登记尚未截止，截止后才能揭示');
  // the witness on their own device (public witness page), or a signed-in member of staff
  const actor: Actor = staff ? actorOf(staff) : { by: `witness:${body.witnessId}`, role: 'witness' };
  const w = c.witnesses.find((x) => x.id === body.witnessId);
  if (!w) throw notFound(`见证人「${body.witnessId}」`);
  const digest = commitmentOf(body.secret);
  if (digest !== w.commitment) {
    const before = (c.failedReveals ?? []).filter((f) => f.witnessId === w.id).length;
    // Anyone may post to the public reveal: past a few refused attempts per witness nothing more
    // is stored (the round's record stays small); the right secret is still accepted.
    if (before >= MAX_RECORDED_MISMATCHES) {
      const message = `见证人「${w.name}」（${w.id}）揭示的值与其承诺不符，已连续 ${before} 次不符，后续不符的尝试不再记录；请核对秘密文字后重新揭示`;
      throw new DomainError('invalid', message, { issues: [{ field: 'secret', message }], reason: 'RevealMismatch' });
    }
    await recordFailedReveal(t.taskId, round, w.id, actor.by);
    await audit(t.taskId, actor, 'ceremony.mismatch', { round, witnessId: w.id, digest: digest ?? null, commitment: w.commitment });
    const tries = before + 1;
    const message = `见证人「${w.name}」（${w.id}）揭示的值与其承诺不符（第 ${tries} 次），未被采用；请核对后重新揭示，仪式继续进行`;
    throw new DomainError('invalid', message, { issues: [{ field: 'secret', message }], reason: 'RevealMismatch' });
  }
  const fresh = await recordReveal(t.taskId, round, w.id, body.secret);
  await audit(t.taskId, actor, 'ceremony.reveal', { round, witnessId: w.id, duplicate: !fresh });
  const after = (await getCeremony(t.taskId, round))!;
  const missing = after.witnesses.filter((x) => after.reveals[x.id] === undefined).map((x) => x.name);
  const beacons = await roundBeacons(t.taskId, round);
  const index = indexSpecOf(beacons ?? []);
  // the state machine then waits for the beacon's time before it runs the draw
  if (missing.length === 0 && (!index || after.indexProof)) await completeStage(t.taskId, 'ceremony', { round, ...beaconWait(beacons) });
  return { round, recorded: fresh, missing, ...(index ? { indexCloses: after.indexProof ? 'agreed' : 'pending' } : {}) };
}

const Close = (name: string) =>
  z
    .string({ error: `${name}收盘点位应为文字，如 3312.45` })
    .trim()
    .regex(/^\d{1,6}\.\d{2}$/, { message: `${name}收盘点位应保留两位小数，如 3312.45` });
/** One person's entry of the two closes (上证指数 000001.SH, 深证成指 399001.SZ). */
export const IndexClosesInput = z.object({ shanghai: Close(INDICES[0].name), shenzhen: Close(INDICES[1].name) });

const ROLE_NAMES: Record<string, string> = { coordinator: '协调员', leader: '分管领导', inspector: '检查人员' };

export interface IndexClosesState {
  round: number;
  date: string;
  /** agreed: two different people's entries agree and the beacon value is fixed; waiting: one more person must enter. */
  status: 'agreed' | 'waiting';
  entries: { name: string; role: string; closes: [string, string]; at: string; mismatch?: boolean }[];
  /** Witnesses who have not revealed yet (the draw also waits for them). */
  missing: string[];
}

const publicEntries = (c: CeremonyRecord): IndexClosesState['entries'] =>
  (c.indexEntries ?? []).map((e) => ({ name: e.name, role: e.role, closes: e.closes, at: e.at, ...(e.mismatch ? { mismatch: true } : {}) }));

/** What the record shows for who entered: the names, told apart by e-mail when two people share one. */
const shownNames = (a: IndexCloseEntry, b: IndexCloseEntry): [string, string] => (a.name === b.name ? [`${a.name}（${a.by}）`, `${b.name}（${b.by}）`] : [a.name, b.name]);

/**
 * One signed-in person's entry of the closes of 上证指数 and 深证成指 on the trading day the
 * freeze fixed (docs/DRAW.md §11), accepted once that day's market has closed (15:00 Beijing
 * time). Every entry stays on record. When it agrees exactly with the latest entry of a
 * different person, the beacon value is fixed (the proof names both) and, once every witness
 * has revealed, the ceremony ends and the draw runs; when it disagrees, it is refused with both
 * values shown, and either person enters again.
 */
export async function enterIndexCloses(staff: Staff, taskId: string, input: unknown): Promise<IndexClosesState> {
  const t = await launchedTask(taskId);
  const body = parseOrThrow(IndexClosesInput, input);
  const round = ceremonyRoundOf(t);
  const c = await getCeremony(t.taskId, round);
  const beacons = await roundBeacons(t.taskId, round);
  const spec = indexSpecOf(beacons ?? []);
  if (t.stage !== 'ceremony' || !c || !['frozen', 'revealing'].includes(c.status)) throw conflict(`当前阶段（${t.stage}）没有等待指数收盘点位的抽取仪式`);
  if (!spec) throw conflict(`第 ${round} 轮抽取未采用指数收盘信标（部门配置“抽取公共随机信标”），无需录入收盘点位`);
  if (c.indexProof) throw conflict(`${spec.date} 的收盘点位已由 ${c.indexProof.enteredBy.join('、')} 录入一致并确认，不能再变更`);
  if (now().getTime() < beaconAt(spec)) throw conflict(`${spec.date} 收盘（北京时间 15:00，${chinaDateTime(new Date(beaconAt(spec)).toISOString())}）后才能录入收盘点位`);
  const entry: IndexCloseEntry = { by: staff.email, name: staff.name, role: ROLE_NAMES[staff.role] ?? staff.role, closes: [body.shanghai, body.shenzhen], at: new Date(now().getTime()).toISOString() };
  // compared with the latest entry of anybody else (an entry that disagreed may be corrected by either person)
  const other = [...(c.indexEntries ?? [])].reverse().find((e) => e.by !== staff.email);
  let mismatch: string | undefined;
  let proof: ReturnType<typeof indexCloseProof> | undefined;
  if (other) {
    try {
      const [a, b] = shownNames(other, entry);
      proof = indexCloseProof(spec, { by: a, closes: other.closes }, { by: b, closes: entry.closes });
    } catch (e) {
      if (!(e instanceof DrawInputError)) throw e;
      mismatch = e.message;
    }
  }
  try {
    await recordIndexEntry(t.taskId, round, mismatch ? { ...entry, mismatch: true } : entry);
  } catch (e) {
    if (isConditionFailure(e)) throw conflict(`第 ${round} 轮的收盘点位已确认，或本轮仪式已结束`);
    throw e;
  }
  const closes = { date: spec.date, [INDICES[0].code]: body.shanghai, [INDICES[1].code]: body.shenzhen };
  if (mismatch) {
    await audit(t.taskId, actorOf(staff), 'ceremony.index-mismatch', { round, ...closes, other: other!.by });
    const message = `${mismatch}；未被采用，请两人核对 ${spec.date} 的收盘点位后重新录入（任一人重新录入即与对方最近一次录入比对）`;
    throw new DomainError('invalid', message, { issues: [{ field: 'closes', message }], reason: 'IndexMismatch' });
  }
  await audit(t.taskId, actorOf(staff), 'ceremony.index-entry', { round, ...closes, agreed: Boolean(proof) });
  if (proof && (await setIndexProof(t.taskId, round, proof))) await audit(t.taskId, actorOf(staff), 'ceremony.index-agreed', { round, date: spec.date, enteredBy: proof.enteredBy, randomness: proof.randomness });
  const after = (await getCeremony(t.taskId, round))!;
  const missing = after.witnesses.filter((x) => after.reveals[x.id] === undefined).map((x) => x.name);
  if (after.indexProof && after.closeRecord && missing.length === 0) await completeStage(t.taskId, 'ceremony', { round, ...beaconWait(beacons) });
  return { round, date: spec.date, status: after.indexProof ? 'agreed' : 'waiting', entries: publicEntries(after), missing };
}

/** The index-close state of a round for the console and the public page (undefined when the round has no such beacon). */
export function indexClosesOf(c: CeremonyRecord | undefined, spec: IndexBeaconSpec | undefined): (Omit<IndexClosesState, 'missing'> & { at: string; open: boolean; enteredBy?: string[] }) | undefined {
  if (!spec || !c) return undefined;
  return {
    round: c.round,
    date: spec.date,
    at: new Date(beaconAt(spec)).toISOString(),
    /** The trading day's market has closed: entries are accepted. */
    open: now().getTime() >= beaconAt(spec),
    status: c.indexProof ? 'agreed' : 'waiting',
    entries: publicEntries(c),
    ...(c.indexProof ? { enteredBy: c.indexProof.enteredBy } : {}),
  };
}

/**
 * Stop the ceremony of the current round while it is open (witnesses being registered, the pool
 * frozen, reveals under way), with the reason on record; the lifecycle ends and can be resumed
 * with a new round after a leader's approval. After the draw there is no ceremony to abort.
 */
export async function abortCeremony(staff: Staff, taskId: string, input: unknown): Promise<{ aborted: boolean }> {
  const t = await launchedTask(taskId);
  const { reason } = parseOrThrow(AbortInput, input);
  const round = ceremonyRoundOf(t);
  const c = await getCeremony(t.taskId, round);
  const stageOpen = t.stage === 'witnesses' || t.stage === 'freeze' || t.stage === 'ceremony';
  if (!stageOpen || !c || !OPEN_CEREMONY.includes(c.status)) {
    throw conflict(
      t.stage === 'witnesses' && !c
        ? '本轮尚未登记见证人，没有可中止的抽取仪式'
        : `当前阶段（${t.stage}）没有进行中的抽取仪式，不能中止；抽取完成后如需重新抽取，请提交重新抽取申请`,
    );
  }
  if (!(await abortRound(t.taskId, round, reason))) throw conflict(`第 ${round} 轮抽取仪式已结束，不能中止`);
  // a frozen round ends in a published outcome record, chained (with the beacon if already public)
  await endRoundV2(t.taskId, round, 'aborted', reason);
  await audit(t.taskId, actorOf(staff), 'ceremony.aborted', { round, reason });
  // The stage waiting now ends; while the pool is being frozen, the ceremony stage fails on entry.
  const stage = t.stage === 'witnesses' ? 'witnesses' : 'ceremony';
  await failStage(t.taskId, stage, 'CeremonyAborted', reason);
  return { aborted: true };
}
