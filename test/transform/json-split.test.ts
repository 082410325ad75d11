import { JsonRecordSplitter, splitJsonRecords } from '../../transform/src/json-split';

/** Feeds `text`'s UTF-8 to a splitter in chunks of `size` bytes; returns the pieces' bytes. */
function splitBytesInChunks(text: string | Buffer, size: number, maxRecordBytes?: number): Buffer[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const splitter = new JsonRecordSplitter({ maxRecordBytes });
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...splitter.push(bytes.subarray(i, i + size)));
  out.push(...splitter.end());
  return out;
}

/** The same, with the pieces decoded as UTF-8. */
function splitInChunks(text: string, size: number, maxRecordBytes?: number): string[] {
  return splitBytesInChunks(text, size, maxRecordBytes).map((piece) => piece.toString('utf8'));
}

describe('splitJsonRecords', () => {
  describe('well-formed input', () => {
    it('splits newline-delimited records', () => {
      // Arrange
      const text = '{"a":1}\n{"b":2}\n';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1}', '{"b":2}']);
    });

    it('splits concatenated records with no separator', () => {
      // Arrange
      const text = '{"a":1}{"b":2}{"c":[1,{"d":3}]}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1}', '{"b":2}', '{"c":[1,{"d":3}]}']);
    });

    it('splits a mix of concatenated and newline-delimited records with CRLF and blank lines', () => {
      // Arrange
      const text = '\uFEFF  {"a":1}{"b":2}\r\n\r\n\t{"c":3} {"d":4}\r\n';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    });

    it('returns nothing for empty or white-space-only input', () => {
      // Arrange, Act, Assert
      expect(splitJsonRecords('')).toEqual([]);
      expect(splitJsonRecords(' \n\r\n\t ')).toEqual([]);
    });

    it('respects braces, brackets and escaped quotes inside strings', () => {
      // Arrange
      const first = '{"s":"a } ] { [ \\" \\\\","t":"\\u007b"}';
      const second = '{"u":"\\\\"}';
      // Act
      const pieces = splitJsonRecords(first + second);
      // Assert
      expect(pieces).toEqual([first, second]);
      expect(pieces.map((p) => JSON.parse(p))).toEqual([{ s: 'a } ] { [ " \\', t: '{' }, { u: '\\' }]);
    });

    it('keeps a pretty-printed multi-line object, nested objects and arrays included, as one record', () => {
      // Arrange
      const pretty = JSON.stringify({ a: { b: [{ c: 1 }, { d: [2, 3] }] }, e: 'x' }, null, 2);
      const text = `${pretty}\n{"next":true}\n${pretty}`;
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual([pretty, '{"next":true}', pretty]);
    });

    it('returns top-level arrays, strings and numbers as their own pieces', () => {
      // Arrange
      const text = '[1,{"a":2}]\n"a string with } and {"\n42\n{"a":1}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['[1,{"a":2}]', '"a string with } and {"', '42', '{"a":1}']);
    });

    it('keeps multi-byte characters intact', () => {
      // Arrange
      const text = '{"name":"Zoë 😀 日本"}{"b":"€"}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"name":"Zoë 😀 日本"}', '{"b":"€"}']);
    });
  });

  describe('broken input', () => {
    it('cuts an unbalanced line when the next line starts a new object', () => {
      // Arrange
      const text = '{"a":1\n{"b":2}\n';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1', '{"b":2}']);
    });

    it('cuts an unterminated string at the end of its line', () => {
      // Arrange
      const text = '{"a":"never closed\r\n{"b":2}\n{"c":3}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":"never closed', '{"b":2}', '{"c":3}']);
    });

    it('keeps a truncated last record as its own piece', () => {
      // Arrange
      const text = '{"a":1}\n{"b":[1,2';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1}', '{"b":[1,2']);
    });

    it('makes garbage between records its own piece', () => {
      // Arrange
      const text = '{"a":1}garbage here{"b":2}\nnot json\n}\n{"c":3}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":1}', 'garbage here', '{"b":2}', 'not json', '}', '{"c":3}']);
    });

    it('trims only JSON white space from a piece, so no byte of the original is dropped', () => {
      // Arrange: bytes 0xA0, 0x0B and 0x0C are white space to String.prototype.trimEnd (read as
      // latin1), but not to JSON
      const bytes = Buffer.from('garbage\u00a0\nmore\u000b\r\n\u000c \n{"a":1}\u00a0', 'latin1');
      // Act
      const pieces = splitJsonRecords(bytes).map((piece) => piece.toString('latin1'));
      // Assert
      expect(pieces).toEqual(['garbage\u00a0', 'more\u000b', '\u000c', '{"a":1}', '\u00a0']);
    });

    it('keeps the exact bytes of a piece that is not UTF-8', () => {
      // Arrange: a lone continuation byte, an overlong encoding and a truncated sequence
      const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0xc0, 0xaf, 0xe2, 0x82, 0x22, 0x7d]);
      const bytes = Buffer.concat([bad, Buffer.from('\n{"b":2}\n'), Buffer.from([0xff, 0xfe])]);
      // Act
      const pieces = splitJsonRecords(bytes);
      // Assert
      expect(pieces).toEqual([bad, Buffer.from('{"b":2}'), Buffer.from([0xff, 0xfe])]);
    });

    it.each([1, 2, 100])(
      'drops byte-order marks between records and keeps the bytes of a broken one, in chunks of %i bytes',
      (size) => {
        // Arrange: a mark before each record, then the first two bytes of one before a record, then at the end
        const bom = Buffer.from([0xef, 0xbb, 0xbf]);
        const bytes = Buffer.concat([
          bom,
          Buffer.from('{"a":1}\n'),
          bom,
          bom,
          Buffer.from('{"b":2}'),
          bom.subarray(0, 2),
          Buffer.from('{"c":3}\n'),
          bom.subarray(0, 1),
        ]);
        // Act
        const pieces = splitBytesInChunks(bytes, size);
        // Assert
        expect(pieces).toEqual([
          Buffer.from('{"a":1}'),
          Buffer.from('{"b":2}'),
          bom.subarray(0, 2),
          Buffer.from('{"c":3}'),
          bom.subarray(0, 1),
        ]);
      },
    );

    it('continues an open record onto an indented line (pretty-printed continuation)', () => {
      // Arrange
      const text = '{"a":\n  {"b":1}}\n{"c":2}';
      // Act
      const pieces = splitJsonRecords(text);
      // Assert
      expect(pieces).toEqual(['{"a":\n  {"b":1}}', '{"c":2}']);
    });
  });

  describe('size limit', () => {
    it('cuts a piece larger than maxRecordBytes into parts that each pass the limit, loses none of it and keeps the next records', () => {
      // Arrange: 109 bytes, limit 50: cuts after bytes 51 and 102; the 7-byte rest joins the part before it
      const big = `{"a":"${'x'.repeat(100)}"}`;
      const text = `${big}\n{"b":2}`;
      // Act
      const pieces = splitJsonRecords(text, { maxRecordBytes: 50 });
      // Assert
      expect(pieces).toEqual([big.slice(0, 51), big.slice(51), '{"b":2}']);
    });

    it('keeps a piece of up to about twice the limit whole', () => {
      // Arrange: 70 bytes, limit 50: one cut, nothing after it to emit it early
      const big = `{"a":"${'x'.repeat(61)}"}`;
      // Act
      const pieces = splitJsonRecords(`${big}\n{"b":2}`, { maxRecordBytes: 50 });
      // Assert
      expect(pieces).toEqual([big, '{"b":2}']);
    });

    it.each([1, 3, 64, 4096])(
      'gives back every byte of a piece 40 times the limit, in parts over the limit, in chunks of %i bytes',
      (size) => {
        // Arrange: multi-byte text, escapes and brackets inside the oversized piece
        const big = `{"a":"${'é😀\\"{['.repeat(250)}","b":[${'1,'.repeat(300)}2]}`;
        const limit = Buffer.byteLength(big) / 40;
        // Act
        const pieces = splitInChunks(`{"z":0}\n${big}\n{"b":2}`, size, limit);
        // Assert
        expect(pieces[0]).toBe('{"z":0}');
        expect(pieces.at(-1)).toBe('{"b":2}');
        const parts = pieces.slice(1, -1);
        expect(parts.join('')).toBe(big);
        expect(parts.length).toBeGreaterThan(10);
        for (const part of parts) expect(Buffer.byteLength(part)).toBeGreaterThan(limit);
      },
    );

    it('counts UTF-8 bytes, not characters', () => {
      // Arrange: 10 characters of 3 bytes each plus 8 ASCII = 38 bytes
      const text = `{"e":"${'€'.repeat(10)}"}`;
      // Act
      const under = splitJsonRecords(text, { maxRecordBytes: 38 });
      const over = splitJsonRecords(text, { maxRecordBytes: 37 });
      // Assert
      expect(under).toEqual([text]);
      expect(over).toEqual([text]);
      expect(Buffer.byteLength(over[0]!, 'utf8')).toBeGreaterThan(37);
    });

    it('cuts a run of invalid UTF-8 at most 4 bytes past the limit, and loses none of it', () => {
      // Arrange: 300 continuation bytes, none of which starts a character, inside a string
      const big = Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(300, 0x80), Buffer.from('"}')]);
      const bytes = Buffer.concat([big, Buffer.from('\n{"b":2}')]);
      // Act
      const pieces = splitJsonRecords(bytes, { maxRecordBytes: 100 });
      // Assert: a part of 104 bytes (the limit and 4 more), then 104 + the 100-byte rest, which joins it
      const parts = pieces.slice(0, -1);
      expect(Buffer.concat(parts)).toEqual(big);
      expect(parts.map((part) => part.length)).toEqual([104, 204]);
      expect(pieces.at(-1)).toEqual(Buffer.from('{"b":2}'));
    });

    it('cuts an oversized garbage line into parts over the limit and keeps the next records', () => {
      // Arrange
      const text = `${'z'.repeat(350)}\n{"b":2}`;
      // Act
      const pieces = splitJsonRecords(text, { maxRecordBytes: 100 });
      // Assert
      expect(pieces).toEqual(['z'.repeat(101), 'z'.repeat(101), 'z'.repeat(148), '{"b":2}']);
    });

    it('defaults to the Firehose record limit of 1,000 KiB', () => {
      // Arrange
      const fits = `{"a":"${'x'.repeat(1000 * 1024 - 8)}"}`;
      const tooBig = `{"a":"${'x'.repeat(2.5 * 1000 * 1024)}"}`;
      // Act
      const pieces = splitJsonRecords(`${fits}\n${tooBig}\n{"c":1}`);
      // Assert: lengths and booleans, so a failure does not print megabytes
      expect(pieces.map((piece) => piece.length)).toEqual([
        fits.length,
        1000 * 1024 + 1,
        tooBig.length - (1000 * 1024 + 1),
        7,
      ]);
      expect(pieces[0] === fits).toBe(true);
      expect(pieces[1]! + pieces[2]! === tooBig).toBe(true);
      expect(pieces[3]).toBe('{"c":1}');
    });
  });
});

