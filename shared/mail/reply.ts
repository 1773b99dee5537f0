/**
 * Answering by reply: parsing an inbound message as SES receiving stores it (raw MIME in S3),
 * and reading result lines out of it. Pure apart from `mailparser` (no I/O).
 *
 * Reply address: every reminder carries `Reply-To: r+<token>@<inbound domain>`; the token is
 * 26 lowercase base32 characters (128 random bits) that the sender stores server-side with the
 * inspector it was sent to. Lowercase only, because some mail systems lower-case local parts.
 *
 * Trust: SES prepends `Received-SPF`, `Authentication-Results: amazonses.com; spf=…; dkim=…;
 * dmarc=…` and `X-SES-Spam-Verdict` / `X-SES-Virus-Verdict` to every received message. A sender
 * can add look-alike headers further down, so only the FIRST Authentication-Results header is
 * read, and only when its authserv-id is trusted (amazonses.com). Spam/virus verdicts are only
 * present when scanning is enabled on the receipt rule (it must be: see `assessInbound`).
 */
import { randomBytes } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { normalizeUscc, validateUscc } from '../domain/uscc.js';
import { LIMITS } from '../domain/limits.js';

// ---------------------------------------------------------------- reply address

const REPLY_TOKEN_RE = /^[a-z2-7]{26}$/;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A fresh reply token (128 bits, base32 lowercase, 26 characters). */
export function newReplyToken(): string {
  const bytes = randomBytes(17);
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

export function isReplyToken(s: string): boolean {
  return REPLY_TOKEN_RE.test(s);
}

/** `r+<token>@<domain>` */
export function replyAddress(token: string, inboundDomain: string): string {
  if (!isReplyToken(token)) throw new Error(`invalid reply token "${token}"`);
  return `r+${token}@${inboundDomain.toLowerCase()}`;
}

/** The token of a reply address, or null (any domain unless `inboundDomain` is given). */
export function replyTokenOf(address: string, inboundDomain?: string): string | null {
  const m = /^r\+([a-z2-7]{26})@([^@\s]+)$/i.exec(address.trim());
  if (!m) return null;
  if (inboundDomain && m[2]!.toLowerCase() !== inboundDomain.toLowerCase()) return null;
  return m[1]!.toLowerCase();
}

// ---------------------------------------------------------------- parsed message

/** Characters of a reply's text read at all: every allowed line at its longest. */
const REPLY_TEXT_CHARS = LIMITS.replyBodyLines * 256;
/** A result line: USCC, codes and a remark of at most LIMITS.text characters, with room to spare. */
const REPLY_LINE_CHARS = LIMITS.text + 400;

export type Verdict = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy' | 'missing' | (string & {});
export type ScanVerdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'missing' | 'not-scanned' | (string & {});

export interface AuthVerdicts {
  /** authserv-id of the Authentication-Results header that was read (null = none trusted). */
  authservId: string | null;
  spf: Verdict;
  /** Overall DKIM verdict: pass if any signature passed. */
  dkim: Verdict;
  /** Signing domains (d= or the domain of i=) of the signatures that passed. */
  dkimPassDomains: string[];
  dmarc: Verdict;
  spam: ScanVerdict;
  virus: ScanVerdict;
}

export interface InboundMail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  date: Date | null;
  /** Lower-cased From address (null when absent or unparsable). */
  from: { address: string; name: string } | null;
  /** Every recipient seen: To, Cc, Delivered-To/X-Original-To and the SES envelope recipients. */
  recipients: string[];
  /** Token of the first `r+<token>@<inbound domain>` recipient. */
  replyToken: string | null;
  auth: AuthVerdicts;
  /** Autoresponder or bounce (Auto-Submitted, X-Autoreply, Precedence, 自动回复 subjects): never answer it. */
  autoSubmitted: boolean;
  /** Body lines with quoted text and signatures removed (right-trimmed). */
  lines: string[];
  bodySource: 'text' | 'html' | 'none';
}

export interface ParseInboundOptions {
  /** Only recipients on this domain yield a reply token. */
  inboundDomain?: string;
  /** Recipients from the SES receipt notification (`receipt.recipients`). */
  envelopeRecipients?: readonly string[];
  /** authserv-ids whose Authentication-Results are believed. Default `['amazonses.com']`. */
  trustedAuthservIds?: readonly string[];
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.flatMap(function flat(v): string[] {
    return v.group ? v.group.flatMap(flat) : v.address ? [v.address.toLowerCase()] : [];
  }));

