/**
 * The app's configuration: the `engagementLake` object in cdk.json's `context`, checked and turned
 * into stack settings and {@link EngagementLakeProps}. Pure, so every rule is unit-tested.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { UserInputError } from '../../transform/src/errors';
import { parsePiiMode } from '../../transform/src/pii';
import type { EngagementLakeProps } from './props';

/** Context key holding the configuration object. */
export const CONTEXT_KEY = 'engagementLake';

/** The configuration object as written in cdk.json. Every key is optional. */
export interface LakeConfig {
  stackName?: string;
  account?: string;
  region?: string;
  dtStart?: string;
  includeRaw?: boolean;
  dataStorageClass?: 'INTELLIGENT_TIERING' | 'GLACIER_IR';
  dataTransitionAfterDays?: number;
  dataExpirationDays?: number;
  errorExpirationDays?: number;
  /** `keep`, `hash` or `drop` personal data (see EngagementLakeProps.pii). */
  pii?: string;
  noncurrentVersionExpirationDays?: number;
  athenaResultsExpirationDays?: number;
  athenaBytesScannedCutoffPerQueryGb?: number;
  bufferingIntervalSeconds?: number;
  /** `none` (Direct PUT), `new` (create a stream) or the ARN of an existing Kinesis data stream. */
  kinesisSource?: string;
  /** ARN of the KMS key an existing source stream is encrypted with (Firehose needs kms:Decrypt on it). */
  kinesisSourceKeyArn?: string;
  directPutStream?: boolean;
  sesConfigurationSets?: string[];
  smsVoiceConfigurationSets?: string[];
  pinpointApplicationIds?: string[];
  forwardDefaultBusEvents?: boolean;
  alarmEmail?: string;
  /** Buckets holding archives to backfill; setting it adds the backfill function and job role. */
  backfillArchiveBuckets?: string[];
  /** ARNs of the KMS keys those archives are encrypted with, if any. */
  backfillArchiveKeyArns?: string[];
  /** Reserved concurrency of the backfill function (default 50). */
  backfillReservedConcurrency?: number;
}

/** What the app needs to build the stack. */
export interface AppSettings {
  readonly stackName: string;
  readonly env?: { account?: string; region?: string };
  readonly sourceStreamArn?: string;
  readonly sourceStreamKeyArn?: string;
  readonly lake: EngagementLakeProps;
}

const KEY_TYPES: Record<keyof LakeConfig, 'string' | 'number' | 'boolean' | 'string[]'> = {
  stackName: 'string',
  account: 'string',
  region: 'string',
  dtStart: 'string',
  includeRaw: 'boolean',
  dataStorageClass: 'string',
  dataTransitionAfterDays: 'number',
  dataExpirationDays: 'number',
  errorExpirationDays: 'number',
  pii: 'string',
  noncurrentVersionExpirationDays: 'number',
  athenaResultsExpirationDays: 'number',
  athenaBytesScannedCutoffPerQueryGb: 'number',
  bufferingIntervalSeconds: 'number',
  kinesisSource: 'string',
  kinesisSourceKeyArn: 'string',
  directPutStream: 'boolean',
  sesConfigurationSets: 'string[]',
  smsVoiceConfigurationSets: 'string[]',
  pinpointApplicationIds: 'string[]',
  forwardDefaultBusEvents: 'boolean',
  alarmEmail: 'string',
  backfillArchiveBuckets: 'string[]',
  backfillArchiveKeyArns: 'string[]',
  backfillReservedConcurrency: 'number',
};

const KINESIS_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[\w.-]+$/;

