/**
 * Where `compact` finds a partition's files and publishes the new one: a folder lake or an S3 lake.
 * The algorithm (compact.ts) is the same for both; listing, journals and deletes go through the
 * LakeSink. What differs is here: DuckDB reads a folder lake's files in place and writes the new
 * file beside them, to be renamed into place; an S3 lake's objects are downloaded into a temporary
 * folder, rewritten there, and the result uploaded.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UserInputError } from '../../transform/src/errors';
import { DEFAULT_LEASE_MS, leaseS3Lake, lockFolderLake, type CompactionLock } from './compact-lock';
import { forEachLimit, inDayRange, type DayRange } from './compact-plan';
import { readLakeLayout } from './lake-layout';
import { FolderSink, S3Sink, type LakeObject, type LakeSink } from './lake-sink';
import { tempPathFor } from './parquet-writer';
import { createS3Client, describeS3Error, folderPrefix, isS3Url, parseS3Url } from './s3';

/**
 * A listed object was gone when its partition was staged: a concurrent compaction or a lifecycle
 * rule removed it after the listing. The partition is unchanged by this run; the next run re-plans it.
 */
export class ObjectGoneError extends Error {
  override readonly name = 'ObjectGoneError';
  constructor(readonly location: string) {
    super(`${location} was removed after the listing`);
  }
}

/** A partition's files as DuckDB reads them, and where it writes the new file. */
export interface Staging {
  /** Local paths of the partition's files, in listing order. */
  readonly inputs: string[];
  /** Local path the new file is written to before it is published. */
  readonly output: string;
  /** Makes the written output survive a crash (a folder lake's journal then always means a whole file). */
  seal(): Promise<void>;
  /** Removes what staging left on local disk: downloads, an unpublished output. */
  dispose(): Promise<void>;
}

export interface CompactionStore {
  readonly sink: LakeSink;
  /** Partitions compacted at once unless `--concurrency` says otherwise. */
  readonly defaultConcurrency: number;
  /** Where a key is, for messages: a path or an s3:// URL. */
  describe(key: string): string;
  /** Throws a one-line UserInputError when there is no lake to compact. */
  check(): Promise<void>;
  lock(owner: string, leaseMs?: number): Promise<CompactionLock>;
  stage(files: readonly LakeObject[], newKey: string): Promise<Staging>;
  /** Makes the journal just written in this partition survive a crash. */
  settle(prefix: string): Promise<void>;
  /** Publishes the staged output at `key`, whole or not at all. */
  publish(output: string, key: string): Promise<void>;
  /** Publishes the staged output a killed run left for `key`, if the store keeps them; false if none. */
  publishLeftover(key: string): Promise<boolean>;
  /** Deletes staged outputs of killed runs that no journal names (run after recovery). */
  removeLeftovers(range: DayRange): Promise<void>;
  close(): void;
}

/**
 * The store for `--lake`: an S3 prefix for `s3://bucket/prefix/`, else a folder.
 *
 * @throws UserInputError for a malformed S3 location or --s3-endpoint
 */
export function openCompactionStore(lake: string, s3: { endpoint?: string } = {}): CompactionStore {
  if (!isS3Url(lake)) return new FolderStore(lake);
  const { bucket, prefix } = parseS3Url(lake, '--lake');
  return new S3Store(createS3Client(s3), bucket, folderPrefix(prefix));
}

/** DuckDB is already parallel inside one partition; on local disk one partition at a time is enough. */
const FOLDER_CONCURRENCY = 1;
/** S3 waits on the network, so several partitions at once keep the machine busy. */
const S3_CONCURRENCY = 4;
/** Objects of one partition downloaded at once. */
const DOWNLOADS_PER_PARTITION = 4;
/** Upload part size: memory per upload is this times the queue size (4), 64 MiB. */
const PART_BYTES = 16 * 1024 * 1024;

class FolderStore implements CompactionStore {
  readonly sink: FolderSink;
  readonly defaultConcurrency = FOLDER_CONCURRENCY;

  constructor(private readonly lake: string) {
    this.sink = new FolderSink(lake);
  }

