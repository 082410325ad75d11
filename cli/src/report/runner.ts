/**
 * The report's query runners: the same engines as `engagement-lake query` (DuckDB over the local
 * lake, or Athena), behind one interface that runs a saved query with its parameter values.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { openLocalLake } from '../../../queries/src/duckdb-engine';
import { athenaExecutionParameters, athenaLiteral, bindValues } from '../../../queries/src/params';
import type { ParamValue, QueryResult, ResultRow, SavedQuery } from '../../../queries/src/types';
import { FAILED_RECORDS_SQL, countFailedRecords, hourRange } from './failed-records';
import { displayPath } from './format';

export interface ReportRunner {
  /** Says where the rows come from, for the page's header. */
  readonly source: string;
  run(query: SavedQuery, values: Record<string, ParamValue>): Promise<QueryResult>;
  /** Failed records by type and reason from the error output. */
  failedRecords(start: string, end: string): Promise<ResultRow[]>;
  close(): void;
}

/** DuckDB over a lake folder. @throws UserInputError when the folder holds no lake */
export async function localRunner(lakeDir: string): Promise<ReportRunner> {
  const lake = await openLocalLake(lakeDir);
  return {
    source: `DuckDB on ${displayPath(lakeDir)}`,
    run: (query, values) => lake.run(query.sql, bindValues(query, values)),
    failedRecords: (start, end) => countFailedRecords(lake, lakeDir, start, end),
    close: () => lake.close(),
  };
}

export interface AthenaRunnerOptions {
  readonly client: AthenaClient;
  readonly workgroup: string;
  readonly database: string;
  /** For tests: how to wait between polls. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Athena, through the Glue database the stack created (the saved queries are its named queries). */
export async function athenaRunner(options: AthenaRunnerOptions): Promise<ReportRunner> {
  // Loaded only here, so a local report never loads the AWS SDK.
  const { runOnAthena } = await import('../../../queries/src/athena-engine');
  return {
    source: `Athena workgroup ${options.workgroup}, database ${options.database}`,
    run: (query, values) => runOnAthena(query.sql, athenaExecutionParameters(query, values), options),
    // The Glue table `errors` over the bucket's errors/ (JSON, `type` and `hour` projected).
    failedRecords: async (start, end) => {
      const hours = hourRange(start, end).map((hour) => athenaLiteral('string', hour));
      return (await runOnAthena(FAILED_RECORDS_SQL, hours, options)).rows;
    },
    close: () => undefined,
  };
}
