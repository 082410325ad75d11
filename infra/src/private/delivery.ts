import { Duration, Size, Stack } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, METRIC_NAMES } from '../../../transform/src/metrics-names';
import { createNodeFunction } from './functions';
import { piiEnvironment } from './pii-key';
import type { LakeSettings } from './settings';
import { glueTableResources } from './catalog';
import { PREFIX, s3KeyUseStatement } from './storage';
import { TRANSFORM_NODE_OPTIONS } from '../lambda-node-options';

/** CloudWatch namespace of the transform's own metrics (Powertools EMF). */
export const METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;
/** The transform's metric counting records it returned as `ProcessingFailed`. */
export const PROCESSING_FAILED_METRIC = METRIC_NAMES.processingFailedRecords;
/** Powertools adds this as the `service` dimension of every metric; the alarm names it too. */
export const TRANSFORM_SERVICE_NAME = 'engagement-lake-transform';

/** Hive-style partitions from the keys the Lambda returns (`metadata.partitionKeys`). */
export const DATA_PREFIX = `${PREFIX.events}family=!{partitionKeyFromLambda:family}/dt=!{partitionKeyFromLambda:dt}/`;
/** One folder per error type (processing-failed, format-conversion-failed, partitioning-failed…), then by hour. */
export const ERROR_PREFIX = `${PREFIX.errors}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/`;

/** The transform Lambda: `transform/handler.ts`, bundled by the local esbuild (no Docker). */
export function createTransformFunction(
  scope: Construct,
  settings: LakeSettings,
  piiKey?: secretsmanager.ISecret,
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'TransformLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: settings.removalPolicy,
  });
  const role = new iam.Role(scope, 'TransformRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description:
      'engagement-lake transform: writes its own logs (and EMF metrics through them), nothing else',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // Lambda names the log streams at run time, so the group's streams are matched with `:*`.
      resources: [logGroup.logGroupArn],
    }),
  );
  return createNodeFunction(scope, 'Transform', {
    entry: settings.transformEntry,
    handler: 'handler',
    memorySize: 1024,
    // Firehose waits up to 5 minutes for a transformation; 1 MB of input takes well under a minute.
    timeout: Duration.minutes(2),
    role,
    logGroup,
    description: 'engagement-lake: flattens engagement events into rows of the events table',
    environment: {
      NODE_OPTIONS: TRANSFORM_NODE_OPTIONS,
      POWERTOOLS_SERVICE_NAME: TRANSFORM_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      INCLUDE_RAW: String(settings.includeRaw),
      DT_START: settings.dtStart,
      ...piiEnvironment(settings, piiKey, role),
    },
    // The pinned Secrets Manager client (pii: hash) goes in the bundle, not the runtime's copy.
    bundling: { sourceMap: true, bundleAwsSDK: true },
  });
}

export interface DestinationRoleProps {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly database: glue.IDatabase;
  readonly table: glue.ITable;
  readonly transform: lambda.IFunction;
}

/**
 * The role Firehose assumes to invoke the transform, read the table schema and write to S3,
 * with the actions the Firehose S3 destination guide lists and nothing more (the L2 grants would
 * add deletes and wildcard actions, so its grants go to an immutable view of this role).
 */
export class DestinationRole extends Construct {
  readonly role: iam.Role;
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: DestinationRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: firehosePrincipal(this),
      description: 'engagement-lake delivery: invoke the transform, read the schema, write Parquet to S3',
    });
    const objects = [PREFIX.events, PREFIX.errors].map((p) => props.bucket.arnForObjects(`${p}*`));
    this.policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'Bucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [props.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'Objects',
          actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          resources: objects,
        }),
        s3KeyUseStatement('EncryptObjects', props.key),
        new iam.PolicyStatement({
          sid: 'ReadSchema',
          actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          resources: glueTableResources(props.database, [props.table.tableArn]),
        }),
        new iam.PolicyStatement({
          sid: 'Transform',
          actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
          resources: [props.transform.functionArn],
        }),
      ],
    });
    this.role.attachInlinePolicy(this.policy);
  }

  /** Lets the role write Firehose's error log (the stream name is generated inside the group). */
  allowLogging(logGroup: logs.ILogGroup): void {
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
  }
}

