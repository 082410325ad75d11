/**
 * The columns of a Pinpoint row, current or legacy: app, device and session context, campaign and
 * journey ids, the SMS outcome, the email facet, and the attribute, metric and tag maps.
 */
import type { EventRow } from '../schema';
import { type FieldReader, type JsonObject, get, num, parseJsonObject, str, stringify } from './fields';

/** Where the email facet keeps the message (`mail`) and the event's own object (`delivery`, `click`…). */
const MAIL_EVENT = 'facets.email_channel.mail_event';
const MAIL = `${MAIL_EVENT}.mail`;
const ENDPOINT = 'client_context.custom.endpoint';

/** Pinpoint prices are in thousandths of a US cent: 645 → $0.00645. */
const MILLICENTS_PER_USD = 100_000;

/** Upper-cases a source value: `Transactional` → `TRANSACTIONAL`, as End User Messaging spells it. */
function upper(value: string | null): string | null {
  return value === null ? null : value.toUpperCase();
}

/**
 * The endpoint record's `User.UserId`. Campaign and journey events carry the endpoint as JSON text
 * (`client_context.custom.endpoint`); it stays in `extra` as sent, so it is read but not consumed.
 */
function userId(event: JsonObject): string | null {
  const endpoint = get(event, ENDPOINT);
  const parsed = typeof endpoint === 'string' ? parseJsonObject(endpoint) : endpoint;
  return str(parsed, 'User.UserId');
}

/**
 * `customer_context` (the SendMessages `Context` map, sent as JSON text) parsed into `tags`.
 * The text itself stays in `attributes` as sent, so nothing is consumed here.
 */
function customerContext(event: JsonObject): Record<string, string> | null {
  const parsed = parseJsonObject(get(event, 'attributes.customer_context'));
  if (parsed === null) return null;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) tags[key] = stringify(value);
  return tags;
}

/** The first of three attribute statuses that is present: SMS, campaign, then journey. */
function status(r: FieldReader): string | null {
  return (
    r.str('attributes.record_status') ??
    r.str('attributes.campaign_send_status') ??
    r.str('attributes.journey_send_status')
  );
}

/** The columns that differ between the current and the legacy shape, worked out by the caller. */
export interface PinpointHead {
  event_type: string;
  event_name: string;
  event_version: string | null;
}

/**
 * Every column of a Pinpoint row, current or legacy. Built as one object literal in column order:
 * spreading per-topic partial objects cost more than all the field reads together.
 *
 * The email facet holds the message (`mail`) and the event's own object; only send, delivery,
 * click and open are documented, so bounce, complaint and the rest keep their objects in `extra`.
 */
export function pinpointColumns(r: FieldReader, head: PinpointHead): Partial<EventRow> {
  const event = r.source;
  const recipients = r.strArray(`${MAIL}.destination`);
  const price = num(event, 'metrics.price_in_millicents_usd');
  return {
    event_type: head.event_type,
    event_name: head.event_name,
    event_version: head.event_version,
    app_id: r.str('application.app_id') ?? r.str('application_key'),
    account_id: r.str('awsAccountId') ?? r.str('account_id'),
    endpoint_id: r.str('client.client_id'),
    user_id: userId(event),
    // App, SDK, device and session context: app events only (empty objects elsewhere).
    session_id: r.str('session.session_id'),
    session_start_time: r.timestamp('session.start_timestamp'),
    session_stop_time: r.timestamp('session.stop_timestamp'),
    app_title: r.str('application.title'),
    app_package: r.str('application.package_name'),
    app_version: r.str('application.version_name'),
    app_version_code: r.str('application.version_code'),
    sdk_name: r.str('application.sdk.name'),
    sdk_version: r.str('application.sdk.version'),
    platform: r.str('device.platform.name'),
    platform_version: r.str('device.platform.version'),
    device_make: r.str('device.make'),
    device_model: r.str('device.model'),
    locale: r.str('device.locale.code'),
    // Campaign, journey and SMS columns come from `attributes`, which the map holds anyway.
    message_id: r.str(`${MAIL}.message_id`) ?? r.str('attributes.message_id'),
    campaign_id: r.str('attributes.campaign_id'),
    campaign_activity_id: r.str('attributes.campaign_activity_id'),
    treatment_id: r.str('attributes.treatment_id'),
    journey_id: r.str('attributes.journey_id'),
    journey_run_id: r.str('attributes.journey_run_id'),
    journey_activity_id: r.str('attributes.journey_activity_id'),
    status: status(r),
    status_code: r.str('attributes.journey_send_status_code'),
    status_message: r.str('attributes.journey_send_status_message'),
    origination: r.str(`${MAIL}.from_address`) ?? r.str('attributes.origination_phone_number'),
    destination: recipients?.[0] ?? r.str('attributes.destination_phone_number'),
    recipients,
    country: r.str('attributes.iso_country_code'),
    message_type: upper(r.str('attributes.message_type')),
    // A string "1" in the current docs, an integer 1 in the 2018 ones.
    message_parts: r.int('attributes.number_of_message_parts'),
    price_usd: price === null ? null : price / MILLICENTS_PER_USD,
    currency: r.str('attributes._currency'),
    subject: r.str(`${MAIL}.common_headers.subject`),
    link: r.str(`${MAIL_EVENT}.click.link`),
    ip_address: r.str(`${MAIL_EVENT}.click.ip_address`) ?? r.str(`${MAIL_EVENT}.open.ip_address`),
    user_agent: r.str(`${MAIL_EVENT}.click.user_agent`) ?? r.str(`${MAIL_EVENT}.open.user_agent`),
    smtp_response: r.str(`${MAIL_EVENT}.delivery.smtp_response`),
    attributes: r.stringMap('attributes'),
    metrics: r.numberMap('metrics'),
    tags: customerContext(event),
  };
}
