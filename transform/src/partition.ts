import { DEFAULT_DT_START } from './schema';
import { DAY_MS, tomorrowUtc, utcDate } from './time';

export interface DtRange {
  /** First day of the projection range, `YYYY-MM-DD`. */
  start?: string;
  /** The current time (epoch ms); the range ends tomorrow (UTC) relative to it. */
  now: number;
}

export interface DtDecision {
  dt: string;
  /** True when `dt` is not the date of `event_time`: taken from `arrival_time`, or clamped. */
  fellBack: boolean;
}

/**
 * The `dt` partition of an event: the UTC date of `event_time`, or of `arrival_time` when
 * `event_time` is more than a day after it (a device clock running ahead), clamped to the
 * projection range so that Athena can always see the row.
 */
export function computeDt(eventTime: number, arrivalTime: number | null, range: DtRange): DtDecision {
  const basis = arrivalTime !== null && eventTime - arrivalTime > DAY_MS ? arrivalTime : eventTime;
  const start = range.start ?? DEFAULT_DT_START;
  const end = tomorrowUtc(range.now);
  const raw = utcDate(basis);
  const dt = raw < start ? start : raw > end ? end : raw;
  return { dt, fellBack: dt !== utcDate(eventTime) };
}
