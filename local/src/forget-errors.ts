/**
 * The error output's part of `forget`: records that never became rows still hold the person's data
 * in `rawData` (base64). Each error object whose decoded records mention the subject is replaced by
 * one without those records, in one atomic write (temporary name then rename; one PutObject); the
 * other lines are kept byte for byte. An object left empty is deleted.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { isGzip } from './input-reader';
import type { LakeSink } from './lake-sink';

export interface ErrorScrub {
  /** Error objects changed (or, in a dry run, that would be). */
  files: number;
  /** Error records removed (or that would be). */
  records: number;
}

/** Whether one error document's record mentions the subject (case-insensitive: addresses are). */
function mentions(line: string, needle: string): boolean {
  try {
    const document = JSON.parse(line) as { rawData?: unknown };
    if (typeof document.rawData !== 'string') return false;
    return Buffer.from(document.rawData, 'base64').toString('utf8').toLowerCase().includes(needle);
  } catch {
    return false; // not an error document: not ours to judge, kept
  }
}

/**
 * Removes the subject's records from every object under `errors/`.
 *
 * @example
 * await scrubErrors(sink, 'ana@example.com', false); // { files: 1, records: 3 }
 */
export async function scrubErrors(sink: LakeSink, subject: string, dryRun: boolean): Promise<ErrorScrub> {
  const needle = subject.toLowerCase();
  const result: ErrorScrub = { files: 0, records: 0 };
  const keys: string[] = [];
  for await (const object of sink.list('errors/')) keys.push(object.key);
  for (const key of keys) {
    const body = await sink.get(key);
    if (body === null) continue; // gone since the listing (a lifecycle rule)
    const gzipped = isGzip(body);
    const lines = Buffer.from(gzipped ? gunzipSync(body) : body)
      .toString('utf8')
      .split('\n');
    const kept = lines.filter((line) => !mentions(line, needle));
    if (kept.length === lines.length) continue;
    result.files++;
    result.records += lines.length - kept.length;
    if (dryRun) continue;
    if (kept.every((line) => line.trim() === '')) {
      await sink.delete([key]);
      continue;
    }
    const text = Buffer.from(kept.join('\n'));
    await sink.put(key, gzipped ? gzipSync(text) : text);
  }
  return result;
}
