/**
 * What the data must survive and who may reach the API: table and bucket retention and keys,
 * one API Gateway route per ROUTES entry with the right authorizer, the Cognito pool, the daily
 * schedules in China time and the SES wiring.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../shared/http/routes.js';
import { TABLE } from '../../shared/store/table.js';
import { FUNCTIONS } from '../../infra/functions.js';
import { RECOVERY_SCHEDULE } from '../../infra/app-stack.js';
import { asArray, resourcesOf, synth } from './synth.js';

const s = synth();
const fnLogicalId = (id: string): string => {
  const found = resourcesOf(s.appJson, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['suiji:entry'] === FUNCTIONS.find((f) => f.id === id)!.entry);
  expect(found).toHaveLength(1);
  return found[0]![0];
};

describe('data stack', () => {
  it('has exactly one table, keyed and indexed as shared/store/table.ts says', () => {
    const tables = resourcesOf(s.dataJson, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const p = tables[0]![1].Properties!;
    expect(p.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const expected = Object.values(TABLE.indexes).map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    expect(p.GlobalSecondaryIndexes).toEqual(expected);
    // Every key attribute is a string; nothing else is declared.
    const keyNames = [TABLE.partitionKey, TABLE.sortKey, ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey])];
    expect(new Set(p.AttributeDefinitions)).toEqual(new Set(keyNames.map((n) => ({ AttributeName: n, AttributeType: 'S' }))));
    expect(p.AttributeDefinitions).toHaveLength(keyNames.length);
  });

  it('keeps the table: TTL, on-demand, PITR, deletion protection, encryption, RETAIN', () => {
    s.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });

  it('keeps every bucket private, TLS-only and retained; the blob bucket is versioned and logged', () => {
    const buckets = resourcesOf(s.dataJson, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      expect(b.DeletionPolicy, id).toBe('Retain');
      expect(b.Properties!.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = resourcesOf(s.dataJson, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties!.Bucket.Ref === id);
      expect(policy, `${id} has a bucket policy`).toBeDefined();
      expect(policy![1].Properties!.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    const blobs = buckets.find(([, b]) => b.Properties!.LoggingConfiguration);
    expect(blobs).toBeDefined();
    expect(blobs![1].Properties!.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const logBucketId = blobs![1].Properties!.LoggingConfiguration.DestinationBucketName.Ref;
    expect(buckets.map(([id]) => id)).toContain(logBucketId);
  });

  it('lets SES write raw mail only under inbound/ of the blob bucket, from this account', () => {
    const statements = resourcesOf(s.dataJson, 'AWS::S3::BucketPolicy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as any[]);
    const ses = statements.filter((st) => st.Principal?.Service === 'ses.amazonaws.com');
    expect(ses).toHaveLength(1);
    expect(ses[0].Action).toBe('s3:PutObject');
    expect(ses[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect(JSON.stringify(ses[0].Resource)).toMatch(/"\/inbound\/\*"/);
  });
});

describe('HTTP API', () => {
  const routes = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Route');
  const byKey = new Map(routes.map(([, r]) => [r.Properties!.RouteKey as string, r.Properties!]));
  const authorizers = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Authorizer');

  it('creates exactly one route per deployable ROUTES entry and none for local-only ones', () => {
    const deployable = ROUTES.filter((r) => r.auth !== 'local').map((r) => `${r.method} ${r.path}`);
    expect(routes).toHaveLength(deployable.length);
    expect([...byKey.keys()].sort()).toEqual([...deployable].sort());
    for (const r of ROUTES.filter((x) => x.auth === 'local')) expect(byKey.has(`${r.method} ${r.path}`)).toBe(false);
  });

  it('guards every jwt route with the Cognito JWT authorizer and leaves public and link routes open', () => {
    expect(authorizers).toHaveLength(1);
    const [authId, auth] = authorizers[0]!;
    expect(auth.Properties!.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(auth.Properties!.JwtConfiguration.Issuer)).toContain('cognito-idp');
    for (const r of ROUTES.filter((x) => x.auth !== 'local')) {
      const p = byKey.get(`${r.method} ${r.path}`)!;
      if (r.auth === 'jwt') {
        expect(p.AuthorizationType, `${r.method} ${r.path}`).toBe('JWT');
        expect(p.AuthorizerId, `${r.method} ${r.path}`).toEqual({ Ref: authId });
      } else {
        expect(p.AuthorizationType, `${r.method} ${r.path}`).toBe('NONE');
        expect(p.AuthorizerId, `${r.method} ${r.path}`).toBeUndefined();
      }
    }
  });

  it('sends every route to the api Lambda through one integration', () => {
    const integrations = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(1);
    const [integrationId, integration] = integrations[0]!;
    expect(integration.Properties!.IntegrationUri).toEqual({ 'Fn::GetAtt': [fnLogicalId('Api'), 'Arn'] });
    expect(integration.Properties!.PayloadFormatVersion).toBe('2.0');
    for (const [, r] of routes) expect(r.Properties!.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
  });

  it('logs access and throttles on the stage', () => {
    s.app.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });

  it('has a user pool without self sign-up, with a strong password policy, MFA and the three groups', () => {
    s.app.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: Match.anyValue(), RequireSymbols: true, RequireUppercase: true, RequireNumbers: true }) },
        Schema: Match.arrayWith([Match.objectLike({ Name: 'department', AttributeDataType: 'String', Mutable: true })]),
      }),
    });
    const groups = resourcesOf(s.appJson, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties!.GroupName);
    expect(groups.sort()).toEqual(['coordinator', 'inspector', 'leader']);
    // Users cannot rewrite their own department (it scopes what a coordinator may touch).
    const client = resourcesOf(s.appJson, 'AWS::Cognito::UserPoolClient')[0]![1].Properties!;
    expect(client.ReadAttributes).toContain('custom:department');
    expect(client.WriteAttributes).not.toContain('custom:department');
  });
});

describe('schedules', () => {
  const schedules = resourcesOf(s.appJson, 'AWS::Scheduler::Schedule');
  const expected = [
    { name: 'DailyDeadlines', fn: 'JobDeadlines', cron: 'cron(0 8 * * ? *)' },
    { name: 'DailyReports', fn: 'JobReports', cron: 'cron(30 8 * * ? *)' },
  ];

  it('runs the two daily jobs in Asia/Shanghai with retries and a dead-letter queue', () => {
    expect(schedules).toHaveLength(expected.length + 1); // and the recovery job
    for (const e of expected) {
      const found = schedules.filter(([, r]) => r.Metadata?.['suiji:schedule']?.name === e.name);
      expect(found, e.name).toHaveLength(1);
      const [, r] = found[0]!;
      expect(r.Properties!.ScheduleExpression).toBe(e.cron);
      expect(r.Properties!.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
      expect(r.Properties!.Target.Arn).toEqual({ 'Fn::GetAtt': [fnLogicalId(e.fn), 'Arn'] });
      expect(r.Properties!.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(r.Properties!.Target.DeadLetterConfig.Arn).toBeDefined();
      // What the local scheduler reads.
      const meta = r.Metadata!['suiji:schedule'];
      expect(meta.function).toBe(fnLogicalId(e.fn));
      expect(meta.timezone).toBe('Asia/Shanghai');
      expect(`cron(${meta.cron})`).toBe(e.cron);
      expect(existsSync(meta.entry)).toBe(true);
    }
  });

  it('runs the recovery job every minute (owed mail, stalled lifecycle steps), without retries: the next run does the same', () => {
    const found = schedules.filter(([id]) => id.startsWith(RECOVERY_SCHEDULE));
    expect(found).toHaveLength(1);
    const p = found[0]![1].Properties!;
    expect(p.ScheduleExpression).toBe('rate(1 minute)');
    expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [fnLogicalId('JobRecover'), 'Arn'] });
    expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBe(0);
  });
});

describe('mail', () => {
  it('verifies the sending domain and reports problems through an encrypted topic to mail/events', () => {
    s.app.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.gov.cn' });
    const [, dest] = resourcesOf(s.appJson, 'AWS::SES::ConfigurationSetEventDestination')[0]!;
    expect(new Set(dest.Properties!.EventDestination.MatchingEventTypes)).toEqual(new Set(['bounce', 'complaint', 'deliveryDelay', 'reject']));
    const topicId = dest.Properties!.EventDestination.SnsDestination.TopicARN.Ref;
    expect(s.appJson.Resources[topicId]!.Properties!.KmsMasterKeyId).toBeDefined();
    s.app.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnLogicalId('MailEvents'), 'Arn'] },
    });
  });

  it('stores inbound mail for the reply domain under inbound/ with scanning, and hands it to mail/inbound', () => {
    s.app.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['reply.example.gov.cn'],
        ScanEnabled: true,
        Actions: [{ S3Action: Match.objectLike({ ObjectKeyPrefix: 'inbound/' }) }],
      }),
    });
    const [, notif] = resourcesOf(s.appJson, 'Custom::S3BucketNotifications')[0]!;
    const cfg = notif.Properties!.NotificationConfiguration.LambdaFunctionConfigurations;
    expect(cfg).toHaveLength(1);
    expect(cfg[0].LambdaFunctionArn).toEqual({ 'Fn::GetAtt': [fnLogicalId('MailInbound'), 'Arn'] });
    expect(cfg[0].Filter.Key.FilterRules).toEqual([{ Name: 'prefix', Value: 'inbound/' }]);
    const output = Object.values(s.appJson.Outputs ?? {}).find((o) => /set-active-receipt-rule-set/.test(o.Description ?? ''));
    expect(output, 'an output says the rule set must be activated').toBeDefined();
  });

  it('gives every function the same mail settings, from the context', () => {
    for (const [, fn] of resourcesOf(s.appJson, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['suiji:entry'])) {
      const env = fn.Properties!.Environment.Variables;
      expect(env.MAIL_FROM).toBe('suiji@example.gov.cn');
      expect(env.MAIL_INBOUND_DOMAIN).toBe('reply.example.gov.cn');
      expect(asArray(env.SES_CONFIGURATION_SET)).toHaveLength(1);
    }
  });
});
