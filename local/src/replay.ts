/**
 * `replay --lake`: re-drives the lake's error output through the current transform, after a fix say.
 * Records that now succeed become rows through the same delivery engine as `ingest`; those that
 * still fail are written again, with their new reason, as new error files; the replayed error files
 * are then removed.
 *
 * Running it twice, or after a kill, stores nothing twice. The run keeps an ingest run record
 * (local/src/run-record.ts), which is its journal: until the commit, its files count as
 * uncommitted (compaction leaves them alone; the next replay deletes them and replays the same
 * error files again). The commit is one write of the record naming the files it wrote and the
 * error files it replaced; only then are those removed, and a run killed after its commit has that
 * removal finished by the next replay.
 */
import { existsSync } from 'node:fs';
import { Batcher, type SourceRecord } from './batcher';
import { LakeDelivery, type DeliveryStats, type LocalTransform } from './delivery';
import { openLakeSink, S3Sink, type LakeSink } from './lake-sink';
import { defaultTransform } from './local-transform';
import type { PiiPolicy } from '../../transform/src/pii';
import { recordsOfErrorObject } from './replay-records';
import { isDead, isUncommitted, readRunRecords, startRun, type RunRecord } from './run-record';
import { newRunId } from './run-id';
import { isS3Url } from './s3';
import { UserInputError } from '../../transform/src/errors';

/** The run records of replays are kept under this "inputs hash", apart from ingest's. */
const REPLAY_RUNS = 'replay';
const ERRORS_PREFIX = 'errors/';

export interface ReplayOptions {
  /** A lake folder, or `s3://bucket/prefix/`. */
  lake: string;
  s3Endpoint?: string;
  /** The transform (default: the Firehose handler, in this thread). */
  transform?: LocalTransform;
  /** Hash or drop personal data in the rows it writes (`--pii`); absent: keep. */
  pii?: PiiPolicy;
  /** How long the run's record holds without renewal (default: ingest's). */
  leaseMs?: number;
  /** Test seam: runs once every file is written, before the commit. */
  beforeCommit?: () => void | Promise<void>;
  /** Test seam: runs after the commit, before the replayed error files are removed. */
  beforeRemove?: () => void | Promise<void>;
}

/** An error file left as it is, and why. */
export interface KeptFile {
  key: string;
  reason: string;
}

/** What a replay did. `records = okRecords + failedRecords`. */
export interface ReplaySummary extends DeliveryStats {
  lake: string;
  runId: string;
  /** Error files read and replaced (removed once their records were stored again). */
  replacedFiles: number;
  /** Error files that could not be read back, left as they are. */
  kept: KeptFile[];
  /** Earlier replays, killed, that this one finished or undid. */
  recoveredRuns: number;
}

/** A replay's run record: an ingest run record, plus the error files its commit replaces. */
interface ReplayRecord extends RunRecord {
  replaces?: string[];
}

/**
 * Replays every error file under the lake's `errors/`.
 *
 * @throws UserInputError when there is no lake there, or another replay of it is running
 * @example
 * const summary = await replayLake({ lake: './lake' });
 * console.log(`${summary.okRecords} now in the lake, ${summary.failedRecords} still failing`);
 */
export async function replayLake(options: ReplayOptions): Promise<ReplaySummary> {
  if (!isS3Url(options.lake) && !existsSync(options.lake))
    throw new UserInputError(
      `no lake at '${options.lake}': pass the lake folder or s3:// prefix with --lake`,
    );
  const sink = openLakeSink(options.lake, { endpoint: options.s3Endpoint });
  try {
    await sink.check();
    await finishCommittedReplays(sink);
    return await replayInto(sink, options);
  } finally {
    if (sink instanceof S3Sink) sink.client.destroy();
  }
}

async function replayInto(sink: LakeSink, options: ReplayOptions): Promise<ReplaySummary> {
  const started = Date.now();
  const record: ReplayRecord = {
    runId: newRunId(started),
    argsHash: REPLAY_RUNS,
    startedAt: new Date(started).toISOString(),
    commits: 0,
    committed: { parquetSeq: 0, errorSeq: 0 },
    finished: [],
  };
  const { run, recovery } = await startRun(sink, record, options.leaseMs);
  const delivery = new LakeDelivery({
    sink: run.recordingSink(),
    runId: record.runId,
    runStartedAt: started,
    transform: options.transform ?? defaultTransform({ pii: options.pii }),
  });
  try {
    const { replaced, kept } = await deliverErrorFiles(sink, delivery);
    const stats = await delivery.finish();
    await options.beforeCommit?.();
    await run.assertHeld();
    // The commit: from here the run's files are kept and the replayed error files are to go.
    record.committed = { parquetSeq: delivery.lastPublishedFileSeq, errorSeq: stats.errorFiles };
    record.commits = 1;
    record.replaces = replaced;
    await run.save();
    await options.beforeRemove?.();
    await sink.delete(replaced);
    await run.end();
    return {
      lake: sink.location,
      runId: record.runId,
      ...stats,
      replacedFiles: replaced.length,
      kept,
      recoveredRuns: recovery.runs,
    };
  } catch (error) {
    await delivery.abandon();
    await run.stop(); // the record stays: the next replay undoes or finishes this one
    throw error;
  }
}

/** Reads each error file listed now and hands its records to the delivery, in key order. */
async function deliverErrorFiles(
  sink: LakeSink,
  delivery: LakeDelivery,
): Promise<{ replaced: string[]; kept: KeptFile[] }> {
  // An unfinished ingest's files after its last checkpoint are its own to commit or to delete.
  const runs = new Map((await readRunRecords(sink)).map((record) => [record.runId, record]));
  const keys: string[] = [];
  for await (const object of sink.list(ERRORS_PREFIX))
    if (!isUncommitted(object.key, runs)) keys.push(object.key);
  const batcher = new Batcher();
  const send = async (batch: SourceRecord[] | null) => {
    if (batch) await delivery.deliver(batch);
  };
  const replaced: string[] = [];
  const kept: KeptFile[] = [];
  for (const key of keys) {
    const body = await sink.get(key);
    if (body === null) continue; // removed meanwhile (a lifecycle rule): nothing to replay
    const read = recordsOfErrorObject(key, body);
    if (!read.ok) {
      kept.push({ key, reason: read.reason });
      continue;
    }
    for (const record of read.records) await send(batcher.add(record));
    replaced.push(key);
  }
  await send(batcher.flush());
  return { replaced, kept };
}

/**
 * Removes the error files that killed replays committed to replacing; startRun then removes their
 * records (their files are all committed, so it deletes none of them).
 */
async function finishCommittedReplays(sink: LakeSink): Promise<void> {
  for (const record of (await readRunRecords(sink, REPLAY_RUNS)) as ReplayRecord[]) {
    if (record.replaces && isDead(record)) await sink.delete(record.replaces);
  }
}
