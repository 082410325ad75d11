/**
 * The write-ahead spool of `serve`: what makes its acknowledgement true. Accepted records are
 * appended to a segment file in `<lake>/_spool/` and synced to disk before the producer gets its
 * 200; a flush seals the segments it delivers and deletes them once every file it published is
 * durable. Segments left by a run that crashed are replayed by the next run.
 *
 * A segment is a sequence of frames: u32 data length, u32 CRC-32, f64 arrival time (epoch ms),
 * then the record's bytes, little-endian. The CRC covers the length, the arrival time and the
 * bytes, so a frame torn by a crash (it was never acknowledged: the sync had not returned) is
 * recognised and dropped. Damage in the middle of a segment (a bad sector, a stray write) costs only
 * the damaged bytes: decoding resynchronises at the next offset where a whole frame passes its CRC,
 * and hands the bytes it skipped back, for the error output.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, rmdir, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { LakeSink } from './lake-sink';

/** The spool's folder in the lake: beside `events/` and `errors/`, never read as data. */
export const SPOOL_FOLDER = '_spool';

/** One accepted record as spooled: its bytes and the time it was received. */
export interface SpooledRecord {
  data: Buffer;
  /** Epoch ms. */
  arrivalTime: number;
}

/** What a flush takes from the spool: the records appended since the last seal, and their files. */
export interface SealedWindow {
  records: SpooledRecord[];
  /** Bytes of the records' data. */
  bytes: number;
  /** Segment file names (in `_spool/`) holding exactly these records; release them once delivered. */
  segments: string[];
}

const HEADER_BYTES = 16;
/** No record is this large (the API's limit is 1,000 KiB): a larger length is a torn header. */
const MAX_FRAME_DATA = 16 * 1024 * 1024;
// Six digits at least: a long-running server may pass generation 999,999.
const SEGMENT = /^serve-([0-9A-Z]{26})-(\d{6,})\.wal$/;

/** Segment names in run order (run ids sort by start time), then generation as a number. */
function bySegmentOrder(a: string, b: string): number {
  const [, runA, genA] = SEGMENT.exec(a)!;
  const [, runB, genB] = SEGMENT.exec(b)!;
  return runA !== runB ? (runA < runB ? -1 : 1) : Number(genA) - Number(genB);
}

/** Encodes records as consecutive frames, ready to append. */
export function encodeFrames(records: readonly SpooledRecord[]): Buffer {
  const size = records.reduce((n, r) => n + HEADER_BYTES + r.data.byteLength, 0);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const { data, arrivalTime } of records) {
    out.writeUInt32LE(data.byteLength, at);
    out.writeDoubleLE(arrivalTime, at + 8);
    out.set(data, at + HEADER_BYTES);
    out.writeUInt32LE(frameCrc(out, at, data.byteLength), at + 4);
    at += HEADER_BYTES + data.byteLength;
  }
  return out;
}

function frameCrc(buffer: Buffer, at: number, length: number): number {
  const header = crc32(buffer.subarray(at + 8, at + HEADER_BYTES), crc32(buffer.subarray(at, at + 4)));
  return crc32(buffer.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length), header);
}

/** A segment decoded: its whole frames, the damaged stretches between them, and the torn tail. */
export interface DecodedSegment {
  records: SpooledRecord[];
  /** Bytes between whole frames that form no frame: damage, kept for the error output. */
  damaged: Buffer[];
  /** Bytes after the last whole frame: a write a crash cut short (never acknowledged), dropped. */
  tornBytes: number;
}

/** The length of the whole, CRC-valid frame at `at`, or -1 when none starts there. */
function frameLengthAt(buffer: Buffer, at: number): number {
  if (at + HEADER_BYTES > buffer.byteLength) return -1;
  const length = buffer.readUInt32LE(at);
  if (length > MAX_FRAME_DATA || at + HEADER_BYTES + length > buffer.byteLength) return -1;
  return buffer.readUInt32LE(at + 4) === frameCrc(buffer, at, length) ? length : -1;
}

/**
 * Decodes a segment's frames. Where a frame is incomplete or fails its CRC, decoding looks for the
 * next whole frame byte by byte: the bytes skipped before one is found are `damaged`; when none is
 * found, they are the torn tail (`tornBytes`).
 */
