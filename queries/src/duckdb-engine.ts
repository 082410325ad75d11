/**
 * The local engine: an in-memory DuckDB over the Parquet lake. It creates `events` (every column
 * of `COLUMNS` cast to its DuckDB type, plus the partition keys from the hive path), the Trino
 * compatibility macros, and the views; then runs saved queries with bound `?` parameters.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { UserInputError } from '../../transform/src/errors';
import { COLUMNS, PARTITION_KEYS, TYPE_MAPPINGS } from '../../transform/src/schema';
import { loadViews } from './catalog';
import { duckDbMacros, rewriteForDuckDb } from './compat';
import { fromDuckDbJs } from './results';
import { quoteIdentifier, quoteString } from './sql-tokens';
import type { ParamValue, QueryResult, ViewDefinition } from './types';

/** An open local lake: run SQL against `events` and the views. */
export interface LocalLake {
  /** Runs one statement with its `?` values bound, and reads every row. */
  run(sql: string, values?: readonly ParamValue[]): Promise<QueryResult>;
  /** The DuckDB connection, for EXPLAIN and tests. */
  readonly connection: DuckDBConnection;
  close(): void;
}

/** Options of `openLocalLake`. */
export interface OpenLakeOptions {
  /** Views to create after `events`; default: every `queries/views/*.sql`. */
  readonly views?: ViewDefinition[];
  /**
   * Confine the session to the lake's `events/` folder once the views exist (see `confineToLake`):
   * for SQL a user wrote or parameterised. Off for the project's own tools (the scan profiler
   * changes settings, which a confined session refuses).
   */
  readonly confine?: boolean;
}

/** The `read_parquet` call over every Parquet file of the lake, partition keys from the path. */
export function parquetScan(lakeDir: string): string {
  const glob = `${resolve(lakeDir).replace(/\\/g, '/')}/events/**/*.parquet`;
  const hiveTypes = PARTITION_KEYS.map((p) => `${quoteString(p.name)}: 'VARCHAR'`).join(', ');
  return `read_parquet(${quoteString(glob)}, hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
}

/**
 * The `events` view: each column of `COLUMNS` cast to its DuckDB type (a TIMESTAMP WITH TIME ZONE
 * written by Arrow becomes a UTC TIMESTAMP, as Firehose's INT96 reads), then the partition keys.
 * Columns no file has yet (added to the schema later) read as typed nulls.
 */
export function eventsViewSql(lakeDir: string, presentColumns: ReadonlySet<string>): string {
  const select = COLUMNS.map((c) => {
    const type = TYPE_MAPPINGS[c.type].duckdb;
    const source = presentColumns.has(c.name) ? quoteIdentifier(c.name) : 'null';
    return `cast(${source} as ${type}) as ${quoteIdentifier(c.name)}`;
  });
  for (const p of PARTITION_KEYS) select.push(quoteIdentifier(p.name));
  return `create or replace view events as select ${select.join(', ')} from ${parquetScan(lakeDir)}`;
}

/** Throws the one-line "no lake" error unless `<lake>/events` holds at least one Parquet file. */
export function assertLake(lakeDir: string): void {
  const events = join(lakeDir, 'events');
  const hasParquet =
    existsSync(events) &&
    statSync(events).isDirectory() &&
    readdirSync(events, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
  if (!hasParquet) {
    throw new UserInputError(
      `no lake at '${lakeDir}': run \`engagement-lake ingest <files>\` or \`npm start\` first`,
    );
  }
}

/**
 * Opens the lake at `lakeDir` in an in-memory DuckDB.
 *
 * @throws UserInputError when the folder holds no Parquet events
 * @example
 * const lake = await openLocalLake('lake');
 * const { rows } = await lake.run('select count(*) as n from events where dt between ? and ?', ['2026-11-01', '2026-11-30']);
 * lake.close();
 */
export async function openLocalLake(lakeDir: string, options: OpenLakeOptions = {}): Promise<LocalLake> {
  assertLake(lakeDir);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const close = (): void => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run("set TimeZone = 'UTC'");
    // Footers are read once per session, not once per query (the demo and bench run many).
    await connection.run('set parquet_metadata_cache = true');
    const described = await connection.runAndReadAll(`describe select * from ${parquetScan(lakeDir)}`);
    const present = new Set(described.getRowObjectsJS().map((row) => String(row.column_name)));
    await connection.run(eventsViewSql(lakeDir, present));
    for (const macro of duckDbMacros()) await connection.run(macro);
    for (const view of options.views ?? loadViews()) {
      await connection.run(
        `create or replace view ${quoteIdentifier(view.name)} as ${rewriteForDuckDb(view.sql)}`,
      );
    }
    if (options.confine) await confineToLake(connection, lakeDir);
  } catch (error) {
    close();
    throw error;
  }
  return { connection, run: (sql, values = []) => runStatement(connection, sql, values), close };
}

/**
 * Lets the session touch no file outside `<lake>/events/`: no reads (a quoted path is a table to
 * DuckDB's replacement scan, and `read_csv` takes any path), no writes (`COPY`, `EXPORT`,
 * `ATTACH`), no extensions, no network; and locks the configuration so SQL cannot undo it. DuckDB
 * resolves `..` before the check, so the trailing slash makes `events-x/` another folder.
 */
export async function confineToLake(connection: DuckDBConnection, lakeDir: string): Promise<void> {
  const events = `${resolve(lakeDir, 'events').replace(/\\/g, '/')}/`;
  await connection.run(`set allowed_directories = [${quoteString(events)}]`);
  await connection.run('set enable_external_access = false');
  await connection.run('set lock_configuration = true');
}

async function runStatement(
  connection: DuckDBConnection,
  sql: string,
  values: readonly ParamValue[],
): Promise<QueryResult> {
  const reader =
    values.length === 0
      ? await connection.runAndReadAll(rewriteForDuckDb(sql))
      : await connection.runAndReadAll(rewriteForDuckDb(sql), values as DuckDBValue[]);
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  const rows = reader.getRowsJS().map((row) => {
    const object: Record<string, unknown> = {};
    row.forEach((value, index) => {
      object[names[index]] = fromDuckDbJs(value, types[index]);
    });
    return object;
  });
  return { columns: names.map((name, index) => ({ name, type: types[index] })), rows };
}
