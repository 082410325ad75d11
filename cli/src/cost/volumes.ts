/**
 * Units, the model's inputs, and what the lake holds and writes per family and day. Pure: every
 * function takes the inputs and the data file and returns numbers.
 */
import type { CostData } from './prices';

export const KB = 1024;
export const MB = 1024 ** 2;
export const GB = 1024 ** 3;
export const TB = 1024 ** 4;
/** AWS bills a month as 730 hours. */
export const DAYS_PER_MONTH = 730 / 24;
const SECONDS_PER_DAY = 86_400;

/** The lifecycle class events move to after `transitionAfterDays` (the stack's `dataStorageClass`). */
export type StorageClass = 'intelligent-tiering' | 'glacier-ir';

/** What `engagement-lake cost` estimates for, with every default applied. */
export interface CostInput {
  eventsPerDay: number;
  /** Bytes of JSON per event: one Firehose record each. */
  avgEventBytes: number;
  /** Bytes of Parquet stored per event. */
  parquetBytesPerEvent: number;
  retentionYears: number;
  /** Runs a day of the saved queries that read a date range, spread evenly over them. */
  queriesPerDay: number;
  /** Runs a month of each saved query that reads the whole lake. */
  lakeScansPerMonth: number;
  storageClass: StorageClass;
}

/** One line of the estimate. */
export interface LineItem {
  id: string;
  item: string;
  usd: number;
  /** How the number was computed, quantities and prices included. */
  how: string;
}

/** What one family adds to the lake each day. */
export interface FamilyVolume {
  family: string;
  eventsPerDay: number;
  parquetBytesPerDay: number;
  /** Transformed JSON that Firehose buffers before converting it to Parquet. */
  bufferedBytesPerDay: number;
  /** Parquet objects Firehose delivers (one per partition per flush). */
  objectsPerDay: number;
  objectBytes: number;
  /** Under 128 KB: never transitioned, never monitored, stays in S3 Standard. */
  small: boolean;
}

/** Days kept: the model prices the month in which the lake holds its full retention. */
export function retentionDays(input: CostInput): number {
  return Math.round(input.retentionYears * 365);
}

/**
 * Windows out of `windows` that receive at least one of `events` spread at random (Poisson):
 * a quiet family does not flush every interval, a busy one does.
 */
export function nonEmptyWindows(events: number, windows: number): number {
  return events <= 0 ? 0 : windows * (1 - Math.exp(-events / windows));
}

/**
 * Parquet objects a family gets per day: one per buffering interval that saw a record, or more
 * when the transformed JSON fills the 128 MiB buffer first.
 */
export function objectsPerDay(events: number, bufferedBytes: number, data: CostData): number {
  const { bufferingIntervalSeconds, bufferingSizeMiB } = data.deployment;
  const byTime = nonEmptyWindows(events, SECONDS_PER_DAY / bufferingIntervalSeconds.value);
  // Expected flushes, not rounded up: a family too quiet to fill one buffer a day does not get one.
  const bySize = bufferedBytes / (bufferingSizeMiB.value * MB);
  return Math.max(byTime, bySize);
}

/** Splits the day's events and bytes over the families by their measured shares. */
export function familyVolumes(input: CostInput, data: CostData): FamilyVolume[] {
  const ratio = data.measured.transformedJsonRatio.value;
  const smallBytes = data.deployment.smallObjectKb.value * KB;
  return Object.entries(data.measured.families.shares).map(([family, share]) => {
    const eventsPerDay = input.eventsPerDay * share.events;
    const parquetBytesPerDay = input.eventsPerDay * input.parquetBytesPerEvent * share.parquet;
    const bufferedBytesPerDay = eventsPerDay * input.avgEventBytes * ratio;
    const objects = objectsPerDay(eventsPerDay, bufferedBytesPerDay, data);
    const objectBytes = objects > 0 ? parquetBytesPerDay / objects : 0;
    return {
      family,
      eventsPerDay,
      parquetBytesPerDay,
      bufferedBytesPerDay,
      objectsPerDay: objects,
      objectBytes,
      small: objectBytes < smallBytes,
    };
  });
}

/** "304.2M", "1.5B", "12,345", "3.25": counts as a reader takes them in. */
export function qty(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(abs >= 1e10 ? 0 : 1)}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  return Number(n.toFixed(2)).toLocaleString('en-US');
}

/** Gibibytes with one decimal and grouping ("1,450.4"). */
export function gbText(bytesOrGb: number, isBytes = true): string {
  const gb = isBytes ? bytesOrGb / GB : bytesOrGb;
  return gb.toLocaleString('en-US', { maximumFractionDigits: gb < 10 ? 2 : 1 });
}