export function decodeFrames(bytes: Uint8Array): DecodedSegment {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: SpooledRecord[] = [];
  const damaged: Buffer[] = [];
  let at = 0;
  let damageFrom = -1;
  while (at + HEADER_BYTES <= buffer.byteLength) {
    const length = frameLengthAt(buffer, at);
    if (length < 0) {
      if (damageFrom < 0) damageFrom = at;
      at += 1;
      continue;
    }
    if (damageFrom >= 0) damaged.push(Buffer.from(buffer.subarray(damageFrom, at)));
    damageFrom = -1;
    const end = at + HEADER_BYTES + length;
    records.push({
      data: Buffer.from(buffer.subarray(at + HEADER_BYTES, end)),
      arrivalTime: buffer.readDoubleLE(at + 8),
    });
    at = end;
  }
  const tail = damageFrom >= 0 ? damageFrom : at;
  return { records, damaged, tornBytes: buffer.byteLength - tail };
}

/** Makes a folder's entries (files created, renamed or deleted in it) survive a power loss. */
export async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A LakeSink that remembers the folders it published into, so that `syncPublished` can make those
 * files' names durable before the spool segments holding their records are deleted (a file's
 * contents are synced when it is written; its name is an entry of its folder, and of new parents).
 */
export class SyncingFolderSink implements LakeSink {
  private readonly touched = new Set<string>();

  constructor(
    private readonly inner: LakeSink,
    private readonly root: string,
  ) {}

  get location(): string {
    return this.inner.location;
  }
  check(): Promise<void> {
    return this.inner.check();
  }
  async put(key: string, body: Uint8Array): Promise<void> {
    await this.inner.put(key, body);
    // The folder, and every parent that may have been created for it, up to the lake's root.
    for (let folder = dirname(key); folder !== '.'; folder = dirname(folder)) this.touched.add(folder);
    this.touched.add('.');
  }
  get(key: string): Promise<Uint8Array | null> {
    return this.inner.get(key);
  }
  list(prefix: string): ReturnType<LakeSink['list']> {
    return this.inner.list(prefix);
  }
  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  /** Syncs every folder published into since the last call. */
  async syncPublished(): Promise<void> {
    const folders = [...this.touched];
    this.touched.clear();
    for (const folder of folders) await syncFolder(join(this.root, folder));
  }
}

type Operation =
  | { kind: 'append'; records: SpooledRecord[]; done: (error?: unknown) => void }
  | { kind: 'seal'; done: (window: SealedWindow) => void };

/** The process's identity, to tell a live run's segments from a crashed one's (pids are reused). */
interface Owner {
  pid: number;
  /** The kernel's start time of the process (Linux), or null where unknown. */
  started: string | null;
}

function processStarted(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: Owner): boolean {
  if (owner.pid === process.pid) return false; // an earlier incarnation of this pid (a container restart)
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return owner.started === null || processStarted(owner.pid) === owner.started;
}

/**
 * The spool of one `serve` run. Appends and seals are serialised: appends waiting while a sync runs
 * are written together and share the next sync (group commit).
 */
export class Spool {
  private readonly queue: Operation[] = [];
  private running = false;
  private generation = 0;
  private handle: FileHandle | null = null;
  private size = 0;
  private window: SealedWindow = { records: [], bytes: 0, segments: [] };

  private constructor(
    readonly folder: string,
    readonly runId: string,
  ) {}

  /**
   * Opens the spool of run `runId` in `lake`, creating `_spool/`, and records this process as the
   * run's owner so that a `serve` started beside it leaves its segments alone.
   *
   * @example
   * const spool = await Spool.open('./lake', runId);
   * await spool.append([{ data, arrivalTime: Date.now() }]); // durable: now answer 200
   */
  static async open(lake: string, runId: string): Promise<Spool> {
    const folder = join(lake, SPOOL_FOLDER);
    await mkdir(folder, { recursive: true });
    await syncFolder(lake);
    const spool = new Spool(folder, runId);
    const owner: Owner = { pid: process.pid, started: processStarted(process.pid) };
    await writeFile(spool.ownerPath(runId), JSON.stringify(owner));
    return spool;
  }

  /** Records appended since the last seal (acknowledged, not yet taken by a flush). */
  get bufferedRecords(): number {
    return this.window.records.length;
  }

  /** Bytes of the records appended since the last seal. */
  get bufferedBytes(): number {
    return this.window.bytes;
  }

  /**
   * Segment names left by runs that are no longer running, in name order (run start, then
   * generation): their records were acknowledged and may not be in the lake. Removes the owner
   * files of dead runs that left no segment.
   */
  async leftovers(): Promise<string[]> {
    const names = (await readdir(this.folder)).sort();
    const runs = new Set(names.map((name) => /^serve-([0-9A-Z]{26})[.-]/.exec(name)?.[1]));
    const dead = new Set<string>();
    for (const run of runs) {
      if (run && run !== this.runId && !(await this.ownerAlive(run))) dead.add(run);
    }
    const segments = names.filter((name) => dead.has(SEGMENT.exec(name)?.[1] ?? '')).sort(bySegmentOrder);
    for (const run of dead) {
      if (!segments.some((name) => name.includes(run))) await rm(this.ownerPath(run), { force: true });
    }
    return segments;
  }

