/**
 * Raw RFC 5322 / MIME messages for SES v2 `SendEmail` with `Content.Raw` (pure, no I/O).
 *
 * Why raw: the pinned @aws-sdk/client-sesv2 (3.1169) does let `Content.Simple` carry
 * `Attachments` and `Headers`, but the raw form is what the SES emulator and SES inbound both
 * speak, it lets us set Reply-To per message (the reply token), Auto-Submitted, In-Reply-To and
 * References, and the bytes we hand over are exactly the bytes the tests parse.
 *
 * Layout:   text only               → text/plain
 *           text + html             → multipart/alternative
 *           … + attachments         → multipart/mixed [ multipart/alternative, attachment… ]
 * Encoding: UTF-8 everywhere; bodies base64 (mostly-CJK text) or quoted-printable (mostly-ASCII,
 * e.g. HTML with inline CSS), lines ≤ 76 chars; non-ASCII subjects and display names as RFC 2047
 * encoded-words (B), attachment file names as RFC 2231 parameters (plus an RFC 2047 `name` for
 * older Outlook). Line breaks are CRLF. Header values are sanitised: CR/LF in subjects and names
 * become spaces; custom header names/values with CR/LF are rejected (header injection).
 *
 * Note: SES replaces the Message-ID of sent mail with its own, so replies are matched by the
 * reply token in Reply-To (see reply.ts), never by Message-ID.
 */
import { randomBytes } from 'node:crypto';
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
  /** Defaults to the injectable clock's now. */
  date?: Date | undefined;
  inReplyTo?: string | undefined;
  references?: readonly string[] | undefined;
  /** Extra headers (e.g. `X-Suiji-Kind`). Names must be RFC 5322 field names. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Adds `Auto-Submitted: auto-generated` (RFC 3834) so autoresponders stay quiet. Default true. */
  autoSubmitted?: boolean | undefined;
  bodyEncoding?: BodyEncoding | undefined;
}

const CRLF = '\r\n';

export class MimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}

// ---------------------------------------------------------------- header encoding

const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);
const oneLine = (s: string): string => s.replace(/[\r\n\t]+/g, ' ');

/** Max UTF-8 bytes per B encoded-word so that `=?UTF-8?B?…?=` stays within 75 chars (RFC 2047 §2). */
const WORD_BYTES = 45;

/**
 * RFC 2047 B encoded-words for `s`, split on code-point boundaries (never inside a UTF-8
 * sequence), joined by folding whitespace. ASCII-only text without `=?` is returned unchanged.
 */
export function encodeHeaderText(s: string): string {
  const text = oneLine(s);
  if (isAscii(text) && !text.includes('=?')) return text;
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  for (const ch of text) {
    const b = Buffer.from(ch, 'utf8');
    if (size + b.length > WORD_BYTES && chunk.length) {
      words.push(Buffer.concat(chunk).toString('base64'));
      chunk = [];
      size = 0;
    }
    chunk.push(b);
    size += b.length;
  }
  if (chunk.length) words.push(Buffer.concat(chunk).toString('base64'));
  return words.map((w) => `=?UTF-8?B?${w}?=`).join(`${CRLF} `);
}

const ADDR_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Checks an addr-spec (ASCII only: SES needs internationalised domains in punycode). */
export function checkAddress(address: string): string {
  const a = address.trim();
  if (!ADDR_RE.test(a)) throw new MimeError(`邮件地址“${address}”格式不正确`);
  return a;
}

/** `"Name" <addr>` with the name quoted or RFC 2047 encoded as needed. */
export function formatAddress(a: AddressLike): string {
  const { name, address } = typeof a === 'string' ? { name: undefined, address: a } : a;
  const addr = checkAddress(address);
  const n = name ? oneLine(name).trim() : '';
  if (!n) return addr;
  // Encoded-words of one name are joined by a space (not a fold) so the address stays on one line.
  if (!isAscii(n) || n.includes('=?')) return `${encodeHeaderText(n).replace(/\r\n /g, ' ')} <${addr}>`;
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(n)) return `${n} <${addr}>`;
  return `"${n.replace(/(["\\])/g, '\\$1')}" <${addr}>`;
}

const FIELD_NAME_RE = /^[!-9;-~]+$/; // printable ASCII except colon

