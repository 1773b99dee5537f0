/**
 * The local SMTP server (`smtp-server`) for `SUIJI_MAIL=smtp`: it stands for both the mail
 * provider Suiji submits to (DirectMail, Tencent Cloud SES: AUTH required, any recipient) and
 * the reply mailbox's MX (no AUTH, recipients on the inbound domain only). Every message is
 * stored as a real MTA and LDA would: `Received` (with the client's address, which SPF checks)
 * and `Return-Path` / `Delivered-To` prepended, written into a Maildir that dovecot serves over
 * IMAP — the reply mailbox (user `reply`) for the inbound domain, the `outbox` mailbox for
 * everything else (every message Suiji sends, readable with any IMAP client).
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const REPLY_MAILBOX = 'reply';
export const OUTBOX_MAILBOX = 'outbox';
export const LOCAL_MX = 'mx.suiji.local';

export interface StoredMessage {
  mailbox: string;
  from: string;
  to: string[];
  raw: Buffer;
  at: number;
}

export interface LocalSmtpOptions {
  port: number;
  /** `<mailRoot>/<mailbox>/Maildir` (dovecot's `mail_location`). */
  mailRoot: string;
  inboundDomain: string;
  /** Users allowed to submit (AUTH PLAIN/LOGIN): name → password. */
  users: Record<string, string>;
  /** Owner of the stored files, when dovecot reads them as another user (the platform runs as root). */
  owner?: { uid: number; gid: number } | undefined;
  /** An SMTP reply refusing a recipient at RCPT time (e.g. `550 5.1.1 user unknown`), like a real server. */
  refuse?: ((address: string) => string | undefined) | undefined;
}

export interface LocalSmtp {
  port: number;
  /** Every message stored since start, in order. */
  messages(): StoredMessage[];
  stop(): Promise<void>;
}

/** Creates `<mailRoot>/<mailbox>/Maildir/{tmp,new,cur}` owned by `owner`. */
export function ensureMaildir(mailRoot: string, mailbox: string, owner?: { uid: number; gid: number }): string {
  const dir = join(mailRoot, mailbox, 'Maildir');
  for (const d of [join(mailRoot, mailbox), dir, join(dir, 'tmp'), join(dir, 'new'), join(dir, 'cur')]) {
    mkdirSync(d, { recursive: true });
    if (owner) chownSync(d, owner.uid, owner.gid);
  }
  return dir;
}

/** Maildir delivery: write under tmp/, then rename into new/ (atomic for the reader). */
export function deliverToMaildir(dir: string, raw: Buffer, owner?: { uid: number; gid: number }): string {
  const name = `${Date.now()}.M${process.hrtime.bigint()}P${process.pid}R${randomBytes(4).toString('hex')}.${hostname().replace(/[/:]/g, '_')}`;
  const tmp = join(dir, 'tmp', name);
  writeFileSync(tmp, raw, { mode: 0o600 });
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, join(dir, 'new', name));
  return name;
}

const rfc5322Date = (d: Date): string => d.toUTCString().replace(/GMT$/, '+0000');

export async function startLocalSmtp(opts: LocalSmtpOptions): Promise<LocalSmtp> {
  const inbound = opts.inboundDomain.toLowerCase();
  const dirs = new Map<string, string>();
  const dirOf = (mailbox: string): string => {
    let d = dirs.get(mailbox);
    if (!d) dirs.set(mailbox, (d = ensureMaildir(opts.mailRoot, mailbox, opts.owner)));
    return d;
  };
  dirOf(REPLY_MAILBOX);
  dirOf(OUTBOX_MAILBOX);
  const stored: StoredMessage[] = [];
  const isInbound = (a: string): boolean => a.toLowerCase().endsWith(`@${inbound}`);
  const smtpError = (reply: string): Error & { responseCode: number } => {
    const e = new Error(reply.replace(/^\d{3}\s*/, '')) as Error & { responseCode: number };
    e.responseCode = Number(reply.slice(0, 3));
    return e;
  };

  const server = new SMTPServer({
    name: LOCAL_MX,
    banner: 'Suiji local mail server',
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    size: 30 * 1024 * 1024,
    logger: false,
    // Clients keep pooled connections open; stopping does not wait for them.
    closeTimeout: 500,
    onAuth(auth, _session, cb) {
      const ok = auth.username !== undefined && opts.users[auth.username] !== undefined && opts.users[auth.username] === auth.password;
      if (!ok) return cb(new Error('535 5.7.8 authentication failed'));
      cb(null, { user: auth.username });
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb) {
      const refusal = opts.refuse?.(address.address);
      if (refusal) return cb(smtpError(refusal));
      // Without AUTH this is the MX of the inbound domain, not an open relay.
      if (!session.user && !isInbound(address.address)) return cb(smtpError('550 5.7.1 relaying denied'));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return cb(smtpError('552 5.3.4 message too big'));
        const body = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const id = randomBytes(6).toString('hex');
        const received =
          `Received: from ${session.hostNameAppearsAs} (${session.clientHostname} [${session.remoteAddress}])\r\n` +
          ` by ${LOCAL_MX} (Suiji local mail server) with ${session.user ? 'ESMTPA' : 'ESMTP'} id ${id};\r\n ${rfc5322Date(new Date())}\r\n`;
        const byMailbox = new Map<string, string[]>();
        for (const r of rcpts) {
          const mailbox = isInbound(r) ? REPLY_MAILBOX : OUTBOX_MAILBOX;
          byMailbox.set(mailbox, [...(byMailbox.get(mailbox) ?? []), r]);
        }
        try {
          for (const [mailbox, to] of byMailbox) {
            const head = `Return-Path: <${from}>\r\n${to.map((r) => `Delivered-To: ${r}\r\n`).join('')}${received}`;
            const raw = Buffer.concat([Buffer.from(head, 'utf8'), body]);
            deliverToMaildir(dirOf(mailbox), raw, opts.owner);
            stored.push({ mailbox, from, to, raw, at: Date.now() });
          }
        } catch (e) {
          return cb(smtpError(`451 4.3.0 could not store the message: ${(e as Error).message}`));
        }
        cb(null, `2.0.0 queued as ${id}`);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined); // a client's broken connection is not the server's failure
  return {
    port: opts.port,
    messages: () => [...stored],
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
