/**
 * `compact`: rewrites each partition that holds several Parquet files, or one not yet compacted,
 * into one file in the compacted layout, in a folder lake or an S3 lake. Every ingest run, every
 * `serve` flush and every Firehose buffer interval (96 objects a partition a day at 900 s) adds
 * files; a query opens each one, so at thousands of small files the file count, not the data, sets
 * the query time (measured in bench/queries.ts).
 *
 * A run first finishes (or undoes) compactions that a killed run left journaled, then compacts each
 * partition as compact-partition.ts describes, several at once on S3. Between publishing a
 * partition's new file and deleting its old ones (or until the next run, after a crash) its rows are
 * stored twice: `events_unique` hides that, queries over `events` count them twice. Only listed files
 * are deleted, so files that ingest, `serve` or Firehose publish meanwhile are kept.
 *
 * The new file is written by DuckDB, not by the ingest's Arrow writer: the columns and their types as
 * DuckDB reads them stay the same (tested), timestamps are stored in microseconds instead of
 * milliseconds.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EngagementLakeError } from '../../transform/src/errors';
import { checkConcurrency, checkDayRange, forEachLimit, inDayRange, type DayRange } from './compact-plan';
import { compactPartition, readJournal, type CompactHooks } from './compact-partition';
import { ObjectGoneError, openCompactionStore, type CompactionStore } from './compact-store';
import { COMPACTED_SUFFIX, groupPartitions, type LakePartition } from './lake-layout';
import type { LakeObject, LakeSink } from './lake-sink';
import { isUncommitted, readRunRecords } from './run-record';
import { newRunId } from './run-id';

export interface CompactOptions extends CompactHooks {
  /** A lake folder, or `s3://bucket/prefix/`. */
  lake: string;
  /** First day to compact (`YYYY-MM-DD`, included); default: the first there is. */
  from?: string;
  /** Last day to compact (`YYYY-MM-DD`, included); default: the last there is. */
  to?: string;
  /** An S3-compatible endpoint for an s3:// lake (`--s3-endpoint`). */
  s3Endpoint?: string;
  /** Partitions compacted at once (default: 4 on S3, 1 for a folder, where DuckDB already uses every core). */
  concurrency?: number;
  /** S3 only: how long the lock object holds without renewal (default 60 s; a killed run's lock lapses within it). */
  leaseMs?: number;
  /** Test seam: runs before a partition's files are read, with the partition as `describe` names it. */
  beforeStage?: (partition: string) => void | Promise<void>;
}

export interface CompactSummary {
  /** Partitions in the lake (in the --from/--to range). */
  partitions: number;
  /** Partitions rewritten into one file by this run. */
  compacted: number;
  /** Interrupted compactions found and finished (or undone, when their new file was never published). */
  recovered: number;
  /** Partitions left as they were because another compaction changed them meanwhile. */
  skipped: number;
  /** Why partitions were skipped, one line each (e.g. an object removed after the listing). */
  notes: string[];
  filesBefore: number;
  filesAfter: number;
  /** Rows in the rewritten partitions. */
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
  seconds: number;
}

/**
 * Compacts every partition of the lake (in the day range) that has two or more Parquet files, or
 * one that no compaction wrote, after finishing any compaction that was interrupted. On the first
 * partition that fails, no new partition starts; those already running finish; the error names the
 * partition and what state it is in.
 *
 * @throws UserInputError for a bad day range, concurrency or S3 location, when there is no lake, or
 * another compaction holds its lock
 * @throws EngagementLakeError when a partition cannot be rewritten (disk full, a damaged file)
 * @example
 * const summary = await compactLake({ lake: 's3://my-lake/', from: '2026-11-01', to: '2026-11-30' });
 * // { partitions: 300, compacted: 300, filesBefore: 28800, filesAfter: 300, ... }
 */
export async function compactLake(options: CompactOptions): Promise<CompactSummary> {
  const started = performance.now();
  const range = checkDayRange(options);
  const store = openCompactionStore(options.lake, { endpoint: options.s3Endpoint });
  try {
    const concurrency = checkConcurrency(options.concurrency ?? store.defaultConcurrency);
    await store.check();
    const runId = newRunId();
    const lock = await store.lock(runId, options.leaseMs);
    try {
      const summary = await run(store, runId, range, concurrency, async () => lock.assertHeld(), options);
      summary.seconds = (performance.now() - started) / 1000;
      return summary;
    } finally {
      await lock.release();
    }
  } finally {
    store.close();
  }
}

