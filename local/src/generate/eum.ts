/**
 * AWS End User Messaging SMS and MMS events (`eventVersion` "1.0", configuration set event
 * destinations): intermediate statuses (`isFinal` false) then a final one, prices in US dollars,
 * a `context` object, `isoCountryCode` of the destination. About a tenth of messages go through
 * an EventBridge destination (`aws.sms-voice`) and arrive wrapped, with `carrierName`.
 */
import { type Batch, DAY, eraAt, type GenContext } from './context';
import { eventBridge } from './envelopes';
import type { Endpoint } from './identities';

/** An `eventType`, its `messageStatus`, its description, whether it is final, and when. */
export type Status = [eventType: string, status: string, description: string, isFinal: boolean, at: number];

const TEXT_FAILURES: readonly [string, string][] = [
  ['CARRIER_UNREACHABLE', 'The carrier is unreachable'],
  ['UNREACHABLE', 'The destination phone is unreachable'],
  ['BLOCKED', 'The destination phone number has been blocked'],
  ['CARRIER_BLOCKED', 'The carrier has blocked the message'],
  ['INVALID', 'The destination phone number is invalid'],
  ['TTL_EXPIRED', 'The message could not be delivered within the specified time'],
  ['SPAM', 'The carrier identified the message as spam'],
  ['INVALID_MESSAGE', 'The message body is invalid'],
];

/** The common head of every message event, in the documented key order. */
export interface MessageHead {
  messageId: string;
  requestedAt: number;
  origination: string;
  endpoint: Endpoint;
  context: Record<string, string>;
  viaEventBridge: boolean;
  detailType: string;
}

/** Where a body field goes in the documented key order: after the numbers, after the request time, or last. */
const PLACES: Readonly<Record<string, 'request' | 'tail'>> = {
  messageEncoding: 'request',
  messageType: 'request',
  contentType: 'request',
  totalMessageParts: 'tail',
  totalMessagePrice: 'tail',
  totalCarrierFee: 'tail',
  callDurationInSeconds: 'tail',
  totalDurationInMinutes: 'tail',
  protectConfiguration: 'tail',
};

function part(body: Record<string, unknown>, place: 'head' | 'request' | 'tail'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if ((PLACES[key] ?? 'head') === place) out[key] = value;
  return out;
}

/** Writes one event, bare or in its EventBridge envelope. */
export function emit(
  ctx: GenContext,
  head: MessageHead,
  status: Status,
  body: Record<string, unknown>,
  batch: Batch,
): void {
  const { rng } = ctx;
  const [eventType, messageStatus, description, isFinal, at] = status;
  const country = head.endpoint.country;
  const record: Record<string, unknown> = {
    eventType,
    eventVersion: '1.0',
    eventTimestamp: at,
    isFinal,
    originationPhoneNumber: head.origination,
    destinationPhoneNumber: head.endpoint.phone,
    isoCountryCode: country.code,
    ...part(body, 'head'),
    messageId: head.messageId,
    messageRequestTimestamp: head.requestedAt,
    ...part(body, 'request'),
    messageStatus,
    messageStatusDescription: description,
    context: head.context,
    ...part(body, 'tail'),
  };
  if (!head.viaEventBridge) {
    batch.add(at, record);
    return;
  }
  const [carrierName] = rng.pick(country.carriers);
  const wrapped = eventBridge(ctx, 'aws.sms-voice', head.detailType, { ...record, carrierName }, at);
  batch.add(wrapped.latestTime, wrapped.record);
}

/** A new message's identity: id, request time, sender, recipient, context and delivery path. */
export function head(
  ctx: GenContext,
  t0: number,
  endpoint: Endpoint,
  origination: string,
  detailType: string,
  context: Record<string, string>,
): MessageHead {
  return {
    messageId: ctx.rng.uuid(),
    requestedAt: t0,
    origination,
    endpoint,
    context,
    viaEventBridge: ctx.rng.chance(0.1),
    detailType,
  };
}

