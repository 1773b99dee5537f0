/**
 * Security headers of every response the API serves, and the Content-Security-Policy of its
 * HTML pages — in one place, for the API's pages and for the console (web/) to reuse
 * (`contentSecurityPolicy` with the console's own sources).
 *
 * The pages' policy allows no inline code or style but the fixed blocks registered in
 * shared/pages/inline.ts, by hash.
 */
import { inlineHashes } from '../pages/inline.js';

/** Sources per directive, e.g. `{ script: ["'self'"], connect: ["'self'", 'https://cognito-idp…'] }`. */
export interface CspSources {
  readonly script?: readonly string[];
  readonly style?: readonly string[];
  readonly img?: readonly string[];
  readonly font?: readonly string[];
  readonly connect?: readonly string[];
  /** Where forms may post; default `'self'`. */
  readonly form?: readonly string[];
}

/**
 * A policy that allows nothing but what `sources` names: no plugins, no base-URL rewriting,
 * never framed (clickjacking on approval and result pages).
 */
export function contentSecurityPolicy(sources: CspSources = {}): string {
  const directive = (name: string, list: readonly string[] | undefined) => (list?.length ? `${name} ${list.join(' ')}` : undefined);
  return [
    "default-src 'none'",
    directive('script-src', sources.script),
    directive('style-src', sources.style),
    directive('img-src', sources.img),
    directive('font-src', sources.font),
    directive('connect-src', sources.connect),
    "base-uri 'none'",
    `form-action ${(sources.form ?? ["'self'"]).join(' ')}`,
    "frame-ancestors 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * The policy of the API's own pages: the registered inline styles and scripts, and requests to
 * the API's own origin (the result form posts with fetch and checks what was stored).
 */
export function pagePolicy(): string {
  return contentSecurityPolicy({ ...inlineHashes(), connect: ["'self'"] });
}

/**
 * On every response. no-referrer: link pages have a bearer id in their URL, which must not
 * travel in a Referer header to wherever a link on the page leads.
 */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};

/** Headers for a response: pages get the page policy, everything else a policy that allows nothing. */
export function securityHeaders(kind: 'html' | 'other'): Record<string, string> {
  return {
    ...BASE_SECURITY_HEADERS,
    'content-security-policy': kind === 'html' ? pagePolicy() : contentSecurityPolicy({ form: ["'none'"] }),
  };
}
