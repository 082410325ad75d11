import { pinpoint, pinpointLegacy } from '../../../transform/src/formats/pinpoint';
import { transformEvent } from '../../../transform/src/transform-event';
import type { EventResult, TransformOptions } from '../../../transform/src/types';

/**
 * Pinpoint records built from the field tables of the Pinpoint developer guide (event-formats
 * §2.1, §2.2), run through the whole transform. Expected values are written out by hand.
 */
const OPTIONS: TransformOptions = { now: Date.UTC(2026, 10, 28), arrivalTime: null };
const APP_ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6';
// 1700000000000 = 2023-11-14T22:13:20.000Z
const T = 1_700_000_000_000;

type Json = Record<string, unknown>;

/** A v3 record in the shape of a campaign, journey or SMS event (empty app context). */
function v3(overrides: Json = {}): Json {
  return {
    event_type: 'level_complete',
    event_timestamp: T,
    arrival_timestamp: T + 500,
    event_version: '3.1',
    application: { app_id: APP_ID, sdk: {} },
    client: { client_id: 'endpoint-1' },
    device: { platform: {} },
    session: {},
    attributes: {},
    awsAccountId: '123456789012',
    ...overrides,
  };
}

/** A v3 email record: `mail` plus the event's own object under the email facet. */
function email(eventType: string, eventObject: Json = {}): Json {
  return v3({
    event_type: eventType,
    facets: {
      email_channel: {
        mail_event: {
          mail: {
            message_id: 'msg-1',
            from_address: 'sender@example.com',
            destination: ['a@example.com', 'b@example.com'],
          },
          ...eventObject,
        },
      },
    },
  });
}

/** A copy of `event` without `keys`. */
function without(event: Json, ...keys: string[]): Json {
  const copy = { ...event };
  for (const key of keys) delete copy[key];
  return copy;
}

function run(event: Json, options: TransformOptions = OPTIONS): EventResult {
  return transformEvent(JSON.stringify(event), options);
}

/** A map<string,string> column (`attributes`, `tags`, `extra`) as a record; `{}` when null. */
function strings(value: unknown): Record<string, string | undefined> {
  return (value ?? {}) as Record<string, string | undefined>;
}

