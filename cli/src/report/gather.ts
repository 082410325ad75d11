/** Runs every saved query the report shows, with one date range, through one runner. */
import { loadSavedQueries } from '../../../queries/src/catalog';
import { resolveParams } from '../../../queries/src/params';
import type { ResultRow } from '../../../queries/src/types';
import type { ReportRunner } from './runner';
import { REPORT_QUERIES, type ReportData, type ReportQueryName } from './types';

export interface ReportRange {
  /** `YYYY-MM-DD`, or undefined for the saved queries' default (today-30d .. today). */
  readonly from?: string;
  readonly to?: string;
}

/**
 * The range every query gets: the given days, else the saved queries' own defaults (they all
 * declare the same `start` and `end`), resolved once so every section covers the same days.
 */
export function resolveRange(range: ReportRange, now: Date): { start: string; end: string } {
  const query = loadSavedQueries().find((q) => q.name === 'daily_volume')!;
  const given = new Map<string, string>();
  if (range.from) given.set('start', range.from);
  if (range.to) given.set('end', range.to);
  const values = resolveParams(query, given, now);
  return { start: String(values.start), end: String(values.end) };
}

export async function gatherReportData(
  runner: ReportRunner,
  range: ReportRange,
  now: Date,
): Promise<ReportData> {
  const { start, end } = resolveRange(range, now);
  const saved = new Map(loadSavedQueries().map((q) => [q.name, q]));
  const rows = {} as Record<ReportQueryName, ResultRow[]>;
  for (const name of REPORT_QUERIES) {
    const query = saved.get(name);
    if (!query) throw new Error(`the report needs the saved query ${name}, which queries/sql/ lacks`);
    const values = resolveParams(
      query,
      new Map([
        ['start', start],
        ['end', end],
      ]),
      now,
    );
    rows[name] = (await runner.run(query, values)).rows;
  }
  return { start, end, source: runner.source, rows, failedRecords: await runner.failedRecords(start, end) };
}
