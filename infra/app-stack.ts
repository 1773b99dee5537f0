/**
 * SuijiApp: everything that runs — the Lambdas, the HTTP API with its Cognito user pool, the
 * lifecycle state machine, the daily schedules and SES (sending identity, configuration set
 * with its event destination, inbound receipt rule).
 */
import { AssetHashType, CfnOutput, CfnResource, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConsoleAuth } from './console.js';
import { ROUTES, type RouteSpec } from '../shared/http/routes.js';
import { TABLE } from '../shared/store/table.js';
import { lambdaBundling, ROOT } from './bundling.js';
import { BLOB_PREFIX, FUNCTIONS, type FunctionId, type FunctionSpec } from './functions.js';
import { STATE_MACHINE_NAME, lifecycleArns, lifecycleDefinition } from './lifecycle.js';
import { acknowledge, acknowledgeFindings } from './nag.js';
import { ACCESS_LOG_FIELDS, API_THROTTLE, OperationsAlarms, createLogsKey, encryptedLogGroup, throttleClass } from './operations.js';

/** SES configuration set name (SES_CONFIGURATION_SET; shared/config.ts defaults to it). */
export const CONFIGURATION_SET_NAME = 'suiji';
export const RECEIPT_RULE_SET_NAME = 'suiji-inbound';
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

/** The daily jobs, in China time. */
export const SCHEDULES = [
  {
    id: 'DailyDeadlines',
    fn: 'JobDeadlines',
    hour: 8,
    minute: 0,
    description: 'Reminders and escalations for result entry, publication and follow-up due dates',
  },
  {
    id: 'DailyReports',
    fn: 'JobReports',
    hour: 8,
    minute: 30,
    description: "Monthly/quarterly reminders and summaries, when due by each department's profile",
  },
] as const satisfies readonly { id: string; fn: FunctionId; hour: number; minute: number; description: string }[];

export interface AppStackProps extends StackProps {
  readonly table: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  /** Sending domain, verified as an SES identity. */
  readonly mailDomain: string;
  /** Domain whose mail SES receives (replies to reminders). */
  readonly inboundDomain: string;
  readonly mailFrom: string;
  /** Base URL for links in mail and pages; default: the HTTP API endpoint. */
  readonly publicBaseUrl?: string;
  /** Who receives the operations alarms (context `opsEmail`). */
  readonly opsEmails?: readonly string[];
}

/** API Gateway routes: every ROUTES entry except the local-only ones. */
export function deployedRoutes(): RouteSpec[] {
  return ROUTES.filter((r) => r.auth !== 'local');
}

