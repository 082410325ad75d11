/**
 * The Athena engine: StartQueryExecution with ExecutionParameters, poll GetQueryExecution with
 * backoff, page GetQueryResults, convert the text cells by ResultSetMetadata, and report the data
 * scanned and its cost. The client is injected, so tests use aws-sdk-client-mock.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type ColumnInfo,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { fromAthenaText } from './results';
import type { QueryResult, ResultRow } from './types';

/** Athena bills $5 per TB scanned, with a 10 MB minimum per query. */
export const USD_PER_TB = 5;
export const MINIMUM_BILLED_BYTES = 10 * 1024 * 1024;

/** The cost in USD of scanning `bytes` (10 MB minimum, $5 per TB). */
export function athenaCostUsd(bytes: number): number {
  return (Math.max(bytes, MINIMUM_BILLED_BYTES) / 1024 ** 4) * USD_PER_TB;
}

/** Options of `runOnAthena`. */
export interface AthenaRunOptions {
  readonly client: AthenaClient;
  readonly workgroup: string;
  readonly database: string;
  /** Poll interval: starts here and doubles up to `maxPollMs`. */
  readonly firstPollMs?: number;
  readonly maxPollMs?: number;
  /** Give up after this long (the query keeps running in Athena). */
  readonly timeoutMs?: number;
  /** For tests: how to wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Athena's reason when the workgroup's per-query data usage control (BytesScannedCutoffPerQuery) stops a query. */
const SCAN_LIMIT_REASON = /bytes scanned limit/i;

/** What to do about a query the scan limit stopped: whole-history queries outgrow it as the lake grows. */
const SCAN_LIMIT_ADVICE =
  "the workgroup's per-query scan limit stopped it: read fewer days per query (a saved query's " +
  '`--param start=YYYY-MM-DD --param end=YYYY-MM-DD`, run range by range; docs/scale.md sizes them) ' +
  'or raise `athenaBytesScannedCutoffPerQueryGb` in the stack config (docs/deploy.md)';

/**
 * Runs one query on Athena and reads every row.
 *
 * @param executionParameters the `?` values as SQL literals (see `athenaExecutionParameters`)
 * @throws EngagementLakeError with Athena's StateChangeReason when the query fails or is cancelled
 */
export async function runOnAthena(
  sql: string,
  executionParameters: string[],
  options: AthenaRunOptions,
): Promise<QueryResult> {
  const { client } = options;
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Database: options.database },
      WorkGroup: options.workgroup,
      ExecutionParameters: executionParameters.length > 0 ? executionParameters : undefined,
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new EngagementLakeError('Athena did not return a query execution id');
  const execution = await waitForQuery(id, options);
  const rows: ResultRow[] = [];
  let columns: ColumnInfo[] = [];
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: nextToken }),
    );
    columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? columns;
    const pageRows = page.ResultSet?.Rows ?? [];
    // The first row of the first page repeats the column names for SELECT queries.
    const dataRows =
      first &&
      isHeaderRow(
        pageRows[0]?.Data?.map((d) => d.VarCharValue),
        columns,
      )
        ? pageRows.slice(1)
        : pageRows;
    const described = describeColumns(columns);
    for (const row of dataRows) {
      const object: ResultRow = {};
      described.forEach((column, index) => {
        object[column.name] = fromAthenaText(row.Data?.[index]?.VarCharValue, column.type);
      });
      rows.push(object);
    }
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  const bytes = execution.Statistics?.DataScannedInBytes ?? 0;
  return {
    columns: describeColumns(columns),
    rows,
    scanned: { bytes, costUsd: athenaCostUsd(bytes) },
  };
}

/** Each column's name and Athena type, with the names Athena gives unnamed columns. */
function describeColumns(columns: ColumnInfo[]): QueryResult['columns'] {
  return columns.map((c, index) => ({ name: c.Name ?? `_col${index}`, type: c.Type ?? 'varchar' }));
}

function isHeaderRow(values: (string | undefined)[] | undefined, columns: ColumnInfo[]): boolean {
  return (
    values !== undefined &&
    values.length === columns.length &&
    values.every((value, index) => value === columns[index].Name)
  );
}

async function waitForQuery(id: string, options: AthenaRunOptions): Promise<QueryExecution> {
  const sleep = options.sleep ?? defaultSleep;
  const maxPoll = options.maxPollMs ?? 5000;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60 * 1000);
  let wait = options.firstPollMs ?? 250;
  for (;;) {
    const { QueryExecution: execution } = await options.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED' && execution) return execution;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = (execution?.Status?.StateChangeReason ?? 'no reason given').replace(/\s+/g, ' ').trim();
      const message = `Athena query ${id} ${state.toLowerCase()}: ${reason}`;
      if (SCAN_LIMIT_REASON.test(reason)) throw new UserInputError(`${message}; ${SCAN_LIMIT_ADVICE}`);
      // A query Athena rejects for its text or parameters is the user's to fix.
      if (execution?.Status?.AthenaError?.ErrorCategory === 2) throw new UserInputError(message);
      throw new EngagementLakeError(message);
    }
    if (Date.now() > deadline)
      throw new EngagementLakeError(
        `Athena query ${id} is still ${state ?? 'unknown'}; stopped waiting (it keeps running)`,
      );
    await sleep(wait);
    wait = Math.min(wait * 2, maxPoll);
  }
}
