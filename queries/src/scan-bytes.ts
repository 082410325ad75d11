/**
 * The Parquet bytes a query reads, as Athena bills them: the compressed column chunks of the
 * columns each table scan reads, in the files of the partitions it reads (partition projection
 * prunes on `family`/`dt`; Parquet lets a reader fetch only the columns it needs). Row groups a
 * reader could skip by their statistics are counted as read, and footers are reported apart.
 *
 * The local engine shows what each scan reads: DuckDB's profile (`EXPLAIN (ANALYZE, FORMAT json)`)
 * lists every `READ_PARQUET` operator with its projections, pushed-down filters, file filters and
 * file counts, views already expanded. `parquet_metadata()` gives each column chunk's compressed
 * size and offset, and DuckDB's `FileSystem` log gives the byte ranges DuckDB itself read, a check
 * on the model. The parsing and arithmetic here are pure; `measureQueryScan` drives DuckDB.
 */
import { resolve } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { COLUMNS, PARTITION_KEYS } from '../../transform/src/schema';
import { rewriteForDuckDb } from './compat';
import { quoteString } from './sql-tokens';
import type { ParamValue } from './types';

/** One node of DuckDB's JSON profile. */
export interface ProfileNode {
  readonly operator_type?: string;
  readonly operator_name?: string;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
  readonly [metric: string]: unknown;
}

/** One `READ_PARQUET` operator of a profile. */
export interface ParquetScan {
  /** Columns the scan returns, partition keys included. */
  readonly projections: string[];
  /** Filters pushed into the scan (their columns are read even when not returned). */
  readonly filters: string[];
  /** Filters on the partition keys, one expression each, that prune files before the scan. */
  readonly fileFilters: string[];
  /** Files left after the file filters ("Scanning Files: n/…"). */
  readonly plannedFiles?: number;
  /** Files the scan opened ("Total Files Read"); fewer than planned when a join pruned at run time. */
  readonly filesRead?: number;
  /** Rows the scan read. */
  readonly rowsScanned?: number;
  /**
   * How many times Athena would run this scan. DuckDB materialises a CTE that is referenced more
   * than once and reads it once; Trino (Athena engine v3) inlines every reference, so the scan
   * inside runs once per reference, transitively through CTEs that reference CTEs.
   */
  readonly athenaRuns: number;
}

/** A column chunk of one row group of one file. */
export interface ColumnChunk {
  readonly file: string;
  /** Top-level column (`recipients` for `recipients, list, element`). */
  readonly column: string;
  /** First byte: the dictionary page if any, else the first data page. */
  readonly start: number;
  /** `total_compressed_size`. */
  readonly bytes: number;
}

/** One Parquet file of the lake. */
export interface LakeFile {
  readonly path: string;
  readonly family: string;
  readonly dt: string;
  /** File size. */
  readonly bytes: number;
  /** Sum of its column chunks; the rest is the footer, page indexes and magic numbers. */
  readonly chunkBytes: number;
}

/** The lake's files and column chunks, read once per measurement session. */
export interface LakeMetadata {
  readonly files: LakeFile[];
  readonly chunks: ColumnChunk[];
  /** Sum of the file sizes: what S3 stores. */
  readonly bytes: number;
}

/** A byte range a file system read. */
export interface FileRead {
  readonly path: string;
  readonly pos: number;
  readonly bytes: number;
}

/** What one scan of a measured query reads. */
export interface ScanBytes {
  readonly columns: string[];
  readonly files: string[];
  /** Files DuckDB says the scan opened; fewer than `files` when run-time pruning could not be traced. */
  readonly filesOpened?: number;
  /** True when a join pruned files at run time (and `files` was found from the byte ranges read). */
  readonly prunedAtRunTime: boolean;
  /** Column-chunk bytes of one run of the scan. */
  readonly bytes: number;
  /** The same scan if nothing pruned at run time (its planned files). */
  readonly bytesWithoutRunTimePruning: number;
  readonly athenaRuns: number;
}

