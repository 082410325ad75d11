/**
 * The Arrow schema of the lake's data files, derived from `COLUMNS` (never a second column list),
 * and the conversion of rows into one Arrow record batch.
 *
 * Partition columns (`family`, `dt`) are not in the files: they live in the path.
 */
import {
  Bool,
  Field,
  Float64,
  Int32,
  List,
  Map_,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  type Data,
  type DataType,
  tableToIPC,
} from 'apache-arrow';
import {
  COLUMNS,
  type ColumnDefinition,
  type ColumnName,
  type EventRow,
  type LogicalType,
} from '../../transform/src/schema';
import { fixedWidthData, mapData, stringListData, utf8Data } from './arrow-columns';

/** A map column as Parquet and Athena expect it: `entries: struct<key not null, value>`. */
function mapOf(value: DataType): Map_ {
  const entries = new Struct([new Field('key', new Utf8(), false), new Field('value', value, true)]);
  return new Map_(new Field('entries', entries, false), false);
}

/** One Arrow type per logical type. Timestamps are milliseconds, adjusted to UTC. */
export function arrowType(type: LogicalType): DataType {
  switch (type) {
    case 'string':
      return new Utf8();
    case 'timestamp':
      return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    case 'int':
      return new Int32();
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'array<string>':
      return new List(new Field('element', new Utf8(), true));
    case 'map<string,string>':
      return mapOf(new Utf8());
    case 'map<string,double>':
      return mapOf(new Float64());
  }
}

/** The schema of every data file: exactly `COLUMNS`, in order, with their nullability. */
export function eventsArrowSchema(): Schema {
  return new Schema(COLUMNS.map((column) => new Field(column.name, arrowType(column.type), column.nullable)));
}

// Built once: every chunk of every batch has this schema.
const EVENTS_SCHEMA = eventsArrowSchema();

function columnData(column: ColumnDefinition, type: DataType, rows: readonly EventRow[]): Data {
  const name = column.name as ColumnName;
  const values = rows.map((row) => row[name]);
  switch (column.type) {
    case 'string':
      return utf8Data(values as (string | null)[]);
    case 'array<string>':
      return stringListData(type as List, values as (string[] | null)[]);
    case 'map<string,string>':
    case 'map<string,double>':
      return mapData(type as Map_, values as (Record<string, string | number> | null)[]);
    default:
      return fixedWidthData(type as Timestamp | Int32 | Float64 | Bool, values);
  }
}

/**
 * Builds one record batch from rows, column by column.
 *
 * @example
 * const batch = rowsToRecordBatch([row1, row2]); // RecordBatch with eventsArrowSchema()
 */
export function rowsToRecordBatch(rows: readonly EventRow[]): RecordBatch {
  const schema = EVENTS_SCHEMA;
  const children = (COLUMNS as readonly ColumnDefinition[]).map((column, index) =>
    columnData(column, schema.fields[index].type, rows),
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** One Arrow table holding the rows (one batch). */
export function rowsToTable(rows: readonly EventRow[]): Table {
  return new Table([rowsToRecordBatch(rows)]);
}

/**
 * An Arrow table from serialized rows, parsed `batchRows` at a time so that only one slice of
 * parsed row objects (several times the size of their JSON) is alive at once.
 */
export function serializedRowsToTable(
  lines: readonly string[],
  parse: (json: string) => EventRow,
  batchRows = 8192,
): Table {
  const batches: RecordBatch[] = [];
  for (let start = 0; start < lines.length; start += batchRows) {
    batches.push(rowsToRecordBatch(lines.slice(start, start + batchRows).map(parse)));
  }
  return batches.length > 0 ? new Table(batches) : new Table(eventsArrowSchema());
}

/**
 * Rows as one Arrow IPC stream (schema + one record batch): the compact form in which a batch's
 * rows travel between threads and wait in partition buffers. Its own ArrayBuffer, so it can be
 * transferred.
 */
export function rowsToIpc(rows: readonly EventRow[]): Uint8Array {
  const ipc = new ChunkWriter().writeAll([rowsToRecordBatch(rows)]).toUint8Array(true);
  return ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : ipc.slice();
}

/**
 * The schema message every chunk starts with, encoded once: encoding 64 fields again for each
 * chunk (a batch's rows of one partition, often a few dozen) took a fifth of the chunk's time.
 */
const SCHEMA_MESSAGE: Uint8Array = (() => {
  const stream = tableToIPC(new Table(EVENTS_SCHEMA), 'stream');
  const metadataBytes = new DataView(stream.buffer, stream.byteOffset, stream.byteLength).getInt32(4, true);
  return stream.slice(0, 8 + metadataBytes); // continuation, length, metadata; a schema has no body
})();

/** Arrow's stream writer, writing the schema message from its cached bytes. */
class ChunkWriter extends RecordBatchStreamWriter {
  protected override _writeSchema(): this {
    return this._write(SCHEMA_MESSAGE);
  }
}
