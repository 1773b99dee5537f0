/**
 * Operations in AWS, read from the synthesized templates: every log group kept one year and
 * encrypted with a key CloudWatch Logs may use; nothing that identifies a person or carries a
 * credential in the API access log or the lifecycle log; alarms for dead letters, lifecycle
 * failures, API 5xx and every function's errors and throttles, to an encrypted topic the ops
 * addresses subscribe to; expiry of inbound mail and uploads; lower per-route throttling for
 * public pages and e-mail links.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routes.js';
import { FUNCTIONS as ALL_FUNCTIONS, functionsFor } from '../../infra/functions.js';

const FUNCTIONS = functionsFor('global');
import { BLOB_EXPIRY_DAYS } from '../../infra/data-stack.js';
import { ACCESS_LOG_FIELDS, API_5XX_PERCENT, API_THROTTLE, parseOpsEmails, throttleClass } from '../../infra/operations.js';
import { LIFECYCLE_HUMAN_OUTCOMES, METRICS_NAMESPACE, emfCount } from '../../shared/lambda/metrics.js';
import { HUMAN_OUTCOMES } from '../../shared/lifecycle/errors.js';
import { HUMAN_ERRORS } from '../../infra/lifecycle.js';
import { asArray, resourcesOf, synth, type Resource } from './synth.js';

const s = synth({ context: { opsEmail: 'ops@example.gov.cn, duty@example.gov.cn' } });
const R = s.appJson.Resources;
const fnIdOf = (spec: (typeof ALL_FUNCTIONS)[number] | (typeof FUNCTIONS)[number]): string =>
  resourcesOf(s.appJson, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['suiji:entry'] === spec.entry)![0];
const keysOfType = (type: string) => resourcesOf(s.appJson, type).map(([id]) => id);

describe('log groups', () => {
  const groups = resourcesOf(s.appJson, 'AWS::Logs::LogGroup');
  const [logsKeyId, logsKey] = resourcesOf(s.appJson, 'AWS::KMS::Key').find(([, k]) => /log group/.test(k.Properties!.Description))!;

  it('keeps every log group at least six months (网络安全法 第二十一条), encrypted with the logs key, retained', () => {
    expect(groups.length).toBeGreaterThanOrEqual(FUNCTIONS.length + 3);
    for (const [id, g] of groups) {
      // 180 days can be shorter than six calendar months: the next step, 365.
      expect(g.Properties!.RetentionInDays, id).toBeGreaterThanOrEqual(184);
      expect(g.Properties!.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [logsKeyId, 'Arn'] });
      expect(g.DeletionPolicy, id).toBe('Retain');
    }
    expect(resourcesOf(s.appJson, 'Custom::LogRetention')).toEqual([]);
  });

  it('lets CloudWatch Logs of this region and account, and nobody else, use the logs key', () => {
    expect(logsKey.Properties!.EnableKeyRotation).toBe(true);
    const statements = logsKey.Properties!.KeyPolicy.Statement as any[];
    const forLogs = statements.filter((st) => st.Principal?.Service);
    expect(forLogs).toHaveLength(1);
    // logs.<region>.<amazonaws.com | amazonaws.com.cn>: right in the global and aws-cn partitions.
    expect(forLogs[0].Principal.Service).toEqual({ 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] });
    expect(JSON.stringify(forLogs[0].Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/AWS::Partition.*:logs:.*AWS::Region.*AWS::AccountId.*:log-group:\*/);
    expect(asArray<string>(forLogs[0].Action).every((a) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|Describe)\*$/.test(a))).toBe(true);
  });

  it('sends every function, CDK’s own included, to one of these log groups', () => {
    const fns = resourcesOf(s.appJson, 'AWS::Lambda::Function');
    expect(fns.length).toBe(FUNCTIONS.length + 1);
    const groupIds = new Set(groups.map(([id]) => id));
    for (const [id, f] of fns) {
      expect(groupIds.has(f.Properties!.LoggingConfig?.LogGroup?.Ref), id).toBe(true);
    }
  });

  it('logs the route template in the API access log, never the path (link ids are credentials)', () => {
    const [, stage] = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Stage')[0]!;
    const format = stage.Properties!.AccessLogSettings.Format as string;
    expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toContain('$context.routeKey');
    for (const v of ['$context.path', '$context.rawPath', '$context.domainPrefix', 'querystring', '$context.identity.userAgent', 'email']) {
      expect(format.toLowerCase()).not.toContain(v.toLowerCase());
    }
    expect(groups.map(([id]) => id)).toContain(JSON.stringify(stage.Properties!.AccessLogSettings.DestinationArn).match(/"(ApiAccessLogs[A-Z0-9]+)"/)?.[1]);
  });

  it('logs no execution data of the lifecycle (approvers’ e-mail addresses, reasons)', () => {
    const [, sm] = resourcesOf(s.appJson, 'AWS::StepFunctions::StateMachine')[0]!;
    expect(sm.Properties!.LoggingConfiguration.IncludeExecutionData).toBe(false);
  });
});

