/**
 * The suiji-draw-v2 round of a task (docs/DRAW.md §11–§17), between the pure v2 core and the
 * store: the internal frozen state (openings, pseudonyms, the system's secret) kept in the blob
 * store, the department's chain, the close record, and the public record or outcome record
 * each round ends with.
 */
import {
  closeRegistration,
  decodedOf,
  decodeFrozenV2,
  encodeFrozenV2Parts,
  indexOfUscc,
  lateClose,
  loadFrozenStateV2,
  openingLine,
  openingLines,
  parsePublicEligibility,
  outcomeRecord,
  rebuildFrozenV2,
  serializeOutcomeV2,
  type BeaconProof,
  type BeaconSpec,
  type CloseRecordV2,
  type FreezeRecordV2,
  type DecodedFrozenV2,
  type FrozenDrawV2,
  type FrozenHeaderV2,
  type FrozenStateV2,
} from '../draw/v2/index.js';
import { createHasher, type BatchHasher } from '../draw/simd.js';
import { getBlob, getBlobShared, putBlob, putBlobParts } from '../blobs.js';
import { K } from '../store/keys.js';
import { getItem, isConditionFailure, updateItem, type Item } from '../store/base.js';
import { endChainRound } from '../store/chain.js';
import { getCeremony, updateCeremony } from '../store/ceremony.js';
import { nowIso } from '../clock.js';
import { availableProofs } from './beacons.js';

/** v1's frozen inputs, and v2 states stored as JSON before the binary state (still read). */
export const frozenKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/frozen.json`;
/** A v2 round's internal state, binary (shared/draw/v2/state.ts). */
export const frozenStateKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/frozen.bin`;
export const recordKey = (taskId: string, round: number): string => `draws/${taskId}/${round}/record.json`;

/** What the freeze keeps internally besides the draw state: the system's secret and the departments. */
interface FrozenExtrasV2 {
  algorithm: 'suiji-draw-v2';
  systemSecretHex: string;
  /** Registry inspector id → department (joint tasks: teams are recorded as (department, id)). */
  departmentOf?: Record<string, string>;
}

/**
 * A v2 round's internal state as read (never published): the header fields, and the binary
 * columns (`state`) — or, for a round frozen before the binary state, the JSON openings.
 */
export type FrozenBlobV2 = FrozenHeaderV2 & FrozenExtrasV2 & { candidates: number } & ({ state: DecodedFrozenV2; legacy?: undefined } | { state?: undefined; legacy: FrozenStateV2 });

/**
 * Stores the binary state of a fresh freeze (its arrays written as they are: no buffer of the
 * state's size); returns it as readFrozenBlob would.
 */
export async function writeFrozenBlob(taskId: string, round: number, f: FrozenDrawV2, extras: Omit<FrozenExtrasV2, 'algorithm'>): Promise<FrozenBlobV2> {
  const header: FrozenExtrasV2 = { algorithm: 'suiji-draw-v2', ...extras };
  await putBlobParts(frozenStateKey(taskId, round), encodeFrozenV2Parts(f, header).parts, 'application/octet-stream');
  return blobOf(decodedOf(f, header));
}

const blobOf = (d: DecodedFrozenV2<FrozenHeaderV2 & FrozenExtrasV2>): FrozenBlobV2 => ({ ...d.header, candidates: d.n, state: d });

export async function readFrozenBlob(taskId: string, round: number): Promise<FrozenBlobV2 | undefined> {
  // shared memory: RunDraw's load turns the commitments into words in place for the helper thread
  const bin = await getBlobShared(frozenStateKey(taskId, round));
  if (bin) return blobOf(decodeFrozenV2(bin));
  const b = await getBlob(frozenKey(taskId, round));
  if (!b) return undefined;
  const v = JSON.parse(b.toString('utf8')) as (FrozenStateV2 & FrozenExtrasV2) | { freeze: { algorithm: string } };
  return 'openings' in v ? { ...v, candidates: v.openings.length, legacy: v } : undefined;
}

/**
 * The frozen draw from the stored state: a binary state checked by digest (freeze record,
 * poolDigest over the commitments, eligibilityDigest; runDrawV2 opens the drawn entries against
 * their commitments), a JSON state of an older round rebuilt (every commitment recomputed).
 */
export function loadFrozenV2(b: FrozenBlobV2, hasher: BatchHasher = createHasher()): FrozenDrawV2 {
  return b.state ? loadFrozenStateV2(b.state) : rebuildFrozenV2(b.legacy, hasher);
}

/** The internal openings "<uscc>,<stratum>,<k>,<excl>,<salt hex>", USCC order (the supervisor's input). */
export function openingsOf(b: FrozenBlobV2): string[] {
  if (!b.state) return b.legacy.openings;
  // the columns are in USCC order: so are the lines
  return openingLines({ pool: { ...b.state.pool, ...parsePublicEligibility(b.eligibility) }, salts: b.state.salts });
}

/** The internal opening of one enterprise, or undefined if it is not in the round's pool. */
export function openingFor(b: FrozenBlobV2, uscc: string): string | undefined {
  if (!b.state) return b.legacy.openings.find((l) => l.startsWith(`${uscc},`));
  const i = indexOfUscc(b.state, uscc);
  return i < 0 ? undefined : openingLine({ ...b.state.pool, ...parsePublicEligibility(b.eligibility) }, b.state.salts, i);
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
