/**
 * Typed getters for the flatteners. Every getter takes a source object and a dot path
 * (`'application.app_id'`) and returns the value in its column type, or null when the value is
 * missing or has another type: bad input never throws, it just stays out of the typed column.
 *
 * `FieldReader` wraps the same getters and records which paths it read losslessly, which is what a
 * flattener returns as `consumed` (everything else lands in `extra`).
 */
import { isPlainObject } from '../extra';
import { epochNumberToMs, isPlausible, parseTimestamp } from '../time';

/** A JSON object as parsed: plain keys, unknown values. */
export type JsonObject = Record<string, unknown>;

/** A map column built from a source object, with the dot paths it holds losslessly. */
export interface MapField<V> {
  map: Record<string, V>;
  /** The map's own path when every entry was taken, else the path of each entry taken. */
  consumed: string[];
}

const INT32_MAX = 2_147_483_647;
// Plain decimal numbers only: no hex, no exponent, no blanks, which Number() would also accept.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A dot path split into its keys, and for each key the rest of the path from it (`rests[i]`). */
interface SplitPath {
  keys: string[];
  rests: string[];
}

// Split paths are cached: flatteners read the same few dozen constant paths on every event, and
// the rests are joined once here instead of on every read that misses a step.
const SPLIT_PATHS = new Map<string, SplitPath>();
const MAX_CACHED_PATHS = 10_000;

function splitPath(path: string): SplitPath {
  let split = SPLIT_PATHS.get(path);
  if (split === undefined) {
    const keys = path.split('.');
    split = { keys, rests: keys.map((_, i) => keys.slice(i).join('.')) };
    if (SPLIT_PATHS.size < MAX_CACHED_PATHS) SPLIT_PATHS.set(path, split);
  }
  return split;
}

/**
 * The value at a dot path, or undefined. Own keys only (never `Object.prototype` members).
 * When a step is missing, the rest of the path is tried as one key, so map keys that contain
 * dots (`tags.a.b` for `{ tags: { 'a.b': … } }`) are found too.
 */
export function get(source: unknown, path: string): unknown {
  const { keys, rests } = splitPath(path);
  let current: unknown = source;
  for (let i = 0; i < keys.length; i++) {
    if (!isPlainObject(current)) return undefined;
    if (Object.hasOwn(current, keys[i])) {
      current = current[keys[i]];
      continue;
    }
    if (i === keys.length - 1) return undefined;
    return Object.hasOwn(current, rests[i]) ? current[rests[i]] : undefined;
  }
  return current;
}

/** A string value (kept exactly, empty strings included), or null. */
export function str(source: unknown, path: string): string | null {
  const value = get(source, path);
  return typeof value === 'string' ? value : null;
}

/** A finite number, or a string holding a plain decimal number (`"645.0"`), or null. */
export function num(source: unknown, path: string): number | null {
  return toNumber(get(source, path));
}

/** An integer within the 32-bit `int` column range, from a number or a decimal string, or null. */
export function int(source: unknown, path: string): number | null {
  const n = toNumber(get(source, path));
  return n !== null && Number.isInteger(n) && Math.abs(n) <= INT32_MAX ? n : null;
}

/** `true`/`false`, or the strings `"true"`/`"false"` (any case), or null. */
export function bool(source: unknown, path: string): boolean | null {
  const value = get(source, path);
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const folded = value.trim().toLowerCase();
  return folded === 'true' ? true : folded === 'false' ? false : null;
}

/** A plain object (not an array), or null. */
export function obj(source: unknown, path: string): JsonObject | null {
  const value = get(source, path);
  return isPlainObject(value) ? value : null;
}

/** An array whose every element is a string, or null (a mixed array is not taken apart). */
export function strArray(source: unknown, path: string): string[] | null {
  const value = get(source, path);
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value] : null;
}

/** A timestamp (epoch ms) parsed by `parseTimestamp`, or null. */
export function timestamp(source: unknown, path: string): number | null {
  return parseTimestamp(get(source, path));
}

