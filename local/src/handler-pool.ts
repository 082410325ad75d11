/**
 * Runs the transform on batches, either in this thread (the Firehose handler, or the transform's
 * core directly) or in a pool of worker threads (node:worker_threads), one per core, as concurrent
 * Lambda invocations would. The workers call the transform's core directly (direct-transform.ts:
 * the same rows and failures as the handler, without its base64/JSON envelope), build the rows'
 * Arrow columns and encode the Parquet files. Results come back per batch; putting them in input
 * order is the caller's job (LakeDelivery).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngagementLakeError } from '../../transform/src/errors';
import { readHandlerConfig } from '../../transform/src/handler-config';
import type { PiiPolicy } from '../../transform/src/pii';
import { buildTransformationEvent, handlerBatchResult, type BatchResult } from './batch-outcome';
import type { SourceRecord } from './batcher';
import type { LocalTransform } from './delivery';
import { transformBatchDirect } from './direct-transform';
import { concatIpcStreams } from './ipc-chunks';
import { encodeParquetIpc } from './parquet-writer';
import type {
  BatchRequest,
  TransformPath,
  WorkerRequest,
  WorkerResponse,
  WorkerSettings,
} from './handler-worker';

/** Something that runs one batch through the transform. */
export interface BatchRunner {
  /** How many batches it works on at once (the delivery keeps a few more than this in flight). */
  readonly concurrency: number;
  run(batch: readonly SourceRecord[], invocationId: string): Promise<BatchResult>;
  /**
   * Encodes a partition's chunks (Arrow IPC streams, in order) as one Parquet file's bytes, off
   * this thread; the chunks' buffers are handed over. Absent: the caller encodes in this thread.
   */
  encode?(chunks: Uint8Array[]): Promise<Uint8Array>;
  /** Stops its workers, if any. Idempotent; batches still running are rejected. */
  close(): Promise<void>;
}

/**
 * Workers used by default: one per core. The workers do nearly all the work (transform, Arrow
 * columns, Parquet encoding); the main thread only reads, splits and routes, so it shares a core.
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, cores);
}

/**
 * Runs the Firehose handler in this thread, one batch at a time (tests, debugging, `--workers 0`):
 * the reference path, whose rows go through the handler's base64/JSON response and back.
 */
export function inProcessRunner(transform: LocalTransform): BatchRunner {
  return {
    concurrency: 1,
    async run(batch, invocationId) {
      const event = buildTransformationEvent(batch, invocationId);
      const response = await transform.handler(event);
      return handlerBatchResult(
        batch,
        event,
        response,
        (record) => transform.failureOf(record),
        transform.parseRow,
      );
    },
    close: async () => undefined,
  };
}

/** What the direct path needs besides the handler's own settings. */
export interface DirectRunnerOptions {
  /** Keep the `raw` column in the rows (the `--no-raw` choice). */
  includeRaw: boolean;
  /** Hash or drop personal data; absent: keep. */
  pii?: PiiPolicy;
}

/**
 * Runs the transform's core in this thread, one batch at a time (the backfill Lambda's one vCPU, a
 * worker's own loop): the direct path, whose rows and failures are the handler's (see
 * direct-transform.ts) without its base64/JSON envelope. The handler's settings (INCLUDE_RAW,
 * DT_START) are read from this thread's environment, as the handler reads them.
 */
export function directRunner(options: DirectRunnerOptions): BatchRunner {
  const config = readHandlerConfig(process.env);
  const settings = {
    includeRaw: options.includeRaw,
    handlerIncludeRaw: config.includeRaw,
    dtStart: config.dtStart,
    pii: options.pii,
  };
  return {
    concurrency: 1,
    run: async (batch, invocationId) => transformBatchDirect(batch, invocationId, settings, Date.now()),
    close: async () => undefined,
  };
}

/** Encodes a partition's chunks as one Parquet file in this thread. */
export function encodeChunks(chunks: readonly Uint8Array[]): Uint8Array {
  return encodeParquetIpc(concatIpcStreams(chunks));
}

