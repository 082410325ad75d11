import fc from 'fast-check';
import { formatTimestamp, isPlausible, parseTimestamp, tomorrowUtc, utcDate } from '../../transform/src/time';

describe('time', () => {
  describe('parseTimestamp', () => {
    it('reads an epoch number in seconds, milliseconds, microseconds or nanoseconds', () => {
      // Arrange: 2017-02-24T21:23:22.507Z
      const ms = Date.UTC(2017, 1, 24, 21, 23, 22, 507);
      const s = Date.UTC(2017, 1, 24, 21, 23, 22) / 1000;
      // Act / Assert
      expect(parseTimestamp(s)).toBe(s * 1000);
      expect(parseTimestamp(s + 0.5)).toBe(s * 1000 + 500);
      expect(parseTimestamp(ms)).toBe(ms);
      expect(parseTimestamp(ms * 1000)).toBe(ms);
      expect(parseTimestamp(ms * 1000 + 999)).toBe(ms);
      expect(parseTimestamp(ms * 1_000_000)).toBe(ms);
      expect(parseTimestamp(String(ms * 1_000_000))).toBe(ms);
      expect(parseTimestamp(ms * 1_000_000 + 400_000)).toBe(ms);
    });

    it('reads a millisecond time at or after 1e14 (year 5138 on) as milliseconds, up to the year 9999', () => {
      // Arrange
      const year5138 = Date.UTC(5138, 10, 16, 9, 46, 40);
      const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
      // Act / Assert: read as microseconds they would be 1978, before any plausible time
      expect(year5138).toBeGreaterThanOrEqual(1e14);
      expect(parseTimestamp(year5138)).toBe(year5138);
      expect(parseTimestamp(year9999)).toBe(year9999);
      expect(parseTimestamp(String(year9999))).toBe(year9999);
      expect(parseTimestamp(Math.floor(year9999 / 1000))).toBe(year9999 - 999);
      expect(parseTimestamp(year9999 * 1000)).toBe(year9999);
    });

    it('takes the plausible range from 2015-01-01 (the projection start) to 9999-12-31', () => {
      // Arrange
      const start = Date.UTC(2015, 0, 1);
      const end = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
      // Act / Assert
      expect(parseTimestamp(start)).toBe(start);
      expect(parseTimestamp(start / 1000)).toBe(start);
      expect(parseTimestamp(start - 1)).toBeNull();
      expect(parseTimestamp(start / 1000 - 1)).toBeNull();
      expect(parseTimestamp(end + 1)).toBeNull();
      expect(isPlausible(start)).toBe(true);
      expect(isPlausible(start - 1)).toBe(false);
      expect(isPlausible(end)).toBe(true);
      expect(isPlausible(end + 1)).toBe(false);
    });

    it('rejects epoch numbers plausible in no unit: the 2017 legacy example, 1999, negative, past 9999', () => {
      // Act / Assert: 13425345 and 2345678 are 1970 in seconds and earlier in any other unit
      expect(parseTimestamp(13425345)).toBeNull();
      expect(parseTimestamp(2345678)).toBeNull();
      expect(parseTimestamp(Date.UTC(1999, 0, 1))).toBeNull();
      expect(parseTimestamp(Date.UTC(1999, 0, 1) / 1000)).toBeNull();
      expect(parseTimestamp(-Date.UTC(2017, 0, 1))).toBeNull();
      expect(parseTimestamp(-1)).toBeNull();
      expect(parseTimestamp(0)).toBeNull();
      expect(parseTimestamp(Date.UTC(10000, 0, 2))).toBeNull();
      expect(parseTimestamp(1e22)).toBeNull();
    });

    it('rejects 1e400, which JSON.parse reads as Infinity, and NaN', () => {
      // Arrange
      const parsed = (JSON.parse('{"t":1e400}') as { t: number }).t;
      // Act / Assert
      expect(parsed).toBe(Infinity);
      expect(parseTimestamp(parsed)).toBeNull();
      expect(parseTimestamp(-parsed)).toBeNull();
      expect(parseTimestamp('1e400')).toBeNull();
      expect(parseTimestamp(Number.NaN)).toBeNull();
    });

    it('gives a plausible time in at most one unit, for any number', () => {
      fc.assert(
        fc.property(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1e17, max: 1e21 })), (n) => {
          // Arrange
          const candidates = [n * 1000, n, n / 1000, Math.round(n / 1000) / 1000]
            .map(Math.floor)
            .filter((ms) => isPlausible(ms));
          // Act
          const ms = parseTimestamp(n);
          // Assert
          expect(candidates.length).toBeLessThanOrEqual(1);
          expect(ms).toBe(candidates[0] ?? null);
        }),
        { numRuns: 2000 },
      );
    });

    it('reads numeric strings like numbers', () => {
      expect(parseTimestamp('1495756908285')).toBe(Date.UTC(2017, 4, 26, 0, 1, 48, 285));
      expect(parseTimestamp(' 1495756908 ')).toBe(Date.UTC(2017, 4, 26, 0, 1, 48));
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

    it('reads ISO-8601 strings from 1970-01-01 to 9999-12-31 (a dated string states its own date)', () => {
      // SES documents identity notifications with 2012 times
      expect(parseTimestamp('2012-05-25T14:59:38.605Z')).toBe(Date.UTC(2012, 4, 25, 14, 59, 38, 605));
      expect(parseTimestamp('1970-01-01T00:00:00Z')).toBe(0);
      expect(parseTimestamp('9999-12-31T23:59:59.999Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
      expect(parseTimestamp('+010000-01-01T00:00:00Z')).toBeNull();
      expect(parseTimestamp('1969-12-31T23:59:59Z')).toBeNull();
    });

    it('rejects other types', () => {
      expect(parseTimestamp(null)).toBeNull();
      expect(parseTimestamp(true)).toBeNull();
      expect(parseTimestamp({})).toBeNull();
      expect(parseTimestamp([Date.UTC(2017, 0, 1)])).toBeNull();
    });

    it('rejects free text that Date.parse would guess at', () => {
      expect(parseTimestamp('')).toBeNull();
      expect(parseTimestamp('yesterday')).toBeNull();
      expect(parseTimestamp('12')).toBeNull();
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
