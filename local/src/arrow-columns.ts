/**
 * Direct Arrow column construction: strings, lists and maps are encoded with Node's native UTF-8
 * writer into one buffer per column, with offsets and a validity bitmap; timestamps, numbers and
 * booleans are written straight into typed arrays. Arrow's generic builders, one value at a time,
 * are several times slower, and every batch of every partition builds all 64 columns.
 */
import {
  Bool,
  Float64,
  Int32,
  makeData,
  Struct,
  Timestamp,
  Utf8,
  type Data,
  type List,
  type Map_,
} from 'apache-arrow';

/** Validity bitmap (bit set = not null), or null when nothing is null. */
function validity(values: readonly unknown[]): { bitmap: Uint8Array | null; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap: nullCount > 0 ? bitmap : null, nullCount };
}

/** A Utf8 column from strings (null or undefined = null). */
export function utf8Data(values: readonly (string | null | undefined)[]): Data<Utf8> {
  // One native call per value: room for the worst case (3 bytes per UTF-16 unit), then a view of
  // what was written, instead of measuring every value first.
  let room = 0;
  for (const value of values) if (value !== null && value !== undefined) room += value.length;
  const bytes = Buffer.allocUnsafe(3 * room);
  const offsets = new Int32Array(values.length + 1);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    offsets[i] = position;
    const value = values[i];
    if (value !== null && value !== undefined) position += bytes.write(value, position, 'utf8');
  }
  offsets[values.length] = position;
  const size = position;
  const { bitmap, nullCount } = validity(values);
  return makeData({
    type: new Utf8(),
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, size),
  });
}

/** A List<Utf8> column from string arrays (null = null). */
export function stringListData(
  type: List,
  values: readonly (readonly string[] | null | undefined)[],
): Data<List> {
  const offsets = new Int32Array(values.length + 1);
  const items: string[] = [];
  for (let i = 0; i < values.length; i++) {
    offsets[i] = items.length;
    const list = values[i];
    if (list) for (const item of list) items.push(item);
  }
  offsets[values.length] = items.length;
  const { bitmap, nullCount } = validity(values);
  return makeData({
    type,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    child: utf8Data(items),
  });
}

/** A Map<Utf8, Utf8 | Float64> column from plain objects (null = null), keys in insertion order. */
export function mapData(
  type: Map_,
  values: readonly (Readonly<Record<string, string | number>> | null | undefined)[],
): Data<Map_> {
  const offsets = new Int32Array(values.length + 1);
  const keys: string[] = [];
  const entries: (string | number)[] = [];
  for (let i = 0; i < values.length; i++) {
    offsets[i] = keys.length;
    const map = values[i];
    if (!map) continue;
    for (const key of Object.keys(map)) {
      keys.push(key);
      entries.push(map[key]);
    }
  }
  offsets[values.length] = keys.length;
  const entriesType = type.children[0].type as Struct;
  const valueType = entriesType.children[1].type;
  const valueData =
    valueType instanceof Float64
      ? makeData({
          type: valueType,
          length: entries.length,
          nullCount: 0,
          // -0 as 0: the value JSON carries (the handler's rows went through JSON).
          data: Float64Array.from(entries as number[], (value) => (value === 0 ? 0 : value)),
        })
      : utf8Data(entries as string[]);
  const child = makeData({
    type: entriesType,
    length: keys.length,
    nullCount: 0,
    children: [utf8Data(keys), valueData],
  });
  const { bitmap, nullCount } = validity(values);
  return makeData({
    type,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    child,
  });
}

/**
 * Elements in a buffer of `bytes` rounded up to 64 (at least 64), as Arrow's builders allocate: the IPC writer
 * writes buffers whole, and a chunk's IPC size decides when a partition is flushed (so, the files).
 */
function padded(bytes: number, elementBytes: number): number {
  return (Math.max(1, Math.ceil(bytes / 64)) * 64) / elementBytes;
}

type FixedWidth = Timestamp | Int32 | Float64 | Bool;

/**
 * A timestamp (epoch ms), int, double or boolean column from values (null or undefined = null),
 * written straight into its typed array. A double is written as JSON carries it (the handler's rows
 * went through JSON): -0 as 0.
 */
export function fixedWidthData(type: FixedWidth, values: readonly unknown[]): Data<FixedWidth> {
  const length = values.length;
  const { bitmap, nullCount } = validity(values);
  let data: BigInt64Array | Int32Array | Float64Array | Uint8Array;
  if (type instanceof Timestamp) {
    const out = new BigInt64Array(padded(8 * length, 8));
    for (let i = 0; i < length; i++) if (values[i] != null) out[i] = BigInt(values[i] as number);
    data = out;
  } else if (type instanceof Int32) {
    const out = new Int32Array(padded(4 * length, 4));
    for (let i = 0; i < length; i++) if (values[i] != null) out[i] = values[i] as number;
    data = out;
  } else if (type instanceof Float64) {
    const out = new Float64Array(padded(8 * length, 8));
    for (let i = 0; i < length; i++) {
      const value = values[i] as number | null | undefined;
      if (value !== null && value !== undefined) out[i] = value === 0 ? 0 : value;
    }
    data = out;
  } else {
    const out = new Uint8Array(padded((length + 7) >> 3, 1));
    for (let i = 0; i < length; i++) if (values[i] === true) out[i >> 3] |= 1 << (i & 7);
    data = out;
  }
  let nullBitmap: Uint8Array | null = null;
  if (bitmap) {
    nullBitmap = new Uint8Array(padded(bitmap.byteLength, 1));
    nullBitmap.set(bitmap);
  }
  return makeData({ type, length, nullCount, nullBitmap, data } as never) as unknown as Data<FixedWidth>;
}
