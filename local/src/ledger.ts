/**
 * The ingest checkpoint: one small JSON marker in the lake per source object whose events are all
 * published, under `_ingested/` (outside `events/` and `errors/`, which the Glue table and the
 * Firehose own). The source's identity is part of the marker's key, so one LIST of the markers'
 * prefix tells which sources are done (1,000 keys a request) without reading any marker:
 *
 *   _ingested/s3/<bucket>/<key>/@etag-<etag>.json
 *   _ingested/file/<absolute path without the leading '/'>/@size-<bytes>-mtime-<ms>.json
 *
 * ('@' never occurs in an encoded key segment, so a marker name never clashes with a folder.)
 *
 * A folder lake allows 255 bytes a name and S3 1,024 bytes a key (with the lake's prefix), so an
 * over-long segment keeps a readable start and ends in `@<hash>` of all of it, and an over-long path
 * keeps its first segments and ends in a segment `@path-<hash>` of all of it. Only keys longer than
 * that change; a marker written before under a longer key is still found (see markerKeys).
 *
 * A replaced object (new ETag) or a changed file (new size or mtime) has no marker yet and is read
 * again. Standard input is never checkpointed.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { InputSource } from './input-reader';
import { sourceLabel } from './input-reader';
import type { LakeSink } from './lake-sink';

/** Where the checkpoint lives in the lake. */
export const LEDGER_PREFIX = '_ingested/';

/** What a marker holds: which source, its identity, the run that read it, and what became of it. */
export interface SourceMarker {
  /** The source's `s3://` URL or absolute path. */
  source: string;
  etag?: string;
  size: number;
  mtimeMs?: number;
  runId: string;
  /** ISO-8601 UTC: when the run committed the source (its rows were all published). */
  finishedAt: string;
  /** `records = okRecords + failedRecords`; `rows` of those went to `events/`. */
  records: number;
  okRecords: number;
  failedRecords: number;
  rows: number;
}

/**
 * One path segment made safe for any lake: S3 keys may hold characters, `.`/`..` segments or empty
 * segments (`a//b`) that a folder lake cannot store as they are. The mapping is one-to-one, so two
 * sources never share a marker.
 */
function safeSegment(segment: string): string {
  if (segment === '') return '%';
  if (segment === '.' || segment === '..') return segment.replace(/\./g, '%2E');
  return encodeURIComponent(segment);
}

/** Encoded segments above this are shortened: a file name has 255 bytes at most, with room for a temp name. */
const MAX_SEGMENT = 200;
/** Encoded source paths above this are shortened: with the lake's prefix, a marker key stays under S3's 1,024 bytes. */
const MAX_PATH = 512;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Encoded segments are ASCII, so characters are bytes. '@' never occurs in one, so the result is unique. */
function shortSegment(encoded: string): string {
  return encoded.length <= MAX_SEGMENT ? encoded : `${encoded.slice(0, 160)}@${digest(encoded)}`;
}

function safePath(path: string, shorten: boolean): string {
  const encoded = path.split('/').map(safeSegment);
  if (!shorten) return encoded.join('/');
  const segments = encoded.map(shortSegment);
  const joined = segments.join('/');
  if (joined.length <= MAX_PATH) return joined;
  // Readable leading folders, then one segment for the whole path.
  const kept: string[] = [];
  let length = 0;
  for (const segment of segments) {
    if (length + segment.length + 1 > MAX_PATH / 2) break;
    kept.push(segment);
    length += segment.length + 1;
  }
  return [...kept, `@path-${digest(encoded.join('/'))}`].join('/');
}

