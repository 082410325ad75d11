import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  BACKFILL_ENV,
  BACKFILL_PREFIX,
  BACKFILL_SERVICE_NAME,
  BACKFILL_TIMEOUT_MINUTES,
} from '../backfill/contract';
import { METRICS_NAMESPACE } from './delivery';
import { COPY_PARQUET_WASM, createNodeFunction } from './functions';
import { piiEnvironment } from './pii-key';
import type { BackfillSettings, LakeSettings } from './settings';
import { PREFIX, s3KeyUseStatement } from './storage';
import { TRANSFORM_NODE_OPTIONS } from '../lambda-node-options';

/** The lake prefixes the backfill function writes: rows, error output, done markers. */
export const BACKFILL_WRITE_PREFIXES = [PREFIX.events, PREFIX.errors, BACKFILL_PREFIX.ingested] as const;

export interface BackfillConstructProps {
  readonly settings: LakeSettings;
  readonly backfill: BackfillSettings;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The HMAC key secret, with `pii: hash`. */
  readonly piiKey?: secretsmanager.ISecret;
}

/**
 * The backfill option: the function S3 Batch Operations invokes once per archive object, and the
 * role S3 Batch Operations assumes to run the job. The job itself is created by
 * `engagement-lake backfill` (S3 Batch Operations has no CloudFormation resource for jobs).
 *
 * Both roles are written out by hand, least privilege: the function reads the archive buckets and
 * writes the lake's `events/`, `errors/` and `_ingested/` prefixes; the job role invokes that one
 * function, reads manifests and writes reports under `_backfill/`.
 */
export class Backfill extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly functionRole: iam.Role;
  /** The role S3 Batch Operations assumes (CreateJob's RoleArn). */
  readonly jobRole: iam.Role;
  readonly archiveBucketNames: readonly string[];

  constructor(scope: Construct, id: string, props: BackfillConstructProps) {
    super(scope, id);
    const { settings, backfill, bucket, key } = props;
    this.archiveBucketNames = backfill.archiveBucketNames;
    const partition = Stack.of(this).partition;
    const archiveBuckets = backfill.archiveBucketNames.map((name) => `arn:${partition}:s3:::${name}`);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: settings.removalPolicy,
    });
    this.functionRole = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'engagement-lake backfill: read the archive buckets, write the lake (events, errors, markers)',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      // ListBucket lets a missing key read as 404 (a permanent failure) rather than 403.
      new iam.PolicyStatement({ sid: 'ArchiveList', actions: ['s3:ListBucket'], resources: archiveBuckets }),
      new iam.PolicyStatement({
        sid: 'ArchiveRead',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: archiveBuckets.map((arn) => `${arn}/*`),
      }),
      // HeadBucket (the sink's check) and the done-marker lookups need ListBucket on the lake.
      new iam.PolicyStatement({ sid: 'LakeList', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      // Delete: ingest's recovery removes the files a killed run (a timed-out task) published
      // after its last commit, and its run record under _ingested/runs/.
      new iam.PolicyStatement({
        sid: 'LakeWrite',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
        resources: BACKFILL_WRITE_PREFIXES.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
      new iam.PolicyStatement({
        sid: 'MarkersRead',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${BACKFILL_PREFIX.ingested}*`)],
      }),
      s3KeyUseStatement('LakeEncryption', key),
    ];
    if (backfill.archiveKeyArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ArchiveDecrypt',
          actions: ['kms:Decrypt'],
          resources: backfill.archiveKeyArns,
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    this.functionRole.attachInlinePolicy(new iam.Policy(this, 'FunctionPolicy', { statements }));

    this.function = createNodeFunction(this, 'Function', {
      entry: backfill.entry,
      handler: 'handler',
      // One task is one archive object: a raw Firehose object is at most 128 MiB before compression.
      // It is streamed (gunzip, split, transform, Parquet per partition), and 2 GB holds the
      // partition buffers and the Parquet encoder's copies with room; it also buys more than one
      // vCPU (about one per 1,769 MB), which the encoder uses.
      memorySize: 2048,
      // Lambda's maximum: at the measured pace (see docs/backfill.md) a 128 MiB object takes a
      // few minutes; a task that still times out is retried by S3 Batch Operations, and a retry
      // rewrites the same files.
      timeout: Duration.minutes(BACKFILL_TIMEOUT_MINUTES),
      reservedConcurrentExecutions: backfill.reservedConcurrency,
      role: this.functionRole,
      logGroup,
      description: 'engagement-lake: backfills one archive object into the lake (S3 Batch Operations task)',
      environment: {
        NODE_OPTIONS: TRANSFORM_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: BACKFILL_SERVICE_NAME,
        // The per-task counts the stack's BackfillFailedRecords alarm watches.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Read by the transform handler the backfill runs in-process, as on the Firehose Lambda.
        INCLUDE_RAW: String(settings.includeRaw),
        DT_START: settings.dtStart,
        ...piiEnvironment(settings, props.piiKey, this.functionRole),
        [BACKFILL_ENV.lakeBucket]: bucket.bucketName,
        [BACKFILL_ENV.lakePrefix]: '',
      },
      bundling: {
        sourceMap: true,
        // The S3 client and lib-storage the code was tested with, not the runtime's copy.
        bundleAwsSDK: true,
        // Only ingest's worker threads load tsx, and the backfill runs without workers.
        externalModules: ['tsx'],
        commandHooks: COPY_PARQUET_WASM,
      },
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description:
        'engagement-lake backfill job: invoke the backfill function, read manifests, write reports',
    });
    this.jobRole.attachInlinePolicy(
      new iam.Policy(this, 'JobPolicy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'Invoke',
            actions: ['lambda:InvokeFunction'],
            resources: [this.function.functionArn],
          }),
          new iam.PolicyStatement({
            sid: 'ReportBucket',
            actions: ['s3:GetBucketLocation'],
            resources: [bucket.bucketArn],
          }),
          new iam.PolicyStatement({
            sid: 'ReadManifest',
            actions: ['s3:GetObject', 's3:GetObjectVersion'],
            resources: [bucket.arnForObjects(`${BACKFILL_PREFIX.manifests}*`)],
          }),
          new iam.PolicyStatement({
            sid: 'WriteReport',
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects(`${BACKFILL_PREFIX.reports}*`)],
          }),
          // The manifest is encrypted with the lake key (the bucket's default); reports are
          // always SSE-S3, so decrypting is all the job needs.
          new iam.PolicyStatement({
            sid: 'DecryptManifest',
            actions: ['kms:Decrypt'],
            resources: [key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
          }),
        ],
      }),
    );
  }
}
