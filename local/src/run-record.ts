/**
 * The run record: what makes a killed `ingest` safe to start again, and two at once safe to run. The
 * delivery engine publishes Parquet and error files whenever its buffers fill, so a run killed
 * between two commits leaves files holding rows of sources that have no marker yet; reading those
 * sources again would store their events twice. Each run therefore keeps
 * `_ingested/runs/<args hash>/<run id>.json` up to date:
 *
 * - written before anything else, with nothing committed: it is also the run's lease (lake-lease.ts),
 *   renewed every third of the lease while the run lives;
 * - rewritten before the first file in each folder since the last commit: it names the folders the
 *   run wrote to since, so a recovery lists only there;
 * - rewritten at each commit, once every row read so far is published: it names the last Parquet
 *   and error sequence numbers committed, and the markers of the sources this commit finished. That
 *   one PUT is the commit: the markers are written after it, and written again by a recovery;
 * - deleted at the run's clean end.
 *
 * A record whose lease lapsed belongs to a run that died. The next run with the same inputs (same
 * args hash) writes its markers, deletes its files numbered after its last commit, then the record.
 * A live record with the same inputs makes the next run refuse (see startRun). Runs with other
 * inputs leave records alone.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { LEDGER_PREFIX, writeMarkers, type SourceMarker } from './ledger';
import { DEFAULT_LEASE_MS, hasLease, isLapsed, keepRenewed, leaseOf, type Renewal } from './lake-lease';
import type { LakeSink } from './lake-sink';

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
  /** The run's lease (absent in records of earlier versions, which count as dead). */
  host?: string;
  pid?: number;
  space?: string;
  expires?: string;
  /** Folders (`events/…/dt=…/`, `errors/…/HH/`) written to since the last commit; absent in earlier versions. */
  folders?: string[];
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

/** True for a record whose run is not running any more. */
export function isDead(record: RunRecord): boolean {
  const lease = { ...record, owner: record.runId };
  return !hasLease(lease) || isLapsed(lease);
}

/** The run's own files after its last commit, listed only where the record says it wrote. */
async function uncommittedFiles(sink: LakeSink, record: RunRecord): Promise<string[]> {
  const byRun = new Map([[record.runId, record]]);
  const prefixes = record.folders?.map((folder) => `${folder}part-${record.runId}-`) ?? [
    'events/',
    'errors/',
  ];
  const found: string[] = [];
  for (const prefix of prefixes) {
    for await (const object of sink.list(prefix))
      if (isUncommitted(object.key, byRun)) found.push(object.key);
  }
  return found;
}

/**
 * Brings these runs' files back to their last commits: writes the markers of their last commit,
 * deletes their files numbered after it, then their records. Idempotent, so a recovery that is
 * itself killed is completed by the next run.
 */
export async function recoverRuns(sink: LakeSink, records: readonly RunRecord[]): Promise<Recovery> {
  let deletedFiles = 0;
  for (const record of records) {
    const uncommitted = await uncommittedFiles(sink, record);
    await writeMarkers(sink, record.finished);
    await sink.delete(uncommitted);
    await sink.delete([recordKey(record.argsHash, record.runId)]);
    deletedFiles += uncommitted.length;
  }
  return { runs: records.length, deletedFiles };
}

/** `events/` and `errors/` hold the files a recovery may have to delete. */
function isDataKey(key: string): boolean {
  return key.startsWith('events/') || key.startsWith('errors/');
}

/**
 * A run in progress, as its record in the lake says. Every write of the record goes through one
 * queue and serialises the record when its turn comes, so the last one written is the newest (a
 * renewal never puts back an older commit).
 */
export class LiveRun {
  private saving: Promise<void> = Promise.resolve();
  private savedAt = Date.now();
  private readonly folderSaves = new Map<string, Promise<void>>();
  private renewal: Renewal | undefined;

  constructor(
    private readonly lake: LakeSink,
    readonly record: RunRecord,
    private readonly leaseMs: number,
  ) {
    record.folders ??= [];
  }

  /** Publishes the record as it is now, with its lease pushed forward. */
  save(): Promise<void> {
    const write = async () => {
      const stamp = Date.now();
      const { host, pid, space, expires } = leaseOf(this.record.runId, this.leaseMs);
      Object.assign(this.record, { host, pid, space, expires });
      await writeRunRecord(this.lake, this.record);
      this.savedAt = stamp;
    };
    const next = this.saving.catch(() => undefined).then(write);
    this.saving = next;
    return next;
  }