const unfold = (line: string): string => line.replace(/\r?\n[ \t]+/g, ' ').trim();
const headerValue = (line: string): string => {
  const u = unfold(line);
  return u.slice(u.indexOf(':') + 1).trim();
};

function firstHeader(p: ParsedMail, key: string): string | null {
  const l = p.headerLines.find((h) => h.key === key);
  return l ? headerValue(l.line) : null;
}

/** Parses `authserv-id; method=result (comment) prop=value; …` (RFC 8601), comments dropped. */
export function parseAuthenticationResults(value: string): { authservId: string; results: { method: string; result: string; props: Record<string, string> }[] } {
  let v = value;
  // Remove (possibly nested) comments.
  for (let prev = ''; prev !== v; ) {
    prev = v;
    v = v.replace(/\([^()]*\)/g, ' ');
  }
  const parts = v.split(';').map((s) => s.trim());
  const authservId = (parts.shift() ?? '').split(/\s+/)[0]!.toLowerCase();
  const results = [];
  for (const part of parts) {
    const m = /^([a-z0-9_-]+)\s*=\s*([a-z_]+)\s*(.*)$/i.exec(part);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const pm of m[3]!.matchAll(/([a-z0-9_.-]+)\s*=\s*("[^"]*"|\S+)/gi)) props[pm[1]!.toLowerCase()] = pm[2]!.replace(/^"|"$/g, '');
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return { authservId, results };
}

function readAuth(p: ParsedMail, trusted: readonly string[]): AuthVerdicts {
  const out: AuthVerdicts = { authservId: null, spf: 'missing', dkim: 'missing', dkimPassDomains: [], dmarc: 'missing', spam: 'missing', virus: 'missing' };
  const ar = firstHeader(p, 'authentication-results');
  if (ar) {
    const parsed = parseAuthenticationResults(ar);
    if (trusted.includes(parsed.authservId)) {
      out.authservId = parsed.authservId;
      const dkims = parsed.results.filter((r) => r.method === 'dkim');
      for (const r of parsed.results) {
        if (r.method === 'spf' && out.spf === 'missing') out.spf = r.result;
        if (r.method === 'dmarc' && out.dmarc === 'missing') out.dmarc = r.result;
      }
      if (dkims.length) {
        const passed = dkims.filter((r) => r.result === 'pass');
        out.dkim = passed.length ? 'pass' : dkims[0]!.result;
        out.dkimPassDomains = passed
          .map((r) => (r.props['header.d'] ?? r.props['header.i']?.replace(/^.*@/, '') ?? '').toLowerCase())
          .filter(Boolean);
      }
      // Received-SPF (added by SES alongside) only fills a missing spf result.
      if (out.spf === 'missing') {
        const rs = firstHeader(p, 'received-spf');
        if (rs) out.spf = rs.split(/[\s(;]/)[0]!.toLowerCase();
      }
    }
  }
  out.spam = (firstHeader(p, 'x-ses-spam-verdict') ?? 'missing').toUpperCase().replace('MISSING', 'missing');
  out.virus = (firstHeader(p, 'x-ses-virus-verdict') ?? 'missing').toUpperCase().replace('MISSING', 'missing');
  return out;
}

function isAutoSubmitted(p: ParsedMail): boolean {
  const as = firstHeader(p, 'auto-submitted');
  if (as && as.toLowerCase() !== 'no') return true;
  if (firstHeader(p, 'x-autoreply') || firstHeader(p, 'x-autorespond')) return true;
  if (/^(auto_reply|bulk|junk|list)$/i.test(firstHeader(p, 'precedence') ?? '')) return true;
  if (/^(自动回复|自動回覆|Automatic reply|Auto(matic)?[- ]?Reply|Out of Office)/i.test(p.subject ?? '')) return true;
  const ct = (p.headers.get('content-type') as { value?: string } | undefined)?.value ?? '';
  return /^multipart\/report$/i.test(ct);
}

/** Parses the raw message (as SES stores it in S3, or as the local endpoint receives it). */
export async function parseInboundMail(raw: Buffer, opts: ParseInboundOptions = {}): Promise<InboundMail> {
  const p = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const fromV = p.from?.value[0];
  const recipients = [
    ...addresses(p.to),
    ...addresses(p.cc),
    ...p.headerLines.filter((h) => h.key === 'delivered-to' || h.key === 'x-original-to').map((h) => headerValue(h.line).toLowerCase()),
    ...(opts.envelopeRecipients ?? []).map((r) => r.toLowerCase()),
  ];
  const uniq = [...new Set(recipients)];
  let replyToken: string | null = null;
  for (const r of uniq) {
    replyToken = replyTokenOf(r, opts.inboundDomain);
    if (replyToken) break;
  }

  let body = '';
  let bodySource: InboundMail['bodySource'] = 'none';
  if (p.text && p.text.trim()) {
    body = p.text;
    bodySource = 'text';
  } else if (typeof p.html === 'string' && p.html.trim()) {
    body = htmlToPlain(cutHtmlQuote(p.html));
    bodySource = 'html';
  }

  return {
    messageId: p.messageId ?? null,
    inReplyTo: p.inReplyTo ?? null,
    references: typeof p.references === 'string' ? [p.references] : (p.references ?? []),
    subject: p.subject ?? '',
    date: p.date ?? null,
    from: fromV?.address ? { address: fromV.address.toLowerCase(), name: fromV.name ?? '' } : null,
    recipients: uniq,
    replyToken,
    auth: readAuth(p, opts.trustedAuthservIds ?? ['amazonses.com']),
    autoSubmitted: isAutoSubmitted(p),
    // A reply is a few lines; a multi-megabyte body (a pasted spreadsheet) is read only so far.
    // Lines are cut where no result line can be valid any more (the remark would exceed
    // LIMITS.text), so the cut never changes an outcome and a confirmation never quotes megabytes.
    lines: stripQuotedText(body.slice(0, REPLY_TEXT_CHARS))
      .slice(0, LIMITS.replyBodyLines)
      .map((l) => (l.length > REPLY_LINE_CHARS ? `${l.slice(0, REPLY_LINE_CHARS)}…` : l)),
    bodySource,
  };
}

export interface InboundExpectation {
  /** Address the reminder carrying this token was sent to. */
  address: string;
  /** The token stored with that reminder. */
  token: string;
}

export interface InboundAssessment {
  ok: boolean;
  /** Chinese reasons, one per failed check. */
  reasons: string[];
}

const domainOf = (addr: string): string => addr.slice(addr.lastIndexOf('@') + 1).toLowerCase();
const aligned = (a: string, b: string): boolean => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/**
 * Whether a reply may act: token matches, From is the addressed inspector, SPF passes, a DKIM
 * signature aligned with the From domain passes, DMARC (if evaluated) did not fail, and SES did
 * not flag it as spam or virus. Autoresponders are refused too.
 */
export function assessInbound(mail: InboundMail, expected: InboundExpectation): InboundAssessment {
  const reasons: string[] = [];
  if (!mail.replyToken || mail.replyToken !== expected.token.toLowerCase()) reasons.push('回复地址中的令牌与提醒邮件不符');
  const from = mail.from?.address ?? '';
  if (from !== expected.address.toLowerCase()) reasons.push(`发件人“${from || '（无）'}”不是该提醒邮件的收件人`);
  if (!mail.auth.authservId) reasons.push('邮件缺少可信的发件认证结果（Authentication-Results）');
  else {
    if (mail.auth.spf !== 'pass') reasons.push(`发件人 SPF 校验未通过（${mail.auth.spf}）`);
    if (mail.auth.dkim !== 'pass') reasons.push(`DKIM 签名校验未通过（${mail.auth.dkim}）`);
    else if (from && !mail.auth.dkimPassDomains.some((d) => aligned(d, domainOf(from)))) {
      reasons.push(`DKIM 签名域（${mail.auth.dkimPassDomains.join('、')}）与发件人域名 ${domainOf(from)} 不一致`);
    }
    if (mail.auth.dmarc === 'fail') reasons.push('DMARC 校验未通过');
  }
  // `not-scanned` is set only by authenticate.ts (mail polled over IMAP), never read from a message.
  if (mail.auth.spam !== 'PASS' && mail.auth.spam !== 'not-scanned') reasons.push(`垃圾邮件检测结果为 ${mail.auth.spam}`);
  if (mail.auth.virus !== 'PASS' && mail.auth.virus !== 'not-scanned') reasons.push(`病毒检测结果为 ${mail.auth.virus}`);
  if (mail.autoSubmitted) reasons.push('自动回复邮件不予处理');
  return { ok: reasons.length === 0, reasons };
}

// ---------------------------------------------------------------- quoted text and signatures

/**
 * Structural markers where a client starts the quoted original in HTML: Gmail, Outlook (web and
 * desktop), Thunderbird, Apple Mail/iOS (blockquote), NetEase 163/126, QQ Mail and Foxmail
 * (their separators are text, caught after conversion).
 */
const HTML_QUOTE_MARKERS: RegExp[] = [
  /<div[^>]*class="?[^">]*gmail_quote/i,
  /<[a-z]+[^>]*id="?divRplyFwdMsg/i,
  /<[a-z]+[^>]*id="?appendonsend/i,
  /<div[^>]*class="?[^">]*moz-cite-prefix/i,
  /<[a-z]+[^>]*id="?(isReplyContent|isForwardContent|reply-content|original-content)/i,
  /<blockquote\b/i,
];

export function cutHtmlQuote(html: string): string {
  let cut = html.length;
  for (const re of HTML_QUOTE_MARKERS) {
    const m = re.exec(html);
    if (m && m.index < cut) cut = m.index;
  }
  return html.slice(0, cut);
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ensp: ' ', emsp: ' ', mdash: '—', ndash: '–', hellip: '…', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', middot: '·', times: '×' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

const BR = '\u0001';
const BLOCK = '\u0002';

/**
 * HTML → plain text keeping line structure as a browser shows it: a block boundary ends a
 * non-empty line, `<br>` always ends a line (so `<div><br></div>` is one empty line).
 */
export function htmlToPlain(html: string): string {
  const marked = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/[\u0001\u0002]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/<br\b[^>]*>/gi, BR)
    .replace(/<\/?(p|div|tr|li|ul|ol|h[1-6]|table|tbody|thead|pre|section|article|blockquote|hr|body|html)\b[^>]*>/gi, BLOCK)
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  const lines: string[] = [];
  let cur = '';
  for (const ch of marked) {
    if (ch === BR) {
      lines.push(cur);
      cur = '';
    } else if (ch === BLOCK) {
      if (cur.trim()) lines.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) lines.push(cur);
  return lines.map((l) => decodeEntities(l).replace(/[ \t\u00a0]+/g, ' ').trim()).join('\n');
}

/** A line that starts the quoted original or a signature: everything from it on is dropped. */
const STOP_LINE: RegExp[] = [
  /^-{2,}\s*(原始邮件|原始郵件|Original( Message)?|回复的原邮件|转发的邮件|Forwarded message)\s*-{2,}$/i,
  /^_{10,}$/, // Outlook plain-text separator
  /^(发件人|寄件者|From|发送人)\s*[:：]/i, // Outlook / Foxmail / QQ header block
  /^(On|在|於)\s.*(wrote|写道|寫道)\s*[:：]?$/i,
  /(wrote|写道|寫道)\s*[:：]$/i, // Apple Mail: "2024年4月1日 10:00，随机 <…> 写道："
  /^--\s*$/, // "-- " signature separator (right-trimmed)
  /^(发自|来自|寄自|從我的|从我的)\s*(我的)?\s*\S{0,16}?(iPhone|iPad|Android|手机|手機|客户端|邮箱|Outlook|邮箱大师|郵件)(\s*(发送|傳送))?\s*$/i,
  /^Sent from (my )?\S+/i,
  /^Get Outlook for /i,
];

/**
 * Body lines with quoted text and signatures removed: stops at the first quote header or
 * signature (see STOP_LINE; "On … wrote:" split over two lines is recognised), drops `>` lines.
 */
export function stripQuotedText(body: string): string[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/u, ''));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (STOP_LINE.some((re) => re.test(t))) break;
    // Gmail wraps long attribution lines: "On Mon, 1 Apr 2024 at 10:00, Suiji <" / "suiji@…> wrote:"
    if (/^(On|在)\s/.test(t) && i + 1 < lines.length && /(wrote|写道)\s*[:：]$/i.test(`${t} ${lines[i + 1]!.trim()}`)) break;
    if (/^>/.test(t) || /^＞/.test(t)) continue;
    out.push(line);
  }
  while (out.length && !out[out.length - 1]!.trim()) out.pop();
  while (out.length && !out[0]!.trim()) out.shift();
  return out;
}

