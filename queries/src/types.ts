/** Types of the saved-query catalog: shared by the loader, the runners, the CLI and infra. */

/** The types a saved-query parameter can have. */
export type ParamType = 'date' | 'string' | 'int' | 'boolean';

/** All parameter types, for validation and messages. */
export const PARAM_TYPES: readonly ParamType[] = ['date', 'string', 'int', 'boolean'];

/** One declared parameter of a saved query (from its header). */
export interface QueryParam {
  readonly name: string;
  readonly type: ParamType;
  /**
   * Default as written in the header: for dates `today`, `today-30d`, `today+1d` or `YYYY-MM-DD`;
   * for the others the literal value. Absent means the parameter is required.
   */
  readonly default?: string;
  readonly description: string;
}

/** One output column of a saved query (from its header). */
export interface QueryColumn {
  readonly name: string;
  readonly description: string;
}

/** A saved query: one file `queries/sql/<name>.sql`, a dbt-style header and an Athena (Trino) body. */
export interface SavedQuery {
  readonly name: string;
  readonly description: string;
  /** What one output row is, e.g. "one row per dt and campaign". */
  readonly grain?: string;
  readonly params: QueryParam[];
  /** The output columns the header documents. */
  readonly columns: QueryColumn[];
  /** The full file text: what Athena's named query holds. */
  readonly sql: string;
  /** The SQL without the header. */
  readonly body: string;
  /** The parameter each positional `?` binds, in order (a parameter may be bound more than once). */
  readonly bindings: string[];
  /** The file name, e.g. `email_funnel.sql`. */
  readonly file: string;
}

/** A view: one file `queries/views/<name>.sql`. */
export interface ViewDefinition {
  readonly name: string;
  readonly description: string;
  /** The SELECT body (no header, no `create view`). */
  readonly sql: string;
  /** The file name, e.g. `events_unique.sql`. */
  readonly file: string;
}

/** A parameter value after parsing, typed. Dates stay `YYYY-MM-DD` strings (they compare with `dt`). */
export type ParamValue = string | number | boolean;

/** A row of a query result, with values ready for JSON. */
export type ResultRow = Record<string, unknown>;

/** The result of running a query on any engine. */
export interface QueryResult {
  readonly columns: { name: string; type: string }[];
  readonly rows: ResultRow[];
  /** Athena only: bytes scanned and the cost at $5/TB with the 10 MB minimum. */
  readonly scanned?: { bytes: number; costUsd: number };
}
