import { formatTimestamp, parseTimestamp, tomorrowUtc, utcDate } from '../../transform/src/time';

describe('time', () => {
  describe('parseTimestamp', () => {
    it('reads epoch numbers by magnitude: seconds, milliseconds, microseconds', () => {
      // Arrange: 2017-02-24T21:23:22.507Z as s, ms and µs
      const ms = 1487971402507;
      // Act / Assert
      expect(parseTimestamp(1487971402)).toBe(1487971402000);
      expect(parseTimestamp(ms)).toBe(ms);
      expect(parseTimestamp(1487971402507000)).toBe(ms);
    });

    it('reads a pre-2001 millisecond value as milliseconds (below 1e11 is seconds)', () => {
      // 1999-01-01T00:00:00.000Z = 915148800000 ms (12 digits, which OpenX would misread as seconds)
      expect(parseTimestamp(915148800000)).toBe(Date.UTC(1999, 0, 1));
    });

    it('reads numeric strings like numbers', () => {
      expect(parseTimestamp('1495756908285')).toBe(1495756908285);
      expect(parseTimestamp(' 1495756908 ')).toBe(1495756908000);
    });

    it('reads ISO-8601 with Z, offsets, no zone (as UTC) and more than millisecond precision', () => {
      expect(parseTimestamp('2017-08-05T00:41:02.669Z')).toBe(Date.UTC(2017, 7, 5, 0, 41, 2, 669));
      expect(parseTimestamp('2017-08-05T02:41:02+02:00')).toBe(Date.UTC(2017, 7, 5, 0, 41, 2));
      expect(parseTimestamp('2017-08-05 00:41:02')).toBe(Date.UTC(2017, 7, 5, 0, 41, 2));
      expect(parseTimestamp('2017-08-05T00:41:02.669123456Z')).toBe(Date.UTC(2017, 7, 5, 0, 41, 2, 669));
      expect(parseTimestamp('2017-08-05')).toBe(Date.UTC(2017, 7, 5));
    });

    it('reads RFC 822 dates (the Pinpoint email doc says message_send_timestamp uses it)', () => {
      expect(parseTimestamp('Wed, 31 Jul 2019 00:17:01 +0000')).toBe(Date.UTC(2019, 6, 31, 0, 17, 1));
    });

    it('rejects values outside 1970-01-01..9999-12-31, non-finite numbers and other types', () => {
      expect(parseTimestamp(-1)).toBeNull();
      expect(parseTimestamp(Number.NaN)).toBeNull();
      expect(parseTimestamp(Infinity)).toBeNull();
      expect(parseTimestamp(1e22)).toBeNull();
      expect(parseTimestamp('1969-12-31T23:59:59Z')).toBeNull();
      expect(parseTimestamp(null)).toBeNull();
      expect(parseTimestamp(true)).toBeNull();
      expect(parseTimestamp({})).toBeNull();
    });

    it('rejects free text that Date.parse would guess at', () => {
      expect(parseTimestamp('')).toBeNull();
      expect(parseTimestamp('yesterday')).toBeNull();
      expect(parseTimestamp('12')).toBe(12000);
      expect(parseTimestamp('2017-13-45T99:00:00Z')).toBeNull();
      expect(parseTimestamp('1 2 3')).toBeNull();
    });
  });

  describe('formatTimestamp', () => {
    it('writes yyyy-MM-ddTHH:mm:ss.SSSZ, also before 2001', () => {
      expect(formatTimestamp(Date.UTC(1999, 0, 1, 2, 3, 4, 5))).toBe('1999-01-01T02:03:04.005Z');
      expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    });

    it('writes the right date and time on either side of midnight, leap days and the last instant', () => {
      // Arrange: times whose date was formatted just before (the date is cached per day)
      const times = [
        [Date.UTC(1999, 11, 31, 23, 59, 59, 999), '1999-12-31T23:59:59.999Z'],
        [Date.UTC(2000, 0, 1), '2000-01-01T00:00:00.000Z'],
        [Date.UTC(2000, 1, 29, 12, 0, 9, 90), '2000-02-29T12:00:09.090Z'],
        [Date.UTC(1999, 11, 31, 0, 0, 0, 1), '1999-12-31T00:00:00.001Z'],
        [Date.UTC(9999, 11, 31, 23, 59, 59, 999), '9999-12-31T23:59:59.999Z'],
      ] as const;
      // Act, Assert
      for (const [ms, text] of times) expect(formatTimestamp(ms)).toBe(text);
    });

    it('writes times outside 1970..9999 and fractional milliseconds as Date#toISOString does', () => {
      expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59.999Z');
      expect(formatTimestamp(1.9)).toBe('1970-01-01T00:00:00.001Z');
      expect(formatTimestamp(Date.UTC(10000, 0, 1))).toBe('+010000-01-01T00:00:00.000Z');
      expect(() => formatTimestamp(Number.NaN)).toThrow(RangeError);
    });
  });

  describe('utcDate and tomorrowUtc', () => {
    it('takes the UTC date, not the local one', () => {
      expect(utcDate(Date.UTC(2026, 10, 28, 23, 59, 59, 999))).toBe('2026-11-28');
      expect(tomorrowUtc(Date.UTC(2026, 11, 31, 12))).toBe('2027-01-01');
    });

    it('gives each day its own date when days alternate (the date cache is per day)', () => {
      expect(utcDate(Date.UTC(2026, 1, 28, 23, 59, 59, 999))).toBe('2026-02-28');
      expect(utcDate(Date.UTC(2026, 2, 1))).toBe('2026-03-01');
      expect(utcDate(Date.UTC(2026, 1, 28))).toBe('2026-02-28');
      expect(utcDate(-1)).toBe('1969-12-31');
    });
  });
});
