/**
 * Amazon Pinpoint event stream records: the current shape (v3.x, `event_version` present) and the
 * 2017–2019 legacy shape (`event_type` without `event_version`, often with `unique_id`,
 * `application_key` and `timestamp`). App events sent straight to Firehose in the Pinpoint shape
 * are read by the same flattener.
 *
 * @see ../../../../shared/reference/event-formats.md §2.1, §2.2
 */
import type { Flattened, SourceFormat } from '../types';
import { FieldReader, type JsonObject } from './fields';
import { pinpointColumns } from './pinpoint-columns';
import { type PinpointEventName, pinpointEventName } from './pinpoint-names';

const LEGACY_TIMES = ['timestamp', 'timestamp_created', 'event_timestamp'];
const LEGACY_EMAIL_TIMES = ['timestamp', 'timestamp_created'];

function hasEventType(event: JsonObject): boolean {
  return typeof event.event_type === 'string' && event.event_type.trim() !== '';
}

function hasEventVersion(event: JsonObject): boolean {
  return event.event_version !== undefined && event.event_version !== null;
}

/**
 * Reads the first of `paths` that holds a plausible time (2015 or later: Pinpoint launched in late
 * 2016); unparseable and implausible ones stay unconsumed, in `extra`.
 */
function firstTimestamp(r: FieldReader, paths: string[]): number | null {
  for (const path of paths) {
    const ms = r.plausibleTimestamp(path);
    if (ms !== null) return ms;
  }
  return null;
}

/**
 * Flattens either Pinpoint shape; the shapes differ only in `event_version` and in where the
 * event's own time is (`eventTimeOf`).
 */
function flattenPinpoint(
  event: JsonObject,
  version: (r: FieldReader) => string | null,
  eventTimeOf: (r: FieldReader, name: PinpointEventName, arrivalTime: number | null) => number | null,
): Flattened {
  const r = new FieldReader(event);
  r.consume('event_type'); // held as sent by the `event_type` column
  const eventType = event.event_type as string;
  const name = pinpointEventName(eventType);
  const columns = pinpointColumns(r, {
    event_type: eventType,
    event_name: name.eventName,
    event_version: version(r),
  });
  const arrivalTime = r.plausibleTimestamp('arrival_timestamp');
  return {
    family: name.family,
    columns,
    eventTime: eventTimeOf(r, name, arrivalTime),
    arrivalTime,
    consumed: r.consumed,
    unknownType: name.unknownType,
  };
}

/**
 * Pinpoint event stream v3.x (app, campaign, journey, email, SMS and in-app events): a string
 * `event_type` and an `event_version`.
 *
 * Time: `event_timestamp`, except for email, whose `event_timestamp` is the send time of the
 * message (the same on every event of that message): there `arrival_timestamp` is the event's time.
 * A time before 2015 (before Pinpoint existed) is not plausible and counts as missing.
 *
 * @example
 * const flat = pinpoint.flatten({ event_type: '_SMS.SUCCESS', event_version: '3.1', event_timestamp: 1553104954322 });
 * flat.family; // 'sms'
 * flat.columns.event_name; // 'sms.delivered'
 * flat.eventTime; // 1553104954322
 */
export const pinpoint: SourceFormat = {
  name: 'pinpoint',
  matches: (event) => hasEventType(event) && hasEventVersion(event),
  flatten: (event) =>
    flattenPinpoint(
      event,
      (r) => r.str('event_version'),
      (r, name, arrivalTime) =>
        name.family === 'email' ? arrivalTime : r.plausibleTimestamp('event_timestamp'),
    ),
};

/**
 * Pinpoint legacy records (2017–2019 docs): a string `event_type` and no `event_version`.
 *
 * Time: `timestamp`, else `timestamp_created` (epoch ms as a string in the docs), else
 * `event_timestamp` for app-shaped records (never for email, where it is the send time), else
 * `arrival_timestamp`: the first of them that is plausible (2015 or later; the 2017 SMS example's
 * `timestamp: 13425345` is 1970 in any unit). `event_version` is null.
 */
export const pinpointLegacy: SourceFormat = {
  name: 'pinpoint_legacy',
  matches: (event) => hasEventType(event) && !hasEventVersion(event),
  flatten: (event) =>
    flattenPinpoint(
      event,
      () => null,
      (r, name, arrivalTime) =>
        firstTimestamp(r, name.family === 'email' ? LEGACY_EMAIL_TIMES : LEGACY_TIMES) ?? arrivalTime,
    ),
};
