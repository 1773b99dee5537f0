/**
 * The draw ceremony of a round: the coordinator registers the witnesses with their commitments
 * (before the freeze), each witness's secret is revealed and checked against its commitment with
 * the draw's own `commitSecret`, and the last reveal resumes the execution. A reveal that does
 * not match, or an abort, stops the ceremony on record.
 */
import { z } from 'zod';
import { getCeremony, recordReveal, registerWitnesses, updateCeremony } from '../store/ceremony.js';
import { audit } from '../store/tasks.js';
import { completeStage, failStage } from '../lifecycle/callbacks.js';
import { checkSecretText, commitSecret } from '../draw/ceremony.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { Id, LongText, NonEmpty, parseOrThrow } from '../domain/schemas.js';
import { LIMITS, tooLongMessage } from '../domain/limits.js';
import { actorOf, launchedTask, type Staff } from './access.js';

export const WitnessList = z.object({
  witnesses: z
    .array(z.object({ id: Id, name: NonEmpty, role: NonEmpty, commitment: z.string().regex(/^[0-9a-f]{64}$/, { message: '承诺值应为 64 位小写十六进制 SHA-256' }) }))
    .min(1, { message: '至少登记一名见证人' }),
});
export const RevealInput = z.object({ witnessId: Id, secret: z.string().min(1, { message: '揭示值不能为空' }).max(LIMITS.text, { message: tooLongMessage(LIMITS.text) }) });
export const AbortInput = z.object({ reason: LongText });

/** Register the witnesses of the next round and let the execution freeze the pool. */
export async function registerCeremonyWitnesses(staff: Staff, taskId: string, input: unknown): Promise<{ round: number; witnesses: number; applied: boolean }> {
  const t = await launchedTask(taskId);
  if (t.stage !== 'witnesses') throw conflict(`当前阶段（${t.stage}）不能登记见证人`);
  const { witnesses } = parseOrThrow(WitnessList, input);
  if (new Set(witnesses.map((w) => w.id)).size !== witnesses.length) throw invalid('见证人编号重复');
  const round = t.drawRound + 1;
  await registerWitnesses(t.taskId, round, witnesses);
  await audit(t.taskId, actorOf(staff), 'ceremony.witnesses', { round, witnesses: witnesses.map((w) => ({ id: w.id, role: w.role, commitment: w.commitment })) });
  const applied = await completeStage(t.taskId, 'witnesses', { round });
  return { round, witnesses: witnesses.length, applied };
}

/** The commitment a revealed secret stands for; undefined for text no witness can have committed (`commitSecret` refuses it). */
const commitmentOf = (secret: string): string | undefined => (checkSecretText(secret) ? undefined : commitSecret(secret));

/**
 * Record one witness's reveal. A reveal that does not match the witness's commitment aborts the
 * ceremony (and the lifecycle) on record; the last matching reveal resumes the execution.
 * Revealing twice records nothing new.
 */
export async function revealSecret(staff: Staff, taskId: string, input: unknown): Promise<{ round: number; recorded: boolean; missing: string[] }> {
  const t = await launchedTask(taskId);
  const body = parseOrThrow(RevealInput, input);
  const round = t.drawRound + 1;
  const c = await getCeremony(t.taskId, round);
  if (!c || !['frozen', 'revealing'].includes(c.status)) throw conflict('抽取对象池尚未冻结，或本轮仪式已结束');
  const w = c.witnesses.find((x) => x.id === body.witnessId);
  if (!w) throw notFound(`见证人「${body.witnessId}」`);
  const digest = commitmentOf(body.secret);
  if (digest !== w.commitment) {
    const reason = `见证人「${w.name}」（${w.id}）揭示的值与其承诺不符，仪式中止`;
    await updateCeremony(t.taskId, round, { status: 'aborted', abortReason: reason });
    await audit(t.taskId, actorOf(staff), 'ceremony.mismatch', { witnessId: w.id, digest: digest ?? null, commitment: w.commitment });
    await failStage(t.taskId, 'ceremony', 'CeremonyAborted', reason);
    throw conflict(reason);
  }
  const fresh = await recordReveal(t.taskId, round, w.id, body.secret);
  await audit(t.taskId, actorOf(staff), 'ceremony.reveal', { witnessId: w.id, duplicate: !fresh });
  const after = (await getCeremony(t.taskId, round))!;
  const missing = after.witnesses.filter((x) => after.reveals[x.id] === undefined).map((x) => x.name);
  if (missing.length === 0) await completeStage(t.taskId, 'ceremony', { round });
  return { round, recorded: fresh, missing };
}

/** Stop the ceremony of the current round, with the reason on record; the lifecycle ends. */
export async function abortCeremony(staff: Staff, taskId: string, input: unknown): Promise<{ aborted: boolean }> {
  const t = await launchedTask(taskId);
  const { reason } = parseOrThrow(AbortInput, input);
  const round = t.drawRound + 1;
  await updateCeremony(t.taskId, round, { status: 'aborted', abortReason: reason });
  await audit(t.taskId, actorOf(staff), 'ceremony.aborted', { round, reason });
  return { aborted: await failStage(t.taskId, 'ceremony', 'CeremonyAborted', reason) };
}
