import fc from 'fast-check';
import { JsonRecordSplitter } from '../../transform/src/json-split';

const RUNS = 1000;
// What the splitter drops between records: JSON white space and the byte-order mark.
const SPACE = new Set([' ', '\t', '\n', '\r', '\uFEFF']);

/** Feeds bytes in chunks of the given sizes (cycled; a chunk may split a UTF-8 character). */
function splitBytes(bytes: Uint8Array, sizes: readonly number[], maxRecordBytes?: number): Buffer[] {
  const splitter = new JsonRecordSplitter({ maxRecordBytes });
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes.length === 0 ? bytes.length : sizes[i % sizes.length]!;
    out.push(...splitter.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return [...out, ...splitter.end()];
}

/** Feeds a (well-formed) text's UTF-8 in chunks of the given sizes; the pieces as text. */
function split(text: string, sizes: readonly number[], maxRecordBytes?: number): string[] {
  return splitBytes(Buffer.from(text, 'utf8'), sizes, maxRecordBytes).map((piece) => piece.toString('utf8'));
}

/** The bytes the splitter may drop: JSON white space and those of a UTF-8 byte-order mark. */
const DROPPABLE = new Set([0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]);

/**
 * True when `joined` is `input` with only items in `droppable` left out (a subsequence, checked
 * greedily): characters of a text, or bytes.
 */
function onlyRemoved<T>(input: ArrayLike<T>, joined: ArrayLike<T>, droppable: ReadonlySet<T>): boolean {
  let j = 0;
  for (let i = 0; i < input.length; i++) {
    if (j < joined.length && input[i] === joined[j]) j++;
    else if (!droppable.has(input[i]!)) return false;
  }
  return j === joined.length;
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 });

/** Objects and arrays (which may follow each other with no separator), compact or pretty-printed. */
const containerRecord = fc
  .tuple(
    fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
      fc.array(fc.jsonValue({ maxDepth: 3 })),
    ),
    fc.boolean(),
  )
  .map(([value, pretty]) => JSON.stringify(value, null, pretty ? 2 : undefined));

describe('JsonRecordSplitter (property-based)', () => {
  it(`gives back each record of any concatenation, with any separators and chunking (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(containerRecord, fc.constantFrom('', '\n', '\r\n', ' ', '\n\n\t')), {
          maxLength: 8,
        }),
        chunkSizes,
        (records, sizes) => {
          // Arrange
          const text = records.map(([record, separator]) => record + separator).join('');
          // Act
          const pieces = split(text, sizes);
          // Assert
          expect(pieces).toEqual(records.map(([record]) => record));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`splits newline-delimited JSON values of any kind into the values (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.json({ maxDepth: 3 }), { maxLength: 8 }), chunkSizes, (records, sizes) => {
        // Act
        const pieces = split(records.map((record) => `${record}\n`).join(''), sizes);
        // Assert
        expect(pieces).toEqual(records);
      }),
      { numRuns: RUNS },
    );
  });

  it(`loses nothing but white space between records, for any text, limit and chunking (${RUNS} runs)`, () => {
    const unit = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      '\n',
      '\r',
      ' ',
      'a',
      '1',
      ':',
      ',',
      'é',
      '😀',
      '\uFEFF',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit, maxLength: 200 }),
          // Lone surrogates have no UTF-8: as the bytes hold such a text (U+FFFD for each).
          fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text).toString()),
        ),
        chunkSizes,
        fc.integer({ min: 4, max: 60 }),
        (text, sizes, limit) => {
          // Act
          const pieces = split(text, sizes, limit);
          // Assert: joined, the pieces are the input less white space; none is empty
          expect(onlyRemoved(text, pieces.join(''), SPACE)).toBe(true);
          expect(pieces.every((piece) => piece !== '')).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`loses no byte but white space and byte-order marks, for any bytes, limit and chunking (${RUNS} runs)`, () => {
    const byte = fc.oneof(
      fc.constantFrom(0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x0a, 0x20, 0xef, 0xbb, 0xbf),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 200 }),
        chunkSizes,
        fc.integer({ min: 4, max: 60 }),
        (values, sizes, limit) => {
          // Act
          const bytes = Uint8Array.from(values);
          const pieces = splitBytes(bytes, sizes, limit);
          // Assert: the same pieces however the bytes are chunked; joined, only droppable bytes are missing
          expect(pieces).toEqual(splitBytes(bytes, [], limit));
          expect(onlyRemoved(bytes, Buffer.concat(pieces), DROPPABLE)).toBe(true);
          expect(pieces.every((piece) => piece.length > 0)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`cuts an oversized record into parts that each pass the limit and join to it (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(containerRecord, chunkSizes, fc.integer({ min: 4, max: 30 }), (record, sizes, limit) => {
        // Arrange: one record, then one within every limit, which must come out whole
        const text = `${record}\n[]`;
        // Act
        const pieces = split(text, sizes, limit);
        // Assert
        const parts = pieces.slice(0, -1);
        expect(pieces.at(-1)).toBe('[]');
        expect(parts.join('')).toBe(record);
        if (parts.length > 1) {
          for (const part of parts) expect(Buffer.byteLength(part)).toBeGreaterThan(limit);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
