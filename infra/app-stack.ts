/**
 * SuijiApp: everything that runs — the Lambdas, the HTTP API and its sign-in, the lifecycle
 * state machine, the daily schedules and mail. In the global partition: a Cognito user pool and
 * SES (sending identity, configuration set with its event destination, inbound receipt rule).
 * In aws-cn (infra/deployment.ts), where neither exists: SMTP out and the reply mailbox polled
 * over IMAP on a schedule (credentials in Secrets Manager), and the customer's OIDC issuer or
 * the built-in sign-in (tokens signed by a KMS key, JWKS served by the API).
 */
import { AssetHashType, CfnOutput, CfnResource, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
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
import { BLOB_PREFIX, FUNCTIONS, functionEnvName, functionsFor, type FunctionId, type FunctionSpec } from './functions.js';
import type { Deployment } from './deployment.js';
import { BUILTIN_AUDIENCE, BUILTIN_ISSUER_PATH } from '../shared/auth/constants.js';
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
  /** Partition, sign-in and (aws-cn) mail servers; default: the global stack with Cognito. */
  readonly deployment?: Deployment;
}

/** Name of the schedule of the recovery job (every minute). */
export const RECOVERY_SCHEDULE = 'Recovery';

/** Name of the schedule that polls the reply mailbox (aws-cn). */
export const IMAP_POLL_SCHEDULE = 'ReplyMailboxPoll';

/** API Gateway routes: every ROUTES entry except the local-only ones. */
export function deployedRoutes(): RouteSpec[] {
  return ROUTES.filter((r) => r.auth !== 'local');
}

