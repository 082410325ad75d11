/**
 * The record level of the transform: one Firehose record (bytes) in, its rows and partition out.
 * Pure: no I/O, no clock, no logging. The Firehose handler and the local ingest both call it.
 */
import { MAX_RECORD_BYTES } from './constants';
import { EngagementLakeError } from './errors';
import { isPlainObject } from './extra';
import { splitJsonRecords } from './json-split';
import { COLUMNS, emptyRow, type ColumnDefinition, type EventRow, type PartitionKeys } from './schema';
import { formatTimestamp } from './time';
import { transformEvent } from './transform-event';
import type { FailureReason, TransformDiagnostics, TransformOptions } from './types';

/** The outcome of one record: every event's row in one partition, or the first failure. */
export type RecordResult =
  | { ok: true; rows: EventRow[]; partition: PartitionKeys; diagnostics: TransformDiagnostics[] }
  | { ok: false; reason: FailureReason; message: string };

function fail(reason: FailureReason, message: string): RecordResult {
  return { ok: false, reason, message };
}

// `fatal` turns malformed bytes into an error instead of U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Transforms one record's bytes. Order of checks: size (`record_too_large`), strict UTF-8
 * (`invalid_utf8`), then each JSON record in it through `transformEvent`. A record normally holds
 * one event, because Firehose de-aggregates before the Lambda; when it holds several, they must
 * share one partition (`mixed_partitions`), since Firehose takes one partition per record.
 *
 * @example
 * const result = transformRecord(Buffer.from(line), { arrivalTime: 1507217624302, now: Date.now() });
 * if (result.ok) console.log(result.partition, result.rows.length);
 */
export function transformRecord(data: Uint8Array, options: TransformOptions): RecordResult {
  if (data.byteLength > MAX_RECORD_BYTES) {
    return fail(
      'record_too_large',
      `the record is ${data.byteLength} bytes; the limit is ${MAX_RECORD_BYTES}`,
    );
  }
  // Split on the bytes, then decode each piece: the bytes the splitter drops between pieces are
  // ASCII, so the record is valid UTF-8 exactly when every piece is.
  let pieces: string[];
  try {
    pieces = splitJsonRecords(data).map((piece) => UTF8.decode(piece));
  } catch {
    return fail('invalid_utf8', 'the record is not valid UTF-8');
  }
  if (pieces.length === 0) return fail('invalid_json', 'the record is empty');

  const rows: EventRow[] = [];
  const diagnostics: TransformDiagnostics[] = [];
  let partition: PartitionKeys | undefined;
  for (const [index, piece] of pieces.entries()) {
    const result = transformEvent(piece, options);
    const where = pieces.length > 1 ? `event ${index + 1} of ${pieces.length}: ` : '';
    if (!result.ok) return fail(result.reason, where + result.message);
    if (partition && (partition.family !== result.partition.family || partition.dt !== result.partition.dt)) {
      return fail(
        'mixed_partitions',
        `${where}partition ${result.partition.family}/${result.partition.dt} differs from ${partition.family}/${partition.dt}; send one event per record`,
      );
    }
    partition ??= result.partition;
    rows.push(result.row);
    diagnostics.push(result.diagnostics);
  }
  return { ok: true, rows, partition: partition!, diagnostics };
}

type RowValue = EventRow[keyof EventRow];

/**
 * One row as the JSON a Firehose JSON→Parquet conversion (OpenX SerDe, case-sensitive) reads into
 * the Glue columns: exact column names in schema order, timestamps as `yyyy-MM-ddTHH:mm:ss.SSSZ`
 * (epoch numbers are mis-scaled by OpenX before 2001), maps as objects, arrays as arrays. Null
 * columns are left out: the SerDe reads a missing key as NULL, and the response stays smaller.
 */
export function serializeRow(row: EventRow): string {
  // Written member by member: the same text as JSON.stringify of an object of the non-null
  // columns, without building that object first.
  const values = row as Record<string, RowValue>;
  let text = '';
  for (let index = 0; index < COLUMN_NAMES.length; index++) {
    const value = values[COLUMN_NAMES[index]!];
    if (value === null || value === undefined) continue;
    const json = JSON.stringify(IS_TIMESTAMP[index] ? formatTimestamp(value as number) : value);
    if (json === undefined) continue; // as JSON.stringify leaves such a member out
    text += (text === '' ? '{' : ',') + MEMBER_PREFIXES[index] + json;
  }
  return text === '' ? '{}' : text + '}';
}

// `"event_id":` and so on, once per column.
const MEMBER_PREFIXES = COLUMNS.map((column) => `${JSON.stringify(column.name)}:`);

