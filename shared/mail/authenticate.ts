/**
 * The sender checks of a reply where there is no SES to make them (mail polled over IMAP in the
 * AWS China regions): the message's own DKIM signatures, SPF for the client that handed it to
 * the mailbox provider, and DMARC, by `mailauth`. The result has the shape of SES's verdicts
 * (reply.ts `AuthVerdicts`), so `assessInbound` applies the same rules; spam and virus are
 * `not-scanned` (the provider files junk in its own folder, which is not polled; a reply is only
 * read as text lines, attachments are never opened).
 *
 * The SPF client is taken from the Received header the mailbox provider wrote when the message
 * entered it: the first one written by a host under MAIL_AUTH_TRUSTED_HOSTS whose client is not
 * one of the provider's own hosts; without that setting, the topmost Received header. Headers
 * the sender wrote further down are never read, and Authentication-Results headers in the
 * message are ignored (anyone can write them).
 *
 * DNS: MAIL_DNS_SERVERS, else the system's resolver; tests inject a fixture resolver.
 */
import { Resolver } from 'node:dns/promises';
import { authenticate, type DNSResolver } from 'mailauth';
import { parseReceived } from 'mailauth/lib/parse-received.js';
import { config } from '../config.js';
import type { AuthVerdicts } from './reply.js';

export type DnsResolver = DNSResolver;

/** authserv-id of verdicts computed here (never read from a message). */
export const LOCAL_AUTHSERV_ID = 'suiji.mailauth';

let configured: DnsResolver | undefined;

/** The resolver for MAIL_DNS_SERVERS, or undefined for the system's. */
export function configuredResolver(): DnsResolver | undefined {
  const servers = config().mail.dnsServers;
  if (!servers.length) return undefined;
  if (!configured) {
    const r = new Resolver({ timeout: 5_000, tries: 2 });
    r.setServers([...servers]);
    configured = (name, rrtype) => r.resolve(name, rrtype) as ReturnType<DnsResolver>;
  }
  return configured;
}

export function resetResolver(): void {
  configured = undefined;
}

/** Header lines, topmost first, unfolded. */
function headerLines(raw: Buffer): string[] {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}

/** The envelope sender as the delivering server recorded it (the topmost Return-Path). */
function returnPath(raw: Buffer): string | undefined {
  for (const l of headerLines(raw)) {
    const m = /^return-path:\s*<?([^<>\s]*)>?/i.exec(l);
    if (m) return m[1] || undefined;
  }
  return undefined;
}

const under = (host: string, suffixes: readonly string[]): boolean => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return suffixes.some((s) => h === s || h.endsWith(`.${s}`));
};

/** The SMTP client (IP and HELO name) of the hop where the message entered the mailbox provider. */
export function entryHop(raw: Buffer, trustedHosts: readonly string[]): { ip: string; helo: string } | undefined {
  for (const line of headerLines(raw).filter((l) => /^received:/i.test(l))) {
    const r = parseReceived(line);
    if (!r) continue;
    const by = r.by?.value ?? '';
    const fromHost = r.from?.value ?? '';
    const fromComment = r.from?.comment ?? '';
    if (trustedHosts.length) {
      if (!under(by, trustedHosts)) return undefined; // above the provider's own headers: written by someone else
      const rdns = /^\s*([^\s[(]+)/.exec(fromComment)?.[1] ?? '';
      if (under(fromHost, trustedHosts) || (rdns && under(rdns, trustedHosts))) continue; // an internal hop
    } else if (!fromHost) continue;
    const ip = /\[(?:IPv6:)?([^\]]+)\]/i.exec(fromComment)?.[1];
    return ip ? { ip, helo: fromHost } : undefined;
  }
  return undefined;
}

export async function authenticateMessage(raw: Buffer, opts: { resolver?: DnsResolver; trustedHosts?: readonly string[] } = {}): Promise<AuthVerdicts> {
  const hop = entryHop(raw, opts.trustedHosts ?? config().mail.authTrustedHosts);
  const resolver = opts.resolver ?? configuredResolver();
  const sender = returnPath(raw);
  const r = await authenticate(raw, {
    ...(hop ? { ip: hop.ip, helo: hop.helo } : {}),
    ...(sender ? { sender } : {}),
    mta: LOCAL_AUTHSERV_ID,
    disableArc: true,
    disableBimi: true,
    ...(resolver ? { resolver } : {}),
  });
  const passed = r.dkim.results.filter((d) => d.status.result === 'pass');
  return {
    authservId: LOCAL_AUTHSERV_ID,
    // Without the entry hop there is no client to check SPF for.
    spf: hop && r.spf ? r.spf.status.result : 'none',
    dkim: passed.length ? 'pass' : (r.dkim.results[0]?.status.result ?? 'none'),
    dkimPassDomains: passed.map((d) => d.signingDomain.toLowerCase()),
    dmarc: r.dmarc ? r.dmarc.status.result : 'none',
    spam: 'not-scanned',
    virus: 'not-scanned',
  };
}
