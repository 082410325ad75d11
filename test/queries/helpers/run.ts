/** Runs a saved query by name on a lake folder, the way the CLI does, and returns its rows. */
import { loadSavedQueries } from '../../../queries/src/catalog';
import { openLocalLake } from '../../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../../queries/src/params';
import type { ResultRow } from '../../../queries/src/types';

/** Fixed "now" so that date defaults are reproducible: 2026-11-28 12:00 UTC. */
export const NOW = new Date('2026-11-28T12:00:00Z');

export async function runSaved(
  dir: string,
  name: string,
  params: Record<string, string> = {},
): Promise<ResultRow[]> {
  const query = loadSavedQueries().find((q) => q.name === name);
  if (!query) throw new Error(`no saved query ${name}`);
  const values = resolveParams(query, new Map(Object.entries(params)), NOW);
  const lake = await openLocalLake(dir);
  try {
    return (await lake.run(query.sql, bindValues(query, values))).rows;
  } finally {
    lake.close();
  }
}