function headerLine(name: string, value: string): string {
  if (!FIELD_NAME_RE.test(name)) throw new MimeError(`header name "${name}" is not a valid field name`);
  if (/[\r\n]/.test(value)) throw new MimeError(`header ${name} contains a line break`);
  return `${name}: ${value}`;
}

/** RFC 5322 date in China time, e.g. `Mon, 1 Apr 2024 10:00:00 +0800`. */
export function formatRfc5322Date(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3_600_000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[t.getUTCDay()]}, ${t.getUTCDate()} ${months[t.getUTCMonth()]} ${t.getUTCFullYear()} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} +0800`;
}

const bracket = (id: string): string => {
  const v = id.trim().replace(/^<|>$/g, '');
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(v)) throw new MimeError(`Message-ID “${id}” 格式不正确`);
  return `<${v}>`;
};

export function newMessageId(domain: string): string {
  return `<${Date.now().toString(36)}.${randomBytes(12).toString('hex')}@${domain}>`;
}

/**
 * A MIME parameter (`filename`, `name`). ASCII values are quoted; others use RFC 2231
 * (`filename*=UTF-8''…`, split into `*0*`, `*1*` … continuations so no line grows long).
 */
function rfc2231Param(key: string, value: string): string {
  const v = oneLine(value);
  if (isAscii(v) && v.length <= 60) return `${key}="${v.replace(/(["\\])/g, '\\$1')}"`;
  const pct = [...Buffer.from(v, 'utf8')]
    .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  const first = `UTF-8''`;
  const pieces: string[] = [];
  let cur = first;
  // Split only between escapes, never inside `%XX`.
  for (const tok of pct.match(/%[0-9A-F]{2}|[^%]/g) ?? []) {
    if (cur.length + tok.length > 60) {
      pieces.push(cur);
      cur = '';
    }
    cur += tok;
  }
  pieces.push(cur);
  if (pieces.length === 1) return `${key}*=${pieces[0]}`;
  return pieces.map((p, i) => `${key}*${i}*=${p}`).join(`;${CRLF} `);
}

// ---------------------------------------------------------------- body encoding

/** Base64 in lines of 76 characters. */
export function encodeBase64Lines(buf: Buffer | Uint8Array): string {
  const b64 = Buffer.from(buf).toString('base64');
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += 76) out.push(b64.slice(i, i + 76));
  return out.join(CRLF);
}

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text: CRLF hard breaks kept, soft breaks keep every
 * encoded line ≤ 76 chars, `=` and non-ASCII bytes as `=XX`, trailing space/tab encoded.
 */
export function encodeQuotedPrintable(text: string): string {
  // One pass over the UTF-8 bytes into a byte buffer (an assignment notice is ~100 KB of HTML).
  const bytes = Buffer.from(text.replace(/\r\n?/g, '\n'), 'utf8');
  const out = Buffer.allocUnsafe(bytes.length * 4 + 16);
  let o = 0;
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 10) {
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
      continue;
    }
    const last = i + 1 === bytes.length || bytes[i + 1] === 10;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
    const len = literal ? 1 : 3;
    if (col + len > 75) {
      out[o++] = 61; // soft line break
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
    }
    if (literal) out[o++] = b;
    else {
      out[o++] = 61;
      out[o++] = HEX_DIGITS[b >> 4]!;
      out[o++] = HEX_DIGITS[b & 15]!;
    }
    col += len;
  }
  return out.toString('latin1', 0, o);
}
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');

function chooseEncoding(text: string, pref: BodyEncoding): 'base64' | 'quoted-printable' {
  if (pref !== 'auto') return pref;
  const bytes = Buffer.from(text, 'utf8');
  let high = 0;
  for (const b of bytes) if (b > 127) high++;
  // QP triples every non-ASCII byte; base64 costs 4/3 of everything.
  return high * 3 > bytes.length * 0.5 ? 'base64' : 'quoted-printable';
}

function textPart(subtype: 'plain' | 'html', body: string, pref: BodyEncoding): string {
  const normalized = body.replace(/\r\n?/g, '\n').replace(/\n/g, CRLF);
  const enc = chooseEncoding(normalized, pref);
  const encoded = enc === 'base64' ? encodeBase64Lines(Buffer.from(normalized, 'utf8')) : encodeQuotedPrintable(normalized);
  return [`Content-Type: text/${subtype}; charset=UTF-8`, `Content-Transfer-Encoding: ${enc}`, '', encoded].join(CRLF);
}

