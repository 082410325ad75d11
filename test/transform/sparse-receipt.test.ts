import { transformRecord } from '../../transform/src/records';

const ARRIVAL = Date.UTC(2026, 10, 28, 12, 30);
const NOW = Date.UTC(2026, 10, 29);

/** Transforms one record's JSON as the handler does, with Firehose's arrival time or none. */
function transform(event: object, arrivalTime: number | null = ARRIVAL) {
  return transformRecord(Buffer.from(JSON.stringify(event)), { arrivalTime, now: NOW });
}

// Shape E of the shared reference event-formats.md is "eventType + eventVersion + messageId, no
// mail"; a receipt that leaves eventVersion out still says, by its type, what it is.
describe('a sparse End User Messaging receipt', () => {
  it('becomes an sms row: its type, message id and final flag, timed by its arrival', () => {
    // Act
    const result = transform({ eventType: 'TEXT_DELIVERED', messageId: 'm-sparse-1', isFinal: true });
    // Assert
    expect(result).toMatchObject({ ok: true, partition: { family: 'sms', dt: '2026-11-28' } });
    const [row] = result.ok ? result.rows : [];
    expect(row).toMatchObject({
      source_format: 'sms_voice_v2',
      event_type: 'TEXT_DELIVERED',
      event_name: 'sms.delivered',
      message_id: 'm-sparse-1',
      is_final: true,
      time_source: 'arrival',
      event_time: ARRIVAL,
    });
  });

  it.each([
    ['MEDIA_FILE_INACCESSIBLE', 'mms', 'mms.failed'],
    ['VOICE_ANSWERED', 'voice', 'voice.answered'],
    ['RCS_READ', 'rcs', 'rcs.read'],
  ])('recognises %s as %s (%s)', (eventType, family, eventName) => {
    // Act
    const result = transform({ eventType, messageId: 'm-2' });
    // Assert
    expect(result).toMatchObject({ ok: true, partition: { family } });
    expect(result.ok && result.rows[0]!.event_name).toBe(eventName);
  });

  it('fails for want of a time, not of a format, when it has no arrival time either', () => {
    // Act
    const result = transform({ eventType: 'TEXT_DELIVERED', messageId: 'm-3', isFinal: true }, null);
    // Assert
    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each([
    ['an unknown type', { eventType: 'TEXT_FROBNICATED', messageId: 'm-4' }],
    ['no message id', { eventType: 'TEXT_DELIVERED', isFinal: true }],
    ['a type of another service', { eventType: 'Delivery', messageId: 'm-5' }],
  ])('stays unknown_format with %s', (_what, event) => {
    // Act
    const result = transform(event);
    // Assert
    expect(result).toMatchObject({ ok: false, reason: 'unknown_format' });
  });

  it('leaves an SES event (it has a mail object) to SES', () => {
    // Act
    const result = transform({ eventType: 'TEXT_DELIVERED', messageId: 'm-6', mail: { messageId: 'x' } });
    // Assert
    expect(result.ok ? result.rows[0]!.source_format : result.reason).toBe('ses');
  });
});
