/**
 * The backfill Lambda: S3 Batch Operations invokes it once per archive object (schema 2.0). It runs
 * `ingest` on that one object, in this thread: the same record splitting, the same Firehose
 * transformation handler and the same delivery engine (LakeDelivery through an S3 sink) as
 * `engagement-lake ingest`, so rows, error documents and the done marker are the ones a local
 * ingest of the object writes.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ingest, type IngestOptions, type IngestSummary } from '../../../local/src/ingest';
import { S3Sink } from '../../../local/src/lake-sink';
import { argsHash, readRunRecords } from '../../../local/src/run-record';
import { createS3Client, folderPrefix, parseS3Url, s3Url } from '../../../local/src/s3';
import { UserInputError } from '../../../transform/src/errors';
import {
  backfillRunId,
  failureResult,
  successString,
  taskObject,
  type BatchInvocation,
  type BatchResponse,
  type BatchTask,
  type BatchTaskResult,
} from './batch-task';
import { BACKFILL_ENV, BACKFILL_TIMEOUT_MINUTES } from './contract';

/** What one invocation needs; the Lambda builds it from its environment, tests inject their own. */
export interface BackfillDeps {
  s3: S3Client;
  /** The lake: `s3://bucket/prefix/`. */
  lake: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Keep each event's JSON text in `raw` (the transform Lambda's INCLUDE_RAW). */
  includeRaw: boolean;
  /** Test seam: the ingest to run (default: local/src/ingest.ts). */
  ingest?: (options: IngestOptions) => Promise<IngestSummary>;
}

/**
 * Runs every task of the invocation (S3 Batch Operations sends one) and answers with one result per
 * task. A task never throws: its failure becomes a TemporaryFailure (retried by S3) or a
 * PermanentFailure (reported), with the reason.
 */
export async function runBatchInvocation(event: BatchInvocation, deps: BackfillDeps): Promise<BatchResponse> {
  const results: BatchTaskResult[] = [];
  for (const task of event.tasks) results.push(await runTask(task, deps));
  return {
    invocationSchemaVersion: event.invocationSchemaVersion,
    invocationId: event.invocationId,
    // With a manifest of listed keys a missing key is a deleted object: report it, do not retry.
    treatMissingKeysAs: 'PermanentFailure',
    results,
  };
}

async function runTask(task: BatchTask, deps: BackfillDeps): Promise<BatchTaskResult> {
  const started = Date.now();
  try {
    const object = taskObject(task);
    // ETag and time name the output files, so a retried task rewrites the same objects.
    const head = await deps.s3.send(
      new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
    );
    const etag = (head.ETag ?? '').replace(/^"|"$/g, '');
    const runId = backfillRunId(object, etag, head.LastModified?.getTime() ?? 0);
    const running = await runningInvocation(deps, s3Url(object.bucket, object.key));
    if (running) return { taskId: task.taskId, resultCode: 'TemporaryFailure', resultString: running };
    const summary = await (deps.ingest ?? ingest)({
      inputs: [s3Url(object.bucket, object.key)],
      lake: deps.lake,
      s3Client: deps.s3,
      runId,
      workers: 0,
      includeRaw: deps.includeRaw,
    });
    // A done marker with this ETag means an earlier task (or a local ingest) stored it all.
    const resultString =
      summary.objectsRead === 0 && summary.objectsSkipped > 0
        ? 'already in the lake: skipped'
        : successString(summary);
    deps.logger.info('task succeeded', {
      taskId: task.taskId,
      bucket: object.bucket,
      key: object.key,
      runId,
      records: summary.records,
      rows: summary.rows,
      failedRecords: summary.failedRecords,
      ms: Date.now() - started,
    });
    return { taskId: task.taskId, resultCode: 'Succeeded', resultString };
  } catch (error) {
    const failure = failureResult(error);
    deps.logger.warn('task failed', {
      taskId: task.taskId,
      bucket: task.s3Bucket,
      key: task.s3Key,
      ...failure,
      ms: Date.now() - started,
    });
    return { taskId: task.taskId, ...failure };
  }
}

/** A run record younger than this may belong to an invocation still running (timeout + a margin). */
const LIVE_RUN_MS = (BACKFILL_TIMEOUT_MINUTES + 1) * 60_000;

/**
 * Why this object must wait, when another invocation may be ingesting it right now (S3 Batch
 * Operations invokes at least once; two jobs may list the same object): its run record is fresh.
 * `ingest` would take that record for a dead run's and delete the files it is still writing. A
 * record older than the Lambda's timeout is a dead run's, and `ingest` recovers it.
 */
async function runningInvocation(deps: BackfillDeps, source: string): Promise<string | null> {
  const { bucket, prefix } = parseS3Url(deps.lake, 'the lake');
  const sink = new S3Sink(deps.s3, bucket, prefix);
  const now = Date.now();
  const live = (await readRunRecords(sink, argsHash([source]))).find(
    (record) => now - Date.parse(record.startedAt) < LIVE_RUN_MS,
  );
  if (!live) return null;
  const seconds = Math.round((now - Date.parse(live.startedAt)) / 1000);
  return `another invocation started ingesting this object ${seconds} s ago (run ${live.runId}); retry later`;
}

/** The lake from the environment the construct sets (LAKE_BUCKET, LAKE_PREFIX). */
export function lakeFromEnvironment(env: NodeJS.ProcessEnv): string {
  const bucket = env[BACKFILL_ENV.lakeBucket];
  if (!bucket)
    throw new UserInputError(`${BACKFILL_ENV.lakeBucket} is not set: deploy the function with the stack`);
  return `s3://${bucket}/${folderPrefix(env[BACKFILL_ENV.lakePrefix] ?? '')}`;
}

// Module scope, so warm invocations reuse them. S3_ENDPOINT is for local runs against an
// S3-compatible server only; the stack does not set it.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'engagement-lake-backfill' });
let deps: BackfillDeps | undefined;

/** The Lambda entry point. */
export const handler = async (event: BatchInvocation): Promise<BatchResponse> => {
  deps ??= {
    s3: createS3Client({ endpoint: process.env.S3_ENDPOINT || undefined }),
    lake: lakeFromEnvironment(process.env),
    logger,
    includeRaw: process.env.INCLUDE_RAW !== 'false',
  };
  return runBatchInvocation(event, deps);
};
