/**
 * The lake the `forget` tests work on, and how they look at it: generated events over three days
 * (ingested twice, so partitions hold several files and some events are stored twice), the AWS
 * examples, and an error output whose records name some of the people in the lake. Expected counts
 * come from the lake itself (DuckDB), never from the code under test.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { loadSavedQueries } from '../../queries/src/catalog';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../queries/src/params';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';

export interface Subjects {
  endpointId: string;
  email: string;
  phone: string;
}

/** Builds the lake; returns it and three people in it, one of each kind of identifier. */
export async function buildLake(): Promise<{ lake: string; subjects: Subjects }> {
  const dir = await tempDir('forget-template-');
  const lake = join(dir, 'lake');
  for (const seed of ['1', '2']) {
    const lines = [
      ...generateEvents({ events: 250, seed, start: Date.UTC(2026, 10, 1), days: 3, duplicates: 0.05 }),
    ];
    await writeFile(join(dir, `events-${seed}.ndjson`), `${lines.join('\n')}\n`);
    await ingest({ inputs: [join(dir, `events-${seed}.ndjson`)], lake });
  }
  await ingest({ inputs: [join(DOCUMENTED, 'sms.ndjson'), join(DOCUMENTED, 'email.ndjson')], lake });
  const subjects = await pickSubjects(lake);
  // Truncated records (invalid JSON) go to the error output with their bytes: some name a subject.
  const bad = [
    `{"destination":"${subjects.email}","truncated`,
    `{"endpoint":{"Address":"${subjects.phone}"`,
    `{"endpointId":"${subjects.endpointId}",`,
    '{"destination":"nobody-in-this-lake@example.net",',
    'not json at all',
  ];
  await writeFile(join(dir, 'bad.ndjson'), `${bad.join('\n')}\n`);
  await ingest({ inputs: [join(dir, 'bad.ndjson')], lake });
  return { lake, subjects };
}

/** The identifier of each kind held by the most rows, spread over more than one file. */
async function pickSubjects(lake: string): Promise<Subjects> {
  const top = async (column: string, where: string): Promise<string> => {
    const sql = withFilename(eventsSql(lake, `${column} as v, filename`, where));
    const [row] = await duckdbRows(
      `select v from (${sql}) group by v having count(distinct filename) > 1 order by count(*) desc, v limit 1`,
    );
    return String(row.v);
  };
  return {
    endpointId: await top('endpoint_id', 'endpoint_id is not null'),
    email: await top('destination', "destination like '%@%'"),
    phone: await top('destination', "destination like '+%'"),
  };
}

/** The rows `endpoint_access` returns for the subject, run as `query` runs it. */
export async function accessRows(lake: string, subject: string): Promise<Record<string, unknown>[]> {
  const query = loadSavedQueries().find((q) => q.name === 'endpoint_access')!;
  const values = resolveParams(query, new Map([['subject', subject]]), new Date());
  const opened = await openLocalLake(lake, { views: [] });
  try {
    return (await opened.run(query.sql, bindValues(query, values))).rows;
  } finally {
    opened.close();
  }
}

/** Every row of the lake, every column, in a stable order. */
export async function lakeContents(lake: string): Promise<Record<string, unknown>[]> {
  const opened = await openLocalLake(lake, { views: [] });
  try {
    const order = 'dt, family, event_id, arrival_time, raw';
    return (await opened.run(`select * from events order by ${order}`)).rows;
  } finally {
    opened.close();
  }
}

/** The lake's rows that `endpoint_access` does not return for the subject (same partition and event id). */
export function withoutRows(
  all: Record<string, unknown>[],
  removed: Record<string, unknown>[],
): Record<string, unknown>[] {
  const key = (r: Record<string, unknown>) => `${String(r.family)}/${String(r.dt)}/${String(r.event_id)}`;
  const gone = new Set(removed.map(key));
  return all.filter((r) => !gone.has(key(r)));
}

/** Each line of the error output, decoded, with its file; in file order. */
export async function errorLines(lake: string): Promise<{ file: string; line: string; data: string }[]> {
  const out: { file: string; line: string; data: string }[] = [];
  for (const file of await listFiles(join(lake, 'errors'))) {
    const text = await readFile(join(lake, 'errors', file), 'utf8');
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const data = Buffer.from((JSON.parse(line) as { rawData: string }).rawData, 'base64').toString('utf8');
      out.push({ file, line, data });
    }
  }
  return out;
}

/** Every file under the lake folder with a hash of its bytes: equal snapshots mean nothing was written. */
export async function snapshot(lake: string): Promise<string[]> {
  const files = await listFiles(lake);
  return Promise.all(
    files.map(
      async (f) =>
        `${f} ${createHash('sha256')
          .update(await readFile(join(lake, f)))
          .digest('hex')}`,
    ),
  );
}

/** The helpers' events SQL with each row's file name as `filename`. */
export function withFilename(sql: string): string {
  return sql.replace('hive_partitioning = true', 'hive_partitioning = true, filename = true');
}
