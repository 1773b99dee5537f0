/**
 * A tiny authoritative DNS server on loopback (UDP, `dns-packet`) for the China mode's mail
 * authentication: the IMAP poll checks SPF, DKIM and DMARC of every reply (shared/mail/
 * authenticate.ts) through MAIL_DNS_SERVERS, and locally every sender domain is served from here:
 * SPF allows only 127.0.0.1 (the local MX's clients), DKIM publishes the platform's own key under
 * its selector, DMARC asks to reject. Names it does not know are NXDOMAIN.
 */
import { createSocket } from 'node:dgram';
import * as packet from 'dns-packet';

export interface LocalDns {
  /** `127.0.0.1:<port>` for MAIL_DNS_SERVERS. */
  server: string;
  stop(): Promise<void>;
}

/** TXT records for `name` (lower case, no trailing dot), or undefined for NXDOMAIN. */
export type TxtZone = (name: string) => string[] | undefined;

/** Every domain: SPF for 127.0.0.1, DMARC p=reject, and the DKIM key `p` under `selector`. */
export function localMailZone(selector: string, dkimPublicKeyBase64: string): TxtZone {
  return (name) => {
    if (name.startsWith(`${selector}._domainkey.`)) return [`v=DKIM1; k=rsa; p=${dkimPublicKeyBase64}`];
    if (name.includes('._domainkey.')) return undefined;
    if (name.startsWith('_dmarc.')) return ['v=DMARC1; p=reject'];
    return ['v=spf1 ip4:127.0.0.1 -all'];
  };
}

export async function startLocalDns(zone: TxtZone, port = 0): Promise<LocalDns> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let q: packet.Packet;
    try {
      q = packet.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    const name = (question?.name ?? '').toLowerCase().replace(/\.$/, '');
    const txt = question ? zone(name) : undefined;
    const answers: packet.Answer[] =
      question?.type === 'TXT' && txt ? txt.map((t) => ({ type: 'TXT', name: question.name, ttl: 60, class: 'IN', data: chunks(t) })) : [];
    const reply = packet.encode({
      id: q.id ?? 0,
      type: 'response',
      flags: packet.AUTHORITATIVE_ANSWER | (txt ? 0 : 3), // rcode 3: NXDOMAIN
      questions: q.questions ?? [],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    stop: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** A TXT string in character-strings of at most 255 bytes (a DKIM key is longer). */
function chunks(t: string): Buffer[] {
  const b = Buffer.from(t, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += 255) out.push(b.subarray(i, i + 255));
  return out;
}
