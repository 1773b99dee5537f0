/**
 * Building blocks of Suiji's e-mails: an HTML shell that holds up in Outlook, Foxmail, QQ Mail,
 * Gmail and phone clients (table layout, inline CSS only, no <style> reliance, no images), and
 * a plain-text builder for the text/plain part. Every interpolated value is escaped by the
 * `html` tagged template; links must be http(s).
 */
import { esc, html, raw, Safe } from '../../pages/html.js';
import { chinaDateTime } from '../../domain/calendar.js';

export { esc, html, raw, Safe };

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** What every message function returns; feed it to `composeMime` (render.ts). */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  attachments?: MailAttachment[];
}

export interface PersonRef {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  title?: string | undefined;
}

export const SUBJECT_PREFIX = '【双随机】';

// ---------------------------------------------------------------- formatting

export const FONT = `'PingFang SC','Microsoft YaHei','Hiragino Sans GB','Noto Sans CJK SC',Arial,sans-serif`;
export const COLOR = { brand: '#b4232a', text: '#1f2328', muted: '#667085', border: '#d0d5dd', head: '#f0f2f5', bg: '#f6f7f9', bad: '#b4232a', badBg: '#fdecea', ok: '#137333', warnBg: '#fff7e6' };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2024-04-01` → `2024年4月1日` */
export function fmtDate(iso: string): string {
  const m = DATE_RE.exec(iso);
  if (!m) return iso;
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** `2024-04-01` → `2024年4月1日（星期一）` */
export function fmtDateWeekday(iso: string): string {
  const m = DATE_RE.exec(iso);
  if (!m) return iso;
  const wd = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return `${fmtDate(iso)}（星期${WEEKDAYS[wd]}）`;
}

/** An instant in China time: `2024年4月1日 10:05`. */
export function fmtDateTime(instant: string | Date): string {
  if (Number.isNaN(new Date(instant).getTime())) return String(instant);
  const [day, time] = chinaDateTime(instant).split(' ');
  return `${fmtDate(day!)} ${time}`;
}

export function fmtWindow(w: { start: string; end: string }): string {
  return `${fmtDate(w.start)}至${fmtDate(w.end)}`;
}

export const joinCn = (xs: readonly string[], empty = '—'): string => (xs.length ? xs.join('、') : empty);

/** Only absolute http(s) URLs may become links (never `javascript:` or relative paths). */
export function safeUrl(url: string): string {
  if (!/^https?:\/\/[^\s"'<>]+$/i.test(url)) throw new Error(`not an absolute http(s) URL: ${url}`);
  return url;
}

// ---------------------------------------------------------------- HTML pieces

export type Cell = string | number | Safe | null | undefined;

const cellHtml = (c: Cell): Safe => (c instanceof Safe ? c : c === null || c === undefined || c === '' ? raw('—') : html`${c}`);

export function para(content: Cell, style = ''): Safe {
  return html`<p style="${raw(`margin:0 0 12px 0;${style}`)}">${cellHtml(content)}</p>`;
}

export function heading(text: string): Safe {
  return html`<h2 style="margin:20px 0 8px 0;font-size:16px;color:${raw(COLOR.text)};border-left:4px solid ${raw(COLOR.brand)};padding-left:8px">${text}</h2>`;
}

export function note(content: Cell): Safe {
  return html`<p style="margin:8px 0;font-size:12px;color:${raw(COLOR.muted)}">${cellHtml(content)}</p>`;
}

export function callout(content: Safe | string, tone: 'warn' | 'bad' | 'info' = 'info'): Safe {
  const bg = tone === 'bad' ? COLOR.badBg : tone === 'warn' ? COLOR.warnBg : COLOR.head;
  const bd = tone === 'bad' ? COLOR.bad : tone === 'warn' ? '#f5a623' : COLOR.border;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0;border-collapse:collapse"><tr><td style="${raw(`background:${bg};border-left:4px solid ${bd};padding:10px 12px;font-size:14px;line-height:1.6`)}">${content}</td></tr></table>`;
}

const TH = `border:1px solid ${COLOR.border};background:${COLOR.head};padding:6px 8px;text-align:left;font-size:13px;font-weight:bold;white-space:nowrap`;
const TD = `border:1px solid ${COLOR.border};padding:6px 8px;text-align:left;vertical-align:top;font-size:13px;line-height:1.5`;

export interface TableOptions {
  /** Rows (0-based) to show as off-target / overdue (red text on a light red background). */
  badRows?: ReadonlySet<number>;
}

export function dataTable(headers: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): Safe {
  return html`<table cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;margin:8px 0 16px 0;font-family:${raw(FONT)}"><tr>${headers.map((h) => html`<th style="${raw(TH)}">${h}</th>`)}</tr>${rows.map(
    (r, i) => html`<tr>${r.map((c) => html`<td style="${raw(opts.badRows?.has(i) ? `${TD};color:${COLOR.bad};background:${COLOR.badBg}` : TD)}">${cellHtml(c)}</td>`)}</tr>`,
  )}</table>`;
}

export function kvTable(pairs: readonly (readonly [string, Cell])[]): Safe {
  return html`<table cellpadding="0" cellspacing="0" width="100%" style="border-collapse:collapse;margin:8px 0 16px 0;font-family:${raw(FONT)}">${pairs.map(
    ([k, v]) => html`<tr><th style="${raw(`${TH};width:140px;vertical-align:top`)}">${k}</th><td style="${raw(TD)}">${cellHtml(v)}</td></tr>`,
  )}</table>`;
}

