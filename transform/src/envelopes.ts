import { isPlainObject } from './extra';
import { parseTimestamp } from './time';

/** An event with its EventBridge or SNS envelope (if any) taken off. */
export interface Unwrapped {
  event: Record<string, unknown>;
  /** `+eventbridge`, `+sns`, or '' for a bare event. */
  suffix: '' | '+eventbridge' | '+sns';
  /** The envelope's account, the fallback for `account_id`. */
  account: string | null;
  /** The envelope's time, the fallback for the event's own time. */
  time: number | null;
  /** The envelope's own fields (all but the inner event), kept in `extra` under `envelope.`. */
  fields: Record<string, unknown>;
}

export type UnwrapResult =
  { ok: true; value: Unwrapped } | { ok: false; reason: 'invalid_json' | 'not_an_object' };

const SNS_ACCOUNT = /^arn:aws[\w-]*:sns:[^:]*:(\d{12}):/;

function isEventBridge(record: Record<string, unknown>): boolean {
  return (
    typeof record['detail-type'] === 'string' &&
    typeof record.source === 'string' &&
    isPlainObject(record.detail)
  );
}

function isSns(record: Record<string, unknown>): boolean {
  return record.Type === 'Notification' && typeof record.Message === 'string';
}

function without(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const rest = { ...record };
  delete rest[key];
  return rest;
}

/** The inside of an EventBridge envelope: `detail`, and the envelope's account, time and other fields. */
function fromEventBridge(record: Record<string, unknown>): Unwrapped {
  return {
    event: record.detail as Record<string, unknown>,
    suffix: '+eventbridge',
    account: typeof record.account === 'string' ? record.account : null,
    time: parseTimestamp(record.time),
    fields: without(record, 'detail'),
  };
}

/**
 * Takes off an EventBridge envelope (`detail-type`, `source`, `detail`) or an SNS notification
 * envelope (`Type: Notification`, `Message` holding the record as a JSON string). An EventBridge
 * event inside an SNS notification (a rule with an SNS target) is unwrapped too: its account and
 * time come first, and both envelopes' fields are kept. Other nesting is not unwrapped.
 */
export function unwrapEnvelope(record: Record<string, unknown>): UnwrapResult {
  if (isEventBridge(record)) return { ok: true, value: fromEventBridge(record) };
  if (isSns(record)) {
    let inner: unknown;
    try {
      inner = JSON.parse(record.Message as string);
    } catch {
      return { ok: false, reason: 'invalid_json' };
    }
    if (!isPlainObject(inner)) return { ok: false, reason: 'not_an_object' };
    const topic = typeof record.TopicArn === 'string' ? SNS_ACCOUNT.exec(record.TopicArn) : null;
    const bridged = isEventBridge(inner) ? fromEventBridge(inner) : null;
    return {
      ok: true,
      value: {
        event: bridged?.event ?? inner,
        suffix: '+sns',
        account: bridged?.account ?? (topic ? topic[1] : null),
        time: bridged?.time ?? parseTimestamp(record.Timestamp),
        // The SNS and EventBridge field names are disjoint (PascalCase vs lower-case), so one map holds both.
        fields: { ...without(record, 'Message'), ...bridged?.fields },
      },
    };
  }
  return { ok: true, value: { event: record, suffix: '', account: null, time: null, fields: {} } };
}
