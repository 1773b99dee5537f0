/**
 * The lifecycle state machine of one inspection task (decision 1 of the brief): one STANDARD
 * execution per task, input `{ "taskId": "…" }`.
 *
 * Constraints the definition keeps, because the local platform runs this very definition with
 * aws-local-stepfunctions and resumes an execution at a recorded state:
 *  - flat top-level states only (no Parallel, no Map);
 *  - no per-target data in any payload: Lambda tasks send `{taskId}` and keep only selected
 *    small fields of their result; callback stages keep the small object the API sends with
 *    SendTaskSuccess under `$.<stage>`.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { HUMAN_ERRORS } from '../shared/lifecycle/errors.js';

/** Seconds between RunDraw attempts while the beacon is not out (a relay lagging behind the round's time). */
export const BEACON_RETRY_SECONDS = 10;

export const STATE_MACHINE_NAME = 'SuijiLifecycle';

/** Errors a person causes; each ends the execution in a Fail state of the same name. */
export { HUMAN_ERRORS };
/** Fail state for every other error. */
export const GENERIC_FAILURE = 'LifecycleError';

/** Transient Lambda errors worth retrying (never the human errors above). */
export const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export type CallbackStage = 'approval' | 'witnesses' | 'ceremony' | 'results' | 'publication' | 'followup';

/** The happy path, in order (the re-draw loop goes from AfterResults back to AwaitWitnesses). */
export const LIFECYCLE_STATES = [
  'ValidatePlan',
  'AwaitPlanApproval',
  'AwaitWitnesses',
  'FreezePool',
  'AwaitCeremony',
  'BeaconFixed',
  'WaitForBeacon',
  'RunDraw',
  'Drawn',
  'AwaitResults',
  'AfterResults',
  'AwaitPublication',
  'AwaitFollowUps',
  'CloseTask',
  'Closed',
] as const;

export interface LifecycleFunctions {
  validate: LambdaFunction;
  callback: LambdaFunction;
  freeze: LambdaFunction;
  draw: LambdaFunction;
  close: LambdaFunction;
}

/**
 * A Lambda step may take as long as its function may run (plus the retries' own budget is per
 * attempt). Explicit because interpreters differ: Step Functions has no default task timeout,
 * aws-local-stepfunctions defaults to 60 s, shorter than a large freeze or draw.
 */
const stepTimeout = (fn: LambdaFunction): sfn.Timeout =>
  sfn.Timeout.duration(Duration.seconds((fn.timeout ?? Duration.seconds(3)).toSeconds() + 30));

