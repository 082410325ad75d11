/**
 * S3 objects as `ingest` sources: an `s3://bucket/prefix/` input lists every page of the prefix
 * (ListObjectsV2, key order), an `s3://bucket/key` input names one object, and an object is read as a
 * byte stream (GetObject) that input-reader.ts turns into text like a local file.
 */
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UserInputError } from '../../transform/src/errors';
import type { S3Source } from './input-reader';
import { bareEtag, describeS3Error, folderPrefix, parseS3Url, s3Url } from './s3';

export interface S3ListOptions {
  /** Keys per ListObjectsV2 page (S3's maximum and default: 1,000); smaller in tests. */
  pageSize?: number;
}

/**
 * The objects an `s3://` input names, in key order: the one object whose key is exactly the
 * input's, else every object under it as a folder (`prefix/`), skipping "folder" marker keys that
 * end in '/'. Throws a one-line UserInputError for a missing bucket, denied access, bad credentials,
 * an unreachable endpoint, or a prefix that holds no objects.
 *
 * @example
 * const sources = await listS3Sources(client, 's3://archive/pinpoint/2024/');
 */
export async function listS3Sources(
  client: S3Client,
  url: string,
  options: S3ListOptions = {},
): Promise<S3Source[]> {
  const { bucket, prefix } = parseS3Url(url, 'the input');
  try {
    const single = prefix === '' || prefix.endsWith('/') ? null : await exactObject(client, bucket, prefix);
    if (single) return [single];
    const folder = folderPrefix(prefix);
    const out: S3Source[] = [];
    const pages = paginateListObjectsV2(
      { client, pageSize: options.pageSize },
      { Bucket: bucket, Prefix: folder },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        // A console "folder" is an empty object whose key ends in '/'; one with bytes is data.
        if (object.Key!.endsWith('/') && (object.Size ?? 0) === 0) continue;
        out.push(sourceOf(bucket, object.Key!, object.Size, object.ETag));
      }
    }
    if (out.length === 0) {
      throw new UserInputError(
        `${s3Url(bucket, folder)}: no objects there; check the prefix (aws s3 ls ${s3Url(bucket, folder)})`,
      );
    }
    return out;
  } catch (error) {
    throw describeS3Error(error, url);
  }
}

function sourceOf(bucket: string, key: string, size: number | undefined, etag: string | undefined): S3Source {
  return { kind: 's3', bucket, key, size: size ?? 0, etag: bareEtag(etag) };
}

/**
 * The object whose key is exactly `key`, or null. A listing, not HeadObject: it needs only the
 * s3:ListBucket permission the prefix case needs anyway, and the exact key sorts first.
 */
async function exactObject(client: S3Client, bucket: string, key: string): Promise<S3Source | null> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  const first = page.Contents?.[0];
  return first?.Key === key ? sourceOf(bucket, key, first.Size, first.ETag) : null;
}

/**
 * Opens one listed object for reading. `IfMatch` pins the ETag the listing gave, so an object
 * replaced since is refused rather than recorded as read under the old ETag. Errors while the bytes
 * stream in (a dropped connection) become one-line UserInputErrors that say a rerun resumes.
 */
export async function openS3Object(client: S3Client, source: S3Source): Promise<Readable> {
  const url = s3Url(source.bucket, source.key);
  let body: Readable;
  try {
    const response = await client.send(
      new GetObjectCommand({
        Bucket: source.bucket,
        Key: source.key,
        ...(source.etag ? { IfMatch: `"${source.etag}"` } : {}),
      }),
    );
    body = response.Body as Readable;
  } catch (error) {
    throw describeReadError(error, url);
  }
  return Readable.from(guarded(body, url), { objectMode: false });
}

async function* guarded(body: Readable, url: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    throw describeReadError(error, url);
  }
}

function describeReadError(error: unknown, url: string): unknown {
  const name = (error as { name?: string })?.name;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (name === 'PreconditionFailed') {
    return new UserInputError(`${url}: the object changed while this run was reading; run it again`, {
      cause: error,
    });
  }
  if (name === 'InvalidObjectState') {
    return new UserInputError(
      `${url}: the object is in an archive storage class; restore it first (aws s3api restore-object)`,
      { cause: error },
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') {
    return new UserInputError(
      `${url}: the connection broke while reading (${code}); run the same command again, it resumes`,
      { cause: error },
    );
  }
  return describeS3Error(error, url);
}
