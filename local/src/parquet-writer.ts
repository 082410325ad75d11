/**
 * Writes rows as one zstd-compressed Parquet file, atomically: the bytes go to a hidden temporary
 * name in the same folder and are renamed into place only once complete, so a reader (DuckDB's
 * `**\/*.parquet` glob) never sees a partial file and a crash leaves only a `.tmp` behind.
 */
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import {
  Compression,
  EnabledStatistics,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
  type WriterProperties,
} from 'parquet-wasm';
import { TRANSFORM_VERSION } from '../../transform/src/constants';
import type { EventRow } from '../../transform/src/schema';
import { rowsToTable } from './arrow-schema';

/** Test seam: runs after the temporary file is complete and before the rename that publishes it. */
export type BeforeRenameHook = (tempPath: string, finalPath: string) => void | Promise<void>;

export interface WriteParquetOptions {
  /** Rows per row group (default 65,536: small enough to bound reader memory, large enough for zstd). */
  rowGroupSize?: number;
  beforeRename?: BeforeRenameHook;
}

/** The temporary name a file is written under: hidden, and not ending in `.parquet`. */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp`);
}

/**
 * Columns whose values are (nearly) all distinct: a dictionary only costs time there (the writer
 * builds one per row group, then gives up on it) and zstd does the compressing.
 */
const NO_DICTIONARY = ['event_id', 'raw'];

/**
 * Columns no query prunes by min/max: their statistics (whole values, up to the record limit for
 * `raw`) would only fill every file's footer.
 */
const NO_STATISTICS = ['event_id', 'raw'];

/**
 * The writer's settings: zstd; statistics per column chunk (what DuckDB and Athena prune row
 * groups with) but not per page, which costs encode time and no query here uses.
 */
function writerProperties(rowGroupSize = 65_536): WriterProperties {
  let builder = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(EnabledStatistics.Chunk)
    .setCreatedBy(`engagement-lake ${TRANSFORM_VERSION}`);
  for (const column of NO_DICTIONARY) builder = builder.setColumnDictionaryEnabled(column, false);
  for (const column of NO_STATISTICS)
    builder = builder.setColumnStatisticsEnabled(column, EnabledStatistics.None);
  return builder.build();
}

/**
 * Encodes an Arrow IPC stream of rows (see `rowsToIpc`, `concatIpcStreams`) as Parquet bytes.
 *
 * @example
 * const bytes = encodeParquetIpc(concatIpcStreams(chunks.map((c) => c.ipc)));
 */
export function encodeParquetIpc(
  ipc: Uint8Array,
  options: Pick<WriteParquetOptions, 'rowGroupSize'> = {},
): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(ipc), writerProperties(options.rowGroupSize));
}

/** Encodes rows (or an Arrow table of them) as Parquet bytes: zstd, created-by naming this project. */
export function encodeParquet(
  rows: readonly EventRow[] | Table,
  options: Pick<WriteParquetOptions, 'rowGroupSize'> = {},
): Uint8Array {
  return encodeParquetIpc(tableToIPC(rows instanceof Table ? rows : rowsToTable(rows), 'stream'), options);
}

/**
 * Creates the temporary file, refusing to write into someone else's. One that already exists was
 * left by a writer of the same key that was killed (a resumed ingest rewriting its checkpoint, a
 * retried backfill task): its bytes were never published, so it is replaced.
 */
async function openNew(tempPath: string): Promise<FileHandle> {
  try {
    return await open(tempPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await rm(tempPath, { force: true });
    return open(tempPath, 'wx');
  }
}

/**
 * Writes `bytes` to `finalPath` through a temporary file and a rename (atomic on one file system).
 * The temporary file is flushed to disk before the rename so a published name always has its bytes.
 */
export async function writeFileAtomic(
  finalPath: string,
  bytes: Uint8Array,
  beforeRename?: BeforeRenameHook,
): Promise<void> {
  const tempPath = tempPathFor(finalPath);
  await mkdir(dirname(finalPath), { recursive: true });
  const handle = await openNew(tempPath);
  try {
    await handle.writeFile(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  try {
    await beforeRename?.(tempPath, finalPath);
    await rename(tempPath, finalPath);
  } catch (error) {
    // An error (not a crash) must not leave debris: remove the temporary file, keep the cause.
    await rm(tempPath, { force: true });
    throw error;
  }
}

/**
 * Writes rows to one Parquet file at `finalPath`. Returns the number of bytes written.
 *
 * @example
 * await writeParquetFile('lake/events/family=email/dt=2026-11-28/part-01J…-000001.parquet', rows);
 */
export async function writeParquetFile(
  finalPath: string,
  rows: readonly EventRow[] | Table,
  options: WriteParquetOptions = {},
): Promise<number> {
  const bytes = encodeParquet(rows, options);
  await writeFileAtomic(finalPath, bytes, options.beforeRename);
  return bytes.byteLength;
}
