/**
 * The Amazon Data Firehose transformation Lambda: flattens each record into rows of the `events`
 * table and returns `metadata.partitionKeys` {family, dt} for dynamic partitioning. The logic is in
 * `src/firehose-batch.ts` and `src/records.ts`; this file only does I/O: settings, logs, metrics.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationHandler } from 'aws-lambda';
import { processFirehoseBatch } from './src/firehose-batch';
import { readHandlerConfig } from './src/handler-config';
import type { PiiPolicy } from './src/pii';
import { addBatchMetrics } from './src/metrics-names';
import { cachedPiiPolicy, loadPiiPolicy } from './pii-secret';

// Cheap to create: module scope, so warm invocations reuse them.
const config = readHandlerConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });

/**
 * The handler with its `pii` policy from `piiPolicy` (the local pipeline passes its `--pii` choice).
 * Returns exactly one result per recordId, in order; a bad record fails alone and is never Dropped.
 */
export function createHandler(
  piiPolicy: () => Promise<PiiPolicy | undefined>,
): FirehoseTransformationHandler {
  return async (event) => {
    const pii = await piiPolicy();
    const started = performance.now();
    const { response, summary } = processFirehoseBatch(event, { ...config, pii, now: Date.now() });
    addBatchMetrics(metrics, summary, performance.now() - started);
    // Ids, reasons and counts only: never record content.
    for (const { recordId, index, reason, message } of summary.failures) {
      logger.warn('record failed', { recordId, index, reason, detail: message });
    }
    const { recordsIn, recordsOk, responseBytes } = summary;
    logger.info('batch transformed', {
      invocationId: event.invocationId,
      recordsIn,
      recordsOk,
      responseBytes,
    });
    metrics.publishStoredMetrics();
    return response;
  };
}

// The key is fetched on the first invocation, not at load: a failed fetch fails that batch (Firehose retries), not the runtime.
export const handler = createHandler(cachedPiiPolicy(() => loadPiiPolicy(config, process.env)));
