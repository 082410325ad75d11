/**
 * The local stand-in for Firehose's delivery: each batch of records goes through the transform (its
 * core called directly, in workers or in this thread; or the handler exactly as Firehose would
 * invoke it), each batch's `Ok` rows come back as Arrow chunks per partition, are buffered
 * per partition and written as Parquet, and `ProcessingFailed` records go to the error output.
 * Shared by `ingest` and `serve`.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import type { EventRow } from '../../transform/src/schema';
import type { BatchResult, FailedVerdict, PartitionChunk } from './batch-outcome';
import type { SourceRecord } from './batcher';
import { ErrorWriter } from './error-writer';
import { encodeChunks, inProcessRunner, type BatchRunner } from './handler-pool';
import {
  DEFAULT_BUFFER_LIMITS,
  PartitionBuffer,
  partitionPath,
  type BufferLimits,
  type PartitionRows,
} from './partition-buffer';
import type { LakeSink } from './lake-sink';

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
  /** Where the files go: a local folder or an S3 prefix, in Firehose's layout. */
  sink: LakeSink;
  runId: string;
  runStartedAt: number;
  /** Parses rows back (`parseRow`); also runs the handler when no `runner` is given. */
  transform: LocalTransform;
  /** Runs the handler (e.g. a HandlerPool); default: `transform`, in this thread. The caller closes it. */
  runner?: BatchRunner;
  bufferLimits?: BufferLimits;
  /** Called after each Parquet file is published, with its key in the lake (in the order they finish). */
  onFile?: (key: string, rows: number, bytes: number) => void;
}

/** Re-exported: the request Firehose would build for a batch. */
export { buildTransformationEvent } from './batch-outcome';

/** A partition chunk as buffered: its Arrow IPC bytes are what it costs in memory. */
interface BufferedPartitionChunk extends PartitionChunk {
  bytes: number;
}

