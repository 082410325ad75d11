/**
 * The local fast path: runs a batch through `transformRecord` — the core the Lambda handler calls —
 * directly, without the handler's base64/JSON envelope, and applies the handler's response-size
 * rule exactly (`ResponseLimit`, with each Ok record's size computed, not serialized). The verdicts
 * and rows are those the handler path gives (test/local/direct-transform.test.ts proves the lakes
 * are identical). Pure: the caller passes `now` and the handler's settings.
 */
import {
  failedResultBytes,
  okResultBytes,
  ResponseLimit,
  RESPONSE_FULL_MESSAGE,
} from '../../transform/src/firehose-batch';
import type { PiiPolicy } from '../../transform/src/pii';
import { serializedRowBytes, transformRecord } from '../../transform/src/records';
import { ChunkCollector, recordIdOf, type BatchResult, type RecordVerdict } from './batch-outcome';
import type { SourceRecord } from './batcher';

export interface DirectSettings {
  /** Keep `raw` in the rows written (the `--no-raw` choice, applied after the handler's rules). */
  includeRaw: boolean;
  /** The handler's own INCLUDE_RAW: it decides the response size, hence which records fit. */
  handlerIncludeRaw: boolean;
  /** The handler's DT_START. */
  dtStart: string;
  /** Hash or drop personal data; absent: keep. */
  pii?: PiiPolicy;
  /** The Lambda response limit (default: the handler's). */
  maxResponseBytes?: number;
}

/** Firehose's arrival time as the handler reads it: a finite number, or null. */
function arrivalOf(record: SourceRecord): number | null {
  const time = record.arrivalTime;
  return typeof time === 'number' && Number.isFinite(time) ? time : null;
}

/**
 * Transforms a batch as the handler would (same rows, same failures and reasons, same records
 * failed for a full response) and returns each record's verdict and the rows as Arrow chunks.
 *
 * @example
 * const result = transformBatchDirect(batch, 'run-00000001', settings, Date.now());
 */
export function transformBatchDirect(
  batch: readonly SourceRecord[],
  invocationId: string,
  settings: DirectSettings,
  now: number,
): BatchResult {
  const ids = batch.map((_, i) => recordIdOf(invocationId, i));
  const limit = new ResponseLimit(
    batch.map((record, i) => failedResultBytes(ids[i]!, record.data.byteLength)),
    settings.maxResponseBytes,
  );
  const collector = new ChunkCollector();
  const tooLarge = (index: number): RecordVerdict => {
    limit.addFailed(index);
    return { ok: false, reason: 'response_too_large', message: RESPONSE_FULL_MESSAGE };
  };
  const records = batch.map((record, index): RecordVerdict => {
    // Past a full response too: the handler path reports a record the transform rejects with its
    // own reason (LocalTransform.failureOf), and only the others as response_too_large.
    const result = transformRecord(record.data, {
      arrivalTime: arrivalOf(record),
      includeRaw: settings.handlerIncludeRaw,
      dtStart: settings.dtStart,
      pii: settings.pii,
      now,
    });
    if (!result.ok) {
      limit.addFailed(index);
      return { ok: false, reason: result.reason, message: result.message };
    }
    if (limit.full) return tooLarge(index);
    let rowBytes = 0;
    for (const row of result.rows) rowBytes += serializedRowBytes(row) + 1; // + its newline
    if (!limit.admitOk(index, okResultBytes(ids[index]!, result.partition, rowBytes))) return tooLarge(index);
    if (!settings.includeRaw) for (const row of result.rows) row.raw = null;
    collector.add(result.partition, result.rows);
    return { ok: true, rows: result.rows.length };
  });
  return { records, chunks: collector.chunks() };
}