describe('JsonRecordSplitter', () => {
  describe('streaming', () => {
    const text =
      '\uFEFF{"s":"a \\" } { \\\\","n":[1,2,{"x":"😀€"}]}{"b":2}\r\n' +
      JSON.stringify({ p: { q: [1, { r: 'é' }] } }, null, 2) +
      '\n{"broken":1\n{"ok":"yes"}\nnot json\n[1,2]\n"str"\n';
    const expected = [
      '{"s":"a \\" } { \\\\","n":[1,2,{"x":"😀€"}]}',
      '{"b":2}',
      JSON.stringify({ p: { q: [1, { r: 'é' }] } }, null, 2),
      '{"broken":1',
      '{"ok":"yes"}',
      'not json',
      '[1,2]',
      '"str"',
    ];

    it.each([1, 2, 3, 5, 7, 13, 64, 1000])('gives the same pieces when fed in chunks of %i bytes', (size) => {
      // Arrange, Act
      const pieces = splitInChunks(text, size);
      // Assert
      expect(pieces).toEqual(expected);
    });

    it('emits each record as soon as it is complete', () => {
      // Arrange
      const splitter = new JsonRecordSplitter();
      // Act
      const push = (text: string) => splitter.push(Buffer.from(text)).map(String);
      const first = push('{"a":1}{"b"');
      const second = push(':2}\n42');
      const third = push('\n');
      const last = splitter.end();
      // Assert
      expect(first).toEqual(['{"a":1}']);
      expect(second).toEqual(['{"b":2}']);
      expect(third).toEqual(['42']);
      expect(last).toEqual([]);
    });

    it('cuts oversized pieces the same way when streamed', () => {
      // Arrange
      const big = `{"a":"${'x'.repeat(300)}"}`;
      // Act
      const pieces = splitInChunks(`{"z":0}\n${big}\n{"b":2}`, 7, 100);
      // Assert
      expect(pieces).toEqual(['{"z":0}', big.slice(0, 101), big.slice(101, 202), big.slice(202), '{"b":2}']);
    });

    it('handles many records in one large input', () => {
      // Arrange
      const records = Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"s":"${'y'.repeat(i % 50)}"}`);
      // Act
      const pieces = splitInChunks(records.join(''), 65_536);
      // Assert
      expect(pieces).toEqual(records);
    });
  });

  describe('fast path (jumps through strings) and general path agree', () => {
    // Records with everything the scan must stop at: quotes, escapes (an escaped backslash right
    // before a closing quote), brackets inside strings, raw newlines in strings, multi-byte text.
    const records = [
      '{"s":"plain text","n":[1,2,{"x":"y"}]}',
      '{"e":"\\\\","q":"say \\"hi\\" { [ ] }","u":"\\u007b"}',
      '{"m":"Zoë 😀 日本 €","k":{"é":"ü"}}',
      '["a",{"b":"}"},"\\\\\\""]',
      '"a top-level string with } and \\""',
    ];
    const text =
      records.join('') +
      '\n' +
      records.join('\r\n') +
      '\n{"open":"cut by a raw\nnewline","x":1}\n' +
      JSON.stringify({ p: { q: ['r', { s: 'é😀' }] } }, null, 2) +
      '\n{"broken":1\n{"last":"}"}';
    const expected = [
      ...records,
      ...records,
      // The raw newline closes the string; the record is still open, and the next line continues it.
      '{"open":"cut by a raw\nnewline","x":1}',
      JSON.stringify({ p: { q: ['r', { s: 'é😀' }] } }, null, 2),
      '{"broken":1',
      '{"last":"}"}',
    ];

    it.each([1, 2, 3, 4, 5, 6, 7, 11, 16, 31, 100, 10_000])(
      'splits a mixed input the same way in chunks of %i bytes',
      (size) => {
        // Arrange, Act
        const pieces = splitInChunks(text, size);
        // Assert
        expect(pieces).toEqual(expected);
      },
    );

    it('splits the same way when the size limit is just above the largest piece (general path near it)', () => {
      // Arrange: "😀" is 4 UTF-8 bytes, the rest of this 21-character piece ASCII: 23 bytes
      const piece = '{"a":"😀 \\" } ]"}';
      const input = `${piece}\n${piece}${piece}`;
      // Act
      const pieces = splitInChunks(input, 5, 23);
      // Assert
      expect(pieces).toEqual([piece, piece, piece]);
    });

    it.each([1, 2, 3, 4, 5, 9, 100])(
      'counts the bytes of a piece across chunks of %i characters and cuts it past the limit',
      (size) => {
        // Arrange: `{"s":"` is 6 bytes, each "é" 2: the 8th "é" takes the piece to 22 > 20 bytes
        const text = `{"s":"${'é'.repeat(24)}"}\n{"b":2}`;
        // Act
        const pieces = splitInChunks(text, size, 20);
        // Assert: then 11 "é" (22 bytes) make the next cut, and the 5-character rest joins it
        expect(pieces).toEqual([`{"s":"${'é'.repeat(8)}`, `${'é'.repeat(16)}"}`, '{"b":2}']);
      },
    );

    it.each([1, 7, 1000])(
      'keeps a piece of exactly maxRecordBytes and cuts a larger one, in chunks of %i bytes',
      (size) => {
        // Arrange: 6 + 20 + 2 = 28 bytes, then 6 + 22 + 2 = 30 bytes
        const fits = `{"a":"${'x'.repeat(20)}"}`;
        const tooBig = `{"a":"${'x'.repeat(22)}"}`;
        // Act
        const pieces = splitInChunks(`${fits}${tooBig}\n${fits}`, size, 28);
        // Assert: cut just past the limit, after the 29th byte; the 1-byte rest joins that part
        expect(pieces).toEqual([fits, tooBig, fits]);
      },
    );

    it('never cuts inside a UTF-8 character when streamed', () => {
      // Arrange: `{"s":"` is 6 bytes, each "😀" 4: the 4th "😀" passes 20 bytes
      const text = `{"s":"${'😀'.repeat(12)}"}\n{"b":2}`;
      // Act
      const pieces = splitInChunks(text, 3, 20);
      // Assert: 6 + 4 × 4 = 22 bytes, then 6 × 4 = 24 bytes, then the rest joins that part
      expect(pieces).toEqual([`{"s":"${'😀'.repeat(4)}`, `${'😀'.repeat(8)}"}`, '{"b":2}']);
    });
  });
});
