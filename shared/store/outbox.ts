/**
 * Mail owed because of stored state (an outbox). A result entered through the form owes its
 * inspector a confirmation; the item saying so is written in the same transaction as the result,
 * so the obligation exists exactly when the result does — also when the request that stored it
 * failed afterwards (DynamoDB or SES down, the process killed) and its caller saw an error.
 *
 * A sender first claims the item for a short lease (a conditional write: one sender at a time),
 * sends, then deletes it; a failed send gives the claim back and defers the item (exponential
 * back-off). The item's index key is the time from which the drain may take it (owedAt plus a
 * grace period for the request that stored it, later the next attempt), so the drain reads only
 * what is due. The mail log's idempotency key (send.ts) keeps a mail from going out twice when a
 * sender dies between sending and deleting.
 */
import { TABLE } from './table.js';
import { K } from './keys.js';
import { deleteItem, getItem, isConditionFailure, queryPage, updateItem, type Item, type TransactItem } from './base.js';

export interface OwedConfirmation {
  kind: 'result-confirmation';
  taskId: string;
  uscc: string;
  /** The result version the confirmation is for. */
  version: number;
  inspector: { department: string; id: string };
  owedAt: string;
  /** Failed sends so far, the last error's name, and until when a sender holds it. */
  attempts?: number;
  lastError?: string;
  claimedUntil?: string;
}

/** How long the request that stored a result has to send its confirmation before the drain may. */
export const OWED_GRACE_MS = 30_000;

const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const indexKey = (dueFrom: string, o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version'>): string => `${dueFrom}#${o.taskId}#${o.uscc}#${o.version}`;

/** The outbox item, for the transaction that stores the result. */
export function owedConfirmationPut(o: OwedConfirmation): TransactItem {
  return {
    Put: {
      Item: { ...K.outbox(o.taskId, o.uscc, o.version), gsi3pk: K.outboxIndex(), gsi3sk: indexKey(shift(o.owedAt, OWED_GRACE_MS), o), entity: 'outbox', ...o },
    },
  };
}

/**
 * Claim an owed item for `leaseMs` (only if no live claim holds it): false if another sender
 * has it or it is settled. A sender that dies leaves a claim that expires with its lease.
 */
export async function claimOwed(o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version'>, nowIso: string, leaseMs: number): Promise<OwedConfirmation | undefined> {
  try {
    return await updateItem<OwedConfirmation & Item>(K.outbox(o.taskId, o.uscc, o.version), {
      set: { claimedUntil: shift(nowIso, leaseMs) },
      condition: 'attribute_exists(pk) AND (attribute_not_exists(#c) OR #c < :now)',
      names: { '#c': 'claimedUntil' },
      values: { ':now': nowIso },
    });
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}

/** A claimed item whose send failed: claim given back, next attempt not before `nextAttempt`. */
export async function deferOwed(o: OwedConfirmation, nextAttempt: string, error: string): Promise<void> {
  try {
    await updateItem(K.outbox(o.taskId, o.uscc, o.version), {
      set: { gsi3sk: indexKey(nextAttempt, o), lastError: error },
      add: { attempts: 1 },
      remove: ['claimedUntil'],
      condition: 'attribute_exists(pk)',
    });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

/** Give a claim back without counting an attempt (the sender found someone else still sending). */
export async function releaseOwed(o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version'>): Promise<void> {
  try {
    await updateItem(K.outbox(o.taskId, o.uscc, o.version), { remove: ['claimedUntil'], condition: 'attribute_exists(pk)' });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

export async function getOwed(taskId: string, uscc: string, version: number): Promise<OwedConfirmation | undefined> {
  return getItem<OwedConfirmation & Item>(K.outbox(taskId, uscc, version), true);
}

export async function settleOwed(o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version'>): Promise<void> {
  await deleteItem(K.outbox(o.taskId, o.uscc, o.version));
}

/**
 * A page of the owed mails the drain may take at `at` (ISO time), the longest due first; `next`
 * continues. The index lags the table a little: an item may be settled or claimed already (the
 * claim, a conditional write on the item itself, decides).
 */
export async function owedDue(at: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: OwedConfirmation[]; next?: Record<string, unknown> }> {
  const due = TABLE.indexes.due;
  return queryPage<OwedConfirmation & Item>({ index: due.name, pkName: due.partitionKey, skName: due.sortKey, pk: K.outboxIndex(), skBetween: ['0', `${at}#\uffff`], limit, ...(startKey ? { startKey } : {}) });
}

/** Every owed mail, due or not (the bench and tests count what is still owed). */
export async function owedCount(): Promise<number> {
  let n = 0;
  for (let next: Record<string, unknown> | undefined, first = true; first || next; first = false) {
    const page = await owedDue('9999', 1000, next);
    n += page.items.length;
    next = page.next;
  }
  return n;
}
