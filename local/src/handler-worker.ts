/**
 * A handler worker (see handler-pool.ts). Two kinds of work, one at a time, in arrival order:
 * - a packed batch: runs the Firehose handler from transform/handler.ts on it exactly as the main
 *   thread would, and posts back each record's outcome;
 * - a partition's rows: parses them and encodes them as one Parquet file's bytes, which the main
 *   thread publishes (so file names and contents do not depend on which worker encoded them).
 * Powertools logs and metrics stay silent here as in the main thread (local-transform.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializedRowsToTable } from './arrow-schema';
import { buildTransformationEvent, outcomesOf, type RecordOutcome } from './batch-outcome';
import type { SourceRecord } from './batcher';
import { defaultTransform } from './local-transform';
import { encodeParquet } from './parquet-writer';

/** A batch as posted to a worker: every record's bytes in one buffer, cut at `ends`. */
export interface BatchRequest {
  kind: 'batch';
  id: number;
  invocationId: string;
  data: Uint8Array;
  ends: number[];
  arrivals: (number | null)[];
}

/** One Parquet file to encode: a partition's rows as the handler serialized them. */
export interface EncodeRequest {
  kind: 'encode';
  id: number;
  rows: string[];
}

export type WorkerRequest = BatchRequest | EncodeRequest;

export type WorkerResponse =
  | { id: number; outcomes: RecordOutcome[] }
  | { id: number; encoded: Uint8Array }
  | { id: number; error: string };

/** Settings a worker starts with. */
export interface WorkerSettings {
  /** Keep the `raw` column when writing (the `--no-raw` choice). */
  includeRaw: boolean;
}

/** Cuts a packed batch back into records (views on the one buffer, no copies). */
export function unpack(request: BatchRequest): SourceRecord[] {
  let start = 0;
  return request.ends.map((end, i) => {
    const record = { data: request.data.subarray(start, end), arrivalTime: request.arrivals[i] };
    start = end;
    return record;
  });
}

type Transform = ReturnType<typeof defaultTransform>;

async function handle(request: WorkerRequest, transform: Transform): Promise<WorkerResponse> {
  if (request.kind === 'encode') {
    const table = serializedRowsToTable(request.rows, transform.parseRow);
    request.rows.length = 0; // let the JSON text go before encoding
    return { id: request.id, encoded: encodeParquet(table) };
  }
  const batch = unpack(request);
  const event = buildTransformationEvent(batch, request.invocationId);
  const response = await transform.handler(event);
  return { id: request.id, outcomes: outcomesOf(batch, event, response, (r) => transform.failureOf(r)) };
}

if (parentPort) {
  const port = parentPort;
  const settings = workerData as WorkerSettings;
  const transform = defaultTransform({ includeRaw: settings.includeRaw });
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    chain = chain.then(async () => {
      let reply: WorkerResponse;
      try {
        reply = await handle(request, transform);
      } catch (error) {
        reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
