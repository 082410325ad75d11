/**
 * The I/O edge of an ingest run: the lake it writes (a folder or an S3 prefix), one S3 client shared
 * by the lake and the S3 inputs (created only when something is on S3), and the inputs expanded
 * into sources.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { UserInputError } from '../../transform/src/errors';
import { resolveInputs, type InputSource, type S3Source } from './input-reader';
import { markerKey } from './ledger';
import { FolderSink, openLakeSink, type LakeSink } from './lake-sink';
import { createS3Client, type S3ClientOptions } from './s3';
import { listS3Sources, openS3Object } from './s3-input';

/** Where a run reads and writes, as options of `ingest` and `planIngest`. */
export interface LakeAccessOptions {
  /** Lake folder, or `s3://bucket/prefix/`: data under `events/`, failures under `errors/`. */
  lake: string;
  /** S3-compatible endpoint and region (`--s3-endpoint`); credentials come from the standard AWS chain. */
  s3?: S3ClientOptions;
  /** The lake to write, instead of opening `lake` (the caller keeps it). */
  sink?: LakeSink;
  /** The client for S3 inputs and an S3 lake, instead of a new one (the caller keeps it). */
  s3Client?: S3Client;
  /** Keys per S3 listing page (default 1,000, S3's maximum); smaller in tests. */
  listPageSize?: number;
}

/** An opened lake, with S3 access for the inputs. Close it when done. */
export interface IngestLake {
  sink: LakeSink;
  /** True for a lake folder, which `check()` creates: a dry run must not. */
  isFolder: boolean;
  listS3(url: string): Promise<S3Source[]>;
  openS3(source: S3Source): Promise<Readable>;
  /** Releases the S3 client if this module created it. */
  close(): void;
}

/** Opens the lake the options name; the S3 client is created on first use. */
export function openIngestLake(options: LakeAccessOptions): IngestLake {
  let created: S3Client | undefined;
  const client = (): S3Client => options.s3Client ?? (created ??= createS3Client(options.s3));
  // A mistyped --s3-endpoint is reported even when nothing turns out to be on S3.
  if (options.s3?.endpoint !== undefined) client();
  const sink = options.sink ?? openLakeSink(options.lake, options.s3, client);
  return {
    sink,
    isFolder: sink instanceof FolderSink,
    listS3: (url) => listS3Sources(client(), url, { pageSize: options.listPageSize }),
    openS3: (source) => openS3Object(client(), source),
    close: () => created?.destroy(),
  };
}

/** The sources the inputs name, in order (S3 inputs listed through the lake's client). */
export async function resolveSources(inputs: readonly string[], lake: IngestLake): Promise<InputSource[]> {
  const sources = await resolveInputs(inputs, { listS3: (url) => lake.listS3(url) });
  if (sources.some((s) => s.kind === 'stdin') && sources.length > 1) {
    // Stdin cannot be checkpointed: after a kill, a rerun would read the other inputs' events twice.
    throw new UserInputError("'-' (stdin) cannot be mixed with other inputs; ingest it in a run of its own");
  }
  // The same source named twice (`dir/` and `dir/a.ndjson`) is read once: its events would be stored twice.
  const seen = new Set<string>();
  return sources.filter((source) => {
    const key = markerKey(source);
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
