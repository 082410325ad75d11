import {
  classifySmsVoiceType,
  smsVoiceRegistration,
  smsVoiceV2,
} from '../../../transform/src/formats/sms-voice';
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

/** The SMS example of the End User Messaging event-format page. */
const SMS = {
  eventType: 'TEXT_SUCCESSFUL',
  eventVersion: '1.0',
  eventTimestamp: 1686975103470,
  isFinal: true,
  originationPhoneNumber: '+12065550152',
  destinationPhoneNumber: '+14255550156',
  isInternationalSend: false,
  mcc: '310',
  mnc: '800',
  messageId: '862a8790-60c0-4430-9b2b-658bdexample',
  messageRequestTimestamp: 1686975103170,
  messageEncoding: 'GSM',
  messageType: 'PROMOTIONAL',
  messageStatus: 'SUCCESSFUL',
  messageStatusDescription: 'Message has been accepted by phone carrier',
  context: { account: 'bar' },
  totalMessageParts: 1,
  totalMessagePrice: 0.09582,
  totalCarrierFee: 0.0,
};

function smsEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(SMS), ...overrides };
}

describe('smsVoiceV2', () => {
  describe('recognition', () => {
    it('matches eventType with eventVersion and no mail object', () => {
      expect(smsVoiceV2.matches(smsEvent())).toBe(true);
      expect(smsVoiceV2.matches(smsEvent({ eventVersion: 1 }))).toBe(true);
    });

    it('does not match without eventVersion and with an unknown type, or with an SES mail object', () => {
      const withoutVersion = smsEvent({ eventType: 'SOMETHING_ELSE' });
      delete withoutVersion.eventVersion;
      expect(smsVoiceV2.matches(withoutVersion)).toBe(false);
      expect(smsVoiceV2.matches(smsEvent({ mail: {} }))).toBe(false);
    });
  });

  describe('event names', () => {
    it.each([
      ['TEXT_SENT', 'sms', 'sms.send'],
      ['TEXT_QUEUED', 'sms', 'sms.buffered'],
      ['TEXT_PENDING', 'sms', 'sms.buffered'],
      ['TEXT_DELIVERED', 'sms', 'sms.delivered'],
      ['TEXT_SUCCESSFUL', 'sms', 'sms.delivered'],
      ['TEXT_BLOCKED', 'sms', 'sms.failed'],
      ['TEXT_TTL_EXPIRED', 'sms', 'sms.failed'],
      ['TEXT_CARRIER_UNREACHABLE', 'sms', 'sms.failed'],
      ['TEXT_INVALID', 'sms', 'sms.failed'],
      ['TEXT_INVALID_MESSAGE', 'sms', 'sms.failed'],
      ['TEXT_CARRIER_BLOCKED', 'sms', 'sms.failed'],
      ['TEXT_UNREACHABLE', 'sms', 'sms.failed'],
      ['TEXT_SPAM', 'sms', 'sms.failed'],
      ['TEXT_PROTECT_BLOCKED', 'sms', 'sms.failed'],
      ['TEXT_UNKNOWN', 'sms', 'sms.unknown'],
      ['MEDIA_QUEUED', 'mms', 'mms.buffered'],
      ['MEDIA_PENDING', 'mms', 'mms.buffered'],
      ['MEDIA_DELIVERED', 'mms', 'mms.delivered'],
      ['MEDIA_SUCCESSFUL', 'mms', 'mms.delivered'],
      ['MEDIA_BLOCKED', 'mms', 'mms.failed'],
      ['MEDIA_TTL_EXPIRED', 'mms', 'mms.failed'],
      ['MEDIA_CARRIER_UNREACHABLE', 'mms', 'mms.failed'],
      ['MEDIA_INVALID', 'mms', 'mms.failed'],
      ['MEDIA_INVALID_MESSAGE', 'mms', 'mms.failed'],
      ['MEDIA_CARRIER_BLOCKED', 'mms', 'mms.failed'],
      ['MEDIA_UNREACHABLE', 'mms', 'mms.failed'],
      ['MEDIA_SPAM', 'mms', 'mms.failed'],
      ['MEDIA_FILE_INACCESSIBLE', 'mms', 'mms.failed'],
      ['MEDIA_FILE_TYPE_UNSUPPORTED', 'mms', 'mms.failed'],
      ['MEDIA_FILE_SIZE_EXCEEDED', 'mms', 'mms.failed'],
      ['MEDIA_UNKNOWN', 'mms', 'mms.unknown'],
      ['RCS_QUEUED', 'rcs', 'rcs.buffered'],
      ['RCS_SENT', 'rcs', 'rcs.send'],
      ['RCS_DELIVERED', 'rcs', 'rcs.delivered'],
      ['RCS_READ', 'rcs', 'rcs.read'],
      ['RCS_FAILED', 'rcs', 'rcs.failed'],
      ['RCS_TTL_EXPIRED', 'rcs', 'rcs.failed'],
      ['RCS_PROTECT_BLOCKED', 'rcs', 'rcs.failed'],
      ['RCS_FALLEN_BACK_TO_SMS', 'rcs', 'rcs.failed'],
      ['VOICE_INITIATED', 'voice', 'voice.initiated'],
      ['VOICE_RINGING', 'voice', 'voice.ringing'],
      ['VOICE_ANSWERED', 'voice', 'voice.answered'],
      ['VOICE_COMPLETED', 'voice', 'voice.completed'],
      ['VOICE_BUSY', 'voice', 'voice.busy'],
      ['VOICE_NO_ANSWER', 'voice', 'voice.no_answer'],
      ['VOICE_FAILED', 'voice', 'voice.failed'],
      ['VOICE_TTL_EXPIRED', 'voice', 'voice.ttl_expired'],
    ])('names %s family %s, event %s', (eventType, family, eventName) => {
      // Act
      const flat = smsVoiceV2.flatten(smsEvent({ eventType }));
      // Assert
      expect(flat.family).toBe(family);
      expect(flat.columns.event_name).toBe(eventName);
      expect(flat.columns.event_type).toBe(eventType);
      expect(flat.unknownType).toBe(false);
    });

    it('matches types without regard to case and keeps the type as sent', () => {
      expect(classifySmsVoiceType('text_delivered')).toEqual({
        family: 'sms',
        eventName: 'sms.delivered',
        known: true,
      });
      expect(smsVoiceV2.flatten(smsEvent({ eventType: 'Voice_No_Answer' })).columns.event_type).toBe(
        'Voice_No_Answer',
      );
    });

    it.each([
      ['TEXT_TELEPORTED', 'sms', 'sms.other'],
      ['MEDIA_READ', 'mms', 'mms.other'],
      ['RCS_TYPING', 'rcs', 'rcs.other'],
      ['VOICE_VOICEMAIL', 'voice', 'voice.other'],
      ['TEXT', 'sms', 'sms.other'],
      ['FAX_SENT', 'other', 'other.other'],
      ['', 'other', 'other.other'],
      ['CONSTRUCTOR_SENT', 'other', 'other.other'],
      ['TEXT_CONSTRUCTOR', 'sms', 'sms.other'],
      ['__proto__', 'other', 'other.other'],
    ])('makes unknown type %j family %s, event %s, and flags it', (eventType, family, eventName) => {
      const flat = smsVoiceV2.flatten(smsEvent({ eventType }));
      expect(flat.family).toBe(family);
      expect(flat.columns.event_name).toBe(eventName);
      expect(flat.unknownType).toBe(true);
    });
  });

  describe('columns', () => {
    it('fills the message columns of the documented SMS example', () => {
      // Act
      const flat = smsVoiceV2.flatten(smsEvent());
      // Assert
      expect(flat.columns).toEqual({
        event_type: 'TEXT_SUCCESSFUL',
        event_name: 'sms.delivered',
        event_version: '1.0',
        message_id: '862a8790-60c0-4430-9b2b-658bdexample',
        origination: '+12065550152',
        destination: '+14255550156',
        country: null,
        carrier: null,
        message_type: 'PROMOTIONAL',
        message_parts: 1,
        price_usd: 0.09582,
        carrier_fee_usd: 0,
        call_duration_s: null,
        status: 'SUCCESSFUL',
        status_message: 'Message has been accepted by phone carrier',
        is_final: true,
        tags: { account: 'bar' },
      });
      expect(flat.eventTime).toBe(1686975103470);
      expect(flat.arrivalTime).toBeNull();
    });

    it('sends the fields without a column to extra', () => {
      // Act
      const result = transformEvent(JSON.stringify(smsEvent()), NOW);
      // Assert
      expect(ok(result).row.extra).toEqual({
        isInternationalSend: 'false',
        mcc: '"310"',
        mnc: '"800"',
        messageRequestTimestamp: '1686975103170',
        messageEncoding: '"GSM"',
      });
    });

    it('fills country, carrier and call duration, and keeps protect and RCS fields in extra', () => {
      // Arrange
      const event = smsEvent({
        eventType: 'VOICE_COMPLETED',
        isoCountryCode: 'ES',
        carrierName: 'Movistar',
        callDurationInSeconds: 42,
        totalDurationInMinutes: 1,
        protectConfiguration: { protectConfigurationId: 'protect-1', protectStatus: 'ALLOW' },
        rcsMetadata: { billingEventType: 'RICH' },
      });
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      if (!result.ok) throw new Error(result.reason);
      expect(result.row).toMatchObject({ country: 'ES', carrier: 'Movistar', call_duration_s: 42 });
      expect(result.row.extra).toMatchObject({
        totalDurationInMinutes: '1',
        'protectConfiguration.protectConfigurationId': '"protect-1"',
        'protectConfiguration.protectStatus': '"ALLOW"',
        'rcsMetadata.billingEventType': '"RICH"',
      });
    });

    it('upper-cases the message type and keeps the original spelling in extra', () => {
      // Act
      const result = transformEvent(JSON.stringify(smsEvent({ messageType: 'Transactional' })), NOW);
      // Assert
      expect(ok(result).row.message_type).toBe('TRANSACTIONAL');
      expect(extraOf(ok(result).row.extra).messageType).toBe('"Transactional"');
    });

    it('reads totalMessagePrice sent as a string as dollars', () => {
      const flat = smsVoiceV2.flatten(smsEvent({ totalMessagePrice: '0.00645', totalCarrierFee: '0.00302' }));
      expect(flat.columns.price_usd).toBe(0.00645);
      expect(flat.columns.carrier_fee_usd).toBe(0.00302);
    });

    it('leaves a price that is not a number out of price_usd and in extra', () => {
      // Act
      const result = transformEvent(JSON.stringify(smsEvent({ totalMessagePrice: 'free' })), NOW);
      // Assert
      expect(ok(result).row.price_usd).toBeNull();
      expect(extraOf(ok(result).row.extra).totalMessagePrice).toBe('"free"');
    });

    it('keeps a numeric eventVersion as text in event_version', () => {
      expect(smsVoiceV2.flatten(smsEvent({ eventVersion: 1.1 })).columns.event_version).toBe('1.1');
    });

    it('keeps context values that are not strings in tags as JSON text', () => {
      // Act
      const flat = smsVoiceV2.flatten(smsEvent({ context: { account: 'bar', tries: 2 } }));
      // Assert
      expect(flat.columns.tags).toEqual({ account: 'bar', tries: '2' });
    });

    it('leaves message_parts null for a fractional part count', () => {
      expect(smsVoiceV2.flatten(smsEvent({ totalMessageParts: 1.5 })).columns.message_parts).toBeNull();
    });

    it('keeps a huge status description whole', () => {
      const description = 'D'.repeat(300_000);
      const result = transformEvent(JSON.stringify(smsEvent({ messageStatusDescription: description })), NOW);
      expect(ok(result).row.status_message).toBe(description);
    });
  });

  describe('event time', () => {
    it('takes eventTimestamp, not messageRequestTimestamp', () => {
      expect(smsVoiceV2.flatten(smsEvent()).eventTime).toBe(1686975103470);
    });

    it('fails with missing_timestamp when eventTimestamp is missing and nothing arrived', () => {
      // Arrange
      const event = smsEvent();
      delete event.eventTimestamp;
      // Act
      const result = transformEvent(JSON.stringify(event), NOW);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it('partitions by the date of eventTimestamp under the family', () => {
      const result = transformEvent(JSON.stringify(smsEvent({ eventType: 'MEDIA_DELIVERED' })), NOW);
      expect(result.ok && result.partition).toEqual({ family: 'mms', dt: '2023-06-17' });
    });

    describe('hostile eventTimestamp values, with an arrival time from Firehose', () => {
      const arrival = Date.UTC(2026, 10, 28, 12);
      const arrivalDay = new Date(arrival).toISOString().slice(0, 10);
      const own = Date.UTC(2023, 5, 17, 4, 11, 43, 470);
      /** The example with `eventTimestamp` written as `json`, through the whole transform. */
      const runWith = (json: string): EventResult =>
        transformEvent(
          JSON.stringify(smsEvent({ eventTimestamp: 0 })).replace(
            '"eventTimestamp":0',
            `"eventTimestamp":${json}`,
          ),
          { ...NOW, arrivalTime: arrival },
        );

      it.each([
        ['seconds', String(Math.floor(own / 1000)), Math.floor(own / 1000) * 1000],
        ['milliseconds', String(own), own],
        ['microseconds', String(own * 1000 + 123), own],
        ['nanoseconds', String(own * 1_000_000), own],
        ['an ISO string', JSON.stringify(new Date(own).toISOString()), own],
        ['a numeric string', JSON.stringify(String(own)), own],
      ])('reads a timestamp in %s as its own time', (_unit, json, expected) => {
        // Act
        const { row, partition } = ok(runWith(json));
        // Assert
        expect(row.event_time).toBe(expected);
        expect(row.time_source).toBe('event');
        expect(partition.dt).toBe(new Date(own).toISOString().slice(0, 10));
      });

      it('reads a year-9999 millisecond time as milliseconds and puts dt on the arrival date', () => {
        // Arrange
        const year9999 = Date.UTC(9999, 11, 31, 12);
        // Act
        const { row, partition, diagnostics } = ok(runWith(String(year9999)));
        // Assert
        expect(row).toMatchObject({ event_time: year9999, arrival_time: arrival, time_source: 'event' });
        expect(partition.dt).toBe(arrivalDay);
        expect(diagnostics.dtFallback).toBe(true);
      });

      it.each([
        ['1e400 (Infinity)', '1e400'],
        ['a negative number', String(-own)],
        ['a time past the year 9999', String(Date.UTC(10000, 0, 2))],
        ['a time before 2015 in milliseconds', String(Date.UTC(2012, 4, 25))],
      ])('takes the arrival time for %s, keeping the value in extra', (_name, json) => {
        // Act
        const { row, partition } = ok(runWith(json));
        // Assert
        expect(row).toMatchObject({ event_time: arrival, arrival_time: arrival, time_source: 'arrival' });
        expect(extraOf(row.extra)).toHaveProperty('eventTimestamp');
        expect(row.raw).toContain(`"eventTimestamp":${json}`);
        expect(partition.dt).toBe(arrivalDay);
      });
    });
  });
});

describe('smsVoiceRegistration', () => {
  const DETAIL = {
    registrationDetails: {
      registrationId: 'registration-30a16a8b7cec478a8e37febbb9005348',
      registrationVersionNumber: 1,
      registrationType: 'ZZ_LONG_CODE_REGISTRATION',
      registrationStatusChangeTimestamp: 1758908543000,
      currentStatus: 'SUBMITTED',
    },
    registrationArn:
      'arn:aws:sms-voice:us-east-1:111122223333:registration/registration-30a16a8b7cec478a8e37febbb9005348',
  };

  it('matches a detail with registrationDetails', () => {
    expect(smsVoiceRegistration.matches(structuredClone(DETAIL))).toBe(true);
    expect(smsVoiceRegistration.matches({ registrationArn: 'x' })).toBe(false);
  });

  it('flattens a registration status change into family other', () => {
    // Act
    const flat = smsVoiceRegistration.flatten(structuredClone(DETAIL));
    // Assert
    expect(flat.family).toBe('other');
    expect(flat.columns).toEqual({
      event_type: 'Registration Status Change',
      event_name: 'other.registration_status',
      status: 'SUBMITTED',
    });
    expect(flat.eventTime).toBe(1758908543000);
    expect(flat.unknownType).toBe(false);
  });
});
