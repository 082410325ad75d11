import type { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { PiiMode } from '../../transform/src/pii';

/**
 * Properties of an {@link EngagementLake}. Every property is optional: `new EngagementLake(this, 'Lake')`
 * deploys a Direct PUT lake with no event sources attached.
 */
export interface EngagementLakeProps {
  /**
   * First day of the `dt` partition projection range (`YYYY-MM-DD`, UTC). Rows dated earlier are
   * invisible to Athena; the transform clamps event dates to this day and sends them to the same
   * partition, so keep it equal to the Lambda's `DT_START` (this construct sets both).
   *
   * @default DEFAULT_DT_START from transform/src/schema.ts ('2015-01-01')
   */
  readonly dtStart?: string;

  /**
   * Whether the transform fills the `raw` column with the event's own JSON text.
   *
   * @default true
   */
  readonly includeRaw?: boolean;

  /**
   * Storage class that event data moves to after {@link dataTransitionAfter}. Only
   * `StorageClass.INTELLIGENT_TIERING` and `StorageClass.GLACIER_INSTANT_RETRIEVAL` are accepted:
   * Athena cannot read the archive classes without a restore.
   *
   * @default StorageClass.INTELLIGENT_TIERING
   */
  readonly dataStorageClass?: s3.StorageClass;

  /**
   * Age at which event data moves to {@link dataStorageClass}. Objects under 128 KB never move
   * (S3's default minimum object size for transitions).
   *
   * @default Duration.days(30)
   */
  readonly dataTransitionAfter?: Duration;

  /**
   * Age at which event data is deleted.
   *
   * @default - kept forever
   */
  readonly dataExpiration?: Duration;

  /**
   * Age at which Firehose error output (`errors/`) is deleted. It keeps failed records' original
   * bytes (for replay), personal data included, whatever `pii` says.
   *
   * @default Duration.days(365) with `pii` keep; Duration.days(30) with hash or drop
   */
  readonly errorExpiration?: Duration;

  /**
   * Personal data in the rows: `keep` as received, `hash` (HMAC-SHA256 keyed by a generated Secrets
   * Manager secret, so joins on the hashed values still work) or `drop` (nulled; `raw` not kept).
   * See transform/src/pii.ts for the columns and values it covers.
   *
   * @default 'keep'
   */
  readonly pii?: PiiMode;

  /**
   * Age at which non-current object versions are deleted: the erasure window. After you delete or
   * rewrite an object (for example to erase a person's events), its old version stays recoverable
   * for this long.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Age at which Athena query results are deleted.
   *
   * @default Duration.days(30)
   */
  readonly athenaResultsExpiration?: Duration;

  /**
   * Per-query scan cutoff of the Athena workgroup. Athena cancels queries that scan more.
   * Athena's minimum is 10 MB (10,000,000 bytes).
   *
   * @default Size.gibibytes(100)
   */
  readonly athenaBytesScannedCutoffPerQuery?: Size;

  /**
   * How long Firehose buffers data per partition before writing a Parquet object. Longer means
   * fewer, larger objects (cheaper requests, faster scans, more objects above the 128 KB transition
   * minimum); shorter means fresher data. Dynamic partitioning needs at least 60 seconds.
   *
   * @default Duration.seconds(900)
   */
  readonly bufferingInterval?: Duration;

  /**
   * Read events from this Kinesis data stream instead of Direct PUT. A Kinesis-sourced delivery
   * stream refuses PutRecord, so a Direct PUT stream sharing the Lambda, bucket and table is also
   * created unless {@link directPutStream} is false.
   *
   * @default - no Kinesis source; the delivery stream accepts Direct PUT
   */
  readonly sourceStream?: kinesis.IStream;

  /**
   * Create a new KMS-encrypted on-demand Kinesis data stream and read events from it.
   * Cannot be combined with {@link sourceStream}.
   *
   * @default false
   */
  readonly createSourceStream?: boolean;

  /**
   * With a Kinesis source, also create a Direct PUT delivery stream for SES, End User Messaging,
   * EventBridge and replay. Ignored without a Kinesis source (the one stream is Direct PUT).
   *
   * @default true
   */
  readonly directPutStream?: boolean;

  /**
   * SES configuration sets (existing, by name) that get an event destination sending all ten
   * event types to the Direct PUT stream.
   *
   * @default - none
   */
  readonly sesConfigurationSetNames?: string[];

  /**
   * End User Messaging SMS/voice configuration sets to create, by name, each with an event
   * destination sending every event type to the Direct PUT stream.
   *
   * @default - none
   */
  readonly smsVoiceConfigurationSetNames?: string[];

  /**
   * Legacy Amazon Pinpoint project (application) ids whose event stream points at this lake.
   * Pinpoint reached end of support on 2026-10-30; synthesis warns when this is set.
   *
   * @default - none
   */
  readonly pinpointApplicationIds?: string[];

  /**
   * Add an EventBridge rule that forwards SES (`aws.ses`) and End User Messaging (`aws.sms-voice`)
   * events from the default event bus to the lake.
   *
   * @default false
   */
  readonly forwardDefaultBusEvents?: boolean;

  /**
   * Email address subscribed to the alarm topic.
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;

  /**
   * Path of the transform Lambda's entry file.
   *
   * @default - transform/handler.ts at the repository root
   */
  readonly transformEntry?: string;

  /**
   * The optional backfill: a Lambda that S3 Batch Operations invokes once per archive object, which
   * runs the same transform as the Firehose Lambda and writes Parquet and the error output into this
   * lake (`engagement-lake backfill` creates the job). Off unless given.
   *
   * @default - no backfill function or role
   */
  readonly backfill?: BackfillProps;

  /**
   * What happens to the bucket and the key when the stack is deleted. `DESTROY` also empties the
   * bucket (used by the integration test).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The backfill option of an {@link EngagementLake}. */
export interface BackfillProps {
  /**
   * Names of the buckets holding the archives to backfill (raw Firehose objects, NDJSON, gzip). The
   * function may read these and nothing else outside the lake.
   */
  readonly archiveBucketNames: string[];

  /**
   * ARNs of the KMS keys the archive objects are encrypted with (SSE-KMS); the function may decrypt
   * with them through S3 only.
   *
   * @default - none: the archives use SSE-S3 or the lake's own key
   */
  readonly archiveKeyArns?: string[];

  /**
   * Reserved concurrency of the backfill function. S3 Batch Operations has no per-job concurrency
   * setting: it runs as many invocations as Lambda allows, so this is the bound on how many archive
   * objects are processed at once, and it keeps a backfill from starving the live transform (and
   * everything else in the account) of Lambda concurrency.
   *
   * @default 50
   */
  readonly reservedConcurrency?: number;

  /**
   * Path of the backfill Lambda's entry file.
   *
   * @default - infra/src/backfill/handler.ts
   */
  readonly entry?: string;
}
