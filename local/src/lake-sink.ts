/**
 * Where the delivery engine puts the lake: a local folder or an S3 prefix. Both publish whole
 * objects only (a temporary name and a rename on disk; one PutObject or a completed multipart
 * upload on S3), so a reader never sees part of a file. Keys are relative to the lake's root and
 * '/'-separated: `events/family=email/dt=2026-11-28/part-….parquet`, `errors/processing-failed/…`.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { EngagementLakeError } from '../../transform/src/errors';
import { ensureLakeFolder } from './lake-folder';
import { tempPathFor, writeFileAtomic } from './parquet-writer';
import {
  createS3Client,
  describeS3Error,
  folderPrefix,
  isS3Url,
  parseS3Url,
  type S3ClientOptions,
} from './s3';

/** One stored object: its key relative to the lake's root, and its size in bytes. */
export interface LakeObject {
  key: string;
  size: number;
}

export interface LakeSink {
  /** The lake as the user named it (a folder, or s3://bucket/prefix/), for messages. */
  readonly location: string;
  /** Fails with a one-line UserInputError when the lake cannot be written, before any work starts. */
  check(): Promise<void>;
  /** Publishes `body` at `key`, whole or not at all; replaces an object of the same key. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or null when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Every published object whose key starts with `prefix`, in key order (temporary files left out). */
  list(prefix: string): AsyncGenerator<LakeObject>;
  /** Deletes the objects; a key that is already gone is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}

/** A lake in a local folder. Temporary files (`.name.tmp`) are hidden from `list`. */
export class FolderSink implements LakeSink {
  constructor(readonly location: string) {}

  check(): Promise<void> {
    return ensureLakeFolder(this.location);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = join(this.location, key);
    try {
      await writeFileAtomic(path, body);
    } catch (error) {
      throw new EngagementLakeError(`cannot write '${path}': ${(error as Error).message}`, { cause: error });
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(join(this.location, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncGenerator<LakeObject> {
    // Walk from the deepest folder the prefix names, then filter on the whole prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    for await (const object of this.walk(folder)) if (object.key.startsWith(prefix)) yield object;
  }

  /** Also removes a key's temporary file, which a writer killed while rewriting the key left behind. */
  async delete(keys: readonly string[]): Promise<void> {
    const paths = keys.map((key) => join(this.location, key));
    await Promise.all(paths.flatMap((path) => [path, tempPathFor(path)].map((p) => rm(p, { force: true }))));
  }

  private async *walk(folder: string): AsyncGenerator<LakeObject> {
    let entries;
    try {
      entries = await readdir(join(this.location, folder), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Code-unit order, as S3 lists keys.
    const names = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of names) {
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) yield* this.walk(key);
      else if (entry.isFile()) {
        yield { key, size: (await stat(join(this.location, key))).size };
      }
    }
  }
}

/** Objects above this go up as a multipart upload (S3's PutObject takes up to 5 GiB, but one stream). */
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;

/** A lake under an S3 prefix. */
export class S3Sink implements LakeSink {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    prefix: string,
  ) {
    this.prefix = folderPrefix(prefix);
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // HEAD responses have no body: S3 says only "NotFound" for a bucket that does not exist.
      const missing = (error as { name?: string }).name === 'NotFound';
      throw describeS3Error(
        missing ? Object.assign(error as Error, { name: 'NoSuchBucket' }) : error,
        this.location,
      );
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.prefix + key, Body: body };
    await this.call(`s3://${this.bucket}/${params.Key}`, async () => {
      if (body.byteLength <= MULTIPART_THRESHOLD) await this.client.send(new PutObjectCommand(params));
      else await new Upload({ client: this.client, params, partSize: MULTIPART_THRESHOLD }).done();
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return await response.Body!.transformToByteArray();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw describeS3Error(error, `s3://${this.bucket}/${this.prefix}${key}`);
    }
  }

  async *list(prefix: string): AsyncGenerator<LakeObject> {
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: this.prefix + prefix },
    );
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          yield { key: object.Key!.slice(this.prefix.length), size: object.Size ?? 0 };
        }
      }
    } catch (error) {
      throw describeS3Error(error, this.location);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes up to 1,000 keys a request.
    for (let start = 0; start < keys.length; start += 1000) {
      const objects = keys.slice(start, start + 1000).map((key) => ({ Key: this.prefix + key }));
      const response = await this.call(this.location, () =>
        this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        ),
      );
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        throw describeS3Error(
          Object.assign(new Error(failed[0].Message ?? 'delete failed'), { name: failed[0].Code }),
          `s3://${this.bucket}/${failed[0].Key}`,
        );
      }
    }
  }

  private async call<T>(where: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw describeS3Error(error, where);
    }
  }
}

/**
 * The sink for `--lake`: an S3Sink for `s3://bucket/prefix/`, else a FolderSink. An S3 lake uses
 * the client `client` gives (to share one with the inputs), else a new one.
 *
 * @example
 * const sink = openLakeSink('s3://my-lake/engagement/', { endpoint: 'http://127.0.0.1:4568' });
 */
export function openLakeSink(
  lake: string,
  s3: S3ClientOptions = {},
  client: () => S3Client = () => createS3Client(s3),
): LakeSink {
  if (!isS3Url(lake)) return new FolderSink(lake);
  const { bucket, prefix } = parseS3Url(lake, '--lake');
  return new S3Sink(client(), bucket, prefix);
}
