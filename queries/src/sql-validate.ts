/**
 * Checks SQL against Athena's dialect with dt-sql-parser's Trino grammar: syntax, and that every
 * positional parameter sits in a WHERE clause (Athena's rule for ExecutionParameters).
 *
 * dt-sql-parser ships ESM only: it loads under tsx (the CLI) and under jest (with the transform in
 * jest.config.js), not under plain `node -r`. It is imported lazily so that modules which only
 * need the catalog never load it.
 */
import { UserInputError } from '../../transform/src/errors';

/** One syntax problem, 1-based line and column. */
export interface SqlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface TreeNode {
  readonly parent: TreeNode | null;
  readonly children?: TreeNode[] | null;
  readonly symbol?: { type: number; text?: string; line: number; column: number };
}

type TrinoParser = {
  validate(sql: string): { startLine: number; startColumn: number; message: string }[];
  parse(sql: string): unknown;
};

let parser: TrinoParser | undefined;

async function trino(): Promise<TrinoParser> {
  if (!parser) {
    const { TrinoSQL } = await import('dt-sql-parser');
    parser = new TrinoSQL() as unknown as TrinoParser;
  }
  return parser;
}

/** The syntax problems of `sql` under the Trino grammar; empty when it parses. */
export async function syntaxProblems(sql: string): Promise<SqlProblem[]> {
  const errors = (await trino()).validate(sql);
  return errors.map((e) => ({ line: e.startLine, column: e.startColumn, message: e.message }));
}

/**
 * The positional parameters (`?`) that are not inside a WHERE clause of their own query block.
 * Athena rejects them; a test runs this on every saved query.
 */
export async function parametersOutsideWhere(sql: string): Promise<SqlProblem[]> {
  const tree = (await trino()).parse(sql) as TreeNode;
  const problems: SqlProblem[] = [];
  const visit = (node: TreeNode): void => {
    if (node.symbol && node.symbol.text === '?' && !inWhereClause(node)) {
      problems.push({
        line: node.symbol.line,
        column: node.symbol.column + 1,
        message: 'parameter outside a WHERE clause',
      });
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
  return problems;
}

/** True when the nearest enclosing WHERE clause is closer than the nearest query block. */
function inWhereClause(node: TreeNode): boolean {
  for (let current = node.parent; current; current = current.parent) {
    const kind = current.constructor.name;
    if (kind === 'WhereClauseContext') return true;
    if (kind === 'QuerySpecificationContext') return false;
  }
  return false;
}

/**
 * Throws a one-line UserInputError when `sql` does not parse as Trino SQL.
 *
 * @param what how to name the SQL in the message, e.g. "--sql" or a file name
 */
export async function assertParses(sql: string, what: string): Promise<void> {
  const problems = await syntaxProblems(sql);
  if (problems.length > 0) {
    const first = problems[0];
    const message = first.message.replace(/\s+/g, ' ');
    throw new UserInputError(
      `${what} does not parse as Athena (Trino) SQL at line ${first.line}, column ${first.column}: ${message}`,
    );
  }
}

/** Statements `--sql` may run: a query (SELECT, WITH, VALUES, TABLE), its EXPLAIN, SHOW TABLES, DESCRIBE. */
const READ_ONLY_STATEMENTS = new Set([
  'StatementDefaultContext',
  'ExplainContext',
  'ShowTablesContext',
  'ShowColumnsContext',
]);

/**
 * Throws a one-line UserInputError unless `sql` (which parses) is one read-only statement: the
 * lake is written only by `ingest` and `compact`, and one statement keeps a second one from
 * hiding behind the first.
 */
export async function assertReadOnlyQuery(sql: string, what: string): Promise<void> {
  const tree = (await trino()).parse(sql) as TreeNode;
  const statements: TreeNode[] = [];
  const collect = (node: TreeNode): void => {
    if (node.constructor.name === 'SingleStatementContext') {
      const statement = node.children?.find((child) => !child.symbol);
      if (statement) statements.push(statement);
      return;
    }
    for (const child of node.children ?? []) collect(child);
  };
  collect(tree);
  if (statements.length !== 1) {
    throw new UserInputError(
      `${what} must be one statement, got ${statements.length}; run them one at a time`,
    );
  }
  if (!READ_ONLY_STATEMENTS.has(statements[0].constructor.name)) {
    throw new UserInputError(
      `${what} runs read-only queries (SELECT, WITH, VALUES, EXPLAIN, SHOW TABLES, DESCRIBE); the lake is changed only by ingest and compact`,
    );
  }
}
