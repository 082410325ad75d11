/**
 * The run record: what makes a killed `ingest` safe to start again. The delivery engine publishes
 * Parquet and error files whenever its buffers fill, so a run killed between two commits leaves
 * files holding rows of sources that have no marker yet; reading those sources again would store
 * their events twice. Each run therefore keeps `_ingested/runs/<args hash>/<run id>.json` up to date:
 *
 * - written before the first data file, with nothing committed;
 * - rewritten at each commit, once every row read so far is published: it names the last Parquet
 *   and error sequence numbers committed, and the markers of the sources this commit finished. That
 *   one PUT is the commit: the markers are written after it, and written again by a recovery;
 * - deleted at the run's clean end.
 *
 * A record left behind belongs to a run that died. The next run with the same inputs (same args
 * hash) writes its markers, deletes its files numbered after its last commit, then the record.
 * Runs with other inputs leave it alone: they may be running right now.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { LEDGER_PREFIX, writeMarkers, type SourceMarker } from './ledger';
import { FolderSink, type LakeSink } from './lake-sink';
import { tempPathFor } from './parquet-writer';

const RUNS_PREFIX = `${LEDGER_PREFIX}runs/`;

/** The last files a run committed: every `part-<runId>-<n>` at or below these is complete. */
export interface CommittedFiles {
  /** Highest sequence number of the run's committed Parquet files (`events/…/part-<runId>-<n>.parquet`). */
  parquetSeq: number;
  /** Highest sequence number of its committed error files (`errors/…/part-<runId>-<n>.ndjson`). */
  errorSeq: number;
}

export interface RunRecord {
  runId: string;
  /** Hash of the run's inputs: a rerun of the same command finds its predecessor's record. */
  argsHash: string;
  startedAt: string;
  commits: number;
  committed: CommittedFiles;
  /** Markers of the sources the last commit finished (the earlier ones are in the lake already). */
  finished: { key: string; marker: SourceMarker }[];
}

/**
 * Hash of the inputs as the run resolves them (paths made absolute). The lake is not part of it:
 * the record lives in the lake. Options are not either: whatever they were, a dead run's
 * uncommitted files must go.
 */
export function argsHash(inputs: readonly string[]): string {
  const normalised = inputs.map((input) =>
    input === '-' || input.startsWith('s3://') ? input : resolve(input),
  );
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex').slice(0, 16);
}

function recordKey(argsHash: string, runId: string): string {
  return `${RUNS_PREFIX}${argsHash}/${runId}.json`;
}

/** Publishes the record (the commit point of a run). */
export async function writeRunRecord(sink: LakeSink, record: RunRecord): Promise<void> {
  await sink.put(recordKey(record.argsHash, record.runId), Buffer.from(`${JSON.stringify(record)}\n`));
}

/** Removes the record at a run's clean end. */
export async function removeRunRecord(sink: LakeSink, record: RunRecord): Promise<void> {
  await sink.delete([recordKey(record.argsHash, record.runId)]);
}

/**
 * A folder lake writes each file under a temporary name first and refuses to start a write while
 * that name exists, so a run killed in the middle of writing a marker would leave the marker
 * unwritable. Only the dead run's last markers and its record can be in that state; their
 * temporary files are removed before the markers are written again. (S3 has no temporary names.)
 */
async function clearInterruptedWrites(sink: LakeSink, keys: readonly string[]): Promise<void> {
  if (!(sink instanceof FolderSink)) return;
  await sink.delete(keys.map(tempPathFor));
}

const PART_NAME = /\/part-([0-9A-Za-z]+)-(\d+)\.(parquet|ndjson)$/;

/** What recovery did: runs cleaned up and files deleted. */
export interface Recovery {
  runs: number;
  deletedFiles: number;
}

/** The run records under `prefix` of `_ingested/runs/` (all of them by default). */
export async function readRunRecords(sink: LakeSink, hash = ''): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for await (const object of sink.list(`${RUNS_PREFIX}${hash === '' ? '' : `${hash}/`}`)) {
    const bytes = await sink.get(object.key);
    if (bytes !== null) records.push(JSON.parse(Buffer.from(bytes).toString('utf8')) as RunRecord);
  }
  return records;
}

/**
 * True for a file that a recorded run published after its last commit: its rows belong to sources
 * without a marker, and the run's recovery deletes it (so `compact` must not merge it).
 */
export function isUncommitted(key: string, byRun: ReadonlyMap<string, RunRecord>): boolean {
  const match = PART_NAME.exec(key);
  const record = match ? byRun.get(match[1]) : undefined;
  if (!record) return false;
  const last = match![3] === 'parquet' ? record.committed.parquetSeq : record.committed.errorSeq;
  return Number(match![2]) > last;
}

/**
 * Finishes what dead runs with these inputs left: writes the markers of their last commit, deletes
 * their files numbered after it (under `events/` and `errors/`), then their records. Idempotent, so
 * a recovery that is itself killed is completed by the next run.
 */
export async function recoverDeadRuns(sink: LakeSink, hash: string): Promise<Recovery> {
  return recoverRuns(sink, await readRunRecords(sink, hash));
}

/** Brings these runs' files back to their last commits and removes their records (see recoverDeadRuns). */
export async function recoverRuns(sink: LakeSink, records: readonly RunRecord[]): Promise<Recovery> {
  if (records.length === 0) return { runs: 0, deletedFiles: 0 };
  const byRun = new Map(records.map((r) => [r.runId, r]));
  const uncommitted: string[] = [];
  for (const prefix of ['events/', 'errors/']) {
    for await (const object of sink.list(prefix))
      if (isUncommitted(object.key, byRun)) uncommitted.push(object.key);
  }
  for (const record of records) {
    await clearInterruptedWrites(sink, [
      recordKey(record.argsHash, record.runId),
      ...record.finished.map((f) => f.key),
    ]);
    await writeMarkers(sink, record.finished);
  }
  await sink.delete(uncommitted);
  await sink.delete(records.map((r) => recordKey(r.argsHash, r.runId)));
  return { runs: records.length, deletedFiles: uncommitted.length };
}
