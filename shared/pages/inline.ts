/**
 * The only inline `<style>` and `<script>` blocks a page may carry: fixed blocks registered at
 * module level. The pages' Content-Security-Policy (shared/http/security.ts) allows exactly
 * their SHA-256 hashes, so nothing injected into a page could run or restyle it. Pages use no
 * `style=` attributes and no `on…=` handlers (a hash cannot allow those without 'unsafe-hashes').
 */
import { createHash } from 'node:crypto';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const registered = { style: new Set<string>(), script: new Set<string>() };

/** A `<style>` element with this CSS, allowed by the pages' policy. Call at module level. */
export function inlineStyle(css: string): string {
  registered.style.add(sha256(css));
  return `<style>${css}</style>`;
}

/** A `<script>` element with this code, allowed by the pages' policy. Call at module level. */
export function inlineScript(js: string): string {
  registered.script.add(sha256(js));
  return `<script>${js}</script>`;
}

/** CSP sources for the registered blocks: `'sha256-…'` per style and per script. */
export function inlineHashes(): { style: string[]; script: string[] } {
  return { style: [...registered.style], script: [...registered.script] };
}
