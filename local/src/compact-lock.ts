/**
 * One compaction per lake at a time: two would each rewrite the same files and store their rows
 * twice. A folder lake has a real lock (proper-lockfile); S3 has no lock primitive, so an S3 lake
 * gets an advisory lease: a lock object that the run renews and checks before each partition.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import type { LakeSink } from './lake-sink';

export interface CompactionLock {
  /** Throws when the lock was lost (taken over, or not renewed in time): stop before the next partition. */
  assertHeld(): Promise<void>;
  /** Gives the lock up; never throws (a lock that cannot be removed lapses by itself). */
  release(): Promise<void>;
}

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

/** How long an S3 lease lasts without renewal: a killed run's lease lapses within this. */
export const DEFAULT_LEASE_MS = 60_000;

interface Lease {
  owner: string;
  host: string;
  pid: number;
  /** ISO-8601: after this, the lease is free to take. */
  expires: string;
}

export interface LeaseOptions {
  /** Unique per run (the run id). */
  owner: string;
  /** Lease length (default 60 s); renewed every third of it. */
  leaseMs?: number;
}

/**
 * Takes the advisory lease of a lake on S3 and keeps renewing it until released. Advisory: S3 (and
 * s3rver) has no compare-and-swap that every S3-compatible store offers, so two runs starting in the
 * same instant can both read "free", both write, and both read their own lease back only if their
 * requests interleave just so. The lease is checked before each partition; what keeps rows safe if two
 * runs overlap anyway is the journal and the rule that only listed objects are deleted (ADR 0005).
 *
 * @throws UserInputError when another run's lease has not expired
 */
export async function leaseS3Lake(sink: LakeSink, options: LeaseOptions): Promise<CompactionLock> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const where = `${sink.location}${LEASE_KEY}`;
  const mine = (): Lease => ({
    owner: options.owner,
    host: hostname(),
    pid: process.pid,
    expires: new Date(Date.now() + leaseMs).toISOString(),
  });
  const held = await readLease(sink, where);
  if (held && held.owner !== options.owner && Date.parse(held.expires) > Date.now())
    throw refused(sink.location, where, held);
  await sink.put(LEASE_KEY, encode(mine()));
  const check = await readLease(sink, where);
  if (check?.owner !== options.owner) throw refused(sink.location, where, check);

  let renewedAt = Date.now();
  let lost: string | undefined;
  let released = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    const current = await readLease(sink, where);
    if (released) return;
    if (current?.owner !== options.owner) {
      lost ??= current ? `taken over by ${current.host} pid ${current.pid}` : `${where} was deleted`;
      return;
    }
    const stamp = Date.now();
    await sink.put(LEASE_KEY, encode(mine()));
    renewedAt = stamp;
  };
  // A failed renewal is retried at the next tick; assertHeld reports a lease that ran out meanwhile.
  const timer = setInterval(() => {
    renewing = renewing.then(renew).catch(() => undefined);
  }, leaseMs / 3);
  timer.unref();

  return {
    async assertHeld() {
      if (lost === undefined && Date.now() - renewedAt > leaseMs)
        lost = `not renewed for ${Math.round((Date.now() - renewedAt) / 1000)} s`;
      if (lost === undefined) {
        const current = await readLease(sink, where);
        if (current?.owner !== options.owner)
          lost = current ? `taken over by ${current.host} pid ${current.pid}` : `${where} was deleted`;
      }
      if (lost !== undefined)
        throw new EngagementLakeError(
          `lost the compaction lock on '${sink.location}' (${lost}); stopped before the next partition; rerun compact`,
        );
    },
    async release() {
      released = true;
      clearInterval(timer);
      await renewing;
      try {
        const current = await readLease(sink, where);
        if (current?.owner === options.owner) await sink.delete([LEASE_KEY]);
      } catch {
        // It lapses by itself within leaseMs.
      }
    },
  };
}

function encode(lease: Lease): Uint8Array {
  return Buffer.from(JSON.stringify(lease));
}

async function readLease(sink: LakeSink, where: string): Promise<Lease | null> {
  const bytes = await sink.get(LEASE_KEY);
  if (bytes === null) return null;
  try {
    const lease = JSON.parse(Buffer.from(bytes).toString('utf8')) as Lease;
    if (typeof lease.owner === 'string' && !Number.isNaN(Date.parse(lease.expires))) return lease;
  } catch {
    // reported below
  }
  throw new UserInputError(
    `the compaction lock ${where} is unreadable; if no compaction is running on this lake, delete it and rerun compact`,
  );
}

function refused(location: string, where: string, lease: Lease | null): UserInputError {
  const holder = lease
    ? `held by ${lease.host} pid ${lease.pid} until ${lease.expires} unless renewed`
    : 'taken';
  return new UserInputError(
    `another compaction is running on '${location}'; wait for it to finish (its lock ${where} is ${holder}; a killed run's lock lapses by then)`,
  );
}