function sourceMarkerKey(source: Exclude<InputSource, { kind: 'stdin' }>, shorten: boolean): string {
  if (source.kind === 's3') {
    return `${LEDGER_PREFIX}s3/${safeSegment(source.bucket)}/${safePath(source.key, shorten)}/@etag-${safeSegment(source.etag)}.json`;
  }
  const absolute = resolve(source.path).split('\\').join('/').replace(/^\/+/, '');
  const mtime = Math.floor(source.mtimeMs ?? 0);
  return `${LEDGER_PREFIX}file/${safePath(absolute, shorten)}/@size-${source.size}-mtime-${mtime}.json`;
}

/** The marker key of a source, relative to the lake; null for standard input. */
export function markerKey(source: InputSource): string | null {
  return source.kind === 'stdin' ? null : sourceMarkerKey(source, true);
}

/**
 * Every key a marker of the source may have: its key, then the unshortened key that earlier
 * versions wrote when it differs (an S3 lake could hold such a marker). Empty for standard input.
 */
export function markerKeys(source: InputSource): string[] {
  if (source.kind === 'stdin') return [];
  const key = sourceMarkerKey(source, true);
  const legacy = sourceMarkerKey(source, false);
  return legacy === key ? [key] : [key, legacy];
}

/** The counts a marker records for one source. */
export interface SourceCounts {
  records: number;
  okRecords: number;
  failedRecords: number;
  rows: number;
}

/** The marker for a source read by `runId`, finished at `finishedAt` (epoch ms). */
export function sourceMarker(
  source: Exclude<InputSource, { kind: 'stdin' }>,
  runId: string,
  finishedAt: number,
  counts: SourceCounts,
): SourceMarker {
  const identity =
    source.kind === 's3'
      ? { etag: source.etag, size: source.size }
      : { size: source.size, mtimeMs: source.mtimeMs };
  return {
    source: source.kind === 's3' ? sourceLabel(source) : resolve(source.path),
    ...identity,
    runId,
    finishedAt: new Date(finishedAt).toISOString(),
    ...counts,
  };
}

/** Longest common prefix of sorted strings, cut back to a '/' so it names a folder. */
function commonFolder(sorted: readonly string[]): string {
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  let n = 0;
  while (n < first.length && first[n] === last[n]) n++;
  return first.slice(0, first.lastIndexOf('/', n - 1) + 1);
}

/**
 * The sources whose marker is in the lake with the same identity: the ones a run can skip.
 * Lists the markers below the sources' common folder once per kind and bucket (one LIST request per
 * 1,000 markers), instead of one request per source.
 *
 * @example
 * const done = await readDoneSources(sink, sources);
 * const toRead = sources.filter((s) => !done.has(s));
 */
export async function readDoneSources(
  sink: LakeSink,
  sources: readonly InputSource[],
): Promise<Set<InputSource>> {
  const byGroup = new Map<string, { key: string; source: InputSource }[]>();
  for (const source of sources) {
    for (const key of markerKeys(source)) {
      // `_ingested/s3/<bucket>/` or `_ingested/file/`: markers in one group share a listing.
      const group = key.split('/', source.kind === 's3' ? 3 : 2).join('/');
      const entries = byGroup.get(group) ?? [];
      entries.push({ key, source });
      byGroup.set(group, entries);
    }
  }
  const done = new Set<InputSource>();
  for (const entries of byGroup.values()) {
    const keys = entries.map((e) => e.key).sort();
    const present = new Set<string>();
    for await (const object of sink.list(commonFolder(keys))) present.add(object.key);
    for (const { key, source } of entries) if (present.has(key)) done.add(source);
  }
  return done;
}

/** Publishes the markers: each one records a source whose rows are all in the lake. */
export async function writeMarkers(
  sink: LakeSink,
  markers: readonly { key: string; marker: SourceMarker }[],
): Promise<void> {
  // A few at a time: a commit after many small objects has many markers, each a small PUT.
  for (let start = 0; start < markers.length; start += 16) {
    await Promise.all(
      markers
        .slice(start, start + 16)
        .map(({ key, marker }) => sink.put(key, Buffer.from(`${JSON.stringify(marker)}\n`))),
    );
  }
}