// ---------------------------------------------------------------- result lines

export interface ParsedResultLine {
  /** 1-based line number within the cleaned body. */
  lineNo: number;
  line: string;
  uscc: string;
  codes: string[];
  remark: string;
}

export interface ResultLineError {
  lineNo: number;
  line: string;
  /** Chinese, names the problem. */
  error: string;
}

export type ResultLine = ParsedResultLine | ResultLineError;

export const isLineError = (r: ResultLine): r is ResultLineError => 'error' in r;

/** Separators between USCC, codes and remark: spaces (incl. full-width), commas, 、, semicolons. */
const LINE_TOKEN_RE = /[^\s\u3000,，、;；]+/gu;
const CODE_SHAPE = /^[0-9A-Z]{1,4}$/;

const toHalfWidth = (s: string): string => s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/**
 * Splits body lines into result lines and ignored lines. A line is a result line when its first
 * token is at least 6 ASCII letters/digits (after full-width → half-width), i.e. an attempt at
 * a USCC; greetings, e-mail addresses, names and other prose are ignored (and returned, so the
 * confirmation can show them). Blank lines are skipped.
 *
 * Each result line: `<USCC> <codes> [remark]`; codes are the tokens after the USCC that look
 * like result codes (1–4 letters/digits), e.g. `1`, `A,B`, `A、B`, `A B`; the remark is the
 * rest of the line verbatim (it also starts at an unknown all-letter word after a valid code,
 * so `… 1 OK` is code 1 with remark "OK"). Lower-case codes are accepted.
 */
