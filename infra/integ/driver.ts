/**
 * Lambda used by the end-to-end test. `put` sends the canary records to the Direct PUT stream;
 * `check` reads the rows back through Athena and compares every column with the rows the local
 * transform produces for the same input (the same code the local lake runs). It returns
 * `{ ok, problems }`; the integ test waits until `ok` is true.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { splitJsonRecords } from '../../transform/src/json-split';
import { COLUMNS, type EventRow } from '../../transform/src/schema';
import { transformEvent } from '../../transform/src/transform-event';
import { canaries } from './canaries';

export interface DriverEvent {
  readonly action: 'put' | 'check';
  readonly runId: string;
  /** Epoch ms the canaries were built for. */
  readonly now: number;
}

/** Columns only Firehose knows (the approximate arrival time), left out of the comparison. */
const FIREHOSE_ONLY = new Set(['arrival_time']);

const athena = new AthenaClient({});
const firehose = new FirehoseClient({});

export async function handler(event: DriverEvent): Promise<{ ok: boolean; problems: string[] }> {
  return event.action === 'put' ? put(event) : check(event);
}

async function put(event: DriverEvent): Promise<{ ok: boolean; problems: string[] }> {
  const records = canaries(event.runId, event.now).map((c) => ({ Data: Buffer.from(c.data) }));
  const result = await firehose.send(
    new PutRecordBatchCommand({ DeliveryStreamName: process.env.STREAM_NAME, Records: records }),
  );
  const failed = result.FailedPutCount ?? 0;
  return { ok: failed === 0, problems: failed === 0 ? [] : [`${failed} records were not accepted`] };
}

/** Rows the local transform makes from the canaries, by event_id. */
export function expectedRows(
  runId: string,
  now: number,
): Map<string, { row: EventRow; family: string; dt: string }> {
  const rows = new Map<string, { row: EventRow; family: string; dt: string }>();
  for (const canary of canaries(runId, now)) {
    for (const text of splitJsonRecords(canary.data)) {
      const result = transformEvent(text, {
        now,
        arrivalTime: null,
        includeRaw: true,
        dtStart: process.env.DT_START,
      });
      if (!result.ok)
        throw new Error(`canary '${canary.name}' fails locally: ${result.reason}: ${result.message}`);
      rows.set(result.row.event_id, {
        row: result.row,
        family: result.partition.family,
        dt: result.partition.dt,
      });
    }
  }
  return rows;
}

/** SQL that renders each column as text Athena and JavaScript agree on. */
export function checkQuery(expected: Map<string, { family: string; dt: string }>): string {
  const select = COLUMNS.map((c) =>
    c.type === 'timestamp'
      ? `cast(round(to_unixtime(${c.name}) * 1000) as bigint) as ${c.name}`
      : `json_format(cast(${c.name} as json)) as ${c.name}`,
  );
  const list = (values: Iterable<string>) =>
    [...new Set(values)].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
  const entries = [...expected.entries()];
  return [
    `select ${select.join(', ')}, family, dt from events`,
    `where family in (${list(entries.map(([, e]) => e.family))})`,
    `and dt in (${list(entries.map(([, e]) => e.dt))})`,
    `and event_id in (${list(entries.map(([id]) => id))})`,
  ].join('\n');
}

async function check(event: DriverEvent): Promise<{ ok: boolean; problems: string[] }> {
  const expected = expectedRows(event.runId, event.now);
  const actual = await runQuery(checkQuery(expected));
  const problems: string[] = [];
  for (const [id, want] of expected) {
    const got = actual.find((r) => r.event_id === JSON.stringify(id));
    if (!got) {
      problems.push(`row ${id} (${want.row.event_name}) not in the lake yet`);
      continue;
    }
    if (got.family !== want.family || got.dt !== want.dt)
      problems.push(`row ${id}: partition ${got.family}/${got.dt}, want ${want.family}/${want.dt}`);
    for (const column of COLUMNS) {
      if (FIREHOSE_ONLY.has(column.name)) continue;
      const text = got[column.name];
      const value = text === null ? null : column.type === 'timestamp' ? Number(text) : JSON.parse(text);
      if (!sameValue(value, want.row[column.name])) {
        problems.push(
          `row ${id} column ${column.name}: Athena ${text}, local ${JSON.stringify(want.row[column.name])}`,
        );
      }
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Deep equality where map key order does not matter. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as never)[k], (b as never)[k]))
  );
}

async function runQuery(sql: string): Promise<Record<string, string | null>[]> {
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: process.env.WORK_GROUP,
      QueryExecutionContext: { Database: process.env.DATABASE },
    }),
  );
  for (;;) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED')
      throw new Error(`check query ${state}: ${QueryExecution?.Status?.StateChangeReason}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const rows: Record<string, string | null>[] = [];
  let header: string[] | undefined;
  let NextToken: string | undefined;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId, NextToken }));
    for (const row of page.ResultSet?.Rows ?? []) {
      const cells = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
      if (!header) header = cells.map(String);
      else rows.push(Object.fromEntries(header.map((name, i) => [name, cells[i]])));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return rows;
}
