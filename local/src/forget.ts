/**
 * `forget`: removes every stored row about one person (an erasure request under GDPR article 17 or
 * the CCPA) from a folder lake or an S3 lake, and the person's records from the error output.
 * The person's rows are those `endpoint_access` returns (forget-find.ts); each Parquet file holding
 * some is rewritten without them as forget-file.ts describes. It holds compaction's lock or lease,
 * so it never runs beside `compact` (or another `forget`), and it first finishes what a killed
 * compaction or forget journaled. `dryRun` reports the same counts and writes nothing.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { listPartitions, recover } from './compact';
import { openCompactionStore, type CompactionStore } from './compact-store';
import { scrubErrors } from './forget-errors';
import { countRows, loadIds, rewriteFile, type ForgetHooks } from './forget-file';
import { checkSubject, findSubjectRows, localCopy } from './forget-find';
import { hashPii } from '../../transform/src/pii';
import { isS3Url } from './s3';
import { newRunId } from './run-id';

export interface ForgetOptions extends ForgetHooks {
  /** Endpoint id, user id, email address or phone number, as `endpoint_access` matches it. */
  subject: string;
  /** A lake folder, or `s3://bucket/prefix/`. */
  lake: string;
  s3Endpoint?: string;
  dryRun?: boolean;
  /** S3 only: how long the lease holds without renewal (default 60 s). */
  leaseMs?: number;
  /**
   * The `pii: hash` key, when rows were written hashed: the subject's hash is looked for too, so
   * an erasure request given the plain address finds the rows that hold only its hash.
   */
  piiKey?: Uint8Array;
}

/** One Parquet file that held the person's rows. */
export interface ForgottenFile {
  /** The file as `describe` names it (a path or an s3:// URL). */
  file: string;
  rowsBefore: number;
  rowsRemoved: number;
}

export interface ForgetSummary {
  dryRun: boolean;
  /** Interrupted compactions or forgets finished first. */
  recovered: number;
  /** Parquet files rewritten or deleted (in a dry run: that would be). */
  files: ForgottenFile[];
  /** Rows removed from the lake's events. */
  rows: number;
  /** Error-output objects changed, and records removed from them. */
  errorFiles: number;
  errorRecords: number;
  /** One line each: what is left for a later run (rows in files an unfinished ingest will delete). */
  notes: string[];
  seconds: number;
}

/**
 * Forgets one person in the lake.
 *
 * @throws UserInputError for a blank subject, a bad S3 location, no lake, or a compaction running
 * @example
 * await forgetSubject({ subject: 'ana@example.com', lake: 'lake' });
 * // { files: [{ file: 'lake/events/…', rowsBefore: 400, rowsRemoved: 3 }], rows: 3, errorRecords: 1, ... }
 */
export async function forgetSubject(options: ForgetOptions): Promise<ForgetSummary> {
  const started = performance.now();
  const subject = checkSubject(options.subject);
  const store = openCompactionStore(options.lake, { endpoint: options.s3Endpoint });
  try {
    await store.check();
    const runId = newRunId();
    if (options.dryRun) return finish(await run(store, runId, subject, options), started);
    const lock = await store.lock(runId, options.leaseMs);
    try {
      return finish(await run(store, runId, subject, options, () => lock.assertHeld()), started);
    } finally {
      await lock.release();
    }
  } finally {
    store.close();
  }
}

function finish(summary: ForgetSummary, started: number): ForgetSummary {
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Finishes (or undoes) what killed compactions and forgets journaled, as compact does first; returns how many. */
async function finishInterrupted(store: CompactionStore): Promise<number> {
  let recovered = 0;
  for (const partition of await listPartitions(store.sink, {}))
    for (const journal of partition.journals) {
      await recover(store, partition, journal);
      recovered++;
    }
  await store.removeLeftovers({});
  return recovered;
}

/** Without `assertHeld` (a dry run): reads only. */
async function run(
  store: CompactionStore,
  runId: string,
  subject: string,
  options: ForgetOptions,
  assertHeld?: () => Promise<void>,
): Promise<ForgetSummary> {
  const dryRun = assertHeld === undefined;
  const summary: ForgetSummary = {
    dryRun,
    recovered: 0,
    files: [],
    rows: 0,
    errorFiles: 0,
    errorRecords: 0,
    notes: [],
    seconds: 0,
  };
  if (!dryRun) summary.recovered = await finishInterrupted(store);
  const partitions = await listPartitions(store.sink, {});
  const copy = await localCopy(options.lake, store, partitions, isS3Url(options.lake));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // A lake whose every row was forgotten has no Parquet file left for the query to open.
    const empty = partitions.every((p) => p.files.length === 0);
    const forms = options.piiKey ? [subject, hashPii(options.piiKey, subject)] : [subject];
    const found = empty ? { byPartition: new Map(), rows: 0 } : await findSubjectRows(copy.dir, forms);
    let n = 0;
    for (const partition of partitions) {
      const ids = found.byPartition.get(partition.prefix);
      if (!ids) continue;
      await loadIds(connection, ids);
      for (const file of partition.files) {
        const input = join(copy.dir, file.key);
        const { rows, matching } = await countRows(connection, input);
        if (matching === 0) continue;
        summary.files.push({ file: store.describe(file.key), rowsBefore: rows, rowsRemoved: matching });
        summary.rows += matching;
        if (dryRun) continue;
        await assertHeld();
        const name = `${runId}F${++n}`;
        await rewriteFile(
          store,
          connection,
          { key: file.key, input, name, expected: rows - matching },
          options,
        );
      }
    }
    if (found.rows > summary.rows)
      summary.notes.push(
        `${found.rows - summary.rows} of the person's rows are in files an unfinished ingest published after its last checkpoint; rerun that ingest, then forget again`,
      );
  } finally {
    connection.closeSync();
    instance.closeSync();
    await copy.dispose();
  }
  const errors = await scrubErrors(store.sink, subject, dryRun);
  summary.errorFiles = errors.files;
  summary.errorRecords = errors.records;
  return summary;
}