const RETRY: sfn.RetryProps = {
  errors: [...TRANSIENT_LAMBDA_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
};

/** Builds the definition; returns its start state. */
export function lifecycleDefinition(scope: Construct, fns: LifecycleFunctions): sfn.IChainable {
  // --- failure path: RecordFailure writes the reason on the task record, then a named Fail state.
  const recordFailure = new tasks.LambdaInvoke(scope, 'RecordFailure', {
    lambdaFunction: fns.close,
    taskTimeout: stepTimeout(fns.close),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({ taskId: sfn.JsonPath.stringAt('$.taskId'), failure: sfn.JsonPath.objectAt('$.error') }),
    resultPath: sfn.JsonPath.DISCARD,
    comment: 'Writes the error and its cause on the task record, where the coordinator sees it',
  });
  recordFailure.addRetry(RETRY);

  const failureKind = new sfn.Choice(scope, 'FailureKind', { comment: 'Ends in a Fail state named after the error' });
  for (const name of HUMAN_ERRORS) {
    failureKind.when(
      sfn.Condition.stringEquals('$.error.Error', name),
      new sfn.Fail(scope, name, { error: name, causePath: '$.error.Cause' }),
    );
  }
  // Any other error keeps its own name and cause (Lambda.Unknown, States.Timeout, …).
  failureKind.otherwise(new sfn.Fail(scope, GENERIC_FAILURE, { errorPath: '$.error.Error', causePath: '$.error.Cause' }));
  // If even recording fails, still end in the right Fail state (the execution shows the error).
  recordFailure.addCatch(failureKind, { errors: ['States.ALL'], resultPath: '$.recordFailureError' });
  recordFailure.next(failureKind);

  const guard = <T extends tasks.LambdaInvoke>(task: T): T => {
    task.addRetry(RETRY);
    task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  };

  const lambdaStep = (id: string, fn: LambdaFunction, resultSelector: Record<string, string>, resultPath: string, comment: string) =>
    guard(
      new tasks.LambdaInvoke(scope, id, {
        lambdaFunction: fn,
        taskTimeout: stepTimeout(fn),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({ taskId: sfn.JsonPath.stringAt('$.taskId') }),
        resultSelector,
        resultPath,
        comment,
      }),
    );

  const callbackStep = (id: string, stage: CallbackStage, comment: string) =>
    guard(
      new tasks.LambdaInvoke(scope, id, {
        lambdaFunction: fns.callback,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({
          taskId: sfn.JsonPath.stringAt('$.taskId'),
          stage,
          taskToken: sfn.JsonPath.taskToken,
        }),
        resultPath: `$.${stage}`,
        comment,
      }),
    );

  const validate = lambdaStep(
    'ValidatePlan',
    fns.validate,
    { 'department.$': '$.department' },
    '$.plan',
    'The task is in a published plan and passes the department profile (PlanInvalid otherwise)',
  );
  const approval = callbackStep('AwaitPlanApproval', 'approval', 'Leader approves the task plan form (PlanRejected otherwise)');
  const witnesses = callbackStep('AwaitWitnesses', 'witnesses', 'Witness commitments registered before the pool is frozen');
  const freeze = lambdaStep(
    'FreezePool',
    fns.freeze,
    { 'round.$': '$.round', 'candidates.$': '$.candidates', 'toDraw.$': '$.toDraw' },
    '$.freeze',
    'Candidate pool frozen and fingerprinted before the seed exists',
  );
  const ceremony = callbackStep('AwaitCeremony', 'ceremony', 'Witness reveals (CeremonyAborted otherwise)');
  // RunDraw is not started before the beacon's time (a Wait state, not a Lambda idling). If the
  // beacon is still not there (a relay lagging), RunDraw answers `pending` and runs again after a
  // short Wait — a loop bounded by RunDraw itself, which ends the round as failed once the beacon
  // is overdue by BEACON_WAIT (shared/lifecycle/draw-stage.ts). `pending` is an answer, not an
  // error: the function's error alarm stays for real failures.
  const draw = lambdaStep(
    'RunDraw',
    fns.draw,
    { 'round.$': '$.round', 'selected.$': '$.selected', 'pending.$': '$.pending' },
    '$.draw',
    'Deterministic selection and inspector matching (DrawInfeasible otherwise); pending while the beacon is not out yet',
  );
  const beaconRetry = new sfn.Wait(scope, 'BeaconRetryWait', {
    time: sfn.WaitTime.duration(Duration.seconds(BEACON_RETRY_SECONDS)),
    comment: 'The beacon was not out yet: RunDraw again shortly',
  });
  beaconRetry.next(draw);
  const waitForBeacon = new sfn.Wait(scope, 'WaitForBeacon', {
    time: sfn.WaitTime.timestampPath('$.ceremony.beaconAt'),
    comment: 'Until the beacon fixed at the freeze is published (the seed cannot exist before)',
  });
  waitForBeacon.next(draw);
  const beaconFixed = new sfn.Choice(scope, 'BeaconFixed', { comment: 'v2 rounds name the time of their beacon; v1 rounds draw at once' })
    // Not(IsPresent) rather than IsPresent: false, which aws-local-stepfunctions 3.0 evaluates as never true
    .when(sfn.Condition.not(sfn.Condition.isPresent('$.ceremony.beaconAt')), draw)
    .otherwise(waitForBeacon);
  const drawn = new sfn.Choice(scope, 'Drawn', { comment: 'RunDraw drew, or the beacon was not out yet' })
    .when(sfn.Condition.booleanEquals('$.draw.pending', true), beaconRetry);
  const results = callbackStep('AwaitResults', 'results', 'Checks and result entry; resumed when the last result is entered, or for an approved re-draw');
  const publication = callbackStep('AwaitPublication', 'publication', 'Every result published (一公开)');
  const followups = callbackStep('AwaitFollowUps', 'followup', 'Every follow-up disposal closed');
  const close = lambdaStep('CloseTask', fns.close, { 'closed.$': '$.closed' }, '$.close', 'Task summary written; task closed');
  const closed = new sfn.Succeed(scope, 'Closed');

  const afterResults = new sfn.Choice(scope, 'AfterResults', { comment: 'An approved re-draw goes back to the witnesses; the first draw stays on record' })
    .when(
      sfn.Condition.and(sfn.Condition.isPresent('$.results.redraw'), sfn.Condition.booleanEquals('$.results.redraw', true)),
      witnesses,
    )
    .otherwise(publication);

  validate.next(approval);
  approval.next(witnesses);
  witnesses.next(freeze);
  freeze.next(ceremony);
  ceremony.next(beaconFixed);
  drawn.otherwise(results);
  draw.next(drawn);
  results.next(afterResults);
  publication.next(followups);
  followups.next(close);
  close.next(closed);
  return validate;
}

/**
 * ARNs built from the fixed name, without a reference to the resource: the callback function is
 * both invoked by the state machine and allowed to resume it, and a reference would be circular.
 */
export function lifecycleArns(scope: Construct): { stateMachine: string; executions: string } {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return { stateMachine: arn('stateMachine', STATE_MACHINE_NAME), executions: arn('execution', `${STATE_MACHINE_NAME}:*`) };
}
