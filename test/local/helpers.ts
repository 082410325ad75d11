import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A fresh temporary folder for one test. */
export function tempDir(prefix = 'lake-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Every file under `root`, relative, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path));
    }
  }
  await walk(root);
  return out.sort();
}

/** Runs SQL on an in-memory DuckDB and returns the rows as JSON-friendly objects. */
export async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** SQL reading the lake's events the way the query layer does (hive partitions as VARCHAR). */
export function eventsSql(lake: string, select = '*', where = 'true'): string {
  const glob = join(lake, 'events', '**', '*.parquet').replace(/'/g, "''");
  return `select ${select} from read_parquet('${glob}', hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'family': 'VARCHAR'}) where ${where}`;
}

/** The AWS documentation examples (shared/ sits beside the repository, in CI too). */
export const DOCUMENTED = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'documented');
