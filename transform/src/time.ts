/**
 * Timestamp parsing and formatting. Pure functions; every time in the transform is epoch milliseconds UTC.
 */

/** 9999-12-31T23:59:59.999Z, the last instant the lake can hold. */
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAY_MS = 86_400_000;

/**
 * Epoch milliseconds of an epoch number, read by magnitude: seconds below 1e11, milliseconds below
 * 1e14, else microseconds. Not rounded, so a caller can tell whether sub-millisecond digits exist.
 */
export function epochNumberToMs(n: number): number {
  return n < 1e11 ? n * 1000 : n < 1e14 ? n : n / 1000;
}

function fromEpochNumber(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  const rounded = Math.floor(epochNumberToMs(n));
  return rounded >= 0 && rounded <= MAX_MS ? rounded : null;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;
// ISO-8601 date-time with an optional offset; a bare date is taken as UTC midnight.
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function fromIsoOrRfc(text: string): number | null {
  let candidate = text;
  if (ISO.test(text)) {
    // Trim fractions beyond milliseconds and read an offset-less time as UTC, never as local time.
    candidate = text.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
    if (candidate.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/i.test(candidate)) candidate += 'Z';
  } else if (!/[a-z]{3},?\s+\d|\d{1,2}\s+[a-z]{3}\s+\d{4}/i.test(text)) {
    // Only RFC 822 / RFC 1123 dates are accepted besides ISO-8601; Date.parse's other guesses are not.
    return null;
  }
  const ms = Date.parse(candidate);
  return Number.isNaN(ms) || ms < 0 || ms > MAX_MS ? null : ms;
}

/**
 * Parses a source timestamp: an epoch number (seconds, milliseconds or microseconds by magnitude),
 * a numeric string, an ISO-8601 string or an RFC 822 date. Returns null for anything else, or for a
 * value outside 1970-01-01..9999-12-31.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') return fromEpochNumber(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (NUMERIC.test(text)) return fromEpochNumber(Number(text));
  return fromIsoOrRfc(text);
}

/**
 * `yyyy-MM-ddTHH:mm:ss.SSSZ`: the form Firehose's OpenX deserializer documents for timestamps.
 * Epoch numbers are mis-scaled there before 2001, so the Lambda never emits them.
 */
export function formatTimestamp(ms: number): string {
  if (!isCacheable(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  const time = ms - day * DAY_MS;
  const hours = Math.floor(time / 3_600_000);
  const minutes = Math.floor(time / 60_000) % 60;
  const seconds = Math.floor(time / 1000) % 60;
  return `${isoDate(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(time % 1000).padStart(3, '0')}Z`;
}

/** The UTC date `YYYY-MM-DD` of an epoch-millisecond time. */
export function utcDate(ms: number): string {
  return isCacheable(ms) ? isoDate(Math.floor(ms / DAY_MS)) : formatTimestamp(ms).slice(0, 10);
}

// Dates are formatted several times per event (the `dt` decision, each timestamp column written)
// and events cluster in a few days, so `YYYY-MM-DD` is cached per day and Date#toISOString, the
// costly part, runs once per day. Bounded, so a stream of far-apart dates cannot grow it.
const DATES = new Map<number, string>();
const MAX_CACHED_DAYS = 10_000;

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
function isoDate(day: number): string {
  let date = DATES.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (DATES.size >= MAX_CACHED_DAYS) DATES.clear();
    DATES.set(day, date);
  }
  return date;
}

/** Whole milliseconds in 1970..9999: four-digit years, no fraction (toISOString handles the rest). */
function isCacheable(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_MS;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** `YYYY-MM-DD` of the day after `ms` (UTC): the end of the `dt` projection range. */
export function tomorrowUtc(ms: number): string {
  return utcDate(ms + DAY_MS);
}

export { DAY_MS };
