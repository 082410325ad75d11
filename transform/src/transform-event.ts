import { TRANSFORM_VERSION } from './constants';
import { unwrapEnvelope } from './envelopes';
import { eventId } from './event-id';
import { collectExtra, isPlainObject, splitCaseCollisions } from './extra';
import { SOURCE_FORMATS } from './formats';
import { computeDt } from './partition';
import { applyPii } from './pii';
import { emptyRow, type EventRow } from './schema';
import type { EventResult, Flattened, SourceFormat, TransformOptions } from './types';

const MAP_COLUMNS = ['attributes', 'metrics', 'tags'] as const;

function fail(reason: Extract<EventResult, { ok: false }>['reason'], message: string): EventResult {
  return { ok: false, reason, message };
}

function recognise(event: Record<string, unknown>): SourceFormat | undefined {
  return SOURCE_FORMATS.find((format) => format.matches(event));
}

/** Moves case-colliding map keys to `extra` and turns empty maps into nulls. Returns the collision count. */
function settleMaps(row: EventRow, extra: Record<string, string>): number {
  let collisions = 0;
  for (const column of MAP_COLUMNS) {
    const map = row[column] as Record<string, string | number> | null;
    if (map === null) continue;
    const { kept, collisions: moved } = splitCaseCollisions(map);
    for (const [key, value] of moved) {
      // An entry the map holds only as text (a number in `attributes`) is in `extra` already, as
      // its own JSON: the text would turn it into a string.
      const path = `${column}.${key}`;
      if (!Object.hasOwn(extra, path)) extra[path] = JSON.stringify(value);
    }
    collisions += moved.length;
    (row as Record<string, unknown>)[column] = Object.keys(kept).length > 0 ? kept : null;
  }
  return collisions;
}

/**
 * Flattens one event's JSON text into one row of the `events` table and its partition keys.
 * Pure: no I/O, no clock (the caller passes `now`), no AWS calls.
 *
 * @example
 * const result = transformEvent('{"eventType":"Send","mail":{...}}', { now: Date.now() });
 * if (result.ok) console.log(result.partition); // { family: 'email', dt: '2026-11-28' }
 */
export function transformEvent(text: string, options: TransformOptions): EventResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('invalid_json', 'the record is not valid JSON');
  }
  if (!isPlainObject(parsed))
    return fail(
      'not_an_object',
      `the record is a JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`,
    );

  const unwrapped = unwrapEnvelope(parsed);
  if (!unwrapped.ok)
    return fail(
      unwrapped.reason,
      `the envelope's inner record is ${unwrapped.reason === 'invalid_json' ? 'not valid JSON' : 'not an object'}`,
    );
  const { event, suffix, account, time, fields } = unwrapped.value;

  const format = recognise(event);
  if (!format)
    return fail('unknown_format', 'valid JSON in no known event format (Pinpoint, SES, End User Messaging)');
  let flat: Flattened;
  let extra: Record<string, string>;
  try {
    flat = format.flatten(event);
    extra = collectExtra(event, flat.consumed);
    for (const [path, value] of Object.entries(collectExtra(fields, []))) extra[`envelope.${path}`] = value;
  } catch (error) {
    // JSON.parse takes any depth; walking and re-serialising it recurses. One such record fails, not the batch.
    if (isStackOverflow(error))
      return fail(
        'too_deeply_nested',
        'the record nests objects or arrays too deeply to flatten; flatten it at the source',
      );
    throw error;
  }

  const arrivalTime = flat.arrivalTime ?? options.arrivalTime ?? null;
  const ownTime = flat.eventTime ?? time;
  const eventTime = ownTime ?? arrivalTime;
  if (eventTime === null)
    return fail('missing_timestamp', 'the event has no usable timestamp and no arrival time');

  // Into the empty row, whose keys are every column in order: one object per event, not two.
  const row = Object.assign(emptyRow(), flat.columns) as EventRow;
  row.event_id = eventId(text);
  row.source_format = `${format.name}${suffix}`;
  row.event_time = eventTime;
  row.arrival_time = arrivalTime;
  row.time_source = ownTime === null ? 'arrival' : 'event';
  row.transform_version = TRANSFORM_VERSION;
  row.account_id ??= account;
  row.raw = options.includeRaw === false ? null : text;
  const caseCollisions = settleMaps(row, extra);
  row.extra = Object.keys(extra).length > 0 ? extra : null;
  // After event_id, which hashes the original text: redeliveries de-duplicate in every mode.
  if (options.pii) applyPii(row, options.pii);

  const { dt, fellBack } = computeDt(eventTime, arrivalTime, { start: options.dtStart, now: options.now });
  return {
    ok: true,
    row,
    partition: { family: flat.family, dt },
    diagnostics: { dtFallback: fellBack, unknownType: flat.unknownType, caseCollisions },
  };
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
