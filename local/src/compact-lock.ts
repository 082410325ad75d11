/**
 * One compaction per lake at a time: two would each rewrite the same files and store their rows
 * twice. A folder lake has a real lock (proper-lockfile); S3 has no lock primitive, so an S3 lake
 * gets an advisory lease (lake-lease.ts): a lock object that the run renews and checks before each
 * partition.
 */
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import type { LakeSink } from './lake-sink';
import {
  DEFAULT_LEASE_MS,
  leaseRefused,
  takeObjectLease,
  type LeaseOptions,
  type ObjectLease,
} from './lake-lease';

/** `assertHeld` throws when the lock was lost: stop before the next partition. */
export type CompactionLock = ObjectLease;

/** A folder lock not refreshed for this long belongs to a run that was killed, and is taken over. */
const LOCK_STALE_MS = 30_000;

/**
 * Locks a folder lake: proper-lockfile keeps a lock folder fresh while we run; a killed run's lock
 * goes stale and is taken over.
 *
 * @throws UserInputError when another compaction holds the lock
 */
export async function lockFolderLake(lake: string): Promise<CompactionLock> {
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
    release: () => (lost ? Promise.resolve() : release().catch(() => undefined)),
    assertHeld() {
      if (lost)
        throw new EngagementLakeError(
          `lost the compaction lock on '${lake}' (${lost.message}); stopped before the next partition; rerun compact`,
        );
      return Promise.resolve();
    },
  };
}

/**
 * The lease object of an S3 lake. Under `events/` so that the permissions a compaction needs anyway
 * cover it; Athena and Glue skip names starting with `_`, and no partition is at that level.
 */
export const LEASE_KEY = 'events/_compact.lock';

export { DEFAULT_LEASE_MS };

/**
 * Takes the advisory lease of a lake on S3 (see lake-lease.ts) and keeps renewing it until released.
 * S3 (and s3rver) has no compare-and-swap that every S3-compatible store offers, so two runs starting
 * in the same instant can both take it. The lease is checked before each partition; what keeps rows
 * safe if two runs overlap anyway is the journal and the rule that only listed objects are deleted
 * (ADR 0005).
 *
 * @throws UserInputError when another run's lease has not lapsed
 */
export function leaseS3Lake(sink: LakeSink, options: LeaseOptions): Promise<CompactionLock> {
  return takeObjectLease(sink, LEASE_KEY, options, {
    refused: (where, lease) => leaseRefused('compaction', sink.location, where, lease),
    lost: (reason) =>
      new EngagementLakeError(
        `lost the compaction lock on '${sink.location}' (${reason}); stopped before the next partition; rerun compact`,
      ),
    unreadable: (where) =>
      new UserInputError(
        `the compaction lock ${where} is unreadable; if no compaction is running on this lake, delete it and rerun compact`,
      ),
  });
}
