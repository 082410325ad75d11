/**
 * What the backfill's three parts agree on: the stack (its outputs), the backfill Lambda (its
 * environment) and the `engagement-lake backfill` command (the lake prefixes it writes the manifest
 * and reads the report under). Plain constants: the CLI and the Lambda import this file without
 * loading aws-cdk-lib.
 */
import { LEDGER_PREFIX } from '../../../local/src/ledger';

/** Stack outputs of the backfill option; `backfill` reads them with DescribeStacks. */
export const BACKFILL_OUTPUTS = {
  functionArn: 'BackfillFunctionArn',
  jobRoleArn: 'BackfillJobRoleArn',
  archiveBuckets: 'BackfillArchiveBuckets',
  /** Present without the backfill option too: the lake is this bucket's root. */
  lakeBucket: 'DataBucketName',
} as const;

/** Environment variables the construct sets on the backfill Lambda. */
export const BACKFILL_ENV = {
  lakeBucket: 'LAKE_BUCKET',
  lakePrefix: 'LAKE_PREFIX',
} as const;

/** Powertools' `service` of the backfill function's logs and metrics (the alarm's dimension). */
export const BACKFILL_SERVICE_NAME = 'engagement-lake-backfill';

/**
 * Metrics the backfill Lambda emits once per task (EMF, through Powertools, with its `service`
 * dimension). The stack alarms on the failed records: one notification when a backfill starts
 * sending records to the error output, however many error files it writes, instead of one per file.
 */
export const BACKFILL_METRICS = {
  records: 'BackfillRecords',
  rows: 'BackfillRows',
  failedRecords: 'BackfillFailedRecords',
} as const;

/**
 * The job's `UserArguments` (schema 2.0): the lake the job is meant for. The function writes only
 * its own stack's lake, so a job created for another lake (another stack's function chosen by
 * mistake) fails each task with the reason instead of filling the wrong lake.
 */
export const BACKFILL_USER_ARGUMENTS = { lake: 'lake' } as const;

/** The backfill Lambda's timeout: one archive object (up to 128 MiB from Firehose) fits in it. */
export const BACKFILL_TIMEOUT_MINUTES = 15;

/** Lake prefixes (relative to the lake's root) of the backfill's own objects. */
export const BACKFILL_PREFIX = {
  /** Manifests the CLI writes; the job role reads them. */
  manifests: '_backfill/manifests/',
  /** Completion reports S3 Batch Operations writes; `backfill status` reads them. */
  reports: '_backfill/reports/',
  /** Done markers and run records of `ingest` (local/src/ledger.ts, run-record.ts). */
  ingested: LEDGER_PREFIX,
} as const;
