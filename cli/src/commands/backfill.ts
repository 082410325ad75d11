/**
 * `engagement-lake backfill`: spreads a backfill across AWS with S3 Batch Operations. It lists the
 * archive, leaves out the objects the lake already has (ingest's done markers, written by an
 * earlier job, the backfill Lambda or a local `ingest`), writes the manifest into the lake bucket
 * and creates the job that invokes the stack's backfill function once per object.
 * `backfill status` summarises a job's progress and its completion report.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateJobCommand,
  DescribeJobCommand,
  S3ControlClient,
  type JobDescriptor,
} from '@aws-sdk/client-s3-control';
import { readDoneSources } from '../../../local/src/ledger';
import { S3Sink } from '../../../local/src/lake-sink';
import { bareEtag, createS3Client, describeS3Error, parseS3Url } from '../../../local/src/s3';
import { listS3Sources } from '../../../local/src/s3-input';
import { UserInputError } from '../../../transform/src/errors';
import { createJobInput, manifestCsv, manifestKey, parsePriority } from '../backfill/job';
import {
  FINAL_STATUSES,
  formatJobStatus,
  parseTaskReport,
  reportFiles,
  summarizeReport,
  type ReportSummary,
} from '../backfill/report';
import { readBackfillStack, type BackfillStack } from '../backfill/stack';

export interface BackfillCommandOptions {
  /** `--stack`: the deployed stack with the backfill option. */
  stack: string;
  region?: string;
  /** `--priority`, as typed (default 10). */
  priority?: string;
  dryRun?: boolean;
  /** `--s3-endpoint`: an S3-compatible server for the listing and the manifest (tests, MinIO). */
  s3Endpoint?: string;
}

/** What `backfill` did (or, with --dry-run, would do). */
export interface BackfillResult {
  archive: string;
  objects: number;
  alreadyDone: number;
  toDo: number;
  manifest?: string;
  jobId?: string;
}

/**
 * Creates the backfill job for the archive prefix and prints its id. Throws a one-line
 * UserInputError for a bad priority, a stack without the backfill option, an archive bucket the
 * function may not read, or a prefix with no objects.
 */
export async function runBackfill(archive: string, options: BackfillCommandOptions): Promise<BackfillResult> {
  const priority = parsePriority(options.priority ?? '10');
  if (typeof priority === 'string') throw new UserInputError(priority);
  const { bucket } = parseS3Url(archive, 'the archive');
  const stack = await readStack(options);
  if (!stack.archiveBuckets.includes(bucket)) {
    throw new UserInputError(
      `the backfill function of stack '${stack.name}' may not read bucket '${bucket}' (it reads: ${stack.archiveBuckets.join(', ') || 'none'}); ` +
        'add it to engagementLake.backfillArchiveBuckets and deploy again',
    );
  }
  const s3 = createS3Client({ endpoint: options.s3Endpoint, region: options.region });
  try {
    const sources = await listS3Sources(s3, archive);
    const lake = new S3Sink(s3, stack.lakeBucket, '');
    const done = await readDoneSources(lake, sources).catch((error: unknown) => {
      throw describeS3Error(error, lake.location);
    });
    const todo = sources.filter((s) => !done.has(s));
    const result: BackfillResult = {
      archive,
      objects: sources.length,
      alreadyDone: done.size,
      toDo: todo.length,
    };
    if (todo.length === 0) {
      print(`nothing to do: all ${count(sources.length)} objects under ${archive} are in the lake already`);
      return result;
    }
    const csv = manifestCsv(todo);
    const key = manifestKey(csv);
    const location = `s3://${stack.lakeBucket}/${key}`;
    if (options.dryRun) {
      print(
        `would back fill ${count(todo.length)} of ${count(sources.length)} objects under ${archive} ` +
          `(${count(done.size)} already in the lake) with a manifest at ${location}; nothing written`,
      );
      return { ...result, manifest: location };
    }
    const put = await s3
      .send(new PutObjectCommand({ Bucket: stack.lakeBucket, Key: key, Body: csv, ContentType: 'text/csv' }))
      .catch((error: unknown) => {
        throw describeS3Error(error, location);
      });
    const input = createJobInput({
      stack,
      archive,
      objects: todo.length,
      manifestKey: key,
      manifestEtag: bareEtag(put.ETag),
      priority,
    });
    const control = new S3ControlClient({ region: options.region });
    const job = await control.send(new CreateJobCommand(input)).finally(() => control.destroy());
    const region = options.region ? ` --region ${options.region}` : '';
    print(
      [
        `created job ${job.JobId}: ${count(todo.length)} objects (${count(done.size)} already in the lake, left out)`,
        `manifest: ${location}`,
        `follow it: engagement-lake backfill status ${job.JobId} --stack ${stack.name}${region}`,
        'afterwards: engagement-lake compact --lake s3://' +
          stack.lakeBucket +
          '/ (many small archive objects make many small files)',
      ].join('\n'),
    );
    return { ...result, manifest: location, jobId: job.JobId };
  } finally {
    s3.destroy();
  }
}