function ok(result: EventResult): Extract<EventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a row, got ${result.reason}: ${result.message}`);
  return result;
}

describe('pinpoint', () => {
  describe('recognition', () => {
    it('takes a record with event_type and event_version as the current format', () => {
      // Arrange
      const event = { event_type: '_session.start', event_version: '3.0' };
      // Act / Assert
      expect(pinpoint.matches(event)).toBe(true);
      expect(pinpointLegacy.matches(event)).toBe(false);
    });

    it('takes a record with event_type but no event_version as legacy', () => {
      // Arrange
      const event = { event_type: '_SMS.SUCCESS', unique_id: 'u-1', application_key: APP_ID, timestamp: T };
      // Act / Assert
      expect(pinpoint.matches(event)).toBe(false);
      expect(pinpointLegacy.matches(event)).toBe(true);
    });

    it('matches neither SES records nor an empty or non-string event_type', () => {
      for (const event of [
        { eventType: 'Send', mail: {} },
        { event_type: '', event_version: '3.1' },
        { event_type: 42, event_version: '3.1' },
        { event_type: null },
      ]) {
        expect(pinpoint.matches(event)).toBe(false);
        expect(pinpointLegacy.matches(event)).toBe(false);
      }
    });
  });

  describe('flatten', () => {
    it('returns the email event time from arrival_timestamp and leaves event_timestamp unconsumed', () => {
      // Act
      const flat = pinpoint.flatten(email('_email.click', { click: { link: 'https://example.com/' } }));
      // Assert
      expect(flat).toMatchObject({
        family: 'email',
        eventTime: T + 500,
        arrivalTime: T + 500,
        unknownType: false,
      });
      expect(flat.columns).toMatchObject({ event_name: 'email.click', link: 'https://example.com/' });
      expect(flat.consumed).toEqual(
        expect.arrayContaining(['event_type', 'arrival_timestamp', 'attributes']),
      );
      expect(flat.consumed).not.toContain('event_timestamp');
    });

    it('returns null times, not throwing, when a record has no usable time', () => {
      // Act
      const flat = pinpointLegacy.flatten({ event_type: 'level_complete', timestamp: 'soon' });
      // Assert
      expect(flat).toMatchObject({ family: 'app', eventTime: null, arrivalTime: null });
      expect(flat.consumed).toEqual(['event_type']);
    });
  });

  describe('event names', () => {
    it.each([
      ['_session.start', 'app', 'app.session_start'],
      ['_session.stop', 'app', 'app.session_stop'],
      ['_session.pause', 'app', 'app.session_pause'],
      ['_session.resume', 'app', 'app.session_resume'],
      ['_monetization.purchase', 'app', 'app.purchase'],
      ['_userauth.sign_in', 'app', 'app.sign_in'],
      ['_userauth.sign_up', 'app', 'app.sign_up'],
      ['_userauth.auth_fail', 'app', 'app.auth_fail'],
      ['_campaign.send', 'campaign', 'campaign.send'],
      ['_campaign.opened_notification', 'campaign', 'campaign.opened_notification'],
      ['_campaign.received_foreground', 'campaign', 'campaign.received_foreground'],
      ['_campaign.received_background', 'campaign', 'campaign.received_background'],
      ['_journey.send', 'journey', 'journey.send'],
      ['_journey.opened_notification', 'journey', 'journey.opened_notification'],
      ['_journey.received_foreground', 'journey', 'journey.received_foreground'],
      ['_journey.received_background', 'journey', 'journey.received_background'],
      ['_inapp.message_displayed', 'in_app', 'in_app.displayed'],
      ['_inapp.message_dismissed', 'in_app', 'in_app.dismissed'],
      ['_inapp.message_clicked', 'in_app', 'in_app.clicked'],
      ['_email.send', 'email', 'email.send'],
      ['_email.delivered', 'email', 'email.delivered'],
      ['_email.open', 'email', 'email.open'],
      ['_email.click', 'email', 'email.click'],
      ['_email.hardbounce', 'email', 'email.hard_bounce'],
      ['_email.softbounce', 'email', 'email.soft_bounce'],
      ['_email.complaint', 'email', 'email.complaint'],
      ['_email.rejected', 'email', 'email.rejected'],
      ['_email.unsubscribe', 'email', 'email.unsubscribe'],
      ['_email.rendering_failure', 'email', 'email.rendering_failure'],
      ['_SMS.BUFFERED', 'sms', 'sms.buffered'],
      ['_SMS.SUCCESS', 'sms', 'sms.delivered'],
      ['_sms.success', 'sms', 'sms.delivered'],
      ['_SMS.FAILURE', 'sms', 'sms.failed'],
      ['_sms.fail', 'sms', 'sms.failed'],
      ['_SMS.OPTOUT', 'sms', 'sms.opt_out'],
      ['_sms.send', 'sms', 'sms.send'],
      ['_Campaign.Send', 'campaign', 'campaign.send'],
    ])('names %s as %s / %s, keeping the source spelling in event_type', (eventType, family, eventName) => {
      // Act
      const { row, partition, diagnostics } = ok(run(v3({ event_type: eventType })));
      // Assert
      expect(partition.family).toBe(family);
      expect(row.event_name).toBe(eventName);
      expect(row.event_type).toBe(eventType);
      expect(diagnostics.unknownType).toBe(false);
    });

    it.each([
      ['_email.weird', 'email', 'email.other'],
      ['_campaign.x', 'campaign', 'campaign.other'],
      ['_journey.paused', 'journey', 'journey.other'],
      ['_session.y', 'app', 'app.other'],
      ['_inapp.message_swiped', 'in_app', 'in_app.other'],
      ['_SMS.WHATEVER', 'sms', 'sms.other'],
    ])(
      'names %s, a known prefix with an unknown action, %s / %s and flags it',
      (eventType, family, eventName) => {
        // Act
        const { row, partition, diagnostics } = ok(run(v3({ event_type: eventType })));
        // Assert
        expect(partition.family).toBe(family);
        expect(row.event_name).toBe(eventName);
        expect(diagnostics.unknownType).toBe(true);
      },
    );

    it.each(['level_complete', '_custom.thing', 'constructor.x', 'toString', 'Checkout.Started'])(
      'names the custom app event %s app.custom, not unknown',
      (eventType) => {
        // Act
        const { row, partition, diagnostics } = ok(run(v3({ event_type: eventType })));
        // Assert
        expect(partition.family).toBe('app');
        expect(row.event_name).toBe('app.custom');
        expect(row.event_type).toBe(eventType);
        expect(diagnostics.unknownType).toBe(false);
      },
    );
  });

  describe('app events', () => {
    it('fills the session columns of a _session.start, leaving the stop time null', () => {
      // Arrange
      const event = v3({
        event_type: '_session.start',
        event_version: '3.0',
        session: { session_id: 's-1', start_timestamp: T },
        application: {
          app_id: APP_ID,
          title: 'Game',
          package_name: 'com.example.game',
          sdk: { name: 'aws-amplify', version: '6.0.0' },
        },
        device: {
          platform: { name: 'ios', version: '17.1' },
          locale: { code: 'fr_FR' },
          make: 'apple',
          model: 'iPhone15,2',
        },
      });
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({
        event_name: 'app.session_start',
        event_version: '3.0',
        session_id: 's-1',
        session_start_time: T,
        session_stop_time: null,
        app_title: 'Game',
        app_package: 'com.example.game',
        sdk_name: 'aws-amplify',
        sdk_version: '6.0.0',
        platform: 'ios',
        platform_version: '17.1',
        device_make: 'apple',
        device_model: 'iPhone15,2',
        locale: 'fr_FR',
        extra: null,
      });
    });

    it("keeps a purchase's currency in its column and every purchase attribute and metric in the maps", () => {
      // Arrange: the SDK's purchase keys (_currency, _product_id, _quantity, _item_price…)
      const event = v3({
        event_type: '_monetization.purchase',
        attributes: { _currency: 'EUR', _product_id: 'sku-42', _store: 'Amazon', _transaction_id: 'tx-9' },
        metrics: { _quantity: 2, _item_price: 1.99 },
      });
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({
        event_name: 'app.purchase',
        currency: 'EUR',
        attributes: { _currency: 'EUR', _product_id: 'sku-42', _store: 'Amazon', _transaction_id: 'tx-9' },
        metrics: { _quantity: 2, _item_price: 1.99 },
        price_usd: null,
        extra: null,
      });
    });

    it('reads user_id from the endpoint JSON text and keeps that text in extra as sent', () => {
      // Arrange
      const endpoint = '{"ChannelType":"APNS","User":{"UserId":"user-77","UserAttributes":{}}}';
      const event = v3({ event_type: '_campaign.send', client_context: { custom: { endpoint } } });
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row.user_id).toBe('user-77');
      expect(row.extra).toEqual({ 'client_context.custom.endpoint': JSON.stringify(endpoint) });
    });

    it('flattens an in-app event with its campaign attributes into the in_app family', () => {
      // Arrange
      const event = v3({
        event_type: '_inapp.message_clicked',
        attributes: { delivery_type: 'IN_APP_MESSAGE', campaign_id: 'c-1', treatment_id: '1' },
      });
      // Act
      const { row, partition } = ok(run(event));
      // Assert
      expect(partition.family).toBe('in_app');
      expect(row).toMatchObject({ event_name: 'in_app.clicked', campaign_id: 'c-1', treatment_id: '1' });
    });
  });

  describe('campaign and journey events', () => {
    it('takes the campaign send status as status', () => {
      // Act
      const { row } = ok(
        run(
          v3({
            event_type: '_campaign.send',
            attributes: { campaign_id: 'c-1', campaign_send_status: 'QUIET_TIME' },
          }),
        ),
      );
      // Assert
      expect(row).toMatchObject({ campaign_id: 'c-1', status: 'QUIET_TIME', status_code: null });
    });

    it('takes the journey send status, code and message', () => {
      // Arrange
      const attributes = {
        journey_id: 'j-1',
        journey_run_id: 'r-1',
        journey_activity_id: 'a-1',
        journey_send_status: 'FAILURE_PERMANENT',
        journey_send_status_code: '403',
        journey_send_status_message: 'Endpoint opted out',
      };
      // Act
      const { row, partition } = ok(run(v3({ event_type: '_journey.send', attributes })));
      // Assert
      expect(partition.family).toBe('journey');
      expect(row).toMatchObject({
        journey_id: 'j-1',
        journey_run_id: 'r-1',
        journey_activity_id: 'a-1',
        status: 'FAILURE_PERMANENT',
        status_code: '403',
        status_message: 'Endpoint opted out',
      });
    });
  });

  describe('email events', () => {
    it('keeps an undocumented bounce object in extra and leaves status and affected recipients null', () => {
      // Arrange
      const event = email('_email.hardbounce', { bounce: { bounce_type: 'Permanent' } });
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({
        event_name: 'email.hard_bounce',
        event_time: T + 500,
        message_id: 'msg-1',
        origination: 'sender@example.com',
        destination: 'a@example.com',
        recipients: ['a@example.com', 'b@example.com'],
        affected_recipients: null,
        status: null,
        bounce_type: null,
      });
      expect(row.extra).toEqual({
        event_timestamp: String(T),
        'facets.email_channel.mail_event.bounce.bounce_type': '"Permanent"',
      });
    });

    it('falls back to the Firehose arrival time when arrival_timestamp is missing, not to the send time', () => {
      // Arrange
      const event = without(email('_email.open'), 'arrival_timestamp');
      // Act
      const { row } = ok(run(event, { ...OPTIONS, arrivalTime: T + 9000 }));
      // Assert
      expect(row).toMatchObject({ event_time: T + 9000, arrival_time: T + 9000, time_source: 'arrival' });
      expect(strings(row.extra).event_timestamp).toBe(String(T));
    });
  });

  describe('sms events', () => {
    it.each([
      ['_SMS.BUFFERED', 'sms.buffered', 'PENDING'],
      ['_SMS.FAILURE', 'sms.failed', 'TTL_EXPIRED'],
      ['_SMS.OPTOUT', 'sms.opt_out', 'OPTED_OUT'],
    ])('flattens %s as %s with record_status %s', (eventType, eventName, recordStatus) => {
      // Arrange: _SMS.BUFFERED carries no price metric, the others do
      const metrics = eventType === '_SMS.BUFFERED' ? {} : { price_in_millicents_usd: 1290.0 };
      const attributes = {
        message_id: 'm-1',
        record_status: recordStatus,
        destination_phone_number: '+14255550199',
        message_type: 'Promotional',
        number_of_message_parts: '2',
      };
      // Act
      const { row, partition } = ok(run(v3({ event_type: eventType, attributes, metrics })));
      // Assert
      expect(partition.family).toBe('sms');
      expect(row).toMatchObject({
        event_name: eventName,
        status: recordStatus,
        message_id: 'm-1',
        destination: '+14255550199',
        message_type: 'PROMOTIONAL',
        message_parts: 2,
      });
      if (eventType === '_SMS.BUFFERED') expect(row.price_usd).toBeNull();
      else expect(row.price_usd).toBeCloseTo(0.0129, 10);
    });
  });

  describe('legacy records (2018 docs)', () => {
    /** The legacy SMS record of event-formats §2.2, with its unrealistic example times. */
    const legacySms = (): Json => ({
      event_type: '_SMS.SUCCESS',
      arrival_timestamp: 2345678,
      timestamp: 13425345,
      timestamp_created: '1495756908285',
      application_key: APP_ID,
      unique_id: 'b3f1c9e0-example',
      account_id: '123456789012',
      attributes: {
        message_id: 'msg-2018',
        sender_request_id: 'req-2018',
        record_status: 'SUCCESS',
        message_type: 'Transactional',
        keyword: 'HELP',
        mcc_mnc: '310410',
        iso_country_code: 'US',
        number_of_message_parts: 1,
      },
      metrics: { price_in_millicents_usd: 645.0 },
      facets: {},
      additional_properties: {},
    });

    it('flattens the 2018 SMS record: application_key, account_id, timestamp_created, integer message parts', () => {
      // Act
      const { row, partition, diagnostics } = ok(run(legacySms()));
      // Assert: timestamp 13425345 and arrival_timestamp 2345678 are 1970 in any unit, before
      // Pinpoint existed; timestamp_created "1495756908285" (ms) is 2017-05-26T00:01:48.285Z.
      const created = Date.UTC(2017, 4, 26, 0, 1, 48, 285);
      expect(row).toMatchObject({
        source_format: 'pinpoint_legacy',
        event_type: '_SMS.SUCCESS',
        event_name: 'sms.delivered',
        event_version: null,
        event_time: created,
        arrival_time: null,
        time_source: 'event',
        app_id: APP_ID,
        account_id: '123456789012',
        message_id: 'msg-2018',
        status: 'SUCCESS',
        country: 'US',
        message_type: 'TRANSACTIONAL',
        message_parts: 1,
        metrics: { price_in_millicents_usd: 645 },
      });
      expect(row.price_usd).toBeCloseTo(0.00645, 10);
      // The integer is text in the map; message_parts holds it exactly, so extra does not repeat it.
      expect(row.attributes).toMatchObject({
        number_of_message_parts: '1',
        keyword: 'HELP',
        mcc_mnc: '310410',
      });
      // The implausible times are no column's value: they stay in extra as sent.
      expect(row.extra).toEqual({
        unique_id: '"b3f1c9e0-example"',
        timestamp: '13425345',
        arrival_timestamp: '2345678',
      });
      expect(partition).toEqual({ family: 'sms', dt: '2017-05-26' });
      expect(diagnostics.dtFallback).toBe(false);
    });

    it('takes the arrival time Firehose gives for the 2018 SMS record without timestamp_created', () => {
      // Arrange: no plausible time in the record at all
      const arrival = Date.UTC(2018, 2, 1, 12);
      const event = without(legacySms(), 'timestamp_created');
      // Act
      const { row, partition } = ok(run(event, { ...OPTIONS, arrivalTime: arrival }));
      // Assert
      expect(row).toMatchObject({ event_time: arrival, arrival_time: arrival, time_source: 'arrival' });
      expect(row.extra).toMatchObject({ timestamp: '13425345', arrival_timestamp: '2345678' });
      expect(partition.dt).toBe('2018-03-01');
    });

    it('fails the 2018 SMS record with missing_timestamp when it has no plausible time and no arrival is given', () => {
      // Act
      const result = run(without(legacySms(), 'timestamp_created'));
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it('takes a plausible arrival_timestamp as the legacy event time when both other times are implausible', () => {
      // Arrange
      const arrival = Date.UTC(2017, 4, 26, 0, 1, 49);
      const event = { ...legacySms(), timestamp_created: '13425345', arrival_timestamp: arrival };
      // Act
      const { row, partition } = ok(run(event));
      // Assert: arrival_timestamp is the documented last own time of a legacy record
      expect(row).toMatchObject({ event_time: arrival, arrival_time: arrival, time_source: 'event' });
      expect(partition.dt).toBe('2017-05-26');
    });

    it('treats a dated string before 2015 in a legacy time field as implausible too', () => {
      // Arrange
      const event = { ...legacySms(), timestamp: '2012-05-25T14:59:38.605Z' };
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row.event_time).toBe(Date.UTC(2017, 4, 26, 0, 1, 48, 285));
      expect(row.extra).toMatchObject({ timestamp: '"2012-05-25T14:59:38.605Z"' });
    });

    it('names the lower-case _sms.success of the same page sms.delivered', () => {
      // Act
      const { row } = ok(run({ ...legacySms(), event_type: '_sms.success' }));
      // Assert
      expect(row).toMatchObject({ event_type: '_sms.success', event_name: 'sms.delivered' });
    });

    it('takes timestamp_created (epoch ms as a string) when timestamp is missing', () => {
      // Arrange
      // (a realistic arrival time: the example's 1970 one would move dt to the arrival date)
      const event = without({ ...legacySms(), arrival_timestamp: 1495756909000 }, 'timestamp');
      // Act
      const { row, partition } = ok(run(event));
      // Assert: 1495756908285 = 2017-05-26T00:01:48.285Z
      expect(row).toMatchObject({ event_time: 1495756908285, time_source: 'event' });
      expect(partition.dt).toBe('2017-05-26');
      expect(row.extra).not.toHaveProperty('timestamp_created');
    });

    it('takes arrival_timestamp when neither timestamp nor timestamp_created is present', () => {
      // Arrange
      const event = without({ ...legacySms(), arrival_timestamp: T }, 'timestamp', 'timestamp_created');
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({ event_time: T, arrival_time: T });
    });

    it('reads an app-shaped legacy record (no event_version) by its event_timestamp', () => {
      // Arrange
      const event = {
        event_type: '_session.start',
        event_timestamp: T,
        arrival_timestamp: T + 500,
        application: { app_id: APP_ID },
      };
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({
        source_format: 'pinpoint_legacy',
        event_time: T,
        app_id: APP_ID,
        event_name: 'app.session_start',
      });
    });
  });

  describe('hostile input', () => {
    it('renders number and object attribute values as JSON text and keeps their JSON in extra', () => {
      // Act
      const { row } = ok(run(v3({ attributes: { plan: 'pro', level: 3, meta: { tier: 'gold' } } })));
      // Assert
      expect(row.attributes).toEqual({ plan: 'pro', level: '3', meta: '{"tier":"gold"}' });
      expect(row.extra).toEqual({ 'attributes.level': '3', 'attributes.meta.tier': '"gold"' });
    });

    it('keeps a non-numeric metric out of the metrics map and in extra', () => {
      // Act
      const { row } = ok(run(v3({ metrics: { score: 7, label: 'seven', none: null } })));
      // Assert
      expect(row.metrics).toEqual({ score: 7 });
      expect(row.extra).toEqual({ 'metrics.label': '"seven"', 'metrics.none': 'null' });
    });

    it('leaves tags null when customer_context is not a JSON object, keeping it in attributes', () => {
      for (const context of ['{not json', '["a"]', '42']) {
        // Act
        const { row } = ok(
          run(v3({ event_type: '_SMS.SUCCESS', attributes: { customer_context: context } })),
        );
        // Assert
        expect(row.tags).toBeNull();
        expect(row.attributes).toEqual({ customer_context: context });
        expect(row.extra).toBeNull();
      }
    });

    it('renders customer_context values that are not strings as JSON text in tags', () => {
      // Act
      const { row } = ok(
        run(v3({ attributes: { customer_context: '{"userId":"u-1","tier":2,"flags":["a"]}' } })),
      );
      // Assert
      expect(row.tags).toEqual({ userId: 'u-1', tier: '2', flags: '["a"]' });
    });

    it('leaves user_id null when the endpoint text is not JSON, and keeps the text in extra', () => {
      // Act
      const { row } = ok(run(v3({ client_context: { custom: { endpoint: '{"User":{"UserId":' } } })));
      // Assert
      expect(row.user_id).toBeNull();
      expect(row.extra).toEqual({ 'client_context.custom.endpoint': '"{\\"User\\":{\\"UserId\\":"' });
    });

    it('keeps the first of two attribute keys that differ only by case and moves the other to extra', () => {
      // Act
      const { row, diagnostics } = ok(run(v3({ attributes: { Plan: 'pro', plan: 'basic' } })));
      // Assert
      expect(row.attributes).toEqual({ Plan: 'pro' });
      expect(row.extra).toEqual({ 'attributes.plan': '"basic"' });
      expect(diagnostics.caseCollisions).toBe(1);
    });

    it('keeps the JSON type of a case-colliding attribute that is not a string in extra', () => {
      // Act
      const { row, diagnostics } = ok(run(v3({ attributes: { Plan: 'pro', plan: 1 } })));
      // Assert
      expect(row.attributes).toEqual({ Plan: 'pro' });
      expect(row.extra).toEqual({ 'attributes.plan': '1' });
      expect(diagnostics.caseCollisions).toBe(1);
    });

    it('does not consume values of the wrong type: they land in extra', () => {
      // Arrange
      const event = v3({
        application: { app_id: 12345, version_code: 7, sdk: {} },
        attributes: { number_of_message_parts: 'two' },
        session: { session_id: 's-1', start_timestamp: 'not a time' },
      });
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({
        app_id: null,
        app_version_code: null,
        message_parts: null,
        session_start_time: null,
      });
      expect(row.extra).toEqual({
        'application.app_id': '12345',
        'application.version_code': '7',
        'session.start_timestamp': '"not a time"',
      });
    });

    it('turns attributes and metrics that are not objects into extra entries', () => {
      // Act
      const { row } = ok(run(v3({ attributes: 'oops', metrics: [1, 2] })));
      // Assert
      expect(row).toMatchObject({ attributes: null, metrics: null });
      expect(row.extra).toEqual({ attributes: '"oops"', metrics: '[1,2]' });
    });

    it('falls back to the arrival time for a time before Pinpoint existed (1999 in ms)', () => {
      // Arrange: 1999 is plausible in no unit; the record's arrival_timestamp is
      const event = v3({ event_timestamp: Date.UTC(1999, 0, 1), arrival_timestamp: T + 500 });
      // Act
      const { row, partition } = ok(run(event));
      // Assert
      expect(row).toMatchObject({ event_time: T + 500, arrival_time: T + 500, time_source: 'arrival' });
      expect(row.extra).toEqual({ event_timestamp: String(Date.UTC(1999, 0, 1)) });
      expect(partition.dt).toBe('2023-11-14');
    });

    it('reads a year-9999 millisecond time as milliseconds, with dt on the arrival date', () => {
      // Arrange: at or above 1e14, which magnitude alone would read as microseconds (1978)
      const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
      // Act
      const { row, partition, diagnostics } = ok(run(v3({ event_timestamp: year9999 })));
      // Assert: a clock that far ahead takes the arrival date (event model, Partitions)
      expect(row).toMatchObject({ event_time: year9999, arrival_time: T + 500, time_source: 'event' });
      expect(partition.dt).toBe(new Date(T + 500).toISOString().slice(0, 10));
      expect(diagnostics.dtFallback).toBe(true);
    });

    it.each([
      ['a negative number', String(-T)],
      ['1e400 (Infinity to JSON.parse)', '1e400'],
      ['a year past 9999 in ms', String(Date.UTC(10000, 0, 2))],
      ['an ISO string before 2015', JSON.stringify(new Date(Date.UTC(2012, 4, 25)).toISOString())],
    ])('falls back to the arrival time for %s', (_name, json) => {
      // Arrange: the value's JSON text as written (1e400 does not survive JSON.stringify)
      const text = JSON.stringify(v3({ event_timestamp: 0 })).replace(
        '"event_timestamp":0',
        `"event_timestamp":${json}`,
      );
      // Act
      const { row, partition } = ok(transformEvent(text, OPTIONS));
      // Assert
      expect(row).toMatchObject({ event_time: T + 500, arrival_time: T + 500, time_source: 'arrival' });
      expect(partition.dt).toBe(new Date(T + 500).toISOString().slice(0, 10));
    });

    it.each([
      ['seconds', 1_700_000_000],
      ['microseconds', 1_700_000_000_000_000],
      ['nanoseconds', 1_700_000_000_000_000_000],
      ['a numeric string', '1700000000000'],
    ])('reads event_timestamp given in %s', (_unit, value) => {
      // Act
      const { row, partition } = ok(run(v3({ event_timestamp: value })));
      // Assert
      expect(row).toMatchObject({ event_time: T, time_source: 'event', extra: null });
      expect(partition.dt).toBe('2023-11-14');
    });

    it('falls back to arrival_timestamp when event_timestamp is missing', () => {
      // Arrange
      const event = without(v3(), 'event_timestamp');
      // Act
      const { row } = ok(run(event));
      // Assert
      expect(row).toMatchObject({ event_time: T + 500, arrival_time: T + 500, time_source: 'arrival' });
    });

    it('falls back to arrival_timestamp when event_timestamp is unparseable, keeping it in extra', () => {
      // Act
      const { row } = ok(run(v3({ event_timestamp: 'yesterday' })));
      // Assert
      expect(row).toMatchObject({ event_time: T + 500, time_source: 'arrival' });
      expect(row.extra).toEqual({ event_timestamp: '"yesterday"' });
    });

    it('fails with missing_timestamp when both times are missing and no arrival time is given', () => {
      // Arrange
      const event = without(v3(), 'event_timestamp', 'arrival_timestamp');
      // Act
      const result = run(event);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it("uses the caller's arrival time when both of the record's times are missing", () => {
      // Arrange
      const event = without(v3(), 'event_timestamp', 'arrival_timestamp');
      // Act
      const { row } = ok(run(event, { ...OPTIONS, arrivalTime: T + 1000 }));
      // Assert
      expect(row).toMatchObject({ event_time: T + 1000, arrival_time: T + 1000, time_source: 'arrival' });
    });

    it('turns empty sdk, session, platform and attribute objects into nulls, not extra entries', () => {
      // Act
      const { row } = ok(run(v3({ metrics: {} })));
      // Assert
      expect(row).toMatchObject({
        sdk_name: null,
        session_id: null,
        platform: null,
        attributes: null,
        metrics: null,
        extra: null,
      });
    });
  });
});
