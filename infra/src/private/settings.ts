import * as path from 'node:path';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DEFAULT_DT_START } from '../../../transform/src/schema';
import { UserInputError } from '../../../transform/src/errors';
import { parsePiiMode, type PiiMode } from '../../../transform/src/pii';
import type { BackfillProps, EngagementLakeProps } from '../props';

/** Athena's minimum `BytesScannedCutoffPerQuery` (API_WorkGroupConfiguration). */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

/** Storage classes Athena reads without a restore; the archive classes are refused. */
const READABLE_CLASSES = [s3.StorageClass.INTELLIGENT_TIERING, s3.StorageClass.GLACIER_INSTANT_RETRIEVAL];

/** {@link EngagementLakeProps} with every default applied and every rule checked. */
export interface LakeSettings {
  readonly dtStart: string;
  readonly includeRaw: boolean;
  readonly dataStorageClass: s3.StorageClass;
  readonly dataTransitionAfter: Duration;
  readonly dataExpiration?: Duration;
  readonly errorExpiration: Duration;
  readonly pii: PiiMode;
  readonly noncurrentVersionExpiration: Duration;
  readonly athenaResultsExpiration: Duration;
  readonly athenaBytesScannedCutoffPerQuery: Size;
  readonly bufferingInterval: Duration;
  readonly kinesisSource: 'none' | 'existing' | 'new';
  /** Whether a Direct PUT delivery stream exists (always, unless Kinesis-only). */
  readonly directPut: boolean;
  readonly sesConfigurationSetNames: string[];
  readonly smsVoiceConfigurationSetNames: string[];
  readonly pinpointApplicationIds: string[];
  readonly forwardDefaultBusEvents: boolean;
  readonly alarmEmail?: string;
  readonly transformEntry: string;
  readonly removalPolicy: RemovalPolicy;
  /** The backfill option, when switched on. */
  readonly backfill?: BackfillSettings;
}

/** {@link BackfillProps} with its defaults applied. */
export interface BackfillSettings {
  readonly archiveBucketNames: string[];
  readonly archiveKeyArns: string[];
  readonly reservedConcurrency: number;
  readonly entry: string;
}

/** Default reserved concurrency of the backfill function (see BackfillProps.reservedConcurrency). */
export const DEFAULT_BACKFILL_CONCURRENCY = 50;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const CONFIGURATION_SET_RULE = 'letters, digits, _ and -, at most 64';
const PINPOINT_APP_ID = /^[A-Za-z0-9]{1,64}$/;
// S3's rules for bucket names (lower case, digits, dots and hyphens; 3 to 63 characters).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/** Names become resource ARNs and construct ids: check their shape and refuse duplicates. */
function checkNames(prop: string, names: readonly string[], shape: RegExp, allowed: string): void {
  for (const [index, name] of names.entries()) {
    if (!shape.test(name)) throw new UserInputError(`${prop} entries must be ${allowed}, got '${name}'`);
    if (names.indexOf(name) !== index) throw new UserInputError(`${prop} lists '${name}' twice`);
  }
}

