/**
 * Record builders for the Pinpoint event stream (v3) envelopes, in the key order of the AWS
 * documentation examples: app events (`event_version` "3.0", full app context) and message
 * events (`event_version` "3.1", empty `sdk`, `device.platform` and `session`, `awsAccountId`).
 */
import type { Endpoint, World } from './identities';
import type { Rng } from './rng';

/** A Pinpoint SDK session: id and start (and stop, on `_session.stop`). */
export interface Session {
  id: string;
  start: number;
  stop?: number;
}

/** Pinpoint receives app events a moment after they happen; offline devices upload much later. */
export function appArrival(rng: Rng, eventTime: number): number {
  return eventTime + (rng.chance(0.03) ? Math.round(rng.exp(1_800_000)) : rng.int(80, 2500));
}

/** A Pinpoint SDK session id (the SDK's own dashed hex form). */
export function sessionId(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
}

/**
 * An app event in the shape of the documented `_session.stop` example: application, client,
 * device and session context, string attributes and numeric metrics.
 */
export function appEvent(
  endpoint: Endpoint,
  eventType: string,
  eventTime: number,
  arrivalTime: number,
  session: Session,
  attributes: Record<string, string>,
  metrics: Record<string, number>,
): Record<string, unknown> {
  const sessionObject: Record<string, unknown> = { session_id: session.id, start_timestamp: session.start };
  if (session.stop !== undefined) sessionObject.stop_timestamp = session.stop;
  return {
    event_type: eventType,
    event_timestamp: eventTime,
    arrival_timestamp: arrivalTime,
    event_version: '3.0',
    application: {
      app_id: endpoint.app.appId,
      cognito_identity_pool_id: endpoint.app.cognitoPoolId,
      package_name: endpoint.app.packageName,
      sdk: endpoint.sdk,
      title: endpoint.app.title,
      version_name: endpoint.appVersion.name,
      version_code: endpoint.appVersion.code,
    },
    client: { client_id: endpoint.endpointId, cognito_id: endpoint.cognitoId },
    device: {
      locale: {
        code: endpoint.country.locale,
        country: endpoint.country.code,
        language: endpoint.country.language,
      },
      make: endpoint.make,
      model: endpoint.model,
      platform: endpoint.platform,
    },
    session: sessionObject,
    attributes,
    metrics,
  };
}

/** Optional parts of a Pinpoint message event, added after `attributes` in the documented order. */
export interface MessageParts {
  metrics?: Record<string, number>;
  clientContext?: { custom: Record<string, string> };
  facets?: Record<string, unknown>;
}

/**
 * A campaign, journey, email or SMS event: the 3.1 envelope with empty SDK, device and session
 * objects, system attributes as strings, and the sending account as `awsAccountId`.
 */
export function messageEvent(
  world: World,
  appId: string,
  eventType: string,
  eventTime: number,
  arrivalTime: number,
  clientId: string,
  attributes: Record<string, string>,
  parts: MessageParts = {},
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    event_type: eventType,
    event_timestamp: eventTime,
    arrival_timestamp: arrivalTime,
    event_version: '3.1',
    application: { app_id: appId, sdk: {} },
    client: { client_id: clientId },
    device: { platform: {} },
    session: {},
    attributes,
  };
  if (parts.metrics) record.metrics = parts.metrics;
  if (parts.clientContext) record.client_context = parts.clientContext;
  record.awsAccountId = world.accountId;
  if (parts.facets) record.facets = parts.facets;
  return record;
}

/**
 * The endpoint record Pinpoint embeds in campaign and journey events, as a JSON string (so
 * readers must parse it a second time). Endpoints with a known user carry `User.UserId`.
 */
function endpointJson(rng: Rng, endpoint: Endpoint, channelType: string, forJourney: boolean): string {
  // An endpoint without a known user has an empty `User` in campaign events and none in journey ones, as documented.
  const user = endpoint.userId === null ? {} : { UserId: endpoint.userId };
  const record = forJourney
    ? {
        ChannelType: channelType,
        EndpointStatus: 'ACTIVE',
        OptOut: 'NONE',
        Demographic: { Timezone: endpoint.country.timezone },
        ...(endpoint.userId === null ? {} : { User: user }),
      }
    : {
        ChannelType: channelType,
        EndpointStatus: 'ACTIVE',
        OptOut: 'NONE',
        RequestId: rng.uuid(),
        EffectiveDate: endpoint.effectiveDate,
        User: user,
      };
  return JSON.stringify(record);
}

/**
 * The send event a campaign or journey writes for the endpoint before the channel's own events
 * (`_campaign.send` / `_journey.send`), with the endpoint record in `client_context`.
 */
export function programmeSendEvent(
  rng: Rng,
  world: World,
  kind: 'campaign' | 'journey',
  channelType: string,
  endpoint: Endpoint,
  eventTime: number,
  arrivalTime: number,
  attributes: Record<string, string>,
): Record<string, unknown> {
  const endpointRecord = endpointJson(rng, endpoint, channelType, kind === 'journey');
  return messageEvent(
    world,
    endpoint.app.appId,
    `_${kind}.send`,
    eventTime,
    arrivalTime,
    endpoint.endpointId,
    attributes,
    { clientContext: { custom: { endpoint: endpointRecord } } },
  );
}
