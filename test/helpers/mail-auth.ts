/**
 * Mail authentication fixtures without DNS: a DNS zone as a resolver function (the shape of
 * `dns.promises.resolve` that mailauth takes), an RSA DKIM key published in it, and replies
 * signed with that key the way an inspector's mail provider signs them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { DnsResolver } from '../../shared/mail/authenticate.js';

export type Zone = Record<string, { TXT?: string[]; A?: string[]; MX?: { exchange: string; priority: number }[] }>;

/** A resolver answering from `zone` only; anything else is ENOTFOUND, as for a missing name. */
export function zoneResolver(zone: Zone): DnsResolver {
  return async (name: string, rrtype: string) => {
    const rec = zone[name.toLowerCase().replace(/\.$/, '')] as Record<string, unknown> | undefined;
    const v = rec?.[rrtype.toUpperCase()] as unknown[] | undefined;
    if (!v?.length) {
      const e = new Error(`queryTxt ENOTFOUND ${name}`) as Error & { code: string };
      e.code = rec ? 'ENODATA' : 'ENOTFOUND';
      throw e;
    }
    // TXT records come back as arrays of strings (chunks), like node:dns.
    return (rrtype.toUpperCase() === 'TXT' ? (v as string[]).map((t) => [t]) : v) as string[][];
  };
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
  /** The TXT record to publish at `<selector>._domainkey.<domain>`. */
  record: string;
}

export function dkimKey(domain: string, selector = 'sel1'): DkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=rsa; p=${spki}` };
}

/** The records of a sending domain: DKIM key, SPF for `ips`, DMARC p=reject. */
export function domainZone(key: DkimKey, ips: string[]): Zone {
  return {
    [`${key.selector}._domainkey.${key.domain}`]: { TXT: [key.record] },
    [key.domain]: { TXT: [`v=spf1 ${ips.map((ip) => `ip4:${ip}`).join(' ')} -all`] },
    [`_dmarc.${key.domain}`]: { TXT: ['v=DMARC1; p=reject'] },
  };
}

/** `message` (CRLF) with a DKIM-Signature header by `key` prepended. */
export async function dkimSigned(message: string | Buffer, key: DkimKey): Promise<Buffer> {
  const msg = Buffer.isBuffer(message) ? message : Buffer.from(message.replace(/\r?\n/g, '\r\n'), 'utf8');
  const signer = { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey };
  // mailauth signs the entries of signatureData (its typings also ask for the top-level fields).
  const r = await dkimSign(msg, { ...signer, canonicalization: 'relaxed/relaxed', signatureData: [signer] });
  if (r.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(r.errors)}`);
  return Buffer.concat([Buffer.from(r.signatures, 'utf8'), msg]);
}

/** A plain-text reply as a mail client writes it. */
export function replyMessage(o: { from: string; to: string; body: string; id: string; subject?: string }): string {
  const b64 = Buffer.from(o.body.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: =?UTF-8?B?${Buffer.from('检查员').toString('base64')}?= <${o.from}>`,
    `To: ${o.to}`,
    `Subject: =?UTF-8?B?${Buffer.from(o.subject ?? '回复：【双随机】到期提醒').toString('base64')}?=`,
    `Message-ID: <${o.id}>`,
    'Date: Tue, 10 Mar 2026 11:00:00 +0800',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '',
  ].join('\r\n');
}
