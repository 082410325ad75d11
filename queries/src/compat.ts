/**
 * The Trino → DuckDB compatibility layer. Saved queries and views are written once, in Athena's
 * dialect (Trino, engine v3); locally DuckDB runs the same text after these macros are created.
 * Each entry names the Trino function, links both engines' docs and gives the DuckDB macro.
 * Where a macro cannot do it (type names), `rewriteForDuckDb` makes one small, tested rewrite.
 *
 * Portable by convention, so not in this table (see queries/README.md):
 * - integer division: Trino truncates `7 / 2` to 3, DuckDB returns 3.5, so the queries always
 *   `cast(... as double)` before dividing;
 * - `date_trunc` and `date + interval` return DATE in Trino and TIMESTAMP in DuckDB, so the
 *   queries `cast(... as date)` the result.
 */
import { codeMask } from './sql-tokens';

/** One Trino function and how DuckDB spells it. */
export interface DialectEntry {
  /** The Trino function name (the DuckDB macro takes the same name). */
  readonly trino: string;
  /** Macro parameter list. */
  readonly params: readonly string[];
  /** The DuckDB expression the macro expands to. */
  readonly duckdb: string;
  /** Why it differs, with links to both engines' docs. */
  readonly why: string;
  /** Further arities of the same macro (DuckDB macro overloads). */
  readonly overloads?: readonly { readonly params: readonly string[]; readonly duckdb: string }[];
}

const TRINO = 'https://trino.io/docs/current/functions';
const DUCKDB = 'https://duckdb.org/docs/stable/sql/functions';

