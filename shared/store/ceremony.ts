/**
 * The draw ceremony of one round: witnesses and their commitments (registered before the
 * freeze), the system's secret (kept server-side until the ceremony), reveals, and the
 * re-draw request with its reason and approval. The system secret is never returned by the
 * API before the draw has run.
 */
import { K } from './keys.js';
import { getItem, isConditionFailure, putIfAbsent, putItem, updateItem } from './base.js';
import { nowIso } from '../clock.js';
import { conflict, notFound } from '../domain/errors.js';
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
  /**
   * Registration closed by the coordinator. v2: set with the close record, after the freeze (a
   * close asked for before the freeze is `closeOnFreeze`, applied right after it).
   */
  closed?: { by: string; at: string };
  /** v2: the coordinator closed registration before the freeze; the freeze closes it at once after. */
  closeOnFreeze?: { by: string; at: string };
  /** v2: the published close record (witnesses named with role and commitment). */
  closeRecord?: { close: import('../draw/v2/record.js').CloseRecordV2; closeDigest: string; closeDigestSm3: string };
  /**
   * v2 rounds with an index-close beacon: every entry of the two closes, by whom (signed-in
   * staff; `by` is the e-mail that tells people apart, `name` what the record shows), in order.
   */
  indexEntries?: IndexCloseEntry[];
  /** The index-close proof, fixed once two different people's entries agreed. */
  indexProof?: import('../draw/v2/beacon.js').IndexBeaconProof;
  /** Reveals refused because they did not match the witness's commitment (retried after). */
  failedReveals?: { witnessId: string; at: string; by: string }[];
  /** Why this round exists (rounds after the first are re-draws). */
  redraw?: { reason: string; requestedBy: string; requestedAt: string; approvedBy?: string; approvedAt?: string };
  /** A round that resumes a failed or aborted task (the leader's approval, with its reason). */
  resume?: ResumeApproval;
  createdAt: string;
  updatedAt: string;
}

export interface IndexCloseEntry {
  by: string;
  name: string;
  role: string;
  /** 上证指数, 深证成指 closes (two decimals), in that order. */
  closes: [string, string];
  at: string;
  /** Did not agree with the other person's entry it was compared with (kept on record). */
  mismatch?: boolean;
}

export interface ResumeApproval {
  reason: string;
  requestedBy: string;
  requestedAt: string;
  approvedBy: string;
  approvedAt: string;
  approvalReason: string;
  /** What had ended the task: the failure shown to the coordinator. */
  after: string;
}

/** Statuses in which the ceremony of a round is still open (it can take witnesses, reveals or an abort). */
export const OPEN_CEREMONY: readonly CeremonyRecord['status'][] = ['registered', 'frozen', 'revealing'];

/**
 * The round of the task's next (or current) ceremony: after its last draw, or after a round a
 * resumed task left behind (`ceremonyRound`, set when the resume is approved).
 */
export const ceremonyRoundOf = (t: { drawRound: number; ceremonyRound?: number }): number => Math.max(t.drawRound + 1, t.ceremonyRound ?? 0);

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

/** Open the round of a resumed task, with the leader's approval on it (idempotent). */
export async function openResumedRound(taskId: string, round: number, resume: ResumeApproval): Promise<void> {
  const at = nowIso();
  const rec: CeremonyRecord = { taskId, round, status: 'registered', witnesses: [], reveals: {}, resume, createdAt: at, updatedAt: at };
  await putIfAbsent({ ...K.ceremony(taskId, round), entity: 'ceremony', ...rec });
}

/**
 * Add witnesses to a round whose registration is open, creating the round's record if needed.
 * Refuses an id registered already (the whole request, so nothing is half-added).
 */
export async function addWitnesses(taskId: string, round: number, witnesses: Witness[]): Promise<CeremonyRecord> {
  return changeWitnesses(taskId, round, '登记', (prev) => {
    const taken = witnesses.filter((w) => prev.some((x) => x.id === w.id));
    if (taken.length) throw conflict(`见证人编号「${taken.map((w) => w.id).join('、')}」已登记`);
    return [...prev, ...witnesses];
  });
}

/** Take a witness off the round's list while registration is open (a mistaken entry); returns the witness removed. */
export async function removeWitness(taskId: string, round: number, witnessId: string): Promise<{ record: CeremonyRecord; removed: Witness }> {
  let removed: Witness | undefined;
  const record = await changeWitnesses(taskId, round, '移除见证人', (prev) => {
    removed = prev.find((w) => w.id === witnessId);
    if (!removed) throw notFound(`第 ${round} 轮登记的见证人「${witnessId}」`);
    return prev.filter((w) => w.id !== witnessId);
  });
  return { record, removed: removed! };
}

