/**
 * The backfill Lambda: S3 Batch Operations invokes it once per archive object (schema 2.0). It runs
 * `ingest` on that one object, in this thread: the same record splitting, the same transform (its
 * core, called directly as the ingest workers call it, without the Firehose handler's base64/JSON
 * envelope: the same rows and failures, a fifth to a third less CPU) and the same delivery engine
 * (LakeDelivery through an S3 sink) as `engagement-lake ingest`, so rows, error documents and the
 * done marker are the ones a local ingest of the object writes.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { ingest, type IngestOptions, type IngestSummary } from '../../../local/src/ingest';
import { bareEtag, createS3Client, folderPrefix, s3Url } from '../../../local/src/s3';
import { loadPiiPolicy } from '../../../transform/pii-secret';
import { UserInputError } from '../../../transform/src/errors';
import { readHandlerConfig } from '../../../transform/src/handler-config';
import type { PiiPolicy } from '../../../transform/src/pii';
import {
  backfillRunId,
  failureResult,
  successString,
  taskObject,
  type BatchInvocation,
  type BatchResponse,
  type BatchTask,
  type ArchiveObject,
  type BatchTaskResult,
} from './batch-task';
import { BACKFILL_ENV, BACKFILL_METRICS, BACKFILL_SERVICE_NAME, BACKFILL_USER_ARGUMENTS } from './contract';
import { pinVersion } from './pinned-version';

/** What one invocation needs; the Lambda builds it from its environment, tests inject their own. */
export interface BackfillDeps {
  s3: S3Client;
  /** The lake: `s3://bucket/prefix/`. */
  lake: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Per-task counts for the stack's alarm (none in tests unless given). */
  metrics?: Pick<Metrics, 'addMetric' | 'addMetadata' | 'publishStoredMetrics'>;
  /** Keep each event's JSON text in `raw` (the transform Lambda's INCLUDE_RAW). */
  includeRaw: boolean;
  /** Hash or drop personal data, as the transform Lambda does (PII_MODE); absent: keep. */
  pii?: PiiPolicy;
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
  const wrongLake = lakeMismatch(event.job?.userArguments, deps.lake);
  for (const task of event.tasks) {
    if (wrongLake)
      results.push({ taskId: task.taskId, resultCode: 'PermanentFailure', resultString: wrongLake });
    else results.push(await runTask(task, event.job?.id ?? '', deps));
  }
  return {
    invocationSchemaVersion: event.invocationSchemaVersion,
    invocationId: event.invocationId,
    // With a manifest of listed keys a missing key is a deleted object: report it, do not retry.
    treatMissingKeysAs: 'PermanentFailure',
    results,
  };
}

async function runTask(task: BatchTask, jobId: string, deps: BackfillDeps): Promise<BatchTaskResult> {
  const started = Date.now();
  try {
    const object = taskObject(task);
    // ETag and time name the output files, so a retried task rewrites the same objects.
    const head = await deps.s3.send(
      new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
    );
    const runId = backfillRunId(object, bareEtag(head.ETag), head.LastModified?.getTime() ?? 0);
    const summary = await (deps.ingest ?? ingest)({
      inputs: [s3Url(object.bucket, object.key)],
      lake: deps.lake,
      s3Client: archiveClient(deps.s3, object, head),
      runId,
      workers: 0,
      includeRaw: deps.includeRaw,
      pii: deps.pii,
    });
    countTask(deps, jobId, task, summary);
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

/** Why the job's tasks cannot run here, when the job names another lake than this function's. */
function lakeMismatch(userArguments: Record<string, string> | undefined, lake: string): string | null {
  const wanted = userArguments?.[BACKFILL_USER_ARGUMENTS.lake];
  if (wanted === undefined || folderPrefix(wanted) === folderPrefix(lake)) return null;
  return `the job is for lake ${wanted}, but this function writes ${lake}: create the job with --stack of the stack that owns that lake`;
}

/** The client ingest reads through: at the manifest's version of the object when it names one. */
function archiveClient(s3: S3Client, object: ArchiveObject, head: HeadObjectCommandOutput): S3Client {
  if (!object.versionId) return s3;
  const { bucket, key, versionId } = object;
  return pinVersion(s3, { bucket, key, versionId, etag: head.ETag ?? '', size: head.ContentLength ?? 0 });
}

/** The task's counts as metrics; the job id goes in as metadata (searchable, not a dimension). */
function countTask(deps: BackfillDeps, jobId: string, task: BatchTask, summary: IngestSummary): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  metrics.addMetadata('jobId', jobId);
  metrics.addMetadata('taskId', task.taskId);
  metrics.addMetric(BACKFILL_METRICS.records, MetricUnit.Count, summary.records);
  metrics.addMetric(BACKFILL_METRICS.rows, MetricUnit.Count, summary.rows);
  metrics.addMetric(BACKFILL_METRICS.failedRecords, MetricUnit.Count, summary.failedRecords);
  metrics.publishStoredMetrics();
}

/** A run record younger than this may belong to an invocation still running (timeout + a margin). */
/** The lake from the environment the construct sets (LAKE_BUCKET, LAKE_PREFIX). */
export function lakeFromEnvironment(env: NodeJS.ProcessEnv): string {
  const bucket = env[BACKFILL_ENV.lakeBucket];
  if (!bucket)
    throw new UserInputError(`${BACKFILL_ENV.lakeBucket} is not set: deploy the function with the stack`);
  return `s3://${bucket}/${folderPrefix(env[BACKFILL_ENV.lakePrefix] ?? '')}`;
}

// Module scope, so warm invocations reuse them. S3_ENDPOINT is for local runs against an
// S3-compatible server only; the stack does not set it.
const BACKFILL_SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? BACKFILL_SERVICE_NAME;
const logger = new Logger({ serviceName: BACKFILL_SERVICE });
let deps: BackfillDeps | undefined;

/** The Lambda entry point. */
export const handler = async (event: BatchInvocation): Promise<BatchResponse> => {
  // Awaited before assignment: a failed key fetch fails this invocation and the next one retries.
  deps ??= {
    s3: createS3Client({ endpoint: process.env.S3_ENDPOINT || undefined }),
    lake: lakeFromEnvironment(process.env),
    logger,
    // Made before any ingest could load the transform handler (on the handler path, not the
    // default), which switches Powertools metrics off for its own (local) use when
    // POWERTOOLS_METRICS_DISABLED is unset.
    metrics: new Metrics({ serviceName: BACKFILL_SERVICE }),
    includeRaw: process.env.INCLUDE_RAW !== 'false',
    // The key once per cold start, from the secret the stack grants this function.
    pii: await loadPiiPolicy(readHandlerConfig(process.env), process.env),
  };
  return runBatchInvocation(event, deps);
};