// Per column, in plain arrays: this runs on every row, and the imported COLUMNS is a module
// binding read through a getter on each access once compiled to CommonJS.
const COLUMN_NAMES: readonly string[] = COLUMNS.map((column) => column.name);
const IS_TIMESTAMP: readonly boolean[] = COLUMNS.map((column) => column.type === 'timestamp');
const PREFIX_BYTES: readonly number[] = MEMBER_PREFIXES.map((prefix) => Buffer.byteLength(prefix));

// Printable ASCII other than `"` and `\\`: JSON.stringify writes such a string as itself in quotes.
const PLAIN_JSON_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** UTF-8 bytes of `JSON.stringify(text)`, without building it when nothing needs escaping. */
export function jsonStringBytes(text: string): number {
  return PLAIN_JSON_STRING.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** UTF-8 bytes of `JSON.stringify(value)` for a column value (never null here). */
function jsonValueBytes(value: Exclude<RowValue, null>): number {
  if (typeof value === 'string') return jsonStringBytes(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(JSON.stringify(value)).length;
  if (Array.isArray(value)) {
    let bytes = 1 + Math.max(value.length, 1); // the brackets and the commas between items
    for (const item of value) bytes += jsonStringBytes(item);
    return bytes;
  }
  let bytes = 1; // `{`, then one `,` or the closing `}` per entry
  let entries = 0;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, string | number>)[key]!;
    bytes +=
      jsonStringBytes(key) +
      2 +
      (typeof item === 'string' ? jsonStringBytes(item) : String(JSON.stringify(item)).length);
    entries++;
  }
  return entries === 0 ? 2 : bytes;
}

/**
 * `Buffer.byteLength(serializeRow(row))`, computed without writing the text: the Firehose
 * response-size rule needs the size of every Ok record, and the local pipeline, which never
 * serializes rows, must apply that rule exactly as the handler does.
 */
export function serializedRowBytes(row: EventRow): number {
  const values = row as Record<string, RowValue>;
  let bytes = 1; // `{`; each member adds its prefix, its value and one `,` or the closing `}`
  let members = 0;
  for (let index = 0; index < COLUMN_NAMES.length; index++) {
    const value = values[COLUMN_NAMES[index]!];
    if (value === null || value === undefined) continue;
    const json = IS_TIMESTAMP[index]
      ? jsonStringBytes(formatTimestamp(value as number))
      : jsonValueBytes(value);
    bytes += PREFIX_BYTES[index]! + json + 1;
    members++;
  }
  return members === 0 ? 2 : bytes;
}

/**
 * The data of an Ok record: its rows, one JSON object per line. The trailing newline keeps the
 * objects line-delimited when Firehose concatenates records into one S3 object.
 */
export function serializeRows(rows: readonly EventRow[]): string {
  let text = '';
  for (const row of rows) text += serializeRow(row) + '\n';
  return text;
}

function isStringMap(value: unknown, valueType: 'string' | 'number'): boolean {
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === valueType);
}

/** Reads one serialized column value back; undefined when it has the wrong type. */
function readValue(column: ColumnDefinition, value: unknown): RowValue | undefined {
  switch (column.type) {
    case 'timestamp': {
      const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
      return Number.isFinite(ms) ? ms : undefined;
    }
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'int':
      return Number.isInteger(value) ? (value as number) : undefined;
    case 'double':
      return typeof value === 'number' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'array<string>':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? (value as string[])
        : undefined;
    case 'map<string,string>':
      return isStringMap(value, 'string') ? (value as Record<string, string>) : undefined;
    case 'map<string,double>':
      return isStringMap(value, 'number') ? (value as Record<string, number>) : undefined;
  }
}

/**
 * The inverse of {@link serializeRow}, for the local pipeline: missing columns become null,
 * unknown keys are ignored (as the SerDe does). Throws EngagementLakeError when the text is not a
 * JSON object, a value has the wrong type, or a never-null column is missing.
 */
export function parseRow(json: string): EventRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new EngagementLakeError('a serialized row is not valid JSON', { cause });
  }
  if (!isPlainObject(parsed)) throw new EngagementLakeError('a serialized row is not a JSON object');
  // Filled in column order over emptyRow()'s keys, which are already in that order.
  const row: Record<string, RowValue> = emptyRow();
  for (const column of COLUMNS as readonly ColumnDefinition[]) {
    const value = parsed[column.name];
    if (value === undefined || value === null) {
      if (!column.nullable) throw new EngagementLakeError(`a serialized row has no '${column.name}'`);
      row[column.name] = null;
      continue;
    }
    const read = readValue(column, value);
    if (read === undefined) {
      throw new EngagementLakeError(`a serialized row's '${column.name}' is not a valid ${column.type}`);
    }
    row[column.name] = read;
  }
  return row as EventRow;
}
