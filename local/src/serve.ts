/**
 * `serve`: a local Firehose endpoint on 127.0.0.1. Producers (the AWS SDK's FirehoseClient, the
 * CLI, an SES or End User Messaging stand-in) put records; they are buffered by size and time like
 * a delivery stream's buffer, then de-aggregated, run through the same transformation handler and
 * delivered into the lake. Closing the server flushes everything it accepted.
 *
 * Nothing acknowledged is lost: records are in the write-ahead spool (spool.ts), synced, before the
 * 200 goes out, and a run that was killed leaves them there for the next run to deliver first.
 * Delivery is at-least-once, as Firehose's is: a crash between publishing a flush's files and
 * deleting its spool segments delivers those records again at the next start. They are the same
 * events (same `event_id`), which the `events_unique` view removes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isUtf8 } from 'node:buffer';
import { splitJsonRecords } from '../../transform/src/json-split';
import type { PiiPolicy } from '../../transform/src/pii';
import { Batcher, DEFAULT_BATCH_LIMITS, type SourceRecord } from './batcher';
import { LakeDelivery, type DeliveryStats, type LocalTransform } from './delivery';
import { errorBody, FirehoseApiError, handleApiCall, MAX_BATCH_BYTES, type ApiContext } from './firehose-api';
import { ErrorWriter } from './error-writer';
import { defaultWorkerCount, HandlerPool } from './handler-pool';
import { FolderSink } from './lake-sink';
import { newRunId } from './run-id';
import { Spool, SyncingFolderSink, type SpooledRecord } from './spool';

export interface ServeOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  lake: string;
  /**
   * The only delivery stream names that exist: puts and DescribeDeliveryStream for any other get
   * ResourceNotFoundException, as on AWS. Absent: every valid name exists (created on first use).
   */
  streams?: readonly string[];
  /** Deliver buffered records after this many seconds (default 60; Firehose: 0–900). */
  bufferSeconds?: number;
  /** Deliver buffered records once they reach this many bytes (Firehose: 1–128 MiB). */
  bufferBytes?: number;
  /**
   * Beyond this many bytes accepted but not yet delivered (buffered or being delivered), puts are
   * throttled (ServiceUnavailableException). Default: buffer + 16 MiB.
   */
  maxPendingBytes?: number;
  transform?: LocalTransform;
  /** Hash or drop personal data (`--pii`; see transform/src/pii.ts); absent: keep. */
  pii?: PiiPolicy;
  /** Worker threads when no `transform` is given (default: one per core); 0 runs the handler in this thread. */
  workers?: number;
  /** Called after each delivery (flush), with the running totals. */
  onDelivery?: (stats: DeliveryStats) => void;
  /** Clock for receipt times (injected for tests). */
  clock?: () => number;
}

export interface RunningServer {
  port: number;
  /** Delivers every buffered record into the lake now. */
  flush(): Promise<void>;
  /**
   * Stops accepting, waits for requests in flight, delivers everything buffered. Idempotent. If a
   * delivery failed, rejects with its error; the records it held stay in the spool for the next run.
   */
  close(): Promise<DeliveryStats>;
  readonly stats: DeliveryStats;
  /** Records acknowledged and not yet in the lake (buffered or being delivered): all in the spool. */
  readonly undeliveredRecords: number;
  /** What the start delivered from the spool of earlier runs that did not close (a crash, a kill). */
  readonly replayed: ReplayStats;
}

/** Records recovered at start from the spool segments of runs that did not close. */
export interface ReplayStats {
  records: number;
  segments: number;
  /** Bytes of torn frames dropped: writes a crash interrupted, never acknowledged. */
  tornBytes: number;
  /** Bytes of damaged frames between whole ones, written to the error output as `spool_damaged`. */
  damagedBytes: number;
}

/** Request bodies above this are refused before they are read whole (4 MiB as base64, plus framing). */
const MAX_BODY_BYTES = Math.ceil((MAX_BATCH_BYTES * 4) / 3) + 1024 * 1024;

/**
 * Firehose's JSON de-aggregation, applied to each accepted record: a record of several
 * newline-delimited or concatenated JSON objects becomes several records. Bytes that are not UTF-8
 * stay one record, so the handler fails them as `invalid_utf8` with their original bytes.
 */
export function deaggregate(data: Buffer, arrivalTime: number): SourceRecord[] {
  if (!isUtf8(data)) return [{ data, arrivalTime }];
  const pieces = splitJsonRecords(data);
  if (pieces.length <= 1) return [{ data, arrivalTime }];
  return pieces.map((piece) => ({ data: piece, arrivalTime }));
}

