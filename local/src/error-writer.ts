/**
 * The error output: records the transform failed, written the way Firehose writes its
 * `processing-failed` error type, one JSON document per line, under
 * `<lake>/errors/processing-failed/YYYY/MM/DD/HH/`.
 */
import type { LakeSink } from './lake-sink';

/** One record the transform failed, with everything the error document needs. */
export interface FailedRecord {
  /** The record's original bytes. */
  raw: Uint8Array;
  /** Machine-readable reason (a `FailureReason`), written as `errorCode`. */
  reason: string;
  message: string;
  /** When the record arrived, if known (Firehose object name, or receipt time in `serve`). */
  arrivalTime: number | null;
}

/** Stands in for the Lambda ARN Firehose records; locally there is no Lambda. */
export const LOCAL_LAMBDA_ARN = 'local';

/** The hour folder, `errors/processing-failed/YYYY/MM/DD/HH`, in UTC as Firehose's default prefix. */
export function errorFolder(time: number): string {
  const iso = new Date(time).toISOString();
  return [
    'errors',
    'processing-failed',
    iso.slice(0, 4),
    iso.slice(5, 7),
    iso.slice(8, 10),
    iso.slice(11, 13),
  ].join('/');
}

/**
 * One error document, field for field as Firehose writes processing failures.
 * `fallbackArrival` stands in for an unknown arrival time: errors are operational data, so the
 * ingest run's start (a wall-clock time) is acceptable here, unlike in the rows.
 */
export function formatErrorRecord(
  failed: FailedRecord,
  fallbackArrival: number,
  attemptEndingTimestamp: number,
): string {
  return JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: failed.arrivalTime ?? fallbackArrival,
    errorCode: failed.reason,
    errorMessage: failed.message,
    attemptEndingTimestamp,
    rawData: Buffer.from(failed.raw.buffer, failed.raw.byteOffset, failed.raw.byteLength).toString('base64'),
    lambdaArn: LOCAL_LAMBDA_ARN,
  });
}

export interface ErrorWriterOptions {
  /** Where the lake is; error files go under its `errors/`. */
  sink: LakeSink;
  runId: string;
  /** Folder hour and `arrivalTimestamp` for records whose arrival is unknown. */
  runStartedAt: number;
  /** Flush buffered error lines once they pass this many characters (bounds memory). */
  maxBufferedBytes?: number;
  /** Wall clock for `attemptEndingTimestamp` (injected for tests). */
  clock?: () => number;
}

/** Buffers error documents per hour folder and writes them as `part-<runId>-<seq>.ndjson` files. */
export class ErrorWriter {
  private readonly folders = new Map<string, string[]>();
  private buffered = 0;
  private seq = 0;
  /** Files written so far and their total size in bytes. */
  readonly written = { files: 0, bytes: 0 };

  constructor(private readonly options: ErrorWriterOptions) {}

  async add(failed: FailedRecord): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    const line = formatErrorRecord(failed, this.options.runStartedAt, clock());
    const folder = errorFolder(failed.arrivalTime ?? this.options.runStartedAt);
    const lines = this.folders.get(folder) ?? [];
    lines.push(line);
    this.folders.set(folder, lines);
    this.buffered += line.length;
    if (this.buffered >= (this.options.maxBufferedBytes ?? 16 * 1024 * 1024)) await this.flush();
  }

  /** Writes every buffered folder to a new file (atomically). */
  async flush(): Promise<void> {
    for (const folder of [...this.folders.keys()].sort()) {
      const body = Buffer.from(this.folders.get(folder)!.join('\n') + '\n', 'utf8');
      this.seq += 1;
      const name = `part-${this.options.runId}-${String(this.seq).padStart(6, '0')}.ndjson`;
      await this.options.sink.put(`${folder}/${name}`, body);
      this.written.files += 1;
      this.written.bytes += body.byteLength;
    }
    this.folders.clear();
    this.buffered = 0;
  }
}
