/**
 * The draw ceremony of one round: witnesses and their commitments (registered before the
 * freeze), the system's secret (kept server-side until the ceremony), reveals, and the
 * re-draw request with its reason and approval. The system secret is never returned by the
 * API before the draw has run.
 */
import { K } from './keys.js';
import { getItem, isConditionFailure, putItem, updateItem } from './base.js';
import { nowIso } from '../clock.js';
import { conflict } from '../domain/errors.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './db.js';

export interface Witness {
  id: string;
  name: string;
  /** e.g. 纪检监督人员, 企业代表, 公证员 */
  role: string;
  /** SHA-256 hex of the witness's secret, given before the freeze. */
  commitment: string;
}

export interface CeremonyRecord {
  taskId: string;
  round: number;
  status: 'registered' | 'frozen' | 'revealing' | 'drawn' | 'aborted';
  witnesses: Witness[];
  reveals: Record<string, string>;
  systemCommitment?: string;
  systemSecretHex?: string;
  abortReason?: string;
  /** Why this round exists (rounds after the first are re-draws). */
  redraw?: { reason: string; requestedBy: string; requestedAt: string; approvedBy?: string; approvedAt?: string };
  createdAt: string;
  updatedAt: string;
}

export async function getCeremony(taskId: string, round: number): Promise<CeremonyRecord | undefined> {
  return getItem<CeremonyRecord>(K.ceremony(taskId, round), true);
}

export async function registerWitnesses(taskId: string, round: number, witnesses: Witness[], redraw?: CeremonyRecord['redraw']): Promise<CeremonyRecord> {
  const at = nowIso();
  const prev = await getCeremony(taskId, round);
  if (prev?.status === 'aborted') throw conflict(`第 ${round} 轮抽取已中止（${prev.abortReason ?? '原因未记录'}），不能再登记`);
  if (prev && prev.status !== 'registered') throw conflict(`第 ${round} 轮抽取已冻结，不能再变更见证人`);
  const rec: CeremonyRecord = {
    taskId,
    round,
    status: 'registered',
    witnesses,
    reveals: {},
    ...(redraw ?? prev?.redraw ? { redraw: (redraw ?? prev?.redraw)! } : {}),
    createdAt: prev?.createdAt ?? at,
    updatedAt: at,
  };
  await putItem({ ...K.ceremony(taskId, round), entity: 'ceremony', ...rec });
  return rec;
}

export async function updateCeremony(taskId: string, round: number, set: Partial<CeremonyRecord>, condition?: string, values?: Record<string, unknown>): Promise<CeremonyRecord> {
  return updateItem<CeremonyRecord>(K.ceremony(taskId, round), {
    set: { ...set, updatedAt: nowIso() },
    ...(condition ? { condition } : {}),
    ...(values ? { values } : {}),
  });
}

/** Record one reveal exactly once; false when this witness has revealed already. */
export async function recordReveal(taskId: string, round: number, witnessId: string, secret: string): Promise<boolean> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: K.ceremony(taskId, round),
        UpdateExpression: 'SET #rv.#w = :secret, #st = :st, #up = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#rv.#w) AND #st IN (:frozen, :st)',
        ExpressionAttributeNames: { '#rv': 'reveals', '#w': witnessId, '#st': 'status', '#up': 'updatedAt' },
        ExpressionAttributeValues: { ':secret': secret, ':st': 'revealing', ':frozen': 'frozen', ':now': nowIso() },
      }),
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
