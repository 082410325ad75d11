/**
 * The S3 Batch Operations job of a backfill, as data: the manifest CSV, where it goes, and the
 * CreateJob request. Pure, so every field is unit-tested.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-create-job.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateJob.html
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CreateJobCommandInput } from '@aws-sdk/client-s3-control';
import { BACKFILL_PREFIX, BACKFILL_USER_ARGUMENTS } from '../../../infra/src/backfill/contract';
import type { BackfillStack } from './stack';

/** S3 Control's range for a job's priority (higher runs first). */
export const MAX_PRIORITY = 2_147_483_647;

/**
 * The manifest: one `bucket,key` line per object, in the given order. Keys are URL-encoded, as the
 * `S3BatchOperations_CSV_20180820` format requires (a comma or newline in a key would otherwise
 * break the line); S3 hands them to the function still encoded.
 */
export function manifestCsv(objects: readonly { bucket: string; key: string }[]): string {
  return objects.map((o) => `${o.bucket},${encodeURIComponent(o.key)}\n`).join('');
}

/** The manifest's key in the lake bucket: named by its content, so a rerun rewrites the same object. */
export function manifestKey(csv: string): string {
  return `${BACKFILL_PREFIX.manifests}${sha256(csv).slice(0, 32)}.csv`;
}

/** The report prefix, without the trailing '/': S3 writes `<prefix>/job-<id>/…` under it. */
export const REPORT_PREFIX = BACKFILL_PREFIX.reports.replace(/\/$/, '');

export interface JobRequest {
  stack: BackfillStack;
  /** The archive as the user named it, for the description. */
  archive: string;
  objects: number;
  manifestKey: string;
  /** The manifest object's ETag (quotes removed). */
  manifestEtag: string;
  priority: number;
}

/**
 * The CreateJob input: Lambda invoke (schema 2.0: the event names the bucket, not its ARN), the CSV
 * manifest, a report of all tasks (the successes carry the row counts) in the lake bucket, no
 * confirmation step. Each command asks for a new job (a fresh request token): the lake bucket is
 * SSE-KMS, whose ETags are not content hashes, so no token derived from the manifest would repeat.
 * Running the command again is safe: objects already in the lake are left out of the manifest, and
 * the Lambda makes an object another invocation is ingesting wait (TemporaryFailure).
 */
export function createJobInput(request: JobRequest): CreateJobCommandInput {
  const { stack } = request;
  const bucketArn = `arn:${stack.partition}:s3:::${stack.lakeBucket}`;
  return {
    AccountId: stack.accountId,
    ConfirmationRequired: false,
    Priority: request.priority,
    RoleArn: stack.jobRoleArn,
    ClientRequestToken: randomUUID(),
    Description: `engagement-lake backfill of ${request.archive} (${request.objects} objects)`.slice(0, 256),
    Operation: {
      LambdaInvoke: {
        FunctionArn: stack.functionArn,
        InvocationSchemaVersion: '2.0',
        UserArguments: { [BACKFILL_USER_ARGUMENTS.lake]: `s3://${stack.lakeBucket}/` },
      },
    },
    Manifest: {
      Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
      Location: { ObjectArn: `${bucketArn}/${request.manifestKey}`, ETag: request.manifestEtag },
    },
    Report: {
      Enabled: true,
      Bucket: bucketArn,
      Prefix: REPORT_PREFIX,
      Format: 'Report_CSV_20180820',
      ReportScope: 'AllTasks',
    },
  };
}

/** `--priority`: a whole number S3 Control accepts, else a one-line reason. */
export function parsePriority(text: string): number | string {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > MAX_PRIORITY) {
    return `--priority must be a whole number from 0 to ${MAX_PRIORITY} (higher runs first), got '${text}'`;
  }
  return value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
