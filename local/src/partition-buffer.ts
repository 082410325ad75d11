/**
 * Rows waiting to be written, grouped by partition. Rows are held as their serialized JSON (the
 * handler's output line), which is several times smaller than the parsed object graph; they are
 * parsed only when their partition is flushed. Pure bookkeeping: no I/O.
 */
import type { PartitionKeys } from '../../transform/src/schema';

export interface BufferLimits {
  /** Flush a partition when it holds this many rows. */
  maxRowsPerPartition: number;
  /** Flush a partition when its rows' JSON reaches this many characters. */
  maxBytesPerPartition: number;
  /** Cap across all partitions: when passed, the largest partition is flushed. Bounds memory. */
  maxTotalBytes: number;
}

/** Defaults sized so a 1 GB ingest stays well under 1 GB RSS (see bench/ingest.ts). */
export const DEFAULT_BUFFER_LIMITS: BufferLimits = {
  maxRowsPerPartition: 100_000,
  maxBytesPerPartition: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
};

export interface PartitionRows {
  partition: PartitionKeys;
  rows: string[];
  bytes: number;
}

/** `family=<f>/dt=<d>`: the partition's path below `events/`, also its buffer key. */
export function partitionPath(partition: PartitionKeys): string {
  return `family=${partition.family}/dt=${partition.dt}`;
}

export class PartitionBuffer {
  private readonly partitions = new Map<string, PartitionRows>();
  private bytes = 0;
  private rows = 0;

  constructor(private readonly limits: BufferLimits = DEFAULT_BUFFER_LIMITS) {}

  /** Rows buffered across all partitions. */
  get totalRows(): number {
    return this.rows;
  }

  /** Characters of row JSON buffered across all partitions. */
  get totalBytes(): number {
    return this.bytes;
  }

  /**
   * Adds one row and returns the partitions that should be flushed now (taken out of the buffer):
   * this row's partition when it passed its own threshold, else the largest partitions while the
   * total is over the cap.
   */
  add(partition: PartitionKeys, rowJson: string): PartitionRows[] {
    const key = partitionPath(partition);
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { partition, rows: [], bytes: 0 };
      this.partitions.set(key, entry);
    }
    entry.rows.push(rowJson);
    entry.bytes += rowJson.length;
    this.bytes += rowJson.length;
    this.rows += 1;

    const due: PartitionRows[] = [];
    if (
      entry.rows.length >= this.limits.maxRowsPerPartition ||
      entry.bytes >= this.limits.maxBytesPerPartition
    ) {
      due.push(this.take(key));
    }
    while (this.bytes > this.limits.maxTotalBytes) due.push(this.take(this.largestKey()));
    return due;
  }

  /** Takes every partition out of the buffer, in path order (deterministic file order). */
  drain(): PartitionRows[] {
    return [...this.partitions.keys()].sort().map((key) => this.take(key));
  }

  private largestKey(): string {
    let best = '';
    let bestBytes = -1;
    for (const [key, entry] of this.partitions) {
      if (entry.bytes > bestBytes) {
        best = key;
        bestBytes = entry.bytes;
      }
    }
    return best;
  }

  private take(key: string): PartitionRows {
    const entry = this.partitions.get(key)!;
    this.partitions.delete(key);
    this.bytes -= entry.bytes;
    this.rows -= entry.rows.length;
    return entry;
  }
}
