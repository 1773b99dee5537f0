/**
 * DKIM, SPF and DMARC of a reply polled over IMAP (no SES verdicts), with a fixture DNS zone and
 * messages signed in the test; the verdicts feed the same `assessInbound` rules as SES's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticateMessage, entryHop, LOCAL_AUTHSERV_ID } from '../../shared/mail/authenticate.js';
import { assessInbound, parseInboundMail } from '../../shared/mail/reply.js';
import { dkimKey, dkimSigned, domainZone, replyMessage, zoneResolver, type DkimKey, type Zone } from '../helpers/mail-auth.js';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz';
const DOMAIN = 'reply.example.gov.cn';
const TO = `r+${TOKEN}@${DOMAIN}`;
const FROM = 'zhangsan@qhd.example.gov.cn';
const CLIENT = '203.0.113.7';

/** What the mailbox provider prepends when the message enters it (its MX, then an internal hop). */
const providerHeaders = (ip = CLIENT) =>
  [
    'Return-Path: <zhangsan@qhd.example.gov.cn>',
    `Received: from mx1.mail.provider.example (mx1.mail.provider.example [10.0.0.5]) by store3.mail.provider.example with LMTP id a1; Tue, 10 Mar 2026 03:00:02 +0000`,
    `Received: from mail.qhd.example.gov.cn (mail.qhd.example.gov.cn [${ip}]) by mx1.mail.provider.example with ESMTPS id b2 for <${TO}>; Tue, 10 Mar 2026 03:00:01 +0000`,
  ].join('\r\n') + '\r\n';

let key: DkimKey;
let evil: DkimKey;
let zone: Zone;

beforeAll(() => {
  key = dkimKey('qhd.example.gov.cn');
  evil = dkimKey('evil.example');
  zone = { ...domainZone(key, ['203.0.113.0/24']), ...domainZone(evil, ['198.51.100.9']) };
});

async function verdicts(raw: Buffer, z: Zone = zone) {
  const auth = await authenticateMessage(raw, { resolver: zoneResolver(z), trustedHosts: ['mail.provider.example'] });
  const mail = await parseInboundMail(raw, { inboundDomain: DOMAIN });
  mail.auth = auth;
  return { auth, assessment: assessInbound(mail, { address: FROM, token: TOKEN }) };
}

const signedReply = async (o: { id: string; body?: string; signWith?: DkimKey; from?: string } = { id: 'r1@qhd.example.gov.cn' }) =>
  dkimSigned(replyMessage({ from: o.from ?? FROM, to: TO, body: o.body ?? '91130624MA0000001X 1', id: o.id }), o.signWith ?? key);

describe('authenticateMessage', () => {
  it('a reply signed by the sender domain, sent from an address its SPF allows: pass, and the reply may act', async () => {
    const raw = Buffer.concat([Buffer.from(providerHeaders()), await signedReply()]);
    const { auth, assessment } = await verdicts(raw);
    expect(auth).toEqual({ authservId: LOCAL_AUTHSERV_ID, spf: 'pass', dkim: 'pass', dkimPassDomains: ['qhd.example.gov.cn'], dmarc: 'pass', spam: 'not-scanned', virus: 'not-scanned' });
    expect(assessment).toEqual({ ok: true, reasons: [] });
  });

  it('a body changed after signing fails DKIM; the reply does not act (although SPF alone makes DMARC pass)', async () => {
    const signed = (await signedReply({ id: 'r2@qhd.example.gov.cn' })).toString('utf8');
    const tampered = signed.replace(/\r\n\r\n[A-Za-z0-9+/=\r\n]+$/, `\r\n\r\n${Buffer.from('91130624MA0000001X A 伪造').toString('base64')}\r\n`);
    const { auth, assessment } = await verdicts(Buffer.concat([Buffer.from(providerHeaders()), Buffer.from(tampered)]));
    expect(auth.dkim).not.toBe('pass'); // mailauth: neutral (body hash did not verify)
    expect(auth.dmarc).toBe('pass'); // aligned SPF suffices for DMARC; Suiji also requires aligned DKIM
    expect(assessment.ok).toBe(false);
    expect(assessment.reasons.join()).toContain('DKIM');
  });

  it('sent from an address the domain’s SPF does not allow: SPF fails', async () => {
    const raw = Buffer.concat([Buffer.from(providerHeaders('192.0.2.66')), await signedReply({ id: 'r3@qhd.example.gov.cn' })]);
    const { auth, assessment } = await verdicts(raw);
    expect(auth.spf).toBe('fail');
    expect(auth.dkim).toBe('pass');
    expect(assessment.reasons.join()).toContain('SPF');
  });

  it('signed by another domain: DKIM passes for that domain only, not aligned with From; the reply does not act', async () => {
    const raw = Buffer.concat([Buffer.from(providerHeaders()), await signedReply({ id: 'r4@qhd.example.gov.cn', signWith: evil })]);
    const { auth, assessment } = await verdicts(raw);
    expect(auth.dkimPassDomains).toEqual(['evil.example']);
    expect(assessment.reasons.join()).toContain('不一致');
  });

  it('ignores verdict headers and Received headers written by the sender', async () => {
    const forged = [
      `Authentication-Results: ${LOCAL_AUTHSERV_ID}; spf=pass; dkim=pass header.d=qhd.example.gov.cn; dmarc=pass`,
      'X-SES-Spam-Verdict: PASS',
      `Received: from mail.qhd.example.gov.cn (mail.qhd.example.gov.cn [${CLIENT}]) by mx1.mail.provider.example with ESMTPS id forged`,
      replyMessage({ from: FROM, to: TO, body: '91130624MA0000001X 1', id: 'r5@qhd.example.gov.cn' }),
    ].join('\r\n');
    // The provider received it from a host SPF does not allow; the forged header sits below.
    const raw = Buffer.from(providerHeaders('192.0.2.66') + forged);
    const { auth, assessment } = await verdicts(raw);
    expect(auth).toMatchObject({ spf: 'fail', dkim: 'none', dmarc: 'fail' });
    expect(assessment.ok).toBe(false);
  });

  it('a DNS failure is no pass', async () => {
    const raw = Buffer.concat([Buffer.from(providerHeaders()), await signedReply({ id: 'r6@qhd.example.gov.cn' })]);
    const down = async () => {
      const e = new Error('queryTxt ETIMEOUT') as Error & { code: string };
      e.code = 'ETIMEOUT';
      throw e;
    };
    const auth = await authenticateMessage(raw, { resolver: down, trustedHosts: ['mail.provider.example'] });
    expect(auth.spf).not.toBe('pass');
    expect(auth.dkim).not.toBe('pass');
  });
});

describe('entryHop', () => {
  const raw = Buffer.from(providerHeaders() + 'Received: from attacker (attacker [198.51.100.9]) by mx1.mail.provider.example; x\r\n\r\nbody');
  it('takes the provider hop whose client is outside the provider', () => {
    expect(entryHop(raw, ['mail.provider.example'])).toEqual({ ip: CLIENT, helo: 'mail.qhd.example.gov.cn' });
  });
  it('without trusted hosts, the topmost Received header with a client', () => {
    expect(entryHop(raw, [])).toEqual({ ip: '10.0.0.5', helo: 'mx1.mail.provider.example' });
  });
  it('nothing when the topmost header is not the provider’s', () => {
    expect(entryHop(Buffer.from(`Received: from x (x [192.0.2.1]) by elsewhere.example; y\r\n${providerHeaders()}\r\nbody`), ['mail.provider.example'])).toBeUndefined();
  });
});
