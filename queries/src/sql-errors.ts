/**
 * Turns DuckDB's answer to SQL a user wrote (an unknown table or function, a type mismatch, a
 * file outside the lake) into a one-line UserInputError; anything else stays an error to report.
 */
import { UserInputError } from '../../transform/src/errors';

// DuckDB's error kinds that a statement's text causes, as its messages begin ("Catalog Error: …").
const USER_ERROR_KINDS =
  /^(Catalog|Binder|Parser|Permission|Conversion|Invalid Input|Out of Range|Not implemented|Syntax|Constraint) Error: /;

/** The UserInputError for DuckDB's `error` on `what` (e.g. "--sql"), or undefined when it is not the SQL's fault. */
export function userSqlError(error: unknown, what: string): UserInputError | undefined {
  // Not `instanceof Error`: the native binding's errors may come from another realm (jest, workers).
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || !USER_ERROR_KINDS.test(message)) return undefined;
  const oneLine = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^LINE \d+:/.test(line) && !/^\^$/.test(line))
    .join(' ');
  const hint = oneLine.startsWith('Permission Error: ')
    ? '; query --sql reads only the lake: the table events and its views'
    : oneLine.startsWith('Catalog Error: ')
      ? '; the tables are events and the views (`engagement-lake queries` lists them)'
      : '';
  return new UserInputError(`${what} failed: ${oneLine}${hint}`, { cause: error });
}
