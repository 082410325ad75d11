/**
 * Rows waiting to be written, grouped by partition. Rows are held as chunks (a batch's rows of one
 * partition, as a compact Arrow IPC stream in the delivery), counted by rows and bytes; a
 * partition's chunks become one file when it is flushed. Pure bookkeeping: no I/O.
 */
import type { PartitionKeys } from '../../transform/src/schema';

export interface BufferLimits {
  /** Flush a partition when it holds this many rows. */
  maxRowsPerPartition: number;
  /** Flush a partition when its chunks reach this many bytes. */
  maxBytesPerPartition: number;
  /** Cap across all partitions: when passed, partitions are flushed (see below). Bounds memory. */
  maxTotalBytes: number;
  /**
   * Once over the cap, flush until the total is at most this (default: `maxTotalBytes`). Room below
   * the cap means the next forced flush comes thousands of rows later, not at the very next row.
   */
  lowWaterBytes?: number;
  /**
   * A partition that received no row while this many rows arrived is taken as finished (e.g. an
   * earlier day, in time-ordered input) and is flushed before the largest one: its file is then
   * whole rather than one of several pieces. Unset: always the largest.
   */
  coldAfterRows?: number;
}

/** Defaults sized so a 1 GB ingest stays well under 1 GB RSS (see bench/ingest.ts). */
export const DEFAULT_BUFFER_LIMITS: BufferLimits = {
  maxRowsPerPartition: 100_000,
  maxBytesPerPartition: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  lowWaterBytes: 48 * 1024 * 1024,
  coldAfterRows: 10_000,
};

/** Something buffered: a number of rows taking a number of bytes. */
export interface BufferedChunk {
  rows: number;
  bytes: number;
}

/** A partition's chunks, in the order they were added. */
export interface PartitionRows<C extends BufferedChunk = BufferedChunk> {
  partition: PartitionKeys;
  chunks: C[];
  rows: number;
  bytes: number;
}

/** A buffered partition, with the sequence number of the last row it received. */
interface Entry<C extends BufferedChunk> extends PartitionRows<C> {
  lastRow: number;
}

/** `family=<f>/dt=<d>`: the partition's path below `events/`, also its buffer key. */
export function partitionPath(partition: PartitionKeys): string {
  return `family=${partition.family}/dt=${partition.dt}`;
}

export class PartitionBuffer<C extends BufferedChunk = BufferedChunk> {
  private readonly partitions = new Map<string, Entry<C>>();
  private bytes = 0;
  private rows = 0;
  /** Rows added so far, ever: the clock that tells a cold partition from a busy one. */
  private seq = 0;

  constructor(private readonly limits: BufferLimits = DEFAULT_BUFFER_LIMITS) {}

  /** Rows buffered across all partitions. */
  get totalRows(): number {
    return this.rows;
  }

  /** Bytes buffered across all partitions. */
  get totalBytes(): number {
    return this.bytes;
  }

  /**
   * Adds one chunk and returns the partitions that should be flushed now (taken out of the
   * buffer): this chunk's partition when it reached its own threshold; then, if the total passed
   * the cap, cold partitions (longest idle first) and else the largest ones, until the total is at
   * the low-water mark. Deterministic: the same chunks in the same order give the same flushes.
   */
  add(partition: PartitionKeys, chunk: C): PartitionRows<C>[] {
    const key = partitionPath(partition);
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { partition, chunks: [], rows: 0, bytes: 0, lastRow: 0 };
      this.partitions.set(key, entry);
    }
    this.seq += chunk.rows;
    entry.lastRow = this.seq;
    entry.chunks.push(chunk);
    entry.rows += chunk.rows;
    entry.bytes += chunk.bytes;
    this.bytes += chunk.bytes;
    this.rows += chunk.rows;

    const due: PartitionRows<C>[] = [];
    if (entry.rows >= this.limits.maxRowsPerPartition || entry.bytes >= this.limits.maxBytesPerPartition) {
      due.push(this.take(key));
    }
    if (this.bytes > this.limits.maxTotalBytes) {
      const target = this.limits.lowWaterBytes ?? this.limits.maxTotalBytes;
      while (this.bytes > target && this.partitions.size > 0) due.push(this.take(this.nextToFlush()));
    }
    return due;
  }

  /** Takes every partition out of the buffer, in path order (deterministic file order). */
  drain(): PartitionRows<C>[] {
    return [...this.partitions.keys()].sort().map((key) => this.take(key));
  }

  /** The longest-idle partition if it is cold, else the largest (first in insertion order on ties). */
  private nextToFlush(): string {
    let largest = '';
    let largestBytes = -1;
    let coldest = '';
    let coldestRow = Infinity;
    for (const [key, entry] of this.partitions) {
      if (entry.bytes > largestBytes) {
        largest = key;
        largestBytes = entry.bytes;
      }
      if (entry.lastRow < coldestRow) {
        coldest = key;
        coldestRow = entry.lastRow;
      }
    }
    const cold = this.limits.coldAfterRows;
    return cold !== undefined && this.seq - coldestRow >= cold ? coldest : largest;
  }

  private take(key: string): PartitionRows<C> {
    const entry = this.partitions.get(key)!;
    this.partitions.delete(key);
    this.bytes -= entry.bytes;
    this.rows -= entry.rows;
    return { partition: entry.partition, chunks: entry.chunks, rows: entry.rows, bytes: entry.bytes };
  }
}