  /**
   * Publishes a commit (the caller has set `committed` and `finished`). Files before it are all
   * committed, so the folders listed start again: a recovery need only look where later files went.
   */
  commit(): Promise<void> {
    this.record.commits += 1;
    this.record.folders = [];
    this.folderSaves.clear();
    return this.save();
  }

  /** Keeps the lease renewed until `end` or `stop`. */
  renew(): void {
    this.renewal ??= keepRenewed(this.record.runId, this.leaseMs, () => this.save());
  }

  /**
   * Throws unless the lease is still ours: after a lapse, another run may have recovered this one
   * (deleted its record and files), and committing now would mark sources whose rows are gone.
   */
  async assertHeld(): Promise<void> {
    const silentFor = Date.now() - this.savedAt;
    const ours =
      silentFor <= this.leaseMs && (await this.lake.get(recordKey(this.record.argsHash, this.record.runId)));
    if (!ours)
      throw new EngagementLakeError(
        `this ingest run lost its lease on '${this.lake.location}' (its run record was not renewed for ${Math.round(silentFor / 1000)} s or was removed); rerun ingest`,
      );
  }

  /** The lake, with each data file's folder named in the record before the file is written. */
  recordingSink(): LakeSink {
    const put: LakeSink['put'] = async (key, body) => {
      if (isDataKey(key)) await this.beforeFileIn(key.slice(0, key.lastIndexOf('/') + 1));
      await this.lake.put(key, body);
    };
    return new Proxy(this.lake, {
      get(target, property) {
        if (property === 'put') return put;
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private beforeFileIn(folder: string): Promise<void> {
    let saved = this.folderSaves.get(folder);
    if (!saved) {
      this.record.folders!.push(folder);
      saved = this.save();
      this.folderSaves.set(folder, saved);
    }
    return saved;
  }

  /** Stops renewing the lease (the record stays: a failed run's successor recovers it). */
  async stop(): Promise<void> {
    await this.renewal?.stop();
    await this.saving.catch(() => undefined);
  }

  /** The clean end: the record goes. */
  async end(): Promise<void> {
    await this.stop();
    await removeRunRecord(this.lake, this.record);
  }
}

/**
 * Starts a run of these inputs: publishes its record (its lease), then reads the other records of
 * the same inputs. A live one means the same inputs are being ingested right now: reading them too
 * would store their events twice, and its files after its last commit are not ours to delete, so
 * this run withdraws its record and refuses. Whoever writes second sees the first (S3 lists are
 * strongly consistent), so two runs never both go on; started in the same instant, both may refuse.
 * Otherwise the other records are dead runs', and are recovered (see recoverRuns).
 *
 * @returns the run, renewing its lease, and what the recovery did
 * @throws RunInProgressError (a UserInputError) when a run of the same inputs is alive
 */
export async function startRun(
  sink: LakeSink,
  record: RunRecord,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<{ run: LiveRun; recovery: Recovery }> {
  // A run id can repeat (the backfill Lambda derives it from the object): a dead run's record under
  // this key is recovered before ours replaces it.
  const previous = await sink.get(recordKey(record.argsHash, record.runId));
  let sameId: Recovery = { runs: 0, deletedFiles: 0 };
  if (previous !== null) {
    const earlier = JSON.parse(Buffer.from(previous).toString('utf8')) as RunRecord;
    if (!isDead(earlier)) throw refused(sink, earlier);
    sameId = await recoverRuns(sink, [earlier]);
  }
  const run = new LiveRun(sink, record, leaseMs);
  await run.save();
  run.renew();
  try {
    const others = (await readRunRecords(sink, record.argsHash)).filter((r) => r.runId !== record.runId);
    const live = others.find((r) => !isDead(r));
    if (live) throw refused(sink, live);
    const recovery = await recoverRuns(sink, others);
    return {
      run,
      recovery: {
        runs: recovery.runs + sameId.runs,
        deletedFiles: recovery.deletedFiles + sameId.deletedFiles,
      },
    };
  } catch (error) {
    await run.stop();
    await removeRunRecord(sink, record).catch(() => undefined);
    throw error;
  }
}

/** A run of the same inputs is alive: retry once it ends (the backfill Lambda answers TemporaryFailure). */
export class RunInProgressError extends UserInputError {
  constructor(message: string) {
    super(message);
    this.name = 'RunInProgressError';
  }
}

function refused(sink: LakeSink, live: RunRecord): RunInProgressError {
  return new RunInProgressError(
    `another ingest of the same inputs is running on '${sink.location}' (run ${live.runId}, ${live.host} pid ${live.pid}, lease until ${live.expires} unless renewed); wait for it to finish, then rerun to pick up anything it left`,
  );
}
