/**
 * AWS End User Messaging SMS, MMS, voice and RCS events (`eventVersion` "1.0"), from a configuration
 * set event destination (Firehose, SNS) or EventBridge (`aws.sms-voice`), and the EventBridge
 * "Registration Status Change" detail.
 *
 * @see https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html
 * @see https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html
 */
import { isPlainObject } from '../extra';
import type { Family } from '../schema';
import type { Flattened, SourceFormat } from '../types';
import { FieldReader, get } from './fields';

/** `eventType` prefix → family. An RCS message delivered as TEXT_SUCCESSFUL is therefore sms. */
const FAMILY_BY_PREFIX: Readonly<Record<string, Family>> = {
  TEXT: 'sms',
  MEDIA: 'mms',
  RCS: 'rcs',
  VOICE: 'voice',
};

/** Outcome buckets shared by TEXT_* and MEDIA_*: the suffix after the prefix → action. */
const MESSAGE_ACTIONS: Readonly<Record<string, string>> = {
  SENT: 'send',
  QUEUED: 'buffered',
  PENDING: 'buffered',
  DELIVERED: 'delivered',
  SUCCESSFUL: 'delivered',
  BLOCKED: 'failed',
  TTL_EXPIRED: 'failed',
  CARRIER_UNREACHABLE: 'failed',
  INVALID: 'failed',
  INVALID_MESSAGE: 'failed',
  CARRIER_BLOCKED: 'failed',
  UNREACHABLE: 'failed',
  SPAM: 'failed',
  PROTECT_BLOCKED: 'failed',
  UNKNOWN: 'unknown',
};

/** MEDIA_* adds failures about the attached file. */
const MEDIA_ACTIONS: Readonly<Record<string, string>> = {
  ...MESSAGE_ACTIONS,
  FILE_INACCESSIBLE: 'failed',
  FILE_TYPE_UNSUPPORTED: 'failed',
  FILE_SIZE_EXCEEDED: 'failed',
};

/**
 * RCS_* types from the API's MatchingEventTypes list. QUEUED and SENT are progress, not failures,
 * so they share the sms names; a fallback to SMS is a failed RCS delivery (the SMS has its own events).
 */
const RCS_ACTIONS: Readonly<Record<string, string>> = {
  QUEUED: 'buffered',
  SENT: 'send',
  DELIVERED: 'delivered',
  READ: 'read',
  FAILED: 'failed',
  TTL_EXPIRED: 'failed',
  PROTECT_BLOCKED: 'failed',
  FALLEN_BACK_TO_SMS: 'failed',
};

/** One name per voice call state. */
const VOICE_ACTIONS: Readonly<Record<string, string>> = {
  INITIATED: 'initiated',
  RINGING: 'ringing',
  ANSWERED: 'answered',
  COMPLETED: 'completed',
  BUSY: 'busy',
  NO_ANSWER: 'no_answer',
  FAILED: 'failed',
  TTL_EXPIRED: 'ttl_expired',
};

const ACTIONS_BY_FAMILY: Partial<Record<Family, Readonly<Record<string, string>>>> = {
  sms: MESSAGE_ACTIONS,
  mms: MEDIA_ACTIONS,
  rcs: RCS_ACTIONS,
  voice: VOICE_ACTIONS,
};

/** A table entry by own key only, so source text never reaches Object.prototype. */
function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Family and event name of an End User Messaging `eventType`, matched without regard to case. */
export function classifySmsVoiceType(eventType: string): {
  family: Family;
  eventName: string;
  known: boolean;
} {
  const upper = eventType.trim().toUpperCase();
  const cut = upper.indexOf('_');
  const prefix = cut < 0 ? upper : upper.slice(0, cut);
  const family = lookup(FAMILY_BY_PREFIX, prefix) ?? 'other';
  const actions = lookup(ACTIONS_BY_FAMILY, family);
  const action = cut < 0 || actions === undefined ? undefined : lookup(actions, upper.slice(cut + 1));
  return action === undefined
    ? { family, eventName: `${family}.other`, known: false }
    : { family, eventName: `${family}.${action}`, known: true };
}

