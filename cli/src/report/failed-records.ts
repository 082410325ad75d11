/**
 * Failed records by error type and reason, read from the lake's error output: one Firehose error
 * document per line under `errors/<type>/yyyy/MM/dd/HH/` (see local/src/error-writer.ts), over
 * the records whose arrival hour falls in the report's days. One SQL text for both engines: on
 * Athena `errors` is the Glue table (infra/src/private/catalog.ts, `type` and `hour` projected);
 * locally it is a CTE over DuckDB's read_json that derives `type` and `hour` from the path.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LocalLake } from '../../../queries/src/duckdb-engine';
import type { ResultRow } from '../../../queries/src/types';

/**
 * Counts by `type` and `reason` (the error code). The two `?` are the first and last hour,
 * `yyyy/MM/dd/HH` like the folders, so the range prunes Athena's projected `hour` partition.
 */
export const FAILED_RECORDS_SQL = `select type, errorcode as reason, count(*) as records
from errors
where hour between ? and ?
group by type, errorcode
order by records desc, reason, type`;

/**
 * `errors` for DuckDB, prefixed to FAILED_RECORDS_SQL: the glob is its `?`, bound first. The path
 * gives `type` and `hour` as Athena's projection does; a file outside that layout gets hour ''
 * and so falls outside every range.
 */
export const LOCAL_ERRORS_CTE = `with errors as (
  select
    regexp_extract(filename, '/errors/([^/]+)/\\d{4}/\\d{2}/\\d{2}/\\d{2}/[^/]+$', 1) as type,
    regexp_extract(filename, '/errors/[^/]+/(\\d{4}/\\d{2}/\\d{2}/\\d{2})/[^/]+$', 1) as hour,
    errorCode as errorcode
  from read_json(?, format = 'newline_delimited', columns = {errorCode: 'VARCHAR'}, filename = true)
)
`;

/** The first and last hour folder (`yyyy/MM/dd/HH`) of the days `start`..`end` (`YYYY-MM-DD`). */
export function hourRange(start: string, end: string): [string, string] {
  return [`${start.replace(/-/g, '/')}/00`, `${end.replace(/-/g, '/')}/23`];
}

export async function countFailedRecords(
  lake: LocalLake,
  lakeDir: string,
  start: string,
  end: string,
): Promise<ResultRow[]> {
  const folder = join(resolve(lakeDir), 'errors');
  // read_json fails on a glob that matches nothing: a lake with no failures has no error files.
  const hasFiles =
    existsSync(folder) && readdirSync(folder, { recursive: true }).some((f) => String(f).endsWith('.ndjson'));
  if (!hasFiles) return [];
  const glob = `${folder.replace(/\\/g, '/')}/**/*.ndjson`;
  return (await lake.run(LOCAL_ERRORS_CTE + FAILED_RECORDS_SQL, [glob, ...hourRange(start, end)])).rows;
}
