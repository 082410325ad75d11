/**
 * One partition's compaction, the same for a folder lake and an S3 lake (the differences are in
 * compact-store.ts): DuckDB rewrites the partition's files into one file laid out for size
 * (COMPACTED_LAYOUT); the row count is checked against the files' footers; a journal naming the new
 * file and the files it replaces is written; the new file is published; the listed files are deleted; the journal is
 * deleted. The journal is written before the new file is published, so a published compacted file
 * always has a journal until its old files are gone, and the next run finishes or undoes the work.
 */
import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteString } from '../../queries/src/sql-tokens';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import type { CompactionStore, Staging } from './compact-store';
import { COMPACTED_SUFFIX, JOURNAL_PREFIX, type LakePartition } from './lake-layout';
import type { LakeSink } from './lake-sink';

/** What a journal records: the new file's name and the names of the files it replaces (in its partition). */
export interface Journal {
  readonly file: string;
  readonly replaces: string[];
}

/** Test seams: each runs with the partition as `describe` names it (a path or an s3:// URL). */
export interface CompactHooks {
  /** Runs after the journal is written, before the new file is published. */
  beforePublish?: (partition: string) => void | Promise<void>;
  /** Runs after the new file is published, before the old files are deleted. */
  beforeDelete?: (partition: string) => void | Promise<void>;
}

export type PartitionResult =
  | { compacted: true; rows: number; bytesBefore: number; bytesAfter: number }
  /** Another compaction changed the partition while we rewrote it: left as it was. */
  | { compacted: false };

/**
 * Compacts one partition (several files, or one not yet compacted). Throws EngagementLakeError (one
 * line, naming the partition) when it cannot, saying whether its files are unchanged or the next
 * run must finish it.
 */
export async function compactPartition(
  store: CompactionStore,
  connection: DuckDBConnection,
  partition: LakePartition,
  runId: string,
  hooks: CompactHooks = {},
): Promise<PartitionResult> {
  const where = store.describe(partition.prefix);
  const newName = `part-${runId}${COMPACTED_SUFFIX}`;
  const newKey = `${partition.prefix}/${newName}`;
  const journalKey = `${partition.prefix}/${JOURNAL_PREFIX}${runId}.json`;
  const oldKeys = partition.files.map((f) => f.key);
  let staging: Staging | undefined;
  let step: 'rewrite' | 'journaled' | 'published' = 'rewrite';
  try {
    staging = await store.stage(partition.files, newKey);
    const rows = await rewrite(connection, staging, where);
    await staging.seal();
    if (!(await unchangedSinceListing(store.sink, partition))) return { compacted: false };
    const journal: Journal = {
      file: newName,
      replaces: oldKeys.map((key) => key.slice(partition.prefix.length + 1)),
    };
    await store.sink.put(journalKey, Buffer.from(JSON.stringify(journal)));
    step = 'journaled';
    await store.settle(partition.prefix);
    await hooks.beforePublish?.(where);
    // Gone only if another run, overlapping despite the lock, undid it: leave the partition to that run.
    if ((await store.sink.get(journalKey)) === null) return { compacted: false };
    const bytesAfter = (await stat(staging.output)).size;
    await store.publish(staging.output, newKey);
    step = 'published';
    await hooks.beforeDelete?.(where);
    await store.sink.delete(oldKeys);
    await store.sink.delete([journalKey]);
    return {
      compacted: true,
      rows,
      bytesBefore: partition.files.reduce((n, f) => n + f.size, 0),
      bytesAfter,
    };
  } catch (error) {
    if (error instanceof RowCountError) throw error;
    throw await failure(store, error, { where, step, newKey, journalKey });
  } finally {
    await staging?.dispose();
  }
}

class RowCountError extends EngagementLakeError {}

/**
 * How a compacted file is laid out, chosen for bytes on S3 (bench/ingest.ts measures it; see
 * docs/decisions/adr-0006-storage-layout.md):
 * - rows ordered by recipient, then device, then time: one person's events, whose JSON shares ids,
 *   addresses and headers, sit together for zstd to find (event_id last, so the same input always
 *   gives the same file). Row order within a partition is no contract of the table.
 * - zstd level 9 rather than the default 3: most of the gain, for about twice the rewrite's CPU
 *   time; reading costs the same (zstd decompresses as fast at every level).
 */
