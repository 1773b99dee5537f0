/**
 * A tiny CDK app for the local Step Functions / scheduler tests, synthesized in the test with
 * bundling disabled, so the fixtures too come from `cdk synth`: a table shaped like Suiji's,
 * three NodejsFunctions whose entry is test/local/fixtures/handlers.ts (with `suiji:entry`
 * metadata), a state machine with LambdaInvoke (wrapped and payload-only), WAIT_FOR_TASK_TOKEN
 * callbacks, Choice, Retry, Catch to named Fail states and a callback timeout, and schedules
 * (EventBridge Scheduler in Asia/Shanghai, one EventBridge rule in UTC).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { TABLE } from '../../shared/store/table.js';
import { REPO_ROOT, type LocalTemplate } from '../../shared/dev/local/lambdas.js';

export const FIXTURE_ENTRY = 'test/local/fixtures/handlers.ts';
export const FIXTURE_MACHINE = 'FixtureFlow';

function fixtureStack(app: App): Stack {
  const stack = new Stack(app, 'LocalFixture');
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: TABLE.ttlAttribute,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const idx of Object.values(TABLE.indexes)) {
    table.addGlobalSecondaryIndex({
      indexName: idx.name,
      partitionKey: { name: idx.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: idx.sortKey, type: dynamodb.AttributeType.STRING },
    });
  }

  const fn = (id: string, handler: string) => {
    const f = new NodejsFunction(stack, id, {
      entry: join(REPO_ROOT, FIXTURE_ENTRY),
      handler,
      runtime: lambda.Runtime.NODEJS_22_X,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { TABLE_NAME: table.tableName, FIXTURE_MARK: id.toLowerCase() },
    });
    (f.node.defaultChild as lambda.CfnFunction).addMetadata('suiji:entry', FIXTURE_ENTRY);
    return f;
  };
  const work = fn('Work', 'work');
  const callback = fn('Callback', 'callback');
  const job = fn('Job', 'job');

  const step = (id: string, name: string, payloadOnly: boolean, resultPath: string) =>
    new tasks.LambdaInvoke(stack, id, {
      lambdaFunction: work,
      payloadResponseOnly: payloadOnly,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({ taskId: sfn.JsonPath.stringAt('$.taskId'), step: name, options: sfn.JsonPath.objectAt('$.options') }),
      ...(payloadOnly ? {} : { resultSelector: { 'table.$': '$.Payload.table', 'mark.$': '$.Payload.mark' } }),
      resultPath,
    });
  const waitFor = (id: string, stage: string, timeout?: Duration) =>
    new tasks.LambdaInvoke(stack, id, {
      lambdaFunction: callback,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        taskId: sfn.JsonPath.stringAt('$.taskId'),
        stage,
        taskToken: sfn.JsonPath.taskToken,
        input: sfn.JsonPath.objectAt('$.options'),
      }),
      resultPath: `$.${stage}`,
      ...(timeout ? { taskTimeout: sfn.Timeout.duration(timeout) } : {}),
    });

  const prepare = step('Prepare', 'prepare', false, '$.prepared');
  prepare.addRetry({ errors: ['Lambda.TooManyRequestsException'], interval: Duration.seconds(1), backoffRate: 1, maxAttempts: 3 });
  const draw = step('Draw', 'draw', true, '$.draw');
  draw.addCatch(new sfn.Fail(stack, 'DrawFailed', { error: 'DrawInfeasible', causePath: '$.error.Cause' }), { errors: ['DrawInfeasible'], resultPath: '$.error' });
  const approval = waitFor('AwaitApproval', 'approval');
  approval.addCatch(new sfn.Fail(stack, 'Rejected', { error: 'PlanRejected', causePath: '$.error.Cause' }), { errors: ['PlanRejected'], resultPath: '$.error' });
  approval.addCatch(new sfn.Fail(stack, 'CallbackBroken', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), { errors: ['States.ALL'], resultPath: '$.error' });
  const results = waitFor('AwaitResults', 'results', Duration.days(30));
  // Order matters: States.TaskFailed must not catch a timeout (as in AWS).
  results.addCatch(new sfn.Fail(stack, 'ResultsFailed', { errorPath: '$.error.Error' }), { errors: ['States.TaskFailed'], resultPath: '$.error' });
  results.addCatch(new sfn.Fail(stack, 'ResultsLate', { error: 'ResultsLate' }), { errors: ['States.Timeout'], resultPath: '$.error' });
  const close = step('Close', 'close', true, '$.closed');
  const route = new sfn.Choice(stack, 'Route')
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.options.infeasible'), sfn.Condition.booleanEquals('$.options.infeasible', true)), draw)
    .otherwise(approval);
  const redo = new sfn.Choice(stack, 'AfterResults')
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.results.redo'), sfn.Condition.booleanEquals('$.results.redo', true)), approval)
    .otherwise(close);
  // A top-level Wait until `options.waitUntil` when given (the lifecycle waits for its beacon so).
  const hold = new sfn.Wait(stack, 'Hold', { time: sfn.WaitTime.timestampPath('$.options.waitUntil') });
  hold.next(results);
  const held = new sfn.Choice(stack, 'Held').when(sfn.Condition.isPresent('$.options.waitUntil'), hold).otherwise(results);
  prepare.next(route);
  draw.next(approval);
  approval.next(held);
  results.next(redo);
  close.next(new sfn.Succeed(stack, 'Done'));
  new sfn.StateMachine(stack, 'Flow', { stateMachineName: FIXTURE_MACHINE, definitionBody: sfn.DefinitionBody.fromChainable(prepare) });

  new scheduler.Schedule(stack, 'DailyDeadlines', {
    schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '8', timeZone: TimeZone.ASIA_SHANGHAI }),
    target: new schedulerTargets.LambdaInvoke(job, {
      input: scheduler.ScheduleTargetInput.fromObject({ schedule: 'daily', scheduledTime: scheduler.ContextAttribute.scheduledTime }),
      retryAttempts: 3,
      maxEventAge: Duration.hours(2),
    }),
  });
  new scheduler.Schedule(stack, 'MonthEnd', {
    schedule: scheduler.ScheduleExpression.expression('cron(30 17 L * ? *)', TimeZone.ASIA_SHANGHAI),
    target: new schedulerTargets.LambdaInvoke(job, {
      input: scheduler.ScheduleTargetInput.fromObject({ schedule: 'monthEnd', scheduledTime: scheduler.ContextAttribute.scheduledTime }),
    }),
  });
  new events.Rule(stack, 'WeekdayNoonUtc', {
    schedule: events.Schedule.expression('cron(0 12 ? * MON-FRI *)'),
    targets: [
      new eventsTargets.LambdaFunction(job, {
        event: events.RuleTargetInput.fromObject({ schedule: 'rule', scheduledTime: events.EventField.time }),
      }),
    ],
  });
  return stack;
}

let cached: LocalTemplate | undefined;

/** Synthesize the fixture app (once per test process) and return its template. */
export function fixtureTemplate(): LocalTemplate {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'suiji-fixture-'));
  const app = new App({
    outdir,
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:enablePartitionLiterals': true },
  });
  const stack = fixtureStack(app);
  const assembly = app.synth();
  cached = JSON.parse(readFileSync(join(assembly.directory, stack.templateFile), 'utf8')) as LocalTemplate;
  return cached;
}
