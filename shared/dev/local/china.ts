/**
 * The local platform's China mode (`SUIJI_MODE=cn npm start`): what the aws-cn stack talks to,
 * as real servers on loopback instead of the SES emulator and Cognito —
 *
 *   SMTP          the local SMTP server (smtp.ts): the provider Suiji submits to (AUTH) and the
 *                 reply mailbox's MX, delivering into Maildirs
 *   IMAP          dovecot (dovecot.ts) serving those Maildirs: `reply` is polled by the
 *                 MailImapPoll function on its schedule, `outbox` holds every message sent
 *   Secrets       the local Secrets Manager (secrets.ts) with the SMTP and IMAP logins
 *   DNS           a loopback DNS server (dns.ts) answering SPF, DKIM and DMARC for every
 *                 domain, so replies are authenticated exactly as in AWS (mailauth)
 *   sign-in       the built-in sign-in, its RS256 key in a file under the data folder
 *
 * Passwords, the DKIM key and the signing key are generated once and kept under the data folder.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { dkimSign } from 'mailauth';
import { simpleParser } from 'mailparser';
import { freePort } from './dynamo.js';
import { startDovecot, type LocalDovecot } from './dovecot.js';
import { OUTBOX_MAILBOX, REPLY_MAILBOX, startLocalSmtp, type LocalSmtp } from './smtp.js';
import { startLocalSecrets, type LocalSecrets } from './secrets.js';
import { localMailZone, startLocalDns, type LocalDns } from './dns.js';

export const LOCAL_DKIM_SELECTOR = 'suijilocal';

export interface ChinaServices {
  /** Environment for every function (overrides the template's SMTP/IMAP hosts and secrets). */
  env: Record<string, string>;
  smtp: LocalSmtp;
  dovecot: LocalDovecot;
  /** IMAP passwords of the `reply` and `outbox` mailboxes (for a mail client or a test). */
  mailboxPasswords: Record<'reply' | 'outbox', string>;
  /**
   * Delivers a reply to the reply mailbox's MX as an inspector's mail provider would: DKIM-signed
   * for the From domain with the platform's key (published by the local DNS), from 127.0.0.1.
   */
  deliverReply(raw: Buffer): Promise<void>;
  stop(): Promise<void>;
}

function persisted(file: string, make: () => string): string {
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8');
}

export async function startChinaServices(opts: { dataDir: string; inboundDomain: string; log?: (l: string) => void }): Promise<ChinaServices> {
  const dir = join(opts.dataDir, 'cn');
  mkdirSync(dir, { recursive: true });
  const pw = JSON.parse(
    persisted(join(dir, 'mail-passwords.json'), () =>
      JSON.stringify({ reply: randomBytes(12).toString('hex'), outbox: randomBytes(12).toString('hex'), suiji: randomBytes(12).toString('hex') }),
    ),
  ) as Record<'reply' | 'outbox' | 'suiji', string>;
  const dkimPem = persisted(join(dir, 'dkim.pem'), () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const dkimPublic = createPublicKey(createPrivateKey(dkimPem)).export({ type: 'spki', format: 'der' }).toString('base64');

  const dovecot = await startDovecot({ dir: join(dir, 'dovecot'), port: await freePort(), users: { reply: pw.reply, outbox: pw.outbox }, ...(opts.log ? { log: opts.log } : {}) });
  const smtp = await startLocalSmtp({ port: await freePort(), mailRoot: dovecot.mailRoot, inboundDomain: opts.inboundDomain, users: { suiji: pw.suiji }, owner: dovecot.owner });
  const secrets: LocalSecrets = await startLocalSecrets();
  const dns: LocalDns = await startLocalDns(localMailZone(LOCAL_DKIM_SELECTOR, dkimPublic));
  const env = {
    MAIL_TRANSPORT: 'smtp',
    MAIL_SMTP_HOST: '127.0.0.1',
    MAIL_SMTP_PORT: String(smtp.port),
    MAIL_SMTP_SECURE: 'false',
    MAIL_SMTP_SECRET_ARN: secrets.put('suiji/smtp', { username: 'suiji', password: pw.suiji }),
    MAIL_SMTP_ENVELOPE_FROM: `bounces@${opts.inboundDomain}`,
    MAIL_IMAP_HOST: '127.0.0.1',
    MAIL_IMAP_PORT: String(dovecot.port),
    MAIL_IMAP_SECURE: 'false',
    MAIL_IMAP_SECRET_ARN: secrets.put('suiji/imap', { username: REPLY_MAILBOX, password: pw.reply }),
    MAIL_INBOUND_DOMAIN: opts.inboundDomain,
    MAIL_DNS_SERVERS: dns.server,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AUTH_SIGNING_KEY_FILE: join(dir, 'signin-key.pem'),
  };
  return {
    env,
    smtp,
    dovecot,
    mailboxPasswords: { reply: pw.reply, outbox: pw.outbox },
    deliverReply: async (raw) => {
      const parsed = await simpleParser(raw);
      const from = parsed.from?.value[0]?.address ?? '';
      const domain = from.split('@')[1];
      if (!domain) throw new Error('the reply has no From address');
      const signer = { signingDomain: domain, selector: LOCAL_DKIM_SELECTOR, privateKey: dkimPem };
      const signed = await dkimSign(raw, { ...signer, canonicalization: 'relaxed/relaxed', signatureData: [signer] });
      if (signed.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(signed.errors)}`);
      const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
      const t = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, name: `mail.${domain}` });
      try {
        await t.sendMail({ envelope: { from, to }, raw: Buffer.concat([Buffer.from(signed.signatures), raw]) });
      } finally {
        t.close();
      }
    },
    stop: async () => {
      await smtp.stop();
      await dovecot.stop();
      await secrets.close();
      await dns.stop();
    },
  };
}

export { OUTBOX_MAILBOX, REPLY_MAILBOX };
