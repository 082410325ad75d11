/**
 * Typed saved-query parameters: parse `--param k=v`, apply defaults (`today-30d`), check types,
 * and put the values in `?` order. Values are always bound (DuckDB prepared statements, Athena
 * ExecutionParameters), never spliced; `athenaLiteral` renders the literal text that Athena's
 * ExecutionParameters require, escaping so that a value can never change the query.
 */
import { UserInputError } from '../../transform/src/errors';
import { quoteString } from './sql-tokens';
import { didYouMean } from './suggest';
import type { ParamType, ParamValue, QueryParam, SavedQuery } from './types';

const DAY_MS = 86_400_000;

/**
 * Resolves a date expression: `YYYY-MM-DD`, `today`, `today-30d` or `today+1d` (UTC days).
 * Returns undefined when the text is not a valid date expression.
 */
export function resolveDate(expression: string, now: Date): string | undefined {
  const text = expression.trim();
  const relative = /^today(?:([+-])(\d{1,5})d)?$/.exec(text);
  if (relative) {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const days = relative[2] === undefined ? 0 : Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    return new Date(today + days * DAY_MS).toISOString().slice(0, 10);
  }
  const absolute = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!absolute) return undefined;
  const time = Date.UTC(Number(absolute[1]), Number(absolute[2]) - 1, Number(absolute[3]));
  const iso = new Date(time).toISOString().slice(0, 10);
  return iso === text ? iso : undefined; // rejects 2026-02-30
}

/** Parses one value of a declared type; undefined when it does not fit. */
export function parseValue(type: ParamType, text: string, now: Date): ParamValue | undefined {
  switch (type) {
    case 'date':
      return resolveDate(text, now);
    case 'string':
      return text;
    case 'int': {
      if (!/^-?\d{1,15}$/.test(text.trim())) return undefined;
      return Number(text.trim());
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return undefined;
    }
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Splits repeated `--param k=v` arguments into a map; the value may itself contain `=`. */
export function parseParamArgs(args: readonly string[]): Map<string, string> {
  const given = new Map<string, string>();
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals <= 0) throw new UserInputError(`--param must look like name=value, got '${arg}'`);
    const name = arg.slice(0, equals).trim();
    if (given.has(name)) throw new UserInputError(`--param ${name} is given twice; give it once`);
    given.set(name, arg.slice(equals + 1));
  }
  return given;
}

const EXAMPLES: Record<ParamType, string> = {
  date: 'YYYY-MM-DD, today or today-7d',
  string: 'any text',
  int: 'a whole number',
  boolean: 'true or false',
};

/**
 * Checks the given values against the query's declared parameters and fills in defaults.
 *
 * @throws UserInputError for an unknown parameter (with suggestions), a missing required one, or
 *   a value that does not fit its type
 */
export function resolveParams(
  query: SavedQuery,
  given: ReadonlyMap<string, string>,
  now: Date,
): Record<string, ParamValue> {
  const names = query.params.map((p) => p.name);
  for (const name of given.keys()) {
    if (!names.includes(name)) {
      const known = names.length === 0 ? 'it takes none' : `it takes ${names.join(', ')}`;
      throw new UserInputError(
        `query '${query.name}' has no parameter '${name}'${didYouMean(name, names)}; ${known}`,
      );
    }
  }
  const values: Record<string, ParamValue> = {};
  for (const param of query.params) {
    values[param.name] = resolveOne(query, param, given.get(param.name), now);
  }
  return values;
}

function resolveOne(query: SavedQuery, param: QueryParam, text: string | undefined, now: Date): ParamValue {
  if (text === undefined) {
    if (param.default === undefined) {
      throw new UserInputError(
        `query '${query.name}' needs --param ${param.name}=<${param.type}> (${param.description})`,
      );
    }
    const value = parseValue(param.type, param.default, now);
    if (value === undefined)
      throw new UserInputError(
        `${query.file}: default '${param.default}' of '${param.name}' is not a ${param.type}`,
      );
    return value;
  }
  const value = parseValue(param.type, text, now);
  if (value === undefined) {
    throw new UserInputError(
      `--param ${param.name} must be a ${param.type} (${EXAMPLES[param.type]}), got '${text}'`,
    );
  }
  return value;
}

/** The values in the order of the query's `?` placeholders. */
export function bindValues(query: SavedQuery, values: Record<string, ParamValue>): ParamValue[] {
  return query.bindings.map((name) => values[name]);
}

/**
 * Renders a value as the SQL literal Athena's ExecutionParameters expect. Strings (and dates, which
 * compare with the string partition `dt`) are single-quoted with quotes doubled, so a value can
 * never end the literal; numbers and booleans are re-checked before they are written bare.
 */
export function athenaLiteral(type: ParamType, value: ParamValue): string {
  switch (type) {
    case 'date':
    case 'string':
      return quoteString(String(value));
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw new UserInputError(`expected a whole number, got '${String(value)}'`);
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean')
        throw new UserInputError(`expected true or false, got '${String(value)}'`);
      return value ? 'true' : 'false';
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** The ExecutionParameters of a saved query for Athena, in `?` order. */
export function athenaExecutionParameters(query: SavedQuery, values: Record<string, ParamValue>): string[] {
  const types = new Map(query.params.map((p) => [p.name, p.type]));
  return query.bindings.map((name) => athenaLiteral(types.get(name) as ParamType, values[name]));
}