export class AppStack extends Stack {
  readonly functions: Record<FunctionId, lambda.Function>;
  readonly stateMachine: sfn.StateMachine;
  readonly httpApi: apigwv2.HttpApi;
  /** The Cognito user pool (global partition with signIn=cognito only). */
  readonly userPool?: cognito.UserPool;
  readonly deployment: Deployment;
  /** aws-cn: the SMTP and IMAP credentials; builtin sign-in: the token signing key. */
  readonly smtpSecret?: secretsmanager.ISecret;
  readonly imapSecret?: secretsmanager.ISecret;
  readonly signingKey?: kms.Key;
  readonly logsKey: kms.Key;
  readonly alarms: OperationsAlarms;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, { description: 'Suiji application: API, lifecycle state machine, schedules, mail', ...props });
    const { table, bucket } = props;
    const deployment: Deployment = props.deployment ?? { partition: 'global', signIn: { mode: 'cognito' } };
    this.deployment = deployment;
    const china = deployment.partition === 'china';
    const arns = lifecycleArns(this);
    this.logsKey = createLogsKey(this, 'LogsKey');

    // --- failed asynchronous events (jobs, inbound mail, SES events) and schedule deliveries
    const failures = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(failures, 'SQS3', 'This queue is itself the dead-letter queue of the asynchronous Lambdas and the schedules.');

    // --- users (Cognito, global only) and the HTTP API
    let cognitoClient: cognito.UserPoolClient | undefined;
    if (deployment.signIn.mode === 'cognito') {
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
      this.userPool!.addGroup(groupId, { groupName, description });
    }
    cognitoClient = this.userPool.addClient('CliClient', {
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
    }

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: 'suiji',
      description: 'Suiji HTTP API: one route per entry of shared/http/routes.ts',
      createDefaultStage: false,
    });
    const publicBaseUrl = props.publicBaseUrl ?? this.httpApi.apiEndpoint;
    // The web console: served by the API under /console; Cognito managed login (code + PKCE).
    const consoleAuth = this.userPool ? new ConsoleAuth(this, 'Console', { userPool: this.userPool, apiEndpoint: this.httpApi.apiEndpoint }) : undefined;
    if (!consoleAuth) new CfnOutput(this, 'ConsoleUrl', { value: `${this.httpApi.apiEndpoint}/console`, description: `控制台 console (sign-in: ${deployment.signIn.mode})` });

    // --- mail out: SES (configuration set and domain identity) or, in aws-cn, SMTP
    const configurationSet = china
      ? undefined
      : new ses.ConfigurationSet(this, 'MailConfigurationSet', {
          configurationSetName: CONFIGURATION_SET_NAME,
          reputationMetrics: true,
          suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        });
    const identity = configurationSet
      ? new ses.EmailIdentity(this, 'MailIdentity', { identity: ses.Identity.domain(props.mailDomain), configurationSet })
      : undefined;
    const mailEnv: Record<string, string> = configurationSet ? { SES_CONFIGURATION_SET: configurationSet.configurationSetName } : {};
    if (china) {
      const m = deployment.mail!;
      // The provider's SMTP user and the reply mailbox's login: imported by ARN (context
      // smtpSecretArn / imapSecretArn) or created here for the operator to fill in
      // (docs/DEPLOY.md). Rotation happens at the provider, so Secrets Manager does not rotate.
      const secret = (id: string, arn: string | undefined, description: string): secretsmanager.ISecret => {
        if (arn) return secretsmanager.Secret.fromSecretCompleteArn(this, id, arn);
        const created = new secretsmanager.Secret(this, id, {
          description,
          generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'set-me' }), generateStringKey: 'password', excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        acknowledge(created, 'SMG4', `${description}: issued by the mail provider and changed there (its console), then written into this secret; Secrets Manager cannot rotate it.`);
        return created;
      };
      (this as { smtpSecret?: secretsmanager.ISecret }).smtpSecret = secret('SmtpCredentials', m.smtp.secretArn, 'Suiji SMTP submission credentials {"username","password"} of the mail provider');
      (this as { imapSecret?: secretsmanager.ISecret }).imapSecret = secret('ImapCredentials', m.imap.secretArn, 'Suiji reply mailbox IMAP login {"username","password"}');
      Object.assign(mailEnv, {
        MAIL_TRANSPORT: 'smtp',
        MAIL_SMTP_HOST: m.smtp.host,
        MAIL_SMTP_PORT: String(m.smtp.port),
        MAIL_SMTP_SECRET_ARN: this.smtpSecret!.secretArn,
        ...(m.smtp.envelopeFrom ? { MAIL_SMTP_ENVELOPE_FROM: m.smtp.envelopeFrom } : {}),
      });
    }

    // --- functions, one per row of infra/functions.ts
    const fns = {} as Record<FunctionId, lambda.Function>;
    for (const spec of functionsFor(deployment.partition)) {
      fns[spec.id as FunctionId] = this.lambdaFor(spec, {
        TABLE_NAME: table.tableName,
        BLOB_BUCKET: bucket.bucketName,
        ...(spec.lifecycle?.length ? { STATE_MACHINE_ARN: arns.stateMachine } : {}),
        MAIL_FROM: props.mailFrom,
        MAIL_INBOUND_DOMAIN: props.inboundDomain,
        ...mailEnv,
        PUBLIC_BASE_URL: publicBaseUrl,
        // The console (served by the API): mails asking for an approval link here. With Cognito it
        // is where the managed login returns to (infra/console.ts); elsewhere the public address
        // (in the China regions the ICP-filed custom domain, docs/CONSOLE.md).
        CONSOLE_URL: `${consoleAuth ? this.httpApi.apiEndpoint : publicBaseUrl}/console`,
        POWERTOOLS_SERVICE_NAME: `suiji-${spec.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        NODE_OPTIONS: '--enable-source-maps',
        ...spec.environment,
      }, failures);
      this.grantFor(spec, fns[spec.id as FunctionId], { table, bucket, identity, configurationSet, smtpSecret: this.smtpSecret, arns });
    }
    this.functions = fns;
    // Asynchronous invocations between functions (the API starts import runs): exactly the named
    // function, its name in the caller's environment.
    for (const spec of functionsFor(deployment.partition)) {
      for (const target of spec.invokes ?? []) {
        const callee = fns[target as FunctionId];
        fns[spec.id as FunctionId].addEnvironment(functionEnvName(target), callee.functionName);
        fns[spec.id as FunctionId].addToRolePolicy(new iam.PolicyStatement({ sid: `Invoke${target}`, actions: ['lambda:InvokeFunction'], resources: [callee.functionArn] }));
      }
    }
    if (consoleAuth) for (const [k, v] of Object.entries(consoleAuth.environment())) fns.Api.addEnvironment(k, v);

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
    const jwt = this.signInAuthorizer(deployment, fns.Api, cognitoClient, consoleAuth, publicBaseUrl);
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
      'The scheduler may invoke the job functions only; CDK also allows their versions and aliases (<function arn>:*).',
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

    if (configurationSet) {
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
    mailEvents.addSubscription(new snsSubscriptions.LambdaSubscription(fns.MailEvents!));

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
    }).addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fns.MailInbound!), {
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
    }
    if (china) this.imapPoll(fns.MailImapPoll!, deployment, schedulerRole);

    // --- recovery every minute: owed mail and satisfied lifecycle steps, from stored state
    new scheduler.Schedule(this, RECOVERY_SCHEDULE, {
      description: 'Sends owed confirmation mails and resumes lifecycle steps whose condition holds (what failed requests left undone)',
      // a rate has no time of day; the zone is stated as for every other schedule (Beijing time)
      schedule: scheduler.ScheduleExpression.expression('rate(1 minute)', TimeZone.ASIA_SHANGHAI),
      target: new schedulerTargets.LambdaInvoke(fns.JobRecover, {
        input: scheduler.ScheduleTargetInput.fromObject({ schedule: RECOVERY_SCHEDULE, scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        // The next run a minute later does the same work: no retries, nothing to re-drive. A
        // failing run raises the function's error alarm.
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        role: schedulerRole,
      }),
    });

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
    if (this.userPool && cognitoClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Cognito user pool: add users to coordinator/inspector/leader and set custom:department' });
      new CfnOutput(this, 'UserPoolClientId', { value: cognitoClient.userPoolClientId, description: 'App client for sign-in (SRP); the ID token is the API bearer token' });
    }
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'Lifecycle state machine (one execution per task)' });
    new CfnOutput(this, 'BlobBucket', { value: bucket.bucketName, description: 'Draw records, import files, inbound mail' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Operations alarms (SNS); subscribers: context opsEmail' });
    if (this.smtpSecret && this.imapSecret) {
      new CfnOutput(this, 'SmtpSecretArn', { value: this.smtpSecret.secretArn, description: 'SMTP credentials of the mail provider: put {"username","password"} here (docs/DEPLOY.md)' });
      new CfnOutput(this, 'ImapSecretArn', { value: this.imapSecret.secretArn, description: 'Reply mailbox IMAP login: put {"username","password"} here (docs/DEPLOY.md)' });
    }
    if (!china) new CfnOutput(this, 'InboundRuleSet', {
      value: RECEIPT_RULE_SET_NAME,
      description:
        `SES receipt rule set for ${props.inboundDomain}. It is NOT active after deployment (one active rule set per region): ` +
        `activate it with "aws ses set-active-receipt-rule-set --rule-set-name ${RECEIPT_RULE_SET_NAME}" and point the MX record ` +
        `of ${props.inboundDomain} to inbound-smtp.<region>.amazonaws.com.`,
    });
  }

  /** The JWT authorizer of the signed-in routes, and what the API function must know about it. */
  private signInAuthorizer(
    d: Deployment,
    api: lambda.Function,
    cognitoClient: cognito.UserPoolClient | undefined,
    consoleAuth: ConsoleAuth | undefined,
    publicBaseUrl: string,
  ): apigwv2.IHttpRouteAuthorizer {
    const identitySource = ['$request.header.Authorization'];
    const s = d.signIn;
    if (s.mode === 'cognito') {
      return new HttpUserPoolAuthorizer('Cognito', this.userPool!, { userPoolClients: [cognitoClient!, consoleAuth!.client], identitySource });
    }
    if (s.mode === 'oidc') {
      // The customer's issuer: its discovery document and JWKS must be reachable from API
      // Gateway (public internet); the claims named here become the Principal (shared/http/core.ts).
      for (const [k, v] of Object.entries({
        AUTH_MODE: 'oidc',
        AUTH_ISSUER: s.issuer,
        AUTH_AUDIENCE: s.audience.join(','),
        AUTH_CLIENT_ID: s.clientId,
        AUTH_CLAIM_ROLE: s.roleClaim,
        AUTH_CLAIM_DEPARTMENT: s.departmentClaim,
        AUTH_CLAIM_INSPECTOR_ID: s.inspectorIdClaim,
        ...(s.roleValues ? { AUTH_ROLE_VALUES: s.roleValues } : {}),
        // acts with legal weight need a second factor in this claim (shared/http/access.ts)
        ...(s.mfaClaim ? { AUTH_CLAIM_MFA: s.mfaClaim } : {}),
      })) api.addEnvironment(k, v);
      return new HttpJwtAuthorizer('Oidc', s.issuer, { jwtAudience: s.audience, identitySource });
    }
    // Built-in: RS256 tokens signed inside KMS (the private key never leaves it); the API serves
    // the public key as the issuer's JWKS under /auth — on the public (ICP-licensed) custom
    // domain when there is one (context publicBaseUrl), since API Gateway fetches it from there.
    const issuer = `${publicBaseUrl.replace(/\/$/, '')}${BUILTIN_ISSUER_PATH}`;
    const key = new kms.Key(this, 'SignInKey', {
      description: 'Suiji built-in sign-in: signs session tokens (RS256); the API serves its public key as JWKS',
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(key, 'KMS5', 'An asymmetric signing key cannot rotate automatically; a new key is a new deployment of this key (all sessions end, users sign in again): docs/DEPLOY.md.');
    (this as { signingKey?: kms.Key }).signingKey = key;
    api.addToRolePolicy(new iam.PolicyStatement({ sid: 'SignInTokens', actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [key.keyArn] }));
    for (const [k, v] of Object.entries({ AUTH_MODE: 'builtin', AUTH_ISSUER: issuer, AUTH_AUDIENCE: BUILTIN_AUDIENCE, AUTH_SIGNING_KEY_ARN: key.keyArn })) api.addEnvironment(k, v);
    return new HttpJwtAuthorizer('BuiltinSignIn', issuer, { jwtAudience: [BUILTIN_AUDIENCE], identitySource });
  }

  /** aws-cn: the reply mailbox polled over IMAP every few minutes (EventBridge Scheduler). */
  private imapPoll(fn: lambda.Function, d: Deployment, role: iam.IRole): void {
    const m = d.mail!;
    this.imapSecret!.grantRead(fn);
    for (const [k, v] of Object.entries({
      MAIL_IMAP_HOST: m.imap.host,
      MAIL_IMAP_PORT: String(m.imap.port),
      MAIL_IMAP_SECRET_ARN: this.imapSecret!.secretArn,
      ...(m.imap.mailbox ? { MAIL_IMAP_MAILBOX: m.imap.mailbox } : {}),
      ...(m.authTrustedHosts ? { MAIL_AUTH_TRUSTED_HOSTS: m.authTrustedHosts } : {}),
    })) fn.addEnvironment(k, v);
    acknowledgeFindings(
      role,
      'IAM5',
      [/^Resource::<MailImapPoll[0-9A-F]{8}\.Arn>:\*$/],
      'The scheduler may invoke the IMAP poll function only; CDK also allows its versions and aliases (<function arn>:*).',
    );
    new scheduler.Schedule(this, IMAP_POLL_SCHEDULE, {
      description: 'Polls the reply mailbox over IMAP: results by reply and bounces (aws-cn has no SES receipt rules)',
      schedule: scheduler.ScheduleExpression.expression(`rate(${m.pollMinutes} minute${m.pollMinutes === 1 ? '' : 's'})`, TimeZone.ASIA_SHANGHAI),
      target: new schedulerTargets.LambdaInvoke(fn, {
        input: scheduler.ScheduleTargetInput.fromObject({ schedule: IMAP_POLL_SCHEDULE, scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        // A missed poll is made up by the next one: no retries, nothing to re-drive. A poll that
        // fails raises the function's error alarm; its message stays in the mailbox.
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        role,
      }),
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
      identity: ses.EmailIdentity | undefined;
      configurationSet: ses.ConfigurationSet | undefined;
      smtpSecret: secretsmanager.ISecret | undefined;
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
    if (lc.has('list')) add(['states:ListExecutions'], [r.arns.stateMachine], 'LifecycleList');

    // SMTP (aws-cn): the provider's credentials, nothing else.
    if (spec.mail && r.smtpSecret) r.smtpSecret.grantRead(fn);
    // SES: send from the domain identity through the configuration set, nothing else.
    if (spec.mail && r.identity && r.configurationSet) {
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
        // With a region from context (aws-cn) partition and region are literals in the ARN.
        [new RegExp(`^Resource::arn:(<AWS::Partition>|aws|aws-cn):states:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):<AWS::AccountId>:execution:${STATE_MACHINE_NAME}:\\*$`)],
        `${spec.id} reads the status and history of executions of ${STATE_MACHINE_NAME} only; execution names are task ids.`,
      );
    }
  }
}
