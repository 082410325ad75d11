/**
 * `compact`: rewrites each partition that holds several Parquet files into one. Every ingest run and
 * every `serve` flush adds files; a query opens each one, so at thousands of small files the file
 * count, not the data, sets the query time (measured in bench/queries.ts).
 *
 * Per partition: DuckDB copies the files, in name order, into one zstd file under a temporary name;
 * the row count is checked against the files' footers and the file is synced; a journal naming the
 * new file and the files it replaces is written; the new file is renamed into place; the old files
 * are deleted; the journal is deleted. The journal exists only once the new file is complete, so the
 * next `compact` always rolls an interrupted one forward. Between the rename and the deletes (or
 * until that next run, after a crash) the partition's rows are stored twice: `events_unique` hides
 * that, queries over `events` count them twice.
 *
 * The new file is written by DuckDB, not by the ingest's Arrow writer: the columns and their types as
 * DuckDB reads them stay the same (tested), timestamps are stored in microseconds instead of
 * milliseconds.
 */
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { lock } from 'proper-lockfile';
import { quoteString } from '../../queries/src/sql-tokens';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { COMPACTED_SUFFIX, JOURNAL_PREFIX, readLakeLayout, type PartitionFiles } from './lake-layout';
import { tempPathFor, writeFileAtomic } from './parquet-writer';
import { newRunId } from './run-id';

export interface CompactOptions {
  lake: string;
  /** Test seam: runs after the journal is written, before the new file is published. */
  beforePublish?: (partitionDir: string) => void | Promise<void>;
  /** Test seam: runs after the new file is published, before the old files are deleted. */
  beforeDelete?: (partitionDir: string) => void | Promise<void>;
}

export interface CompactSummary {
  /** Partitions in the lake. */
  partitions: number;
  /** Partitions rewritten into one file by this run. */
  compacted: number;
  /** Interrupted compactions found and finished. */
  recovered: number;
  filesBefore: number;
  filesAfter: number;
  /** Rows in the rewritten partitions. */
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
  seconds: number;
}

/** What a journal records: the published name of the new file and the files it replaces. */
interface Journal {
  readonly file: string;
  readonly replaces: string[];
}

/** A lock not refreshed for this long belongs to a run that was killed, and is taken over. */
const LOCK_STALE_MS = 30_000;

/**
 * Compacts every partition of the lake that has two or more Parquet files, after finishing any
 * compaction that was interrupted. Stops at the first partition that fails, with its files as they were.
 *
 * @throws UserInputError when the lake has no events folder, or another compaction holds its lock
 * @throws EngagementLakeError when a partition cannot be rewritten (disk full, a damaged file)
 * @example
 * const summary = await compactLake({ lake: 'lake' });
 * // { partitions: 300, compacted: 300, filesBefore: 4119, filesAfter: 300, ... }
 */
export async function compactLake(options: CompactOptions): Promise<CompactSummary> {
  const started = performance.now();
  if (!existsSync(join(options.lake, 'events')))
    throw new UserInputError(
      `no lake at '${options.lake}': nothing to compact; pass the lake folder with --lake`,
    );
  const held = await takeLock(options.lake);
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  try {
    const summary: CompactSummary = {
      partitions: 0,
      compacted: 0,
      recovered: 0,
      filesBefore: 0,
      filesAfter: 0,
      rows: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      seconds: 0,
    };
    for (const partition of readLakeLayout(options.lake)) {
      for (const journal of partition.journals) {
        await recover(partition.dir, journal);
        summary.recovered++;
      }
    }
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    const runId = newRunId();
    for (const partition of readLakeLayout(options.lake)) {
      for (const name of partition.leftovers) await rm(join(partition.dir, name), { force: true });
      summary.partitions++;
      summary.filesBefore += partition.files.length;
      if (partition.files.length < 2) {
        summary.filesAfter += partition.files.length;
        continue;
      }
      held.assertHeld();
      const result = await compactPartition(connection, partition, runId, options);
      summary.compacted++;
      summary.filesAfter++;
      summary.rows += result.rows;
      summary.bytesBefore += result.bytesBefore;
      summary.bytesAfter += result.bytesAfter;
    }
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    await held.release();
  }
}