interface Task {
  resolve(value: never): void;
  reject(error: Error): void;
  /** Says what failed, e.g. "the handler failed". */
  what: string;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

/**
 * The worker's entry, evaluated as CommonJS: it registers tsx's require hook (so the worker loads
 * TypeScript whether the parent runs under tsx, node --import tsx or jest) and then the worker module.
 */
function bootstrap(): string {
  const tsx = require.resolve('tsx/cjs/api');
  const entry = join(__dirname, 'handler-worker.ts');
  return `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(entry)});`;
}

/** Packs a batch into one transferable buffer: the worker gets the bytes without a copy per record. */
function pack(batch: readonly SourceRecord[], id: number, invocationId: string): BatchRequest {
  let total = 0;
  for (const record of batch) total += record.data.byteLength;
  const data = new Uint8Array(total);
  const ends = new Array<number>(batch.length);
  const arrivals = new Array<number | null>(batch.length);
  let offset = 0;
  batch.forEach((record, i) => {
    data.set(record.data, offset);
    offset += record.data.byteLength;
    ends[i] = offset;
    arrivals[i] = record.arrivalTime;
  });
  return { kind: 'batch', id, invocationId, data, ends, arrivals };
}

/** The distinct buffers the views span whole: handed over to the worker without a copy. */
function wholeBuffers(views: readonly Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views)
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength)
      buffers.add(view.buffer as ArrayBuffer);
  return [...buffers];
}

export interface HandlerPoolOptions {
  /** Keep the `raw` column in the rows (default true). */
  includeRaw?: boolean;
  /** Hash or drop personal data (`--pii`); absent: keep. */
  pii?: PiiPolicy;
  /**
   * Let workers encode the Parquet files too (default true: encoding is a third of the work; the
   * main thread then only publishes the bytes). False: the main thread encodes.
   */
  writes?: boolean;
  /**
   * `direct` (default): the transform's core, called directly. `handler`: the Lambda handler with
   * its base64/JSON envelope, as before (the reference the direct path is tested and benched against).
   */
  path?: TransformPath;
}

/**
 * A fixed pool of handler workers. A task goes to the worker with the fewest tasks queued. A
 * worker that crashes fails the pool: every batch in flight, and every later one, is rejected.
 * Workers hold the process open only while they have work, so a forgotten `close()` never hangs it.
 */
export class HandlerPool implements BatchRunner {
  readonly concurrency: number;
  private readonly slots: Slot[];
  private nextId = 0;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(size: number, options: HandlerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1)
      throw new EngagementLakeError(`a handler pool needs at least one worker, got ${size}`);
    this.concurrency = size;
    const code = bootstrap();
    const settings: WorkerSettings = {
      includeRaw: options.includeRaw ?? true,
      path: options.path ?? 'direct',
      pii: options.pii,
    };
    this.slots = Array.from({ length: size }, () => this.startWorker(code, settings));
    if (options.writes ?? true)
      this.encode = (chunks) =>
        this.submit<Uint8Array>('encoding a Parquet file failed', (id) => [
          { kind: 'encode', id, chunks },
          wholeBuffers(chunks),
        ]);
  }

  run(batch: readonly SourceRecord[], invocationId: string): Promise<BatchResult> {
    return this.submit<BatchResult>('the transform failed', (id) => {
      const request = pack(batch, id, invocationId);
      return [request, [request.data.buffer as ArrayBuffer]];
    });
  }

  /** Encodes a partition's file in a worker; undefined when the pool does not take writes. */
  readonly encode?: (chunks: Uint8Array[]) => Promise<Uint8Array>;

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.failAll(new EngagementLakeError('the handler pool was closed with batches in flight'));
      await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    })();
    return this.closing;
  }

  private submit<T>(what: string, request: (id: number) => [WorkerRequest, ArrayBuffer[]]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new EngagementLakeError('the handler pool is closed'));
    const slot = this.slots.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
    const id = (this.nextId += 1);
    const [message, transfer] = request(id);
    return new Promise<T>((resolve, reject) => {
      slot.tasks.set(id, { resolve: resolve as (value: never) => void, reject, what });
      slot.worker.ref();
      slot.worker.postMessage(message, transfer);
    });
  }

  private startWorker(code: string, settings: WorkerSettings): Slot {
    const worker = new Worker(code, { eval: true, execArgv: [], workerData: settings });
    const slot: Slot = { worker, tasks: new Map() };
    worker.unref();
    worker.on('message', (message: WorkerResponse) => {
      const task = slot.tasks.get(message.id);
      if (!task) return;
      slot.tasks.delete(message.id);
      if (slot.tasks.size === 0) worker.unref();
      if ('error' in message) task.reject(new EngagementLakeError(`${task.what}: ${message.error}`));
      else task.resolve(('encoded' in message ? message.encoded : message.result) as never);
    });
    worker.on('error', (error) => this.crash(error));
    worker.on('exit', (code) => {
      if (!this.closing) this.crash(new Error(`a handler worker exited with code ${code}`));
    });
    return slot;
  }

  private crash(error: Error): void {
    this.failure ??= new EngagementLakeError(`a handler worker failed: ${error.message}`);
    this.failAll(this.failure);
  }

  private failAll(error: Error): void {
    for (const slot of this.slots) {
      for (const task of slot.tasks.values()) task.reject(error);
      slot.tasks.clear();
      slot.worker.unref();
    }
  }
}