/** `messageType` upper-cased (`Promotional` → `PROMOTIONAL`); consumed only when it was sent upper case. */
function upperCased(read: FieldReader, path: string): string | null {
  const value = get(read.source, path);
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  if (upper === value) read.consume(path);
  return upper;
}

function eventVersionOf(read: FieldReader): string | null {
  const value = get(read.source, 'eventVersion');
  if (typeof value === 'string') return read.str('eventVersion');
  // A number (1.0 parses to 1) is kept as text here and as sent in `extra`.
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/**
 * A sparse delivery receipt (`{"eventType":"TEXT_DELIVERED","messageId":"…","isFinal":true}`) has no
 * `eventVersion`, but its type and `messageId` say what it is. Only a known End User Messaging type
 * counts, so that any other JSON with an `eventType` and a `messageId` stays `unknown_format`.
 */
function isSparseReceipt(event: Record<string, unknown>): boolean {
  return (
    typeof event.messageId === 'string' &&
    typeof event.eventType === 'string' &&
    classifySmsVoiceType(event.eventType).known
  );
}

/**
 * End User Messaging SMS/voice v2 events: `eventType` and `eventVersion` (or, for a sparse receipt,
 * a known End User Messaging type and a `messageId`), and no SES `mail` object.
 */
export const smsVoiceV2: SourceFormat = {
  name: 'sms_voice_v2',
  matches: (event) =>
    typeof event.eventType === 'string' &&
    (typeof event.eventVersion === 'string' ||
      typeof event.eventVersion === 'number' ||
      isSparseReceipt(event)) &&
    !isPlainObject(event.mail),
  flatten: (event): Flattened => {
    const read = new FieldReader(event);
    const eventType = read.str('eventType') as string;
    const { family, eventName, known } = classifySmsVoiceType(eventType);
    const columns: Flattened['columns'] = {
      event_type: eventType,
      event_name: eventName,
      event_version: eventVersionOf(read),
      message_id: read.str('messageId'),
      origination: read.str('originationPhoneNumber'),
      destination: read.str('destinationPhoneNumber'),
      country: read.str('isoCountryCode'),
      carrier: read.str('carrierName'),
      message_type: upperCased(read, 'messageType'),
      message_parts: read.int('totalMessageParts'),
      // The docs say thousandths of a cent, but every example is in dollars (0.00645 for one SMS).
      price_usd: read.num('totalMessagePrice'),
      carrier_fee_usd: read.num('totalCarrierFee'),
      call_duration_s: read.int('callDurationInSeconds'),
      status: read.str('messageStatus'),
      status_message: read.str('messageStatusDescription'),
      is_final: read.bool('isFinal'),
      tags: read.stringMap('context'),
    };
    const eventTime = read.timestamp('eventTimestamp');
    return { family, columns, eventTime, arrivalTime: null, consumed: read.consumed, unknownType: !known };
  },
};

/** The fixed `event_type` of registration events: the orchestrator does not pass the envelope's detail-type. */
const REGISTRATION_EVENT_TYPE = 'Registration Status Change';

/**
 * The `detail` of an EventBridge "Registration Status Change" event from `aws.sms-voice`
 * (`registrationDetails` + `registrationArn`). Its time falls back to the envelope's `time`.
 */
export const smsVoiceRegistration: SourceFormat = {
  name: 'sms_voice_v2',
  matches: (event) => isPlainObject(event.registrationDetails) && event.eventType === undefined,
  flatten: (event): Flattened => {
    const read = new FieldReader(event);
    const columns: Flattened['columns'] = {
      event_type: REGISTRATION_EVENT_TYPE,
      event_name: 'other.registration_status',
      status: read.str('registrationDetails.currentStatus'),
    };
    const eventTime = read.timestamp('registrationDetails.registrationStatusChangeTimestamp');
    return {
      family: 'other',
      columns,
      eventTime,
      arrivalTime: null,
      consumed: read.consumed,
      unknownType: false,
    };
  },
};