async function compactPartition(
  connection: DuckDBConnection,
  partition: PartitionFiles,
  runId: string,
  options: CompactOptions,
): Promise<{ rows: number; bytesBefore: number; bytesAfter: number }> {
  const paths = partition.files.map((name) => join(partition.dir, name));
  const fileList = `[${paths.map(quoteString).join(', ')}]`;
  const finalName = `part-${runId}${COMPACTED_SUFFIX}`;
  const finalPath = join(partition.dir, finalName);
  const tempPath = tempPathFor(finalPath);
  const journalPath = join(partition.dir, `${JOURNAL_PREFIX}${runId}.json`);
  try {
    const expected = await scalar(
      connection,
      `select coalesce(sum(num_rows), 0) from parquet_file_metadata(${fileList})`,
    );
    // A scan of a file list keeps the files' order and each file's row order (DuckDB's default
    // preserve_insertion_order). hive_partitioning off: family and dt stay in the folder names.
    await connection.run(
      `copy (select * from read_parquet(${fileList}, hive_partitioning = false, union_by_name = true))
       to ${quoteString(tempPath)} (format parquet, compression zstd, row_group_size 65536)`,
    );
    const written = await scalar(connection, `select count(*) from read_parquet(${quoteString(tempPath)})`);
    if (written !== expected)
      throw new EngagementLakeError(
        `compaction of ${partition.dir} wrote ${written} rows where its files hold ${expected}; its files are unchanged; rerun compact, and report it if it happens again`,
      );
    await syncPath(tempPath);
    const journal: Journal = { file: finalName, replaces: partition.files };
    await writeFileAtomic(journalPath, Buffer.from(JSON.stringify(journal)));
    await syncPath(partition.dir);
    await options.beforePublish?.(partition.dir);
    await rename(tempPath, finalPath);
    await syncPath(partition.dir);
    await options.beforeDelete?.(partition.dir);
    const bytesBefore = await deleteReplaced(partition.dir, journal.replaces);
    await unlink(journalPath);
    return { rows: expected, bytesBefore, bytesAfter: (await stat(finalPath)).size };
  } catch (error) {
    if (error instanceof EngagementLakeError) throw error;
    const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    if (existsSync(finalPath))
      throw new EngagementLakeError(
        `compaction of ${partition.dir} stopped after publishing its new file: ${cause}; fix that and rerun compact to finish it`,
        { cause: error },
      );
    // Not published: the old files are intact; drop the partial output and its journal.
    await rm(tempPath, { force: true });
    await rm(journalPath, { force: true });
    throw new EngagementLakeError(
      `compaction of ${partition.dir} failed, its files are unchanged: ${cause}; fix that (disk space, permissions, or move a damaged file out of the lake) and rerun compact`,
      { cause: error },
    );
  }
}

/**
 * Rolls an interrupted compaction forward: the journal exists only once the new file is complete and
 * synced, so the new file (published, or still under its temporary name) replaces the old ones.
 */
async function recover(dir: string, journalName: string): Promise<void> {
  const journalPath = join(dir, journalName);
  const journal = await readJournal(journalPath);
  const finalPath = join(dir, journal.file);
  const tempPath = tempPathFor(finalPath);
  if (!existsSync(finalPath)) {
    if (!existsSync(tempPath)) {
      if (journal.replaces.some((name) => !existsSync(join(dir, name))))
        throw new EngagementLakeError(
          `the compaction journal ${journalPath} names ${journal.file}, which is missing, and some of the files it replaces are gone too; restore them from a backup, then delete the journal`,
        );
      await unlink(journalPath); // nothing was published and nothing deleted
      return;
    }
    await rename(tempPath, finalPath);
    await syncPath(dir);
  }
  await deleteReplaced(dir, journal.replaces);
  await unlink(journalPath);
}

async function readJournal(path: string): Promise<Journal> {
  try {
    const journal = JSON.parse(await readFile(path, 'utf8')) as Journal;
    if (typeof journal.file === 'string' && Array.isArray(journal.replaces)) return journal;
  } catch {
    // reported below
  }
  throw new EngagementLakeError(
    `the compaction journal ${path} is unreadable; it should name the new file of its partition and the files that file replaces: check them, then delete the journal and rerun compact`,
  );
}

/** Deletes the replaced files that still exist; returns their total size. */
async function deleteReplaced(dir: string, names: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const name of names) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    bytes += (await stat(path)).size;
    await unlink(path);
  }
  return bytes;
}

/**
 * One compaction per lake at a time: two would each rewrite the same files and store them twice.
 * proper-lockfile keeps a lock folder fresh while we run; a killed run's lock goes stale and is taken over.
 */
async function takeLock(lake: string): Promise<{ release(): Promise<void>; assertHeld(): void }> {
  let lost: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lock(lake, {
      lockfilePath: join(lake, '.compact.lock'),
      realpath: false,
      stale: LOCK_STALE_MS,
      onCompromised: (error) => {
        lost = error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED')
      throw new UserInputError(
        `another compaction is running on '${lake}'; wait for it to finish (the lock of a killed run expires ${LOCK_STALE_MS / 1000} s after it stopped)`,
      );
    throw error;
  }
  return {
    release: () => (lost ? Promise.resolve() : release()),
    assertHeld() {
      if (lost)
        throw new EngagementLakeError(
          `lost the compaction lock on '${lake}' (${lost.message}); stopped before the next partition; rerun compact`,
        );
    },
  };
}

/** fsync a file (its bytes) or a folder (the names in it), so a crash cannot undo what follows. */
async function syncPath(path: string): Promise<void> {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync there
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0][0]);
}