export class AppStack extends Stack {
  readonly functions: Record<FunctionId, lambda.Function>;
  readonly stateMachine: sfn.StateMachine;
  readonly httpApi: apigwv2.HttpApi;
  readonly userPool: cognito.UserPool;
  readonly logsKey: kms.Key;
  readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, { description: 'Suiji application: API, lifecycle state machine, schedules, mail', ...props });
    const { table, bucket } = props;
    const arns = lifecycleArns(this);
    this.logsKey = createLogsKey(this, 'LogsKey');

    // --- failed asynchronous events (jobs, inbound mail, SES events) and schedule deliveries
    const failures = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(failures, 'SQS3', 'This queue is itself the dead-letter queue of the asynchronous Lambdas and the schedules.');

    // --- users and the HTTP API
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: {
        // Set by an administrator; clients cannot write them (see writeAttributes below).
        department: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        inspectorId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [groupId, groupName, description] of [
      ['Coordinators', 'coordinator', '双随机工作联络/协调：registries, plans, tasks of their department'],
      ['Inspectors', 'inspector', '执法检查人员：checks and result entry for their assignments'],
      ['Leaders', 'leader', '分管领导：approvals and summaries'],
    ] as const) {
      this.userPool.addGroup(groupId, { groupName, description });
    }
    const client = this.userPool.addClient('CliClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('department', 'inspectorId'),
      // A user may not change their own department or inspector id.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: 'suiji',
      description: 'Suiji HTTP API: one route per entry of shared/http/routes.ts',
      createDefaultStage: false,
    });
    const publicBaseUrl = props.publicBaseUrl ?? this.httpApi.apiEndpoint;
    // The web console: served by the API under /console; Cognito managed login (code + PKCE).
    const consoleAuth = new ConsoleAuth(this, 'Console', { userPool: this.userPool, apiEndpoint: this.httpApi.apiEndpoint });

    // --- the mail configuration set (its name goes into every function's environment)
    const configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName: CONFIGURATION_SET_NAME,
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const identity = new ses.EmailIdentity(this, 'MailIdentity', {
      identity: ses.Identity.domain(props.mailDomain),
      configurationSet,
    });

    // --- functions, one per row of infra/functions.ts
    const fns = {} as Record<FunctionId, lambda.Function>;
    for (const spec of FUNCTIONS as readonly FunctionSpec[]) {
      fns[spec.id as FunctionId] = this.lambdaFor(spec, {
        TABLE_NAME: table.tableName,
        BLOB_BUCKET: bucket.bucketName,
        ...(spec.lifecycle?.length ? { STATE_MACHINE_ARN: arns.stateMachine } : {}),
        MAIL_FROM: props.mailFrom,
        MAIL_INBOUND_DOMAIN: props.inboundDomain,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
        PUBLIC_BASE_URL: publicBaseUrl,
        POWERTOOLS_SERVICE_NAME: `suiji-${spec.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        NODE_OPTIONS: '--enable-source-maps',
      }, failures);
      this.grantFor(spec, fns[spec.id as FunctionId], { table, bucket, identity, configurationSet, arns });
    }
    this.functions = fns;
    for (const [k, v] of Object.entries(consoleAuth.environment())) fns.Api.addEnvironment(k, v);

    // --- lifecycle state machine
    const lifecycleLogs = encryptedLogGroup(this, 'LifecycleLogs', this.logsKey);
    this.stateMachine = new sfn.StateMachine(this, 'Lifecycle', {
      stateMachineName: STATE_MACHINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      comment: 'One execution per inspection task: plan → draw → check → result → publication → follow-up → closed',
      definitionBody: sfn.DefinitionBody.fromChainable(
        lifecycleDefinition(new Construct(this, 'LifecycleStates'), {
          validate: fns.LifecycleValidate,
          callback: fns.LifecycleCallback,
          freeze: fns.LifecycleFreeze,
          draw: fns.LifecycleDraw,
          close: fns.LifecycleClose,
        }),
      ),
      // Every event (which state, when, which error), never execution data: inputs, outputs and
      // callback results carry approvers' e-mail addresses and reasons. The task record and its
      // audit entries hold those, in the table.
      logs: { destination: lifecycleLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    acknowledgeFindings(
      this.stateMachine,
      'IAM5',
      [/^Resource::<Lifecycle[A-Za-z]+[0-9A-F]{8}\.Arn>:\*$/],
      'Step Functions invokes the five lifecycle functions; CDK also allows their versions and aliases (<function arn>:*).',
    );
    acknowledgeFindings(
      this.stateMachine,
      'IAM5',
      [/^Resource::\*$/],
      'Execution logging to CloudWatch Logs (log delivery actions) and X-Ray tracing do not support resource-level permissions.',
    );

    // --- HTTP API: one route per ROUTES entry (local-only entries are never deployed)
    const jwt = new HttpUserPoolAuthorizer('Cognito', this.userPool, {
      userPoolClients: [client, consoleAuth.client],
      identitySource: ['$request.header.Authorization'],
    });
    // One resource-policy statement for all routes (a statement per route would exceed the
    // Lambda policy size limit at ~60 routes); the routes themselves decide who may call.
    const integration = new HttpLambdaIntegration('ApiIntegration', fns.Api, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      scopePermissionToRoute: false,
    });
    const httpRoutes: apigwv2.HttpRoute[] = [];
    for (const route of deployedRoutes()) {
      const httpRoute = new apigwv2.HttpRoute(this, `Route ${route.method} ${route.path}`, {
        httpApi: this.httpApi,
        routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
        integration,
        // public and link routes are the published site (一公开) and e-mail links.
        authorizer: route.auth === 'jwt' ? jwt : new apigwv2.HttpNoneAuthorizer(),
      });
      httpRoutes.push(httpRoute);
      if (route.auth !== 'jwt') {
        acknowledge(
          httpRoute,
          'APIG4',
          `${route.method} ${route.path} is ${route.auth === 'public' ? 'published information (一公开) anyone may read' : 'an e-mail link: the short opaque id in the path is the credential, resolved and checked server-side; GET only shows a page'}.`,
        );
      }
    }
    const accessLogs = encryptedLogGroup(this, 'ApiAccessLogs', this.logsKey);
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE.jwt,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    // Anonymous routes (public pages, e-mail links, the console's files): their own per-route
    // limits (infra/operations.ts). RouteSettings is untyped JSON in CloudFormation: the keys are
    // written as CloudFormation spells them.
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
      deployedRoutes().flatMap((r) => {
        const c = throttleClass(r);
        if (!c || c === 'jwt') return [];
        const t = API_THROTTLE[c];
        return [[`${r.method} ${r.path}`, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]];
      }),
    );
    // Route settings name routes by key: the routes must exist before the stage.
    for (const r of httpRoutes) stage.node.addDependency(r);

    // --- daily schedules (China time); DLQ after the retries
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: invokes the daily job functions',
    });
    acknowledgeFindings(
      schedulerRole,
      'IAM5',
      [/^Resource::<Job[A-Za-z]+[0-9A-F]{8}\.Arn>:\*$/],
      'The scheduler may invoke the two job functions only; CDK also allows their versions and aliases (<function arn>:*).',
    );
    for (const s of SCHEDULES) {
      const fn = fns[s.fn];
      const schedule = new scheduler.Schedule(this, s.id, {
        description: s.description,
        schedule: scheduler.ScheduleExpression.cron({
          minute: String(s.minute),
          hour: String(s.hour),
          timeZone: TimeZone.ASIA_SHANGHAI,
        }),
        target: new schedulerTargets.LambdaInvoke(fn, {
          // The scheduled time lets a retried or delayed run work on the intended day.
          input: scheduler.ScheduleTargetInput.fromObject({
            schedule: s.id,
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: failures,
          role: schedulerRole,
        }),
      });
      // Read by the local scheduler: which function runs when.
      (schedule.node.defaultChild as scheduler.CfnSchedule).addMetadata('suiji:schedule', {
        name: s.id,
        entry: FUNCTIONS.find((f) => f.id === s.fn)!.entry,
        function: this.getLogicalId(fn.node.defaultChild as lambda.CfnFunction),
        cron: `${s.minute} ${s.hour} * * ? *`,
        timezone: SCHEDULE_TIMEZONE,
      });
    }

    // --- SES events (bounce, complaint, delay, reject) → encrypted SNS topic → mail/events
    const eventsKey = new kms.Key(this, 'MailEventsKey', {
      description: 'Encrypts the SES event topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    eventsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const mailEvents = new sns.Topic(this, 'MailEventsTopic', { masterKey: eventsKey, enforceSSL: true, displayName: 'Suiji SES events' });
    configurationSet.addEventDestination('Problems', {
      destination: ses.EventDestination.snsTopic(mailEvents),
      events: [
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
        ses.EmailSendingEvent.REJECT,
      ],
    });
    mailEvents.addSubscription(new snsSubscriptions.LambdaSubscription(fns.MailEvents));

    // --- inbound mail: receipt rule → blob bucket inbound/ → mail/inbound
    const ruleSet = new ses.ReceiptRuleSet(this, 'InboundMail', { receiptRuleSetName: RECEIPT_RULE_SET_NAME });
    ruleSet.addRule('StoreReplies', {
      recipients: [props.inboundDomain],
      // Spam and virus verdicts (and SPF/DKIM) land in the stored message's headers, which
      // mail/inbound checks before accepting a reply.
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.OPTIONAL,
      actions: [new sesActions.S3({ bucket, objectKeyPrefix: BLOB_PREFIX.inbound })],
    });
    // The notification is attached through an imported handle so that it lives in this stack:
    // on the data stack's bucket it would make the data stack depend on this one (a cycle).
    s3.Bucket.fromBucketAttributes(this, 'BlobsForNotifications', {
      bucketArn: bucket.bucketArn,
      bucketName: bucket.bucketName,
    }).addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fns.MailInbound), {
      prefix: BLOB_PREFIX.inbound,
    });
    const notificationsHandler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      // CDK's handler (it configures the notification at deployment) logs like every function
      // here: into a log group of one year, encrypted, rather than an unencrypted one kept forever.
      const handlerLogs = encryptedLogGroup(this, 'BucketNotificationsHandlerLogs', this.logsKey);
      (notificationsHandler.node.defaultChild as CfnResource).addPropertyOverride('LoggingConfig', { LogGroup: handlerLogs.logGroupName });
      acknowledgeFindings(
        notificationsHandler,
        'IAM4',
        [/^Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/],
        "CDK's S3-notification custom resource (runs only at deployment) writes its own logs through the AWS managed basic execution policy.",
      );
    }

    // --- alarms to the ops addresses (infra/operations.ts)
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      functions: fns,
      stateMachine: this.stateMachine,
      httpApi: this.httpApi,
      deadLetterQueue: failures,
      opsEmails: props.opsEmails ?? [],
    });

    // --- outputs
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint, description: 'HTTP API and public pages (suiji --endpoint)' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Cognito user pool: add users to coordinator/inspector/leader and set custom:department' });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId, description: 'App client for sign-in (SRP); the ID token is the API bearer token' });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'Lifecycle state machine (one execution per task)' });
    new CfnOutput(this, 'BlobBucket', { value: bucket.bucketName, description: 'Draw records, import files, inbound mail' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Operations alarms (SNS); subscribers: context opsEmail' });
    new CfnOutput(this, 'InboundRuleSet', {
      value: ruleSet.receiptRuleSetName,
      description:
        `SES receipt rule set for ${props.inboundDomain}. It is NOT active after deployment (one active rule set per region): ` +
        `activate it with "aws ses set-active-receipt-rule-set --rule-set-name ${RECEIPT_RULE_SET_NAME}" and point the MX record ` +
        `of ${props.inboundDomain} to inbound-smtp.<region>.amazonaws.com.`,
    });
  }

  private lambdaFor(spec: FunctionSpec, environment: Record<string, string>, failures: sqs.IQueue): lambda.Function {
    const logGroup = encryptedLogGroup(this, `${spec.id}Logs`, this.logsKey);
    // An explicit role: only its own log group, nothing from a managed policy.
    const role = new iam.Role(this, `${spec.id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Suiji ${spec.id}`,
    });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(this, spec.id, {
      // the handler bundled as index.mjs (infra/bundling.ts); the asset hash is the bundle's
      code: lambda.Code.fromAsset(ROOT, { assetHashType: AssetHashType.OUTPUT, bundling: lambdaBundling(spec.entry) }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      description: spec.description,
      role,
      logGroup,
      environment,
      ...(spec.async ? { deadLetterQueue: failures, retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
    });
    (fn.node.defaultChild as lambda.CfnFunction).addMetadata('suiji:entry', spec.entry);
    acknowledge(fn, 'L1', 'Node.js 22 is the runtime Suiji is built and tested for (esbuild target node22); upgrades are deliberate.');
    return fn;
  }

  private grantFor(
    spec: FunctionSpec,
    fn: lambda.Function,
    r: {
      table: dynamodb.ITable;
      bucket: s3.IBucket;
      identity: ses.EmailIdentity;
      configurationSet: ses.ConfigurationSet;
      arns: ReturnType<typeof lifecycleArns>;
    },
  ): void {
    const add = (actions: string[], resources: string[], sid: string) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ sid, actions, resources }));

    // DynamoDB: item and query actions on the table and its named indexes; never Scan.
    const indexArns = Object.values(TABLE.indexes).map((i) => `${r.table.tableArn}/index/${i.name}`);
    add(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [r.table.tableArn, ...indexArns], 'TableRead');
    if (spec.table === 'readwrite') {
      add(
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'],
        [r.table.tableArn],
        'TableWrite',
      );
    }

    // S3: objects under the function's prefixes only.
    const wildcards: string[] = [];
    const objects = (prefixes: readonly string[]) =>
      prefixes.map((p) => {
        const key = `${BLOB_PREFIX[p as keyof typeof BLOB_PREFIX]}*`;
        wildcards.push(key);
        return r.bucket.arnForObjects(key);
      });
    if (spec.blobs?.read?.length) {
      add(['s3:GetObject'], objects(spec.blobs.read), 'BlobRead');
      // Without ListBucket a missing key reads as AccessDenied instead of NoSuchKey; listing is
      // limited to the prefixes the function reads (shared/blobs.ts tells a missing key from a
      // refusal by listing exactly that key, should S3 not apply the condition to the check).
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'BlobList',
          actions: ['s3:ListBucket'],
          resources: [r.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': spec.blobs.read.map((p) => `${BLOB_PREFIX[p]}*`) } },
        }),
      );
    }
    if (spec.blobs?.write?.length) add(['s3:PutObject'], objects(spec.blobs.write), 'BlobWrite');

    // Step Functions.
    const lc = new Set(spec.lifecycle ?? []);
    if (lc.has('start')) add(['states:StartExecution'], [r.arns.stateMachine], 'LifecycleStart');
    if (lc.has('respond')) add(['states:SendTaskSuccess', 'states:SendTaskFailure'], [r.arns.stateMachine], 'LifecycleRespond');
    if (lc.has('observe')) add(['states:DescribeExecution', 'states:GetExecutionHistory'], [r.arns.executions], 'LifecycleObserve');

    // SES: send from the domain identity through the configuration set, nothing else.
    if (spec.mail) {
      const stack = Stack.of(this);
      add(
        ['ses:SendEmail', 'ses:SendRawEmail'],
        [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: r.identity.emailIdentityName }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: r.configurationSet.configurationSetName }),
        ],
        'MailSend',
      );
    }

    if (wildcards.length) {
      acknowledgeFindings(
        fn.role!,
        'IAM5',
        [...new Set(wildcards)].map((w) => new RegExp(`^Resource::(SuijiData:ExportsOutput|<)[A-Za-z0-9]*Blobs[A-Za-z0-9]*(\\.Arn>)?\\/${w.replace('/', '\\/').replace('*', '\\*')}$`)),
        `${spec.id} reads or writes only objects under its own key prefixes of the blob bucket (${[...new Set(wildcards)].join(', ')}); the keys carry task ids not known in advance.`,
      );
    }
    if (lc.has('observe')) {
      acknowledgeFindings(
        fn.role!,
        'IAM5',
        [new RegExp(`^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${STATE_MACHINE_NAME}:\\*$`)],
        `${spec.id} reads the status and history of executions of ${STATE_MACHINE_NAME} only; execution names are task ids.`,
      );
    }
  }
}
