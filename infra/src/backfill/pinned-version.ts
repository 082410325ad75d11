/**
 * Reads one archive object at the version a Batch Operations task names (`s3VersionId`, present
 * when the manifest lists versions), not at its current version.
 *
 * `ingest` finds an `s3://bucket/key` input with a one-key listing and reads it with a GetObject
 * pinned to the listed ETag (local/src/s3-input.ts); both name the current version. The client
 * returned here answers that listing with the named version's size and ETag and adds the VersionId
 * to that object's GetObject and HeadObject, so the rows, the run id and the done marker (named by
 * ETag) all describe the version the manifest names. Every other request passes through unchanged.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';

/** One object version and what its HeadObject said of it. */
export interface ObjectVersion {
  bucket: string;
  key: string;
  versionId: string;
  /** As S3 sends it (quoted). */
  etag: string;
  size: number;
}

type Send = (command: unknown, ...rest: unknown[]) => Promise<unknown>;

/** `client`, with `version.key` read at `version.versionId`. */
export function pinVersion(client: S3Client, version: ObjectVersion): S3Client {
  const send = client.send.bind(client) as Send;
  const pinnedSend: Send = (command, ...rest) => {
    const listed = listingOf(command, version);
    if (listed) return Promise.resolve(listed);
    return send(withVersion(command, version), ...rest);
  };
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property === 'send' ? pinnedSend : (Reflect.get(target, property, receiver) as unknown),
  });
}

function isThisObject(input: { Bucket?: string; Key?: string }, version: ObjectVersion): boolean {
  return input.Bucket === version.bucket && input.Key === version.key;
}

/** The one-key listing ingest uses to find the object, answered for the pinned version. */
function listingOf(command: unknown, version: ObjectVersion): ListObjectsV2CommandOutput | null {
  if (!(command instanceof ListObjectsV2Command)) return null;
  const { Bucket, Prefix, MaxKeys } = command.input;
  if (Bucket !== version.bucket || Prefix !== version.key || MaxKeys !== 1) return null;
  return {
    $metadata: {},
    IsTruncated: false,
    KeyCount: 1,
    Contents: [{ Key: version.key, ETag: version.etag, Size: version.size }],
  };
}

function withVersion(command: unknown, version: ObjectVersion): unknown {
  if (command instanceof GetObjectCommand && isThisObject(command.input, version))
    return new GetObjectCommand({ ...command.input, VersionId: version.versionId });
  if (command instanceof HeadObjectCommand && isThisObject(command.input, version))
    return new HeadObjectCommand({ ...command.input, VersionId: version.versionId });
  return command;
}
