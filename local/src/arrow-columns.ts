/**
 * Direct Arrow column construction for the variable-width types (strings, lists, maps): the values
 * are encoded with Node's native UTF-8 writer into one buffer per column, with offsets and a
 * validity bitmap, instead of going through Arrow's generic builders one value at a time (several
 * times slower, and most of the lake's columns are strings).
 */
import { Float64, makeData, Struct, Utf8, type Data, type List, type Map_ } from 'apache-arrow';

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
  let size = 0;
  for (const value of values)
    if (value !== null && value !== undefined) size += Buffer.byteLength(value, 'utf8');
  const bytes = Buffer.allocUnsafe(size);
  const offsets = new Int32Array(values.length + 1);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    offsets[i] = position;
    const value = values[i];
    if (value !== null && value !== undefined) position += bytes.write(value, position, 'utf8');
  }
  offsets[values.length] = position;
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
