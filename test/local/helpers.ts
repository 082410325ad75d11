import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseRow, serializeRows, transformRecord } from '../../transform/src/records';
import type { LocalTransform } from '../../local/src/delivery';

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

/**
 * A LocalTransform standing in for the Firehose handler where a test needs to control it: same
 * record path (`transformRecord`, `serializeRows`), same response shape.
 */
export function recordsTransform(includeRaw = true): LocalTransform {
  return {
    async handler(event) {
      return {
        records: event.records.map((record) => {
          const data = Buffer.from(record.data, 'base64');
          const result = transformRecord(data, {
            arrivalTime: record.approximateArrivalTimestamp ?? null,
            includeRaw,
            now: Date.now(),
          });
          return result.ok
            ? {
                recordId: record.recordId,
                result: 'Ok' as const,
                data: Buffer.from(serializeRows(result.rows)).toString('base64'),
                metadata: { partitionKeys: { family: result.partition.family, dt: result.partition.dt } },
              }
            : { recordId: record.recordId, result: 'ProcessingFailed' as const, data: record.data };
        }),
      };
    },
    failureOf(record) {
      const result = transformRecord(record.data, {
        arrivalTime: record.arrivalTime,
        includeRaw,
        now: Date.now(),
      });
      return result.ok ? { reason: 'unknown', message: '' } : result;
    },
    parseRow,
  };
}
