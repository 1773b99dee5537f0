/**
 * A department's chain of suiji-draw-v2 rounds (docs/DRAW.md §17). The head holds the last
 * round's number and freeze digests; each round has an entry saying which task round it is,
 * its freeze digest, and how it ended (drawn, aborted, failed) with the published record's key.
 * Rounds are appended with a condition on the head, so two freezes of one department at the
 * same moment never share a number or a predecessor.
 */
import { K } from './keys.js';
import { getItem, isConditionFailure, queryAll, transact, updateItem, type Item } from './base.js';
import { nowIso } from '../clock.js';

export interface ChainHead {
  department: string;
  round: number;
  freezeDigest: string;
  freezeDigestSm3: string;
  /** The task round that holds the department's last round (a retried freeze finds its own). */
  taskId: string;
  taskRound: number;
}

export type ChainStatus = 'frozen' | 'drawn' | 'aborted' | 'failed';

export interface ChainEntry {
  department: string;
  round: number;
  taskId: string;
  taskRound: number;
  status: ChainStatus;
  freezeDigest: string;
  freezeDigestSm3: string;
  prev: string;
  redrawOf: number | null;
  frozenAt: string;
  endedAt?: string;
  reason?: string;
  /** Blob key of the published record (draw or outcome record) once the round ended. */
  recordKey?: string;
}

export async function getChainHead(department: string): Promise<ChainHead | undefined> {
  return getItem<ChainHead>(K.chainHead(department), true);
}

/** Appends round `entry.round`; false when another freeze took that number first. */
export async function appendChainRound(entry: ChainEntry): Promise<boolean> {
  const head: ChainHead = { department: entry.department, round: entry.round, freezeDigest: entry.freezeDigest, freezeDigestSm3: entry.freezeDigestSm3, taskId: entry.taskId, taskRound: entry.taskRound };
  try {
    await transact([
      {
        Put: {
          Item: { ...K.chainHead(entry.department), entity: 'chainHead', ...head },
          ConditionExpression: entry.round === 1 ? 'attribute_not_exists(pk)' : '#r = :prev',
          ...(entry.round === 1 ? {} : { ExpressionAttributeNames: { '#r': 'round' }, ExpressionAttributeValues: { ':prev': entry.round - 1 } }),
        },
      },
      { Put: { Item: { ...K.chainRound(entry.department, entry.round), entity: 'chainRound', ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ]);
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** Records how a round ended (once: a round that ended keeps its outcome). */
export async function endChainRound(department: string, round: number, status: Exclude<ChainStatus, 'frozen'>, recordKey: string, reason?: string): Promise<boolean> {
  try {
    await updateItem(K.chainRound(department, round), {
      set: { status, recordKey, endedAt: nowIso(), ...(reason ? { reason } : {}) },
      condition: 'attribute_exists(pk) AND #s = :frozen',
      names: { '#s': 'status' },
      values: { ':frozen': 'frozen' },
    });
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

export async function getChainRound(department: string, round: number): Promise<ChainEntry | undefined> {
  return getItem<ChainEntry>(K.chainRound(department, round), true);
}

/** Every round of the department's chain, in order. */
export async function listChain(department: string): Promise<ChainEntry[]> {
  return queryAll<ChainEntry & Item>({ pk: K.chainHead(department).pk, skPrefix: K.chainRoundPrefix });
}
