/**
 * Input for `ingest`: files, `.gz` files (recognised by their magic bytes, whatever their name),
 * folders (recursively, in sorted order so runs are deterministic), S3 objects and prefixes (listed
 * and opened by the caller's S3 functions, so this module needs no SDK) and `-` for stdin. Everything
 * is read as a stream of byte chunks, never whole, so a multi-GB input runs in bounded memory.
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserInputError } from '../../transform/src/errors';

/** A local file, with its size (for progress) and modification time (to tell a changed file). */
export interface FileSource {
  kind: 'file';
  path: string;
  size: number;
  mtimeMs?: number;
}

/** One S3 object, with the size and ETag its listing gave (the ETag tells a replaced object). */
export interface S3Source {
  kind: 's3';
  bucket: string;
  key: string;
  size: number;
  etag: string;
}

/** One input to read: a file, an S3 object or standard input. */
export type InputSource = FileSource | S3Source | { kind: 'stdin' };

/** How a source is named in messages: its path, its `s3://` URL, or `-`. */
export function sourceLabel(source: InputSource): string {
  if (source.kind === 'file') return source.path;
  if (source.kind === 's3') return `s3://${source.bucket}/${source.key}`;
  return '-';
}

const HINT = 'pass NDJSON files, .gz files, folders, s3://bucket/prefix/ or -';

function describeFsError(path: string, error: unknown): UserInputError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
  return new UserInputError(`cannot read '${path}': ${why}; ${HINT}`, { cause: error });
}

/**
 * The files under a folder, recursively, in name order. Symbolic links are followed (a folder
 * reached twice, through a link cycle say, is walked once); a broken link or an entry that is
 * neither a file nor a folder (a FIFO, a socket) is refused, never skipped silently.
 */
async function listFolder(folder: string, walked = new Set<string>()): Promise<InputSource[]> {
  const real = await realpath(folder);
  if (walked.has(real)) return [];
  walked.add(real);
  const entries = await readdir(folder, { withFileTypes: true });
  // Code-unit order, not locale order: the same on every machine.
  const names = entries
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: InputSource[] = [];
  for (const entry of names) {
    const path = join(folder, entry.name);
    const info = await stat(path).catch((error: unknown) => {
      throw new UserInputError(
        `'${path}' is a link to nothing (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): remove it or point it at a file`,
      );
    });
    if (info.isDirectory()) out.push(...(await listFolder(path, walked)));
    else if (info.isFile()) out.push({ kind: 'file', path, size: info.size, mtimeMs: info.mtimeMs });
    else
      throw new UserInputError(
        `'${path}' is neither a file nor a folder (a FIFO, socket or device): move it out of the input folder`,
      );
  }
  return out;
}

export interface ResolveOptions {
  /** Lists the objects an `s3://` input names (see s3-input.ts); absent, such an input is refused. */
  listS3?: (url: string) => Promise<S3Source[]>;
}

/**
 * Expands the command-line inputs into the sources to read, in order. Folders are walked
 * recursively (hidden entries skipped); `s3://` inputs go to `options.listS3`. Throws
 * UserInputError for a missing or unreadable input before anything is read.
 */
export async function resolveInputs(
  inputs: readonly string[],
  options: ResolveOptions = {},
): Promise<InputSource[]> {
  if (inputs.length === 0) throw new UserInputError(`no input given; ${HINT}`);
  const out: InputSource[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push({ kind: 'stdin' });
      continue;
    }
    if (input.startsWith('s3://')) {
      if (!options.listS3)
        throw new UserInputError(`cannot read '${input}' here: S3 inputs need an S3 client`);
      out.push(...(await options.listS3(input)));
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      throw describeFsError(input, error);
    }
    if (info.isDirectory()) {
      try {
        out.push(...(await listFolder(input)));
      } catch (error) {
        throw error instanceof UserInputError ? error : describeFsError(input, error);
      }
    } else out.push({ kind: 'file', path: input, size: info.size, mtimeMs: info.mtimeMs });
  }
  return out;
}

const FIREHOSE_OBJECT_NAME =
  /-\d+-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[\w.]+)?$/i;

/**
 * The arrival time a Firehose object name carries: `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>`
 * (UTC; Firehose names the object after the oldest record's arrival). Null for any other name.
 */
export function arrivalFromObjectName(path: string): number | null {
  const match = FIREHOSE_OBJECT_NAME.exec(basename(path));
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : null;
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** True when the bytes start with Parquet's magic number. */
function isParquet(head: Uint8Array): boolean {
  return head.length >= 4 && Buffer.from(head.subarray(0, 4)).toString('latin1') === 'PAR1';
}

export interface ReadOptions {
  /** Standard input for `-` (default `process.stdin`). */
  stdin?: Readable;
  /** Opens an S3 object's bytes (see s3-input.ts); needed only for S3 sources. */
  openS3?: (source: S3Source) => Promise<Readable>;
  /** Reports raw (compressed) bytes as they are read, for the progress bar. */
  onBytes?: (n: number) => void;
}

async function openSource(source: InputSource, options: ReadOptions): Promise<Readable> {
  if (source.kind === 'stdin') return options.stdin ?? process.stdin;
  if (source.kind === 'file') return createReadStream(source.path, { highWaterMark: 256 * 1024 });
  if (!options.openS3) throw new UserInputError(`cannot read '${sourceLabel(source)}' here: no S3 client`);
  return options.openS3(source);
}

/**
 * Reads one source as chunks of bytes, decompressed: gzip is detected from the first two bytes
 * (concatenated gzip members are read through). The bytes are not decoded: the splitter finds the
 * records in them and each keeps its exact original bytes, invalid UTF-8 included.
 */
export async function* readChunks(source: InputSource, options: ReadOptions = {}): AsyncGenerator<Buffer> {
  const label = sourceLabel(source);
  try {
    const raw = await openSource(source, options);
    const iterator: AsyncIterator<Buffer | string> = raw[Symbol.asyncIterator]();
    const next = async (): Promise<Buffer | null> => {
      const step = await iterator.next();
      if (step.done) return null;
      const buffer = typeof step.value === 'string' ? Buffer.from(step.value, 'utf8') : step.value;
      options.onBytes?.(buffer.byteLength);
      return buffer;
    };
    // Peek at the first bytes to choose gzip or plain text, then replay them.
    let head = Buffer.alloc(0);
    for (let piece = await next(); piece !== null; piece = head.length < 4 ? await next() : null) {
      head = Buffer.concat([head, piece]);
    }
    // Parquet is not a record stream: read as text, every byte would land in the error output.
    // (The AWS "DUE" solution's bucket holds Parquet that its Firehose converted.)
    if (isParquet(head)) {
      throw new UserInputError(
        `'${label}' is a Parquet file, not JSON records; export its rows as NDJSON first (docs/migrate-from-due.md shows how for the DUE solution's bucket)`,
      );
    }
    async function* bytes(): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      for (let piece = await next(); piece !== null; piece = await next()) yield piece;
    }
    const plain = Readable.from(bytes(), { objectMode: false });
    const stream = isGzip(head) ? pipeline(plain, createGunzip(), () => undefined) : plain;
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw describeFsError(label, error);
    if (code?.startsWith('Z_')) {
      throw new UserInputError(`cannot read '${label}': corrupt or truncated gzip data (${code}); ${HINT}`, {
        cause: error,
      });
    }
    throw error;
  }
}
