import fc from 'fast-check';
import { failedResultBytes, okResultBytes } from '../../transform/src/firehose-batch';
import { jsonStringBytes } from '../../transform/src/records';
import { FAMILIES } from '../../transform/src/schema';

/** What the sizes stand for: the record's result as the handler writes it, plus its comma. */
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value)) + 1;

describe('response sizing without serializing', () => {
  it('jsonStringBytes equals the UTF-8 size of JSON.stringify for any string', () => {
    // Arrange: full UTF-16 (lone surrogates, pairs, control characters, quotes, backslashes).
    const text = fc.string({ unit: 'binary', maxLength: 200 });

    // Act, Assert
    fc.assert(
      fc.property(text, (value) => {
        expect(jsonStringBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('okResultBytes and failedResultBytes equal the size of the result records they stand for', () => {
    // Arrange
    const input = fc.record({
      recordId: fc.string({ unit: 'binary', maxLength: 40 }),
      family: fc.constantFrom(...FAMILIES),
      dt: fc.string({ maxLength: 12 }),
      dataBytes: fc.nat({ max: 100_000 }),
    });

    // Act, Assert
    fc.assert(
      fc.property(input, ({ recordId, family, dt, dataBytes }) => {
        const data = Buffer.alloc(dataBytes).toString('base64');
        const ok = { recordId, result: 'Ok', data, metadata: { partitionKeys: { family, dt } } };
        expect(okResultBytes(recordId, { family, dt }, dataBytes)).toBe(jsonBytes(ok));
        expect(failedResultBytes(recordId, dataBytes)).toBe(
          jsonBytes({ recordId, result: 'ProcessingFailed', data }),
        );
      }),
      { numRuns: 300 },
    );
  });
});