describe('alarms', () => {
  const alarms = resourcesOf(s.appJson, 'AWS::CloudWatch::Alarm');
  const topics = resourcesOf(s.appJson, 'AWS::SNS::Topic');
  const [topicId, topic] = topics.find(([, t]) => t.Properties!.DisplayName === 'Suiji alarms')!;
  const metricAlarm = (metricName: string, namespace: string): [string, Resource][] =>
    alarms.filter(([, a]) => a.Properties!.MetricName === metricName && a.Properties!.Namespace === namespace);

  it('sends every alarm to the alarm topic, and only there', () => {
    expect(alarms.length).toBe(2 * FUNCTIONS.length + 5);
    for (const [id, a] of alarms) {
      expect(a.Properties!.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(a.Properties!.ComparisonOperator, id).toBe('GreaterThanOrEqualToThreshold');
      expect(a.Properties!.TreatMissingData, id).toBe('notBreaching');
      expect(a.Properties!.AlarmDescription, id).toMatch(/^Suiji: /);
    }
  });

  it('subscribes each address of -c opsEmail to the encrypted topic that CloudWatch may publish to', () => {
    const subs = resourcesOf(s.appJson, 'AWS::SNS::Subscription').filter(([, x]) => x.Properties!.TopicArn.Ref === topicId);
    expect(subs.map(([, x]) => [x.Properties!.Protocol, x.Properties!.Endpoint]).sort()).toEqual([
      ['email', 'duty@example.gov.cn'],
      ['email', 'ops@example.gov.cn'],
    ]);
    const keyId = topic.Properties!.KmsMasterKeyId['Fn::GetAtt'][0];
    const statements = R[keyId]!.Properties!.KeyPolicy.Statement as any[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: expect.arrayContaining(['kms:Decrypt']) }),
    );
  });

  it('watches the dead-letter queue', () => {
    const [[, dlq]] = metricAlarm('ApproximateNumberOfMessagesVisible', 'AWS/SQS') as [[string, Resource]];
    const queue = dlq.Properties!.Dimensions[0].Value['Fn::GetAtt'][0];
    expect(R[queue]!.Type).toBe('AWS::SQS::Queue');
    // It is the queue the asynchronous functions and the schedules dead-letter to.
    const asyncFn = R[fnIdOf(FUNCTIONS.find((f) => f.id === 'MailInbound')!)]!;
    expect(asyncFn.Properties!.DeadLetterConfig.TargetArn).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
    expect(dlq.Properties!.Threshold).toBe(1);
  });

  it('watches lifecycle executions that time out or are aborted, and failures that are not a person’s decision', () => {
    const sm = keysOfType('AWS::StepFunctions::StateMachine')[0]!;
    for (const m of ['ExecutionsTimedOut', 'ExecutionsAborted']) {
      const [[, a]] = metricAlarm(m, 'AWS/States') as [[string, Resource]];
      expect(a.Properties!.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: sm } }]);
      expect(a.Properties!.Threshold).toBe(1);
    }
    const failed = alarms.find(([, a]) => (a.Properties!.Metrics as any[] | undefined)?.some((m) => m.MetricStat?.Metric.MetricName === 'ExecutionsFailed'));
    expect(failed).toBeDefined();
    const metrics = failed![1].Properties!.Metrics as any[];
    const byId = Object.fromEntries(metrics.map((m) => [m.Id, m]));
    expect(byId.failed.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/States', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: sm } }] });
    expect(byId.human.MetricStat.Metric).toEqual({ Namespace: METRICS_NAMESPACE, MetricName: LIFECYCLE_HUMAN_OUTCOMES });
    expect(metrics.find((m) => m.ReturnData !== false).Expression).toBe('FILL(failed, 0) - FILL(human, 0)');
    // The outcomes RecordFailure counts as human are exactly the state machine's human Fail states.
    expect([...HUMAN_OUTCOMES].sort()).toEqual([...HUMAN_ERRORS].sort());
  });

  it('watches the API’s 5xx rate', () => {
    const api = keysOfType('AWS::ApiGatewayV2::Api')[0]!;
    const rate = alarms.find(([, a]) => (a.Properties!.Metrics as any[] | undefined)?.some((m) => m.MetricStat?.Metric.MetricName === '5xx'));
    expect(rate).toBeDefined();
    const metrics = rate![1].Properties!.Metrics as any[];
    for (const m of metrics.filter((x) => x.MetricStat)) {
      expect(m.MetricStat.Metric.Namespace).toBe('AWS/ApiGateway');
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: api } }]);
    }
    expect(metrics.map((m) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['5xx', 'Count']);
    expect(metrics.find((m) => m.Expression).Expression).toMatch(/100 \* errors \/ requests/);
    expect(rate![1].Properties!.Threshold).toBe(API_5XX_PERCENT);
  });

  it('watches errors and throttles of every function', () => {
    for (const spec of FUNCTIONS) {
      const id = fnIdOf(spec);
      for (const m of ['Errors', 'Throttles']) {
        const found = metricAlarm(m, 'AWS/Lambda').filter(([, a]) => a.Properties!.Dimensions[0].Value.Ref === id);
        expect(found, `${spec.id} ${m}`).toHaveLength(1);
        expect(found[0]![1].Properties!.Threshold).toBe(1);
      }
    }
  });

  it('counts a person’s decision in the metric the failed-execution alarm subtracts (EMF)', () => {
    const at = new Date('2026-03-01T00:00:00Z');
    const doc = emfCount(LIFECYCLE_HUMAN_OUTCOMES, 1, at, { error: 'PlanRejected' }) as any;
    expect(doc._aws).toEqual({
      Timestamp: at.getTime(),
      CloudWatchMetrics: [{ Namespace: 'Suiji', Dimensions: [[]], Metrics: [{ Name: LIFECYCLE_HUMAN_OUTCOMES, Unit: 'Count' }] }],
    });
    expect(doc[LIFECYCLE_HUMAN_OUTCOMES]).toBe(1);
    expect(doc.error).toBe('PlanRejected');
  });

  it('takes the ops addresses from the context, and refuses a malformed one', () => {
    expect(parseOpsEmails(undefined)).toEqual([]);
    expect(parseOpsEmails('a@x.cn,b@y.gov.cn ')).toEqual(['a@x.cn', 'b@y.gov.cn']);
    expect(() => parseOpsEmails('ops@example')).toThrow(/not an e-mail address/);
    expect(() => parseOpsEmails(['a@x.cn'])).toThrow(/string/);
  });
});