/** What one query reads. */
export interface ScanMeasurement {
  readonly scans: ScanBytes[];
  /** `family=…/dt=…` of every partition any scan reads, sorted. */
  readonly partitions: string[];
  /** Distinct `dt` values read, sorted. */
  readonly days: string[];
  /** Every column any scan reads, in schema order. */
  readonly columns: string[];
  /** Column-chunk bytes Athena would read: each scan's bytes × its Athena runs. */
  readonly bytes: number;
  /** The same without run-time (join) partition pruning. */
  readonly bytesWithoutRunTimePruning: number;
  /** Distinct column chunks read at least once (what DuckDB needs: a materialised CTE reads once). */
  readonly distinctChunkBytes: number;
  /**
   * Footer and index bytes (file size minus column chunks) of the files each scan opens, times
   * its Athena runs: Athena reads a file's footer every time a scan opens it. Not in `bytes`.
   */
  readonly footerBytes: number;
  /** Bytes DuckDB read from the lake's files in this run (union of the ranges in its log). */
  readonly duckdbBytes: number;
  /** DuckDB's own TOTAL_BYTES_READ metric, for comparison. */
  readonly profileBytesRead?: number;
  /** Result rows. */
  readonly rows: number;
}

const COLUMN_NAMES: readonly string[] = COLUMNS.map((c) => c.name);
const PARTITION_NAMES: readonly string[] = PARTITION_KEYS.map((p) => p.name);

/**
 * Splits DuckDB's "File Filters" text, which concatenates parenthesised expressions
 * (`(dt BETWEEN '…' AND '…')(family = 'app')`), into the expressions. Quotes are respected.
 */
export function splitFileFilters(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, i + 1);
      i = close < 0 ? text.length : close;
      // '' inside a literal: the loop resumes at the second quote and reopens the literal
      continue;
    }
    if (ch === '(') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === ')') {
      depth -= 1;
      if (depth === 0 && start >= 0) {
        parts.push(text.slice(start, i + 1));
        start = -1;
      }
      if (depth < 0) throw new Error(`unbalanced file filter: ${text}`);
    } else if (depth === 0 && ch.trim() !== '') {
      throw new Error(`file filter outside parentheses: ${text}`);
    }
  }
  if (depth !== 0) throw new Error(`unbalanced file filter: ${text}`);
  return parts;
}

/** The column names an expression mentions, outside string literals, in schema order. */
export function columnsIn(expression: string, names: readonly string[] = COLUMN_NAMES): string[] {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  const words = new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  return names.filter((name) => words.has(name));
}

/**
 * The Parquet columns a scan reads: what it returns and what its pushed filters test, without
 * the partition keys (they come from the path). A struct path (`a.b`) reads its top column.
 */
export function scanColumns(scan: ParquetScan, names: readonly string[] = COLUMN_NAMES): string[] {
  const read = new Set<string>();
  for (const projection of scan.projections) {
    const top = names.includes(projection) ? projection : projection.split('.')[0];
    if (!PARTITION_NAMES.includes(top)) read.add(top);
  }
  for (const filter of scan.filters) for (const name of columnsIn(filter, names)) read.add(name);
  const unknown = [...read].filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`scan reads columns not in the schema: ${unknown.join(', ')}`);
  return names.filter((name) => read.has(name));
}

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function count(value: unknown, pattern: RegExp): number | undefined {
  const match = pattern.exec(String(value ?? ''));
  return match ? Number(match[1]) : undefined;
}

/**
 * Every `READ_PARQUET` scan of a profile, with the number of times Athena would run it. A `CTE`
 * node's first child defines the CTE (its `Table Index`), the second is the rest of the query;
 * each `CTE_SCAN` (`CTE Index`) is one reference.
 */
