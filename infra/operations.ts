/**
 * Operations in AWS: where logs go and how long they are kept, under which key, how the API is
 * throttled, and who is told when something goes wrong. docs/SECURITY.md describes the same
 * for operators; the tests in test/infra/operations.test.ts hold the two together.
 */
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import type { RouteSpec } from '../shared/http/routes.js';
import { LIFECYCLE_HUMAN_OUTCOMES, METRICS_NAMESPACE } from '../shared/lambda/metrics.js';

/**
 * Every log group keeps its events one year. 网络安全法 第二十一条 requires network logs to be
 * kept "不少于六个月"; CloudWatch's 180-day option is shorter than six calendar months whenever
 * they span 31-day months, so the next option up (365) is the one that always complies.
 */
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * API Gateway throttling per route (token bucket per route, requests per second). The stage
 * default applies to the signed-in routes; public pages and e-mail links get their own, lower
 * limits, so anonymous traffic cannot use up the API function's concurrency that operators
 * need. Sum over the anonymous routes × latency bounds the concurrency they can take.
 * The console's static files are anonymous too but are the operators' own application: a first
 * load fetches dozens of hashed files at once (cached for a year after), each served from
 * memory in milliseconds, so their route allows bursts of several operators at once.
 */
export const API_THROTTLE = {
  jwt: { rateLimit: 50, burstLimit: 100 },
  public: { rateLimit: 20, burstLimit: 40 },
  link: { rateLimit: 10, burstLimit: 20 },
  console: { rateLimit: 100, burstLimit: 300 },
} as const satisfies Record<string, { rateLimit: number; burstLimit: number }>;
export type ThrottleClass = keyof typeof API_THROTTLE;

/** The throttling class of a deployed route; undefined for local-only routes. */
export function throttleClass(r: Pick<RouteSpec, 'auth' | 'path'>): ThrottleClass | undefined {
  if (r.auth === 'local') return undefined;
  if (r.auth === 'public' && (r.path === '/console' || r.path.startsWith('/console/'))) return 'console';
  return r.auth;
}

/**
 * The API access log: one JSON line per request. The route template ($context.routeKey, e.g.
 * `GET /l/{linkId}`), never the path: paths of link routes carry the link id, a bearer
 * credential. No query string, no user agent; the caller is the pseudonymous Cognito `sub`.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  sub: '$context.authorizer.claims.sub',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/**
 * The KMS key of every log group. CloudWatch Logs encrypts with it on the service side, for log
 * groups of this account and region only (`logs.<region>.<URL suffix>` is the regional service
 * principal in both the global and the aws-cn partitions).
 */
export function createLogsKey(scope: Construct, id: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    description: 'Suiji: encrypts every CloudWatch log group of the application',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
      },
    }),
  );
  return key;
}

/** A log group as every Suiji log group is: one year, KMS-encrypted, kept when the stack goes. */
export function encryptedLogGroup(scope: Construct, id: string, key: kms.IKey, props: Partial<logs.LogGroupProps> = {}): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention: LOG_RETENTION, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN, ...props });
}

/** Comma-separated e-mail addresses from the `opsEmail` context; a malformed one fails synthesis. */
export function parseOpsEmails(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw new Error('context opsEmail must be a string of comma-separated e-mail addresses');
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) {
    if (!/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(a)) throw new Error(`context opsEmail: "${a}" is not an e-mail address`);
  }
  return list;
}

export interface AlarmsProps {
  /** Suiji's functions by id (infra/functions.ts). */
  readonly functions: Record<string, lambda.IFunction>;
  readonly stateMachine: sfn.IStateMachine;
  readonly httpApi: apigwv2.IHttpApi;
  readonly deadLetterQueue: sqs.IQueue;
  /** Who is told (SNS e-mail subscriptions, confirmed by each address). */
  readonly opsEmails: readonly string[];
}

/** Percent of API requests answered 5xx within a period that raises the alarm. */
export const API_5XX_PERCENT = 1;
const PERIOD = Duration.minutes(5);

/**
 * The alarms, all to one encrypted SNS topic that the ops addresses subscribe to:
 *  - a message in the dead-letter queue (a job, inbound mail or SES event that failed for good);
 *  - a lifecycle execution that failed for a reason other than a person's decision (rejected
 *    plan, aborted ceremony, … end in Fail states too; RecordFailure counts those, and the
 *    alarm is on failed executions minus them), timed out or was aborted;
 *  - API 5xx above API_5XX_PERCENT of requests;
 *  - errors or throttles of any function.
 */
export class OperationsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Suiji: encrypts the operations alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets them.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true, displayName: 'Suiji alarms' });
    for (const email of props.opsEmails) this.topic.addSubscription(new snsSubscriptions.EmailSubscription(email));
    if (!props.opsEmails.length) {
      Annotations.of(this).addWarningV2(
        'suiji:noOpsEmail',
        'No ops e-mail address: alarms go to an SNS topic nobody subscribes to. Deploy with -c opsEmail=<address>[,<address>…].',
      );
    }
    const action = new cwActions.SnsAction(this.topic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1): void => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };

    alarm(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
      'Suiji: a failed job, inbound mail or SES event is in the dead-letter queue (after retries). Inspect the message, fix the cause, re-drive it.',
    );

    const sm = props.stateMachine;
    alarm(
      'LifecycleFailed',
      new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) - FILL(human, 0)',
        usingMetrics: {
          failed: sm.metricFailed({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
          human: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: LIFECYCLE_HUMAN_OUTCOMES,
            period: PERIOD,
            statistic: cloudwatch.Stats.SUM,
          }),
        },
        period: PERIOD,
        label: 'Lifecycle executions failed, not by a person',
      }),
      'Suiji: a task lifecycle execution failed for a technical reason (the task record shows the error; the execution history shows where).',
    );
    alarm('LifecycleTimedOut', sm.metricTimedOut({ period: PERIOD, statistic: cloudwatch.Stats.SUM }), 'Suiji: a task lifecycle execution timed out.');
    alarm('LifecycleAborted', sm.metricAborted({ period: PERIOD, statistic: cloudwatch.Stats.SUM }), 'Suiji: a task lifecycle execution was stopped (StopExecution); Suiji never stops one itself.');

    alarm(
      'Api5xx',
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.httpApi.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
          requests: props.httpApi.metricCount({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        },
        period: PERIOD,
        label: 'API 5xx, % of requests',
      }),
      `Suiji: ${API_5XX_PERCENT}% or more of API requests answered 5xx in 5 minutes (a 5xx is a bug: see the API function's log).`,
      API_5XX_PERCENT,
    );

    for (const [fnId, fn] of Object.entries(props.functions)) {
      alarm(`${fnId}Errors`, fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }), `Suiji: function ${fnId} failed (see its log group).`);
      alarm(`${fnId}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }), `Suiji: function ${fnId} was throttled (account or reserved concurrency exhausted).`);
    }
  }
}