  /** Reads a segment's records and damaged stretches; a torn tail is dropped and counted in `tornBytes`. */
  async readSegment(name: string): Promise<DecodedSegment> {
    return decodeFrames(await readFile(join(this.folder, name)));
  }

  /** Appends records and syncs them to disk; resolves once they survive a crash. */
  append(records: readonly SpooledRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error === undefined ? resolve() : reject(error));
      this.enqueue({ kind: 'append', records: [...records], done });
    });
  }

  /**
   * Closes the current window: the records appended so far and their segments, for one flush.
   * Appends after this go to a new segment.
   */
  seal(): Promise<SealedWindow> {
    return new Promise((resolve) => this.enqueue({ kind: 'seal', done: resolve }));
  }

  /**
   * Deletes segments whose records are now in the lake, and the owner file of an earlier run once
   * none of its segments is left.
   */
  async release(segments: readonly string[]): Promise<void> {
    for (const name of segments) await rm(join(this.folder, name), { force: true });
    const runs = new Set(segments.map((name) => SEGMENT.exec(name)?.[1] ?? this.runId));
    runs.delete(this.runId);
    if (runs.size === 0) return;
    const left = await readdir(this.folder);
    for (const run of runs) {
      if (!left.some((name) => SEGMENT.exec(name)?.[1] === run))
        await rm(this.ownerPath(run), { force: true });
    }
  }

  /**
   * Ends the run after its last window was released: removes its owner file, and `_spool/` when
   * nothing else is in it. Segments not released stay, for the next run to replay.
   */
  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    await rm(this.ownerPath(this.runId), { force: true });
    await rmdir(this.folder).catch(() => undefined); // not empty: another run's or unreleased segments
  }

  private ownerPath(runId: string): string {
    return join(this.folder, `serve-${runId}.owner`);
  }

  private async ownerAlive(runId: string): Promise<boolean> {
    try {
      return isAlive(JSON.parse(await readFile(this.ownerPath(runId), 'utf8')) as Owner);
    } catch {
      return false; // no owner file, or one torn by a crash
    }
  }

  private enqueue(operation: Operation): void {
    this.queue.push(operation);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      if (this.queue[0].kind === 'seal') {
        (this.queue.shift() as Extract<Operation, { kind: 'seal' }>).done(await this.takeWindow());
        continue;
      }
      const group: Extract<Operation, { kind: 'append' }>[] = [];
      while (this.queue[0]?.kind === 'append') group.push(this.queue.shift() as (typeof group)[number]);
      const records = group.flatMap((operation) => operation.records);
      try {
        await this.write(encodeFrames(records));
      } catch (error) {
        for (const operation of group) operation.done(error);
        continue;
      }
      // Only now, after the sync, do the records belong to the window a flush delivers.
      for (const record of records) {
        this.window.records.push(record);
        this.window.bytes += record.data.byteLength;
      }
      for (const operation of group) operation.done();
    }
    this.running = false;
  }

  private async write(frames: Buffer): Promise<void> {
    const handle = this.handle ?? (await this.startSegment());
    try {
      let written = 0;
      while (written < frames.byteLength) {
        const { bytesWritten } = await handle.write(
          frames,
          written,
          frames.byteLength - written,
          this.size + written,
        );
        written += bytesWritten;
      }
      await handle.datasync();
      this.size += frames.byteLength;
    } catch (error) {
      // Cut the failed frames off and continue in a new segment, so that no acknowledged frame ever
      // follows a broken one (replay would count those unacknowledged bytes as damage).
      await handle.truncate(this.size).catch(() => undefined);
      await handle.close().catch(() => undefined);
      this.handle = null;
      throw error;
    }
  }

  private async startSegment(): Promise<FileHandle> {
    this.generation += 1;
    const name = `serve-${this.runId}-${String(this.generation).padStart(6, '0')}.wal`;
    const handle = await open(join(this.folder, name), 'wx');
    try {
      await syncFolder(this.folder); // the new name must survive a crash, as its frames will
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    // Listed from now on: records that reach it are released with it, and an empty file costs nothing.
    this.window.segments.push(name);
    this.handle = handle;
    this.size = 0;
    return handle;
  }

  private async takeWindow(): Promise<SealedWindow> {
    await this.handle?.close().catch(() => undefined); // its frames are synced already
    this.handle = null;
    const window = this.window;
    this.window = { records: [], bytes: 0, segments: [] };
    return window;
  }
}
