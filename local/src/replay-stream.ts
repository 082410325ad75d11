/**
 * `replay --from s3://bucket/errors/ --stream NAME`: puts the records of a Firehose's S3 error output
 * back into a delivery stream with PutRecordBatch, so the stream's current transform runs on them.
 * Each error object is removed once the stream has accepted all its records; records that fail
 * again are written by Firehose to its error output anew. A run killed between the last accepted
 * call and the removal sends that object's records again on the next run (at least once, as
 * Firehose itself delivers): their event ids repeat, and `events_unique` shows each once.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandOutput,
} from '@aws-sdk/client-firehose';
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import type { SourceRecord } from './batcher';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, isValidStreamName, STREAM_NAME_RULE } from './firehose-api';
import type { KeptFile } from './replay';
import { recordsOfErrorObject, type ErrorObjectRecords } from './replay-records';
import { createS3Client, describeS3Error, s3Url } from './s3';
import { listS3Sources } from './s3-input';

export interface StreamReplayOptions {
  /** The error output: `s3://bucket/errors/` (or any prefix under it). */
  from: string;
  /** The delivery stream's name. */
  stream: string;
  region?: string;
  s3Endpoint?: string;
  /** A Firehose-compatible endpoint (the local `serve`). */
  firehoseEndpoint?: string;
  /** Attempts per record before the run stops (default 8). */
  maxAttempts?: number;
  /** Test seams. */
  s3?: S3Client;
  firehose?: FirehoseClient;
  wait?: (ms: number) => Promise<unknown>;
}

/** What a stream replay did. Every record of a replaced object was accepted by the stream. */
export interface StreamReplaySummary {
  from: string;
  stream: string;
  objects: number;
  /** Objects whose records the stream accepted, removed since. */
  replacedObjects: number;
  /** Objects left as they are, and why. */
  kept: KeptFile[];
  /** Records accepted by the stream. */
  records: number;
  /** PutRecordBatch calls, and records sent again after the stream refused them (FailedPutCount). */
  calls: number;
  retriedRecords: number;
}

const DEFAULT_MAX_ATTEMPTS = 8;
/** Backoff before the n-th attempt: 100 ms doubling, at most 10 s, with jitter. */
const backoffMs = (attempt: number) => Math.min(10_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/**
 * Replays every object under `from` into the stream.
 *
 * @throws UserInputError for a bad stream name or location, an empty prefix, a missing stream
 * @throws EngagementLakeError when the stream keeps refusing records after every attempt
 */
export async function replayToStream(options: StreamReplayOptions): Promise<StreamReplaySummary> {
  if (!isValidStreamName(options.stream))
    throw new UserInputError(
      `--stream '${options.stream}' is not a delivery stream name: ${STREAM_NAME_RULE}`,
    );
  const s3 = options.s3 ?? createS3Client({ endpoint: options.s3Endpoint, region: options.region });
  const firehose =
    options.firehose ?? new FirehoseClient({ region: options.region, endpoint: options.firehoseEndpoint });
  const summary: StreamReplaySummary = {
    from: options.from,
    stream: options.stream,
    objects: 0,
    replacedObjects: 0,
    kept: [],
    records: 0,
    calls: 0,
    retriedRecords: 0,
  };
  const put = new BatchPutter(firehose, options, summary);
  try {
    for (const object of await listS3Sources(s3, options.from)) {
      summary.objects++;
      const where = s3Url(object.bucket, object.key);
      const records = replayable(
        recordsOfErrorObject(object.key, await getBytes(s3, object.bucket, object.key, where)),
      );
      if (typeof records === 'string') {
        summary.kept.push({ key: where, reason: records });
        continue;
      }
      await put.all(records);
      await s3
        .send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key }))
        .catch((error: unknown) => Promise.reject(describeS3Error(error, where)));
      summary.replacedObjects++;
    }
    return summary;
  } finally {
    if (!options.s3) s3.destroy();
    if (!options.firehose) firehose.destroy();
  }
}

/** The object's records, or why it is kept: unreadable, or a record Firehose would refuse (over 1,000 KiB). */
function replayable(read: ErrorObjectRecords): SourceRecord[] | string {
  if (!read.ok) return read.reason;
  const large = read.records.find((r) => r.data.byteLength > MAX_RECORD_BYTES);
  return large
    ? `a record of ${large.data.byteLength} bytes is over Firehose's ${MAX_RECORD_BYTES}-byte limit; replay it with \`replay --lake\` or ingest`
    : read.records;
}

async function getBytes(s3: S3Client, bucket: string, key: string, where: string): Promise<Uint8Array> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body!.transformToByteArray();
  } catch (error) {
    throw describeS3Error(error, where);
  }
}

/** Sends records in calls of at most 500 records and 4 MiB, resending what a call refused. */
class BatchPutter {
  constructor(
    private readonly firehose: FirehoseClient,
    private readonly options: StreamReplayOptions,
    private readonly summary: StreamReplaySummary,
  ) {}

  async all(records: readonly SourceRecord[]): Promise<void> {
    let pending = records;
    const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        this.summary.retriedRecords += pending.length;
        await (this.options.wait ?? sleep)(backoffMs(attempt - 1));
      }
      const refused: { record: SourceRecord; why: string }[] = [];
      for (const call of calls(pending)) refused.push(...(await this.send(call)));
      if (refused.length > 0 && attempt >= maxAttempts)
        throw new EngagementLakeError(
          `the stream '${this.options.stream}' refused ${refused.length} records ${maxAttempts} times (${refused[0].why}); run replay again later: objects not yet replayed are kept`,
        );
      this.summary.records += pending.length - refused.length;
      pending = refused.map((r) => r.record);
    }
  }

  /** One PutRecordBatch; returns the records it refused (FailedPutCount) with the reason. */
  private async send(call: readonly SourceRecord[]): Promise<{ record: SourceRecord; why: string }[]> {
    this.summary.calls++;
    let response: PutRecordBatchCommandOutput;
    try {
      response = await this.firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: this.options.stream,
          Records: call.map((record) => ({ Data: record.data })),
        }),
      );
    } catch (error) {
      throw describeStreamError(error, this.options.stream);
    }
    if (!response.FailedPutCount) return [];
    const answers = response.RequestResponses ?? [];
    return call.flatMap((record, i) =>
      answers[i]?.ErrorCode
        ? [{ record, why: `${answers[i].ErrorCode}: ${answers[i].ErrorMessage ?? ''}` }]
        : [],
    );
  }
}

/** Splits records into PutRecordBatch calls within Firehose's limits, in order. */
export function* calls(records: readonly SourceRecord[]): Generator<SourceRecord[]> {
  let call: SourceRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength;
    if (call.length > 0 && (call.length === MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES)) {
      yield call;
      call = [];
      bytes = 0;
    }
    call.push(record);
    bytes += size;
  }
  if (call.length > 0) yield call;
}

function describeStreamError(error: unknown, stream: string): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'ResourceNotFoundException')
    return new UserInputError(`no delivery stream '${stream}' here; check --stream and --region`, {
      cause: error,
    });
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException')
    return new UserInputError(
      `the stream '${stream}' refused these credentials (${name}); they need firehose:PutRecordBatch on it`,
      { cause: error },
    );
  const code =
    (error as NodeJS.ErrnoException)?.code ??
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/.exec(String((error as Error)?.message))?.[1];
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UserInputError(
      `cannot reach the Firehose endpoint (${code}); check --firehose-endpoint and the network`,
      {
        cause: error,
      },
    );
  return error;
}
