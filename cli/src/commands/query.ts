/**
 * `engagement-lake query`: run a saved query (with typed `--param`s) or ad-hoc `--sql`, on the
 * local DuckDB lake or on Athena, and print the rows as a table, CSV or JSON.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import { UserInputError } from '../../../transform/src/errors';
import { lakeHints, readLakeLayout } from '../../../local/src/lake-layout';
import { loadSavedQueries, loadViews, viewsUsedBy } from '../../../queries/src/catalog';
import { openLocalLake } from '../../../queries/src/duckdb-engine';
import { formatResult, type OutputFormat } from '../../../queries/src/format';
import {
  athenaExecutionParameters,
  bindValues,
  parseParamArgs,
  resolveParams,
} from '../../../queries/src/params';
import { findPlaceholders } from '../../../queries/src/sql-tokens';
import { userSqlError } from '../../../queries/src/sql-errors';
import { assertParses, assertReadOnlyQuery } from '../../../queries/src/sql-validate';
import { didYouMean } from '../../../queries/src/suggest';
import type { ParamValue, QueryResult, SavedQuery } from '../../../queries/src/types';

/** Options of `query`, as commander gives them, plus injectables for tests. */
export interface QueryOptions {
  sql?: string;
  param: string[];
  lake: string;
  format: OutputFormat;
  engine: 'duckdb' | 'athena';
  workgroup?: string;
  database?: string;
  region?: string;
  /** Injected Athena client (tests); default: a new client for `region`. */
  athenaClient?: AthenaClient;
  /** Where rows go; default stdout. */
  out?: (text: string) => void;
  /** Where notes (data scanned, cost) go; default stderr. */
  err?: (text: string) => void;
  /** "Now", for date defaults such as today-30d. */
  now?: Date;
}

/** What to run: the SQL text, its `?` values for DuckDB, and for Athena. */
interface Plan {
  readonly sql: string;
  readonly values: ParamValue[];
  readonly athenaParameters: string[];
}

/**
 * Runs a saved query or ad-hoc SQL and prints the result.
 *
 * @returns the result, so tests assert on rows rather than on printed text
 * @throws UserInputError for an unknown query, bad parameters, SQL that does not parse, or no lake
 */
export async function runQuery(name: string | undefined, options: QueryOptions): Promise<QueryResult> {
  const plan = await planQuery(name, options);
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const err = options.err ?? ((text: string) => process.stderr.write(text));
  let result: QueryResult;
  if (options.engine === 'athena') {
    if (!options.workgroup || !options.database)
      throw new UserInputError('--engine athena needs --workgroup <name> and --database <glue database>');
    // Loaded only here, so local queries never load the AWS SDK.
    const { runOnAthena } = await import('../../../queries/src/athena-engine');
    const { AthenaClient: Client } = await import('@aws-sdk/client-athena');
    const client = options.athenaClient ?? new Client(options.region ? { region: options.region } : {});
    result = await runOnAthena(plan.sql, plan.athenaParameters, {
      client,
      workgroup: options.workgroup,
      database: options.database,
    });
    if (result.scanned) {
      const mb = (result.scanned.bytes / 1024 ** 2).toFixed(2);
      err(
        `data scanned: ${mb} MB, cost about $${result.scanned.costUsd.toFixed(6)} ($5/TB, 10 MB minimum)\n`,
      );
    }
  } else {
    // Confined to the lake's files: user SQL, and parameter values, can read or write nothing else.
    const lake = await openLocalLake(options.lake, {
      views: viewsUsedBy(plan.sql, loadViews()),
      confine: true,
    });
    for (const hint of lakeHints(options.lake, readLakeLayout(options.lake))) err(hint);
    try {
      result = await lake.run(plan.sql, plan.values);
    } catch (error) {
      throw (options.sql !== undefined && userSqlError(error, '--sql')) || error;
    } finally {
      lake.close();
    }
  }
  out(formatResult(result, options.format));
  return result;
}

async function planQuery(name: string | undefined, options: QueryOptions): Promise<Plan> {
  if (name && options.sql) throw new UserInputError('give either a saved query name or --sql, not both');
  if (options.sql !== undefined) {
    if ((options.param ?? []).length > 0)
      throw new UserInputError('--param applies to saved queries; write values into --sql instead');
    if (findPlaceholders(options.sql).length > 0)
      throw new UserInputError('--sql cannot contain `?` parameters; write the values into the SQL');
    await assertParses(options.sql, '--sql');
    await assertReadOnlyQuery(options.sql, '--sql');
    return { sql: options.sql, values: [], athenaParameters: [] };
  }
  if (!name)
    throw new UserInputError(
      'give a saved query name (list them with `engagement-lake queries`) or --sql "<SQL>"',
    );
  const query = findQuery(name);
  const values = resolveParams(query, parseParamArgs(options.param ?? []), options.now ?? new Date());
  return {
    sql: query.sql,
    values: bindValues(query, values),
    athenaParameters: athenaExecutionParameters(query, values),
  };
}

function findQuery(name: string): SavedQuery {
  const queries = loadSavedQueries();
  const query = queries.find((q) => q.name === name);
  if (!query) {
    const names = queries.map((q) => q.name);
    throw new UserInputError(
      `no saved query '${name}'${didYouMean(name, names)}; list them with \`engagement-lake queries\``,
    );
  }
  return query;
}
