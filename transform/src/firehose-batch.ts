/**
 * The Firehose data-transformation contract around `transformRecord`: one result per recordId, in
 * order; Ok records carry their rows and partition keys; failed records keep their original bytes;
 * and the response never exceeds Lambda's 6 MB limit. Pure: the caller passes `now`.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { MAX_RESPONSE_BYTES } from './constants';
import { EngagementLakeError } from './errors';
import { serializeRows, transformRecord } from './records';
import type { FailureReason } from './types';

export interface BatchOptions {
  includeRaw: boolean;
  dtStart: string;
  /** The current time (epoch ms), for the `dt` clamp. */
  now: number;
  /** Stop adding Ok records at this response size. Default: MAX_RESPONSE_BYTES (5.8 MB). */
  maxResponseBytes?: number;
}

/** A record that came back ProcessingFailed, for logs and metrics (never its content). */
export interface RecordFailure {
  recordId: string;
  index: number;
  reason: FailureReason;
  message: string;
}

/** Counts for metrics and the summary log line. */
export interface BatchSummary {
  recordsIn: number;
  recordsOk: number;
  rowsOut: number;
  failures: RecordFailure[];
  dtFallbacks: number;
  unknownTypes: number;
  caseCollidingKeys: number;
  /** Size of the response as JSON, in bytes. */
  responseBytes: number;
}

// `{"records":[]}`: the response's framing around the result records.
const FRAME_BYTES = 14;
const PLAIN_BASE64 = /^[A-Za-z0-9+/=]*$/;
const TOO_LARGE = 'the response reached its size limit before this record';

/**
 * Bytes of a result record as JSON, without re-encoding a large base64 `data` string.
 * `plainData`: the caller knows `data` is base64 it encoded itself, so the check is skipped.
 */
function resultBytes(record: FirehoseTransformationResultRecord, plainData = false): number {
  const data = record.data ?? '';
  const rest = Buffer.byteLength(JSON.stringify({ ...record, data: '' }));
  if (plainData || PLAIN_BASE64.test(data)) return rest + data.length;
  return rest + Buffer.byteLength(JSON.stringify(data)) - 2;
}

function failed(record: FirehoseTransformationEventRecord): FirehoseTransformationResultRecord {
  return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
}

/** Firehose's arrival time: the Kinesis record's own, when the source is a Kinesis stream. */
function arrivalTime(record: FirehoseTransformationEventRecord): number | null {
  const time =
    record.kinesisRecordMetadata?.approximateArrivalTimestamp ?? record.approximateArrivalTimestamp;
  return typeof time === 'number' && Number.isFinite(time) ? time : null;
}

/** Only a malformed request throws: Firehose then retries the whole batch, or sends it to the error output. */
function assertRequest(event: FirehoseTransformationEvent): void {
  if (!event || !Array.isArray(event.records)) {
    throw new EngagementLakeError(
      'the request is not a Firehose transformation event: it has no records array',
    );
  }
  for (const [index, record] of event.records.entries()) {
    if (typeof record?.recordId !== 'string' || typeof record.data !== 'string') {
      throw new EngagementLakeError(`the request's record ${index} has no string recordId and data`);
    }
  }
}

/**
 * Transforms a Firehose batch. Records that fail keep their original data and are reported in
 * `summary.failures`; none is ever `Dropped`. When an Ok record would take the response past
 * `maxResponseBytes` — counting room for the original data of every record after it — that record
 * and all the rest fail with `response_too_large`, so they can be replayed from the error output.
 *
 * @example
 * const { response, summary } = processFirehoseBatch(event, { includeRaw: true, dtStart: '2015-01-01', now: Date.now() });
 */
export function processFirehoseBatch(
  event: FirehoseTransformationEvent,
  options: BatchOptions,
): { response: FirehoseTransformationResult; summary: BatchSummary } {
  assertRequest(event);
  const limit = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const records = event.records;
  // failedBytes[i]: bytes of record i if it fails with its original data (+1 for its comma), computed
  // once: scanning the data is the costly part. failedTail[i]: the same for records i.. together.
  const failedBytes = records.map((record) => resultBytes(failed(record)) + 1);
  const failedTail = new Array<number>(records.length + 1).fill(0);
  for (let i = records.length - 1; i >= 0; i--) failedTail[i] = failedTail[i + 1]! + failedBytes[i]!;

  const summary: BatchSummary = {
    recordsIn: records.length,
    recordsOk: 0,
    rowsOut: 0,
    failures: [],
    dtFallbacks: 0,
    unknownTypes: 0,
    caseCollidingKeys: 0,
    responseBytes: FRAME_BYTES,
  };
  const out: FirehoseTransformationResultRecord[] = [];
  let full = false;
  const fail = (
    record: FirehoseTransformationEventRecord,
    index: number,
    reason: FailureReason,
    message: string,
  ) => {
    out.push(failed(record));
    summary.responseBytes += failedBytes[index]!;
    summary.failures.push({ recordId: record.recordId, index, reason, message });
  };

  for (const [index, record] of records.entries()) {
    if (full) {
      fail(record, index, 'response_too_large', TOO_LARGE);
      continue;
    }
    const transformed = transformRecord(Buffer.from(record.data, 'base64'), {
      arrivalTime: arrivalTime(record),
      includeRaw: options.includeRaw,
      dtStart: options.dtStart,
      now: options.now,
    });
    if (!transformed.ok) {
      fail(record, index, transformed.reason, transformed.message);
      continue;
    }
    const result: FirehoseTransformationResultRecord = {
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(serializeRows(transformed.rows), 'utf8').toString('base64'),
      metadata: { partitionKeys: { family: transformed.partition.family, dt: transformed.partition.dt } },
    };
    // Buffer#toString('base64') only writes plain base64 characters.
    const bytes = resultBytes(result, true) + 1;
    if (summary.responseBytes + bytes + failedTail[index + 1]! > limit) {
      full = true;
      fail(record, index, 'response_too_large', TOO_LARGE);
      continue;
    }
    out.push(result);
    summary.responseBytes += bytes;
    summary.recordsOk++;
    summary.rowsOut += transformed.rows.length;
    for (const d of transformed.diagnostics) {
      if (d.dtFallback) summary.dtFallbacks++;
      if (d.unknownType) summary.unknownTypes++;
      summary.caseCollidingKeys += d.caseCollisions;
    }
  }
  // The loop counted one comma per record; the JSON has one fewer.
  if (records.length > 0) summary.responseBytes -= 1;
  return { response: { records: out }, summary };
}
