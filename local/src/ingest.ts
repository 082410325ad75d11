/**
 * `ingest`: reads NDJSON / concatenated JSON (plain or gzip) from files, folders, S3 objects or
 * stdin, splits it into records as Firehose's JSON de-aggregation does, runs batches through the
 * transform Firehose's Lambda runs, and writes the Parquet lake plus the error output, in a
 * folder or under an S3 prefix. Resumable: sources already in the lake (see ledger.ts) are skipped,
 * and what a killed run left uncommitted is removed first (see run-record.ts). A second run of the
 * same inputs while the first is alive refuses to start (see startRun in run-record.ts).
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { JsonRecordSplitter } from '../../transform/src/json-split';
import type { PiiPolicy } from '../../transform/src/pii';
import { Batcher, DEFAULT_BATCH_LIMITS, type BatchLimits } from './batcher';
import { LakeDelivery, type DeliveryStats, type LocalTransform } from './delivery';
import {
  defaultWorkerCount,
  directRunner,
  HandlerPool,
  inProcessRunner,
  type BatchRunner,
} from './handler-pool';
import type { TransformPath } from './handler-worker';
import { arrivalFromObjectName, readChunks, sourceLabel, type InputSource } from './input-reader';
import { openIngestLake, resolveSources, type IngestLake, type LakeAccessOptions } from './ingest-lake';
import { markerKey, readDoneSources, sourceMarker, writeMarkers } from './ledger';
import type { BufferLimits } from './partition-buffer';
import { argsHash, recoverRuns, startRun, type LiveRun, type RunRecord } from './run-record';
import { newRunId } from './run-id';
import { SourceTally, type TaggedRecord } from './source-tally';

/** Commit (publish everything, then checkpoint the sources read) after this much input by default. */
export const DEFAULT_COMMIT_BYTES = 256 * 1024 * 1024;

export interface IngestOptions extends LakeAccessOptions {
  /** Files, folders (recursive), `s3://bucket/prefix/` or `s3://bucket/key`, or `-` for stdin. */
  inputs: readonly string[];
  /** Keep each event's JSON text in the `raw` column (default true). */
  includeRaw?: boolean;
  /** Hash or drop personal data (`--pii`; see transform/src/pii.ts); absent: keep. */
  pii?: PiiPolicy;
  /** Standard input, when an input is `-` (default `process.stdin`). */
  stdin?: Readable;
  /** Progress, after every chunk read and every source finished. */
  onProgress?: (progress: IngestProgress) => void;
  /** A transform to run in this thread instead of the default (`path`, `workers`); tests inject one. */
  transform?: LocalTransform;
  /**
   * Worker threads running the transform (default: one per core); 0 runs it in this thread.
   * Ignored when `transform` is given. The files are byte-identical for any number.
   */
  workers?: number;
  /**
   * `direct` (default): the transform's core, as the workers call it. `handler`: the Firehose
   * handler itself, base64/JSON envelope and all: the reference the direct path is tested against.
   * Ignored when `transform` is given. Both give the same files.
   */
  path?: TransformPath;
  /** Let the workers encode the Parquet files too (default true; see HandlerPoolOptions). */
  workerWrites?: boolean;
  batchLimits?: BatchLimits;
  bufferLimits?: BufferLimits;
  /** Clock for the run id, run timing and checkpoint times (injected for tests). */
  clock?: () => number;
  /** The run id in file names (default: a new ULID). The backfill Lambda passes one per object and ETag. */
  runId?: string;
  /** Read every source again, even those the checkpoint says are in the lake (`--restart`). */
  restart?: boolean;
  /** Input bytes between two commits (default 256 MiB): larger means fewer, larger files. */
  commitBytes?: number;
  /** How long the run's lease lasts without renewal (default 60 s); a test shortens it. */
  leaseMs?: number;
}

/** Where a run is. `totalBytes` is null when reading stdin. */
export interface IngestProgress {
  sourcesDone: number;
  sourcesTotal: number;
  bytesRead: number;
  totalBytes: number | null;
  /** Records read so far. */
  records: number;
  seconds: number;
}

/** What a run did. `records = okRecords + failedRecords` always holds. */
export interface IngestSummary extends DeliveryStats {
  runId: string;
  /** The lake as named (`./lake`, `s3://bucket/prefix/`). */
  lake: string;
  /** Sources the inputs named, read or skipped. */
  inputs: number;
  /** Sources (files, objects, stdin) read by this run. */
  objectsRead: number;
  /** Sources skipped because the checkpoint has them (`--restart` reads them again). */
  objectsSkipped: number;
  /** Checkpoints written: after every `commitBytes` of input, and at the end. */
  commits: number;
  /** Killed earlier runs of the same inputs that this run cleaned up, and their files it deleted. */
  recoveredRuns: number;
  /**
   * Files whose size or modification time changed while they were read: their rows are in the lake
   * but they have no marker, so the next run reads them again (`events_unique` shows each event once).
   * Absent when there are none.
   */
  changedDuringRead?: string[];
  discardedFiles: number;
  inputBytes: number;
  seconds: number;
  recordsPerSecond: number;
}

