/**
 * Mail in where there are no SES receipt rules (the AWS China regions): a scheduled Lambda
 * polls the reply mailbox over IMAP (`imapflow`) and hands each message to the same handling as
 * SES-received mail — a reply to inbound.ts (authenticated by mailauth, authenticate.ts), a
 * delivery status notification to dsn.ts. Each handled message is moved to
 * MAIL_IMAP_DONE_MAILBOX; a message whose handling failed stays in the mailbox for the next poll.
 * Two polls at once, or a message delivered twice, do nothing twice: replies are claimed per
 * Message-ID (claim.ts) and bounces are idempotent (suppression, notices with idempotency keys).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ImapFlow } from 'imapflow';
import { config } from '../config.js';
import { credentialsFrom, forgetSecret } from '../secrets.js';
import type { DnsResolver } from './authenticate.js';
import { handleDeliveryReport, isDeliveryReport } from './dsn.js';
import { handleInboundMail } from './inbound.js';

const logger = new Logger({ serviceName: 'suiji-mail-imap' });

export interface PollOutcome {
  /** Messages in the mailbox when the poll began. */
  found: number;
  /** By outcome: applied, unverified, ignored, expired, duplicate, bounce, transient, unmatched. */
  handled: Record<string, number>;
  /** Messages whose handling failed (left in the mailbox). */
  failed: number;
  /** Left for the next poll (over MAIL_IMAP_MAX_PER_POLL). */
  deferred: number;
}

const isLoopback = (host: string): boolean => /^(127\.|::1$|localhost$)/i.test(host);

export async function pollMailbox(opts: { resolver?: DnsResolver } = {}): Promise<PollOutcome> {
  const c = config().mail.imap;
  if (!c.host) throw new Error('polling the reply mailbox needs MAIL_IMAP_HOST');
  if (!c.secure && !isLoopback(c.host)) throw new Error('IMAP without TLS is accepted on loopback only (MAIL_IMAP_SECURE)');
  const auth = await credentialsFrom(c.secretArn);
  const client = new ImapFlow({
    host: c.host,
    port: c.port,
    secure: c.secure,
    ...(c.secure ? { tls: { minVersion: 'TLSv1.2', servername: c.host } } : { doSTARTTLS: false }),
    auth: { user: auth.username, pass: auth.password },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 120_000,
  });
  client.on('error', (e: Error) => logger.warn('IMAP connection error', { error: e.message }));
  try {
    await client.connect();
  } catch (e) {
    if ((e as { authenticationFailed?: boolean }).authenticationFailed) forgetSecret(c.secretArn); // perhaps rotated
    throw e;
  }
  const out: PollOutcome = { found: 0, handled: {}, failed: 0, deferred: 0 };
  try {
    if (!(await client.list()).some((m) => m.path === c.doneMailbox)) await client.mailboxCreate(c.doneMailbox).catch(() => undefined);
    const lock = await client.getMailboxLock(c.mailbox);
    try {
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      out.found = uids.length;
      const batch = uids.slice(0, c.maxPerPoll);
      out.deferred = uids.length - batch.length;
      for (const uid of batch) {
        const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue; // moved away by a concurrent poll
        let status: string;
        try {
          status = isDeliveryReport(msg.source)
            ? (await handleDeliveryReport(msg.source)).status
            : (await handleInboundMail(msg.source, { authentication: 'mailauth', ...(opts.resolver ? { resolver: opts.resolver } : {}) })).status;
        } catch (e) {
          out.failed++;
          logger.error('handling a polled message failed; it stays for the next poll', { uid, error: (e as Error).message });
          continue;
        }
        out.handled[status] = (out.handled[status] ?? 0) + 1;
        // A concurrent poll may have moved it already: then there is nothing to move.
        await client.messageMove(String(uid), c.doneMailbox, { uid: true }).catch((e: Error) => logger.warn('moving a handled message failed', { uid, error: e.message }));
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  logger.info('reply mailbox polled', { ...out });
  return out;
}
