/**
 * Inbound mail is handled once per Message-ID: the handler claims the message with a
 * conditional write before doing anything, so a message delivered twice (an IMAP poll and a
 * concurrent one, SES and S3 redelivering, a provider's duplicate) has no second effect.
 *
 * A claim is a lease: a handler that dies mid-way leaves it `processing`, and after
 * LEASE_MINUTES another delivery may take it over (the work is idempotent: results are entered
 * through enterResult and the confirmation has an idempotency key). A message that did not act
 * (unverified, no or unknown token) gives its claim back, so a forged message cannot reserve the
 * Message-ID of a genuine reply that arrives later.
 */
import { createHash } from 'node:crypto';
import { now } from '../clock.js';
import { deleteItem, isConditionFailure, putItem } from '../store/base.js';

export const LEASE_MINUTES = 15;
/** How long a handled message's claim is kept (redeliveries come within days). */
export const CLAIM_DAYS = 30;

const claimKey = (id: string) => ({ pk: `INBOUND#${id}`, sk: 'INBOUND' });

/** The claim id: of the Message-ID (case-insensitive), or of the bytes for a message without one. */
export function inboundClaimId(messageId: string | null | undefined, raw: Buffer): string {
  const basis = messageId?.trim() ? `mid:${messageId.trim().toLowerCase()}` : `raw:${createHash('sha256').update(raw).digest('hex')}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 40);
}

/** True when this caller now holds the claim; false when the message is handled or being handled. */
export async function claimInbound(id: string): Promise<boolean> {
  const t = now().getTime();
  try {
    await putItem(
      { ...claimKey(id), entity: 'inbound', status: 'processing', leaseUntil: t + LEASE_MINUTES * 60_000, ttl: Math.floor(t / 1000) + CLAIM_DAYS * 86_400 },
      { expr: 'attribute_not_exists(pk) OR (#s = :processing AND leaseUntil < :now)', names: { '#s': 'status' }, values: { ':processing': 'processing', ':now': t } },
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/** The message acted (results recorded, or answered): keep the claim. */
export async function completeInbound(id: string, summary: Record<string, unknown>): Promise<void> {
  const t = now().getTime();
  await putItem({ ...claimKey(id), entity: 'inbound', ...summary, status: 'done', at: new Date(t).toISOString(), ttl: Math.floor(t / 1000) + CLAIM_DAYS * 86_400 });
}

/** The message did not act, or handling failed: another delivery may handle it. */
export async function releaseInbound(id: string): Promise<void> {
  await deleteItem(claimKey(id));
}
