import { unwrapEnvelope } from '../../transform/src/envelopes';
import { transformEvent } from '../../transform/src/transform-event';
import type { EventResult } from '../../transform/src/types';

const NOW = { now: Date.UTC(2026, 10, 28) };

/** The "sent SMS message" example of the End User Messaging EventBridge page: its detail has no destination number. */
const EB_SMS = {
  version: '0',
  id: '4111946b-816c-e73a-9ea0-a8367b9d57e4',
  'detail-type': 'Text Message Delivery Status Updated',
  source: 'aws.sms-voice',
  account: '555555555555',
  time: '2024-10-16T17:20:24Z',
  region: 'eu-west-2',
  resources: [],
  detail: {
    eventType: 'TEXT_SUCCESSFUL',
    eventVersion: '1.0',
    eventTimestamp: 1729099224788,
    isFinal: true,
    originationPhoneNumber: '+18445550123',
    isoCountryCode: 'US',
    isInternationalSend: false,
    messageId: '9539975a-e71f-45f3-b496-8d98dc098a77',
    messageRequestTimestamp: 1729099224438,
    messageEncoding: 'GSM',
    messageType: 'PROMOTIONAL',
    messageStatus: 'SUCCESSFUL',
    messageStatusDescription: 'Message has been accepted by phone carrier',
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.00302,
    protectConfiguration: {
      protectConfigurationId: 'protect-e06e5d722c31455286262a108e7d863d',
      protectStatus: 'ALLOW',
    },
  },
};

/** An SES identity notification (no tags), as SNS delivers it to an HTTP, SQS or Firehose subscriber. */
const BOUNCE_NOTIFICATION = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'recipient@example.com', status: '5.1.1', action: 'failed' }],
    timestamp: '2012-05-25T14:59:38.605Z',
    feedbackId: '000001378603176d-5a4b5ad9-6f30-4198-a8c3-b1eb0c270a1d-000000',
  },
  mail: {
    timestamp: '2012-05-25T14:59:38.000Z',
    source: 'sender@example.com',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
    sendingAccountId: '123456789012',
    messageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
    destination: ['recipient@example.com'],
  },
};

function snsEnvelope(message: string): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:210987654321:ses-notifications',
    Subject: 'Amazon SES Email Event Notification',
    Message: message,
    Timestamp: '2012-05-26T00:54:06.655Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEpH+..',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  };
}

