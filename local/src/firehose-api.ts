/**
 * The Firehose API's JSON 1.1 protocol, as far as a producer uses it: PutRecord, PutRecordBatch,
 * DescribeDeliveryStream and ListDeliveryStreams, with the real limits and error shapes. Every
 * valid stream name exists unless the context names the only ones that do. Pure: the
 * HTTP server (serve.ts) passes the target header and body text in, and gets a status, a body and
 * the accepted records' bytes back.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */

// A record is at most 1,000 KiB before base64: the same limit the handler enforces.
import { MAX_RECORD_BYTES } from '../../transform/src/constants';

/** The `X-Amz-Target` prefix of every operation of the Firehose API version 2015-08-04. */
export const TARGET_PREFIX = 'Firehose_20150804.';

/** PutRecordBatch takes at most 500 records… */
export const MAX_BATCH_RECORDS = 500;
/** …and at most 4 MiB of record data. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

const STREAM_NAME = /^[a-zA-Z0-9._-]{1,64}$/;
/** The rule STREAM_NAME checks, in words, for messages. */
export const STREAM_NAME_RULE = "1 to 64 characters, each a letter, a digit, '.', '_' or '-'";
/** The account id of the local endpoint, in ARNs and messages. */
const LOCAL_ACCOUNT = '000000000000';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether `name` is a valid delivery stream name (the API's pattern `[a-zA-Z0-9_.-]+`, 1 to 64 long). */
export function isValidStreamName(name: string): boolean {
  return STREAM_NAME.test(name);
}

/** An error the API returns as `{"__type": …, "message": …}` with an HTTP status. */
export class FirehoseApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'FirehoseApiError';
  }
}

/** What the server provides to the protocol: ids, capacity and the stream's description. */
export interface ApiContext {
  /** A new opaque record id. */
  newRecordId(): string;
  /** Reserves room for a record of this many bytes; false when the buffer is full (throttling). */
  tryAccept(bytes: number): boolean;
  /** Creation time of the local stream, epoch ms. */
  createdAt: number;
  /** Stream names seen so far (without `allowedStreams`, a local stream is created on first use). */
  streams: Set<string>;
  /**
   * The only streams that exist, when given: any other name gets ResourceNotFoundException, as a
   * stream missing from the account does on AWS, and ListDeliveryStreams lists exactly these.
   */
  allowedStreams?: ReadonlySet<string>;
}

export interface ApiOutcome {
  status: number;
  body: unknown;
  /** Bytes of every record accepted, in request order. */
  accepted: Buffer[];
}

function validation(message: string): FirehoseApiError {
  return new FirehoseApiError('ValidationException', `1 validation error detected: ${message}`);
}

function streamName(input: Record<string, unknown>): string {
  const name = input.DeliveryStreamName;
  if (name === undefined || name === null) {
    throw validation(
      "Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null",
    );
  }
  if (typeof name !== 'string')
    throw new FirehoseApiError('SerializationException', 'DeliveryStreamName must be a string');
  if (!STREAM_NAME.test(name)) {
    throw validation(
      `Value '${name}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 64`,
    );
  }
  return name;
}

/** Throws ResourceNotFoundException, with the service's message, for a stream that does not exist. */
function requireStream(name: string, context: ApiContext): void {
  if (context.allowedStreams && !context.allowedStreams.has(name)) {
    throw new FirehoseApiError(
      'ResourceNotFoundException',
      `Firehose ${name} under account ${LOCAL_ACCOUNT} not found.`,
    );
  }
}

/** Checks the stream a put writes to: it must exist, or (without `allowedStreams`) is created now. */
function putStream(input: Record<string, unknown>, context: ApiContext): void {
  const name = streamName(input);
  requireStream(name, context);
  context.streams.add(name);
}