/** Checks the context object and maps it to stack settings; empty strings and nulls mean "not set". */
export function parseLakeConfig(raw: unknown): AppSettings {
  if (raw === undefined || raw === null) return { stackName: 'EngagementLake', lake: {} };
  // `cdk deploy -c engagementLake='{...}'` passes the object as a JSON string.
  if (typeof raw === 'string' && raw.trim().startsWith('{')) {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new UserInputError(`context '${CONTEXT_KEY}' is not valid JSON: ${raw}`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserInputError(
      `context '${CONTEXT_KEY}' must be an object in cdk.json, got ${JSON.stringify(raw)}`,
    );
  }
  const config: LakeConfig = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const expected = KEY_TYPES[key as keyof LakeConfig];
    if (!expected) {
      throw new UserInputError(
        `unknown key '${key}' in context '${CONTEXT_KEY}' (known keys: ${Object.keys(KEY_TYPES).join(', ')})`,
      );
    }
    if (value === null || value === '') continue;
    const ok =
      expected === 'string[]'
        ? Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')
        : typeof value === expected;
    if (!ok)
      throw new UserInputError(`'${CONTEXT_KEY}.${key}' must be a ${expected}, got ${JSON.stringify(value)}`);
    (config as Record<string, unknown>)[key] = value;
  }

  const kinesisSource = config.kinesisSource ?? 'none';
  if (kinesisSource !== 'none' && kinesisSource !== 'new' && !KINESIS_ARN.test(kinesisSource)) {
    throw new UserInputError(
      `'${CONTEXT_KEY}.kinesisSource' must be 'none', 'new' or a Kinesis stream ARN, got '${kinesisSource}'`,
    );
  }
  if (config.kinesisSourceKeyArn && !KINESIS_ARN.test(kinesisSource)) {
    throw new UserInputError(
      `'${CONTEXT_KEY}.kinesisSourceKeyArn' is only for an existing stream: set kinesisSource to its ARN`,
    );
  }
  const storageClass = config.dataStorageClass;
  if (storageClass !== undefined && storageClass !== 'INTELLIGENT_TIERING' && storageClass !== 'GLACIER_IR') {
    throw new UserInputError(
      `'${CONTEXT_KEY}.dataStorageClass' must be INTELLIGENT_TIERING or GLACIER_IR (Athena cannot read archive classes), got '${storageClass}'`,
    );
  }
  const days = (n?: number) => (n === undefined ? undefined : Duration.days(n));
  return {
    stackName: config.stackName ?? 'EngagementLake',
    env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
    sourceStreamArn: KINESIS_ARN.test(kinesisSource) ? kinesisSource : undefined,
    sourceStreamKeyArn: config.kinesisSourceKeyArn,
    lake: {
      dtStart: config.dtStart,
      includeRaw: config.includeRaw,
      dataStorageClass:
        storageClass === 'GLACIER_IR'
          ? s3.StorageClass.GLACIER_INSTANT_RETRIEVAL
          : storageClass && s3.StorageClass.INTELLIGENT_TIERING,
      dataTransitionAfter: days(config.dataTransitionAfterDays),
      dataExpiration: days(config.dataExpirationDays),
      errorExpiration: days(config.errorExpirationDays),
      pii: config.pii === undefined ? undefined : parsePiiMode(config.pii, `'${CONTEXT_KEY}.pii'`),
      noncurrentVersionExpiration: days(config.noncurrentVersionExpirationDays),
      athenaResultsExpiration: days(config.athenaResultsExpirationDays),
      athenaBytesScannedCutoffPerQuery:
        config.athenaBytesScannedCutoffPerQueryGb === undefined
          ? undefined
          : Size.gibibytes(config.athenaBytesScannedCutoffPerQueryGb),
      bufferingInterval:
        config.bufferingIntervalSeconds === undefined
          ? undefined
          : Duration.seconds(config.bufferingIntervalSeconds),
      createSourceStream: kinesisSource === 'new',
      directPutStream: config.directPutStream,
      sesConfigurationSetNames: config.sesConfigurationSets,
      smsVoiceConfigurationSetNames: config.smsVoiceConfigurationSets,
      pinpointApplicationIds: config.pinpointApplicationIds,
      forwardDefaultBusEvents: config.forwardDefaultBusEvents,
      alarmEmail: config.alarmEmail,
      backfill: backfillProps(config),
    },
  };
}

/** The backfill option: on when archive buckets are named; its other keys need them. */
function backfillProps(config: LakeConfig): EngagementLakeProps['backfill'] {
  const buckets = config.backfillArchiveBuckets ?? [];
  if (buckets.length === 0) {
    if (config.backfillArchiveKeyArns !== undefined || config.backfillReservedConcurrency !== undefined) {
      throw new UserInputError(
        `'${CONTEXT_KEY}.backfillArchiveKeyArns' and 'backfillReservedConcurrency' need the backfill option: set '${CONTEXT_KEY}.backfillArchiveBuckets' to the archive bucket names`,
      );
    }
    return undefined;
  }
  return {
    archiveBucketNames: buckets,
    archiveKeyArns: config.backfillArchiveKeyArns,
    reservedConcurrency: config.backfillReservedConcurrency,
  };
}
