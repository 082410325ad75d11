import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { LakeSettings } from './settings';

/** S3 prefixes of the lake. Firehose, Glue, Athena and the lifecycle rules all use these. */
export const PREFIX = {
  events: 'events/',
  errors: 'errors/',
  athenaResults: 'athena-results/',
} as const;

export interface Storage {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
}

/** The KMS key, the data bucket and its server access logs bucket. */
export function createStorage(scope: Construct, settings: LakeSettings): Storage {
  const destroy = settings.removalPolicy === RemovalPolicy.DESTROY;
  const key = new kms.Key(scope, 'Key', {
    description: 'engagement-lake: data, Athena results, alarm topic and delivery stream encryption',
    enableKeyRotation: true,
    removalPolicy: settings.removalPolicy,
    pendingWindow: destroy ? Duration.days(7) : undefined,
  });
  allowServicesToPublishToEncryptedTopic(key);

  // Server access logs cannot go to an SSE-KMS bucket, so the logs bucket uses SSE-S3.
  const accessLogsBucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    removalPolicy: settings.removalPolicy,
    autoDeleteObjects: destroy,
  });

  const bucket = new s3.Bucket(scope, 'DataBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'data-bucket/',
    lifecycleRules: lifecycleRules(settings),
    removalPolicy: settings.removalPolicy,
    autoDeleteObjects: destroy,
  });
  // Object-created events go to EventBridge so that new error objects raise an alert. Set on the
  // L1 because the L2's notifications need a custom-resource Lambda; CloudFormation does this natively.
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
  return { key, bucket, accessLogsBucket };
}

/**
 * Lets a role use the lake key for SSE-KMS objects, and only through S3 (`kms:ViaService`): the
 * role reads and writes encrypted objects but cannot call KMS on the key directly.
 */
export function s3KeyUseStatement(sid: string, key: kms.IKey): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(key).region}.amazonaws.com` } },
  });
}

/** Lifecycle: data kept (forever by default) in a class Athena can read; errors and results expire. */
export function lifecycleRules(settings: LakeSettings): s3.LifecycleRule[] {
  return [
    {
      id: 'events-transition',
      prefix: PREFIX.events,
      transitions: [
        { storageClass: settings.dataStorageClass, transitionAfter: settings.dataTransitionAfter },
      ],
      expiration: settings.dataExpiration,
    },
    { id: 'errors-expire', prefix: PREFIX.errors, expiration: settings.errorExpiration },
    {
      id: 'athena-results-expire',
      prefix: PREFIX.athenaResults,
      expiration: settings.athenaResultsExpiration,
    },
    {
      // The erasure window: a deleted or rewritten object stays recoverable this long, then is gone.
      id: 'noncurrent-versions-expire',
      noncurrentVersionExpiration: settings.noncurrentVersionExpiration,
      expiredObjectDeleteMarker: true,
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    },
  ];
}

/**
 * CloudWatch alarms and EventBridge publish to the KMS-encrypted alarm topic; SNS needs these
 * services to be able to use the key. Key policies always name the key itself as `*`.
 */
function allowServicesToPublishToEncryptedTopic(key: kms.Key): void {
  const account = Stack.of(key).account;
  for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${service.split('.')[0]}ToPublishToEncryptedTopic`,
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
}
