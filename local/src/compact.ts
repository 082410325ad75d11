/**
 * `compact`: rewrites each partition that holds several Parquet files into one. Every ingest run and
 * every `serve` flush adds files; a query opens each one, so at thousands of small files the file
 * count, not the data, sets the query time (measured in bench/queries.ts).
 *
 * Per partition: DuckDB copies the files, in name order, into one zstd file under a temporary name;
 * the row count is checked against the files' footers; a journal naming the new file and the files
 * it replaces is written; the new file is renamed into place; the old files are deleted; the journal
 * is deleted. A crash at any step is finished (or rolled back) by the next `compact`: the journal is
 * kept until the old files are gone. Between the rename and the deletes a reader sees both copies,
 * which `events_unique` already hides (they have the same event ids).
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, readFile, rm, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { quoteString } from '../../queries/src/sql-tokens';
import { JOURNAL_PREFIX, readLakeLayout, type PartitionFiles } from './lake-layout';
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
  /** Interrupted compactions found and finished or rolled back. */
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

const LOCK_NAME = '.compact.lock';

/**
 * Compacts every partition of the lake that has two or more Parquet files.
 *
 * @throws UserInputError when the lake has no events folder, or another compaction holds its lock
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
  const releaseLock = await takeLock(options.lake);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Output rows in input order (the files' own order), the order a reader saw before.
    await connection.run('set preserve_insertion_order = true');
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
    const runId = newRunId();
    for (const partition of readLakeLayout(options.lake)) {
      summary.partitions++;
      summary.filesBefore += partition.files.length;
      if (partition.files.length < 2) {
        summary.filesAfter += partition.files.length;
        continue;
      }
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
    connection.closeSync();
    instance.closeSync();
    await releaseLock();
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
  const expected = await scalar(
    connection,
    `select coalesce(sum(num_rows), 0) from parquet_file_metadata(${fileList})`,
  );
  const finalName = `part-${runId}-compacted.parquet`;
  const finalPath = join(partition.dir, finalName);
  const tempPath = tempPathFor(finalPath);
  try {
    // hive_partitioning off: family and dt stay in the folder names, not in the file.
    await connection.run(
      `copy (select * from read_parquet(${fileList}, hive_partitioning = false, union_by_name = true))
       to ${quoteString(tempPath)} (format parquet, compression zstd, row_group_size 65536)`,
    );
    const written = await scalar(connection, `select count(*) from read_parquet(${quoteString(tempPath)})`);
    if (written !== expected)
      throw new EngagementLakeError(
        `compaction of ${partition.dir} wrote ${written} rows, expected ${expected}; the old files are kept`,
      );
    await syncFile(tempPath);
    const journal: Journal = { file: finalName, replaces: partition.files };
    const journalPath = join(partition.dir, `${JOURNAL_PREFIX}${runId}.json`);
    await writeFileAtomic(journalPath, Buffer.from(JSON.stringify(journal)));
    await options.beforePublish?.(partition.dir);
    await rename(tempPath, finalPath);
    await options.beforeDelete?.(partition.dir);
    const bytesBefore = await deleteReplaced(partition.dir, journal.replaces);
    await unlink(journalPath);
    return { rows: expected, bytesBefore, bytesAfter: (await stat(finalPath)).size };
  } catch (error) {
    // Not yet published: the old files are intact, drop the partial output.
    if (!existsSync(finalPath)) await rm(tempPath, { force: true });
    throw error;
  }
}

/** Finishes an interrupted compaction (new file published) or rolls it back (not published). */
async function recover(dir: string, journalName: string): Promise<void> {
  const journalPath = join(dir, journalName);
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
  const finalPath = join(dir, journal.file);
  if (existsSync(finalPath)) await deleteReplaced(dir, journal.replaces);
  else await rm(tempPathFor(finalPath), { force: true });
  await unlink(journalPath);
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
 * One compaction per lake at a time: two would each rewrite the same files and duplicate them.
 * The lock file holds the owner's pid; a lock whose process is gone (a crash) is taken over.
 */
async function takeLock(lake: string): Promise<() => Promise<void>> {
  const lockPath = join(lake, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (isRunning(owner))
        throw new UserInputError(
          `another compaction (pid ${owner}) is running on '${lake}'; wait for it to finish`,
        );
      await rm(lockPath, { force: true });
    }
  }
  throw new UserInputError(`could not lock '${lake}' for compaction; remove ${lockPath} and retry`);
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** DuckDB's COPY does not promise the bytes are on disk; the rename must not publish a hole. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0][0]);
}
