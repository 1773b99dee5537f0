/**
 * Minimal, dependency-free HTML for Suiji's pages (public announcements, e-mail link pages,
 * forms): a tagged template that escapes every interpolated value, and a printable shell.
 * Styles only through classes of the shell's style sheet (the pages' CSP allows no `style=`
 * attribute: shared/pages/inline.ts).
 */
import { inlineStyle } from './inline.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** Already-safe HTML (the result of `html` or `raw`). */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (s: string): Safe => new Safe(s);

/** html`<p>${value}</p>` escapes values; arrays are joined; Safe values pass through. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

function render(v: unknown): string {
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

const CSS = `
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;color:#1f2328;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px;background:#fff;min-height:100vh}
h1{font-size:22px;border-bottom:3px solid #b4232a;padding-bottom:8px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:12px 0;font-size:14px}th,td{border:1px solid #c9ced6;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;white-space:nowrap}.muted{color:#667085;font-size:13px}.ok{color:#137333}.bad{color:#b4232a;font-weight:bold}
form label{display:block;margin:10px 0 4px;font-weight:bold}input[type=text],input[type=date],textarea,select{width:100%;padding:6px;font-size:14px;box-sizing:border-box}
input.inline{width:auto}.footer{margin-top:40px}
button,a.button{background:#b4232a;color:#fff;border:0;padding:8px 18px;font-size:15px;border-radius:4px;cursor:pointer;margin-right:8px;text-decoration:none;display:inline-block}button.secondary{background:#667085}
.box{border:1px solid #c9ced6;border-radius:6px;padding:12px 16px;margin:12px 0}.error{background:#fdecea;border-color:#b4232a}
code{font-family:ui-monospace,Consolas,monospace;font-size:13px;word-break:break-all}
@media print{body{background:#fff}main{padding:0}button,form .noprint{display:none}}
`;

const STYLE = inlineStyle(CSS);

export function page(title: string, body: Safe, opts: { subtitle?: string } = {}): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>${STYLE}</head><body><main>${html`<h1>${title}</h1>${opts.subtitle ? html`<p class="muted">${opts.subtitle}</p>` : ''}`}${body}<p class="muted footer">Suiji 双随机、一公开</p></main></body></html>`;
}