/** The dialect table: each Trino function that DuckDB lacks or spells differently. */
export const DIALECT: readonly DialectEntry[] = [
  {
    trino: 'approx_percentile',
    params: ['x', 'p'],
    // quantile_disc returns a value of the input, as Trino's approx_percentile does.
    duckdb: 'quantile_disc(x, p)',
    why: `${TRINO}/aggregate.html#approx_percentile ; ${DUCKDB}/aggregates.html#quantile_discarg-pos`,
  },
  {
    trino: 'approx_distinct',
    params: ['x'],
    duckdb: 'approx_count_distinct(x)',
    why: `${TRINO}/aggregate.html#approx_distinct ; ${DUCKDB}/aggregates.html#approx_count_distinctx`,
  },
  {
    trino: 'date_diff',
    params: ['unit', 'a', 'b'],
    // Trino counts whole units; DuckDB's date_diff counts boundaries crossed, its date_sub whole units.
    duckdb: 'date_sub(unit, a, b)',
    why: `${TRINO}/datetime.html#date_diff ; ${DUCKDB}/date.html#date_subpart-startdate-enddate`,
  },
  {
    trino: 'date_add',
    params: ['unit', 'n', 'x'],
    duckdb: "x + cast(cast(n as varchar) || ' ' || unit as interval)",
    why: `${TRINO}/datetime.html#date_add ; DuckDB's date_add takes (date, interval)`,
  },
  {
    trino: 'element_at',
    params: ['c', 'k'],
    // DuckDB's element_at on a map returns a list; the subscript returns the value or null, like Trino.
    duckdb: 'c[k]',
    why: `${TRINO}/map.html#element_at ; ${DUCKDB}/map.html`,
  },
  {
    trino: 'cardinality',
    params: ['a'],
    // Arrays only: DuckDB binds a macro once for all types; for a map, use cardinality(map_keys(m)).
    duckdb: 'len(a)',
    why: `${TRINO}/array.html#cardinality ; DuckDB's cardinality takes maps only`,
  },
  {
    trino: 'array_join',
    params: ['a', 'sep'],
    duckdb: 'array_to_string(a, sep)',
    why: `${TRINO}/array.html#array_join ; ${DUCKDB}/list.html`,
  },
  {
    trino: 'regexp_like',
    params: ['s', 'pattern'],
    duckdb: 'regexp_matches(s, pattern)',
    why: `${TRINO}/regexp.html#regexp_like ; ${DUCKDB}/regular_expressions.html`,
  },
  {
    trino: 'day_of_week',
    params: ['x'],
    duckdb: 'isodow(x)',
    why: `${TRINO}/datetime.html#day_of_week (1 = Monday) ; DuckDB isodow`,
  },
  {
    trino: 'date',
    params: ['x'],
    duckdb: 'cast(x as date)',
    why: `${TRINO}/datetime.html#date`,
  },
  {
    trino: 'from_iso8601_date',
    params: ['s'],
    duckdb: 'cast(s as date)',
    why: `${TRINO}/datetime.html#from_iso8601_date`,
  },
  {
    trino: 'from_iso8601_timestamp',
    params: ['s'],
    duckdb: 'cast(cast(s as timestamptz) as timestamp)',
    why: `${TRINO}/datetime.html#from_iso8601_timestamp (the session time zone is UTC)`,
  },
  {
    trino: 'to_iso8601',
    params: ['x'],
    duckdb: "strftime(cast(x as timestamp), '%Y-%m-%dT%H:%M:%S.%gZ')",
    why: `${TRINO}/datetime.html#to_iso8601 ; ${DUCKDB}/dateformat.html`,
  },
  {
    trino: 'date_format',
    params: ['x', 'fmt'],
    // MySQL-style specifiers; the common ones (%Y %m %d %H %i %s) map to strftime's.
    duckdb: "strftime(x, replace(replace(fmt, '%i', '%M'), '%s', '%S'))",
    why: `${TRINO}/datetime.html#date_format ; ${DUCKDB}/dateformat.html`,
  },
  {
    trino: 'from_unixtime',
    params: ['s'],
    duckdb: 'cast(to_timestamp(s) as timestamp)',
    why: `${TRINO}/datetime.html#from_unixtime`,
  },
  {
    trino: 'to_unixtime',
    params: ['x'],
    duckdb: 'epoch(x)',
    why: `${TRINO}/datetime.html#to_unixtime`,
  },
  {
    trino: 'json_extract_scalar',
    params: ['j', 'path'],
    duckdb: 'json_extract_string(j, path)',
    why: `${TRINO}/json.html#json_extract_scalar ; DuckDB json extension`,
  },
  {
    trino: 'regexp_extract',
    params: ['s', 'pattern'],
    // Trino returns null when nothing matches, DuckDB ''. (An empty match also becomes null.)
    duckdb: "nullif(system.main.regexp_extract(s, pattern), '')",
    overloads: [
      { params: ['s', 'pattern', 'grp'], duckdb: "nullif(system.main.regexp_extract(s, pattern, grp), '')" },
    ],
    why: `${TRINO}/regexp.html#regexp_extract ; ${DUCKDB}/regular_expressions.html`,
  },
  {
    trino: 'split_part',
    params: ['s', 'delimiter', 'n'],
    // Trino returns null past the last field, DuckDB ''.
    duckdb: "nullif(system.main.split_part(s, delimiter, n), '')",
    why: `${TRINO}/string.html#split_part ; ${DUCKDB}/text.html`,
  },
  {
    trino: 'url_extract_host',
    params: ['url'],
    // Uses the regexp_extract macro above, so no match gives null.
    duckdb: "regexp_extract(url, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)",
    why: `${TRINO}/url.html#url_extract_host`,
  },
];

/** The `create or replace macro` statements for a DuckDB connection, one per dialect entry. */
export function duckDbMacros(): string[] {
  return DIALECT.map((entry) => {
    const forms = [entry, ...(entry.overloads ?? [])].map(
      (form) => `(${form.params.join(', ')}) as ${form.duckdb}`,
    );
    return `create or replace macro ${entry.trino}${forms.join(', ')}`;
  });
}

/**
 * The one rewrite macros cannot do: Trino's `array(T)` type spelling (in `cast(x as array(varchar))`)
 * becomes DuckDB's `T[]`. Strings, quoted identifiers and comments are left alone, and so is the
 * `array[...]` constructor, which both engines accept.
 */
export function rewriteForDuckDb(sql: string): string {
  const code = codeMask(sql);
  let out = sql;
  const pattern = /\barray\s*\(\s*([a-z][a-z0-9_]*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)\s*\)/gi;
  const matches = [...sql.matchAll(pattern)].filter((m) => code[m.index ?? 0]);
  for (const match of matches.reverse()) {
    const start = match.index ?? 0;
    out = out.slice(0, start) + `${match[1]}[]` + out.slice(start + match[0].length);
  }
  return out;
}
