/**
 * Amazon SES records: event publishing through a configuration set (`eventType` + `mail`) and
 * identity notifications (`notificationType` + `mail`; Bounce, Complaint and Delivery only, no tags).
 *
 * @see https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html
 * @see https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 */
import { isPlainObject } from '../extra';
import type { Flattened, SourceFormat } from '../types';
import { FieldReader, get, obj } from './fields';

/** What one SES event type is called in the lake and which object carries its details. */
interface SesType {
  /** The key of the event's own object (`bounce`, `deliveryDelay`, `failure`…). */
  object: string;
  /** `event_name`, or a function of the event object when the name depends on its content. */
  name: string | ((details: Record<string, unknown> | null) => string);
}

function bounceName(bounce: Record<string, unknown> | null): string {
  const type = typeof bounce?.bounceType === 'string' ? bounce.bounceType.trim().toLowerCase() : '';
  // Only Permanent bounces are hard; Transient, Undetermined and anything unexpected are soft.
  return type === 'permanent' ? 'email.hard_bounce' : 'email.soft_bounce';
}

function subscriptionName(subscription: Record<string, unknown> | null): string {
  const preferences = subscription?.newTopicPreferences;
  if (!isPlainObject(preferences)) return 'email.subscription';
  if (preferences.unsubscribeAll === true) return 'email.unsubscribe';
  const topics = Array.isArray(preferences.topicSubscriptionStatus)
    ? preferences.topicSubscriptionStatus
    : [];
  const optedOut = topics.some(
    (topic) =>
      isPlainObject(topic) &&
      typeof topic.subscriptionStatus === 'string' &&
      topic.subscriptionStatus.toLowerCase() === 'optout',
  );
  return optedOut ? 'email.unsubscribe' : 'email.subscription';
}

/** Keyed by the type folded to lower case without spaces, so `Rendering Failure`, `BOUNCE` and `deliverydelay` match. */
const SES_TYPES: Readonly<Record<string, SesType>> = {
  send: { object: 'send', name: 'email.send' },
  delivery: { object: 'delivery', name: 'email.delivered' },
  open: { object: 'open', name: 'email.open' },
  click: { object: 'click', name: 'email.click' },
  bounce: { object: 'bounce', name: bounceName },
  complaint: { object: 'complaint', name: 'email.complaint' },
  reject: { object: 'reject', name: 'email.rejected' },
  renderingfailure: { object: 'failure', name: 'email.rendering_failure' },
  deliverydelay: { object: 'deliveryDelay', name: 'email.delivery_delay' },
  subscription: { object: 'subscription', name: subscriptionName },
};

function foldType(type: string): string {
  return type.toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * The addresses a bounce, complaint or delay concerns. The recipient objects carry more than the
 * address (status, diagnostic code), so the array is consumed only when it holds nothing else.
 */
function affectedRecipients(read: FieldReader, path: string): string[] | null {
  const list = get(read.source, path);
  if (!Array.isArray(list)) return null;
  const addresses = list
    .map((item) => (isPlainObject(item) && typeof item.emailAddress === 'string' ? item.emailAddress : null))
    .filter((address): address is string => address !== null);
  const onlyAddresses = list.every(
    (item) => isPlainObject(item) && Object.keys(item).length === 1 && typeof item.emailAddress === 'string',
  );
  if (onlyAddresses) read.consume(path);
  return addresses.length > 0 ? addresses : null;
}

/** A field of the first element of a recipient array (`bouncedRecipients[0].diagnosticCode`); never consumed. */
function firstRecipientField(read: FieldReader, path: string, field: string): string | null {
  const list = get(read.source, path);
  if (!Array.isArray(list)) return null;
  const first: unknown = list[0];
  return isPlainObject(first) && typeof first[field] === 'string' ? first[field] : null;
}

/**
 * SES tags are `map<string, string[]>`; the lake's `tags` is `map<string,string>`, so arrays are
 * joined with `,` (a bare string is taken as sent). A tag is consumed only when its text gives the
 * array back: `["a,b"]` and `["a","b"]` join alike, so an ambiguous array, like a bare string, also
 * stays in `extra`.
 * Other values (numbers, objects, empty or mixed arrays) are not tags and stay in `extra`.
 */
function sesTags(read: FieldReader, path: string): Record<string, string> | null {
  const source = obj(read.source, path);
  if (source === null) return null;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') {
      // Not the documented shape, and "a,b" would read back as ["a","b"]: keep it in `extra` too.
      tags[key] = value;
    } else if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string')) {
      tags[key] = value.join(',');
      if (value.length === 1 || !value.some((part: string) => part.includes(',')))
        read.consume(`${path}.${key}`);
    }
  }
  return Object.keys(tags).length > 0 ? tags : null;
}