export function findParquetScans(root: ProfileNode): ParquetScan[] {
  interface Found {
    node: ProfileNode;
    context: string;
  }
  const scans: Found[] = [];
  const references = new Map<string, string[]>(); // CTE index → contexts of its references
  const visit = (node: ProfileNode, context: string): void => {
    const type = node.operator_type ?? '';
    const info = node.extra_info ?? {};
    if (type === 'TABLE_SCAN' && String(info.Function ?? node.operator_name) === 'READ_PARQUET') {
      scans.push({ node, context });
    }
    if (type === 'CTE_SCAN') {
      const index = String(info['CTE Index']);
      references.set(index, [...(references.get(index) ?? []), context]);
    }
    const children = node.children ?? [];
    if (type === 'CTE' && children.length === 2) {
      visit(children[0], `cte:${String(info['Table Index'])}`);
      visit(children[1], context);
      return;
    }
    for (const child of children) visit(child, context);
  };
  visit(root, 'main');

  const runs = new Map<string, number>([['main', 1]]);
  const runsOf = (context: string, seen: readonly string[] = []): number => {
    const known = runs.get(context);
    if (known !== undefined) return known;
    if (seen.includes(context)) throw new Error(`CTE references form a cycle through ${context}`);
    const index = context.slice('cte:'.length);
    const total = (references.get(index) ?? []).reduce((sum, c) => sum + runsOf(c, [...seen, context]), 0);
    runs.set(context, total);
    return total;
  };

  return scans.map(({ node, context }) => {
    const info = node.extra_info ?? {};
    return {
      projections: list(info.Projections),
      filters: list(info.Filters),
      fileFilters: list(info['File Filters']).flatMap(splitFileFilters),
      plannedFiles: count(info['Scanning Files'], /^(\d+)\//),
      filesRead: count(info['Total Files Read'], /^(\d+)$/),
      rowsScanned: typeof node.operator_rows_scanned === 'number' ? node.operator_rows_scanned : undefined,
      athenaRuns: runsOf(context),
    };
  });
}

/** `family` and `dt` of a file from its hive path; undefined outside the layout. */
export function partitionOf(path: string): { family: string; dt: string } | undefined {
  const match = /[\\/]family=([^\\/]+)[\\/]dt=([^\\/]+)[\\/][^\\/]+$/.exec(path);
  return match ? { family: match[1], dt: match[2] } : undefined;
}

/** The top-level column of a Parquet `path_in_schema` (`attributes, entries, key` → `attributes`). */
export function topColumn(pathInSchema: string): string {
  return pathInSchema.split(/,\s*|\./)[0];
}

const key = (file: string, column: string): string => `${file}\u0000${column}`;

/** Compressed bytes of the chunks of `columns` in `files`. */
export function chunkBytes(
  chunks: readonly ColumnChunk[],
  files: ReadonlySet<string>,
  columns: ReadonlySet<string>,
): number {
  let total = 0;
  for (const c of chunks) if (files.has(c.file) && columns.has(c.column)) total += c.bytes;
  return total;
}

/** Bytes covered by the union of the ranges read, per file (overlapping reads count once). */
export function unionBytes(reads: readonly FileRead[]): number {
  const byFile = new Map<string, Array<[number, number]>>();
  for (const r of reads) {
    if (r.bytes <= 0) continue;
    byFile.set(r.path, [...(byFile.get(r.path) ?? []), [r.pos, r.pos + r.bytes]]);
  }
  let total = 0;
  for (const ranges of byFile.values()) {
    ranges.sort((a, b) => a[0] - b[0]);
    let [start, end] = ranges[0];
    for (const [s, e] of ranges.slice(1)) {
      if (s > end) {
        total += end - start;
        [start, end] = [s, e];
      } else end = Math.max(end, e);
    }
    total += end - start;
  }
  return total;
}

/**
 * The (file, column) chunks some read starts in. (DuckDB reads a page header with a fixed-size
 * read that can run on into the next, small chunks: overlap alone would count those too.)
 */
export function chunksTouched(chunks: readonly ColumnChunk[], reads: readonly FileRead[]): Set<string> {
  const byFile = new Map<string, FileRead[]>();
  for (const r of reads) byFile.set(r.path, [...(byFile.get(r.path) ?? []), r]);
  const touched = new Set<string>();
  for (const c of chunks) {
    const fileReads = byFile.get(c.file);
    if (!fileReads) continue;
    const end = c.start + c.bytes;
    if (fileReads.some((r) => r.pos >= c.start && r.pos < end)) touched.add(key(c.file, c.column));
  }
  return touched;
}

/**
 * The files of a scan that a join pruned at run time: of its planned files, those where DuckDB
 * read a chunk of a column that no other scan planning that file reads. Undefined when the scan
 * has no such column, or when the count differs from the files the profile says it opened.
 */
export function filesReadAtRunTime(
  scan: { columns: readonly string[]; planned: readonly string[]; filesRead: number },
  others: ReadonlyArray<{ columns: readonly string[]; planned: ReadonlySet<string> }>,
  touched: ReadonlySet<string>,
): string[] | undefined {
  const found = scan.planned.filter((file) => {
    const shared = new Set(others.filter((o) => o.planned.has(file)).flatMap((o) => o.columns));
    return scan.columns.some((column) => !shared.has(column) && touched.has(key(file, column)));
  });
  return found.length === scan.filesRead ? found : undefined;
}

/** Reads the lake's files (sizes from `parquet_file_metadata`) and column chunks. */
export async function readLakeMetadata(connection: DuckDBConnection, lakeDir: string): Promise<LakeMetadata> {
  const glob = quoteString(`${resolve(lakeDir).replace(/\\/g, '/')}/events/**/*.parquet`);
  const chunkRows = (
    await connection.runAndReadAll(
      `select file_name, path_in_schema, coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset) as start, total_compressed_size from parquet_metadata(${glob})`,
    )
  ).getRowsJS();
  const chunks: ColumnChunk[] = chunkRows.map(([file, path, start, bytes]) => ({
    file: String(file),
    column: topColumn(String(path)),
    start: Number(start),
    bytes: Number(bytes),
  }));
  const perFile = new Map<string, number>();
  for (const c of chunks) perFile.set(c.file, (perFile.get(c.file) ?? 0) + c.bytes);
  const fileRows = (
    await connection.runAndReadAll(`select file_name, file_size_bytes from parquet_file_metadata(${glob})`)
  ).getRowsJS();
  const files: LakeFile[] = fileRows.map(([file, size]) => {
    const path = String(file);
    const partition = partitionOf(path);
    if (!partition) throw new Error(`${path} is not under family=…/dt=…/`);
    return { path, ...partition, bytes: Number(size), chunkBytes: perFile.get(path) ?? 0 };
  });
  return { files, chunks, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
}

/** The files whose partition keys pass every file filter, evaluated by DuckDB over a VALUES list. */
async function filesPassing(
  connection: DuckDBConnection,
  files: readonly LakeFile[],
  fileFilters: readonly string[],
): Promise<string[]> {
  if (fileFilters.length === 0) return files.map((f) => f.path);
  const rows = files.map((f) => `(${quoteString(f.path)}, ${quoteString(f.family)}, ${quoteString(f.dt)})`);
  const sql = `select path from (values ${rows.join(', ')}) as lake_files(path, family, dt) where ${fileFilters.join(' and ')}`;
  return (await connection.runAndReadAll(sql)).getRowsJS().map(([path]) => String(path));
}

/**
 * Runs `sql` (Athena dialect, rewritten for DuckDB) once with its values bound, profiled and with
 * DuckDB's file-system log on, and measures what it reads. Views are expanded by DuckDB, so the
 * scans counted are the real `read_parquet` scans. Turns DuckDB's external file cache off (each
 * run reads from disk) and logging off again afterwards.
 *
 * @throws Error when the profile and the lake disagree (a file count that the file filters do not
 *   reproduce), rather than report a wrong number
 */
export async function measureQueryScan(
  connection: DuckDBConnection,
  lake: LakeMetadata,
  sql: string,
  values: readonly ParamValue[] = [],
): Promise<ScanMeasurement> {
  await connection.run('set enable_external_file_cache = false');
  await connection.run("call enable_logging('FileSystem', level = 'trace')");
  let profile: ProfileNode;
  let reads: FileRead[];
  try {
    await connection.run('call truncate_duckdb_logs()');
    const statement = `explain (analyze, format json) ${rewriteForDuckDb(sql).trim().replace(/;$/, '')}`;
    const reader =
      values.length === 0
        ? await connection.runAndReadAll(statement)
        : await connection.runAndReadAll(statement, values as DuckDBValue[]);
    profile = JSON.parse(String(reader.getRowsJS()[0][1])) as ProfileNode;
    reads = (
      await connection.runAndReadAll(
        "select path, pos, bytes from duckdb_logs_parsed('FileSystem') where op = 'READ'",
      )
    )
      .getRowsJS()
      .map(([path, pos, bytes]) => ({ path: String(path), pos: Number(pos), bytes: Number(bytes) }));
  } finally {
    await connection.run('call disable_logging()');
  }
  const lakePaths = new Set(lake.files.map((f) => f.path));
  const lakeReads = reads.filter((r) => lakePaths.has(r.path));

  const scans = findParquetScans(profile);
  const planned: Array<{ scan: ParquetScan; columns: string[]; files: string[] }> = [];
  for (const scan of scans) {
    const files = await filesPassing(connection, lake.files, scan.fileFilters);
    if (scan.plannedFiles !== undefined && scan.plannedFiles !== files.length) {
      throw new Error(
        `the file filters ${scan.fileFilters.join(' and ')} select ${files.length} files; DuckDB planned ${scan.plannedFiles}`,
      );
    }
    planned.push({ scan, columns: scanColumns(scan), files });
  }

  const touched = chunksTouched(lake.chunks, lakeReads);
  const measured: ScanBytes[] = planned.map((p, index) => {
    const columns = new Set(p.columns);
    const all = chunkBytes(lake.chunks, new Set(p.files), columns);
    const filesRead = p.scan.filesRead;
    let files = p.files;
    let pruned = false;
    if (filesRead !== undefined && filesRead < p.files.length) {
      const others = planned
        .filter((_, i) => i !== index)
        .map((o) => ({ columns: o.columns, planned: new Set(o.files) }));
      const found = filesReadAtRunTime({ columns: p.columns, planned: p.files, filesRead }, others, touched);
      if (found) {
        files = found;
        pruned = true;
      }
    }
    return {
      columns: p.columns,
      files,
      filesOpened: filesRead,
      prunedAtRunTime: pruned,
      bytes: pruned ? chunkBytes(lake.chunks, new Set(files), columns) : all,
      bytesWithoutRunTimePruning: all,
      athenaRuns: p.scan.athenaRuns,
    };
  });

  const byPath = new Map(lake.files.map((f) => [f.path, f]));
  const filesRead = [...new Set(measured.flatMap((s) => s.files))].map((p) => byPath.get(p) as LakeFile);
  const distinct = new Set<string>();
  for (const s of measured) for (const f of s.files) for (const c of s.columns) distinct.add(key(f, c));
  const readColumns = new Set(measured.flatMap((s) => s.columns));
  const rootBytes = profile.total_bytes_read;
  return {
    scans: measured,
    partitions: [...new Set(filesRead.map((f) => `family=${f.family}/dt=${f.dt}`))].sort(),
    days: [...new Set(filesRead.map((f) => f.dt))].sort(),
    columns: COLUMN_NAMES.filter((c) => readColumns.has(c)),
    bytes: measured.reduce((sum, s) => sum + s.bytes * s.athenaRuns, 0),
    bytesWithoutRunTimePruning: measured.reduce(
      (sum, s) => sum + s.bytesWithoutRunTimePruning * s.athenaRuns,
      0,
    ),
    distinctChunkBytes: lake.chunks.reduce(
      (sum, c) => sum + (distinct.has(key(c.file, c.column)) ? c.bytes : 0),
      0,
    ),
    footerBytes: measured.reduce((sum, s) => {
      const footers = s.files.reduce(
        (n, p) => n + (byPath.get(p) as LakeFile).bytes - (byPath.get(p) as LakeFile).chunkBytes,
        0,
      );
      return sum + footers * s.athenaRuns;
    }, 0),
    duckdbBytes: unionBytes(lakeReads),
    profileBytesRead: typeof rootBytes === 'number' ? rootBytes : undefined,
    rows: resultRows(profile),
  };
}

/** Rows the query returned: the cardinality of its top operator (under EXPLAIN_ANALYZE and CTEs). */
function resultRows(profile: ProfileNode): number {
  let node: ProfileNode | undefined = profile;
  while (node && [undefined, 'EXPLAIN_ANALYZE', 'CTE'].includes(node.operator_type)) {
    const children: readonly ProfileNode[] = node.children ?? [];
    node = node.operator_type === 'CTE' ? children[children.length - 1] : children[0];
  }
  return typeof node?.operator_cardinality === 'number' ? node.operator_cardinality : 0;
}