export function link(url: string, label?: string): Safe {
  return html`<a href="${safeUrl(url)}" style="${raw(`color:${COLOR.brand};text-decoration:underline`)}">${label ?? url}</a>`;
}

/** A bullet-proof button (table cell with a link), readable in Outlook. */
export function button(url: string, label: string, tone: 'primary' | 'secondary' = 'primary'): Safe {
  const bg = tone === 'primary' ? COLOR.brand : COLOR.muted;
  return html`<table role="presentation" cellpadding="0" cellspacing="0" style="display:inline-table;margin:4px 8px 4px 0;border-collapse:separate"><tr><td style="${raw(`background:${bg};border-radius:4px;padding:8px 18px`)}"><a href="${safeUrl(url)}" style="${raw(`color:#ffffff;text-decoration:none;font-size:14px;font-weight:bold;font-family:${FONT}`)}">${label}</a></td></tr></table>`;
}

export function list(items: readonly Cell[]): Safe {
  return html`<ul style="margin:4px 0 12px 20px;padding:0">${items.map((i) => html`<li style="margin:2px 0">${cellHtml(i)}</li>`)}</ul>`;
}

export interface ShellOptions {
  title: string;
  /** First line shown in inbox previews (hidden in the body). */
  preheader?: string;
  /** Department (or unit) shown in the header bar. */
  department?: string;
  body: Safe;
  /** Replies are read by Suiji (reminders): the footer says so instead of "do not reply". */
  repliesAccepted?: boolean;
}

export function shell(o: ShellOptions): string {
  const foot = o.repliesAccepted
    ? '本邮件由 Suiji 双随机、一公开监管系统自动发送。可按邮件中的格式直接回复录入结果，其他回复内容不会被处理。'
    : '本邮件由 Suiji 双随机、一公开监管系统自动发送，请勿直接回复。邮件中的链接仅供收件人本人使用，请勿转发。';
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>${esc(o.title)}</title></head>${html`<body style="${raw(`margin:0;padding:0;background:${COLOR.bg};font-family:${FONT};color:${COLOR.text}`)}">${o.preheader ? html`<div style="display:none;max-height:0;overflow:hidden;opacity:0;font-size:1px;line-height:1px;color:${raw(COLOR.bg)}">${o.preheader}</div>` : ''}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="${raw(`background:${COLOR.bg};border-collapse:collapse`)}"><tr><td align="center" style="padding:16px 8px"><table role="presentation" width="720" cellpadding="0" cellspacing="0" style="${raw(`width:100%;max-width:720px;background:#ffffff;border:1px solid ${COLOR.border};border-collapse:collapse`)}"><tr><td style="${raw(`padding:14px 24px;border-bottom:3px solid ${COLOR.brand};font-size:13px;color:${COLOR.muted};font-family:${FONT}`)}"><strong style="${raw(`color:${COLOR.brand};font-size:15px`)}">双随机、一公开</strong>${o.department ? html` · ${o.department}` : ''}</td></tr><tr><td style="${raw(`padding:20px 24px;font-size:14px;line-height:1.7;color:${COLOR.text};font-family:${FONT}`)}"><h1 style="margin:0 0 16px 0;font-size:19px;line-height:1.4">${o.title}</h1>${o.body}</td></tr><tr><td style="${raw(`padding:12px 24px;border-top:1px solid ${COLOR.border};font-size:12px;line-height:1.6;color:${COLOR.muted};font-family:${FONT}`)}">${foot}</td></tr></table></td></tr></table></body>`}</html>`;
}

// ---------------------------------------------------------------- plain text

/** Builds the text/plain part: short lines, 【】 headings, `label：value` pairs, numbered lists. */
export class TextBuilder {
  private readonly out: string[] = [];

  line(s = ''): this {
    this.out.push(s);
    return this;
  }

  blank(): this {
    if (this.out.length && this.out[this.out.length - 1] !== '') this.out.push('');
    return this;
  }

  heading(s: string): this {
    return this.blank().line(`【${s}】`);
  }

  kv(label: string, value: string | number | null | undefined, indent = ''): this {
    return this.line(`${indent}${label}：${value === null || value === undefined || value === '' ? '—' : value}`);
  }

  kvs(pairs: readonly (readonly [string, string | number | null | undefined])[], indent = ''): this {
    for (const [k, v] of pairs) this.kv(k, v, indent);
    return this;
  }

  toString(): string {
    const lines = [...this.out];
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return `${lines.join('\n')}\n`;
  }
}

export function textFooter(t: TextBuilder, repliesAccepted = false): void {
  t.blank().line('——');
  t.line(
    repliesAccepted
      ? '本邮件由 Suiji 双随机、一公开监管系统自动发送。可按上述格式直接回复录入结果，其他回复内容不会被处理。'
      : '本邮件由 Suiji 双随机、一公开监管系统自动发送，请勿直接回复。邮件中的链接仅供收件人本人使用，请勿转发。',
  );
}

/** Display width of a string in a monospace font (CJK and full-width characters count 2). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || c >= 0x1f300 ? 2 : 1;
  }
  return w;
}

/** A column-aligned text table (for monospace readers; still readable in proportional fonts). */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c))))
      .join('  ')
      .trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}
