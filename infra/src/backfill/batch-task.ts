/**
 * The pure part of the backfill Lambda: the S3 Batch Operations invocation (schema 2.0) and its
 * answer, the archive object a task names, the run id its files are named after, and which
 * failures S3 Batch Operations should retry.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html
 */
import { createHash } from 'node:crypto';
import { arrivalFromObjectName } from '../../../local/src/input-reader';
import { newRunId } from '../../../local/src/run-id';
import { UserInputError } from '../../../transform/src/errors';

/** One task of an invocation: schema 2.0 names the bucket (1.0 sent `s3BucketArn`). */
export interface BatchTask {
  taskId: string;
  s3Bucket: string;
  /** URL-encoded, as in the manifest. */
  s3Key: string;
  s3VersionId?: string | null;
}

/** The event S3 Batch Operations sends with `InvocationSchemaVersion: '2.0'`. */
export interface BatchInvocation {
  invocationSchemaVersion: string;
  invocationId: string;
  job: { id: string; userArguments?: Record<string, string> };
  tasks: BatchTask[];
}

export type BatchResultCode = 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';

export interface BatchTaskResult {
  taskId: string;
  resultCode: BatchResultCode;
  resultString: string;
}

/** The answer: the invocation's ids echoed, and one result per task. */
export interface BatchResponse {
  invocationSchemaVersion: string;
  invocationId: string;
  treatMissingKeysAs: BatchResultCode;
  results: BatchTaskResult[];
}

/** The archive object a task names, with its key decoded. */
export interface ArchiveObject {
  bucket: string;
  key: string;
  versionId?: string;
}

/**
 * The task's object. The key arrives URL-encoded as in the manifest (`+` for a space in some
 * encoders), so it is decoded before GetObject. Throws UserInputError for a schema 1.0 task.
 */
export function taskObject(task: BatchTask): ArchiveObject {
  if (typeof task.s3Bucket !== 'string' || typeof task.s3Key !== 'string') {
    throw new UserInputError(
      'the task has no s3Bucket/s3Key: create the job with InvocationSchemaVersion 2.0 (engagement-lake backfill does)',
    );
  }
  const key = decodeURIComponent(task.s3Key.replace(/\+/g, ' '));
  return { bucket: task.s3Bucket, key, ...(task.s3VersionId ? { versionId: task.s3VersionId } : {}) };
}

/**
 * The run id of the files made from one archive object: ULID-shaped (26 Crockford base32
 * characters, as lake-layout and compact expect), its time part the object's Firehose arrival time
 * (from its name) or else its last-modified time, its random part a hash of bucket, key and ETag.
 * A retried task therefore rewrites the same file names instead of adding copies of its rows, and a
 * changed object (new ETag) gets new names.
 */
export function backfillRunId(object: ArchiveObject, etag: string, lastModified: number): string {
  const time = arrivalFromObjectName(object.key) ?? lastModified;
  const digest = createHash('sha256')
    .update(`${object.bucket}\n${object.key}\n${object.versionId ?? ''}\n${etag}`)
    .digest();
  return newRunId(time, digest.subarray(0, 10));
}

/** What the report keeps of a success: the counts, which add up (records = ok + failed). */
export function successString(stats: {
  records: number;
  rows: number;
  failedRecords: number;
  files: number;
}): string {
  return `records=${stats.records} rows=${stats.rows} failed=${stats.failedRecords} files=${stats.files}`;
}

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  // The object was replaced between its listing and its read: a retry reads the new one.
  'PreconditionFailed',
]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const MISSING_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchVersion']);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The error and the errors it wraps (describeS3Error turns an S3 error into a UserInputError). */
function* causes(error: unknown): Generator<ErrorLike> {
  for (let e = error as ErrorLike | undefined, depth = 0; e && depth < 5; depth++) {
    yield e;
    e = e.cause as ErrorLike | undefined;
  }
}

/**
 * Which result a failed task gets. S3 Batch Operations retries `TemporaryFailure` (throttling, 5xx,
 * timeouts, dropped connections); a missing object or denied access will not heal by retrying, so
 * those, and anything unexpected, are `PermanentFailure` and go to the report with the reason.
 */
export function failureResult(error: unknown): { resultCode: BatchResultCode; resultString: string } {
  // The report keeps result strings; a short one per task keeps it readable.
  const message = ((error as ErrorLike)?.message ?? String(error)).slice(0, 500);
  for (const e of causes(error)) {
    const status = e.$metadata?.httpStatusCode;
    // Another invocation holds this object's run lease (S3 Batch Operations invokes at least once;
    // two jobs may list one object): retry once its run has ended.
    if (e.name === 'RunInProgressError') return { resultCode: 'TemporaryFailure', resultString: message };
    if (e.name && MISSING_NAMES.has(e.name)) {
      return {
        resultCode: 'PermanentFailure',
        resultString: `the archive object does not exist (${e.name})`,
      };
    }
    if (e.name === 'InvalidObjectState') {
      return {
        resultCode: 'PermanentFailure',
        resultString:
          'the object is in an archive storage class (Glacier/Deep Archive); restore it, then run the job again',
      };
    }
    if (e.name === 'AccessDenied' || status === 403) {
      return {
        resultCode: 'PermanentFailure',
        resultString: `access denied (${e.name ?? 403}): the backfill role reads only the archive buckets named in the stack`,
      };
    }
    if (
      (e.name && RETRYABLE_NAMES.has(e.name)) ||
      (e.code && RETRYABLE_CODES.has(e.code)) ||
      (status !== undefined && (status >= 500 || status === 429)) ||
      e.$retryable
    ) {
      return {
        resultCode: 'TemporaryFailure',
        resultString: `retryable: ${e.name ?? e.code ?? status}: ${message}`,
      };
    }
  }
  return { resultCode: 'PermanentFailure', resultString: message };
}