describe('blob bucket lifecycle', () => {
  const [, blobs] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([, b]) => b.Properties!.LoggingConfiguration)!;
  const rules = blobs.Properties!.LifecycleConfiguration.Rules as any[];

  it('expires inbound mail and import uploads, keeps draw records', () => {
    for (const [prefix, days] of Object.entries(BLOB_EXPIRY_DAYS)) {
      const rule = rules.find((r) => r.Prefix === `${prefix}/` && r.ExpirationInDays);
      expect(rule, prefix).toBeDefined();
      expect(rule.ExpirationInDays).toBe(days);
      expect(rule.Status).toBe('Enabled');
      // Versioned bucket: old versions go too, and the delete markers left behind.
      expect(rule.NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThan(0);
      expect(rules.some((r) => r.Prefix === `${prefix}/` && r.ExpiredObjectDeleteMarker === true)).toBe(true);
    }
    expect(rules.filter((r) => r.ExpirationInDays && (!r.Prefix || r.Prefix.startsWith('draws')))).toEqual([]);
  });

  it('expires the server access logs after a year', () => {
    const [, logBucket] = resourcesOf(s.dataJson, 'AWS::S3::Bucket').find(([, b]) => !b.Properties!.LoggingConfiguration)!;
    expect((logBucket.Properties!.LifecycleConfiguration.Rules as any[]).some((r) => r.ExpirationInDays === 365 && !r.Prefix)).toBe(true);
  });
});