/**
 * Ingests the inputs into the lake and returns the summary. Throws UserInputError for a missing or
 * unreadable input or lake (before anything is written), for a run of the same inputs that is alive
 * (after writing and withdrawing this run's record), and for a Parquet input or a source that fails
 * mid-read (after rolling this run back to its last commit: sources committed before stay in the
 * lake). Bad records never throw, they are counted and kept. Sources the lake's checkpoint has are
 * skipped unless `restart`; if the run is killed, the same call later goes on where it stopped and
 * stores no event twice.
 *
 * @example
 * const summary = await ingest({ inputs: ['events.ndjson.gz', 's3://archive/2024/'], lake: 's3://lake/events-lake/' });
 * console.log(summary.rows, summary.failed, summary.objectsSkipped);
 */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const runId = options.runId ?? newRunId(started);
  const lake = openIngestLake(options);
  try {
    const sources = await resolveSources(options.inputs, lake);
    await lake.sink.check();
    const hash = argsHash(options.inputs);
    const { run: live, recovery } = await startRun(
      lake.sink,
      newRecord(runId, hash, started),
      options.leaseMs,
    );
    try {
      const done = options.restart ? new Set<InputSource>() : await readDoneSources(lake.sink, sources);
      const toRead = sources.filter((s) => !done.has(s));
      const run = { options, lake, live, runId, clock, started };
      const delivered = toRead.length > 0 ? await readAll(run, toRead) : nothingRead();
      await live.end();
      const seconds = Math.max((clock() - started) / 1000, 0.001);
      return {
        runId,
        lake: lake.sink.location,
        ...delivered.stats,
        inputs: sources.length,
        objectsRead: toRead.length,
        objectsSkipped: done.size,
        commits: delivered.commits,
        recoveredRuns: recovery.runs,
        discardedFiles: recovery.deletedFiles,
        ...(delivered.changed.length > 0 ? { changedDuringRead: delivered.changed } : {}),
        inputBytes: delivered.bytesRead,
        seconds,
        recordsPerSecond: Math.round(delivered.stats.records / seconds),
      };
    } catch (error) {
      // A failure (not a kill) rolls back to the last commit here and now: the next run may name other
      // inputs (leaving out the file that failed), and would then never find this run's record.
      await live.stop();
      await recoverRuns(lake.sink, [live.record]).catch(() => undefined); // else a rerun does it
      throw error;
    }
  } finally {
    lake.close();
  }
}

/** A new run's record: nothing committed yet. */
function newRecord(runId: string, hash: string, started: number): RunRecord {
  return {
    runId,
    argsHash: hash,
    startedAt: new Date(started).toISOString(),
    commits: 0,
    committed: { parquetSeq: 0, errorSeq: 0 },
    finished: [],
  };
}

interface Run {
  options: IngestOptions;
  lake: IngestLake;
  live: LiveRun;
  runId: string;
  clock: () => number;
  started: number;
}

interface Delivered {
  stats: DeliveryStats;
  commits: number;
  bytesRead: number;
  changed: string[];
}

function nothingRead(): Delivered {
  const stats = { records: 0, okRecords: 0, failedRecords: 0, rows: 0, failed: {} };
  return {
    stats: { ...stats, files: 0, bytesWritten: 0, errorFiles: 0, errorBytes: 0 },
    commits: 0,
    bytesRead: 0,
    changed: [],
  };
}

/**
 * What runs the batches: the caller's transform in this thread; else a pool of workers; else, with
 * `workers: 0`, this thread on the chosen path.
 */
function batchRunner(options: IngestOptions, includeRaw: boolean, transform: LocalTransform): BatchRunner {
  if (options.transform) return inProcessRunner(transform);
  const path = options.path ?? 'direct';
  const workers = options.workers ?? defaultWorkerCount();
  if (workers > 0)
    return new HandlerPool(workers, { includeRaw, pii: options.pii, writes: options.workerWrites, path });
  return path === 'handler' ? inProcessRunner(transform) : directRunner({ includeRaw, pii: options.pii });
}

async function readAll(run: Run, sources: readonly InputSource[]): Promise<Delivered> {
  const includeRaw = run.options.includeRaw ?? true;
  const transform =
    run.options.transform ??
    (await import('./local-transform')).defaultTransform({ includeRaw, pii: run.options.pii });
  const runner = batchRunner(run.options, includeRaw, transform);
  try {
    return await deliver(run, sources, transform, runner);
  } finally {
    await runner.close();
  }
}

