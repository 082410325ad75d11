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
import { jsonStringBytes, serializeRows, transformRecord } from './records';
import type { PartitionKeys } from './schema';
import type { PiiPolicy } from './pii';
import type { FailureReason } from './types';

export interface BatchOptions {
  includeRaw: boolean;
  dtStart: string;
  /** The current time (epoch ms), for the `dt` clamp. */
  now: number;
  /** Hash or drop personal data; absent: keep. */
  pii?: PiiPolicy;
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
/** The message of a record failed because the response was full. */
export const RESPONSE_FULL_MESSAGE = 'the response reached its size limit before this record';

/** Characters of the base64 text of `bytes` bytes (padded, as Buffer#toString('base64') writes it). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Bytes of a result record as JSON, given the JSON length of its `data` string's contents. */
function resultBytesWith(record: FirehoseTransformationResultRecord, dataBytes: number): number {
  return Buffer.byteLength(JSON.stringify({ ...record, data: '' })) + dataBytes;
}

/**
 * Bytes (comma included) of an Ok result whose rows serialize to `rowBytes` UTF-8 bytes (newlines
 * included), without building its base64 data: what the local pipeline needs to apply the rule.
 */
export function okResultBytes(recordId: string, partition: PartitionKeys, rowBytes: number): number {
  return okBytesWithData(recordId, partition, base64Length(rowBytes));
}

/**
 * Bytes (comma included) of an Ok result whose `data` is `base64Chars` of base64. A result's JSON
 * is its framing (measured once, with empty strings) and its strings' JSON (-2: their quotes,
 * which the framing holds).
 */
function okBytesWithData(recordId: string, partition: PartitionKeys, base64Chars: number): number {
  return (
    OK_FRAME_BYTES +
    jsonStringBytes(recordId) +
    jsonStringBytes(partition.family) +
    jsonStringBytes(partition.dt) -
    6 +
    base64Chars +
    1
  );
}

/** Bytes (comma included) of a ProcessingFailed result carrying `dataBytes` of original data. */
export function failedResultBytes(recordId: string, dataBytes: number): number {
  return failedBytesWithData(recordId, base64Length(dataBytes));
}

/** Bytes (comma included) of a ProcessingFailed result whose `data` is `dataJsonBytes` as JSON, unquoted. */
function failedBytesWithData(recordId: string, dataJsonBytes: number): number {
  return FAILED_FRAME_BYTES + jsonStringBytes(recordId) - 2 + dataJsonBytes + 1;
}

const OK_FRAME_BYTES = resultBytesWith(
  { recordId: '', result: 'Ok', data: '', metadata: { partitionKeys: { family: '', dt: '' } } },
  0,
);
const FAILED_FRAME_BYTES = resultBytesWith({ recordId: '', result: 'ProcessingFailed', data: '' }, 0);

/**
 * Lambda's response limit, record by record: an Ok record is admitted only if the response still
 * has room for it and for the failed result (original data) of every record after it. Once one Ok
 * record does not fit, the response is full: every later record fails with `response_too_large`.
 * Shared by the handler and the local pipeline, so both fail exactly the same records.
 */
export class ResponseLimit {
  /** Size of the response as JSON so far (one comma counted per record; see `total`). */
  private bytes = FRAME_BYTES;
  private readonly failedTail: number[];
  private isFull = false;

  /** `failedBytes[i]`: bytes (comma included) of record i's result if it fails. */
  constructor(
    private readonly failedBytes: readonly number[],
    private readonly limit: number = MAX_RESPONSE_BYTES,
  ) {
    this.failedTail = new Array<number>(failedBytes.length + 1).fill(0);
    for (let i = failedBytes.length - 1; i >= 0; i--)
      this.failedTail[i] = this.failedTail[i + 1]! + failedBytes[i]!;
  }

  /** True once an Ok record did not fit: every record from then on fails. */
  get full(): boolean {
    return this.isFull;
  }

  /** Admits record `index` as Ok with a result of `bytes` (comma included), or marks the response full. */
  admitOk(index: number, bytes: number): boolean {
    if (this.isFull || this.bytes + bytes + this.failedTail[index + 1]! > this.limit) {
      this.isFull = true;
      return false;
    }
    this.bytes += bytes;
    return true;
  }

  /** Counts record `index` as failed (its original data goes back). */
  addFailed(index: number): void {
    this.bytes += this.failedBytes[index]!;
  }

  /** The response's size as JSON: records.length - 1 commas, not one per record. */
  total(records: number): number {
    return records > 0 ? this.bytes - 1 : this.bytes;
  }
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
  const records = event.records;
  // Scanning each record's data is the costly part of its failed size: done once, up front.
  const limit = new ResponseLimit(
    records.map((record) => failedBytesWithData(record.recordId, jsonStringBytes(record.data) - 2)),
    options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
  );

  const summary: BatchSummary = {
    recordsIn: records.length,
    recordsOk: 0,
    rowsOut: 0,
    failures: [],
    dtFallbacks: 0,
    unknownTypes: 0,
    caseCollidingKeys: 0,
    responseBytes: 0,
  };
  const out: FirehoseTransformationResultRecord[] = [];
  const fail = (
    record: FirehoseTransformationEventRecord,
    index: number,
    reason: FailureReason,
    message: string,
  ) => {
    out.push(failed(record));
    limit.addFailed(index);
    summary.failures.push({ recordId: record.recordId, index, reason, message });
  };

  for (const [index, record] of records.entries()) {
    if (limit.full) {
      fail(record, index, 'response_too_large', RESPONSE_FULL_MESSAGE);
      continue;
    }
    const transformed = transformRecord(Buffer.from(record.data, 'base64'), {
      arrivalTime: arrivalTime(record),
      includeRaw: options.includeRaw,
      dtStart: options.dtStart,
      now: options.now,
      pii: options.pii,
    });
    if (!transformed.ok) {
      fail(record, index, transformed.reason, transformed.message);
      continue;
    }
    const { family, dt } = transformed.partition;
    const result: FirehoseTransformationResultRecord = {
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(serializeRows(transformed.rows), 'utf8').toString('base64'),
      metadata: { partitionKeys: { family, dt } },
    };
    // Buffer#toString('base64') only writes plain base64 characters: its JSON is itself, quoted.
    if (!limit.admitOk(index, okBytesWithData(record.recordId, { family, dt }, result.data!.length))) {
      fail(record, index, 'response_too_large', RESPONSE_FULL_MESSAGE);
      continue;
    }
    out.push(result);
    summary.recordsOk++;
    summary.rowsOut += transformed.rows.length;
    for (const d of transformed.diagnostics) {
      if (d.dtFallback) summary.dtFallbacks++;
      if (d.unknownType) summary.unknownTypes++;
      summary.caseCollidingKeys += d.caseCollisions;
    }
  }
  summary.responseBytes = limit.total(records.length);
  return { response: { records: out }, summary };
}
