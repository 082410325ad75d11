/**
 * One Firehose invocation, seen from the delivery side: the request Firehose would build for a batch,
 * and what became of each record once the handler answered (its rows and partition keys, or why it
 * failed). Pure: runs in the main thread or in a handler worker alike.
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { SourceRecord } from './batcher';

/** An `Ok` record: the handler's partition keys (checked later) and its output lines (one row each). */
export interface OkOutcome {
  ok: true;
  partitionKeys: Record<string, string>;
  lines: string[];
}

/** A record Firehose would send to the error output, with a machine-readable reason. */
export interface FailedOutcome {
  ok: false;
  reason: string;
  message: string;
}

export type RecordOutcome = OkOutcome | FailedOutcome;

/** Why a record failed, computed the way the handler decides it (Firehose's response has no reason). */
export type FailureOf = (record: SourceRecord) => { reason: string; message: string };

/** The region and ARN the synthetic invocations carry (nothing reads them locally). */
const LOCAL_STREAM_ARN = 'arn:aws:firehose:local:000000000000:deliverystream/engagement-lake-local';

/**
 * Builds the Lambda request Firehose would send for a batch. Record ids are synthetic and unique
 * within the run. A null arrival is passed through as null: the handler must not invent one.
 */
export function buildTransformationEvent(
  batch: readonly SourceRecord[],
  invocationId: string,
): FirehoseTransformationEvent {
  return {
    invocationId,
    deliveryStreamArn: LOCAL_STREAM_ARN,
    region: 'local',
    records: batch.map((record, index) => ({
      recordId: `${invocationId}-${String(index).padStart(6, '0')}`,
      approximateArrivalTimestamp: record.arrivalTime as number,
      data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString(
        'base64',
      ),
    })),
  };
}

/** The non-empty lines of an `Ok` record's base64 output: one serialized row each. */
export function outputLines(data: string | undefined): string[] {
  const text = Buffer.from(data ?? '', 'base64').toString('utf8');
  return text.split('\n').filter((line) => line !== '');
}

/**
 * Matches the handler's response to the batch, record by record, in input order. Firehose counts a
 * missing or mismatched record id, or an `Ok` without partition keys, as a transformation failure.
 */
export function outcomesOf(
  batch: readonly SourceRecord[],
  event: FirehoseTransformationEvent,
  response: FirehoseTransformationResult,
  failureOf: FailureOf,
): RecordOutcome[] {
  const byId = new Map<string, FirehoseTransformationResultRecord>();
  for (const result of response.records) byId.set(result.recordId, result);
  return batch.map((record, i): RecordOutcome => {
    const result = byId.get(event.records[i].recordId);
    if (result?.result === 'Ok' && result.metadata?.partitionKeys)
      return { ok: true, partitionKeys: result.metadata.partitionKeys, lines: outputLines(result.data) };
    if (!result)
      return {
        ok: false,
        reason: 'missing_record_id',
        message: 'the handler returned no result for this record id',
      };
    return { ok: false, ...failureOf(record) };
  });
}
