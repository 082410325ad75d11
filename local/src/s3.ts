/**
 * S3 plumbing shared by `ingest`, `compact`, `backfill` and the backfill Lambda: `s3://` locations,
 * one way to build the client (standard credential and region chain, or an S3-compatible endpoint),
 * and one-line messages for the errors a user can fix.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { UserInputError } from '../../transform/src/errors';

/** A bucket and a key prefix ('' for the whole bucket; otherwise ending in '/' when it is a folder). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

const S3_URL = /^s3:\/\/([^/]+)(?:\/(.*))?$/;
// S3's rules for bucket names (lower case, digits, dots and hyphens; 3 to 63 characters).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for `s3://…` text. */
export function isS3Url(text: string): boolean {
  return text.startsWith('s3://');
}

/**
 * Parses `s3://bucket/prefix`. Throws UserInputError for anything else, naming `what` (e.g. "--lake").
 *
 * @example
 * parseS3Url('s3://archive/pinpoint/2024/') // { bucket: 'archive', prefix: 'pinpoint/2024/' }
 */
export function parseS3Url(text: string, what = 'the location'): S3Location {
  const match = S3_URL.exec(text);
  if (!match || !BUCKET_NAME.test(match[1])) {
    throw new UserInputError(`${what} '${text}' is not an S3 location; write it as s3://bucket/prefix/`);
  }
  return { bucket: match[1], prefix: match[2] ?? '' };
}

/** `s3://bucket/key`. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** S3 wraps ETags in double quotes; the bare value is what names an object's content. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** The key prefix of a lake, ending in '/' unless it is the bucket's root. */
export function folderPrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export interface S3ClientOptions {
  /** An S3-compatible endpoint (`--s3-endpoint`); addressed path-style. */
  endpoint?: string;
  region?: string;
}

/**
 * The S3 client every command uses. Credentials and region come from the standard AWS chain
 * (environment, profile, SSO, instance role); a custom endpoint is addressed path-style, and
 * checksums are sent only when an operation requires them, which S3-compatible servers accept.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const endpoint = options.endpoint;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new UserInputError(`--s3-endpoint '${endpoint}' is not a URL; pass e.g. http://127.0.0.1:4568`);
  }
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // A bucket in another region than the client's answers with a redirect: follow it.
    followRegionRedirects: true,
    ...(endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  });
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

/**
 * Turns an S3 error a user can fix (missing bucket, denied access, bad credentials, unreachable
 * endpoint) into a one-line UserInputError about `where`; anything else is returned unchanged.
 */
export function describeS3Error(error: unknown, where: string): unknown {
  const name = (error as { name?: string })?.name ?? '';
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  // The SDK may wrap a socket error and keep its code only in the message.
  const code =
    (error as NodeJS.ErrnoException)?.code ??
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/.exec(String((error as Error)?.message))?.[1];
  let why: string | undefined;
  if (name === 'NoSuchBucket') why = 'the bucket does not exist; check the bucket name and region';
  else if (name === 'NoSuchKey' || name === 'NotFound')
    why = 'the object does not exist; list the prefix to check the key';
  // Before the 403 check: S3 refuses an unknown key or a bad signature with a 403 too.
  else if (CREDENTIAL_ERRORS.has(name))
    why = `the AWS credentials were refused or are missing (${name}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  else if (name === 'AccessDenied' || status === 403)
    why = 'access denied; give these credentials s3:ListBucket, s3:GetObject (and s3:PutObject for a lake)';
  else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    why = `cannot reach the S3 endpoint (${code}); check --s3-endpoint and the network`;
  if (why === undefined) return error;
  return new UserInputError(`${where}: ${why}`, { cause: error });
}