function ok(result: EventResult): Extract<EventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a row, got ${result.reason}: ${result.message}`);
  return result;
}

/** The `extra` map of a row as a record (`{}` when null): `EventRow` types every column loosely. */
function extraOf(value: unknown): Record<string, string | undefined> {
  return (value ?? {}) as Record<string, string | undefined>;
}

describe('envelopes', () => {
  describe('EventBridge aws.sms-voice', () => {
    it('flattens the detail and tags the source format +eventbridge', () => {
      // Act
      const { row, partition } = ok(transformEvent(JSON.stringify(EB_SMS), NOW));
      // Assert
      expect(row).toMatchObject({
        source_format: 'sms_voice_v2+eventbridge',
        event_type: 'TEXT_SUCCESSFUL',
        event_name: 'sms.delivered',
        event_time: 1729099224788,
        time_source: 'event',
        account_id: '555555555555',
        message_id: '9539975a-e71f-45f3-b496-8d98dc098a77',
        origination: '+18445550123',
        destination: null,
        country: 'US',
        price_usd: 0.00581,
        carrier_fee_usd: 0.00302,
        is_final: true,
      });
      expect(partition).toEqual({ family: 'sms', dt: '2024-10-16' });
    });

    it('keeps the envelope fields in extra under envelope. and the whole envelope in raw', () => {
      // Arrange
      const text = JSON.stringify(EB_SMS);
      // Act
      const { row } = ok(transformEvent(text, NOW));
      // Assert
      expect(row.extra).toMatchObject({
        'envelope.version': '"0"',
        'envelope.id': '"4111946b-816c-e73a-9ea0-a8367b9d57e4"',
        'envelope.detail-type': '"Text Message Delivery Status Updated"',
        'envelope.source': '"aws.sms-voice"',
        'envelope.account': '"555555555555"',
        'envelope.time': '"2024-10-16T17:20:24Z"',
        'envelope.region': '"eu-west-2"',
        'envelope.resources': '[]',
        'protectConfiguration.protectStatus': '"ALLOW"',
        messageRequestTimestamp: '1729099224438',
      });
      expect(extraOf(row.extra)['envelope.detail']).toBeUndefined();
      expect(row.raw).toBe(text);
    });

    it("falls back to the envelope's time when the detail has no usable eventTimestamp", () => {
      // Arrange
      const envelope = structuredClone(EB_SMS) as { detail: Record<string, unknown> };
      delete envelope.detail.eventTimestamp;
      // Act
      const { row } = ok(transformEvent(JSON.stringify(envelope), NOW));
      // Assert
      expect(row.event_time).toBe(Date.UTC(2024, 9, 16, 17, 20, 24));
      expect(row.time_source).toBe('event');
    });

    it('flattens a Registration Status Change, taking its time from the registration details', () => {
      // Arrange
      const envelope = {
        version: '0',
        id: 'd2e8812b-d34c-90f9-a8a9-3f18e15d1db9',
        'detail-type': 'Registration Status Change',
        source: 'aws.sms-voice',
        account: '111122223333',
        time: '2025-09-26T17:42:25Z',
        region: 'us-east-1',
        resources: [
          'arn:aws:sms-voice:us-east-1:111122223333:registration/registration-30a16a8b7cec478a8e37febbb9005348',
        ],
        detail: {
          registrationDetails: {
            registrationId: 'registration-30a16a8b7cec478a8e37febbb9005348',
            registrationVersionNumber: 1,
            registrationType: 'ZZ_LONG_CODE_REGISTRATION',
            registrationStatusChangeTimestamp: 1758908543000,
            currentStatus: 'SUBMITTED',
          },
          registrationArn:
            'arn:aws:sms-voice:us-east-1:111122223333:registration/registration-30a16a8b7cec478a8e37febbb9005348',
        },
      };
      // Act
      const { row, partition } = ok(transformEvent(JSON.stringify(envelope), NOW));
      // Assert
      expect(row).toMatchObject({
        source_format: 'sms_voice_v2+eventbridge',
        event_type: 'Registration Status Change',
        event_name: 'other.registration_status',
        status: 'SUBMITTED',
        account_id: '111122223333',
        event_time: 1758908543000,
      });
      expect(row.extra).toMatchObject({
        'registrationDetails.registrationId': '"registration-30a16a8b7cec478a8e37febbb9005348"',
        'registrationDetails.registrationType': '"ZZ_LONG_CODE_REGISTRATION"',
        'registrationDetails.registrationVersionNumber': '1',
      });
      expect(partition).toEqual({ family: 'other', dt: '2025-09-26' });
    });

    it('fails with missing_timestamp when neither the detail nor the envelope has a usable time', () => {
      // Arrange
      const envelope = structuredClone(EB_SMS) as { detail: Record<string, unknown>; time: unknown };
      delete envelope.detail.eventTimestamp;
      envelope.time = 'not a time';
      // Act
      const result = transformEvent(JSON.stringify(envelope), NOW);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it('fails an EventBridge detail in no known format with unknown_format', () => {
      const envelope = {
        'detail-type': 'EC2 Instance State-change Notification',
        source: 'aws.ec2',
        detail: { state: 'running' },
      };
      expect(transformEvent(JSON.stringify(envelope), NOW)).toMatchObject({
        ok: false,
        reason: 'unknown_format',
      });
    });
  });

  describe('EventBridge aws.ses', () => {
    it('flattens an SES event-publishing record carried in detail', () => {
      // Arrange
      const envelope = {
        version: '0',
        id: 'a1b2c3d4-5678-90ab-cdef-111111111111',
        'detail-type': 'Email Bounced',
        source: 'aws.ses',
        account: '999999999999',
        time: '2017-08-05T00:41:05Z',
        region: 'us-east-1',
        resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/ConfigSet'],
        detail: {
          eventType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            timestamp: '2017-08-05T00:41:02.669Z',
          },
          mail: {
            timestamp: '2017-08-05T00:40:02.012Z',
            sendingAccountId: '123456789012',
            messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
            destination: ['recipient@example.com'],
            tags: { 'ses:configuration-set': ['ConfigSet'] },
          },
        },
      };
      // Act
      const { row, partition } = ok(transformEvent(JSON.stringify(envelope), NOW));
      // Assert
      expect(row).toMatchObject({
        source_format: 'ses+eventbridge',
        event_name: 'email.hard_bounce',
        // The record's own account wins over the envelope's.
        account_id: '123456789012',
        event_time: Date.UTC(2017, 7, 5, 0, 41, 2, 669),
        tags: { 'ses:configuration-set': 'ConfigSet' },
      });
      expect(row.extra).toMatchObject({
        'envelope.detail-type': '"Email Bounced"',
        'envelope.account': '"999999999999"',
      });
      expect(partition).toEqual({ family: 'email', dt: '2017-08-05' });
    });
  });

  describe('SNS notification', () => {
    it('unwraps an SES identity notification held as a JSON string in Message', () => {
      // Act
      const { row, partition } = ok(
        transformEvent(JSON.stringify(snsEnvelope(JSON.stringify(BOUNCE_NOTIFICATION))), NOW),
      );
      // Assert
      expect(row).toMatchObject({
        source_format: 'ses_notification+sns',
        event_type: 'Bounce',
        event_name: 'email.hard_bounce',
        event_time: Date.UTC(2012, 4, 25, 14, 59, 38, 605),
        time_source: 'event',
        account_id: '123456789012',
        message_id: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
        bounce_type: 'Permanent',
        affected_recipients: ['recipient@example.com'],
        tags: null,
      });
      expect(row.extra).toMatchObject({
        'envelope.Type': '"Notification"',
        'envelope.MessageId': '"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"',
        'envelope.TopicArn': '"arn:aws:sns:us-east-1:210987654321:ses-notifications"',
        'envelope.Timestamp': '"2012-05-26T00:54:06.655Z"',
      });
      expect(extraOf(row.extra)['envelope.Message']).toBeUndefined();
      // The docs' 2012 example predates the projection range, so dt is clamped to its first day.
      expect(partition).toEqual({ family: 'email', dt: '2015-01-01' });
    });

    it("falls back to the topic's account and the notification's Timestamp", () => {
      // Arrange
      const inner = structuredClone(BOUNCE_NOTIFICATION) as {
        bounce: Record<string, unknown>;
        mail: Record<string, unknown>;
      };
      delete inner.bounce.timestamp;
      delete inner.mail.timestamp;
      delete inner.mail.sendingAccountId;
      // Act
      const { row } = ok(transformEvent(JSON.stringify(snsEnvelope(JSON.stringify(inner))), NOW));
      // Assert
      expect(row.account_id).toBe('210987654321');
      expect(row.event_time).toBe(Date.UTC(2012, 4, 26, 0, 54, 6, 655));
    });

    it('unwraps an SES event-publishing record sent to SNS by a configuration set', () => {
      // Arrange
      const record = {
        eventType: 'Delivery',
        mail: {
          timestamp: '2016-10-19T23:20:52.240Z',
          sendingAccountId: '123456789012',
          messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
          destination: ['recipient@example.com'],
          tags: { 'ses:configuration-set': ['ConfigSet'] },
        },
        delivery: { timestamp: '2016-10-19T23:21:04.133Z', smtpResponse: '250 2.6.0 Message received' },
      };
      // Act
      const { row, partition } = ok(transformEvent(JSON.stringify(snsEnvelope(JSON.stringify(record))), NOW));
      // Assert
      expect(row).toMatchObject({
        source_format: 'ses+sns',
        event_name: 'email.delivered',
        event_time: Date.UTC(2016, 9, 19, 23, 21, 4, 133),
        smtp_response: '250 2.6.0 Message received',
        tags: { 'ses:configuration-set': 'ConfigSet' },
      });
      expect(partition).toEqual({ family: 'email', dt: '2016-10-19' });
    });

    it('unwraps an EventBridge event delivered through an SNS topic target', () => {
      // Arrange
      const text = JSON.stringify(snsEnvelope(JSON.stringify(EB_SMS)));
      // Act
      const { row, partition } = ok(transformEvent(text, NOW));
      // Assert
      expect(row).toMatchObject({
        source_format: 'sms_voice_v2+sns',
        event_name: 'sms.delivered',
        event_time: 1729099224788,
        // EventBridge's account is the event's; the topic's would be the subscriber side.
        account_id: '555555555555',
        message_id: '9539975a-e71f-45f3-b496-8d98dc098a77',
      });
      expect(extraOf(row.extra)).toMatchObject({
        'envelope.TopicArn': '"arn:aws:sns:us-east-1:210987654321:ses-notifications"',
        'envelope.detail-type': '"Text Message Delivery Status Updated"',
        'envelope.id': '"4111946b-816c-e73a-9ea0-a8367b9d57e4"',
      });
      expect(partition).toEqual({ family: 'sms', dt: '2024-10-16' });
    });

    it('fails with invalid_json when Message is not JSON', () => {
      // Act
      const result = transformEvent(JSON.stringify(snsEnvelope('Bounce for recipient@example.com')), NOW);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'invalid_json' });
    });

    it('fails with not_an_object when Message is JSON but not an object', () => {
      expect(transformEvent(JSON.stringify(snsEnvelope('[1,2]')), NOW)).toMatchObject({
        ok: false,
        reason: 'not_an_object',
      });
    });

    it('does not treat a subscription confirmation as a notification', () => {
      const confirmation = {
        ...snsEnvelope('You have chosen to subscribe'),
        Type: 'SubscriptionConfirmation',
      };
      expect(transformEvent(JSON.stringify(confirmation), NOW)).toMatchObject({
        ok: false,
        reason: 'unknown_format',
      });
    });
  });

  describe('unwrapEnvelope', () => {
    it('returns a bare event unchanged with no suffix, account or time', () => {
      // Arrange
      const event = { eventType: 'TEXT_SENT', eventVersion: '1.0' };
      // Act
      const result = unwrapEnvelope(event);
      // Assert
      expect(result).toEqual({
        ok: true,
        value: { event, suffix: '', account: null, time: null, fields: {} },
      });
    });

    it('does not unwrap an EventBridge-like record whose detail is not an object', () => {
      // Arrange
      const record = { 'detail-type': 'X', source: 'aws.ses', detail: '{"eventType":"Send"}' };
      // Act
      const result = unwrapEnvelope(record);
      // Assert
      expect(result.ok && result.value.suffix).toBe('');
    });
  });
});