/** The witness list of an open registration, changed by `change`; conditional on the list read, so two clerks at once never lose a change. */
async function changeWitnesses(taskId: string, round: number, what: string, change: (prev: Witness[]) => Witness[]): Promise<CeremonyRecord> {
  for (let attempt = 0; ; attempt++) {
    const prev = await getCeremony(taskId, round);
    if (prev?.status === 'aborted') throw conflict(`第 ${round} 轮抽取已中止（${prev.abortReason ?? '原因未记录'}），不能再${what}`);
    // v2: witnesses may also register (and be removed) after the freeze, until registration is closed
    if (prev && (!['registered', 'frozen'].includes(prev.status) || prev.closed || prev.closeOnFreeze)) throw conflict(`第 ${round} 轮见证人登记已截止，不能再变更见证人`);
    const at = nowIso();
    const rec: CeremonyRecord = {
      ...(prev ?? { taskId, round, status: 'registered' as const, reveals: {}, createdAt: at }),
      witnesses: change(prev?.witnesses ?? []),
      updatedAt: at,
    };
    const ok = prev
      ? await putItem({ ...K.ceremony(taskId, round), entity: 'ceremony', ...rec }, { expr: '#u = :u AND #s = :s AND attribute_not_exists(#c)', names: { '#u': 'updatedAt', '#s': 'status', '#c': 'closed' }, values: { ':u': prev.updatedAt, ':s': prev.status } })
          .then(() => true, (e) => (isConditionFailure(e) ? false : Promise.reject(e)))
      : await putIfAbsent({ ...K.ceremony(taskId, round), entity: 'ceremony', ...rec });
    if (ok) return rec;
    if (attempt >= 5) throw conflict('见证人名单刚被他人修改，请刷新后重试');
  }
}

/**
 * Close registration of a round before its freeze (once): the freeze then closes it right after
 * (v2: the close record follows the freeze record). False when it was closed, aborted or frozen already.
 */
export async function closeRegistration(taskId: string, round: number, by: string, witnessCount: number): Promise<boolean> {
  try {
    await updateItem(K.ceremony(taskId, round), {
      set: { closeOnFreeze: { by, at: nowIso() }, updatedAt: nowIso() },
      condition: 'attribute_exists(pk) AND #status = :reg AND attribute_not_exists(#closed) AND attribute_not_exists(#cof) AND size(#witnesses) = :n',
      names: { '#status': 'status', '#closed': 'closed', '#cof': 'closeOnFreeze', '#witnesses': 'witnesses' },
      values: { ':reg': 'registered', ':n': witnessCount },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** Keep a refused reveal on record (who tried for which witness, when); never the wrong value. */
export async function recordFailedReveal(taskId: string, round: number, witnessId: string, by: string): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: K.ceremony(taskId, round),
      UpdateExpression: 'SET #f = list_append(if_not_exists(#f, :empty), :one), #up = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#f': 'failedReveals', '#up': 'updatedAt' },
      ExpressionAttributeValues: { ':empty': [], ':one': [{ witnessId, at: nowIso(), by }], ':now': nowIso() },
    }),
  );
}

/** Abort an open round; false when it is no longer open (drawn, or aborted meanwhile). */
export async function abortRound(taskId: string, round: number, reason: string): Promise<boolean> {
  try {
    await updateItem(K.ceremony(taskId, round), {
      set: { status: 'aborted', abortReason: reason, updatedAt: nowIso() },
      condition: 'attribute_exists(pk) AND #status IN (:r, :f, :v)',
      names: { '#status': 'status' },
      values: { ':r': 'registered', ':f': 'frozen', ':v': 'revealing' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

export async function updateCeremony(taskId: string, round: number, set: Partial<CeremonyRecord>, condition?: string, values?: Record<string, unknown>, names?: Record<string, string>): Promise<CeremonyRecord> {
  return updateItem<CeremonyRecord>(K.ceremony(taskId, round), {
    set: { ...set, updatedAt: nowIso() },
    ...(condition ? { condition } : {}),
    ...(values ? { values } : {}),
    ...(names ? { names } : {}),
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

/** Append one index-close entry to an open round (kept on record, agreeing or not). */
export async function recordIndexEntry(taskId: string, round: number, entry: IndexCloseEntry): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: K.ceremony(taskId, round),
      UpdateExpression: 'SET #e = list_append(if_not_exists(#e, :empty), :one), #up = :now',
      ConditionExpression: 'attribute_exists(pk) AND #st IN (:f, :v) AND attribute_not_exists(#p)',
      ExpressionAttributeNames: { '#e': 'indexEntries', '#up': 'updatedAt', '#st': 'status', '#p': 'indexProof' },
      ExpressionAttributeValues: { ':empty': [], ':one': [entry], ':now': nowIso(), ':f': 'frozen', ':v': 'revealing' },
    }),
  );
}

/** Fix the agreed index-close proof once; false when one was fixed already. */
export async function setIndexProof(taskId: string, round: number, proof: NonNullable<CeremonyRecord['indexProof']>): Promise<boolean> {
  try {
    await updateItem(K.ceremony(taskId, round), {
      set: { indexProof: proof, updatedAt: nowIso() },
      condition: 'attribute_exists(pk) AND attribute_not_exists(#p) AND #st IN (:f, :v)',
      names: { '#p': 'indexProof', '#st': 'status' },
      values: { ':f': 'frozen', ':v': 'revealing' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}
