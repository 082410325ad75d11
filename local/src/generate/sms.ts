/**
 * SMS scenarios. Depending on the era (see `eraAt`), one text message goes through Pinpoint
 * (`_SMS.BUFFERED`, then `_SMS.SUCCESS` about 95% of the time or `_SMS.FAILURE`, priced in
 * millicents; campaign and journey sends first write their own send event), through Pinpoint in
 * the legacy shape, or through End User Messaging (`TEXT_*` events, priced in dollars).
 */
import { type Batch, DAY, eraAt, type GenContext, HOUR } from './context';
import { eumText } from './eum';
import type { Endpoint } from './identities';
import { legacySms } from './legacy';
import { messageEvent, programmeSendEvent } from './pinpoint';

type SmsProgramme = 'campaign' | 'journey' | 'transactional';

const FAILURES = [
  'UNREACHABLE',
  'CARRIER_UNREACHABLE',
  'INVALID',
  'BLOCKED',
  'TTL_EXPIRED',
  'OPTED_OUT',
  'SPAM',
] as const;

function programmeIds(ctx: GenContext, kind: SmsProgramme): Record<string, string> {
  const { rng, world } = ctx;
  if (kind === 'campaign') {
    const campaign = rng.pick(world.campaigns);
    return {
      campaign_activity_id: campaign.activityId,
      treatment_id: String(rng.int(0, campaign.treatments - 1)),
      campaign_id: campaign.campaignId,
    };
  }
  if (kind === 'journey') {
    const journey = rng.pick(world.journeys);
    return {
      journey_id: journey.journeyId,
      journey_run_id: journey.runId,
      journey_activity_id: journey.smsActivityId,
    };
  }
  return {};
}

/** The campaign's or journey's own send event for the endpoint; false when the send stopped there. */
function programmeSend(
  ctx: GenContext,
  kind: SmsProgramme,
  ids: Record<string, string>,
  endpoint: Endpoint,
  t0: number,
  batch: Batch,
): boolean {
  const { rng, world } = ctx;
  const arrival = t0 + rng.int(20, 300);
  if (kind === 'campaign') {
    const status = rng.weighted<string>([
      ['SUCCESS', 96],
      ['QUIET_TIME', 2],
      ['DAILY_CAP', 1],
      ['PERMANENT_FAILURE', 1],
    ]);
    const attributes = {
      treatment_id: ids.treatment_id,
      campaign_activity_id: ids.campaign_activity_id,
      delivery_type: 'SMS',
      campaign_id: ids.campaign_id,
      campaign_send_status: status,
    };
    batch.add(arrival, programmeSendEvent(rng, world, 'campaign', 'SMS', endpoint, t0, arrival, attributes));
    return status === 'SUCCESS';
  }
  if (kind === 'journey') {
    const ok = rng.chance(0.97);
    const attributes = {
      ...ids,
      journey_send_status: ok ? 'SUCCESS' : 'THROTTLED',
      journey_activity_type: 'SMS',
      journey_send_status_message: ok ? '200' : 'Rate exceeded',
      journey_send_status_code: ok ? '200' : '429',
    };
    batch.add(arrival, programmeSendEvent(rng, world, 'journey', 'SMS', endpoint, t0, arrival, attributes));
    return ok;
  }
  return true;
}

