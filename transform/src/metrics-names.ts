/**
 * Names of the CloudWatch metrics the Firehose transformation Lambda emits (EMF, through
 * Powertools). The infra's alarms and dashboards import these, so a rename breaks a test, not an alarm.
 */
import type { BatchSummary } from './firehose-batch';
import type { FailureReason } from './types';

/** Namespace used when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'EngagementLake';

/**
 * Service name used when `POWERTOOLS_SERVICE_NAME` is not set. Powertools adds it to every metric
 * as the `service` dimension, so an alarm must name it too.
 */
export const DEFAULT_SERVICE_NAME = 'engagement-lake';

export const METRIC_NAMES = {
  /** Records in the Firehose batch. */
  recordsIn: 'RecordsIn',
  /** Records returned `Ok`. */
  recordsOk: 'RecordsOk',
  /** Records returned `ProcessingFailed`, for any reason. */
  recordsFailed: 'RecordsFailed',
  /** The same count under the name the infra's alarm watches. */
  processingFailedRecords: 'ProcessingFailedRecords',
  /** Rows written (a record may hold several events). */
  rowsOut: 'RowsOut',
  /** Rows whose `dt` is not the date of `event_time` (arrival-based or clamped). */
  dtFallbacks: 'DtFallbacks',
  /** Rows of an unknown event type (`<family>.other`). */
  unknownTypes: 'UnknownTypes',
  /** Map keys that collided by case and went to `extra`. */
  caseCollidingKeys: 'CaseCollidingKeys',
  /** Time spent transforming the batch, in milliseconds. */
  flattenDurationMs: 'FlattenDurationMs',
} as const;

/** Per-reason failure count, e.g. `RecordsFailed_invalid_json`. */
export function failedReasonMetric(reason: FailureReason): string {
  return `${METRIC_NAMES.recordsFailed}_${reason}`;
}

/** The one method of Powertools' `Metrics` this module needs, so the core never imports Powertools. */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
}

/**
 * Adds one batch's counts to `sink`. The totals are added even when zero, so alarms see data;
 * per-reason counts only for the reasons that occurred.
 */
export function addBatchMetrics(sink: MetricsSink, summary: BatchSummary, durationMs: number): void {
  const failed = summary.failures.length;
  sink.addMetric(METRIC_NAMES.recordsIn, 'Count', summary.recordsIn);
  sink.addMetric(METRIC_NAMES.recordsOk, 'Count', summary.recordsOk);
  sink.addMetric(METRIC_NAMES.recordsFailed, 'Count', failed);
  sink.addMetric(METRIC_NAMES.processingFailedRecords, 'Count', failed);
  sink.addMetric(METRIC_NAMES.rowsOut, 'Count', summary.rowsOut);
  sink.addMetric(METRIC_NAMES.dtFallbacks, 'Count', summary.dtFallbacks);
  sink.addMetric(METRIC_NAMES.unknownTypes, 'Count', summary.unknownTypes);
  sink.addMetric(METRIC_NAMES.caseCollidingKeys, 'Count', summary.caseCollidingKeys);
  sink.addMetric(METRIC_NAMES.flattenDurationMs, 'Milliseconds', durationMs);
  const byReason = new Map<FailureReason, number>();
  for (const { reason } of summary.failures) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  for (const [reason, count] of byReason) sink.addMetric(failedReasonMetric(reason), 'Count', count);
}