export interface LakeDeliveryStreamProps {
  readonly settings: LakeSettings;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly table: glue.S3Table;
  readonly transform: lambda.IFunction;
  readonly destinationRole: DestinationRole;
  /** Read from this Kinesis stream; Direct PUT (encrypted with `key`) when absent. */
  readonly sourceStream?: kinesis.IStream;
}

/** One delivery stream: de-aggregate, transform, partition by family and dt, convert to Parquet. */
export function createDeliveryStream(
  scope: Construct,
  id: string,
  props: LakeDeliveryStreamProps,
): firehose.DeliveryStream {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: props.settings.removalPolicy,
  });
  props.destinationRole.allowLogging(logGroup);

  const destination = new firehose.S3Bucket(props.bucket, {
    role: props.destinationRole.role.withoutPolicyUpdates(),
    processors: [
      // Splits concatenated or newline-delimited JSON (SES puts a newline after each record) into
      // one record per event, so that each event gets its own partition keys.
      firehose.RecordDeAggregationProcessor.json(),
      // 1 MB in keeps the expanded response (flattened rows plus raw text) under Lambda's 6 MB.
      new firehose.LambdaFunctionProcessor(props.transform, {
        bufferSize: Size.mebibytes(1),
        bufferInterval: Duration.seconds(60),
        retries: 3,
      }),
    ],
    dynamicPartitioning: { enabled: true, retryDuration: Duration.seconds(300) },
    dataOutputPrefix: DATA_PREFIX,
    errorOutputPrefix: ERROR_PREFIX,
    dataFormatConversion: {
      schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(
        props.table.node.defaultChild as glue.CfnTable,
      ),
      // Case-sensitive: map keys (attributes, metrics, tags, extra) keep their case. The transform
      // emits the exact lower-case column names, so columns still match.
      inputFormat: new firehose.OpenXJsonInputFormat({ lowercaseColumnNames: false }),
      outputFormat: new firehose.ParquetOutputFormat({
        compression: firehose.ParquetCompression.SNAPPY,
        enableDictionaryCompression: true,
      }),
    },
    fileExtension: '.parquet',
    // 128 MiB (the maximum) so that a busy partition writes few, large Parquet objects; at modest
    // volumes the interval decides, see bufferingInterval.
    bufferingSize: Size.mebibytes(128),
    bufferingInterval: props.settings.bufferingInterval,
    encryptionKey: props.key,
    loggingConfig: new firehose.EnableLogging(logGroup),
  });

  const streamRole = new iam.Role(scope, `${id}StreamRole`, {
    assumedBy: firehosePrincipal(scope),
    description: props.sourceStream
      ? 'engagement-lake delivery: read the source Kinesis stream'
      : 'engagement-lake delivery: encrypt buffered records',
  });
  streamRole.addToPolicy(
    props.sourceStream
      ? new iam.PolicyStatement({
          actions: [
            'kinesis:DescribeStream',
            'kinesis:GetShardIterator',
            'kinesis:GetRecords',
            'kinesis:ListShards',
          ],
          resources: [props.sourceStream.streamArn],
        })
      : new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
        }),
  );
  if (props.sourceStream?.encryptionKey) {
    streamRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.sourceStream.encryptionKey.keyArn],
      }),
    );
  }

  const stream = new firehose.DeliveryStream(scope, id, {
    destination,
    role: streamRole.withoutPolicyUpdates(),
    source: props.sourceStream ? new firehose.KinesisStreamSource(props.sourceStream) : undefined,
    // A Kinesis source is encrypted by the stream itself; Firehose refuses SSE on top of it.
    encryption: props.sourceStream ? undefined : firehose.StreamEncryption.customerManagedKey(props.key),
  });
  // The grants went to immutable roles, so order the stream after the real policies explicitly:
  // Firehose checks its permissions when the stream is created.
  stream.node.addDependency(props.destinationRole.policy, streamRole);
  return stream;
}

/** Firehose, assuming a role only on behalf of this account (the confused-deputy guard). */
function firehosePrincipal(scope: Construct): iam.ServicePrincipal {
  return new iam.ServicePrincipal('firehose.amazonaws.com', {
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  });
}
