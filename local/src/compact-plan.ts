/**
 * What a `compact` run works on and how many at once: the `--from/--to` day range, the
 * `--concurrency` setting, and a small pool that runs partitions side by side and stops starting
 * new ones at the first failure.
 */
import { UserInputError } from '../../transform/src/errors';

/** Days to compact, both ends included (`YYYY-MM-DD`); a missing end is open. */
export interface DayRange {
  from?: string;
  to?: string;
}

/** The most partitions compacted at once: each holds a DuckDB query, downloads and a temporary copy. */
export const MAX_CONCURRENCY = 64;

/**
 * Checks a `--from/--to` range: real dates as YYYY-MM-DD, `from` not after `to`.
 *
 * @throws UserInputError naming the flag and the bad value
 * @example
 * checkDayRange({ from: '2026-11-01', to: '2026-11-30' }); // ok
 * checkDayRange({ from: '2026-02-30' }); // throws: --from must be a date as YYYY-MM-DD, got '2026-02-30'
 */
export function checkDayRange(range: DayRange): DayRange {
  const from = range.from === undefined ? undefined : checkDay(range.from, '--from');
  const to = range.to === undefined ? undefined : checkDay(range.to, '--to');
  if (from !== undefined && to !== undefined && from > to)
    throw new UserInputError(`--from ${from} is after --to ${to}; pass a --from on or before --to`);
  return { from, to };
}

function checkDay(raw: string, flag: string): string {
  const text = raw.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  // Date.UTC rolls 2026-02-30 over to March; a real date formats back to itself.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    throw new UserInputError(`${flag} must be a date as YYYY-MM-DD, got '${raw}'`);
  return text;
}

/** True when a partition of this day is in the range; a partition without a day only when there is no range. */
export function inDayRange(day: string | undefined, range: DayRange): boolean {
  if (range.from === undefined && range.to === undefined) return true;
  if (day === undefined) return false;
  return (range.from === undefined || day >= range.from) && (range.to === undefined || day <= range.to);
}

/**
 * Checks `--concurrency`: a whole number from 1 to MAX_CONCURRENCY.
 *
 * @throws UserInputError naming the bad value
 */
export function checkConcurrency(value: number | string, flag = '--concurrency'): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
    throw new UserInputError(
      `${flag} must be a whole number from 1 to ${MAX_CONCURRENCY} (partitions compacted at once), got '${value}'`,
    );
  return n;
}

/**
 * Runs `work` on every item, at most `limit` at a time, in item order. After the first failure no
 * new item starts; the ones already running finish (a partition is never left half done by this
 * pool), then the first error is thrown.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}
