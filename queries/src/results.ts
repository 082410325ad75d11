/**
 * Converting engine values to plain JSON-ready values, the same for DuckDB and Athena: timestamps
 * as ISO-8601 UTC strings with milliseconds, dates as `YYYY-MM-DD`, 64-bit integers as numbers when
 * they are safe (else as strings), maps as objects, arrays as arrays.
 */

/** A 64-bit integer as a number when it is exactly representable, else as its decimal string. */
export function bigIntToJson(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** ISO-8601 UTC with milliseconds, e.g. `2026-11-01T10:00:00.123Z`. */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}

/**
 * Converts one value read by @duckdb/node-api's JS converter (`getRowObjectsJS`), guided by the
 * column's DuckDB type text.
 */
export function fromDuckDbJs(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'DATE' && value instanceof Date) return value.toISOString().slice(0, 10);
  if (value instanceof Date) return isoTimestamp(value);
  if (typeof value === 'bigint') return bigIntToJson(value);
  if (type.startsWith('MAP(') && Array.isArray(value)) {
    const valueType = mapValueType(type);
    const object: Record<string, unknown> = {};
    for (const entry of value as { key: unknown; value: unknown }[])
      object[String(entry.key)] = fromDuckDbJs(entry.value, valueType);
    return object;
  }
  if (type.endsWith('[]') && Array.isArray(value))
    return value.map((item) => fromDuckDbJs(item, type.slice(0, -2)));
  if (typeof value === 'object' && 'months' in (value as object) && 'micros' in (value as object)) {
    const interval = value as { months: number; days: number; micros: bigint };
    return { months: interval.months, days: interval.days, micros: bigIntToJson(interval.micros) };
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      object[key] = fromDuckDbJs(item, '');
    return object;
  }
  if (Array.isArray(value)) return value.map((item) => fromDuckDbJs(item, ''));
  return value;
}

function mapValueType(type: string): string {
  // MAP(VARCHAR, DOUBLE) → DOUBLE; nested maps are rare here and fall back to generic handling.
  const inner = type.slice(4, -1);
  const comma = inner.indexOf(',');
  return comma === -1 ? '' : inner.slice(comma + 1).trim();
}

/**
 * Converts one Athena result cell (always text, or absent for null) by the column's Athena type
 * from ResultSetMetadata. Arrays, maps and rows stay as Athena's text form.
 */
export function fromAthenaText(text: string | undefined, type: string): unknown {
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '');
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return Number(text);
    case 'bigint':
      return /^-?\d+$/.test(text) ? bigIntToJson(BigInt(text)) : text;
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return text === 'NaN' || text === 'Infinity' || text === '-Infinity' ? text : Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return text;
    case 'timestamp':
    case 'timestamp with time zone':
      return athenaTimestamp(text);
    default:
      return text;
  }
}

/** `2026-11-01 10:00:00.123` (UTC, as Athena prints it) → `2026-11-01T10:00:00.123Z`. */
export function athenaTimestamp(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(?:\s*(UTC|Z))?$/.exec(text.trim());
  if (!match) return text;
  const millis = (match[3] ?? '.000').slice(1).padEnd(3, '0').slice(0, 3);
  return `${match[1]}T${match[2]}.${millis}Z`;
}