/**
 * A Firehose object's name carries its records' arrival time; otherwise it is unknown (null),
 * never the wall clock, so a re-run gives identical rows.
 */
function arrivalOf(source: InputSource): number | null {
  if (source.kind === 'file') return arrivalFromObjectName(source.path);
  return source.kind === 's3' ? arrivalFromObjectName(source.key) : null;
}

async function deliver(
  run: Run,
  sources: readonly InputSource[],
  transform: LocalTransform,
  runner: BatchRunner,
): Promise<Delivered> {
  const { options, runId, clock, live } = run;
  const sink = run.lake.sink;
  const record = live.record;
  const changed: string[] = [];
  const tally = new SourceTally();
  const delivery = new LakeDelivery({
    sink: live.recordingSink(),
    runId,
    runStartedAt: run.started,
    transform,
    runner: tally.counting(runner),
    bufferLimits: options.bufferLimits,
  });
  const batcher = new Batcher(options.batchLimits ?? DEFAULT_BATCH_LIMITS);
  const commitBytes = options.commitBytes ?? DEFAULT_COMMIT_BYTES;
  const progress: IngestProgress = {
    sourcesDone: 0,
    sourcesTotal: sources.length,
    bytesRead: 0,
    totalBytes: sources.some((s) => s.kind === 'stdin')
      ? null
      : sources.reduce((n, s) => n + (s.kind === 'stdin' ? 0 : s.size), 0),
    records: 0,
    seconds: 0,
  };
  const report = () => {
    progress.seconds = (clock() - run.started) / 1000;
    options.onProgress?.(progress);
  };

  let pending: number[] = [];
  let sinceCommit = 0;

  /** Publishes everything read so far, then checkpoints the sources it came from. */
  const commit = async () => {
    const last = batcher.flush();
    if (last) await delivery.deliver(last);
    await delivery.flush();
    await live.assertHeld();
    const now = clock();
    record.committed = { parquetSeq: delivery.lastPublishedFileSeq, errorSeq: delivery.stats.errorFiles };
    record.finished = pending.flatMap((i) => {
      const source = sources[i];
      const key = markerKey(source);
      return key === null || source.kind === 'stdin'
        ? []
        : [{ key, marker: sourceMarker(source, runId, now, tally.of(i)) }];
    });
    await live.commit(); // the commit point
    await writeMarkers(sink, record.finished);
    for (const i of pending) tally.forget(i);
    pending = [];
    sinceCommit = 0;
  };

  const add = async (data: Buffer, arrivalTime: number | null, source: number) => {
    const tagged: TaggedRecord = { data, arrivalTime, source };
    progress.records += 1;
    const batch = batcher.add(tagged);
    if (batch) await delivery.deliver(batch);
  };
  const onBytes = (n: number) => {
    progress.bytesRead += n;
    sinceCommit += n;
    report();
  };
  const openS3 = run.lake.openS3;
  /** Reads every source, committing after every `commitBytes` of input and at the end. */
  const readSources = async (): Promise<void> => {
    for (const [i, source] of sources.entries()) {
      const arrivalTime = arrivalOf(source);
      // Every record keeps its exact bytes: the handler judges UTF-8 validity and size itself, as on
      // AWS. The splitter's cut only bounds memory, so it is set at twice the record limit.
      const splitter = new JsonRecordSplitter({ maxRecordBytes: 2 * MAX_RECORD_BYTES });
      for await (const chunk of readChunks(source, { stdin: options.stdin, onBytes, openS3 })) {
        for (const piece of splitter.push(chunk)) await add(piece, arrivalTime, i);
      }
      for (const piece of splitter.end()) await add(piece, arrivalTime, i);
      if (await changedSince(source)) changed.push(sourceLabel(source));
      else pending.push(i);
      progress.sourcesDone += 1;
      report();
      if (sinceCommit >= commitBytes) await commit();
    }
    if (pending.length > 0) await commit();
  };

  try {
    await readSources();
  } catch (error) {
    await delivery.abandon(); // then ingest() rolls back to the last commit
    throw error;
  }
  return { stats: delivery.stats, commits: record.commits, bytesRead: progress.bytesRead, changed };
}

/**
 * True when a file's size or modification time is not what it was when listed: what was read may be
 * neither the old content nor the new, so it must not be marked done under either identity.
 */
async function changedSince(source: InputSource): Promise<boolean> {
  if (source.kind !== 'file') return false;
  const now = await stat(source.path).catch(() => null);
  return now === null || now.size !== source.size || now.mtimeMs !== source.mtimeMs;
}