/** A Pinpoint SMS: buffered, then success or failure (both priced), sometimes an opt-out reply. */
function pinpointSms(
  ctx: GenContext,
  kind: SmsProgramme,
  endpoint: Endpoint,
  t0: number,
  batch: Batch,
): void {
  const { rng, world } = ctx;
  const ids = programmeIds(ctx, kind);
  if (!programmeSend(ctx, kind, ids, endpoint, t0, batch)) return;
  const country = endpoint.country;
  const parts = rng.chance(0.8) ? 1 : 2;
  const priceMillicents = Math.round(country.smsPrice * parts * 100_000);
  const delivered = rng.chance(0.95);
  const failure = rng.pick(FAILURES);
  const base: Record<string, string> = {
    sender_request_id: rng.uuid(),
    ...(kind === 'campaign' ? { campaign_activity_id: ids.campaign_activity_id } : {}),
    origination_phone_number: rng.pick(world.originators[country.code]),
    destination_phone_number: endpoint.phone,
  };
  const tail: Record<string, string> = {
    iso_country_code: country.code,
    ...(kind === 'campaign' ? { treatment_id: ids.treatment_id } : {}),
    number_of_message_parts: String(parts),
    message_id: rng.uuid(),
    message_type: kind === 'transactional' ? 'Transactional' : 'Promotional',
    ...(kind === 'campaign' ? { campaign_id: ids.campaign_id } : {}),
    ...(kind === 'journey' ? ids : {}),
  };
  if (kind === 'transactional')
    tail.customer_context = JSON.stringify(
      endpoint.userId === null ? { orderId: `ord-${rng.digits(8)}` } : { userId: endpoint.userId },
    );
  // Campaign and journey sends report the endpoint id; transactional ones the sending account (as documented).
  const clientId = kind === 'transactional' ? world.accountId : endpoint.endpointId;
  const sentAt = t0 + rng.int(100, 900);
  const doneAt = sentAt + rng.int(1500, 30000) + (rng.chance(0.05) ? rng.int(0, 2 * HOUR) : 0);
  const steps: [string, string, number, Record<string, number> | undefined][] = [
    ['_SMS.BUFFERED', 'PENDING', sentAt, undefined],
    delivered
      ? ['_SMS.SUCCESS', 'DELIVERED', doneAt, { price_in_millicents_usd: priceMillicents }]
      : [
          '_SMS.FAILURE',
          failure,
          doneAt,
          { price_in_millicents_usd: failure === 'OPTED_OUT' || failure === 'INVALID' ? 0 : priceMillicents },
        ],
  ];
  if (delivered && kind !== 'transactional' && rng.chance(0.004))
    steps.push(['_SMS.OPTOUT', 'OPTED_OUT', doneAt + Math.round(rng.exp(DAY / 4)) + 10_000, undefined]);
  for (const [eventType, status, at, metrics] of steps) {
    const arrival = at + rng.int(50, 800);
    const attributes = { ...base, record_status: status, ...tail };
    batch.add(
      arrival,
      messageEvent(
        world,
        endpoint.app.appId,
        eventType,
        at,
        arrival,
        clientId,
        attributes,
        metrics ? { metrics } : {},
      ),
    );
  }
}

/** One text message and its delivery events, through Pinpoint (current or legacy shape) or End User Messaging. */
export function smsMessage(ctx: GenContext, t0: number, batch: Batch): void {
  const { rng, world } = ctx;
  const era = eraAt(t0);
  const endpoint = rng.pick(world.endpoints);
  const kind = rng.weighted<SmsProgramme>([
    ['campaign', 30],
    ['journey', era.journeys ? 20 : 0],
    ['transactional', 50],
  ]);
  if (era.endUserMessaging && !rng.chance(era.pinpoint)) {
    eumText(ctx, t0, endpoint, kind === 'transactional' ? 'TRANSACTIONAL' : 'PROMOTIONAL', batch);
    return;
  }
  if (rng.chance(era.legacy)) {
    const parts = rng.chance(0.8) ? 1 : 2;
    const sms = {
      messageId: rng.uuid(),
      senderRequestId: rng.uuid(),
      endpoint,
      messageType: kind === 'transactional' ? 'Transactional' : 'Promotional',
      parts,
      priceMillicents: Math.round(endpoint.country.smsPrice * parts * 100_000),
    } as const;
    legacySms(ctx, t0, sms, rng.chance(0.95), batch);
    return;
  }
  pinpointSms(ctx, kind, endpoint, t0, batch);
}
