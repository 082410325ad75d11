/**
 * Who a person is, for `forget`: exactly the rows the saved query `endpoint_access` returns for the
 * subject, run through the same local DuckDB runner as `query`. Nothing here knows which columns
 * identify a person, so a change to that query changes what `forget` removes too.
 */
import { dirname, join } from 'node:path';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { loadSavedQueries } from '../../queries/src/catalog';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../queries/src/params';
import { UserInputError } from '../../transform/src/errors';
import { forEachLimit } from './compact-plan';
import type { CompactionStore } from './compact-store';
import type { LakePartition } from './lake-layout';

/** The saved query that defines the person. */
const QUERY = 'endpoint_access';
/** The whole lake, whatever its days: the query's own default ends tomorrow. */
const WHOLE_LAKE = { start: '1900-01-01', end: '9999-12-31' };

/** The person's rows: per partition prefix (`events/family=…/dt=…`), the event ids to remove. */
export interface SubjectRows {
  readonly byPartition: Map<string, Set<string>>;
  /** Rows `endpoint_access` returned (redelivered copies counted as stored). */
  readonly rows: number;
}

/**
 * Checks `--subject`: one non-blank value. It is bound as a query parameter, never spliced.
 *
 * @throws UserInputError for a blank subject
 */
export function checkSubject(subject: string | undefined): string {
  const text = (subject ?? '').trim();
  if (text === '')
    throw new UserInputError('--subject needs an endpoint id, user id, email address or phone number');
  return text;
}

/**
 * Runs `endpoint_access` for each form of the subject (as given, and hashed where the lake hashes)
 * over a local lake folder and groups the rows by partition.
 *
 * @example
 * const found = await findSubjectRows('lake', ['ana@example.com']); // { rows: 12, byPartition: Map {...} }
 */
export async function findSubjectRows(lakeDir: string, forms: readonly string[]): Promise<SubjectRows> {
  const query = loadSavedQueries().find((q) => q.name === QUERY);
  if (!query) throw new Error(`the saved query ${QUERY} is missing`);
  const lake = await openLocalLake(lakeDir, { views: [], confine: true });
  try {
    // The saved text as it is, wrapped: only the keys of its rows are needed here.
    const sql = `select family, dt, event_id from (${query.body.trim().replace(/;$/, '')})`;
    const byPartition = new Map<string, Set<string>>();
    let found = 0;
    for (const subject of forms) {
      const params = resolveParams(query, new Map(Object.entries({ subject, ...WHOLE_LAKE })), new Date());
      const { rows } = await lake.run(sql, bindValues(query, params));
      found += rows.length;
      for (const row of rows) {
        const prefix = `events/family=${String(row.family)}/dt=${String(row.dt)}`;
        let ids = byPartition.get(prefix);
        if (!ids) byPartition.set(prefix, (ids = new Set()));
        ids.add(String(row.event_id));
      }
    }
    return { byPartition, rows: found };
  } finally {
    lake.close();
  }
}

/** A local folder holding the lake's Parquet files under their keys, and how to remove it. */
export interface LocalCopy {
  readonly dir: string;
  dispose(): Promise<void>;
}

/**
 * Where DuckDB can read the listed partitions: a folder lake in place; an S3 lake downloaded (by the
 * store, as compact does) into a temporary folder under the same keys, since DuckDB reads only local files here.
 */
export async function localCopy(
  lake: string,
  store: CompactionStore,
  partitions: readonly LakePartition[],
  isS3: boolean,
): Promise<LocalCopy> {
  if (!isS3) return { dir: lake, dispose: () => Promise.resolve() };
  const dir = await mkdtemp(join(tmpdir(), 'engagement-lake-forget-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await forEachLimit(partitions, store.defaultConcurrency, async (partition) => {
      const staging = await store.stage(partition.files, `${partition.prefix}/unused`);
      try {
        for (let i = 0; i < partition.files.length; i++) {
          const path = join(dir, partition.files[i].key);
          await mkdir(dirname(path), { recursive: true });
          await rename(staging.inputs[i], path);
        }
      } finally {
        await staging.dispose();
      }
    });
    return { dir, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
