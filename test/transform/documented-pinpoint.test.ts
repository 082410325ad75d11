import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRow } from '../../transform/src/schema';
import { transformEvent } from '../../transform/src/transform-event';
import type { EventResult } from '../../transform/src/types';

/**
 * Every Pinpoint example line of the AWS documentation through the whole transform. Expected
 * values are copied by hand from the example lines (times converted by hand to dates).
 */
const FIXTURES = join(__dirname, '../../../shared/fixtures/documented');
const OPTIONS = { now: Date.UTC(2026, 10, 28), arrivalTime: null };

function lines(file: string): string[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** A map<string,string> column (`attributes`, `tags`, `extra`) as a record; `{}` when null. */
function strings(value: unknown): Record<string, string | undefined> {
  return (value ?? {}) as Record<string, string | undefined>;
}

function ok(result: EventResult): Extract<EventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a row, got ${result.reason}: ${result.message}`);
  return result;
}

function extraKeys(row: EventRow): string[] {
  return Object.keys(row.extra ?? {}).sort();
}

const APP_ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6';
const MAIL = 'facets.email_channel.mail_event.mail';

describe('documented Pinpoint examples', () => {
  describe('app (event-streams-data-app)', () => {
    it('flattens the _session.stop example into app context columns', () => {
      // Arrange
      const [line] = lines('app.ndjson');
      // Act
      const { row, partition, diagnostics } = ok(transformEvent(line, OPTIONS));
      // Assert: 1487973802507 = 2017-02-24T22:03:22.507Z
      expect(partition).toEqual({ family: 'app', dt: '2017-02-24' });
      expect(diagnostics).toEqual({ dtFallback: false, unknownType: false, caseCollisions: 0 });
      expect(row).toMatchObject({
        source_format: 'pinpoint',
        event_type: '_session.stop',
        event_name: 'app.session_stop',
        event_time: 1487973802507,
        arrival_time: 1487973803515,
        time_source: 'event',
        event_version: '3.0',
        app_id: APP_ID,
        account_id: null,
        endpoint_id: 'm3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2',
        user_id: null,
        session_id: 'f549dea9-1090-945d-c3d1-e4967example',
        session_start_time: 1487973202531,
        session_stop_time: 1487973802507,
        app_title: 'title',
        app_package: 'main.page',
        app_version: '1.0',
        app_version_code: '1',
        sdk_name: 'aws-sdk-mobile-analytics-js',
        sdk_version: '0.9.1:2.4.8',
        platform: 'android',
        platform_version: '10.10',
        device_make: 'generic web browser',
        device_model: 'Unknown',
        locale: 'en_US',
        attributes: null,
        metrics: null,
        tags: null,
        raw: line,
      });
      expect(row.event_id).toMatch(/^[0-9a-f]{32}$/);
      expect(row.extra).toEqual({
        'application.cognito_identity_pool_id': '"us-east-1:a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6"',
        'client.cognito_id': '"us-east-1:i9j0k1l2-m3n4-o5p6-a1b2-c3d4e5f6g7h8"',
        'device.locale.country': '"US"',
        'device.locale.language': '"en"',
      });
    });
  });

  describe('campaign (event-streams-data-campaign)', () => {
    it.each([0, 1])('flattens _campaign.send example %i with its system attributes', (index) => {
      // Arrange
      const line = lines('campaign.ndjson')[index];
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert: 1562109497426 = 2019-07-02T23:18:17.426Z
      expect(partition).toEqual({ family: 'campaign', dt: '2019-07-02' });
      expect(row).toMatchObject({
        event_type: '_campaign.send',
        event_name: 'campaign.send',
        event_time: 1562109497426,
        arrival_time: 1562109497494,
        time_source: 'event',
        event_version: '3.1',
        app_id: APP_ID,
        account_id: '123456789012',
        endpoint_id: 'd8dcf7c5-e81a-48ae-8313-f540cexample',
        user_id: null, // the endpoint's User is {}
        campaign_id: '4f8d6097c2e8400fa3081d875example',
        campaign_activity_id: '5473285727f04865bc673e527example',
        treatment_id: '0',
        status: 'SUCCESS',
        session_id: null,
        sdk_name: null,
        platform: null,
        metrics: null,
        raw: line,
      });
      expect(row.attributes).toMatchObject({ campaign_send_status: 'SUCCESS', treatment_id: '0' });
      // delivery_type was added to the doc in 2021: only the current example has it.
      expect(strings(row.attributes).delivery_type).toBe(index === 0 ? 'GCM' : undefined);
      expect(extraKeys(row)).toEqual(['client_context.custom.endpoint']);
      // Kept as sent: the JSON text of the endpoint's JSON text.
      expect(JSON.parse(strings(row.extra)['client_context.custom.endpoint'] ?? '')).toContain(
        '"EndpointStatus":"ACTIVE"',
      );
    });
  });

  describe('journey (event-streams-data-journey)', () => {
    it('flattens the current _journey.send example with its send status code and message', () => {
      // Arrange
      const [line] = lines('journey.ndjson');
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert: 1572989078843 = 2019-11-05T21:24:38.843Z
      expect(partition).toEqual({ family: 'journey', dt: '2019-11-05' });
      expect(row).toMatchObject({
        event_type: '_journey.send',
        event_name: 'journey.send',
        event_time: 1572989078843,
        arrival_time: 1572989078843,
        time_source: 'event',
        account_id: '123456789012',
        endpoint_id: 'd8dcf7c5-e81a-48ae-8313-f540cexample',
        journey_id: '546401670c5547b08811ac6a9example',
        journey_run_id: 'edc9a0b577164d1daf72ebd15example',
        journey_activity_id: '0yKexample',
        status: 'SUCCESS',
        status_code: '200',
        status_message: '200',
        campaign_id: null,
        raw: line,
      });
      expect(strings(row.attributes).journey_activity_type).toBe('EMAIL');
      expect(extraKeys(row)).toEqual(['client_context.custom.endpoint']);
    });

    it.each([1, 2])('leaves status_code and status_message null in the older example %i', (index) => {
      // Arrange
      const line = lines('journey.ndjson')[index];
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert
      expect(partition).toEqual({ family: 'journey', dt: '2019-11-05' });
      expect(row).toMatchObject({
        event_name: 'journey.send',
        journey_id: '546401670c5547b08811ac6a9example',
        journey_run_id: 'edc9a0b577164d1daf72ebd15example',
        journey_activity_id: '0yKexample',
        status: 'SUCCESS',
        status_code: null,
        status_message: null,
      });
      expect(strings(row.attributes).journey_activity_type).toBe(index === 1 ? 'EMAIL' : undefined);
    });
  });

  describe('email (event-streams-data-email)', () => {
    const MESSAGE_ID = '0200000073rnbmd1-mbvdg3uo-q8ia-m3ku-ibd3-ms77kexample-000000';
    const MAIL_EXTRA = [
      'event_timestamp',
      `${MAIL}.common_headers.from`,
      `${MAIL}.common_headers.to`,
      `${MAIL}.headers`,
      `${MAIL}.headers_truncated`,
      `${MAIL}.message_send_timestamp`,
    ];
    const common = {
      event_version: '3.1',
      time_source: 'event',
      app_id: APP_ID,
      account_id: '123456789012',
      message_id: MESSAGE_ID,
      origination: 'sender@example.com',
      destination: 'recipient@example.com',
      recipients: ['recipient@example.com'],
      affected_recipients: null,
      subject: 'Amazon Pinpoint Test',
      status: null,
    };

    it('takes arrival_timestamp as the event time, because event_timestamp is the send time', () => {
      // Arrange
      const [line] = lines('email.ndjson');
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert: 1564618622025 = 2019-08-01T00:17:02.025Z
      expect(partition).toEqual({ family: 'email', dt: '2019-08-01' });
      expect(row).toMatchObject({
        ...common,
        event_type: '_email.send',
        event_name: 'email.send',
        event_time: 1564618622025,
        arrival_time: 1564618622025,
        endpoint_id: '9a311b17-6f8e-4093-be61-4d0bbexample',
        attributes: { feedback: 'received' },
        link: null,
        smtp_response: null,
        raw: line,
      });
      // The send time stays in extra, as sent; `send: {}` is dropped like every empty object.
      expect(extraKeys(row)).toEqual(MAIL_EXTRA);
      expect(strings(row.extra).event_timestamp).toBe('1564618621380');
    });

    it('flattens _email.delivered with the SMTP response and keeps the delivery details in extra', () => {
      // Arrange
      const line = lines('email.ndjson')[1];
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert
      expect(partition).toEqual({ family: 'email', dt: '2019-08-01' });
      expect(row).toMatchObject({
        ...common,
        event_name: 'email.delivered',
        event_time: 1564618622690,
        endpoint_id: 'e9a3000d-daa2-40dc-ac47-1cd34example',
        smtp_response: '250 ok:  Message 82080542 accepted',
      });
      expect(extraKeys(row)).toEqual(
        [
          ...MAIL_EXTRA,
          'facets.email_channel.mail_event.delivery.processing_time_millis',
          'facets.email_channel.mail_event.delivery.recipients',
          'facets.email_channel.mail_event.delivery.reporting_mta',
        ].sort(),
      );
      expect(strings(row.extra)['facets.email_channel.mail_event.delivery.reporting_mta']).toBe(
        '"a8-53.smtp-out.amazonses.com"',
      );
    });

    it('flattens _email.click with the link, IP address and user agent', () => {
      // Arrange
      const line = lines('email.ndjson')[2];
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert: 1564618713751 = 2019-08-01T00:18:33.751Z
      expect(partition).toEqual({ family: 'email', dt: '2019-08-01' });
      expect(row).toMatchObject({
        ...common,
        event_name: 'email.click',
        event_time: 1564618713751,
        link: 'https://aws.amazon.com/pinpoint/',
        ip_address: '72.21.198.67',
        user_agent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15',
        attributes: { feedback: 'https://aws.amazon.com/pinpoint/' },
      });
      expect(extraKeys(row)).toEqual(MAIL_EXTRA);
    });

    it('flattens _email.open with the IP address and user agent', () => {
      // Arrange
      const line = lines('email.ndjson')[3];
      // Act
      const { row } = ok(transformEvent(line, OPTIONS));
      // Assert
      expect(row).toMatchObject({
        ...common,
        event_name: 'email.open',
        event_time: 1564618712316,
        link: null,
        ip_address: '72.21.198.67',
        user_agent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      });
      expect(extraKeys(row)).toEqual(MAIL_EXTRA);
    });
  });

  describe('sms (event-streams-data-sms)', () => {
    const expected = {
      source_format: 'pinpoint',
      event_type: '_SMS.SUCCESS',
      event_name: 'sms.delivered',
      // In this example arrival_timestamp is earlier than event_timestamp; each keeps its own.
      event_time: 1553104954322,
      arrival_time: 1553104954064,
      time_source: 'event',
      account_id: '123456789012',
      endpoint_id: '123456789012',
      message_id: '1111-2222-3333',
      campaign_id: '52dc44b35c4742c98c5935269example',
      campaign_activity_id: 'cbcfc3c5e3bd48a8ae2b9cb41example',
      treatment_id: '0',
      status: 'DELIVERED',
      origination: '+12065550142',
      destination: '+14255550199',
      country: 'US',
      message_type: 'TRANSACTIONAL',
      message_parts: 1,
      metrics: { price_in_millicents_usd: 645 },
      extra: null,
    };

    it('flattens the current _SMS.SUCCESS example, with customer_context parsed into tags', () => {
      // Arrange
      const [line] = lines('sms.ndjson');
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert: 1553104954322 = 2019-03-20T18:02:34.322Z
      expect(partition).toEqual({ family: 'sms', dt: '2019-03-20' });
      expect(row).toMatchObject({ ...expected, tags: { userId: 'user-id-4' }, raw: line });
      expect(row.price_usd).toBeCloseTo(0.00645, 10);
      expect(row.attributes).toMatchObject({
        message_type: 'Transactional',
        number_of_message_parts: '1',
        customer_context: '{"userId":"user-id-4"}',
        sender_request_id: '565d4425-4b3a-11e9-b0a5-example',
      });
    });

    it('flattens the older example without customer_context: tags stay null', () => {
      // Arrange
      const line = lines('sms.ndjson')[1];
      // Act
      const { row, partition } = ok(transformEvent(line, OPTIONS));
      // Assert
      expect(partition).toEqual({ family: 'sms', dt: '2019-03-20' });
      expect(row).toMatchObject({ ...expected, tags: null });
      expect(row.price_usd).toBeCloseTo(0.00645, 10);
    });
  });
});