  describe(key: string): string {
    return join(this.lake, key);
  }

  check(): Promise<void> {
    if (!existsSync(join(this.lake, 'events')))
      throw new UserInputError(
        `no lake at '${this.lake}': nothing to compact; pass the lake folder with --lake`,
      );
    return Promise.resolve();
  }

  lock(): Promise<CompactionLock> {
    return lockFolderLake(this.lake);
  }

  stage(files: readonly LakeObject[], newKey: string): Promise<Staging> {
    const output = tempPathFor(join(this.lake, newKey));
    return Promise.resolve({
      inputs: files.map((f) => join(this.lake, f.key)),
      output,
      seal: () => syncPath(output),
      dispose: () => rm(output, { force: true }),
    });
  }

  settle(prefix: string): Promise<void> {
    return syncPath(join(this.lake, prefix));
  }

  async publish(output: string, key: string): Promise<void> {
    const path = join(this.lake, key);
    await rename(output, path);
    await syncPath(dirname(path));
  }

  async publishLeftover(key: string): Promise<boolean> {
    const path = join(this.lake, key);
    if (!existsSync(tempPathFor(path))) return false;
    await this.publish(tempPathFor(path), key);
    return true;
  }

  async removeLeftovers(range: DayRange): Promise<void> {
    for (const partition of readLakeLayout(this.lake)) {
      const day = /(?:^|[/\\])dt=(\d{4}-\d{2}-\d{2})$/.exec(partition.dir)?.[1];
      if (!inDayRange(day, range)) continue;
      for (const name of partition.leftovers) await rm(join(partition.dir, name), { force: true });
    }
  }

  close(): void {}
}

class S3Store implements CompactionStore {
  readonly sink: S3Sink;
  readonly defaultConcurrency = S3_CONCURRENCY;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.sink = new S3Sink(client, bucket, prefix);
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  async check(): Promise<void> {
    // A listing, not HeadBucket: its error names a missing bucket as such (HEAD responses have no body).
    const first = await this.sink.list('events/').next();
    if (!first.done) return;
    throw new UserInputError(
      `no lake at '${this.sink.location}': nothing under events/ to compact; check the bucket and prefix given to --lake`,
    );
  }

  lock(owner: string, leaseMs = DEFAULT_LEASE_MS): Promise<CompactionLock> {
    return leaseS3Lake(this.sink, { owner, leaseMs });
  }

  async stage(files: readonly LakeObject[]): Promise<Staging> {
    const dir = await mkdtemp(join(tmpdir(), 'engagement-lake-compact-'));
    const dispose = () => rm(dir, { recursive: true, force: true });
    try {
      // Named as in the lake, so that an error about a damaged file names the object.
      await mkdir(join(dir, 'in'));
      const inputs = files.map((f) => join(dir, 'in', basename(f.key)));
      await forEachLimit(
        files.map((f, i) => [f.key, inputs[i]] as const),
        DOWNLOADS_PER_PARTITION,
        ([key, path]) => this.download(key, path),
      );
      return { inputs, output: join(dir, 'compacted.parquet'), seal: () => Promise.resolve(), dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  settle(): Promise<void> {
    return Promise.resolve(); // an acknowledged PutObject is durable
  }

  async publish(output: string, key: string): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.prefix + key, Body: createReadStream(output) };
    try {
      // Streams from disk: one PutObject up to a part, else a multipart upload completed only when whole.
      await new Upload({ client: this.client, params, partSize: PART_BYTES, queueSize: 4 }).done();
    } catch (error) {
      throw describeS3Error(error, this.describe(key));
    }
  }

  publishLeftover(): Promise<boolean> {
    return Promise.resolve(false); // a killed run's staging was on its own machine
  }

  removeLeftovers(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.client.destroy();
  }

  private async download(key: string, path: string): Promise<void> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      await pipeline(response.Body as Readable, createWriteStream(path));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw new ObjectGoneError(this.describe(key));
      throw describeS3Error(error, this.describe(key));
    }
  }
}

/** fsync a file (its bytes) or a folder (the names in it), so a crash cannot undo what follows. */
async function syncPath(path: string): Promise<void> {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync there
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
