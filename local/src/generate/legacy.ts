/**
 * Pinpoint records in the 2017–2019 documentation's shape: `event_type` without `event_version`.
 * SMS records carry `account_id`, `application_key`, `unique_id`, `timestamp` and a string
 * `timestamp_created`, an integer `number_of_message_parts` and lower-case types such as
 * `_sms.success`; email records use the full app envelope without facets or `awsAccountId`.
 */
import type { Batch, GenContext } from './context';
import type { EmailMessage, EmailStep } from './email-funnel';
import type { Endpoint } from './identities';
import { sessionId } from './pinpoint';

/** The outcome of one legacy SMS, decided by the caller. */
export interface LegacySms {
  messageId: string;
  senderRequestId: string;
  endpoint: Endpoint;
  messageType: 'Promotional' | 'Transactional';
  parts: number;
  priceMillicents: number;
}

/** Writes `_sms.buffered`, then `_sms.success` or `_sms.fail` (a fifth of them in upper case, as the docs' example). */
export function legacySms(
  ctx: GenContext,
  t0: number,
  sms: LegacySms,
  delivered: boolean,
  batch: Batch,
): void {
  const { rng, world } = ctx;
  const upper = rng.chance(0.2);
  const spell = (type: string): string => (upper ? type.toUpperCase() : type);
  const country = sms.endpoint.country;
  const [, mnc] = rng.pick(country.carriers);
  const steps: [string, string, number][] = [
    [spell('_sms.buffered'), 'PENDING', t0],
    [
      delivered ? spell('_sms.success') : spell('_sms.fail'),
      delivered ? 'SUCCESS' : rng.pick(['UNREACHABLE', 'INVALID', 'TTL_EXPIRED']),
      t0 + rng.int(800, 20000),
    ],
  ];
  for (const [eventType, status, at] of steps) {
    const arrival = at + rng.int(50, 1500);
    const attributes: Record<string, string | number> = {
      message_id: sms.messageId,
      sender_request_id: sms.senderRequestId,
      record_status: status,
      message_type: sms.messageType,
      mcc_mnc: `${country.mcc}${mnc}`,
      iso_country_code: country.code,
      number_of_message_parts: sms.parts,
    };
    if (sms.messageType === 'Promotional') attributes.keyword = 'SHOP';
    const record: Record<string, unknown> = {
      event_type: eventType,
      account_id: world.accountId,
      arrival_timestamp: arrival,
      timestamp: at,
      timestamp_created: String(at),
      application_key: sms.endpoint.app.appId,
      unique_id: rng.uuid(),
      attributes,
      metrics: status === 'PENDING' ? {} : { price_in_millicents_usd: delivered ? sms.priceMillicents : 0 },
      facets: {},
      additional_properties: {},
    };
    batch.add(arrival, record);
  }
}

const LEGACY_EMAIL_TYPES: Partial<Record<EmailStep['kind'], string>> = {
  send: '_email.send',
  delivery: '_email.delivered',
  open: '_email.open',
  click: '_email.click',
  hard_bounce: '_email.hardbounce',
  soft_bounce: '_email.softbounce',
  complaint: '_email.complaint',
  unsubscribe: '_email.unsubscribe',
};

/** One email's events in the 2018 app-shaped envelope; the message id travels in `attributes`. */
export function legacyEmail(ctx: GenContext, message: EmailMessage, steps: EmailStep[], batch: Batch): void {
  const { rng } = ctx;
  const { endpoint } = message;
  const session = { session_id: sessionId(rng), start_timestamp: message.sentAt };
  for (const step of steps) {
    const eventType = LEGACY_EMAIL_TYPES[step.kind];
    if (eventType === undefined) continue;
    const arrival = step.at + rng.int(100, 250);
    const attributes: Record<string, string> = {
      message_id: message.messageId,
      from_address: message.from,
      destination: endpoint.email,
    };
    if (message.programme.kind === 'campaign') {
      attributes.campaign_id = message.programme.campaign.campaignId;
      attributes.campaign_activity_id = message.programme.campaign.activityId;
      attributes.treatment_id = message.programme.treatment;
    }
    if (step.kind === 'click') attributes.link = step.link ?? '';
    batch.add(arrival, {
      event_type: eventType,
      event_timestamp: message.sentAt,
      arrival_timestamp: arrival,
      application: {
        app_id: endpoint.app.appId,
        cognito_identity_pool_id: endpoint.app.cognitoPoolId,
        sdk: {},
      },
      client: { client_id: endpoint.endpointId, cognito_id: endpoint.cognitoId },
      device: {
        locale: {
          code: endpoint.country.locale,
          country: endpoint.country.code,
          language: endpoint.country.language,
        },
        platform: {},
      },
      session,
      attributes,
      metrics: {},
    });
  }
}