describe('API throttling', () => {
  const [, stage] = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Stage')[0]!;

  it('gives signed-in routes the stage default and public pages and links their own, lower limits', () => {
    expect(stage.Properties!.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: API_THROTTLE.jwt.rateLimit, ThrottlingBurstLimit: API_THROTTLE.jwt.burstLimit });
    const anonymous = ROUTES.filter((r) => r.auth === 'public' || r.auth === 'link');
    expect(anonymous.length).toBeGreaterThan(0);
    const settings = stage.Properties!.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(Object.keys(settings).sort()).toEqual(anonymous.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of anonymous) {
      const t = settings[`${r.method} ${r.path}`]!;
      const c = throttleClass(r)!;
      const want = API_THROTTLE[c];
      expect(t, `${r.method} ${r.path}`).toEqual({ ThrottlingRateLimit: want.rateLimit, ThrottlingBurstLimit: want.burstLimit });
      // Pages and links (anything but the console's own files) stay below the operators' budget.
      if (c !== 'console') expect(t.ThrottlingRateLimit, `${r.method} ${r.path}`).toBeLessThan(API_THROTTLE.jwt.rateLimit);
    }
    expect(anonymous.filter((r) => throttleClass(r) === 'public').length).toBeGreaterThan(0);
    expect(anonymous.filter((r) => throttleClass(r) === 'link').length).toBeGreaterThan(0);
  });

  it('classes routes by who calls them', () => {
    expect(throttleClass({ auth: 'public', path: '/public/tasks/{taskId}' })).toBe('public');
    expect(throttleClass({ auth: 'public', path: '/console' })).toBe('console');
    expect(throttleClass({ auth: 'public', path: '/console/{proxy+}' })).toBe('console');
    expect(throttleClass({ auth: 'public', path: '/consoles' })).toBe('public');
    expect(throttleClass({ auth: 'link', path: '/l/{linkId}' })).toBe('link');
    expect(throttleClass({ auth: 'jwt', path: '/me' })).toBe('jwt');
    expect(throttleClass({ auth: 'local', path: '/auth/dev-login' })).toBeUndefined();
  });

  it('deploys the stage after the routes its settings name', () => {
    const routeIds = keysOfType('AWS::ApiGatewayV2::Route');
    const [, st] = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Stage')[0]! as [string, Resource & { DependsOn?: string[] }];
    for (const id of routeIds) expect(asArray(st.DependsOn), id).toContain(id);
  });
});
