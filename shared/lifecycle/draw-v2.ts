/**
 * The suiji-draw-v2 round of a task (docs/DRAW.md §11–§17), between the pure v2 core and the
 * store: the internal frozen state (openings, pseudonyms, the system's secret) kept in the blob
 * store, the department's chain, the close record, and the public record or outcome record
 * each round ends with.
 */
import {
  closeRegistration,
  frozenStateOf,
  lateClose,
  outcomeRecord,
  rebuildFrozenV2,
  serializeOutcomeV2,
  type BeaconProof,
  type BeaconSpec,
  type CloseRecordV2,
  type FreezeRecordV2,
  type FrozenDrawV2,
  type FrozenStateV2,
} from '../draw/v2/index.js';
import { createHasher, type BatchHasher } from '../draw/simd.js';
import { getBlob, putBlob } from '../blobs.js';
import { K } from '../store/keys.js';
import { getItem, isConditionFailure, updateItem, type Item } from '../store/base.js';
import { endChainRound } from '../store/chain.js';
import { getCeremony, updateCeremony } from '../store/ceremony.js';
import { nowIso } from '../clock.js';
import { availableProofs } from './beacons.js';

export const frozenKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/frozen.json`;
export const recordKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/record.json`;

/** What the freeze keeps internally (never published): the supervisor's input and the system's secret. */
export interface FrozenBlobV2 extends FrozenStateV2 {
  algorithm: 'suiji-draw-v2';
  systemSecretHex: string;
  /** Registry inspector id → department (joint tasks: teams are recorded as (department, id)). */
  departmentOf?: Record<string, string>;
}

export function frozenBlobOf(f: FrozenDrawV2, systemSecretHex: string): FrozenBlobV2 {
  return { algorithm: 'suiji-draw-v2', ...frozenStateOf(f), systemSecretHex };
}

export async function readFrozenBlob(taskId: string, round: number): Promise<FrozenBlobV2 | undefined> {
  const b = await getBlob(frozenKey(taskId, round));
  if (!b) return undefined;
  const v = JSON.parse(b.toString('utf8')) as FrozenBlobV2 | { freeze: { algorithm: string } };
  return 'openings' in v ? v : undefined;
}

/** Rebuilds the frozen draw from the stored state (every commitment recomputed, digests re-checked). */
export function loadFrozenV2(b: FrozenBlobV2, hasher: BatchHasher = createHasher()): FrozenDrawV2 {
  return rebuildFrozenV2(b, hasher);
}

/** The v2 part of a round's draw summary (public: nothing here is internal). */
export interface DrawSummaryV2 {
  department: string;
  chainRound: number;
  prev: string;
  freezeDigestSm3: string;
  drawTime: string;
  beacons: BeaconSpec[];
  close?: { record: CloseRecordV2; closeDigest: string; closeDigestSm3: string };
  outcome?: { status: 'aborted' | 'failed'; reason: string; at: string };
}

interface SummaryItem extends Item {
  freezeRecord: { algorithm: string } & Partial<FreezeRecordV2>;
  freezeDigest: string;
  v2?: DrawSummaryV2;
  freeze: { witnesses: { id: string; name?: string; role: string; commitment: string }[] };
}

/**
 * Closes witness registration of a frozen v2 round: the close record (witnesses named with role
 * and their commitments) is published at once. A close too near the beacon aborts the round.
 */
export async function closeRoundV2(taskId: string, round: number, by: string): Promise<{ closed: boolean; aborted?: string }> {
  const s = await getItem<SummaryItem>(K.draw(taskId, round), true);
  const c = await getCeremony(taskId, round);
  if (!s?.v2 || !c) throw new Error(`round ${round} of ${taskId} is not a frozen v2 round`);
  if (s.v2.close) return { closed: false };
  const freeze = s.freezeRecord as FreezeRecordV2;
  const closedAt = nowIso();
  const late = lateClose(freeze, closedAt);
  if (late) {
    await endRoundV2(taskId, round, 'aborted', late);
    return { closed: false, aborted: late };
  }
  const closed = closeRegistration({ freeze, freezeDigest: s.freezeDigest }, closedAt, c.witnesses);
  try {
    await updateCeremony(taskId, round, { closed: { by, at: closedAt }, closeRecord: closed }, 'attribute_exists(pk) AND #s = :f AND attribute_not_exists(#cr)', { ':f': 'frozen' }, { '#s': 'status', '#cr': 'closeRecord' });
  } catch (e) {
    if (isConditionFailure(e)) return { closed: false };
    throw e;
  }
  await updateItem(K.draw(taskId, round), {
    raw: '#v2.#close = :close, #fr.#w = :w',
    names: { '#v2': 'v2', '#close': 'close', '#fr': 'freeze', '#w': 'witnesses' },
    values: { ':close': { record: closed.close, closeDigest: closed.closeDigest, closeDigestSm3: closed.closeDigestSm3 }, ':w': closed.close.witnesses.map((w) => ({ id: w.id, name: w.name, role: w.role, commitment: w.commitment })) },
  });
  return { closed: true };
}

/**
 * Ends a frozen v2 round without a draw: the outcome record (with the beacon values already
 * public — an abort after the beacon shows what the seed would have used) is published and the
 * chain entry closed. No effect on a round that was drawn or ended already.
 */
export async function endRoundV2(taskId: string, round: number, outcome: 'aborted' | 'failed', reason: string): Promise<boolean> {
  const s = await getItem<SummaryItem>(K.draw(taskId, round), true);
  if (!s?.v2 || s.v2.outcome || (s as { status?: string }).status === 'drawn') return false;
  const c = await getCeremony(taskId, round);
  const freeze = s.freezeRecord as FreezeRecordV2;
  let proofs: BeaconProof[] = [];
  try {
    proofs = (await availableProofs(freeze.beacons, c?.indexProof)).proofs;
  } catch {
    /* the outcome is recorded even when the beacon cannot be read */
  }
  const at = nowIso();
  const o = outcomeRecord({ freeze, freezeDigest: s.freezeDigest, freezeDigestSm3: s.v2.freezeDigestSm3 }, outcome, reason, at, c?.closeRecord?.close ?? null, proofs);
  await putBlob(recordKey(taskId, round), serializeOutcomeV2(o), 'application/json');
  await endChainRound(s.v2.department, s.v2.chainRound, outcome, recordKey(taskId, round), reason);
  await updateItem(K.draw(taskId, round), { set: { status: outcome }, raw: '#v2.#o = :o', names: { '#v2': 'v2', '#o': 'outcome' }, values: { ':o': { status: outcome, reason, at } } });
  return true;
}

/** The beacons a frozen v2 round fixed (undefined before its freeze, and for v1 rounds). */
export async function roundBeacons(taskId: string, round: number): Promise<BeaconSpec[] | undefined> {
  return (await getItem<SummaryItem>(K.draw(taskId, round), true))?.v2?.beacons;
}
