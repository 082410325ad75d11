/**
 * A transform worker (see handler-pool.ts). Two kinds of work, one at a time, in arrival order:
 * - a packed batch: transformed by the direct path (`transformRecord`, the core the Lambda runs,
 *   without the base64/JSON envelope; see direct-transform.ts) or, with `path: 'handler'`, by the
 *   Firehose handler from transform/handler.ts; either way it posts back each record's verdict and
 *   the rows as one Arrow chunk per partition;
 * - a partition's chunks: joined and encoded as one Parquet file's bytes, which the main thread
 *   publishes (so file names and contents do not depend on which worker encoded them).
 * Powertools logs and metrics stay silent here as in the main thread (local-transform.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PiiPolicy } from '../../transform/src/pii';
import type { BatchResult } from './batch-outcome';
import type { SourceRecord } from './batcher';
import { directRunner, encodeChunks, inProcessRunner } from './handler-pool';
import { defaultTransform } from './local-transform';

/** A batch as posted to a worker: every record's bytes in one buffer, cut at `ends`. */
export interface BatchRequest {
  kind: 'batch';
  id: number;
  invocationId: string;
  data: Uint8Array;
  ends: number[];
  arrivals: (number | null)[];
}

/** One Parquet file to encode: a partition's chunks (Arrow IPC streams), in order. */
export interface EncodeRequest {
  kind: 'encode';
  id: number;
  chunks: Uint8Array[];
}

export type WorkerRequest = BatchRequest | EncodeRequest;

export type WorkerResponse =
  { id: number; result: BatchResult } | { id: number; encoded: Uint8Array } | { id: number; error: string };

/** Which code turns a batch into rows. Both give the same rows and failures. */
export type TransformPath = 'direct' | 'handler';

/** Settings a worker starts with. */
export interface WorkerSettings {
  /** Keep the `raw` column (the `--no-raw` choice). */
  includeRaw: boolean;
  path: TransformPath;
  /** Hash or drop personal data (`--pii`); absent: keep. */
  pii?: PiiPolicy;
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

/** The buffers a reply can hand over without a copy (each one whole, so nothing else goes with it). */
function transferables(reply: WorkerResponse): ArrayBuffer[] {
  const views =
    'result' in reply ? reply.result.chunks.map((c) => c.ipc) : 'encoded' in reply ? [reply.encoded] : [];
  return views
    .filter((view) => view.byteOffset === 0 && view.byteLength === view.buffer.byteLength)
    .map((view) => view.buffer as ArrayBuffer);
}

/** Makes the function that transforms one batch, on the path the settings name. */
function batchTransformer(settings: WorkerSettings): (request: BatchRequest) => Promise<BatchResult> {
  const runner =
    settings.path === 'handler'
      ? // The reference path, exactly as the main thread runs it without workers.
        inProcessRunner(defaultTransform(settings))
      : directRunner(settings);
  return (request) => runner.run(unpack(request), request.invocationId);
}

if (parentPort) {
  const port = parentPort;
  const transformBatch = batchTransformer(workerData as WorkerSettings);
  const handle = async (request: WorkerRequest): Promise<WorkerResponse> =>
    request.kind === 'encode'
      ? { id: request.id, encoded: encodeChunks(request.chunks) }
      : { id: request.id, result: await transformBatch(request) };
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    chain = chain.then(async () => {
      let reply: WorkerResponse;
      try {
        reply = await handle(request);
      } catch (error) {
        reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply, transferables(reply));
    });
  });
}
