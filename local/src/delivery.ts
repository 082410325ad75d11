/**
 * The local stand-in for Firehose's delivery: each batch of records goes through the transformation
 * handler exactly as Firehose would invoke it (base64 data, record ids, arrival timestamps), `Ok`
 * rows are buffered per partition and written as Parquet, `ProcessingFailed` records go to the error
 * output. Shared by `ingest` and `serve`.
 */
import { join } from 'node:path';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { EngagementLakeError } from '../../transform/src/errors';
import { FAMILIES, type EventRow, type Family, type PartitionKeys } from '../../transform/src/schema';
import { serializedRowsToTable } from './arrow-schema';
import type { SourceRecord } from './batcher';
import { ErrorWriter } from './error-writer';
import {
  DEFAULT_BUFFER_LIMITS,
  PartitionBuffer,
  partitionPath,
  type BufferLimits,
  type PartitionRows,
} from './partition-buffer';
import { writeParquetFile } from './parquet-writer';

/** What the local pipeline needs from the transform: the handler itself and two helpers around it. */
export interface LocalTransform {
  /** The Firehose transformation Lambda handler (the same code that runs on AWS). */
  handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult>;
  /**
   * Why a record failed, computed the same way the handler decides it: Firehose's response has no
   * room for a reason, but the error output needs a machine-readable one.
   */
  failureOf(record: SourceRecord): { reason: string; message: string };
  /** Parses one line of an `Ok` record's output back into a row (timestamps as epoch ms). */
  parseRow(json: string): EventRow;
}

/** Counts that always add up: `records = okRecords + failedRecords`. */
export interface DeliveryStats {
  records: number;
  okRecords: number;
  failedRecords: number;
  rows: number;
  /** Failed records by reason (`errorCode`). */
  failed: Record<string, number>;
  /** Parquet files and their bytes. */
  files: number;
  bytesWritten: number;
  /** Error-output files and their bytes. */
  errorFiles: number;
  errorBytes: number;
}

export interface DeliveryOptions {
  lake: string;
  runId: string;
  runStartedAt: number;
  transform: LocalTransform;
  bufferLimits?: BufferLimits;
  /** Called after each Parquet file is published. */
  onFile?: (path: string, rows: number, bytes: number) => void;
}

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

const FAMILY_SET: ReadonlySet<string> = new Set(FAMILIES);
const DT = /^\d{4}-\d{2}-\d{2}$/;

/** The handler's partition keys, checked before they become folder names. */
function checkedPartition(keys: Record<string, string>): PartitionKeys {
  const { family, dt } = keys;
  if (!FAMILY_SET.has(family) || !DT.test(dt ?? '')) {
    throw new EngagementLakeError(
      `the handler returned partition keys outside the schema: ${JSON.stringify(keys)}`,
    );
  }
  return { family: family as Family, dt };
}

export class LakeDelivery {
  private readonly buffer: PartitionBuffer;
  private readonly errors: ErrorWriter;
  private invocations = 0;
  private fileSeq = 0;
  readonly stats: DeliveryStats = {
    records: 0,
    okRecords: 0,
    failedRecords: 0,
    rows: 0,
    failed: {},
    files: 0,
    bytesWritten: 0,
    errorFiles: 0,
    errorBytes: 0,
  };

  constructor(private readonly options: DeliveryOptions) {
    this.buffer = new PartitionBuffer(options.bufferLimits ?? DEFAULT_BUFFER_LIMITS);
    this.errors = new ErrorWriter({
      lake: options.lake,
      runId: options.runId,
      runStartedAt: options.runStartedAt,
    });
  }

  /** Rows waiting in partition buffers. */
  get bufferedRows(): number {
    return this.buffer.totalRows;
  }

  /** Runs one batch through the handler and routes every record's result. */
  async deliver(batch: readonly SourceRecord[]): Promise<void> {
    if (batch.length === 0) return;
    this.invocations += 1;
    const event = buildTransformationEvent(
      batch,
      `${this.options.runId}-${String(this.invocations).padStart(8, '0')}`,
    );
    const response = await this.options.transform.handler(event);
    const byId = new Map<string, FirehoseTransformationResultRecord>();
    for (const result of response.records) byId.set(result.recordId, result);

    for (let i = 0; i < batch.length; i++) {
      const result = byId.get(event.records[i].recordId);
      this.stats.records += 1;
      // Firehose counts a missing or mismatched record id as a transformation failure.
      if (result?.result === 'Ok' && result.metadata?.partitionKeys) {
        this.stats.okRecords += 1;
        await this.addRows(result, checkedPartition(result.metadata.partitionKeys));
      } else {
        const failure = result
          ? this.options.transform.failureOf(batch[i])
          : { reason: 'missing_record_id', message: 'the handler returned no result for this record id' };
        await this.fail(batch[i], failure);
      }
    }
  }

  /** Writes every buffered partition and error, and returns the final counts. */
  async finish(): Promise<DeliveryStats> {
    await this.flush();
    return this.stats;
  }

  /** Writes every buffered partition and error now (the run goes on). */
  async flush(): Promise<void> {
    for (const due of this.buffer.drain()) await this.writePartition(due);
    await this.errors.flush();
    this.stats.errorFiles = this.errors.written.files;
    this.stats.errorBytes = this.errors.written.bytes;
  }

  private async addRows(result: FirehoseTransformationResultRecord, partition: PartitionKeys): Promise<void> {
    const text = Buffer.from(result.data ?? '', 'base64').toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      this.stats.rows += 1;
      for (const due of this.buffer.add({ family: partition.family, dt: partition.dt }, line))
        await this.writePartition(due);
    }
  }

  private async fail(record: SourceRecord, failure: { reason: string; message: string }): Promise<void> {
    this.stats.failedRecords += 1;
    this.stats.failed[failure.reason] = (this.stats.failed[failure.reason] ?? 0) + 1;
    await this.errors.add({
      raw: record.data,
      reason: failure.reason,
      message: failure.message,
      arrivalTime: record.arrivalTime,
    });
  }

  private async writePartition(due: PartitionRows): Promise<void> {
    const table = serializedRowsToTable(due.rows, this.options.transform.parseRow);
    due.rows.length = 0; // let the JSON text go before encoding
    this.fileSeq += 1;
    const name = `part-${this.options.runId}-${String(this.fileSeq).padStart(6, '0')}.parquet`;
    const path = join(this.options.lake, 'events', partitionPath(due.partition), name);
    const bytes = await writeParquetFile(path, table);
    this.stats.files += 1;
    this.stats.bytesWritten += bytes;
    this.options.onFile?.(path, table.numRows, bytes);
  }
}
