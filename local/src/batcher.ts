/**
 * Groups records into transformation batches the way Firehose's Lambda processor buffer does:
 * a batch closes when its input reaches the buffer size (default 1 MiB) or a record count.
 * Pure bookkeeping: no I/O.
 */

/** One record as Firehose would hand it to the Lambda: its bytes and its arrival time. */
export interface SourceRecord {
  data: Uint8Array;
  /** Epoch ms, or null when unknown (file ingest without a Firehose object name). */
  arrivalTime: number | null;
}

export interface BatchLimits {
  /** Firehose's processor `BufferSizeInMBs` (0.2–3 MB, default 1 MB). */
  maxBytes: number;
  /** A cap on records per invocation, so a file of tiny records still makes moderate requests. */
  maxRecords: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBytes: 1024 * 1024, maxRecords: 5_000 };

export class Batcher {
  private records: SourceRecord[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS) {}

  /** Adds a record; returns the batch that was closed to make room (or filled by it), else null. */
  add(record: SourceRecord): SourceRecord[] | null {
    let closed: SourceRecord[] | null = null;
    if (this.records.length > 0 && this.bytes + record.data.byteLength > this.limits.maxBytes)
      closed = this.take();
    this.records.push(record);
    this.bytes += record.data.byteLength;
    if (closed === null && this.records.length >= this.limits.maxRecords) closed = this.take();
    return closed;
  }

  /** Closes and returns the open batch, or null when it is empty. */
  flush(): SourceRecord[] | null {
    return this.records.length > 0 ? this.take() : null;
  }

  private take(): SourceRecord[] {
    const batch = this.records;
    this.records = [];
    this.bytes = 0;
    return batch;
  }
}
