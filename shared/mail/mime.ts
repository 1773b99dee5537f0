/**
 * Raw RFC 5322 / MIME messages, composed by nodemailer's MailComposer (no I/O: file and URL
 * access are disabled, attachments are in-memory buffers).
 *
 * Why raw: the same bytes go to SES v2 (`Content.Raw`) and over SMTP; they let us set Reply-To
 * per message (the reply token), Auto-Submitted, In-Reply-To and References, and the bytes we
 * hand over are exactly the bytes the tests parse.
 *
 * MailComposer does the layout (text/plain, multipart/alternative, multipart/mixed with
 * attachments), the encodings (UTF-8; quoted-printable for mostly-Latin bodies such as HTML
 * with inline CSS, base64 for mostly-CJK ones; RFC 2047 encoded-words; RFC 2231 file names) and
 * the line lengths. It replaced a hand-written builder: on a 118 KB assignment notice it is as
 * fast or faster (`npm run bench -- mime`). What stays here is what it does not do the way Suiji
 * needs: checks with errors in Chinese (bad addresses), refusal rather than silent repair of
 * header injection (CR/LF in custom headers, addresses), CRLF line ends, and the headers Suiji
 * always sets.
 *
 * Note: SES replaces the Message-ID of sent mail with its own, an SMTP relay keeps ours; replies
 * are matched by the reply token in Reply-To (see reply.ts), never by Message-ID. Bounces (DSNs)
 * arriving by mail are matched by ours (see dsn.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { now } from '../clock.js';

export type AddressLike = string | { name?: string | undefined; address: string };

export interface MimeAttachment {
  filename: string;
  contentType: string;
  content: Buffer | Uint8Array;
}

export type BodyEncoding = 'base64' | 'quoted-printable' | 'auto';

export interface MimeMessageInput {
  from: AddressLike;
  to: readonly AddressLike[];
  cc?: readonly AddressLike[] | undefined;
  replyTo?: AddressLike | undefined;
  subject: string;
  text: string;
  html?: string | undefined;
  attachments?: readonly MimeAttachment[] | undefined;
  /** With or without angle brackets; generated on the From domain when absent. */
  messageId?: string | undefined;
  /**
   * The idempotency key of the mail (send.ts): the Message-ID is derived from it, and it is
   * carried as `X-Suiji-Mail-Key`, so the same mail sent again is recognisably the same message.
   */
  messageKey?: string | undefined;
  /** Defaults to the injectable clock's now. */
  date?: Date | undefined;
  inReplyTo?: string | undefined;
  references?: readonly string[] | undefined;
  /** Extra headers (e.g. `X-Suiji-Kind`). Names must be RFC 5322 field names. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Adds `Auto-Submitted: auto-generated` (RFC 3834) so autoresponders stay quiet. Default true. */
  autoSubmitted?: boolean | undefined;
  /** Body transfer encoding; `auto` lets MailComposer choose by the share of non-Latin text. */
  bodyEncoding?: BodyEncoding | undefined;
}

export class MimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}

const ADDR_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Checks an addr-spec (ASCII only: internationalised domains must be in punycode). */
export function checkAddress(address: string): string {
  const a = address.trim();
  if (!ADDR_RE.test(a)) throw new MimeError(`邮件地址“${address}”格式不正确`);
  return a;
}

const oneLine = (s: string): string => s.replace(/[\r\n\t]+/g, ' ').trim();

/** A checked address; CR/LF in display names become spaces. */
function address(a: AddressLike): { name: string; address: string } {
  return typeof a === 'string' ? { name: '', address: checkAddress(a) } : { name: oneLine(a.name ?? ''), address: checkAddress(a.address) };
}

const FIELD_NAME_RE = /^[!-9;-~]+$/; // printable ASCII except colon
/** Headers the composer sets itself; a caller's value would be dropped or duplicated. */
const RESERVED = /^(from|to|cc|bcc|subject|date|message-id|reply-to|in-reply-to|references|mime-version|content-.*)$/i;

const bracket = (id: string): string => {
  const v = id.trim().replace(/^<|>$/g, '');
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(v)) throw new MimeError(`Message-ID “${id}” 格式不正确`);
  return `<${v}>`;
};

export function newMessageId(domain: string): string {
  return `<${Date.now().toString(36)}.${randomBytes(12).toString('hex')}@${domain}>`;
}

/** A short, stable id of a mail's idempotency key (the key itself names people and tasks). */
export const mailKeyId = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);

/**
 * The Message-ID of the mail with this idempotency key: the same for every copy, so a mail client
 * that sees a second copy (a resend after a crash) can take it for the same message. SES replaces
 * the Message-ID of what it sends; an SMTP relay keeps it.
 */
export const keyedMessageId = (key: string, domain: string): string => `<k.${mailKeyId(key)}@${domain}>`;

/** Builds the complete raw message (CRLF line endings, 7-bit clean). */
export async function buildMimeMessage(m: MimeMessageInput): Promise<Buffer> {
  if (!m.to.length) throw new MimeError('至少需要一个收件人');
  const from = address(m.from);
  const headers: Record<string, string> = {};
  if (m.autoSubmitted !== false) headers['Auto-Submitted'] = 'auto-generated';
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (!FIELD_NAME_RE.test(k)) throw new MimeError(`header name "${k}" is not a valid field name`);
    if (RESERVED.test(k)) throw new MimeError(`header ${k} is set by the builder`);
    if (/[\r\n]/.test(v)) throw new MimeError(`header ${k} contains a line break`);
    headers[k] = v;
  }
  if (m.messageKey) headers['X-Suiji-Mail-Key'] = mailKeyId(m.messageKey);
  const composer = new MailComposer({
    from,
    to: m.to.map(address),
    ...(m.cc?.length ? { cc: m.cc.map(address) } : {}),
    ...(m.replyTo ? { replyTo: address(m.replyTo) } : {}),
    subject: oneLine(m.subject),
    text: m.text,
    ...(m.html !== undefined ? { html: m.html } : {}),
    attachments: (m.attachments ?? []).map((a) => {
      if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(a.contentType)) throw new MimeError(`附件类型“${a.contentType}”不正确`);
      return { filename: oneLine(a.filename) || 'attachment', contentType: a.contentType, content: Buffer.from(a.content) };
    }),
    messageId: m.messageId ? bracket(m.messageId) : m.messageKey ? keyedMessageId(m.messageKey, from.address.split('@')[1]!) : newMessageId(from.address.split('@')[1]!),
    date: m.date ?? now(),
    ...(m.inReplyTo ? { inReplyTo: bracket(m.inReplyTo) } : {}),
    ...(m.references?.length ? { references: m.references.map(bracket) } : {}),
    headers,
    ...(m.bodyEncoding && m.bodyEncoding !== 'auto' ? { textEncoding: m.bodyEncoding } : {}),
    newline: '\r\n',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
