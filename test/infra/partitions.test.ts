/**
 * One app, two partitions: `-c region=cn-north-1` (or cn-northwest-1) synthesizes a stack for
 * aws-cn — no SES, no Cognito user pool, no S3 notification custom resource; SMTP out with its
 * secret, the IMAP poll on a schedule with its secret, the built-in or OIDC sign-in — whose
 * ARNs, domains and service principals are the partition's; without it, today's global stack.
 */
import { describe, expect, it } from 'vitest';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../infra/build.js';
import { functionsFor } from '../../infra/functions.js';
import { runNag } from '../../infra/nag.js';
import { IMAP_POLL_SCHEDULE } from '../../infra/app-stack.js';
import { asArray, resourcesOf, statementsByRole, synth, type Resource, type Synthesized } from './synth.js';

const OIDC = {
  signIn: 'oidc',
  oidcIssuer: 'https://tyrz.example.gov.cn/realms/suiji',
  oidcAudience: 'suiji-console,suiji-cli',
  oidcRoleClaim: 'roles',
  oidcDepartmentClaim: 'org_code',
  oidcRoleValues: 'coordinator=双随机联络员,leader=分管领导,inspector=执法人员',
};
const SMTP_ARN = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:suiji/smtp-AbCdEf';

const global = synth();
const beijing = synth({ nag: true, context: { region: 'cn-north-1' } });
const ningxia = synth({ nag: true, context: { region: 'cn-northwest-1', ...OIDC, smtpSecretArn: SMTP_ARN, imapHost: 'imap.exmail.qq.com', smtpHost: 'smtp.qcloudmail.com' } });

const types = (s: Synthesized): Set<string> => new Set([...Object.values(s.appJson.Resources), ...Object.values(s.dataJson.Resources)].map((r) => r.Type));
const fnOf = (s: Synthesized, id: string): [string, Resource] | undefined =>
  resourcesOf(s.appJson, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['suiji:entry'] === functionsFor('china').concat(functionsFor('global')).find((f) => f.id === id)!.entry);
const envOf = (s: Synthesized, id: string): Record<string, unknown> => fnOf(s, id)![1].Properties!.Environment.Variables;
const statementsOf = (s: Synthesized, id: string): any[] => statementsByRole(s.appJson).get(fnOf(s, id)![1].Properties!.Role['Fn::GetAtt'][0]) ?? [];

/** Every service principal named anywhere in a template (policies, key policies, permissions). */
function principals(t: { Resources: Record<string, Resource> }): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Service') out.push(...asArray(x as unknown));
        else if (k === 'Principal' && typeof x === 'string' && x.includes('amazonaws')) out.push(x);
        else walk(x);
      }
    }
  };
  walk(t.Resources);
  return out;
}

describe('the global stack (no region context)', () => {
  it('keeps Cognito, SES sending and receiving, and the S3 notification for inbound mail', () => {
    const t = types(global);
    for (const type of ['AWS::Cognito::UserPool', 'AWS::SES::ConfigurationSet', 'AWS::SES::EmailIdentity', 'AWS::SES::ReceiptRule', 'Custom::S3BucketNotifications']) {
      expect(t.has(type), type).toBe(true);
    }
    expect(t.has('AWS::SecretsManager::Secret')).toBe(false);
    expect(fnOf(global, 'MailImapPoll')).toBeUndefined();
    expect(envOf(global, 'Api').MAIL_TRANSPORT).toBeUndefined();
    expect(resourcesOf(global.appJson, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties!.JwtConfiguration.Issuer).toEqual(
      expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([expect.stringMatching(/cognito-idp/)])]) }),
    );
  });
});

