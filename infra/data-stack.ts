/**
 * SuijiData: what must outlive any deployment of the application — the table and the blob
 * bucket. Both are retained when the stack is deleted. The app stack receives them as props.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/store/table.js';
import { acknowledge } from './nag.js';
import { BLOB_PREFIX } from './functions.js';

/**
 * How long objects under a prefix of the blob bucket are kept (days after upload); draws/ is
 * archived evidence and kept for ever.
 *  - inbound/: raw reply mail (addresses, results, authentication headers). What a reply
 *    recorded is in the table with its audit entry; the raw message is kept as evidence for
 *    disputes about a reply (who sent it, did it pass SPF/DKIM) through the results and
 *    publication stages of the task it answered: 180 days, like the six months of logs.
 *  - imports/: uploaded registry files (names, contacts, e-mail addresses). The registries
 *    hold what was imported, with its audit; a draw's pool is frozen under draws/ and does not
 *    need the file: 180 days to answer "which file did this change come from".
 * A deleted or expired version stays recoverable for NONCURRENT_DAYS, then goes for good.
 */
export const BLOB_EXPIRY_DAYS = { inbound: 180, imports: 180 } as const satisfies Partial<Record<keyof typeof BLOB_PREFIX, number>>;
export const NONCURRENT_DAYS = 30;
/** S3 server access logs of the blob bucket: one year, like the CloudWatch logs. */
export const ACCESS_LOG_DAYS = 365;

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { description: 'Suiji data: DynamoDB table and blob bucket (retained)', ...props });

    const str = dynamodb.AttributeType.STRING;
    // Must stay an AWS::DynamoDB::Table (not TableV2): the local platform creates its tables
    // from the AWS::DynamoDB::Table resources of this template.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: str },
      sortKey: { name: TABLE.sortKey, type: str },
      timeToLiveAttribute: TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // ALL projection: every index serves full entities (target lists with filters, inspector by
    // e-mail, plans/tasks/public results by department, open deadlines by date); with
    // KEYS_ONLY each hit would need a second read, and the indexes are sparse or small.
    for (const index of Object.values(TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: str },
        sortKey: { name: index.sortKey, type: str },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Both buckets: private, encrypted, TLS 1.2+ only, versioned, kept when the stack goes.
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_DAYS), noncurrentVersionExpiration: Duration.days(NONCURRENT_DAYS) }],
    });
    acknowledge(this.logBucket, 'S1', 'This is the server access log bucket itself; logging it into itself would loop.');

    // Draw records are archived evidence (wuhai-housing-2019): every version is kept.
    this.bucket = new s3.Bucket(this, 'Blobs', {
      ...secure,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'blobs/',
      // Large imports: the console (in a browser, on the API's or the custom domain's origin) PUTs
      // the file to a presigned URL (shared/blobs.ts). Only PUT; the URL's signature — issued for
      // one key under imports/ by the API, for 15 minutes — is what authorizes it, so any origin
      // may carry one (the console's origin is not known to this stack).
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3600 }],
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...Object.entries(BLOB_EXPIRY_DAYS).flatMap(([prefix, days]) => [
          {
            id: `expire-${prefix}`,
            prefix: BLOB_PREFIX[prefix as keyof typeof BLOB_EXPIRY_DAYS],
            expiration: Duration.days(days),
            noncurrentVersionExpiration: Duration.days(NONCURRENT_DAYS),
          },
          // Delete markers left once the last version is gone.
          { id: `markers-${prefix}`, prefix: BLOB_PREFIX[prefix as keyof typeof BLOB_EXPIRY_DAYS], expiredObjectDeleteMarker: true },
        ]),
      ],
    });
  }
}