/** Decodes one `Record.Data` (base64) and checks the size limit. `path` names it in messages. */
function recordData(record: unknown, path: string): Buffer {
  if (typeof record !== 'object' || record === null) {
    throw validation(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }
  const data = (record as Record<string, unknown>).Data;
  if (data === undefined || data === null) {
    throw validation(`Value null at '${path}.data' failed to satisfy constraint: Member must not be null`);
  }
  if (typeof data !== 'string' || !BASE64.test(data) || data.length % 4 !== 0) {
    throw new FirehoseApiError('SerializationException', `${path}.data is not valid base64`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.byteLength > MAX_RECORD_BYTES) {
    throw validation(
      `Value at '${path}.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
    );
  }
  return bytes;
}

function putRecord(input: Record<string, unknown>, context: ApiContext): ApiOutcome {
  putStream(input, context);
  const bytes = recordData(input.Record, 'record');
  if (!context.tryAccept(bytes.byteLength)) {
    throw new FirehoseApiError('ServiceUnavailableException', 'Slow down: the local buffer is full.', 503);
  }
  return { status: 200, body: { RecordId: context.newRecordId(), Encrypted: false }, accepted: [bytes] };
}

/**
 * PutRecordBatch validates the whole request first, as the service does: one oversize record, more
 * than 500 records or more than 4 MiB fails the call with ValidationException and accepts nothing.
 * Per-record failures (FailedPutCount) are throttling only: ServiceUnavailableException.
 */
function putRecordBatch(input: Record<string, unknown>, context: ApiContext): ApiOutcome {
  putStream(input, context);
  const records = input.Records;
  if (records === undefined || records === null) {
    throw validation("Value null at 'records' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(records)) throw new FirehoseApiError('SerializationException', 'Records must be a list');
  if (records.length < 1 || records.length > MAX_BATCH_RECORDS) {
    throw validation(
      `Value at 'records' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH_RECORDS} and greater than or equal to 1 (got ${records.length})`,
    );
  }
  const decoded = records.map((record, index) => recordData(record, `records.${index + 1}.member`));
  const total = decoded.reduce((n, b) => n + b.byteLength, 0);
  if (total > MAX_BATCH_BYTES) {
    throw validation(
      `Records size ${total} bytes exceeds the limit of ${MAX_BATCH_BYTES} bytes (4 MiB) per request`,
    );
  }
  const accepted: Buffer[] = [];
  const responses = decoded.map((bytes) => {
    if (!context.tryAccept(bytes.byteLength)) {
      return {
        ErrorCode: 'ServiceUnavailableException',
        ErrorMessage: 'Slow down: the local buffer is full.',
      };
    }
    accepted.push(bytes);
    return { RecordId: context.newRecordId() };
  });
  return {
    status: 200,
    body: { FailedPutCount: decoded.length - accepted.length, Encrypted: false, RequestResponses: responses },
    accepted,
  };
}

function describeDeliveryStream(input: Record<string, unknown>, context: ApiContext): ApiOutcome {
  const name = streamName(input);
  requireStream(name, context);
  return {
    status: 200,
    body: {
      DeliveryStreamDescription: {
        DeliveryStreamName: name,
        DeliveryStreamARN: `arn:aws:firehose:local:${LOCAL_ACCOUNT}:deliverystream/${name}`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        VersionId: '1',
        CreateTimestamp: context.createdAt / 1000,
        Destinations: [{ DestinationId: 'destinationId-000000000001' }],
        HasMoreDestinations: false,
      },
    },
    accepted: [],
  };
}

function listDeliveryStreams(context: ApiContext): ApiOutcome {
  return {
    status: 200,
    body: {
      DeliveryStreamNames: [...(context.allowedStreams ?? context.streams)].sort(),
      HasMoreDeliveryStreams: false,
    },
    accepted: [],
  };
}

const OPERATIONS: Record<string, (input: Record<string, unknown>, context: ApiContext) => ApiOutcome> = {
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  DescribeDeliveryStream: describeDeliveryStream,
  ListDeliveryStreams: (_input, context) => listDeliveryStreams(context),
};

/** The error body the JSON 1.1 protocol uses; the SDK reads `__type`. */
export function errorBody(error: FirehoseApiError): { __type: string; message: string } {
  return { __type: error.type, message: error.message };
}

/**
 * Handles one API call: `target` is the `X-Amz-Target` header, `body` the request text.
 *
 * @example
 * handleApiCall('Firehose_20150804.PutRecord', '{"DeliveryStreamName":"s","Record":{"Data":"e30="}}', context);
 * // { status: 200, body: { RecordId: '…', Encrypted: false }, accepted: [<Buffer 7b 7d>] }
 */
export function handleApiCall(target: string | undefined, body: string, context: ApiContext): ApiOutcome {
  try {
    const operation = target?.startsWith(TARGET_PREFIX)
      ? OPERATIONS[target.slice(TARGET_PREFIX.length)]
      : undefined;
    if (!operation) {
      throw new FirehoseApiError(
        'UnknownOperationException',
        `unknown operation: ${target ?? '(no X-Amz-Target header)'}`,
      );
    }
    let input: unknown;
    try {
      input = JSON.parse(body === '' ? '{}' : body);
    } catch {
      throw new FirehoseApiError('SerializationException', 'the request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new FirehoseApiError('SerializationException', 'the request body must be a JSON object');
    }
    return operation(input as Record<string, unknown>, context);
  } catch (error) {
    if (!(error instanceof FirehoseApiError)) throw error;
    return { status: error.status, body: errorBody(error), accepted: [] };
  }
}
