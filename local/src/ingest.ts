/**
 * `ingest`: reads NDJSON / concatenated JSON (plain or gzip) from files, folders or stdin, splits it
 * into records as Firehose's JSON de-aggregation does, runs batches through the same transformation
 * handler Firehose runs, and writes the Parquet lake plus the error output.
 */
import type { Readable } from 'node:stream';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { JsonRecordSplitter } from '../../transform/src/json-split';
import { Batcher, DEFAULT_BATCH_LIMITS, type BatchLimits, type SourceRecord } from './batcher';
import { LakeDelivery, type DeliveryStats, type LocalTransform } from './delivery';
import { FolderSink, type LakeSink } from './lake-sink';
import { arrivalFromObjectName, readTextChunks, resolveInputs } from './input-reader';
import type { BufferLimits } from './partition-buffer';
import { newRunId } from './run-id';
import { defaultWorkerCount, HandlerPool, type BatchRunner } from './handler-pool';

export interface IngestOptions {
  /** Files, folders (recursive) or `-` for stdin. */
  inputs: readonly string[];
  /** Lake folder: data under `events/`, failures under `errors/`. */
  lake: string;
  /** Keep each event's JSON text in the `raw` column (default true). */
  includeRaw?: boolean;
  /** Standard input, when an input is `-` (default `process.stdin`). */
  stdin?: Readable;
  /** Progress: raw bytes read so far, and the total (null when reading stdin). */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** The transform to run in this thread (default: the Firehose handler in transform/handler.ts). */
  transform?: LocalTransform;
  /**
   * Worker threads running the default handler (default: min(2, cores)); 0 runs it in this thread.
   * Ignored when `transform` is given. The output is the same for any number.
   */
  workers?: number;
  /** Let the workers write the Parquet files too (default false; more memory, see HandlerPoolOptions). */
  workerWrites?: boolean;
  batchLimits?: BatchLimits;
  bufferLimits?: BufferLimits;
  /** Clock for the run id and run timing (injected for tests). */
  clock?: () => number;
}

/** What a run did. `records = okRecords + failedRecords` always holds. */
export interface IngestSummary extends DeliveryStats {
  runId: string;
  inputs: number;
  inputBytes: number;
  seconds: number;
  recordsPerSecond: number;
}

/**
 * Ingests the inputs into the lake and returns the summary. Throws UserInputError (before writing
 * anything) for a missing or unreadable input; bad records never throw, they are counted and kept.
 *
 * @example
 * const summary = await ingest({ inputs: ['events.ndjson.gz'], lake: './lake' });
 * console.log(summary.rows, summary.failed);
 */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const sources = await resolveInputs(options.inputs);
  const sink = new FolderSink(options.lake);
  await sink.check();
  const includeRaw = options.includeRaw ?? true;
  const transform = options.transform ?? (await import('./local-transform')).defaultTransform({ includeRaw });
  const runner = handlerRunner(options, includeRaw);
  try {
    return await run(options, sources, sink, transform, runner, clock, started);
  } finally {
    await runner?.close();
  }
}

/** A worker pool for the default handler, unless the caller brought a transform or asked for none. */
function handlerRunner(options: IngestOptions, includeRaw: boolean): BatchRunner | undefined {
  if (options.transform) return undefined;
  const workers = options.workers ?? defaultWorkerCount();
  const pool = { includeRaw, writes: options.workerWrites };
  return workers > 0 ? new HandlerPool(workers, pool) : undefined;
}

async function run(
  options: IngestOptions,
  sources: Awaited<ReturnType<typeof resolveInputs>>,
  sink: LakeSink,
  transform: LocalTransform,
  runner: BatchRunner | undefined,
  clock: () => number,
  started: number,
): Promise<IngestSummary> {
  const runId = newRunId(started);
  const delivery = new LakeDelivery({
    sink,
    runId,
    runStartedAt: started,
    transform,
    runner,
    bufferLimits: options.bufferLimits,
  });
  const batcher = new Batcher(options.batchLimits ?? DEFAULT_BATCH_LIMITS);
  const total = sources.some((s) => s.kind === 'stdin')
    ? null
    : sources.reduce((n, s) => n + (s.kind === 'file' ? s.size : 0), 0);
  let bytesRead = 0;
  const onBytes = (n: number) => {
    bytesRead += n;
    options.onProgress?.(bytesRead, total);
  };
  const add = async (text: string, arrivalTime: number | null) => {
    const record: SourceRecord = { data: Buffer.from(text, 'latin1'), arrivalTime };
    const batch = batcher.add(record);
    if (batch) await delivery.deliver(batch);
  };

  for (const source of sources) {
    // A Firehose object's name carries its records' arrival time; otherwise it is unknown (null),
    // never the wall clock, so a re-run gives identical rows.
    const arrivalTime = source.kind === 'file' ? arrivalFromObjectName(source.path) : null;
    // Split on one-character-per-byte text so every record keeps its exact bytes: the handler then
    // judges UTF-8 validity and size itself, as on AWS. The splitter counts a byte >= 0x80 as two,
    // so its memory cut is set at twice the record limit; the handler enforces the real limit.
    const splitter = new JsonRecordSplitter({ maxRecordBytes: 2 * MAX_RECORD_BYTES });
    for await (const chunk of readTextChunks(source, { stdin: options.stdin, onBytes })) {
      for (const text of splitter.push(chunk)) await add(text, arrivalTime);
    }
    for (const text of splitter.end()) await add(text, arrivalTime);
  }
  const last = batcher.flush();
  if (last) await delivery.deliver(last);
  const stats = await delivery.finish();

  const seconds = Math.max((clock() - started) / 1000, 0.001);
  return {
    runId,
    ...stats,
    inputs: sources.length,
    inputBytes: bytesRead,
    seconds,
    recordsPerSecond: Math.round(stats.records / seconds),
  };
}
