/**
 * Reads an error-output object back into the records it came from, for `replay`. The documents are
 * Firehose's (one JSON object a line, `rawData` in base64), whether Firehose or `ingest` wrote them:
 * - `processing-failed` documents hold the record's original bytes;
 * - the other error types (`format-conversion-failed`, `partitioning-failed`, …) hold what the
 *   transform Lambda returned, rows of the events table, so each record is rebuilt from its rows'
 *   `raw` (the event's JSON as received).
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html
 */
import { gunzipSync } from 'node:zlib';
import type { SourceRecord } from './batcher';
import { isGzip } from './input-reader';

/** An error object's records, or why it cannot be replayed (it is then left as it is). */
export type ErrorObjectRecords = { ok: true; records: SourceRecord[] } | { ok: false; reason: string };

/** The error type folder a key is under: `errors/<type>/YYYY/MM/DD/HH/…`. */
function holdsOriginalBytes(key: string): boolean {
  return key.split('/').includes('processing-failed');
}

/**
 * The records of one error object, in order, each with the arrival time Firehose recorded. A line
 * that is not an error document, or a row without `raw`, makes the whole object unreplayable: its
 * other records are not replayed either, so nothing is half done.
 */
export function recordsOfErrorObject(key: string, body: Uint8Array): ErrorObjectRecords {
  const text = Buffer.from(isGzip(body) ? gunzipSync(body) : body).toString('utf8');
  const original = holdsOriginalBytes(key);
  const records: SourceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const document = parseDocument(lines[i]);
    if (document === null)
      return { ok: false, reason: `line ${i + 1} is not an error document (JSON with rawData)` };
    const data = Buffer.from(document.rawData, 'base64');
    const arrivalTime = typeof document.arrivalTimestamp === 'number' ? document.arrivalTimestamp : null;
    if (original) {
      records.push({ data, arrivalTime });
      continue;
    }
    const raws = rawOfRows(data);
    if (typeof raws === 'string') return { ok: false, reason: `line ${i + 1}: ${raws}` };
    for (const raw of raws) records.push({ data: raw, arrivalTime });
  }
  return { ok: true, records };
}

function parseDocument(line: string): { rawData: string; arrivalTimestamp?: unknown } | null {
  try {
    const value = JSON.parse(line) as { rawData?: unknown };
    return value !== null && typeof value === 'object' && typeof value.rawData === 'string'
      ? (value as { rawData: string })
      : null;
  } catch {
    return null;
  }
}

/** The `raw` of each row the transform returned (one per line), or why there is none. */
function rawOfRows(data: Uint8Array): Buffer[] | string {
  const raws: Buffer[] = [];
  for (const line of Buffer.from(data).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = (JSON.parse(line) as { raw?: unknown }).raw;
    } catch {
      return 'its rawData is not the rows the transform returned';
    }
    if (typeof raw !== 'string')
      return 'a row has no raw (the lake keeps no raw text), so the record cannot be rebuilt; ingest it again from the archive';
    raws.push(Buffer.from(raw, 'utf8'));
  }
  return raws;
}