export const COMPACTED_LAYOUT = {
  order: ['destination', 'endpoint_id', 'event_time', 'event_id'],
  copyOptions: 'format parquet, compression zstd, compression_level 9, row_group_size 65536',
} as const;

/** Rewrites the staged inputs into the output and checks the row count; returns the rows. */
async function rewrite(connection: DuckDBConnection, staging: Staging, where: string): Promise<number> {
  const fileList = `[${staging.inputs.map(quoteString).join(', ')}]`;
  const expected = await scalar(
    connection,
    `select coalesce(sum(num_rows), 0) from parquet_file_metadata(${fileList})`,
  );
  // hive_partitioning off: family and dt stay in the folder names.
  await connection.run(
    `copy (select * from read_parquet(${fileList}, hive_partitioning = false, union_by_name = true)
           order by ${COMPACTED_LAYOUT.order.join(', ')})
     to ${quoteString(staging.output)} (${COMPACTED_LAYOUT.copyOptions})`,
  );
  const written = await scalar(
    connection,
    `select count(*) from read_parquet(${quoteString(staging.output)})`,
  );
  if (written !== expected)
    throw new RowCountError(
      `compaction of ${where} wrote ${written} rows where its files hold ${expected}; its files are unchanged; rerun compact, and report it if it happens again`,
    );
  return expected;
}

/**
 * Whether every listed file is still there and no other compaction has journaled the partition
 * meanwhile. Two runs that overlap despite the lock then mostly leave each other's partitions alone.
 */
async function unchangedSinceListing(sink: LakeSink, partition: LakePartition): Promise<boolean> {
  const now = new Set<string>();
  for await (const object of sink.list(`${partition.prefix}/`)) now.add(object.key);
  const journaled = [...now].some((key) => key.slice(partition.prefix.length + 1).startsWith(JOURNAL_PREFIX));
  return !journaled && partition.files.every((f) => now.has(f.key));
}

/** The one-line error for a partition that failed at `step`, after undoing what can be undone. */
async function failure(
  store: CompactionStore,
  error: unknown,
  at: { where: string; step: 'rewrite' | 'journaled' | 'published'; newKey: string; journalKey: string },
): Promise<EngagementLakeError> {
  const cause = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const Kind = error instanceof UserInputError ? UserInputError : EngagementLakeError;
  let published = at.step === 'published';
  if (at.step === 'journaled') {
    // The publish may have completed even if we did not hear so (a lost response): look.
    try {
      published = await exists(store.sink, at.newKey);
      if (!published) await store.sink.delete([at.journalKey]);
    } catch {
      return new Kind(
        `compaction of ${at.where} stopped after writing its journal: ${cause}; fix that and rerun compact, which finishes or undoes it`,
        { cause: error },
      );
    }
  }
  if (published)
    return new Kind(
      `compaction of ${at.where} stopped after publishing its new file: ${cause}; fix that and rerun compact to finish it`,
      { cause: error },
    );
  return new Kind(
    `compaction of ${at.where} failed, its files are unchanged: ${cause}; fix that (disk space, permissions, or move a damaged file out of the lake) and rerun compact`,
    { cause: error },
  );
}

async function exists(sink: LakeSink, key: string): Promise<boolean> {
  for await (const object of sink.list(key)) if (object.key === key) return true;
  return false;
}

/**
 * Reads a journal. Null when it is gone (another run finished it).
 *
 * @throws EngagementLakeError naming the journal when it is unreadable
 */
export async function readJournal(sink: LakeSink, key: string, where: string): Promise<Journal | null> {
  const bytes = await sink.get(key);
  if (bytes === null) return null;
  try {
    const journal = JSON.parse(Buffer.from(bytes).toString('utf8')) as Journal;
    const name = (n: unknown) => typeof n === 'string' && n !== '' && !n.includes('/') && !n.startsWith('.');
    if (name(journal.file) && Array.isArray(journal.replaces) && journal.replaces.every(name)) return journal;
  } catch {
    // reported below
  }
  throw new EngagementLakeError(
    `the compaction journal ${where} is unreadable; it should name the new file of its partition and the files that file replaces: check them, then delete the journal and rerun compact`,
  );
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0][0]);
}
