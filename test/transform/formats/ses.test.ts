import { ses, sesNotification } from '../../../transform/src/formats/ses';
import { transformEvent } from '../../../transform/src/transform-event';
import type { EventResult } from '../../../transform/src/types';

const NOW = { now: Date.UTC(2026, 10, 28) };

function ok(result: EventResult): Extract<EventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a row, got ${result.reason}: ${result.message}`);
  return result;
}

/** The `extra` map of a row as a record (`{}` when null): `EventRow` types every column loosely. */
function extraOf(value: unknown): Record<string, string | undefined> {
  return (value ?? {}) as Record<string, string | undefined>;
}

/** The `mail` object of the SES docs' examples, trimmed to the fields these tests look at. */
const MAIL = {
  timestamp: '2017-08-05T00:40:02.012Z',
  source: 'Sender Name <sender@example.com>',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
  sendingAccountId: '123456789012',
  messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
  destination: ['recipient@example.com', 'second@example.com'],
  commonHeaders: { from: ['sender@example.com'], subject: 'Message sent from Amazon SES' },
  tags: { 'ses:configuration-set': ['ConfigSet'], myCustomTag1: ['myCustomTagValue1'] },
};

/** An SES event-publishing record of one type, with its own object. */
function sesEvent(eventType: string, own: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventType, mail: structuredClone(MAIL), ...structuredClone(own) };
}

describe('ses', () => {
  describe('recognition', () => {
    it('matches an eventType with a mail object', () => {
      expect(ses.matches(sesEvent('Send', { send: {} }))).toBe(true);
    });

    it('does not match without a mail object or with a non-string eventType', () => {
      expect(ses.matches({ eventType: 'Send', send: {} })).toBe(false);
      expect(ses.matches({ eventType: 5, mail: {} })).toBe(false);
      expect(ses.matches({ notificationType: 'Bounce', mail: {} })).toBe(false);
    });

    it('leaves identity notifications to sesNotification', () => {
      expect(sesNotification.matches({ notificationType: 'Bounce', mail: {} })).toBe(true);
      expect(sesNotification.matches({ eventType: 'Bounce', mail: {} })).toBe(false);
    });
  });

  describe('event names', () => {
    it.each([
      ['Send', { send: {} }, 'email.send'],
      ['Delivery', { delivery: { timestamp: '2016-10-19T23:21:04.133Z' } }, 'email.delivered'],
      ['Open', { open: { ipAddress: '192.0.2.1' } }, 'email.open'],
      ['Click', { click: { link: 'http://example.com' } }, 'email.click'],
      ['Bounce', { bounce: { bounceType: 'Permanent' } }, 'email.hard_bounce'],
      ['Bounce', { bounce: { bounceType: 'Transient' } }, 'email.soft_bounce'],
      ['Bounce', { bounce: { bounceType: 'Undetermined' } }, 'email.soft_bounce'],
      ['Complaint', { complaint: { complaintFeedbackType: 'abuse' } }, 'email.complaint'],
      ['Reject', { reject: { reason: 'Bad content' } }, 'email.rejected'],
      ['Rendering Failure', { failure: { errorMessage: 'x' } }, 'email.rendering_failure'],
      ['DeliveryDelay', { deliveryDelay: { delayType: 'MailboxFull' } }, 'email.delivery_delay'],
      [
        'Subscription',
        { subscription: { newTopicPreferences: { unsubscribeAll: true } } },
        'email.unsubscribe',
      ],
      [
        'Subscription',
        {
          subscription: {
            newTopicPreferences: {
              unsubscribeAll: false,
              topicSubscriptionStatus: [
                { topicName: 'News', subscriptionStatus: 'OptIn' },
                { topicName: 'Offers', subscriptionStatus: 'OptOut' },
              ],
            },
          },
        },
        'email.unsubscribe',
      ],
      [
        'Subscription',
        {
          subscription: {
            newTopicPreferences: {
              unsubscribeAll: false,
              topicSubscriptionStatus: [{ topicName: 'News', subscriptionStatus: 'OptIn' }],
            },
            // Only the new preferences count: an opt-out that was undone is a subscription.
            oldTopicPreferences: {
              topicSubscriptionStatus: [{ topicName: 'News', subscriptionStatus: 'OptOut' }],
            },
          },
        },
        'email.subscription',
      ],
    ])('names %s %j as %s', (eventType, own, expected) => {
      // Arrange
      const event = sesEvent(eventType, own);
      // Act
      const flat = ses.flatten(event);
      // Assert
      expect(flat.columns.event_name).toBe(expected);
      expect(flat.columns.event_type).toBe(eventType);
      expect(flat.family).toBe('email');
      expect(flat.unknownType).toBe(false);
    });

    it.each([
      ['BOUNCE', { bounce: { bounceType: 'PERMANENT' } }, 'email.hard_bounce'],
      ['rendering failure', { failure: {} }, 'email.rendering_failure'],
      ['RENDERING_FAILURE', { failure: {} }, 'email.rendering_failure'],
      ['deliverydelay', { deliveryDelay: {} }, 'email.delivery_delay'],
      ['  send ', {}, 'email.send'],
    ])(
      'matches %j without regard to case or spacing, keeping the type as sent',
      (eventType, own, expected) => {
        const flat = ses.flatten(sesEvent(eventType, own));
        expect(flat.columns.event_name).toBe(expected);
        expect(flat.columns.event_type).toBe(eventType);
      },
    );

    it('names a Bounce without a bounce object a soft bounce', () => {
      expect(ses.flatten(sesEvent('Bounce')).columns.event_name).toBe('email.soft_bounce');
    });

    it('makes an unknown type email.other and flags it', () => {
      // Arrange
      const event = sesEvent('Quarantine', { quarantine: { timestamp: '2020-01-01T00:00:00.000Z' } });
      // Act
      const flat = ses.flatten(event);
      // Assert
      expect(flat.columns.event_name).toBe('email.other');
      expect(flat.columns.event_type).toBe('Quarantine');
      expect(flat.unknownType).toBe(true);
      // An unknown type's object is not its known time: the send time is used.
      expect(flat.eventTime).toBe(Date.UTC(2017, 7, 5, 0, 40, 2, 12));
    });
  });

  describe('event time', () => {
    it.each([
      ['Bounce', 'bounce'],
      ['Complaint', 'complaint'],
      ['Delivery', 'delivery'],
      ['Open', 'open'],
      ['Click', 'click'],
      ['DeliveryDelay', 'deliveryDelay'],
      ['Subscription', 'subscription'],
    ])('takes %s time from %s.timestamp', (eventType, key) => {
      const flat = ses.flatten(sesEvent(eventType, { [key]: { timestamp: '2017-08-09T22:00:19.652Z' } }));
      expect(flat.eventTime).toBe(Date.UTC(2017, 7, 9, 22, 0, 19, 652));
      expect(flat.arrivalTime).toBeNull();
    });

    it('falls back to mail.timestamp when the event object has no usable timestamp', () => {
      expect(ses.flatten(sesEvent('Send', { send: {} })).eventTime).toBe(Date.UTC(2017, 7, 5, 0, 40, 2, 12));
      expect(ses.flatten(sesEvent('Open', { open: { timestamp: 'yesterday' } })).eventTime).toBe(
        Date.UTC(2017, 7, 5, 0, 40, 2, 12),
      );
    });

    it('fails the record with missing_timestamp when neither time exists and nothing arrived', () => {
      // Arrange
      const event = sesEvent('Open', { open: { ipAddress: '192.0.2.1' } });
      delete (event.mail as Record<string, unknown>).timestamp;
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it('uses the arrival time, marked as such, when neither time exists', () => {
      // Arrange
      const event = sesEvent('Send', { send: {} });
      delete (event.mail as Record<string, unknown>).timestamp;
      const arrival = Date.UTC(2026, 10, 1, 12, 0, 0);
      // Act
      const result = transformEvent(JSON.stringify(event), { ...NOW, arrivalTime: arrival });
      // Assert
      expect(ok(result).row.event_time).toBe(arrival);
      expect(ok(result).row.time_source).toBe('arrival');
    });
  });

  describe('message columns', () => {
    it('fills account, message id, sender, recipients and subject from mail', () => {
      // Act
      const { columns } = ses.flatten(sesEvent('Send', { send: {} }));
      // Assert
      expect(columns).toMatchObject({
        account_id: '123456789012',
        message_id: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        origination: 'Sender Name <sender@example.com>',
        destination: 'recipient@example.com',
        recipients: ['recipient@example.com', 'second@example.com'],
        subject: 'Message sent from Amazon SES',
      });
      expect(columns.endpoint_id ?? null).toBeNull();
      expect(columns.event_version ?? null).toBeNull();
    });

    it('fills bounce columns and keeps the per-recipient details in extra', () => {
      // Arrange
      const event = sesEvent('Bounce', {
        bounce: {
          bounceType: 'Transient',
          bounceSubType: 'MailboxFull',
          bouncedRecipients: [
            {
              emailAddress: 'full@example.com',
              action: 'failed',
              status: '4.2.2',
              diagnosticCode: 'smtp; 452 full',
            },
            { emailAddress: 'also@example.com' },
          ],
          timestamp: '2017-08-05T00:41:02.669Z',
          feedbackId: 'feedback-1',
        },
      });
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row).toMatchObject({
        event_name: 'email.soft_bounce',
        bounce_type: 'Transient',
        bounce_subtype: 'MailboxFull',
        status: 'MailboxFull',
        status_code: '4.2.2',
        smtp_response: 'smtp; 452 full',
        affected_recipients: ['full@example.com', 'also@example.com'],
      });
      expect(result.row.extra).toMatchObject({
        'bounce.bouncedRecipients':
          '[{"emailAddress":"full@example.com","action":"failed","status":"4.2.2","diagnosticCode":"smtp; 452 full"},' +
          '{"emailAddress":"also@example.com"}]',
        'bounce.feedbackId': '"feedback-1"',
      });
    });

    it('fills complaint columns, consuming a recipient list that holds only addresses', () => {
      // Arrange
      const event = sesEvent('Complaint', {
        complaint: {
          complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
          timestamp: '2017-08-05T00:41:02.669Z',
          userAgent: 'Comcast Feedback Loop (V0.01)',
          complaintFeedbackType: 'abuse',
          complaintSubType: null,
        },
      });
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row).toMatchObject({
        complaint_type: 'abuse',
        user_agent: 'Comcast Feedback Loop (V0.01)',
        affected_recipients: ['recipient@example.com'],
        status: null,
      });
      expect(extraOf(result.row.extra)['complaint.complainedRecipients']).toBeUndefined();
      expect(extraOf(result.row.extra)['complaint.complaintSubType']).toBe('null');
    });

    it('takes the complaint sub-type as the status', () => {
      const flat = ses.flatten(
        sesEvent('Complaint', { complaint: { complaintSubType: 'OnAccountSuppressionList' } }),
      );
      expect(flat.columns.status).toBe('OnAccountSuppressionList');
    });

    it('fills open and click columns; isBotEvent Likely is a bot, Unlikely is not, absent is unknown', () => {
      // Act
      const click = ses.flatten(
        sesEvent('Click', {
          click: {
            ipAddress: '192.0.2.1',
            link: 'https://example.com/a',
            userAgent: 'UA',
            isBotEvent: 'Likely',
          },
        }),
      ).columns;
      const open = ses.flatten(
        sesEvent('Open', { open: { ipAddress: '192.0.2.2', isBotEvent: 'Unlikely' } }),
      ).columns;
      const oldOpen = ses.flatten(sesEvent('Open', { open: { ipAddress: '192.0.2.3' } })).columns;
      // Assert
      expect(click).toMatchObject({
        ip_address: '192.0.2.1',
        link: 'https://example.com/a',
        user_agent: 'UA',
        is_bot: true,
      });
      expect(open).toMatchObject({ ip_address: '192.0.2.2', is_bot: false, link: null });
      expect(oldOpen.is_bot).toBeNull();
    });

    it('keeps an isBotEvent it cannot read in extra and leaves is_bot null', () => {
      // Act
      const result = transformEvent(JSON.stringify(sesEvent('Open', { open: { isBotEvent: 'Maybe' } })), NOW);
      // Assert
      expect(ok(result).row.is_bot).toBeNull();
      expect(extraOf(ok(result).row.extra)['open.isBotEvent']).toBe('"Maybe"');
    });

    it('fills the delay type, recipients and diagnostic of a DeliveryDelay', () => {
      // Act
      const { columns } = ses.flatten(
        sesEvent('DeliveryDelay', {
          deliveryDelay: {
            delayType: 'TransientCommunicationFailure',
            delayedRecipients: [
              {
                emailAddress: 'recipient@example.com',
                status: '4.4.1',
                diagnosticCode: 'smtp; 421 4.4.1 Unable to connect',
              },
            ],
          },
        }),
      );
      // Assert
      expect(columns).toMatchObject({
        status: 'TransientCommunicationFailure',
        status_code: '4.4.1',
        smtp_response: 'smtp; 421 4.4.1 Unable to connect',
        affected_recipients: ['recipient@example.com'],
      });
    });

    it('fills the reason of a Reject, the error of a Rendering Failure and the SMTP response of a Delivery', () => {
      expect(ses.flatten(sesEvent('Reject', { reject: { reason: 'Bad content' } })).columns.status).toBe(
        'Bad content',
      );
      expect(
        ses.flatten(
          sesEvent('Rendering Failure', {
            failure: { errorMessage: 'Attribute missing', templateName: 'T' },
          }),
        ).columns.status_message,
      ).toBe('Attribute missing');
      expect(
        ses.flatten(sesEvent('Delivery', { delivery: { smtpResponse: '250 2.6.0 Message received' } }))
          .columns.smtp_response,
      ).toBe('250 2.6.0 Message received');
    });
  });

  describe('tags', () => {
    it('joins array values with commas and keeps keys in their exact case', () => {
      // Arrange
      const event = sesEvent('Send');
      (event.mail as Record<string, unknown>).tags = {
        'ses:configuration-set': ['ConfigSet'],
        Team: ['a', 'b'],
      };
      // Act
      const { columns } = ses.flatten(event);
      // Assert
      expect(columns.tags).toEqual({ 'ses:configuration-set': 'ConfigSet', Team: 'a,b' });
    });

    it('takes a bare string value as sent and leaves numbers, objects, empty and mixed arrays to extra', () => {
      // Arrange
      const event = sesEvent('Send');
      (event.mail as Record<string, unknown>).tags = {
        plain: 'value',
        count: 3,
        nested: { a: 1 },
        empty: [],
        mixed: ['x', 1],
      };
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row.tags).toEqual({ plain: 'value' });
      expect(result.row.extra).toMatchObject({
        'mail.tags.count': '3',
        'mail.tags.nested.a': '1',
        'mail.tags.empty': '[]',
        'mail.tags.mixed': '["x",1]',
      });
      // A bare string is not the documented shape, so it stays in extra as sent as well.
      expect(extraOf(result.row.extra)['mail.tags.plain']).toBe('"value"');
    });

    it('keeps an array whose join would be ambiguous in extra as well', () => {
      // Arrange
      const event = sesEvent('Send');
      (event.mail as Record<string, unknown>).tags = { list: ['a,b', 'c'] };
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      expect(ok(result).row.tags).toEqual({ list: 'a,b,c' });
      expect(extraOf(ok(result).row.extra)['mail.tags.list']).toBe('["a,b","c"]');
    });

    it('keeps click link tags out of tags, in extra', () => {
      // Act
      const result = transformEvent(
        JSON.stringify(
          sesEvent('Click', { click: { link: 'https://x', linkTags: { samplekey0: ['samplevalue0'] } } }),
        ),
        NOW,
      );
      // Assert
      expect(ok(result).row.tags).toEqual({
        'ses:configuration-set': 'ConfigSet',
        myCustomTag1: 'myCustomTagValue1',
      });
      expect(extraOf(ok(result).row.extra)['click.linkTags.samplekey0']).toBe('["samplevalue0"]');
    });
  });

  describe('hostile input', () => {
    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'makes an eventType named like an Object property (%s) email.other instead of crashing',
      (eventType) => {
        // Act
        const flat = ses.flatten(sesEvent(eventType));
        // Assert
        expect(flat.columns.event_name).toBe('email.other');
        expect(flat.unknownType).toBe(true);
      },
    );

    it('keeps the first of two tags that differ only by case and moves the other to extra', () => {
      // Arrange
      const event = sesEvent('Send');
      (event.mail as Record<string, unknown>).tags = { Team: ['blue'], team: ['red'] };
      // Act
      const { row, diagnostics } = ok(transformEvent(JSON.stringify(event), NOW));
      // Assert
      expect(row.tags).toEqual({ Team: 'blue' });
      expect(extraOf(row.extra)['tags.team']).toBe('"red"');
      expect(diagnostics.caseCollisions).toBe(1);
    });

    it('leaves a recipient list holding a non-string to extra, not to recipients', () => {
      // Arrange
      const event = sesEvent('Send');
      (event.mail as Record<string, unknown>).destination = [42, 'recipient@example.com'];
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row.recipients).toBeNull();
      expect(extraOf(result.row.extra)['mail.destination']).toBe('[42,"recipient@example.com"]');
    });

    it('keeps a huge subject whole', () => {
      // Arrange
      const subject = 'S'.repeat(500_000);
      const event = sesEvent('Send');
      (event.mail as { commonHeaders: Record<string, unknown> }).commonHeaders.subject = subject;
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      expect(String(ok(result).row.subject)).toHaveLength(500_000);
    });

    it('does not read typed columns from values of the wrong type', () => {
      // Arrange
      const event = sesEvent('Bounce', { bounce: { bounceType: 7, bounceSubType: ['General'] } });
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row).toMatchObject({
        bounce_type: null,
        bounce_subtype: null,
        event_name: 'email.soft_bounce',
      });
      expect(result.row.extra).toMatchObject({
        'bounce.bounceType': '7',
        'bounce.bounceSubType': '["General"]',
      });
    });
  });

  describe('identity notifications', () => {
    it.each([
      [
        'Bounce',
        { bounce: { bounceType: 'Permanent', timestamp: '2012-05-25T14:59:38.605Z' } },
        'email.hard_bounce',
      ],
      [
        'Complaint',
        { complaint: { complaintFeedbackType: 'abuse', timestamp: '2012-05-25T14:59:38.605Z' } },
        'email.complaint',
      ],
      [
        'Delivery',
        { delivery: { smtpResponse: '250 ok', timestamp: '2012-05-25T14:59:38.605Z' } },
        'email.delivered',
      ],
    ])('flattens a %s notification like the published event', (notificationType, own, expected) => {
      // Arrange
      const mail: Record<string, unknown> = structuredClone(MAIL);
      delete mail.tags;
      const event = { notificationType, mail, ...own };
      // Act
      const flat = sesNotification.flatten(event);
      // Assert
      expect(flat.columns).toMatchObject({
        event_type: notificationType,
        event_name: expected,
        account_id: '123456789012',
        message_id: MAIL.messageId,
      });
      expect(flat.columns.tags).toBeNull();
      expect(flat.eventTime).toBe(Date.UTC(2012, 4, 25, 14, 59, 38, 605));
      expect(flat.consumed).toContain('notificationType');
    });

    it('gets source_format ses_notification', () => {
      const event = { notificationType: 'Delivery', mail: MAIL, delivery: {} };
      const result = transformEvent(JSON.stringify(event), NOW);
      expect(ok(result).row.source_format).toBe('ses_notification');
    });
  });
});