export class LakeDelivery {
  private readonly buffer: PartitionBuffer<BufferedPartitionChunk>;
  private readonly errors: ErrorWriter;
  private readonly runner: BatchRunner;
  private readonly maxInFlight: number;
  private readonly inFlight: { batch: readonly SourceRecord[]; outcomes: Promise<BatchResult> }[] = [];
  private readonly writes: Promise<void>[] = [];
  private invocations = 0;
  private fileSeq = 0;
  private publishedSeq = 0;
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
    this.runner = options.runner ?? inProcessRunner(options.transform);
    // In this thread, one batch at a time as before; with workers, enough to keep each one busy.
    this.maxInFlight = options.runner ? 2 * this.runner.concurrency : 1;
    this.buffer = new PartitionBuffer<BufferedPartitionChunk>(options.bufferLimits ?? DEFAULT_BUFFER_LIMITS);
    this.errors = new ErrorWriter({
      sink: options.sink,
      runId: options.runId,
      runStartedAt: options.runStartedAt,
    });
  }

  /** Rows waiting in partition buffers. */
  get bufferedRows(): number {
    return this.buffer.totalRows;
  }

  /**
   * The highest number `n` of a published `part-<runId>-<n>.parquet` (0 before the first): what a
   * checkpoint records. Files finish out of order, so it is the highest, not the last, published.
   */
  get lastPublishedFileSeq(): number {
    return this.publishedSeq;
  }

  /**
   * Hands one batch to the handler and returns once the pipeline has room for another. Up to
   * `2 × runner.concurrency` batches are in flight; their results are applied strictly in the order
   * the batches came, so the rows, files and counts do not depend on which worker finished first.
   */
  async deliver(batch: readonly SourceRecord[]): Promise<void> {
    if (batch.length === 0) return;
    this.invocations += 1;
    const outcomes = this.runner.run(
      batch,
      `${this.options.runId}-${String(this.invocations).padStart(8, '0')}`,
    );
    // Awaited in turn below; until then a rejection must not count as unhandled.
    outcomes.catch(() => undefined);
    this.inFlight.push({ batch, outcomes });
    while (this.inFlight.length >= this.maxInFlight) await this.applyNext();
  }

  /** Stops after a failure: see `ingest`, which then rolls the run back to its last commit. */
  async abandon(): Promise<void> {
    // Nothing new starts: batches in flight are dropped, and files being published are waited for,
    // so that the caller can then remove every file this run published.
    const pending = [...this.inFlight.map((f) => f.outcomes), ...this.writes];
    this.inFlight.length = 0;
    this.writes.length = 0;
    await Promise.allSettled(pending);
  }

  /** Writes every buffered partition and error, and returns the final counts. */
  async finish(): Promise<DeliveryStats> {
    await this.flush();
    return this.stats;
  }

  /** Waits for every batch in flight, then writes every buffered partition and error (the run goes on). */
  async flush(): Promise<void> {
    while (this.inFlight.length > 0) await this.applyNext();
    for (const due of this.buffer.drain()) await this.writePartition(due);
    while (this.writes.length > 0) await this.writes.shift();
    await this.errors.flush();
    this.stats.errorFiles = this.errors.written.files;
    this.stats.errorBytes = this.errors.written.bytes;
  }

  /** Routes the oldest batch's results: failures to the error output, rows to partition buffers. */
  private async applyNext(): Promise<void> {
    const { batch, outcomes } = this.inFlight.shift()!;
    const result = await outcomes;
    for (let i = 0; i < batch.length; i++) {
      const verdict = result.records[i];
      this.stats.records += 1;
      if (verdict.ok) {
        this.stats.okRecords += 1;
        this.stats.rows += verdict.rows;
      } else {
        await this.fail(batch[i], verdict);
      }
    }
    for (const chunk of result.chunks) {
      const buffered = { ...chunk, bytes: chunk.ipc.byteLength };
      for (const due of this.buffer.add(chunk.partition, buffered)) await this.writePartition(due);
    }
  }

  private async fail(record: SourceRecord, failure: FailedVerdict): Promise<void> {
    this.stats.failedRecords += 1;
    this.stats.failed[failure.reason] = (this.stats.failed[failure.reason] ?? 0) + 1;
    await this.errors.add({
      raw: record.data,
      reason: failure.reason,
      message: failure.message,
      arrivalTime: record.arrivalTime,
    });
  }

  /** Names the partition's next file (in flush order, so names never depend on timing) and writes it. */
  private async writePartition(due: PartitionRows<BufferedPartitionChunk>): Promise<void> {
    const seq = (this.fileSeq += 1);
    const name = `part-${this.options.runId}-${String(seq).padStart(6, '0')}.parquet`;
    const key = `events/${partitionPath(due.partition)}/${name}`;
    const chunks = due.chunks.map((chunk) => chunk.ipc);
    due.chunks.length = 0; // the chunks go to the encoder (transferred when it is a worker)
    if (this.runner.encode) {
      // Encoded off this thread; a few files at a time, so the rows waiting to be written stay bounded.
      const written = this.runner.encode(chunks).then((bytes) => this.publish(key, seq, due.rows, bytes));
      written.catch(() => undefined); // awaited below or in flush()
      this.writes.push(written);
      while (this.writes.length > this.runner.concurrency) await this.writes.shift();
      return;
    }
    await this.publish(key, seq, due.rows, encodeChunks(chunks));
  }

  private async publish(key: string, seq: number, rows: number, bytes: Uint8Array): Promise<void> {
    await this.options.sink.put(key, bytes);
    this.publishedSeq = Math.max(this.publishedSeq, seq);
    this.published(key, rows, bytes.byteLength);
  }

  private published(key: string, rows: number, bytes: number): void {
    this.stats.files += 1;
    this.stats.bytesWritten += bytes;
    this.options.onFile?.(key, rows, bytes);
  }
}
