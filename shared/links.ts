/**
 * Short opaque ids for links in e-mails. The id is 128 random bits; what it allows (action,
 * payload, who it was sent to) stays server-side. GET only shows a page; POST acts and, for
 * actions that change state, consumes the id (single use). Ids expire (DynamoDB TTL removes
 * them later; expiry is checked on every use).
 */
import { randomBytes } from 'node:crypto';
import { K } from './store/keys.js';
import { getItem, isConditionFailure, putIfAbsent, putItem, updateItem } from './store/base.js';
import { now, nowIso } from './clock.js';
import { chinaDate, chinaDateTime } from './domain/calendar.js';
import { config } from './config.js';

/** A screen of the web console (`#/<route>`): where a mail sends a person who must sign in to act. */
export const consoleLink = (route: string): string => `${config().consoleUrl}#${route}`;

export type LinkAction =
  | 'approve-task'
  | 'enter-result'
  | 'view-assignment'
  | 'print-sheet'
  | 'view-status';

export interface LinkRecord {
  id: string;
  action: LinkAction;
  payload: Record<string, string>;
  /** Address the link was sent to. */
  recipient: string;
  expiresAt: string;
  singleUse: boolean;
  usedAt?: string;
  createdAt: string;
}

export async function createLink(
  action: LinkAction,
  payload: Record<string, string>,
  recipient: string,
  opts: { days?: number; singleUse?: boolean; key?: string } = {},
): Promise<string> {
  // A keyed link is created once (e.g. one per inspector and task): retries reuse it.
  if (opts.key) {
    const existing = await getItem<{ linkId: string }>(K.linkKey(opts.key), true);
    if (existing) return existing.linkId;
  }
  const id = randomBytes(16).toString('base64url');
  const expires = new Date(now().getTime() + (opts.days ?? 30) * 86_400_000);
  const rec: LinkRecord = {
    id,
    action,
    payload,
    recipient,
    expiresAt: expires.toISOString(),
    singleUse: opts.singleUse ?? false,
    createdAt: nowIso(),
  };
  await putItem({ ...K.link(id), entity: 'link', ttl: Math.floor(expires.getTime() / 1000) + 86_400, ...rec });
  if (opts.key) {
    const won = await putIfAbsent({ ...K.linkKey(opts.key), entity: 'linkKey', linkId: id, ttl: Math.floor(expires.getTime() / 1000) });
    if (!won) return ((await getItem<{ linkId: string }>(K.linkKey(opts.key), true)) as { linkId: string }).linkId;
  }
  return id;
}

/** A link that can no longer act still says what it was for (`link`), e.g. to show the decision taken. */
export type LinkState = { ok: true; link: LinkRecord } | { ok: false; reason: string; link?: LinkRecord };

export async function resolveLink(id: string): Promise<LinkState> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return { ok: false, reason: '链接无效' };
  const rec = await getItem<LinkRecord>(K.link(id), true);
  if (!rec) return { ok: false, reason: '链接无效或已被删除' };
  if (rec.expiresAt < nowIso()) return { ok: false, reason: `链接已于 ${chinaDate(rec.expiresAt)} 过期`, link: rec };
  if (rec.singleUse && rec.usedAt) return { ok: false, reason: `链接已于 ${chinaDateTime(rec.usedAt)} 使用过`, link: rec };
  return { ok: true, link: rec };
}

/**
 * Mark a single-use link used (a conditional write): the claim (its `usedAt`), or undefined when
 * somebody (or a retry) used it first.
 */
export async function consumeLink(id: string): Promise<string | undefined> {
  const usedAt = nowIso();
  try {
    await updateItem(K.link(id), { set: { usedAt }, condition: 'attribute_exists(pk) AND attribute_not_exists(usedAt)' });
    return usedAt;
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}

/** Give a claim back (the act it was for was refused): only the claim `usedAt` made, nobody else's. */
export async function releaseLink(id: string, usedAt: string): Promise<void> {
  try {
    await updateItem(K.link(id), { remove: ['usedAt'], condition: 'usedAt = :claim', values: { ':claim': usedAt } });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}
