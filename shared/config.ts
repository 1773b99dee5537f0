/**
 * Runtime configuration, read from the environment once. The same variables are set by the CDK
 * app on every Lambda and by the local platform on its in-process handlers.
 */
export interface SuijiConfig {
  /** DynamoDB table name (TABLE_NAME). */
  readonly tableName: string;
  /** Bucket for draw records, import uploads and inbound mail (BLOB_BUCKET). Locally a folder. */
  readonly blobBucket: string;
  /** Lifecycle state machine ARN (STATE_MACHINE_ARN). */
  readonly stateMachineArn: string;
  /** Sender address for all mail (MAIL_FROM). */
  readonly mailFrom: string;
  /** Domain whose inbound mail reaches Suiji; reply-to addresses are built on it (MAIL_INBOUND_DOMAIN). */
  readonly mailInboundDomain: string;
  /** SES configuration set carrying the bounce/complaint event destination (SES_CONFIGURATION_SET). */
  readonly sesConfigurationSet: string;
  /** Base URL of the public site and of e-mail links (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
  /** Endpoint overrides for the local platform (AWS_ENDPOINT_URL_DYNAMODB, …, read by the SDK itself). */
  readonly local: boolean;
}

function env(name: string, fallback?: string): string {
  const v = process.env[name] || fallback;
  if (v === undefined) throw new Error(`missing environment variable ${name}`);
  return v;
}

let cached: SuijiConfig | undefined;

export function config(): SuijiConfig {
  cached ??= {
    tableName: env('TABLE_NAME'),
    blobBucket: env('BLOB_BUCKET'),
    stateMachineArn: env('STATE_MACHINE_ARN', ''),
    mailFrom: env('MAIL_FROM', 'suiji@example.gov.cn'),
    mailInboundDomain: env('MAIL_INBOUND_DOMAIN', 'reply.example.gov.cn'),
    sesConfigurationSet: env('SES_CONFIGURATION_SET', 'suiji'),
    publicBaseUrl: env('PUBLIC_BASE_URL', 'http://localhost:3000'),
    local: process.env.SUIJI_LOCAL === '1',
  };
  return cached;
}

/** Tests and the local platform reset the cache after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
