/**
 * One interface for sending a raw message, two implementations: SES v2 (global regions; the SES
 * emulator locally) and SMTP (the AWS China regions: Alibaba Cloud DirectMail, Tencent Cloud
 * SES, or the local SMTP server). Both are nodemailer transports. `MAIL_TRANSPORT` chooses
 * (shared/config.ts MailConfig); send.ts adds the idempotent mail log, retries and suppression.
 */
import { config } from '../../config.js';
import { sesTransport } from './ses.js';
import { smtpTransport } from './smtp.js';
import { TokenBucket } from './rate.js';

export interface TransportMessage {
  /** Envelope: MAIL FROM (SES: the sending identity) and every recipient (To and Cc). */
  from: string;
  to: string[];
  /** The complete RFC 5322 message (mime.ts). */
  raw: Buffer;
  /** Mail kind, for the SES tag. */
  kind: string;
}

export interface Accepted {
  /** The provider's id of the message (SES MessageId; over SMTP the message's own Message-ID). */
  messageId: string;
  /** Recipients the server refused at once with a permanent (5xx) reply: bounces, in effect. */
  rejected: { address: string; response: string }[];
}

export interface MailTransport {
  readonly name: 'ses' | 'smtp';
  /**
   * Whether the message reaches the recipient with the Message-ID we wrote (SMTP does; SES
   * writes its own). If so, a bounce that arrives as a DSN names it, and send.ts records it.
   */
  readonly keepsMessageId: boolean;
  /** Resolves when the server accepted the message for at least one recipient. */
  send(m: TransportMessage): Promise<Accepted>;
  /** Whether a failed send is worth another attempt (throttled, connection trouble, 4xx). */
  retryable(error: unknown): boolean;
  close(): void;
}

let current: { transport: MailTransport; bucket: TokenBucket | undefined } | undefined;

function build(): { transport: MailTransport; bucket: TokenBucket | undefined } {
  const c = config().mail;
  const transport = c.transport === 'smtp' ? smtpTransport(c.smtp) : sesTransport();
  return { transport, bucket: c.sendRate > 0 ? new TokenBucket(c.sendRate, c.sendBurst) : undefined };
}

export function mailTransport(): MailTransport {
  current ??= build();
  return current.transport;
}

/** Waits for the sending rate (MAIL_SEND_RATE) to allow one more message. */
export async function sendSlot(): Promise<void> {
  current ??= build();
  await current.bucket?.take();
}

/** Tests and the local platform: drop the transport (and its connections) after changing the environment. */
export function resetMailTransport(): void {
  current?.transport.close();
  current = undefined;
}
