import { createHash } from 'node:crypto';
import { eventId } from '../../transform/src/event-id';

describe('eventId', () => {
  it('is the first 32 hex characters of SHA-256 of the text', () => {
    // The SHA-256 of '{"a":1}' is 015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862.
    expect(eventId('{"a":1}')).toBe('015abd7f5cc57a2dd94b7590f04ad808');
  });

  it('ignores surrounding white space and a byte-order mark, so a redelivery gets the same id', () => {
    const id = eventId('{"a":1}');
    expect(eventId('\uFEFF{"a":1}\r\n')).toBe(id);
    expect(eventId('  {"a":1}\n')).toBe(id);
  });

  it('ignores Unicode white space and several byte-order marks at either end, but not inside', () => {
    const id = eventId('{"a":1}');
    expect(eventId('\uFEFF\uFEFF\u00A0\u2028\t{"a":1}\u3000\u2029\uFEFF\v\f')).toBe(id);
    expect(eventId('{"a":\uFEFF1}')).not.toBe(id);
  });

  it('gives a re-serialised copy a different id', () => {
    expect(eventId('{"a": 1}')).not.toBe(eventId('{"a":1}'));
  });

  it('hashes UTF-8 bytes', () => {
    const text = '{"name":"Zoë"}';
    expect(eventId(text)).toBe(
      createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex').slice(0, 32),
    );
  });
});
