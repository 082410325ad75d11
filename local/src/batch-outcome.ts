/**
 * One Firehose invocation, seen from the delivery side: the request Firehose would build for a batch,
 * and what became of each record (how many rows it gave, or why it failed), with the batch's rows as
 * one Arrow chunk per partition. Pure: runs in the main thread or in a handler worker alike.
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { EngagementLakeError } from '../../transform/src/errors';
import { FAMILIES, type EventRow, type Family, type PartitionKeys } from '../../transform/src/schema';
import { rowsToIpc } from './arrow-schema';
import type { SourceRecord } from './batcher';

/** An `Ok` record: the number of rows it gave (they are in the batch's chunk for its partition). */
export interface OkVerdict {
  ok: true;
  rows: number;
}

/** A record Firehose would send to the error output, with a machine-readable reason. */
export interface FailedVerdict {
  ok: false;
  reason: string;
  message: string;
}

export type RecordVerdict = OkVerdict | FailedVerdict;

/** A batch's rows of one partition, in input order, as one Arrow IPC stream (one record batch). */
export interface PartitionChunk {
  partition: PartitionKeys;
  rows: number;
  ipc: Uint8Array;
}

/** What became of a batch: one verdict per record, in input order, and the rows per partition. */
export interface BatchResult {
  records: RecordVerdict[];
  /** In the order each partition first appears in the batch (deterministic). */
  chunks: PartitionChunk[];
}

/** Why a record failed, computed the way the handler decides it (Firehose's response has no reason). */
export type FailureOf = (record: SourceRecord) => { reason: string; message: string };

/** The region and ARN the synthetic invocations carry (nothing reads them locally). */
const LOCAL_STREAM_ARN = 'arn:aws:firehose:local:000000000000:deliverystream/engagement-lake-local';

/** The synthetic record id of a batch's record `index`: unique within the run. */
export function recordIdOf(invocationId: string, index: number): string {
  return `${invocationId}-${String(index).padStart(6, '0')}`;
}

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
      recordId: recordIdOf(invocationId, index),
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

const FAMILY_SET: ReadonlySet<string> = new Set(FAMILIES);
const DT = /^\d{4}-\d{2}-\d{2}$/;

/** The handler's partition keys, checked before they become folder names. */
export function checkedPartition(keys: Record<string, string>): PartitionKeys {
  const { family, dt } = keys;
  if (!FAMILY_SET.has(family) || !DT.test(dt ?? '')) {
    throw new EngagementLakeError(
      `the handler returned partition keys outside the schema: ${JSON.stringify(keys)}`,
    );
  }
  return { family: family as Family, dt };
}

/** Collects a batch's rows per partition, in first-appearance order, and turns them into chunks. */
export class ChunkCollector {
  private readonly groups = new Map<string, { partition: PartitionKeys; rows: EventRow[] }>();

  add(partition: PartitionKeys, rows: readonly EventRow[]): void {
    const key = `${partition.family}/${partition.dt}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { partition, rows: [] };
      this.groups.set(key, group);
    }
    for (const row of rows) group.rows.push(row);
  }

  /** One Arrow IPC stream per partition. */
  chunks(): PartitionChunk[] {
    return [...this.groups.values()].map(({ partition, rows }) => ({
      partition,
      rows: rows.length,
      ipc: rowsToIpc(rows),
    }));
  }
}

/**
 * Matches the handler's response to the batch, record by record, in input order, and parses the
 * `Ok` records' rows back (`parseRow`). Firehose counts a missing or mismatched record id, or an
 * `Ok` without partition keys, as a transformation failure.
 */
export function handlerBatchResult(
  batch: readonly SourceRecord[],
  event: FirehoseTransformationEvent,
  response: FirehoseTransformationResult,
  failureOf: FailureOf,
  parseRow: (json: string) => EventRow,
): BatchResult {
  const byId = new Map<string, FirehoseTransformationResultRecord>();
  for (const result of response.records) byId.set(result.recordId, result);
  const collector = new ChunkCollector();
  const records = batch.map((record, i): RecordVerdict => {
    const result = byId.get(event.records[i].recordId);
    if (result?.result === 'Ok' && result.metadata?.partitionKeys) {
      const rows = outputLines(result.data).map(parseRow);
      collector.add(checkedPartition(result.metadata.partitionKeys), rows);
      return { ok: true, rows: rows.length };
    }
    if (!result)
      return {
        ok: false,
        reason: 'missing_record_id',
        message: 'the handler returned no result for this record id',
      };
    return { ok: false, ...failureOf(record) };
  });
  return { records, chunks: collector.chunks() };
}
