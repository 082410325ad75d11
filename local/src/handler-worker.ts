/**
 * A handler worker (see handler-pool.ts): receives packed batches, runs the Firehose handler from
 * transform/handler.ts on each exactly as in the main thread, and posts back each record's outcome.
 * Powertools logs and metrics stay silent here as in the main thread (local-transform.ts).
 */
import { parentPort } from 'node:worker_threads';
import { buildTransformationEvent, outcomesOf, type RecordOutcome } from './batch-outcome';
import type { SourceRecord } from './batcher';
import { defaultTransform } from './local-transform';

/** A batch as posted to a worker: every record's bytes in one buffer, cut at `ends`. */
export interface WorkerRequest {
  id: number;
  invocationId: string;
  data: Uint8Array;
  ends: number[];
  arrivals: (number | null)[];
}

export type WorkerResponse = { id: number; outcomes: RecordOutcome[] } | { id: number; error: string };

/** Cuts a packed batch back into records (views on the one buffer, no copies). */
export function unpack(request: WorkerRequest): SourceRecord[] {
  let start = 0;
  return request.ends.map((end, i) => {
    const record = { data: request.data.subarray(start, end), arrivalTime: request.arrivals[i] };
    start = end;
    return record;
  });
}

async function handle(request: WorkerRequest, transform: ReturnType<typeof defaultTransform>) {
  const batch = unpack(request);
  const event = buildTransformationEvent(batch, request.invocationId);
  const response = await transform.handler(event);
  return outcomesOf(batch, event, response, (record) => transform.failureOf(record));
}

if (parentPort) {
  const port = parentPort;
  const transform = defaultTransform();
  // One batch at a time, in arrival order: the pool decides how much each worker gets.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    chain = chain.then(async () => {
      let reply: WorkerResponse;
      try {
        reply = { id: request.id, outcomes: await handle(request, transform) };
      } catch (error) {
        reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