/** Past this, an oversized body is cut off instead of drained: a client streaming without end. */
const MAX_DRAINED_BYTES = 8 * MAX_BODY_BYTES;

/**
 * Reads a request body. An oversized one is drained without being kept, so the client reads the
 * 413 answer instead of a reset connection (the SDK would report a hang-up, not the limit).
 */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () =>
      new FirehoseApiError('ValidationException', `the request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
      if (size > MAX_DRAINED_BYTES) {
        reject(tooLarge());
        request.destroy();
      }
    });
    request.on('end', () =>
      size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomBytes(16).toString('hex'),
  };
  if (status >= 400 && typeof body === 'object' && body !== null && '__type' in body) {
    headers['x-amzn-errortype'] = String((body as { __type: string }).__type);
  }
  response.writeHead(status, headers).end(text);
}

/**
 * Starts the endpoint: first delivers what earlier runs acknowledged and left in the spool, then
 * listens. Resolves once it listens.
 *
 * @example
 * const server = await startServer({ port: 0, lake: './lake' });
 * const client = new FirehoseClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1' });
 * // … put records …
 * await server.close(); // everything accepted is now in the lake
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const bufferBytes = options.bufferBytes ?? 64 * 1024 * 1024;
  // Room for a full buffer plus a few maximal batches arriving while it is delivered.
  const maxPendingBytes = options.maxPendingBytes ?? bufferBytes + 4 * MAX_BATCH_BYTES;
  const runId = newRunId(startedAt);
  const folder = new FolderSink(options.lake);
  await folder.check();
  const sink = new SyncingFolderSink(folder, options.lake);
  const spool = await Spool.open(options.lake, runId);
  const transform =
    options.transform ?? (await import('./local-transform')).defaultTransform({ pii: options.pii });
  const workers = options.transform ? 0 : (options.workers ?? defaultWorkerCount());
  const runner = workers > 0 ? new HandlerPool(workers, { pii: options.pii }) : undefined;
  const delivery = new LakeDelivery({
    sink,
    runId,
    runStartedAt: startedAt,
    transform,
    runner,
  });

  /** De-aggregates and delivers records, then makes every file written durable. */
  const deliverAll = async (records: readonly SpooledRecord[]): Promise<void> => {
    const batcher = new Batcher(DEFAULT_BATCH_LIMITS);
    for (const record of records) {
      for (const piece of deaggregate(record.data, record.arrivalTime)) {
        const batch = batcher.add(piece);
        if (batch) await delivery.deliver(batch);
      }
    }
    const last = batcher.flush();
    if (last) await delivery.deliver(last);
    await delivery.flush();
    await sink.syncPublished(); // only then may the spool forget these records
  };

  // Damaged spool bytes go to the error output under their own name: never a clash with delivery's files.
  const damage = new ErrorWriter({ sink, runId: `${runId}-spool`, runStartedAt: startedAt });
  const keepDamaged = async (stretches: readonly Buffer[]): Promise<void> => {
    for (const raw of stretches) {
      const message = `${raw.byteLength} damaged bytes of a serve spool segment (no whole frame): the records they held`;
      await damage.add({ raw, reason: 'spool_damaged', message, arrivalTime: null });
    }
    await damage.flush();
  };

  let replayed: ReplayStats;
  try {
    replayed = await replayLeftovers(spool, deliverAll, keepDamaged, bufferBytes);
  } catch (error) {
    await runner?.close();
    await spool.close();
    throw error;
  }

  /** Bytes accepted and not yet delivered: spooling, buffered, or in a delivery. Bounds memory. */
  let undeliveredBytes = 0;
  let recordsInDelivery = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let stopping = false;

  /** Delivers what is spooled now; deliveries run one at a time, in order. */
  const flush = (): Promise<void> => {
    const sealed = spool.seal(); // now, so the window holds what was acknowledged before this call
    chain = chain.then(async () => {
      const window = await sealed;
      recordsInDelivery += window.records.length;
      try {
        if (window.records.length > 0) {
          await deliverAll(window.records);
          options.onDelivery?.(delivery.stats);
        }
        await spool.release(window.segments);
      } finally {
        // Only now is there room again: a slow delivery throttles producers instead of queueing buffers.
        undeliveredBytes -= window.bytes;
        recordsInDelivery -= window.records.length;
      }
    });
    // A failed delivery's segments stay for the next run to replay; new puts are refused (see below).
    chain = chain.catch((error: unknown) => {
      failure ??= error;
    });
    return chain;
  };

  const context: ApiContext = {
    newRecordId: () => randomBytes(28).toString('hex'),
    tryAccept(bytes) {
      if (undeliveredBytes + bytes > maxPendingBytes) return false;
      undeliveredBytes += bytes;
      return true;
    },
    createdAt: startedAt,
    streams: new Set(),
    allowedStreams: options.streams ? new Set(options.streams) : undefined,
  };

  /** Makes accepted records durable before they are acknowledged; a failure accepts none of them. */
  const spoolAccepted = async (accepted: readonly Buffer[], arrivalTime: number): Promise<void> => {
    try {
      await spool.append(accepted.map((data) => ({ data, arrivalTime })));
    } catch (error) {
      undeliveredBytes -= accepted.reduce((n, data) => n + data.byteLength, 0);
      const why = (error as Error).message;
      throw new FirehoseApiError('InternalFailure', `the spool could not be written (${why}); retry`, 500);
    }
  };

  const server = createServer((request, response) => {
    void (async () => {
      try {
        if (request.method !== 'POST')
          throw new FirehoseApiError('UnknownOperationException', 'only POST / is served', 404);
        if (stopping) {
          response.shouldKeepAlive = false;
          throw new FirehoseApiError('ServiceUnavailableException', 'the endpoint is shutting down', 503);
        }
        if (failure) {
          // Accepting more would promise deliveries that are failing: refuse until a restart replays them.
          const why = (failure as Error).message;
          throw new FirehoseApiError(
            'ServiceUnavailableException',
            `delivery into the lake failed (${why}); what was accepted is in the spool: restart serve`,
            503,
          );
        }
        const body = await readBody(request);
        const outcome = handleApiCall(request.headers['x-amz-target'] as string | undefined, body, context);
        const arrivalTime = clock(); // time of receipt: the arrival time of these records
        if (outcome.accepted.length > 0) await spoolAccepted(outcome.accepted, arrivalTime);
        send(response, outcome.status, outcome.body);
        if (spool.bufferedBytes >= bufferBytes) void flush();
      } catch (error) {
        const apiError =
          error instanceof FirehoseApiError
            ? error
            : new FirehoseApiError('InternalFailure', 'internal error', 500);
        if (!response.headersSent) send(response, apiError.status, errorBody(apiError));
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    await runner?.close();
    await spool.close();
    throw error;
  });
  const timer = setInterval(() => void flush(), (options.bufferSeconds ?? 60) * 1000);
  timer.unref();

  let closing: Promise<DeliveryStats> | null = null;
  return {
    port: (server.address() as AddressInfo).port,
    flush,
    stats: delivery.stats,
    replayed,
    get undeliveredRecords() {
      return spool.bufferedRecords + recordsInDelivery;
    },
    close() {
      closing ??= (async () => {
        stopping = true;
        clearInterval(timer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        try {
          await flush();
        } finally {
          await runner?.close();
          await spool.close();
        }
        if (failure) throw failure;
        return delivery.stats;
      })();
      return closing;
    },
  };
}

/**
 * Delivers the segments earlier runs left in the spool, oldest first, with their original arrival
 * times; each group of about one buffer is released once its files are durable.
 */
async function replayLeftovers(
  spool: Spool,
  deliverAll: (records: readonly SpooledRecord[]) => Promise<void>,
  keepDamaged: (stretches: readonly Buffer[]) => Promise<void>,
  bufferBytes: number,
): Promise<ReplayStats> {
  const stats: ReplayStats = { records: 0, segments: 0, tornBytes: 0, damagedBytes: 0 };
  let group: { segments: string[]; records: SpooledRecord[]; bytes: number } = {
    segments: [],
    records: [],
    bytes: 0,
  };
  const deliverGroup = async () => {
    await deliverAll(group.records); // also makes the damage written before it durable
    await spool.release(group.segments);
    group = { segments: [], records: [], bytes: 0 };
  };
  for (const name of await spool.leftovers()) {
    const { records, damaged, tornBytes } = await spool.readSegment(name);
    if (damaged.length > 0) await keepDamaged(damaged);
    stats.segments += 1;
    stats.records += records.length;
    stats.tornBytes += tornBytes;
    stats.damagedBytes += damaged.reduce((n, stretch) => n + stretch.byteLength, 0);
    group.segments.push(name);
    for (const record of records) {
      group.records.push(record);
      group.bytes += record.data.byteLength;
    }
    if (group.bytes >= bufferBytes) await deliverGroup();
  }
  if (group.segments.length > 0) await deliverGroup();
  return stats;
}