function attachmentPart(a: MimeAttachment): string {
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(a.contentType)) throw new MimeError(`附件类型“${a.contentType}”不正确`);
  const name = oneLine(a.filename).trim() || 'attachment';
  const nameParam = isAscii(name) ? `name="${name.replace(/(["\\])/g, '\\$1')}"` : `name="${encodeHeaderText(name).replace(/\r\n /g, ' ')}"`;
  return [
    `Content-Type: ${a.contentType};${CRLF} ${nameParam}`,
    `Content-Disposition: attachment;${CRLF} ${rfc2231Param('filename', name)}`,
    'Content-Transfer-Encoding: base64',
    '',
    encodeBase64Lines(a.content),
  ].join(CRLF);
}

function newBoundary(tag: string): string {
  // "=_" cannot occur in base64 or quoted-printable output, so the boundary never collides with content.
  return `=_suiji_${tag}_${randomBytes(12).toString('hex')}`;
}

function multipart(subtype: 'mixed' | 'alternative', parts: string[]): { header: string; body: string } {
  const b = newBoundary(subtype === 'mixed' ? 'm' : 'a');
  const body = parts.map((p) => `--${b}${CRLF}${p}${CRLF}`).join('') + `--${b}--`;
  return { header: `Content-Type: multipart/${subtype};${CRLF} boundary="${b}"`, body };
}

// ---------------------------------------------------------------- the message

/** Builds the complete raw message (CRLF line endings, 7-bit clean). */
export function buildMimeMessage(m: MimeMessageInput): Buffer {
  if (!m.to.length) throw new MimeError('至少需要一个收件人');
  const fromAddr = typeof m.from === 'string' ? m.from : m.from.address;
  const domain = checkAddress(fromAddr).split('@')[1]!;
  const headers: string[] = [
    headerLine('From', formatAddress(m.from)),
    // formatAddress output has no line breaks; the list is folded between addresses.
    `To: ${m.to.map(formatAddress).join(`,${CRLF} `)}`,
  ];
  if (m.cc?.length) headers.push(`Cc: ${m.cc.map(formatAddress).join(`,${CRLF} `)}`);
  if (m.replyTo) headers.push(headerLine('Reply-To', formatAddress(m.replyTo)));
  const subject = encodeHeaderText(m.subject);
  headers.push(`Subject: ${subject}`); // may contain CRLF SP folds produced by encodeHeaderText
  headers.push(headerLine('Date', formatRfc5322Date(m.date ?? now())));
  headers.push(headerLine('Message-ID', m.messageId ? bracket(m.messageId) : newMessageId(domain)));
  if (m.inReplyTo) headers.push(headerLine('In-Reply-To', bracket(m.inReplyTo)));
  if (m.references?.length) headers.push(headerLine('References', m.references.map(bracket).join(' ')));
  if (m.autoSubmitted !== false) headers.push('Auto-Submitted: auto-generated');
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (/^(from|to|cc|bcc|subject|date|message-id|reply-to|mime-version|content-.*)$/i.test(k)) {
      throw new MimeError(`header ${k} is set by the builder`);
    }
    headers.push(headerLine(k, isAscii(v) ? v : encodeHeaderText(v).replace(/\r\n /g, ' ')));
  }
  headers.push('MIME-Version: 1.0');

  const pref = m.bodyEncoding ?? 'auto';
  const text = textPart('plain', m.text, pref);
  let content: { header: string; body: string };
  if (m.html !== undefined) {
    const alt = multipart('alternative', [text, textPart('html', m.html, pref)]);
    content = alt;
  } else {
    const idx = text.indexOf(CRLF + CRLF);
    content = { header: text.slice(0, idx), body: text.slice(idx + 4) };
  }
  if (m.attachments?.length) {
    const inner = `${content.header}${CRLF}${CRLF}${content.body}`;
    content = multipart('mixed', [inner, ...m.attachments.map(attachmentPart)]);
  }
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${content.header}${CRLF}${CRLF}${content.body}${CRLF}`, 'utf8');
}
