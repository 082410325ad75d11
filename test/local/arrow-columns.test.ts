import fc from 'fast-check';
import {
  Bool,
  Float64,
  Int32,
  Table,
  TimeUnit,
  Timestamp,
  makeBuilder,
  tableToIPC,
  type DataType,
} from 'apache-arrow';
import { fixedWidthData, utf8Data } from '../../local/src/arrow-columns';
import { rowsToIpc, rowsToTable } from '../../local/src/arrow-schema';
import { generateEvents } from '../../local/src/generate';
import { transformRecord } from '../../transform/src/records';

const NOW = Date.parse('2026-11-28T12:00:00Z');

/** The column as Arrow's own builder makes it: the reference the typed-array columns must match. */
function built(type: DataType, values: readonly unknown[]) {
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(value);
  return builder.finish().toVector().data[0]!;
}

/** What a column puts in a chunk's IPC bytes: its values and validity buffers, as written. */
function buffers(data: ReturnType<typeof built>) {
  return {
    length: data.length,
    nullCount: data.nullCount,
    values: Buffer.from(data.values.buffer, data.values.byteOffset, data.values.byteLength),
    validity: data.nullCount > 0 ? Buffer.from(data.nullBitmap!) : null,
  };
}

describe('arrow columns', () => {
  describe('fixed-width columns from typed arrays', () => {
    const cases: [string, DataType, fc.Arbitrary<unknown>][] = [
      [
        'timestamp',
        new Timestamp(TimeUnit.MILLISECOND, 'UTC'),
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
      ],
      ['int', new Int32(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
      ['double', new Float64(), fc.double({ noNaN: true }).map((d) => (d === 0 ? 0 : d))],
      ['boolean', new Bool(), fc.boolean()],
    ];
    it.each(cases)('a %s column holds the same buffers as Arrow builds', (_, type, value) => {
      fc.assert(
        fc.property(fc.array(fc.option(value), { maxLength: 300 }), (values) => {
          // Act
          const data = fixedWidthData(type as Timestamp, values);

          // Assert
          expect(buffers(data as never)).toEqual(buffers(built(type, values)));
        }),
        { numRuns: 100 },
      );
    });

    it('writes -0 as 0, as the JSON the handler path goes through does', () => {
      // Act
      const data = fixedWidthData(new Float64(), [-0, null, 1.5]);

      // Assert
      expect(Object.is(data.values[0], 0)).toBe(true);
      expect(data.nullCount).toBe(1);
    });
  });

  describe('string columns', () => {
    it('hold each value’s UTF-8 bytes back to back, whatever the characters', () => {
      // Arrange: full UTF-16, lone surrogates included (written as U+FFFD, as Buffer writes them).
      const values = fc.array(fc.option(fc.string({ unit: 'binary', maxLength: 50 })), { maxLength: 100 });

      fc.assert(
        fc.property(values, (strings) => {
          // Act
          const data = utf8Data(strings);

          // Assert
          const expected = strings.map((value) => Buffer.from(value ?? '', 'utf8'));
          const offsets = Array.from(data.valueOffsets);
          expect(offsets).toEqual([
            0,
            ...expected.map((_, i) => Buffer.concat(expected.slice(0, i + 1)).length),
          ]);
          expect(Buffer.from(data.values.subarray(0, offsets.at(-1)))).toEqual(Buffer.concat(expected));
          expect(data.nullCount).toBe(strings.filter((value) => value === null).length);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('chunks', () => {
    it('are the bytes Arrow’s own stream writer gives for the rows, schema message included', () => {
      // Arrange: rows of every format, in chunks of several sizes.
      const rows = [
        ...generateEvents({ events: 400, seed: 'ipc', start: NOW - 86_400_000, days: 1 }),
      ].flatMap((line) => {
        const result = transformRecord(Buffer.from(line), { arrivalTime: NOW, now: NOW });
        return result.ok ? result.rows : [];
      });

      for (const size of [1, 37, 400]) {
        const chunk = rows.slice(0, size);

        // Act
        const ipc = rowsToIpc(chunk);

        // Assert
        expect(Buffer.compare(ipc, tableToIPC(rowsToTable(chunk), 'stream'))).toBe(0);
        expect(new Table(rowsToTable(chunk).batches).numRows).toBe(chunk.length);
      }
    });
  });
});
