/**
 * Where the stack is deployed and what that changes. One CDK app serves both partitions:
 *
 *   global (`aws`, no `region` context or any non-China region): SES v2 out, SES receipt rule in,
 *     Cognito user pool sign-in — today's stack.
 *   china (`aws-cn`: `-c region=cn-north-1` or `cn-northwest-1`): SES and Cognito user pools do
 *     not exist there, so mail goes out over SMTP (a provider such as Alibaba Cloud DirectMail or
 *     Tencent Cloud SES), replies come in by polling the reply mailbox over IMAP on a schedule,
 *     and sign-in is either the customer's OIDC issuer or Suiji's built-in sign-in (password +
 *     TOTP, tokens signed by a KMS key, JWKS served by the API itself).
 *
 * Everything here comes from CDK context (`-c key=value`); docs/DEPLOY.md lists the keys.
 */
import { Token, type App } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

export type Partition = 'global' | 'china';

export type SignIn =
  | { mode: 'cognito' }
  /**
   * The customer's OIDC issuer (e.g. a province's 政务服务统一身份认证): the HTTP API's JWT
   * authorizer checks issuer and audience; the claims named here carry role, department and
   * inspector id (values mapped through `roleValues` when the issuer's differ from Suiji's).
   */
  | {
      mode: 'oidc';
      issuer: string;
      audience: string[];
      /** The console's OAuth client (authorization code + PKCE, public client); default the first audience. */
      clientId: string;
      roleClaim: string;
      departmentClaim: string;
      inspectorIdClaim: string;
      /** `coordinator=<value>,leader=<value>,inspector=<value>` (context oidcRoleValues); empty: the values are Suiji's role names. */
      roleValues: string;
      /**
       * Claim with the authentication methods (RFC 8176, context oidcMfaClaim, default `amr`):
       * approving, publishing and closing the ceremony need a second factor in it. Empty (context
       * `oidcMfaClaim=none`): the issuer requires MFA for every sign-in and Suiji takes its word.
       */
      mfaClaim: string;
    }
  /** Suiji's own sign-in (等保 2.0 level 3: password + TOTP, lockout, expiry, audit). */
  | { mode: 'builtin' };

export interface MailServers {
  smtp: { host: string; port: number; secretArn?: string; envelopeFrom?: string };
  imap: { host: string; port: number; secretArn?: string; mailbox?: string };
  /** Host-name suffixes of the mailbox provider's own servers (MAIL_AUTH_TRUSTED_HOSTS). */
  authTrustedHosts?: string;
  /** Minutes between two polls of the reply mailbox. */
  pollMinutes: number;
}

export interface Deployment {
  partition: Partition;
  /** The region from context, if any (else the stack is region-agnostic). */
  region?: string;
  account?: string;
  signIn: SignIn;
  /** china only. */
  mail?: MailServers;
}

export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;

/** The partition of a concrete region, from the CDK's region facts. */
export function partitionOf(region: string | undefined): Partition {
  if (!region || Token.isUnresolved(region)) return 'global';
  return RegionInfo.get(region).partition === 'aws-cn' ? 'china' : 'global';
}

function ctxReader(app: App) {
  return (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    if (v === undefined || v === null || v === '') return undefined;
    return String(v);
  };
}

/** The deployment described by the app's context; a missing or malformed setting fails synthesis with its key. */
export function deploymentOf(app: App): Deployment {
  const ctx = ctxReader(app);
  const region = ctx('region');
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`context region: "${region}" is not an AWS region name`);
  const partition = partitionOf(region);
  const account = ctx('account');
  const signInMode = ctx('signIn') ?? (partition === 'china' ? 'builtin' : 'cognito');
  let signIn: SignIn;
  if (signInMode === 'cognito') {
    if (partition === 'china') throw new Error('context signIn=cognito: Cognito user pools do not exist in the AWS China regions; use signIn=oidc or signIn=builtin');
    signIn = { mode: 'cognito' };
  } else if (signInMode === 'oidc') {
    const issuer = ctx('oidcIssuer');
    const audience = (ctx('oidcAudience') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    if (!issuer || !/^https:\/\/[^\s]+$/.test(issuer)) throw new Error('context signIn=oidc needs oidcIssuer=<https URL of the issuer>');
    if (!audience.length) throw new Error('context signIn=oidc needs oidcAudience=<client id>[,<client id>]');
    signIn = {
      mode: 'oidc',
      issuer: issuer.replace(/\/$/, ''),
      audience,
      clientId: ctx('oidcClientId') ?? audience[0]!,
      roleClaim: ctx('oidcRoleClaim') ?? 'groups',
      departmentClaim: ctx('oidcDepartmentClaim') ?? 'department',
      inspectorIdClaim: ctx('oidcInspectorIdClaim') ?? 'inspector_id',
      roleValues: ctx('oidcRoleValues') ?? '',
      mfaClaim: (ctx('oidcMfaClaim') ?? 'amr') === 'none' ? '' : (ctx('oidcMfaClaim') ?? 'amr'),
    };
  } else if (signInMode === 'builtin') {
    signIn = { mode: 'builtin' };
  } else {
    throw new Error(`context signIn must be cognito, oidc or builtin, not "${signInMode}"`);
  }
  const out: Deployment = { partition, signIn, ...(region ? { region } : {}), ...(account ? { account } : {}) };
  if (partition === 'china') {
    const num = (key: string, d: number): number => {
      const v = ctx(key);
      if (v === undefined) return d;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`context ${key} must be a positive integer, not "${v}"`);
      return n;
    };
    const opt = <K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> => (v ? ({ [k]: v } as Record<K, string>) : {});
    const arn = (key: string): string | undefined => {
      const v = ctx(key);
      if (v && !/^arn:aws-cn:secretsmanager:cn-(north|northwest)-1:\d{12}:secret:.+$/.test(v)) throw new Error(`context ${key}: "${v}" is not a Secrets Manager secret ARN of the aws-cn partition`);
      return v;
    };
    out.mail = {
      // Alibaba Cloud DirectMail by default; Tencent Cloud SES: smtp.qcloudmail.com.
      smtp: { host: ctx('smtpHost') ?? 'smtpdm.aliyun.com', port: num('smtpPort', 465), ...opt('secretArn', arn('smtpSecretArn')), ...opt('envelopeFrom', ctx('smtpEnvelopeFrom')) },
      imap: { host: ctx('imapHost') ?? 'imap.qiye.aliyun.com', port: num('imapPort', 993), ...opt('secretArn', arn('imapSecretArn')), ...opt('mailbox', ctx('imapMailbox')) },
      ...opt('authTrustedHosts', ctx('mailAuthTrustedHosts')),
      pollMinutes: num('imapPollMinutes', 1),
    };
  }
  return out;
}
