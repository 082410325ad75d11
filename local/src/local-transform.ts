/**
 * Binds the local pipeline to the transform: the Firehose handler from transform/handler.ts (the
 * exact code the Lambda runs), `transformRecord` to recover a failed record's reason the way the
 * handler computed it, and `parseRow` to read the handler's output rows back.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import type { PiiPolicy } from '../../transform/src/pii';
import { parseRow, transformRecord } from '../../transform/src/records';
import type { LocalTransform } from './delivery';

export interface LocalTransformOptions {
  /** Keep each event's JSON text in `raw` (default true). */
  includeRaw?: boolean;
  /** Hash or drop personal data (`--pii`); absent: keep. The handler's own PII_MODE is not read. */
  pii?: PiiPolicy;
}

type Handler = (event: FirehoseTransformationEvent, context: unknown, callback: () => void) => unknown;
type HandlerModule = { createHandler(pii: () => Promise<PiiPolicy | undefined>): Handler };

let cachedModule: HandlerModule | undefined;

/**
 * Loads the Lambda handler once. Its logs and EMF metrics go to stdout, which locally is the
 * summary's channel: they are off unless the user set the Powertools variables explicitly. This
 * must run before the handler module loads, because it reads its settings at load time.
 */
function loadHandler(pii: PiiPolicy | undefined): Handler {
  if (!cachedModule) {
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cachedModule = require('../../transform/handler') as HandlerModule;
  }
  return cachedModule.createHandler(async () => pii);
}

/**
 * The transform `ingest` and `serve` run by default: the real handler. `--no-raw` is applied to
 * the handler's output rows (the handler reads INCLUDE_RAW once, at load), which gives the same
 * rows as a handler configured without raw: no other column depends on it.
 */
export function defaultTransform(options: LocalTransformOptions = {}): LocalTransform {
  const includeRaw = options.includeRaw ?? true;
  let handler: Handler | undefined;
  return {
    // Loaded on first use: with handler workers, the main thread only needs `parseRow`.
    handler: async (event) =>
      (await (handler ??= loadHandler(options.pii))(
        event,
        {},
        () => undefined,
      )) as FirehoseTransformationResult,
    failureOf(record) {
      const result = transformRecord(record.data, { arrivalTime: record.arrivalTime, now: Date.now() });
      // The handler fails a record the transform accepts only when its response is full.
      if (result.ok)
        return {
          reason: 'response_too_large',
          message: 'the response reached its size limit before this record',
        };
      return { reason: result.reason, message: result.message };
    },
    parseRow: includeRaw
      ? parseRow
      : (json) => {
          const row = parseRow(json);
          row.raw = null;
          return row;
        },
  };
}