export function splitResultLines(lines: readonly string[], phraseCodes: readonly string[]): { entries: ResultLine[]; ignored: string[] } {
  const known = new Set(phraseCodes.map((c) => c.toUpperCase()));
  const list = phraseCodes.join('、');
  const entries: ResultLine[] = [];
  const ignored: string[] = [];
  const seen = new Map<string, number>();
  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const line = rawLine.trim();
    if (!line) return;
    const tokens = [...line.matchAll(LINE_TOKEN_RE)];
    const first = tokens[0];
    if (!first || !/^[0-9A-Za-z]{6,}$/.test(toHalfWidth(first[0]))) {
      ignored.push(line);
      return;
    }
    const uscc = normalizeUscc(first[0]);
    const v = validateUscc(uscc);
    if (!v.ok) {
      entries.push({ lineNo, line, error: `统一社会信用代码“${first[0]}”有误：${v.reason}` });
      return;
    }
    const codes: string[] = [];
    const unknown: string[] = [];
    let k = 1;
    for (; k < tokens.length; k++) {
      const c = toHalfWidth(tokens[k]![0]).toUpperCase();
      if (!CODE_SHAPE.test(c)) break;
      // After a valid code, an unknown all-letter word ("OK", "ok") starts the remark.
      if (!known.has(c) && codes.length && /^[A-Z]{2,}$/.test(c)) break;
      if (!known.has(c)) unknown.push(tokens[k]![0]);
      else if (!codes.includes(c)) codes.push(c);
    }
    const remark = k < tokens.length ? line.slice(tokens[k]!.index).trim() : '';
    if (unknown.length) {
      entries.push({ lineNo, line, error: `结果代码“${unknown.join('、')}”不在本部门的结果表述清单中（可用：${list}）` });
      return;
    }
    if (!codes.length) {
      entries.push({ lineNo, line, error: `缺少检查结果代码，格式为“统一社会信用代码 结果代码 [备注]”（可用：${list}）` });
      return;
    }
    const prev = seen.get(uscc);
    if (prev !== undefined) {
      entries.push({ lineNo, line, error: `统一社会信用代码 ${uscc} 在第 ${prev} 行已出现，本行未处理` });
      return;
    }
    seen.set(uscc, lineNo);
    entries.push({ lineNo, line, uscc, codes, remark });
  });
  return { entries, ignored };
}

/** Result lines of a reply (blank and prose lines left out); see `splitResultLines`. */
export function parseResultLines(lines: readonly string[], phraseCodes: readonly string[]): ResultLine[] {
  return splitResultLines(lines, phraseCodes).entries;
}