/** `isBotEvent`: `Likely` → true, `Unlikely` → false, anything else unknown (null, kept in `extra`). */
function isBot(read: FieldReader, path: string): boolean | null {
  const value = get(read.source, path);
  if (typeof value !== 'string') return null;
  const folded = value.trim().toLowerCase();
  const verdict = folded === 'likely' ? true : folded === 'unlikely' ? false : null;
  if (verdict !== null && (value === 'Likely' || value === 'Unlikely')) read.consume(path);
  return verdict;
}

/** Columns that only some event types fill. `object` is the event's own object key. */
function typeColumns(read: FieldReader, object: string): Flattened['columns'] {
  switch (object) {
    case 'bounce': {
      const subtype = read.str('bounce.bounceSubType');
      return {
        bounce_type: read.str('bounce.bounceType'),
        bounce_subtype: subtype,
        status: subtype,
        status_code: firstRecipientField(read, 'bounce.bouncedRecipients', 'status'),
        smtp_response: firstRecipientField(read, 'bounce.bouncedRecipients', 'diagnosticCode'),
        affected_recipients: affectedRecipients(read, 'bounce.bouncedRecipients'),
      };
    }
    case 'complaint':
      return {
        complaint_type: read.str('complaint.complaintFeedbackType'),
        status: read.str('complaint.complaintSubType'),
        user_agent: read.str('complaint.userAgent'),
        affected_recipients: affectedRecipients(read, 'complaint.complainedRecipients'),
      };
    case 'delivery':
      return { smtp_response: read.str('delivery.smtpResponse') };
    case 'deliveryDelay':
      return {
        status: read.str('deliveryDelay.delayType'),
        status_code: firstRecipientField(read, 'deliveryDelay.delayedRecipients', 'status'),
        smtp_response: firstRecipientField(read, 'deliveryDelay.delayedRecipients', 'diagnosticCode'),
        affected_recipients: affectedRecipients(read, 'deliveryDelay.delayedRecipients'),
      };
    case 'reject':
      return { status: read.str('reject.reason') };
    case 'failure':
      return { status_message: read.str('failure.errorMessage') };
    case 'open':
    case 'click':
      // click.linkTags are link attributes, not message tags: they stay in `extra`.
      return {
        ip_address: read.str(`${object}.ipAddress`),
        user_agent: read.str(`${object}.userAgent`),
        is_bot: isBot(read, `${object}.isBotEvent`),
        link: object === 'click' ? read.str('click.link') : null,
      };
    default:
      return {};
  }
}

function flattenSes(event: Record<string, unknown>, typeKey: 'eventType' | 'notificationType'): Flattened {
  const read = new FieldReader(event);
  const eventType = read.str(typeKey) as string;
  const folded = foldType(eventType);
  // Own keys only: a type named `constructor` or `__proto__` must not reach Object.prototype.
  const known = Object.hasOwn(SES_TYPES, folded) ? SES_TYPES[folded] : undefined;
  const details = known ? obj(read.source, known.object) : null;

  // The event's own timestamp (bounce.timestamp, open.timestamp…), else the send time of the message.
  const ownTime = known && details !== null ? read.timestamp(`${known.object}.timestamp`) : null;
  const eventTime = ownTime ?? read.timestamp('mail.timestamp');

  const recipients = read.strArray('mail.destination');
  const eventName =
    known === undefined ? 'email.other' : typeof known.name === 'string' ? known.name : known.name(details);
  const columns: Flattened['columns'] = {
    event_type: eventType,
    event_name: eventName,
    account_id: read.str('mail.sendingAccountId'),
    message_id: read.str('mail.messageId'),
    origination: read.str('mail.source'),
    destination: recipients?.[0] ?? null,
    recipients,
    subject: read.str('mail.commonHeaders.subject'),
    tags: sesTags(read, 'mail.tags'),
    ...(known ? typeColumns(read, known.object) : {}),
  };
  return {
    family: 'email',
    columns,
    eventTime,
    arrivalTime: null,
    consumed: read.consumed,
    unknownType: known === undefined,
  };
}

/** SES event publishing (configuration set → Firehose, SNS or EventBridge): `eventType` and a `mail` object. */
export const ses: SourceFormat = {
  name: 'ses',
  matches: (event) => typeof event.eventType === 'string' && isPlainObject(event.mail),
  flatten: (event) => flattenSes(event, 'eventType'),
};

/** SES identity notifications (through SNS when event publishing is not set up): `notificationType` and `mail`. */
export const sesNotification: SourceFormat = {
  name: 'ses_notification',
  matches: (event) => typeof event.notificationType === 'string' && isPlainObject(event.mail),
  flatten: (event) => flattenSes(event, 'notificationType'),
};
