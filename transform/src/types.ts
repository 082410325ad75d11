import type { PiiPolicy } from './pii';
import type { EventRow, Family, PartitionKeys } from './schema';

/** Machine-readable reasons a record fails. Each becomes `ProcessingFailed` with this as errorCode. */
export const FAILURE_REASONS = [
  'invalid_utf8',
  'record_too_large',
  'invalid_json',
  'not_an_object',
  'unknown_format',
  'missing_timestamp',
  'mixed_partitions',
  'response_too_large',
  'too_deeply_nested',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export type SourceFormatName = 'pinpoint' | 'pinpoint_legacy' | 'ses' | 'ses_notification' | 'sms_voice_v2';

/** What a source format's flattener returns for one (unwrapped) event object. */
export interface Flattened {
  family: Family;
  /**
   * Typed columns and maps this format fills, including `event_type`, `event_name` and
   * `event_version`. Timestamps are epoch ms. The orchestrator fills `event_id`, `source_format`,
   * `event_time`, `arrival_time`, `time_source`, `transform_version`, `extra` and `raw`.
   */
  columns: Partial<EventRow>;
  /** The source's own event time (already parsed), or null when missing or unparseable. */
  eventTime: number | null;
  /** The record's own arrival field (Pinpoint `arrival_timestamp`), or null. */
  arrivalTime: number | null;
  /**
   * Dot paths (relative to the event object) whose values are held losslessly by `columns`.
   * A path consumes its subtree. Everything else lands in `extra`, so nothing is lost.
   */
  consumed: string[];
  /** True when the event type was not recognised and `event_name` is `<family>.other`. */
  unknownType: boolean;
}

/** One source format: how to recognise it and how to flatten it. */
export interface SourceFormat {
  name: SourceFormatName;
  matches(event: Record<string, unknown>): boolean;
  flatten(event: Record<string, unknown>): Flattened;
}

export interface TransformOptions {
  /** Firehose's `approximateArrivalTimestamp`, the time of receipt in `serve`, or a Firehose object name's time. */
  arrivalTime?: number | null;
  /** Keep the event's own JSON text in `raw` (default true). */
  includeRaw?: boolean;
  /** First day of the `dt` projection range (default 2015-01-01). */
  dtStart?: string;
  /** Hash or drop personal data (pii.ts); absent: kept as received, with no extra work. */
  pii?: PiiPolicy;
  /** The current time in epoch ms, for the `dt` clamp. Injected so the transform stays pure. */
  now: number;
}

export interface TransformDiagnostics {
  /** `dt` is not the date of `event_time` (arrival-based or clamped). */
  dtFallback: boolean;
  /** The event type was unknown: `event_name` is `<family>.other`. */
  unknownType: boolean;
  /** Map keys that collided by case and went to `extra`. */
  caseCollisions: number;
}

export type EventResult =
  | { ok: true; row: EventRow; partition: PartitionKeys; diagnostics: TransformDiagnostics }
  | { ok: false; reason: FailureReason; message: string };
