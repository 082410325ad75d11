import fc from 'fast-check';
import { generateEvents } from '../../local/src/generate';
import { serializedRowBytes, serializeRow, transformRecord } from '../../transform/src/records';
import { emptyRow, type EventRow } from '../../transform/src/schema';

const NOW = Date.parse('2026-11-28T12:00:00Z');

function rowsOf(lines: readonly string[]): EventRow[] {
  return lines.flatMap((line) => {
    const result = transformRecord(Buffer.from(line), { arrivalTime: NOW, now: NOW });
    return result.ok ? result.rows : [];
  });
}

describe('serializedRowBytes', () => {
  describe('sizing a row without serializing it', () => {
    it('equals the UTF-8 size of serializeRow for generated events of every format', () => {
      // Arrange
      const rows = rowsOf([
        ...generateEvents({ events: 500, seed: 'bytes', start: NOW - 86_400_000, days: 1 }),
      ]);

      // Act
      const sizes = rows.map(serializedRowBytes);

      // Assert
      expect(rows.length).toBe(500);
      expect(sizes).toEqual(rows.map((row) => Buffer.byteLength(serializeRow(row))));
    });

    it('equals it for any strings, lists, maps and numbers in the columns', () => {
      // Arrange: full Unicode (lone surrogates, controls, quotes) and every kind of number.
      const text = fc.string({ unit: 'binary' });
      const number = fc.oneof(fc.double(), fc.integer(), fc.constant(-0));
      const row = fc.record({
        event_id: text,
        event_name: fc.option(text),
        event_time: fc.integer({ min: -62_000_000_000_000, max: 253_402_300_799_999 }),
        arrival_time: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 })),
        message_parts: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
        price_usd: fc.option(number),
        is_bot: fc.option(fc.boolean()),
        recipients: fc.option(fc.array(text)),
        attributes: fc.option(fc.dictionary(text, text)),
        metrics: fc.option(fc.dictionary(text, number)),
        extra: fc.option(fc.dictionary(text, text)),
        raw: fc.option(text),
      });

      // Act, Assert
      fc.assert(
        fc.property(row, (values) => {
          const candidate = { ...emptyRow(), ...values } as unknown as EventRow;
          expect(serializedRowBytes(candidate)).toBe(Buffer.byteLength(serializeRow(candidate)));
        }),
        { numRuns: 300 },
      );
    });
  });
});
