/**
 * Roll-ups of a saved query's rows for a chart or a headline: sums of its additive columns, and its
 * rates averaged with the weight of their own denominators (so the period's rate means what the
 * query's daily rate means). Nothing here counts events: every input is a query's output.
 */
import type { ResultRow } from '../../../queries/src/types';

const numberOf = (value: unknown): number => {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
};

const keyOf = (value: unknown): string => (value === null || value === undefined ? 'unknown' : String(value));

/** The sum of one column. */
export function sumColumn(rows: readonly ResultRow[], column: string): number {
  return rows.reduce((sum, row) => sum + numberOf(row[column]), 0);
}

/** Sums of `value` per distinct `key`, in order of first appearance. */
export function sumBy(rows: readonly ResultRow[], key: string, value: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(keyOf(row[key]), (sums.get(keyOf(row[key])) ?? 0) + numberOf(row[value]));
  return sums;
}

/** The entries of `sums`, largest first (ties by name), at most `limit`. */
export function largest(sums: Map<string, number>, limit: number): [string, number][] {
  return [...sums.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
}

/** A grid for a multi-series chart: x values (sorted), and per series one sum per x (0 where none). */
export interface Pivot {
  readonly x: string[];
  readonly series: { name: string; data: number[] }[];
}

/** Sums `value` per (`x`, `series`) cell; series in order of their total, largest first. */
export function pivot(rows: readonly ResultRow[], x: string, series: string, value: string): Pivot {
  const xs = [...new Set(rows.map((row) => keyOf(row[x])))].sort();
  const names = largest(sumBy(rows, series, value), Number.MAX_SAFE_INTEGER).map(([name]) => name);
  const cells = new Map<string, number>();
  for (const row of rows) {
    const cell = `${keyOf(row[series])}\u0000${keyOf(row[x])}`;
    cells.set(cell, (cells.get(cell) ?? 0) + numberOf(row[value]));
  }
  return {
    x: xs,
    series: names.map((name) => ({ name, data: xs.map((at) => cells.get(`${name}\u0000${at}`) ?? 0) })),
  };
}

/**
 * A rate over several rows: each row's `rate` weighted by its denominator `weight`, so that
 * `delivered / sent` per day becomes delivered / sent over the days. Null when the weights are 0.
 */
export function weightedRate(rows: readonly ResultRow[], rate: string, weight: string): number | null {
  let weighted = 0;
  let total = 0;
  for (const row of rows) {
    if (row[rate] === null || row[rate] === undefined) continue;
    weighted += numberOf(row[rate]) * numberOf(row[weight]);
    total += numberOf(row[weight]);
  }
  return total > 0 ? weighted / total : null;
}

/** `weightedRate` per distinct `key` (sorted), e.g. per day across campaigns. */
export function weightedRateBy(
  rows: readonly ResultRow[],
  key: string,
  rate: string,
  weight: string,
): { keys: string[]; rates: (number | null)[] } {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) groups.set(keyOf(row[key]), [...(groups.get(keyOf(row[key])) ?? []), row]);
  const keys = [...groups.keys()].sort();
  return { keys, rates: keys.map((k) => weightedRate(groups.get(k)!, rate, weight)) };
}
