/** `engagement-lake queries`: list the saved queries with their descriptions and parameters. */
import { loadSavedQueries } from '../../../queries/src/catalog';
import type { SavedQuery } from '../../../queries/src/types';

/** Options of `queries`. */
export interface QueriesOptions {
  json?: boolean;
  /** Where the listing goes; default stdout. */
  out?: (text: string) => void;
}

/** Lists the catalog; returns it so tests need not parse the text. */
export async function runQueries(options: QueriesOptions = {}): Promise<SavedQuery[]> {
  const queries = loadSavedQueries();
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  if (options.json) {
    const listing = queries.map((q) => ({
      name: q.name,
      description: q.description,
      grain: q.grain,
      params: q.params,
      columns: q.columns,
      file: q.file,
    }));
    out(JSON.stringify(listing, null, 2) + '\n');
  } else {
    out(queries.map(describeQuery).join('\n'));
  }
  return queries;
}

/** One query as text: name, description, then one line per parameter. */
export function describeQuery(query: SavedQuery): string {
  const lines = [query.name, `  ${query.description}`];
  if (query.grain) lines.push(`  grain: ${query.grain}`);
  for (const p of query.params) {
    const fallback = p.default === undefined ? 'required' : `default ${p.default}`;
    lines.push(`  --param ${p.name}=<${p.type}>  ${p.description} (${fallback})`);
  }
  return lines.join('\n') + '\n';
}
