/**
 * Timestamp parsing and formatting. Pure functions; every time in the transform is epoch milliseconds UTC.
 */

import { DEFAULT_DT_START } from './schema';

/** 9999-12-31T23:59:59.999Z, the last instant the lake can hold. */
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAY_MS = 86_400_000;

/**
 * The first plausible instant of an event: the default start of the `dt` projection range
 * (2015-01-01), before Amazon Pinpoint (late 2016), SES event publishing (2016) and End User
 * Messaging existed. An earlier time is a placeholder or a mis-scaled number, not the event's time.
 */
const PLAUSIBLE_START_MS = Date.parse(`${DEFAULT_DT_START}T00:00:00.000Z`);

/** True when `ms` (epoch milliseconds) lies in the plausible range, 2015-01-01..9999-12-31. */
export function isPlausible(ms: number): boolean {
  return ms >= PLAUSIBLE_START_MS && ms <= MAX_MS;
}

/**
 * The units an epoch number may be in, as a conversion to milliseconds: seconds, milliseconds,
 * microseconds, nanoseconds. Read in each unit, the plausible range covers a span less than a
 * factor 1000 wide, so at most one unit gives a plausible time: the unit is decided by plausibility.
 */
const UNITS: readonly ((n: number) => number)[] = [
  (n) => n * 1000,
  (n) => n,
  (n) => n / 1000,
  // A double holds nanoseconds to about 256 ns only; whole microseconds first, so that an exact
  // millisecond does not come out a hair below itself.
  (n) => Math.round(n / 1000) / 1000,
];

/**
 * Epoch milliseconds of an epoch number, in the one unit (seconds, milliseconds, microseconds or
 * nanoseconds) that puts it in the plausible range, or null when no unit does (negative, `Infinity`,
 * 1970, a year past 9999). Not rounded, so a caller can tell whether sub-millisecond digits exist.
 *
 * @example
 * epochNumberToMs(1495756908); // 1495756908000 (seconds)
 * epochNumberToMs(Date.UTC(9999, 0, 1)); // the same number (milliseconds, not 1978 in microseconds)
 * epochNumberToMs(13425345); // null: 1970 in seconds, earlier in any other unit
 */
export function epochNumberToMs(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  for (const toMs of UNITS) {
    const ms = toMs(n);
    if (isPlausible(Math.floor(ms))) return ms;
  }
  return null;
}

function fromEpochNumber(n: number): number | null {
  const ms = epochNumberToMs(n);
  return ms === null ? null : Math.floor(ms);
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
 * Parses a source timestamp: an epoch number (in whichever of seconds, milliseconds, microseconds
 * or nanoseconds gives a plausible time, 2015-01-01..9999-12-31), a numeric string, an ISO-8601
 * string or an RFC 822 date (1970-01-01..9999-12-31: a dated string states its own date, and SES
 * documents 2012 ones). Returns null for anything else: such a value is not a usable time, and the
 * event model's fallbacks apply.
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
