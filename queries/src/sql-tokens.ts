/**
 * A small SQL scanner that knows strings ('…' with '' doubling), quoted identifiers ("…"), line
 * comments (-- …) and block comments. It finds the positional parameters (`?`) of a query and the
 * comment that names each one, without being fooled by a `?` inside a string or a comment; and it
 * quotes literals and identifiers by the same doubling rule.
 */

/** A positional parameter found in SQL text. */
export interface Placeholder {
  /** Offset of the `?` in the text. */
  readonly offset: number;
  /** 1-based line of the `?`. */
  readonly line: number;
  /** The text of the block comment right after the `?` (`? /* start *\/` → `start`), if any. */
  readonly label?: string;
}

/** Quotes a string as a SQL literal, doubling single quotes, so the value can never end the literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Quotes an identifier, doubling double quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * For each offset of `sql`: true when it is code, false inside a string, a quoted identifier or a
 * comment. Unterminated strings and comments run to the end.
 */
export function codeMask(sql: string): boolean[] {
  const mask = new Array<boolean>(sql.length).fill(true);
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    let end: number;
    if (ch === "'" || ch === '"') end = skipQuoted(sql, i, ch);
    else if (ch === '-' && next === '-') end = lineEnd(sql, i);
    else if (ch === '/' && next === '*') end = blockEnd(sql, i);
    else {
      i += 1;
      continue;
    }
    mask.fill(false, i, end);
    i = end;
  }
  return mask;
}

/** Finds every `?` outside strings, quoted identifiers and comments, in order. */
export function findPlaceholders(sql: string): Placeholder[] {
  const mask = codeMask(sql);
  const found: Placeholder[] = [];
  for (let i = 0; i < sql.length; i += 1) {
    if (sql[i] === '?' && mask[i])
      found.push({ offset: i, line: lineOf(sql, i), label: labelAfter(sql, i + 1) });
  }
  return found;
}

/** Replaces every `?` outside strings and comments with `replace(index)`; the rest stays byte for byte. */
export function replacePlaceholders(sql: string, replace: (index: number) => string): string {
  let out = '';
  let last = 0;
  findPlaceholders(sql).forEach((p, index) => {
    out += sql.slice(last, p.offset) + replace(index);
    last = p.offset + 1;
  });
  return out + sql.slice(last);
}

/** Returns the offset just after a quoted run that starts at `start`; a doubled quote stays inside. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

function blockEnd(sql: string, start: number): number {
  const end = sql.indexOf('*/', start + 2);
  return end === -1 ? sql.length : end + 2;
}

function labelAfter(sql: string, from: number): string | undefined {
  const match = /^[ \t]*\/\*\s*([^*]*?)\s*\*\//.exec(sql.slice(from, from + 200));
  return match ? match[1] : undefined;
}

function lineOf(sql: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (sql[i] === '\n') line += 1;
  return line;
}