/** Delivery statuses of a text or media message: pending, carrier-accepted, handset-delivered, or a failure. */
function deliveryStatuses(
  ctx: GenContext,
  prefix: 'TEXT' | 'MEDIA',
  t0: number,
  endpoint: Endpoint,
  failures: readonly [string, string][],
): Status[] {
  const { rng } = ctx;
  const queued = rng.chance(0.25);
  const statuses: Status[] = [
    [
      `${prefix}_${queued ? 'QUEUED' : 'PENDING'}`,
      queued ? 'QUEUED' : 'PENDING',
      'Message is being processed',
      false,
      t0 + rng.int(20, 400),
    ],
  ];
  const carrierAt = t0 + rng.int(500, 6000) + (queued ? rng.int(1000, 120000) : 0);
  const outcome = rng.next();
  if (outcome < 0.95) {
    const receipts = endpoint.country.handsetReceipts;
    statuses.push([
      `${prefix}_SUCCESSFUL`,
      'SUCCESSFUL',
      'Message has been accepted by phone carrier',
      !receipts,
      carrierAt,
    ]);
    if (receipts)
      statuses.push([
        `${prefix}_DELIVERED`,
        'DELIVERED',
        'Message has been accepted by phone',
        true,
        carrierAt + rng.int(1000, 45000),
      ]);
  } else if (outcome < 0.995) {
    const [suffix, description] = rng.pick(failures);
    statuses.push([`${prefix}_${suffix}`, suffix, description, true, carrierAt]);
  } else {
    // No final receipt within 72 hours: End User Messaging reports UNKNOWN.
    statuses.push([
      `${prefix}_UNKNOWN`,
      'UNKNOWN',
      'Unknown error attempting to reach phone',
      true,
      t0 + 3 * DAY,
    ]);
  }
  return statuses;
}

/** One SMS through End User Messaging, with price and carrier fee in dollars on every event. */
export function eumText(
  ctx: GenContext,
  t0: number,
  endpoint: Endpoint,
  messageType: 'PROMOTIONAL' | 'TRANSACTIONAL',
  batch: Batch,
): void {
  const { rng, world } = ctx;
  const country = endpoint.country;
  const context: Record<string, string> =
    messageType === 'TRANSACTIONAL' && endpoint.userId !== null
      ? { userId: endpoint.userId }
      : { campaign: rng.pick(world.campaigns).name };
  const message = head(
    ctx,
    t0,
    endpoint,
    rng.pick(world.originators[country.code]),
    'Text Message Delivery Status Updated',
    context,
  );
  const parts = rng.chance(0.8) ? 1 : 2;
  const [carrier, mnc] = rng.pick(country.carriers);
  const protect = rng.chance(0.01);
  const body: Record<string, unknown> = {
    isInternationalSend: false,
    mcc: country.mcc,
    mnc,
    messageEncoding: rng.chance(0.9) ? 'GSM' : 'UNICODE',
    messageType,
  };
  const fee = country.code === 'US' ? (carrier === 'T-Mobile' ? 0.003 : 0.0025) : 0;
  const prices = {
    totalMessageParts: parts,
    totalMessagePrice: Math.round(country.smsPrice * parts * 1e5) / 1e5,
    totalCarrierFee: fee * parts,
  };
  if (protect) {
    // SMS Protect blocked the send: one final event, nothing billed.
    const status: Status = [
      'TEXT_PROTECT_BLOCKED',
      'PROTECT_BLOCKED',
      'The message was blocked by protect configuration',
      true,
      t0 + rng.int(20, 400),
    ];
    const blocked = {
      ...body,
      protectConfiguration: {
        protectConfigurationId: world.smsProtectConfigurationId,
        protectStatus: 'FILTER',
      },
      totalMessageParts: parts,
      totalMessagePrice: 0,
      totalCarrierFee: 0,
    };
    emit(ctx, message, status, blocked, batch);
    return;
  }
  for (const status of deliveryStatuses(ctx, 'TEXT', t0, endpoint, TEXT_FAILURES))
    emit(ctx, message, status, { ...body, ...prices }, batch);
}

/** One MMS (US and Canadian endpoints send them), with `contentType` "MMS". */
export function eumMedia(ctx: GenContext, t0: number, batch: Batch): void {
  if (!eraAt(t0).endUserMessaging) return;
  const { rng, world } = ctx;
  const endpoint = rng.pick(
    world.endpoints.filter((e) => e.country.code === 'US' || e.country.code === 'CA'),
  );
  const message = head(
    ctx,
    t0,
    endpoint,
    world.originators[endpoint.country.code][0],
    'Media Message Delivery Status Updated',
    { campaign: rng.pick(world.campaigns).name },
  );
  const failures: [string, string][] = [
    ['FILE_INACCESSIBLE', 'The media file could not be retrieved'],
    ['FILE_TYPE_UNSUPPORTED', 'The media file type is not supported'],
    ['FILE_SIZE_EXCEEDED', 'The media file is too large'],
    ['CARRIER_UNREACHABLE', 'The carrier is unreachable'],
  ];
  const body = { isInternationalSend: false, messageType: 'PROMOTIONAL', contentType: 'MMS' };
  for (const status of deliveryStatuses(ctx, 'MEDIA', t0, endpoint, failures))
    emit(
      ctx,
      message,
      status,
      { ...body, totalMessageParts: 1, totalMessagePrice: 0.0198, totalCarrierFee: 0.0 },
      batch,
    );
}
