/** Rendering query results as a text table, CSV (RFC 4180) or JSON (an array of row objects). */
import type { QueryResult } from './types';

/** The output formats of `query --format`. */
export type OutputFormat = 'table' | 'csv' | 'json';

/** Renders a result in the given format; the text ends with a newline. */
export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result.rows, null, 2) + '\n';
    case 'csv':
      return toCsv(result);
    case 'table':
      return toTable(result);
    default: {
      const never: never = format;
      return never;
    }
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function toCsv(result: QueryResult): string {
  const escape = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const names = result.columns.map((c) => c.name);
  const lines = [names.map(escape).join(',')];
  for (const row of result.rows) lines.push(names.map((name) => escape(cellText(row[name]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function toTable(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) =>
    names.map((name) =>
      row[name] === null || row[name] === undefined ? 'NULL' : cellText(row[name]).replace(/\s+/g, ' '),
    ),
  );
  const widths = names.map((name, index) =>
    Math.min(60, Math.max(name.length, ...cells.map((line) => line[index].length))),
  );
  const clip = (text: string, width: number): string =>
    text.length > width ? text.slice(0, width - 1) + '…' : text;
  const numeric = names.map(
    (_, index) =>
      result.rows.length > 0 &&
      result.rows.every((row) => row[names[index]] === null || typeof row[names[index]] === 'number'),
  );
  const render = (line: string[]): string =>
    line
      .map((text, index) =>
        numeric[index]
          ? clip(text, widths[index]).padStart(widths[index])
          : clip(text, widths[index]).padEnd(widths[index]),
      )
      .join('  ')
      .trimEnd();
  const out = [render(names), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(render)];
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}
