import type * as athena from 'aws-cdk-lib/aws-athena';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { loadSavedQueries, loadViews } from '../../queries/src/catalog';
import { AthenaViews, createNamedQueries, createWorkGroup } from './private/athena';
import { Backfill } from './private/backfill';
import { createCatalog } from './private/catalog';
import { DestinationRole, createDeliveryStream, createTransformFunction } from './private/delivery';
import { Operations } from './private/operations';
import { createPiiKeySecret } from './private/pii-key';
import { resolveSettings } from './private/settings';
import { type IngestTarget, PUT_ACTIONS, Sources, ingestTargetArn } from './private/sources';
import { createStorage } from './private/storage';
import type { EngagementLakeProps } from './props';

export type { EngagementLakeProps } from './props';

/**
 * The engagement lake on AWS: Firehose (de-aggregation, the transform Lambda, dynamic partitioning
 * by family and dt, Parquet conversion) into a versioned SSE-KMS bucket, a Glue table with partition
 * projection, an Athena workgroup with the saved queries and views, optional event sources, and
 * alarms.
 *
 * @example
 * new EngagementLake(stack, 'Lake', { sesConfigurationSetNames: ['marketing'], alarmEmail: 'ops@example.com' });
 */
export class EngagementLake extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly database: glue.Database;
  readonly table: glue.S3Table;
  /** The `errors` table over the Firehose error output (`errors/`); its rows may hold personal data. */
  readonly errorsTable: glue.S3Table;
  readonly transform: lambda.IFunction;
  /** The HMAC key for hashing personal data, with `pii: hash`; read by the transform and backfill functions only. */
  readonly piiKey?: secretsmanager.Secret;
  /** The main delivery stream: Kinesis-sourced when a source stream is configured, otherwise Direct PUT. */
  readonly deliveryStream: firehose.DeliveryStream;
  /** The Direct PUT delivery stream (the main one without a Kinesis source); absent when Kinesis-only. */
  readonly directPutStream?: firehose.DeliveryStream;
  /** The Kinesis source stream, when configured. */
  readonly sourceStream?: kinesis.IStream;
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[];
  readonly views: AthenaViews;
  readonly alarmTopic: sns.Topic;
  /** Managed policy that lets applications put events into the lake. */
  readonly writerPolicy: iam.ManagedPolicy;
  /** The backfill function and job role, when the backfill option is on. */
  readonly backfill?: Backfill;
  /** Where producers put events: the Direct PUT stream, or the source stream when there is none. */
  private readonly ingestTarget: IngestTarget;

  constructor(scope: Construct, id: string, props: EngagementLakeProps = {}) {
    super(scope, id);
    // Access logs are delivered under a bucket policy rather than the legacy log-delivery ACL, so
    // the logs bucket can keep ACLs disabled (BucketOwnerEnforced).
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const settings = resolveSettings(props);

    const storage = createStorage(this, settings);
    this.key = storage.key;
    this.bucket = storage.bucket;
    this.accessLogsBucket = storage.accessLogsBucket;

    const catalog = createCatalog(this, this.bucket, settings.dtStart);
    this.database = catalog.database;
    this.table = catalog.table;
    this.errorsTable = catalog.errorsTable;

    this.piiKey = createPiiKeySecret(this, settings, this.key);
    const transform = createTransformFunction(this, settings, this.piiKey);
    this.transform = transform;
    const destinationRole = new DestinationRole(this, 'FirehoseDestinationRole', {
      bucket: this.bucket,
      key: this.key,
      database: this.database,
      table: this.table,
      transform,
    });
    const common = {
      settings,
      bucket: this.bucket,
      key: this.key,
      table: this.table,
      transform,
      destinationRole,
    };

    this.sourceStream =
      props.sourceStream ??
      (settings.kinesisSource === 'new'
        ? new kinesis.Stream(this, 'SourceStream', {
            streamMode: kinesis.StreamMode.ON_DEMAND,
            encryption: kinesis.StreamEncryption.KMS,
            encryptionKey: this.key,
          })
        : undefined);
    if (this.sourceStream) {
      this.deliveryStream = createDeliveryStream(this, 'KinesisDelivery', {
        ...common,
        sourceStream: this.sourceStream,
      });
      // A Kinesis-sourced stream refuses PutRecord; SES, End User Messaging and replay need this one.
      if (settings.directPut) this.directPutStream = createDeliveryStream(this, 'DirectPutDelivery', common);
    } else {
      this.deliveryStream = createDeliveryStream(this, 'Delivery', common);
      this.directPutStream = this.deliveryStream;
    }
    const streams = [
      this.deliveryStream,
      ...(this.directPutStream && this.directPutStream !== this.deliveryStream ? [this.directPutStream] : []),
    ];

    this.workGroup = createWorkGroup(this, settings, this.bucket, this.key);
    this.namedQueries = createNamedQueries(this, this.workGroup, this.database, loadSavedQueries());
    this.views = new AthenaViews(this, 'Views', {
      settings,
      workGroup: this.workGroup,
      database: this.database,
      table: this.table,
      bucket: this.bucket,
      key: this.key,
      views: loadViews(),
    });

    this.ingestTarget = this.directPutStream
      ? { kind: 'firehose', stream: this.directPutStream }
      : { kind: 'kinesis', stream: this.sourceStream! };
    this.writerPolicy = new Sources(this, 'Sources', { settings, target: this.ingestTarget }).writerPolicy;

    if (settings.backfill) {
      this.backfill = new Backfill(this, 'Backfill', {
        settings,
        backfill: settings.backfill,
        bucket: this.bucket,
        key: this.key,
        piiKey: this.piiKey,
      });
    }

    this.alarmTopic = new Operations(this, 'Operations', {
      key: this.key,
      bucket: this.bucket,
      transform,
      deliveryStreams: streams,
      bufferingInterval: settings.bufferingInterval,
      alarmEmail: settings.alarmEmail,
      backfill: this.backfill?.function,
    }).topic;
  }

  /**
   * Lets `grantee` put events into the lake: `firehose:PutRecord` and `PutRecordBatch` on the
   * Direct PUT stream, or `kinesis:PutRecord(s)` on the source stream when there is no Direct PUT
   * stream. Same permissions as {@link writerPolicy}, for principals defined in CDK.
   */
  grantPutEvents(grantee: iam.IGrantable): iam.Grant {
    const target = this.ingestTarget;
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...PUT_ACTIONS[target.kind]],
      resourceArns: [ingestTargetArn(target)],
    });
    const key = target.kind === 'kinesis' ? target.stream.encryptionKey : undefined;
    return key ? grant.combine(key.grant(grantee, 'kms:GenerateDataKey')) : grant;
  }
}
