/**
 * Writes rows as one zstd-compressed Parquet file, atomically: the bytes go to a hidden temporary
 * name in the same folder and are renamed into place only once complete, so a reader (DuckDB's
 * `**\/*.parquet` glob) never sees a partial file and a crash leaves only a `.tmp` behind.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
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

/** Encodes rows (or an Arrow table of them) as Parquet bytes: zstd, created-by naming this project. */
export function encodeParquet(
  rows: readonly EventRow[] | Table,
  options: Pick<WriteParquetOptions, 'rowGroupSize'> = {},
): Uint8Array {
  const ipc = tableToIPC(rows instanceof Table ? rows : rowsToTable(rows), 'stream');
  const wasmTable = WasmTable.fromIPCStream(ipc);
  const properties = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setMaxRowGroupSize(options.rowGroupSize ?? 65_536)
    .setCreatedBy(`engagement-lake ${TRANSFORM_VERSION}`)
    .build();
  return writeParquet(wasmTable, properties);
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
  const handle = await open(tempPath, 'wx');
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
