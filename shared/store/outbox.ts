/**
 * Mail owed because of stored state (an outbox). A result entered through the form owes its
 * inspector a confirmation; the item saying so is written in the same transaction as the result,
 * so the obligation exists exactly when the result does — also when the request that stored it
 * failed afterwards (DynamoDB or SES down, the process killed) and its caller saw an error.
 * Whoever sends the mail deletes the item; the mail log's idempotency key (send.ts) keeps a mail
 * that two senders race for from going out twice.
 */
import { TABLE } from './table.js';
import { K } from './keys.js';
import { deleteItem, getItem, queryPage, type Item, type TransactItem } from './base.js';

export interface OwedConfirmation {
  kind: 'result-confirmation';
  taskId: string;
  uscc: string;
  /** The result version the confirmation is for. */
  version: number;
  inspector: { department: string; id: string };
  owedAt: string;
}

/** The outbox item, for the transaction that stores the result. */
export function owedConfirmationPut(o: OwedConfirmation): TransactItem {
  return {
    Put: {
      Item: { ...K.outbox(o.taskId, o.uscc, o.version), gsi3pk: K.outboxIndex(), gsi3sk: `${o.owedAt}#${o.taskId}#${o.uscc}#${o.version}`, entity: 'outbox', ...o },
    },
  };
}

export async function getOwed(taskId: string, uscc: string, version: number): Promise<OwedConfirmation | undefined> {
  return getItem<OwedConfirmation & Item>(K.outbox(taskId, uscc, version), true);
}

export async function settleOwed(o: Pick<OwedConfirmation, 'taskId' | 'uscc' | 'version'>): Promise<void> {
  await deleteItem(K.outbox(o.taskId, o.uscc, o.version));
}

/** The oldest owed mails that became owed before `before` (ISO time), at most `limit`. */
export async function owedBefore(before: string, limit: number): Promise<OwedConfirmation[]> {
  const due = TABLE.indexes.due;
  // The index projects whole items; it lags the table a little, so an item may be settled already
  // (sending it again is a duplicate the mail log refuses).
  const page = await queryPage<OwedConfirmation & Item>({ index: due.name, pkName: due.partitionKey, skName: due.sortKey, pk: K.outboxIndex(), skBetween: ['0', before], limit });
  return page.items;
}
