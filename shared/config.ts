/**
 * Runtime configuration, read from the environment once. The same variables are set by the CDK
 * app on every Lambda and by the local platform on its in-process handlers.
 */
export interface SuijiConfig {
  /** DynamoDB table name (TABLE_NAME). */
  readonly tableName: string;
  /** Bucket for draw records, import uploads and inbound mail (BLOB_BUCKET). Locally a folder. */
  readonly blobBucket: string;
  /** Lifecycle state machine ARN (STATE_MACHINE_ARN). */
  readonly stateMachineArn: string;
  /** Sender address for all mail (MAIL_FROM). */
  readonly mailFrom: string;
  /** Domain whose inbound mail reaches Suiji; reply-to addresses are built on it (MAIL_INBOUND_DOMAIN). */
  readonly mailInboundDomain: string;
  /** SES configuration set carrying the bounce/complaint event destination (SES_CONFIGURATION_SET). */
  readonly sesConfigurationSet: string;
  /**
   * The web console (CONSOLE_URL; default: PUBLIC_BASE_URL + /console, where the API serves it).
   * Mails that ask for an act with legal weight link here: the console signs in first.
   */
  readonly consoleUrl: string;
  /** Base URL of the public site and of e-mail links (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
  /** Endpoint overrides for the local platform (AWS_ENDPOINT_URL_DYNAMODB, …, read by the SDK itself). */
  readonly local: boolean;
  /** How mail goes out and comes in (MAIL_*; see MailConfig). */
  readonly mail: MailConfig;
}

/**
 * Mail transport settings. SES v2 where SES exists; SMTP out and IMAP in where it does not
 * (the AWS China regions). Credentials are never in the environment: SMTP and IMAP each name a
 * Secrets Manager secret whose SecretString is `{"username": "…", "password": "…"}`.
 */
export interface MailConfig {
  /** `ses` (SES v2, the default) or `smtp` (MAIL_TRANSPORT). */
  readonly transport: 'ses' | 'smtp';
  /**
   * Sending rate per process, messages per second, and the bucket's size (MAIL_SEND_RATE,
   * MAIL_SEND_BURST; 0 = no limit). Default: no limit for SES (throttling is retried), 10/s for
   * SMTP (Tencent Cloud SES allows 20 calls/s per account: room for two sending functions).
   */
  readonly sendRate: number;
  readonly sendBurst: number;
  readonly smtp: {
    /** MAIL_SMTP_HOST, e.g. smtpdm.aliyun.com (Alibaba Cloud DirectMail), smtp.qcloudmail.com (Tencent Cloud SES). */
    readonly host: string;
    /** MAIL_SMTP_PORT, default 465. */
    readonly port: number;
    /** Implicit TLS (MAIL_SMTP_SECURE; default true on port 465). Without it STARTTLS is required, except on loopback. */
    readonly secure: boolean;
    /** MAIL_SMTP_SECRET_ARN: the SMTP user and password. */
    readonly secretArn: string;
    /** Envelope sender (MAIL_SMTP_ENVELOPE_FROM, default MAIL_FROM): where bounces (DSNs) go, i.e. the polled mailbox. */
    readonly envelopeFrom: string;
  };
  readonly imap: {
    /** MAIL_IMAP_HOST, MAIL_IMAP_PORT (default 993), MAIL_IMAP_SECURE (default true on 993). */
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    /** MAIL_IMAP_SECRET_ARN: the reply mailbox's user and password. */
    readonly secretArn: string;
    /** Polled mailbox (MAIL_IMAP_MAILBOX, default INBOX) and where handled messages go (MAIL_IMAP_DONE_MAILBOX, default Suiji-Processed). */
    readonly mailbox: string;
    readonly doneMailbox: string;
    /** Messages handled per poll at most (MAIL_IMAP_MAX_PER_POLL, default 200); the rest wait for the next poll. */
    readonly maxPerPoll: number;
  };
  /**
   * Host-name suffixes of the mailbox provider's own servers (MAIL_AUTH_TRUSTED_HOSTS, comma
   * separated, e.g. `mxhichina.com,aliyun.com`). SPF is checked against the client of the first
   * Received header written by one of them; empty: the topmost Received header.
   */
  readonly authTrustedHosts: readonly string[];
  /** DNS servers for DKIM, SPF and DMARC look-ups (MAIL_DNS_SERVERS, `ip[:port]`, comma separated; default the system's). */
  readonly dnsServers: readonly string[];
}

function env(name: string, fallback?: string): string {
  const v = process.env[name] || fallback;
  if (v === undefined) throw new Error(`missing environment variable ${name}`);
  return v;
}

let cached: SuijiConfig | undefined;

export function config(): SuijiConfig {
  cached ??= {
    tableName: env('TABLE_NAME'),
    blobBucket: env('BLOB_BUCKET'),
    stateMachineArn: env('STATE_MACHINE_ARN', ''),
    mailFrom: env('MAIL_FROM', 'suiji@example.gov.cn'),
    mailInboundDomain: env('MAIL_INBOUND_DOMAIN', 'reply.example.gov.cn'),
    sesConfigurationSet: env('SES_CONFIGURATION_SET', 'suiji'),
    publicBaseUrl: env('PUBLIC_BASE_URL', 'http://localhost:3000'),
    consoleUrl: env('CONSOLE_URL', '') || `${env('PUBLIC_BASE_URL', 'http://localhost:3000')}/console`,
    local: process.env.SUIJI_LOCAL === '1',
    mail: mailConfig(),
  };
  return cached;
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const bool = (v: string | undefined, fallback: boolean): boolean => (v === undefined || v === '' ? fallback : /^(1|true|yes)$/i.test(v));

function mailConfig(): MailConfig {
  const transport = env('MAIL_TRANSPORT', 'ses');
  if (transport !== 'ses' && transport !== 'smtp') throw new Error(`MAIL_TRANSPORT must be ses or smtp, not "${transport}"`);
  const sendRate = Number(env('MAIL_SEND_RATE', transport === 'smtp' ? '10' : '0'));
  const smtpPort = Number(env('MAIL_SMTP_PORT', '465'));
  const imapPort = Number(env('MAIL_IMAP_PORT', '993'));
  return {
    transport,
    sendRate,
    sendBurst: Number(env('MAIL_SEND_BURST', String(Math.max(1, Math.floor(sendRate))))),
    smtp: {
      host: env('MAIL_SMTP_HOST', ''),
      port: smtpPort,
      secure: bool(process.env.MAIL_SMTP_SECURE, smtpPort === 465),
      secretArn: env('MAIL_SMTP_SECRET_ARN', ''),
      envelopeFrom: env('MAIL_SMTP_ENVELOPE_FROM', env('MAIL_FROM', 'suiji@example.gov.cn')),
    },
    imap: {
      host: env('MAIL_IMAP_HOST', ''),
      port: imapPort,
      secure: bool(process.env.MAIL_IMAP_SECURE, imapPort === 993),
      secretArn: env('MAIL_IMAP_SECRET_ARN', ''),
      mailbox: env('MAIL_IMAP_MAILBOX', 'INBOX'),
      doneMailbox: env('MAIL_IMAP_DONE_MAILBOX', 'Suiji-Processed'),
      maxPerPoll: Number(env('MAIL_IMAP_MAX_PER_POLL', '200')),
    },
    authTrustedHosts: list(process.env.MAIL_AUTH_TRUSTED_HOSTS).map((h) => h.toLowerCase()),
    dnsServers: list(process.env.MAIL_DNS_SERVERS),
  };
}

/** Tests and the local platform reset the cache after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
