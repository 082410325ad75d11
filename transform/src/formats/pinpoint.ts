/**
 * Amazon Pinpoint event stream records: the current shape (v3.x, `event_version` present) and the
 * 2017–2019 legacy shape (`event_type` without `event_version`, often with `unique_id`,
 * `application_key` and `timestamp`). App events sent straight to Firehose in the Pinpoint shape
 * are read by the same flattener.
 *
 * @see ../../../../shared/reference/event-formats.md §2.1, §2.2
 */
import type { SourceFormat } from '../types';
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

/** Reads the first of `paths` that parses as a timestamp; unparseable ones stay unconsumed, in `extra`. */
function firstTimestamp(r: FieldReader, paths: string[]): number | null {
  for (const path of paths) {
    const ms = r.timestamp(path);
    if (ms !== null) return ms;
  }
  return null;
}

/** The event type (held as sent by the `event_type` column) and its family and normalised name. */
function begin(r: FieldReader, event: JsonObject): { eventType: string; name: PinpointEventName } {
  r.consume('event_type');
  const eventType = event.event_type as string;
  return { eventType, name: pinpointEventName(eventType) };
}

/**
 * Pinpoint event stream v3.x (app, campaign, journey, email, SMS and in-app events): a string
 * `event_type` and an `event_version`.
 *
 * Time: `event_timestamp`, except for email, whose `event_timestamp` is the send time of the
 * message (the same on every event of that message): there `arrival_timestamp` is the event's time.
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
  flatten(event) {
    const r = new FieldReader(event);
    const { eventType, name } = begin(r, event);
    const head = { event_type: eventType, event_name: name.eventName, event_version: r.str('event_version') };
    const columns = pinpointColumns(r, head);
    const arrivalTime = r.timestamp('arrival_timestamp');
    const eventTime = name.family === 'email' ? arrivalTime : r.timestamp('event_timestamp');
    return {
      family: name.family,
      columns,
      eventTime,
      arrivalTime,
      consumed: r.consumed,
      unknownType: name.unknownType,
    };
  },
};

/**
 * Pinpoint legacy records (2017–2019 docs): a string `event_type` and no `event_version`.
 *
 * Time: `timestamp`, else `timestamp_created` (epoch ms as a string in the docs), else
 * `event_timestamp` for app-shaped records (never for email, where it is the send time), else
 * `arrival_timestamp`. `event_version` is null.
 */
export const pinpointLegacy: SourceFormat = {
  name: 'pinpoint_legacy',
  matches: (event) => hasEventType(event) && !hasEventVersion(event),
  flatten(event) {
    const r = new FieldReader(event);
    const { eventType, name } = begin(r, event);
    const columns = pinpointColumns(r, {
      event_type: eventType,
      event_name: name.eventName,
      event_version: null,
    });
    const arrivalTime = r.timestamp('arrival_timestamp');
    const own = name.family === 'email' ? LEGACY_EMAIL_TIMES : LEGACY_TIMES;
    const eventTime = firstTimestamp(r, own) ?? arrivalTime;
    return {
      family: name.family,
      columns,
      eventTime,
      arrivalTime,
      consumed: r.consumed,
      unknownType: name.unknownType,
    };
  },
};
