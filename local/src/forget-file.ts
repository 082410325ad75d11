/**
 * One Parquet file rewritten without a person's rows, in the order `compact` uses (ADR 0004/0005):
 * the new file is written and checked, a journal naming it and the file it replaces is written,
 * the new file is published, the old one deleted, then the journal. The journal has compact's name
 * and format, so the next `forget` or `compact` finishes a killed rewrite with compact's recovery.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteString } from '../../queries/src/sql-tokens';
import { EngagementLakeError } from '../../transform/src/errors';
import type { CompactionStore } from './compact-store';
import { COMPACTED_LAYOUT } from './compact-partition';
import { COMPACTED_SUFFIX, JOURNAL_PREFIX } from './lake-layout';

/** Test seams, as compact's: each runs with the file as `describe` names it. */
export interface ForgetHooks {
  /** Runs after the journal is written, before the new file is published. */
  beforePublish?: (file: string) => void | Promise<void>;
}

/** The table holding the event ids to remove from the current partition. */
export const IDS_TABLE = 'forget_ids';

/** Fills the ids table with one partition's ids (an appender: ids are data, never SQL). */
export async function loadIds(connection: DuckDBConnection, ids: Iterable<string>): Promise<void> {
  await connection.run(`create or replace table ${IDS_TABLE} (event_id varchar)`);
  const appender = await connection.createAppender(IDS_TABLE);
  for (const id of ids) {
    appender.appendVarchar(id);
    appender.endRow();
  }
  appender.closeSync();
}

/** Rows of a local Parquet file, and how many of them are the person's (ids table loaded). */
export async function countRows(
  connection: DuckDBConnection,
  path: string,
): Promise<{ rows: number; matching: number }> {
  const reader = await connection.runAndReadAll(
    `select count(*), count(*) filter (where event_id in (select event_id from ${IDS_TABLE}))
     from read_parquet(${quoteString(path)}, hive_partitioning = false)`,
  );
  const [rows, matching] = reader.getRows()[0];
  return { rows: Number(rows), matching: Number(matching) };
}

/**
 * Replaces the lake file `key` (read from the local `input`) with a copy without the ids table's
 * rows; deletes it outright when nothing else is left. `name` must be unique in its partition and
 * made of word characters, so a folder lake's leftover of it is recognised as compaction debris.
 */
export async function rewriteFile(
  store: CompactionStore,
  connection: DuckDBConnection,
  at: { key: string; input: string; name: string; expected: number },
  hooks: ForgetHooks,
): Promise<void> {
  const prefix = at.key.slice(0, at.key.lastIndexOf('/'));
  if (at.expected === 0) {
    await store.sink.delete([at.key]); // one delete: atomic, nothing to journal
    return;
  }
  const newName = `part-${at.name}${COMPACTED_SUFFIX}`;
  const newKey = `${prefix}/${newName}`;
  const journalKey = `${prefix}/${JOURNAL_PREFIX}${at.name}.json`;
  const staging = await store.stage([], newKey);
  try {
    // Same scan and layout as compact's (partition keys left in the path): the file gets a
    // compacted file's name, so it must be one, or compact would never give it the layout.
    await connection.run(
      `copy (select * from read_parquet(${quoteString(at.input)}, hive_partitioning = false)
             where event_id is null or event_id not in (select event_id from ${IDS_TABLE})
             order by ${COMPACTED_LAYOUT.order.join(', ')})
       to ${quoteString(staging.output)} (${COMPACTED_LAYOUT.copyOptions})`,
    );
    const reader = await connection.runAndReadAll(
      `select count(*) from read_parquet(${quoteString(staging.output)})`,
    );
    const written = Number(reader.getRows()[0][0]);
    if (written !== at.expected)
      throw new EngagementLakeError(
        `forget wrote ${written} rows for ${store.describe(at.key)} where ${at.expected} should remain; the file is unchanged; rerun forget, and report it if it happens again`,
      );
    await staging.seal();
    const journal = { file: newName, replaces: [at.key.slice(prefix.length + 1)] };
    await store.sink.put(journalKey, Buffer.from(JSON.stringify(journal)));
    await store.settle(prefix);
    await hooks.beforePublish?.(store.describe(at.key));
    await store.publish(staging.output, newKey);
    await store.sink.delete([at.key]);
    await store.sink.delete([journalKey]);
  } finally {
    await staging.dispose();
  }
}