async function run(
  store: CompactionStore,
  runId: string,
  range: DayRange,
  concurrency: number,
  assertHeld: () => Promise<void>,
  hooks: CompactOptions,
): Promise<CompactSummary> {
  const summary: CompactSummary = {
    partitions: 0,
    compacted: 0,
    recovered: 0,
    skipped: 0,
    notes: [],
    filesBefore: 0,
    filesAfter: 0,
    rows: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    seconds: 0,
  };
  for (const partition of await listPartitions(store.sink, range)) {
    for (const journal of partition.journals) {
      await recover(store, partition, journal);
      summary.recovered++;
    }
  }
  await store.removeLeftovers(range);
  const partitions = await listPartitions(store.sink, range);
  for (const partition of partitions) {
    summary.partitions++;
    summary.filesBefore += partition.files.length;
    if (!needsCompaction(partition)) summary.filesAfter += partition.files.length;
  }
  const instance = await DuckDBInstance.create(':memory:');
  const idle: DuckDBConnection[] = [];
  try {
    await forEachLimit(partitions.filter(needsCompaction), concurrency, async (partition) => {
      await assertHeld();
      const connection = idle.pop() ?? (await instance.connect());
      try {
        await hooks.beforeStage?.(store.describe(partition.prefix));
        const result = await compactPartition(store, connection, partition, runId, hooks).catch(
          (error: unknown) => goneObject(error, summary) ?? Promise.reject(error),
        );
        if (!result.compacted) {
          summary.skipped++;
          summary.filesAfter += partition.files.length;
          return;
        }
        summary.compacted++;
        summary.filesAfter++;
        summary.rows += result.rows;
        summary.bytesBefore += result.bytesBefore;
        summary.bytesAfter += result.bytesAfter;
      } finally {
        idle.push(connection);
      }
    });
  } finally {
    for (const connection of idle) connection.closeSync();
    instance.closeSync();
  }
  return summary;
}

/**
 * Whether a partition is worth rewriting: several files (each one a query opens), or a lone file
 * that an ingest, `serve` or Firehose wrote. A lake loaded by one big ingest has one file a
 * partition, and only a rewrite gives it the compacted layout (sorted rows, zstd 9: about a fifth
 * fewer bytes, ADR 0006). A file compaction wrote is left alone, so a second run changes nothing.
 */
function needsCompaction(partition: LakePartition): boolean {
  const [first, ...others] = partition.files;
  return others.length > 0 || (first !== undefined && !first.key.endsWith(COMPACTED_SUFFIX));
}

/**
 * A partition whose staging found a listed object gone is left as it was, with a note: its files
 * are unchanged (nothing was journaled yet), and the next run lists it afresh. Null for any other error.
 */
function goneObject(error: unknown, summary: CompactSummary): { compacted: false } | null {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof ObjectGoneError) {
      summary.notes.push(
        `${e.location} was removed after the listing (another compaction or a lifecycle rule): its partition is unchanged; rerun compact to compact it`,
      );
      return { compacted: false };
    }
  }
  return null;
}

/**
 * The lake's partitions in the day range, from one listing of `events/`. Files an unfinished
 * `ingest` published after its last checkpoint are left out: its recovery deletes them by name and
 * reads their sources again, so merged into a compacted file their rows would be stored twice.
 */
export async function listPartitions(sink: LakeSink, range: DayRange): Promise<LakePartition[]> {
  const runs = new Map((await readRunRecords(sink)).map((record) => [record.runId, record]));
  const objects: LakeObject[] = [];
  for await (const object of sink.list('events/')) if (!isUncommitted(object.key, runs)) objects.push(object);
  return groupPartitions(objects).filter((p) => inDayRange(p.day, range));
}

/**
 * Finishes an interrupted compaction. A journal is written only once the new file is complete, and
 * before it is published: if the new file is there (or, in a folder lake, still under its temporary
 * name), it replaces the old ones; if it is not, nothing was published or deleted, and the journal goes.
 */
export async function recover(
  store: CompactionStore,
  partition: LakePartition,
  journalKey: string,
): Promise<void> {
  const journal = await readJournal(store.sink, journalKey, store.describe(journalKey));
  if (journal === null) return; // another run finished it meanwhile
  const present = new Set(partition.files.map((f) => f.key));
  const newKey = `${partition.prefix}/${journal.file}`;
  const replaced = journal.replaces.map((name) => `${partition.prefix}/${name}`);
  if (!present.has(newKey) && !(await store.publishLeftover(newKey))) {
    if (replaced.some((key) => !present.has(key)))
      throw new EngagementLakeError(
        `the compaction journal ${store.describe(journalKey)} names ${journal.file}, which is missing, and some of the files it replaces are gone too; restore them from a backup, then delete the journal`,
      );
    await store.sink.delete([journalKey]); // nothing was published and nothing deleted
    return;
  }
  await store.sink.delete(replaced.filter((key) => present.has(key)));
  await store.sink.delete([journalKey]);
}