describe.each([
  ['cn-north-1 (built-in sign-in)', beijing, 'cn-north-1'],
  ['cn-northwest-1 (OIDC, imported SMTP secret)', ningxia, 'cn-northwest-1'],
] as const)('the aws-cn stack: %s', (_name, s, region) => {
  it('has no SES, no Cognito user pool, no S3 notification custom resource', () => {
    const t = [...types(s)];
    expect(t.filter((x) => /^AWS::(SES|Cognito)::/.test(x))).toEqual([]);
    expect(t.filter((x) => x === 'Custom::S3BucketNotifications')).toEqual([]);
    expect(principals(s.appJson)).not.toContain('s3.amazonaws.com');
    expect(principals(s.appJson)).not.toContain('ses.amazonaws.com');
    expect(fnOf(s, 'MailInbound')).toBeUndefined();
    expect(fnOf(s, 'MailEvents')).toBeUndefined();
    expect(Object.keys(s.appJson.Outputs ?? {})).toEqual(expect.arrayContaining(['ApiUrl', 'ConsoleUrl']));
    expect(Object.keys(s.appJson.Outputs ?? {}).filter((o) => /UserPool|InboundRuleSet/.test(o))).toEqual([]);
  });

  it('large imports: the API starts the import run by an asynchronous invoke, not an S3 notification; the bucket takes presigned PUTs from the console', () => {
    const [importRun] = fnOf(s, 'ImportRun')!;
    expect(envOf(s, 'Api').IMPORT_RUN_FUNCTION).toEqual({ Ref: importRun });
    // the import run, and the recovery function that sends a result's confirmation after the answer
    const [recover] = fnOf(s, 'JobRecover')!;
    expect(statementsOf(s, 'Api').filter((st) => st.Action === 'lambda:InvokeFunction').map((st) => st.Resource)).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [importRun, 'Arn'] }, { 'Fn::GetAtt': [recover, 'Arn'] }]),
    );
    expect(statementsOf(s, 'Api').filter((st) => st.Action === 'lambda:InvokeFunction')).toHaveLength(2);
    // no S3 → Lambda permission anywhere (the aws-cn trap of S3 notifications does not arise)
    expect(resourcesOf(s.appJson, 'AWS::Lambda::Permission').filter(([, r]) => JSON.stringify(r.Properties).includes('s3'))).toEqual([]);
    const [, bucket] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([id]) => id.startsWith('Blobs'))!;
    expect(bucket.Properties!.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['PUT'] })]);
    // uploads expire with the imports/ prefix
    expect(bucket.Properties!.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ Prefix: 'imports/', ExpirationInDays: 180 })]));
  });

  it('names the region and the aws-cn partition: no arn:aws: literal, no global service domain', () => {
    for (const t of [s.appJson, s.dataJson]) {
      const text = JSON.stringify(t.Resources);
      expect(text).not.toMatch(/arn:aws:/);
      expect(text).not.toMatch(/[a-z-]+\.(us|eu|ap)-[a-z]+-\d\.amazonaws\.com/);
      // Every ARN literal is the partition's, in this region (IAM and S3 have no region).
      for (const arn of text.match(/arn:aws-cn:[a-z0-9-]+:[a-z0-9-]*:/g) ?? []) expect(arn).toMatch(new RegExp(`^arn:aws-cn:[a-z0-9-]+:(${region})?:$`));
    }
    expect(beijing.built.appStack.partition).toBe('aws-cn');
  });

  it("uses service principals the CDK's region facts give for this region; CloudWatch Logs' key policy uses the regional one", () => {
    // The principal the CDK's region facts resolve to in this stack's region.
    const allowed = new Set(
      ['lambda', 'states', 'scheduler', 'cloudwatch', 'apigateway', 'logging.s3'].map((svc) => s.built.appStack.resolve(ServicePrincipal.servicePrincipalName(`${svc}.amazonaws.com`)) as string),
    );
    for (const p of principals(s.appJson).concat(principals(s.dataJson))) {
      if (typeof p === 'string') {
        expect(allowed.has(p), p).toBe(true);
        continue;
      }
      // logs.<region>.amazonaws.com.cn: CloudWatch Logs encrypting with the key in aws-cn.
      expect(p).toEqual({ 'Fn::Join': ['', [`logs.${region}.`, { Ref: 'AWS::URLSuffix' }]] });
    }
    expect(principals(s.appJson)).toContainEqual({ 'Fn::Join': ['', [`logs.${region}.`, { Ref: 'AWS::URLSuffix' }]] });
  });

  it('sends mail over SMTP with the secret in Secrets Manager, readable by the mail functions only', () => {
    const mailFns = functionsFor('china').filter((f) => f.mail).map((f) => f.id);
    const others = functionsFor('china').filter((f) => !f.mail).map((f) => f.id);
    for (const id of mailFns) {
      const env = envOf(s, id);
      expect(env.MAIL_TRANSPORT, id).toBe('smtp');
      expect(env.MAIL_SMTP_PORT, id).toBe('465');
      expect(env.SES_CONFIGURATION_SET, id).toBeUndefined();
      const reads = statementsOf(s, id).filter((st) => asArray<string>(st.Action).includes('secretsmanager:GetSecretValue'));
      expect(reads.length, id).toBeGreaterThan(0);
      expect(reads.flatMap((st) => asArray(st.Resource)), id).toContainEqual(env.MAIL_SMTP_SECRET_ARN);
      expect(statementsOf(s, id).flatMap((st) => asArray<string>(st.Action)).filter((a) => a.startsWith('ses:')), id).toEqual([]);
    }
    for (const id of others) {
      expect(statementsOf(s, id).flatMap((st) => asArray<string>(st.Action)).filter((a) => a.startsWith('secretsmanager:')), id).toEqual([]);
    }
  });

  it('polls the reply mailbox every minute with its own secret, readable by the poll only', () => {
    const [pollId] = fnOf(s, 'MailImapPoll')!;
    const env = envOf(s, 'MailImapPoll');
    expect(env.MAIL_IMAP_PORT).toBe('993');
    expect(env.MAIL_IMAP_SECRET_ARN).toBeDefined();
    const schedules = resourcesOf(s.appJson, 'AWS::Scheduler::Schedule').filter(([id]) => id.startsWith(IMAP_POLL_SCHEDULE));
    expect(schedules).toHaveLength(1);
    const p = schedules[0]![1].Properties!;
    expect(p.ScheduleExpression).toBe('rate(1 minute)');
    expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [pollId, 'Arn'] });
    expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBe(0);
    const imapSecret = JSON.stringify(env.MAIL_IMAP_SECRET_ARN);
    for (const spec of functionsFor('china')) {
      const reads = statementsOf(s, spec.id).some(
        (st) => asArray<string>(st.Action).includes('secretsmanager:GetSecretValue') && asArray(st.Resource).some((r) => JSON.stringify(r) === imapSecret),
      );
      expect(reads, spec.id).toBe(spec.id === 'MailImapPoll');
    }
  });

  it('passes the cdk-nag AwsSolutions checks, every acknowledgment with a reason', () => {
    const report = runNag(s.built.app, true);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('sign-in in aws-cn', () => {
  it('built-in (default): the JWT authorizer trusts the stack itself at <API endpoint>/auth, tokens signed by an RSA key in KMS', () => {
    const [[, authorizer]] = resourcesOf(beijing.appJson, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    const cfg = authorizer.Properties!.JwtConfiguration;
    expect(cfg.Audience).toEqual(['suiji']);
    const [apiId, api] = resourcesOf(beijing.appJson, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(cfg.Issuer).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, '/auth']] });
    expect(api.Properties!.ProtocolType).toBe('HTTP');
    const keys = resourcesOf(beijing.appJson, 'AWS::KMS::Key').filter(([, k]) => k.Properties!.KeyUsage === 'SIGN_VERIFY');
    expect(keys).toHaveLength(1);
    expect(keys[0]![1].Properties!.KeySpec).toBe('RSA_2048');
    const env = envOf(beijing, 'Api');
    expect(env.AUTH_MODE).toBe('builtin');
    expect(env.AUTH_SIGNING_KEY_ARN).toEqual({ 'Fn::GetAtt': [keys[0]![0], 'Arn'] });
    const signing = statementsOf(beijing, 'Api').filter((st) => asArray<string>(st.Action).includes('kms:Sign'));
    expect(signing).toHaveLength(1);
    expect(signing[0].Resource).toEqual({ 'Fn::GetAtt': [keys[0]![0], 'Arn'] });
    // Only the API signs.
    for (const spec of functionsFor('china').filter((f) => f.id !== 'Api')) {
      expect(statementsOf(beijing, spec.id).flatMap((st) => asArray<string>(st.Action)).filter((a) => a.startsWith('kms:Sign')), spec.id).toEqual([]);
    }
  });

  it("OIDC: the customer's issuer and audiences in the JWT authorizer, the claims mapping in the API's environment", () => {
    const [[, authorizer]] = resourcesOf(ningxia.appJson, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    expect(authorizer.Properties!.JwtConfiguration).toEqual({ Issuer: OIDC.oidcIssuer, Audience: ['suiji-console', 'suiji-cli'] });
    const env = envOf(ningxia, 'Api');
    expect(env).toMatchObject({
      AUTH_MODE: 'oidc',
      AUTH_ISSUER: OIDC.oidcIssuer,
      AUTH_CLIENT_ID: 'suiji-console',
      AUTH_CLAIM_ROLE: 'roles',
      AUTH_CLAIM_DEPARTMENT: 'org_code',
      AUTH_ROLE_VALUES: OIDC.oidcRoleValues,
    });
    expect(resourcesOf(ningxia.appJson, 'AWS::KMS::Key').filter(([, k]) => k.Properties!.KeyUsage === 'SIGN_VERIFY')).toEqual([]);
    // The imported SMTP secret is used by ARN; only the IMAP secret is created.
    expect(envOf(ningxia, 'Api').MAIL_SMTP_SECRET_ARN).toBe(SMTP_ARN);
    expect(envOf(ningxia, 'Api').MAIL_SMTP_HOST).toBe('smtp.qcloudmail.com');
    expect(resourcesOf(ningxia.appJson, 'AWS::SecretsManager::Secret')).toHaveLength(1);
  });

  it('refuses what cannot work, naming the context key', () => {
    const build = (context: Record<string, unknown>) => () => buildApp({ local: true, context });
    expect(build({ region: 'cn-north-1', signIn: 'cognito' })).toThrow(/Cognito user pools do not exist/);
    expect(build({ region: 'cn-north-1', signIn: 'oidc', oidcAudience: 'x' })).toThrow(/oidcIssuer/);
    expect(build({ region: 'cn-north-1', signIn: 'oidc', oidcIssuer: 'https://id.example.gov.cn' })).toThrow(/oidcAudience/);
    expect(build({ region: 'cn-north-1', smtpSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' })).toThrow(/smtpSecretArn/);
    expect(build({ region: 'cn-north-1', imapPollMinutes: '0' })).toThrow(/imapPollMinutes/);
    expect(build({ region: 'beijing' })).toThrow(/region/);
  });
});
