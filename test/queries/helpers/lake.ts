/**
 * Builds small hand-made lakes for the query tests: rows written with DuckDB `COPY … PARTITION_BY`
 * into `<dir>/events/family=<f>/dt=<d>/`, every column of `COLUMNS` typed from `TYPE_MAPPINGS`
 * (nulls for the ones a row does not set). Timestamps are ISO strings in the row objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { COLUMNS, TYPE_MAPPINGS, type ColumnName } from '../../../transform/src/schema';

/** A test row: any subset of the columns, plus the partition keys. */
export type TestRow = Partial<Record<ColumnName, unknown>> & { family: string; dt: string };

/** Options for one batch of files. */
export interface WriteOptions {
  /** Write timestamps as TIMESTAMP WITH TIME ZONE (as the Arrow ingest does) instead of TIMESTAMP (INT96-like). */
  readonly timestampsWithTimeZone?: boolean;
  /** File name prefix, so several batches can land in the same partition. */
  readonly filePrefix?: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function literal(value: unknown, type: (typeof COLUMNS)[number]['type']): string {
  if (value === null || value === undefined) return 'null';
  switch (type) {
    case 'string':
    case 'timestamp':
      return quote(String(value));
    case 'int':
    case 'double':
      return String(Number(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'array<string>':
      return `[${(value as string[]).map(quote).join(', ')}]`;
    default: {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) return 'map()';
      return `map {${entries.map(([k, v]) => `${quote(k)}: ${typeof v === 'number' ? String(v) : quote(String(v))}`).join(', ')}}`;
    }
  }
}

/** Writes `rows` as Parquet files under `<dir>/events/family=…/dt=…/`. */
export async function writeRows(
  dir: string,
  rows: readonly TestRow[],
  options: WriteOptions = {},
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("set TimeZone = 'UTC'");
    const typeOf = (c: (typeof COLUMNS)[number]): string =>
      c.type === 'timestamp' && options.timestampsWithTimeZone ? 'TIMESTAMPTZ' : TYPE_MAPPINGS[c.type].duckdb;
    const selects = rows.map((row) => {
      const values = COLUMNS.map((c) => `cast(${literal(row[c.name], c.type)} as ${typeOf(c)}) as ${c.name}`);
      return `select ${values.join(', ')}, ${quote(row.family)} as family, ${quote(row.dt)} as dt`;
    });
    const target = join(dir, 'events').replace(/\\/g, '/');
    const prefix = options.filePrefix ?? 'part';
    await connection.run(
      `copy (${selects.join(' union all ')}) to ${quote(target)} (format parquet, partition_by (family, dt), overwrite_or_ignore true, filename_pattern '${prefix}-{i}')`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A fresh temporary folder, and a function that removes it. */
export function tempLake(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'engagement-lake-queries-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A row with the never-null columns filled in, for brevity in tests. */
export function row(
  family: string,
  eventName: string,
  eventTime: string,
  fields: Partial<Record<ColumnName, unknown>> = {},
): TestRow {
  return {
    event_id: fields.event_id ?? `${eventName}-${eventTime}-${Math.random().toString(36).slice(2, 10)}`,
    source_format: 'pinpoint',
    event_type: eventName,
    event_name: eventName,
    event_time: eventTime,
    arrival_time: eventTime,
    time_source: 'event',
    ...fields,
    family,
    dt: String(fields.event_time ?? eventTime).slice(0, 10),
  };
}
