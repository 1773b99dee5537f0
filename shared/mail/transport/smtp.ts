/**
 * SMTP submission through nodemailer's pooled SMTP transport: Alibaba Cloud DirectMail
 * (smtpdm.aliyun.com:465), Tencent Cloud SES (smtp.qcloudmail.com:465), or the local SMTP
 * server. The user and password come from Secrets Manager (MAIL_SMTP_SECRET_ARN), read when the
 * first message goes out; a refused login drops them, so a rotated secret is read again.
 *
 * Two connections at most, kept 60 s when idle (a warm Lambda reuses them; a frozen one finds
 * them closed and reconnects). TLS always, implicit on 465 or STARTTLS otherwise; plain text is
 * accepted on loopback only (the local platform).
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { MailConfig } from '../../config.js';
import { credentialsFrom, forgetSecret } from '../../secrets.js';
import type { Accepted, MailTransport } from './index.js';

/** Connection-level failures: the message was not accepted, another attempt may be. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EMAXLIMIT']);

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

const isLoopback = (host: string): boolean => /^(127\.|::1$|localhost$)/i.test(host);

export function smtpTransport(c: MailConfig['smtp']): MailTransport {
  if (!c.host) throw new Error('MAIL_TRANSPORT=smtp needs MAIL_SMTP_HOST');
  let pool: Promise<Transporter> | undefined;
  const connect = async (): Promise<Transporter> => {
    const auth = await credentialsFrom(c.secretArn);
    return createTransport({
      pool: true,
      maxConnections: 2,
      maxMessages: 500,
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: !c.secure && !isLoopback(c.host),
      ignoreTLS: !c.secure && isLoopback(c.host),
      tls: { minVersion: 'TLSv1.2', servername: c.host },
      auth: { user: auth.username, pass: auth.password },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  };
  const drop = (): void => {
    void pool?.then((t) => t.close(), () => undefined);
    pool = undefined;
  };

  return {
    name: 'smtp',
    keepsMessageId: true,
    async send(m): Promise<Accepted> {
      pool ??= connect();
      const t = await pool.catch((e: unknown) => {
        pool = undefined;
        throw e;
      });
      try {
        const info = await t.sendMail({ envelope: { from: c.envelopeFrom, to: m.to }, raw: m.raw });
        const rejected = ((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? [])
          .filter((e) => (e.responseCode ?? 0) >= 500)
          .map((e) => ({ address: String(e.recipient ?? ''), response: e.response ?? '' }));
        return { messageId: messageIdOf(m.raw) ?? String(info.messageId), rejected };
      } catch (e) {
        const err = e as SmtpError;
        if (err.code === 'EAUTH') {
          // Perhaps rotated: read the secret again on the next attempt.
          forgetSecret(c.secretArn);
          drop();
        }
        // Every recipient refused permanently: a bounce, not a failure to send.
        const perm = (err.rejectedErrors ?? []).filter((r) => (r.responseCode ?? 0) >= 500);
        if (err.code === 'EENVELOPE' && perm.length && perm.length === err.rejectedErrors!.length) {
          return { messageId: messageIdOf(m.raw) ?? '', rejected: perm.map((r) => ({ address: String(r.recipient ?? ''), response: r.response ?? '' })) };
        }
        throw e;
      }
    },
    retryable(e) {
      const err = e as SmtpError;
      if (err.code === 'EAUTH') return true; // once more with the secret read again; bounded by send.ts
      if (err.code && TRANSIENT_CODES.has(err.code)) return true;
      return typeof err.responseCode === 'number' && err.responseCode >= 400 && err.responseCode < 500;
    },
    close: drop,
  };
}

/** The Message-ID header of a raw message (first one, in the header block). */
export function messageIdOf(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 65_536) : end).toString('latin1');
  return /^Message-ID:[ \t]*(<[^>\r\n]+>)/im.exec(head)?.[1];
}
