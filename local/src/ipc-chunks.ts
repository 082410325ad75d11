/**
 * Joins Arrow IPC streams of the same schema into one stream, byte-wise: a partition's chunks (one
 * per batch) become the one stream its Parquet file is encoded from, without decoding them in
 * JavaScript. A stream is: a schema message, record-batch messages, an end-of-stream marker.
 * Pure: no I/O.
 */
import { EngagementLakeError } from '../../transform/src/errors';

/** The end-of-stream marker: a continuation token and a zero metadata length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Bytes of the leading schema message (continuation, length, metadata; a schema has no body). */
function schemaBytes(stream: Uint8Array): number {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  if (stream.byteLength < 8 || view.getUint32(0, true) !== 0xffffffff)
    throw new EngagementLakeError('an Arrow chunk does not start with a schema message');
  return 8 + view.getInt32(4, true);
}

function endsWithEndOfStream(stream: Uint8Array): boolean {
  const tail = stream.subarray(stream.byteLength - 8);
  return tail.length === 8 && tail.every((byte, i) => byte === END_OF_STREAM[i]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * One IPC stream holding every record batch of `streams`, in order. Throws EngagementLakeError
 * when a stream is not a complete IPC stream or its schema differs from the first one's.
 *
 * @example
 * const ipc = concatIpcStreams(chunks.map((c) => c.ipc)); // then Table.fromIPCStream(ipc)
 */
export function concatIpcStreams(streams: readonly Uint8Array[]): Uint8Array {
  if (streams.length === 0) throw new EngagementLakeError('no Arrow chunks to join');
  const schema = streams[0]!.subarray(0, schemaBytes(streams[0]!));
  let total = schema.byteLength + END_OF_STREAM.byteLength;
  for (const stream of streams) {
    if (!endsWithEndOfStream(stream))
      throw new EngagementLakeError('an Arrow chunk is not a complete stream');
    if (!sameBytes(stream.subarray(0, schemaBytes(stream)), schema))
      throw new EngagementLakeError('Arrow chunks of different schemas cannot be joined');
    total += stream.byteLength - schema.byteLength - END_OF_STREAM.byteLength;
  }
  const out = new Uint8Array(total);
  out.set(schema, 0);
  let offset = schema.byteLength;
  for (const stream of streams) {
    const batches = stream.subarray(schema.byteLength, stream.byteLength - END_OF_STREAM.byteLength);
    out.set(batches, offset);
    offset += batches.byteLength;
  }
  out.set(END_OF_STREAM, offset);
  return out;
}
