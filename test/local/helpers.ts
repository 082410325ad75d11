import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const created: string[] = [];

// Registered in every test file that imports these helpers: its temporary folders go with it.
afterAll(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary folder for one test, removed after the test file. */
export async function tempDir(prefix = 'lake-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `engagement-lake-${prefix}`));
  created.push(dir);
  return dir;
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

/**
 * Rows of one Parquet file stored out of the compacted layout's order (ADR 0006: recipient, device,
 * time, id), counted by the rows' own positions in the file (file_row_number), not as a query sorts them.
 */
export async function rowsOutOfLayoutOrder(path: string): Promise<number> {
  const [{ unordered }] = await duckdbRows(
    `select count(*) filter (where ordinal <> file_row_number + 1)::INTEGER as unordered from (
       select file_row_number, row_number() over (
         order by destination nulls last, endpoint_id nulls last, event_time, event_id) as ordinal
       from read_parquet('${path.replace(/'/g, "''")}', file_row_number = true))`,
  );
  return Number(unordered);
}

/** SQL reading the lake's events the way the query layer does (hive partitions as VARCHAR). */
export function eventsSql(lake: string, select = '*', where = 'true'): string {
  const glob = join(lake, 'events', '**', '*.parquet').replace(/'/g, "''");
  return `select ${select} from read_parquet('${glob}', hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'family': 'VARCHAR'}) where ${where}`;
}

/** The AWS documentation examples (shared/ sits beside the repository, in CI too). */
export const DOCUMENTED = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'documented');
