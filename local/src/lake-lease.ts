/**
 * Leases on a lake, a folder or an S3 prefix alike: how a run says "I am alive" where S3 has no lock.
 * A lease names its owner (a run id), host and process, and an expiry the owner pushes forward every
 * third of its length while it runs. Another run treats it as held until it expires, unless the
 * owner ran in this process space and is provably gone (its process has exited, or it is this process
 * and the run has ended), so a killed run's successor on the same machine need not wait.
 *
 * Used by compaction (one lease object per lake, see compact-lock.ts) and by ingest (each run record
 * is its run's lease, see run-record.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserInputError } from '../../transform/src/errors';
import type { LakeSink } from './lake-sink';

/** How long a lease lasts without renewal: a killed run on another host is noticed after this. */
export const DEFAULT_LEASE_MS = 60_000;

export interface Lease {
  owner: string;
  host: string;
  pid: number;
  /** Where `pid` means something (see processSpace); absent, only the expiry counts. */
  space?: string;
  /** ISO-8601: after this, the lease is free to take. */
  expires: string;
}

/**
 * This kernel boot and pid namespace: two processes with one pid here are one process. A host name
 * is not enough: Lambda sandboxes and containers may share one, each with its own pids.
 */
function processSpace(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${statSync('/proc/self/ns/pid').ino}`;
  } catch {
    return undefined; // not Linux: leases lapse by expiry only
  }
}

const SPACE = processSpace();

/** Owners whose leases this process is renewing right now. */
const renewing = new Set<string>();

/** A lease for `owner`, held by this process, lasting `leaseMs` from now. */
export function leaseOf(owner: string, leaseMs: number): Lease {
  return {
    owner,
    host: hostname(),
    pid: process.pid,
    space: SPACE,
    expires: new Date(Date.now() + leaseMs).toISOString(),
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists, as another user's
  }
}

/** True when nobody holds the lease any more: it expired, or its owner here is gone. */
export function isLapsed(lease: Lease): boolean {
  if (Date.parse(lease.expires) <= Date.now()) return true;
  if (SPACE === undefined || lease.space !== SPACE) return false;
  return lease.pid === process.pid ? !renewing.has(lease.owner) : !processExists(lease.pid);
}

/** `host pid N until <time> unless renewed`, for messages. */
export function describeHolder(lease: Lease): string {
  return `held by ${lease.host} pid ${lease.pid} until ${lease.expires} unless renewed`;
}

/** A lease being renewed in the background; `renewedAt` is the last successful renewal. */
export interface Renewal {
  readonly renewedAt: number;
  /** Stops renewing (waits for a renewal in flight); the lease then lapses or is removed by the caller. */
  stop(): Promise<void>;
}

/**
 * Calls `renew` every third of `leaseMs` until stopped, one call at a time. A failed renewal is
 * retried at the next tick; the caller compares `renewedAt` with the lease length before relying on it.
 */
export function keepRenewed(owner: string, leaseMs: number, renew: () => Promise<void>): Renewal {
  renewing.add(owner);
  let chain: Promise<void> = Promise.resolve();
  const state = { renewedAt: Date.now() };
  const timer = setInterval(() => {
    const stamp = Date.now();
    chain = chain.then(renew).then(
      () => void (state.renewedAt = stamp),
      () => undefined,
    );
  }, leaseMs / 3);
  timer.unref();
  return {
    get renewedAt() {
      return state.renewedAt;
    },
    async stop() {
      clearInterval(timer);
      await chain;
      renewing.delete(owner);
    },
  };
}

/** What a single-object lease says when it is refused, lost or unreadable. */
export interface LeaseMessages {
  refused(where: string, lease: Lease | null): Error;
  lost(reason: string): Error;
  unreadable(where: string): Error;
}

export interface LeaseOptions {
  /** Unique per run (the run id). */
  owner: string;
  /** Lease length (default 60 s); renewed every third of it. */
  leaseMs?: number;
}

/** A lease held in one object of the lake. */
export interface ObjectLease {
  /** Throws when the lease was lost (taken over, deleted, or not renewed in time). */
  assertHeld(): Promise<void>;
  /** Gives the lease up; never throws (a lease that cannot be removed lapses by itself). */
  release(): Promise<void>;
}

/**
 * Takes the lease held in the object `key` of the lake and renews it until released. Advisory: the
 * object is read, written, then read back, so two runs starting in the same instant can both believe
 * they hold it if their requests interleave just so; callers keep their data safe if that happens.
 *
 * @throws the `refused` message's error when another owner's lease has not lapsed
 */
export async function takeObjectLease(
  sink: LakeSink,
  key: string,
  options: LeaseOptions,
  messages: LeaseMessages,
): Promise<ObjectLease> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const where = `${sink.location}${key}`;
  const read = () => readLease(sink, key, () => messages.unreadable(where));
  const held = await read();
  if (held && held.owner !== options.owner && !isLapsed(held)) throw messages.refused(where, held);
  await sink.put(key, encode(leaseOf(options.owner, leaseMs)));
  const check = await read();
  if (check?.owner !== options.owner) throw messages.refused(where, check);

  let lost: string | undefined;
  let released = false;
  const takenFrom = (current: Lease | null) =>
    current ? `taken over by ${current.host} pid ${current.pid}` : `${where} was deleted`;
  const renewal = keepRenewed(options.owner, leaseMs, async () => {
    const current = await read();
    if (released) return;
    if (current?.owner !== options.owner) {
      lost ??= takenFrom(current);
      return;
    }
    await sink.put(key, encode(leaseOf(options.owner, leaseMs)));
  });

  return {
    async assertHeld() {
      const silentFor = Date.now() - renewal.renewedAt;
      if (lost === undefined && silentFor > leaseMs)
        lost = `not renewed for ${Math.round(silentFor / 1000)} s`;
      if (lost === undefined) {
        const current = await read();
        if (current?.owner !== options.owner) lost = takenFrom(current);
      }
      if (lost !== undefined) throw messages.lost(lost);
    },
    async release() {
      released = true;
      await renewal.stop();
      try {
        const current = await read();
        if (current?.owner === options.owner) await sink.delete([key]);
      } catch {
        // It lapses by itself within leaseMs.
      }
    },
  };
}

function encode(lease: Lease): Uint8Array {
  return Buffer.from(JSON.stringify(lease));
}

/** True for a parsed object that has a lease's fields. */
export function hasLease(value: unknown): value is Lease {
  const lease = value as Partial<Lease>;
  return (
    typeof lease?.owner === 'string' &&
    typeof lease.expires === 'string' &&
    !Number.isNaN(Date.parse(lease.expires))
  );
}

async function readLease(sink: LakeSink, key: string, unreadable: () => Error): Promise<Lease | null> {
  const bytes = await sink.get(key);
  if (bytes === null) return null;
  try {
    const lease: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (hasLease(lease)) return lease;
  } catch {
    // reported below
  }
  throw unreadable();
}

/** The refusal message of a lease that `what` (e.g. "compaction") holds. */
export function leaseRefused(
  what: string,
  location: string,
  where: string,
  lease: Lease | null,
): UserInputError {
  const holder = lease ? describeHolder(lease) : 'taken';
  return new UserInputError(
    `another ${what} is running on '${location}'; wait for it to finish (its lock ${where} is ${holder}; a killed run's lock lapses by then)`,
  );
}