/** Applies the defaults documented on {@link EngagementLakeProps} and rejects invalid combinations. */
export function resolveSettings(props: EngagementLakeProps): LakeSettings {
  const dtStart = props.dtStart ?? DEFAULT_DT_START;
  if (!DATE.test(dtStart) || Number.isNaN(Date.parse(`${dtStart}T00:00:00Z`))) {
    throw new UserInputError(`dtStart must be a date YYYY-MM-DD, got '${dtStart}'`);
  }

  const dataStorageClass = props.dataStorageClass ?? s3.StorageClass.INTELLIGENT_TIERING;
  if (!READABLE_CLASSES.includes(dataStorageClass)) {
    throw new UserInputError(
      `dataStorageClass must be INTELLIGENT_TIERING or GLACIER_IR (Athena cannot read archive classes), got '${dataStorageClass.value}'`,
    );
  }

  const cutoff = props.athenaBytesScannedCutoffPerQuery ?? Size.gibibytes(100);
  if (cutoff.toBytes() < MIN_BYTES_SCANNED_CUTOFF) {
    throw new UserInputError(
      `athenaBytesScannedCutoffPerQuery must be at least 10,000,000 bytes (Athena's minimum), got ${cutoff.toBytes()}`,
    );
  }

  const bufferingInterval = props.bufferingInterval ?? Duration.seconds(900);
  const seconds = bufferingInterval.toSeconds();
  if (seconds < 60 || seconds > 900) {
    throw new UserInputError(
      `bufferingInterval must be between 60 and 900 seconds (dynamic partitioning needs at least 60), got ${seconds}`,
    );
  }

  if (props.sourceStream && props.createSourceStream) {
    throw new UserInputError('Set either sourceStream or createSourceStream, not both');
  }
  const kinesisSource = props.sourceStream ? 'existing' : props.createSourceStream ? 'new' : 'none';
  const directPut = kinesisSource === 'none' || props.directPutStream !== false;

  const ses = props.sesConfigurationSetNames ?? [];
  const smsVoice = props.smsVoiceConfigurationSetNames ?? [];
  if (!directPut && (ses.length > 0 || smsVoice.length > 0)) {
    throw new UserInputError(
      'SES and End User Messaging event destinations need a Direct PUT delivery stream, but the lake reads from Kinesis ' +
        'and directPutStream is false: set directPutStream to true or remove the SES/SMS configuration sets',
    );
  }

  const pinpoint = props.pinpointApplicationIds ?? [];
  checkNames('sesConfigurationSetNames', ses, CONFIGURATION_SET_NAME, CONFIGURATION_SET_RULE);
  checkNames('smsVoiceConfigurationSetNames', smsVoice, CONFIGURATION_SET_NAME, CONFIGURATION_SET_RULE);
  checkNames('pinpointApplicationIds', pinpoint, PINPOINT_APP_ID, 'letters and digits');

  const pii = props.pii === undefined ? 'keep' : parsePiiMode(props.pii, 'pii');
  // Failed records keep their original bytes: with hash or drop, they are the last copies of personal data.
  const errorExpiration = props.errorExpiration ?? Duration.days(pii === 'keep' ? 365 : 30);
  const noncurrent = props.noncurrentVersionExpiration ?? Duration.days(30);
  for (const [name, value] of [
    ['errorExpiration', errorExpiration],
    ['noncurrentVersionExpiration', noncurrent],
    ['dataExpiration', props.dataExpiration],
    ['athenaResultsExpiration', props.athenaResultsExpiration],
    ['dataTransitionAfter', props.dataTransitionAfter],
  ] as const) {
    // S3 lifecycle rules count whole days.
    const ms = value?.toMilliseconds();
    if (ms !== undefined && (ms < DAY_MS || ms % DAY_MS !== 0)) {
      throw new UserInputError(
        `${name} must be a whole number of days, at least 1, got ${value!.toHumanString()}`,
      );
    }
  }
  const transitionAfter = props.dataTransitionAfter ?? Duration.days(30);
  if (props.dataExpiration && props.dataExpiration.toDays() <= transitionAfter.toDays()) {
    throw new UserInputError(
      `dataExpiration (${props.dataExpiration.toDays()} days) must be later than dataTransitionAfter (${transitionAfter.toDays()} days)`,
    );
  }

  return {
    dtStart,
    includeRaw: props.includeRaw ?? true,
    dataStorageClass,
    dataTransitionAfter: transitionAfter,
    dataExpiration: props.dataExpiration,
    errorExpiration,
    pii,
    noncurrentVersionExpiration: noncurrent,
    athenaResultsExpiration: props.athenaResultsExpiration ?? Duration.days(30),
    athenaBytesScannedCutoffPerQuery: cutoff,
    bufferingInterval,
    kinesisSource,
    directPut,
    sesConfigurationSetNames: ses,
    smsVoiceConfigurationSetNames: smsVoice,
    pinpointApplicationIds: pinpoint,
    forwardDefaultBusEvents: props.forwardDefaultBusEvents ?? false,
    alarmEmail: props.alarmEmail,
    transformEntry: props.transformEntry ?? path.join(__dirname, '..', '..', '..', 'transform', 'handler.ts'),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    backfill: props.backfill && resolveBackfill(props.backfill),
  };
}

/** The backfill option's defaults and rules: at least one archive bucket, sane concurrency. */
function resolveBackfill(props: BackfillProps): BackfillSettings {
  const buckets = props.archiveBucketNames ?? [];
  if (buckets.length === 0) {
    throw new UserInputError(
      'backfill.archiveBucketNames must name at least one bucket holding archives (the function may read only those)',
    );
  }
  checkNames('backfill.archiveBucketNames', buckets, BUCKET_NAME, 'S3 bucket names');
  const keys = props.archiveKeyArns ?? [];
  checkNames(
    'backfill.archiveKeyArns',
    keys,
    KMS_KEY_ARN,
    'KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)',
  );
  const concurrency = props.reservedConcurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
  // Lambda refuses reserved concurrency of 0 for a function meant to run, and above 1,000 it
  // exceeds the default account limit, which must also leave 100 unreserved.
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 900) {
    throw new UserInputError(
      `backfill.reservedConcurrency must be a whole number from 1 to 900, got ${concurrency}`,
    );
  }
  return {
    archiveBucketNames: buckets,
    archiveKeyArns: keys,
    reservedConcurrency: concurrency,
    entry: props.entry ?? path.join(__dirname, '..', 'backfill', 'handler.ts'),
  };
}
