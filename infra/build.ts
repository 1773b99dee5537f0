/**
 * Builds the Suiji CDK app: the data stack (table, blob bucket) and the app stack. Used by
 * `cdk synth` (infra/app.ts, with esbuild bundling: infra/bundling.ts), by the tests and by the local platform,
 * which synthesizes in-process with `local: true` (no bundling) and runs the tables, the state
 * machine definition, the functions and the schedules from the templates.
 */
import { App, Validations } from 'aws-cdk-lib';
import { SuijiNagChecks } from './nag.js';
import { AppStack } from './app-stack.js';
import { DataStack } from './data-stack.js';
import { parseOpsEmails } from './operations.js';
import { deploymentOf } from './deployment.js';

export interface BuildOptions {
  /** Synthesize for the local platform: skip bundling and the built-in template validation. */
  local?: boolean;
  outdir?: string;
  /** Extra context, e.g. `{ mailDomain: 'example.gov.cn' }`. */
  context?: Record<string, unknown>;
  /** Run the cdk-nag AwsSolutions checks on synthesis (default: not when local). */
  nag?: boolean;
}

/**
 * Feature flags, set here rather than in cdk.json so that the in-process synthesis (tests,
 * local platform) and `cdk synth` produce the same templates.
 */
export const FEATURE_FLAGS: Record<string, unknown> = {
  '@aws-cdk/core:enablePartitionLiterals': true,
  // Same-region references stay CloudFormation exports: the data stack cannot be deleted while
  // the app stack uses its table and bucket.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/core:aspectStabilization': true,
  '@aws-cdk/core:enableAdditionalMetadataCollection': false,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-iam:importedRoleStackSafeDefaultPolicyName': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-lambda:recognizeVersionProps': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': false,
  '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': true,
  '@aws-cdk/cognito:logUserPoolClientSecretValue': false,
};

export interface MailSettings {
  mailDomain: string;
  inboundDomain: string;
  mailFrom: string;
  publicBaseUrl?: string;
}

/** Context: mailDomain (default example.gov.cn), inboundDomain, mailFrom, publicBaseUrl. */
export function mailSettings(app: App): MailSettings {
  const ctx = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    return typeof v === 'string' && v.length ? v : undefined;
  };
  const mailDomain = ctx('mailDomain') ?? 'example.gov.cn';
  const publicBaseUrl = ctx('publicBaseUrl');
  return {
    mailDomain,
    inboundDomain: ctx('inboundDomain') ?? `reply.${mailDomain}`,
    mailFrom: ctx('mailFrom') ?? `suiji@${mailDomain}`,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  };
}

export function buildApp(options: BuildOptions = {}): { app: App; dataStack: DataStack; appStack: AppStack } {
  const context: Record<string, unknown> = { ...FEATURE_FLAGS, ...options.context };
  // No esbuild bundling (infra/bundling.ts): function assets become placeholders; the local
  // platform runs the handlers from source, or bundles them itself (SUIJI_BUNDLED=1).
  if (options.local) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context,
    analyticsReporting: false,
    // The built-in CloudFormation validation adds several seconds to every synthesis; it runs
    // on `cdk synth`, not on the local platform's start-up or in the tests.
    builtinCloudFormationValidation: !options.local,
  });
  // -c region=cn-north-1 (or cn-northwest-1): the aws-cn partition (infra/deployment.ts); the
  // stacks then name their region, so ARNs, service domains and principals are the partition's.
  const deployment = deploymentOf(app);
  const env = deployment.region ? { env: { region: deployment.region, ...(deployment.account ? { account: deployment.account } : {}) } } : {};
  const dataStack = new DataStack(app, 'SuijiData', env);
  const appStack = new AppStack(app, 'SuijiApp', {
    ...env,
    deployment,
    table: dataStack.table,
    bucket: dataStack.bucket,
    ...mailSettings(app),
    // -c opsEmail=a@x.cn[,b@x.cn]: who receives the operations alarms.
    opsEmails: parseOpsEmails(app.node.tryGetContext('opsEmail')),
  });
  if (options.nag ?? !options.local) {
    Validations.of(app).addPlugins(new SuijiNagChecks({ verbose: true }));
  }
  return { app, dataStack, appStack };
}