/** A value as map text: strings as they are, anything else as its JSON text (`1`, `{"a":1}`, `null`). */
export function stringify(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * Every entry of the object at `path` as a `map<string,string>`: strings as sent, other values
 * as their JSON text. Null when `path` is not an object. Only string entries count as consumed:
 * a number or object is in the map as text and also in `extra`, which keeps its JSON type.
 */
export function stringMap(source: unknown, path: string): MapField<string> | null {
  const value = obj(source, path);
  if (value === null) return null;
  const map: Record<string, string> = {};
  const consumed: string[] = [];
  let all = true;
  for (const [key, item] of Object.entries(value)) {
    map[key] = stringify(item);
    if (typeof item === 'string') consumed.push(`${path}.${key}`);
    else all = false;
  }
  return { map, consumed: all ? [path] : consumed };
}

/**
 * The finite-number entries of the object at `path` as a `map<string,double>`. Entries that are
 * not JSON numbers (strings, objects, null) are left out and not consumed, so they land in `extra`.
 */
export function numberMap(source: unknown, path: string): MapField<number> | null {
  const value = obj(source, path);
  if (value === null) return null;
  const map: Record<string, number> = {};
  const consumed: string[] = [];
  let all = true;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'number' && Number.isFinite(item)) {
      map[key] = item;
      consumed.push(`${path}.${key}`);
    } else {
      all = false;
    }
  }
  return { map, consumed: all ? [path] : consumed };
}

/** The object held as JSON text in a string (`customer_context`, the endpoint record), or null. */
export function parseJsonObject(text: unknown): JsonObject | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** True when the typed value says exactly what the source said (`1` for `1` or `"1"`, not for `"01"`). */
function lossless(source: unknown, typed: unknown): boolean {
  return typeof source === typeof typed ? source === typed : String(typed) === source;
}

/**
 * Reads typed fields from one event and remembers the paths it held losslessly, for `consumed`.
 *
 * @example
 * const r = new FieldReader(event);
 * const columns = { app_id: r.str('application.app_id'), message_parts: r.int('attributes.n') };
 * return { columns, consumed: r.consumed, ... };
 */
export class FieldReader {
  /** Dot paths whose values the typed results hold losslessly. */
  readonly consumed: string[] = [];

  constructor(readonly source: JsonObject) {}

  /** Marks paths as held by a column even though no getter read them (e.g. `event_type`). */
  consume(...paths: string[]): void {
    this.consumed.push(...paths);
  }

  str(path: string): string | null {
    return this.take(path, str(this.source, path));
  }

  num(path: string): number | null {
    return this.take(path, num(this.source, path));
  }

  int(path: string): number | null {
    return this.take(path, int(this.source, path));
  }

  bool(path: string): boolean | null {
    return this.take(path, bool(this.source, path));
  }

  strArray(path: string): string[] | null {
    const value = strArray(this.source, path);
    if (value !== null) this.consumed.push(path);
    return value;
  }

  /** A parsed timestamp; consumed when no sub-millisecond digits were dropped. */
  timestamp(path: string): number | null {
    const raw = get(this.source, path);
    const ms = parseTimestamp(raw);
    if (ms !== null && !dropsPrecision(raw)) this.consumed.push(path);
    return ms;
  }

  /**
   * A parsed timestamp in the plausible range (2015-01-01..9999-12-31), for a source that did not
   * exist earlier (Pinpoint): an earlier time, even a dated string, is null and stays in `extra`.
   */
  plausibleTimestamp(path: string): number | null {
    const raw = get(this.source, path);
    const ms = parseTimestamp(raw);
    if (ms === null || !isPlausible(ms)) return null;
    if (!dropsPrecision(raw)) this.consumed.push(path);
    return ms;
  }

  stringMap(path: string): Record<string, string> | null {
    const field = stringMap(this.source, path);
    if (field === null) return null;
    this.consumed.push(...field.consumed);
    return field.map;
  }

  numberMap(path: string): Record<string, number> | null {
    const field = numberMap(this.source, path);
    if (field === null) return null;
    this.consumed.push(...field.consumed);
    return field.map;
  }

  private take<T extends string | number | boolean>(path: string, typed: T | null): T | null {
    // A string is the source value itself; only converted values need a second look.
    if (typed !== null && (typeof typed === 'string' || lossless(get(this.source, path), typed))) {
      this.consumed.push(path);
    }
    return typed;
  }
}

/** Epoch numbers with sub-millisecond parts, or ISO strings with more than 3 fraction digits. */
function dropsPrecision(raw: unknown): boolean {
  if (typeof raw === 'number' || (typeof raw === 'string' && DECIMAL.test(raw.trim()))) {
    const ms = epochNumberToMs(Number(raw));
    return ms !== null && !Number.isInteger(ms);
  }
  return typeof raw === 'string' && /\.\d{3}0*[1-9]/.test(raw);
}