/** What `backfill status` found. */
export interface BackfillStatus {
  job: JobDescriptor;
  report: { location: string; summary: ReportSummary } | null;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,36}$/;

/** Prints the job's status and progress, and the report's summary once the job has ended. */
export async function runBackfillStatus(
  jobId: string,
  options: BackfillCommandOptions,
): Promise<BackfillStatus> {
  if (!JOB_ID.test(jobId)) {
    throw new UserInputError(
      `'${jobId}' is not an S3 Batch Operations job id; pass the id \`backfill\` printed`,
    );
  }
  const stack = await readStack(options);
  const control = new S3ControlClient({ region: options.region });
  let job: JobDescriptor;
  try {
    const response = await control.send(new DescribeJobCommand({ AccountId: stack.accountId, JobId: jobId }));
    job = response.Job ?? {};
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFoundException') {
      throw new UserInputError(
        `no job '${jobId}' in account ${stack.accountId} in this region; check the id and --region`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    control.destroy();
  }
  const s3 = createS3Client({ endpoint: options.s3Endpoint, region: options.region });
  try {
    const report = FINAL_STATUSES.has(job.Status ?? '') ? await readReport(s3, job, jobId) : null;
    print(formatJobStatus({ ...job, JobId: job.JobId ?? jobId }, report));
    return { job, report };
  } finally {
    s3.destroy();
  }
}

/** The completion report: its `manifest.json` names the CSV files; null when there is none. */
async function readReport(
  s3: S3Client,
  job: JobDescriptor,
  jobId: string,
): Promise<{ location: string; summary: ReportSummary } | null> {
  const bucketArn = job.Report?.Bucket;
  if (!job.Report?.Enabled || !bucketArn) return null;
  const bucket = bucketArn.slice(bucketArn.lastIndexOf(':') + 1);
  const folder = `${job.Report.Prefix ? `${job.Report.Prefix.replace(/\/$/, '')}/` : ''}job-${jobId}/`;
  const manifest = await getText(s3, bucket, `${folder}manifest.json`);
  if (manifest === null) return null;
  const lines = [];
  for (const file of reportFiles(manifest)) {
    const text = await getText(s3, file.bucket, file.key);
    // Not push(...): a report of a million tasks would overflow the call stack.
    if (text !== null) for (const line of parseTaskReport(text)) lines.push(line);
  }
  return { location: `s3://${bucket}/${folder}`, summary: summarizeReport(lines) };
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body!.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw describeS3Error(error, `s3://${bucket}/${key}`);
  }
}

async function readStack(options: BackfillCommandOptions): Promise<BackfillStack> {
  if (!options.stack)
    throw new UserInputError('--stack is required: the stack deployed with the backfill option');
  const cfn = new CloudFormationClient({ region: options.region });
  try {
    return await readBackfillStack(cfn, options.stack);
  } finally {
    cfn.destroy();
  }
}

const count = (n: number) => n.toLocaleString('en');

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
