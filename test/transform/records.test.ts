import { readFileSync } from 'node:fs';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { parseRow, serializeRow, serializeRows, transformRecord } from '../../transform/src/records';
import { COLUMNS, emptyRow, type EventRow } from '../../transform/src/schema';

const DOCUMENTED = '/work/shared/fixtures/documented';
const documented = (file: string): string[] =>
  readFileSync(`${DOCUMENTED}/${file}.ndjson`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');

const [sesBounce, sesDelivery, sesSend] = documented('ses') as [string, string, string];
const [smsText] = documented('end-user-messaging') as [string];
const NOW = Date.parse('2026-11-28T12:00:00Z');
const options = { now: NOW, arrivalTime: Date.parse('2026-11-28T10:00:00Z') };

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** A row with every never-null column set, built by hand. */
function handRow(): EventRow {
  return {
    ...emptyRow(),
    event_id: '0123456789abcdef0123456789abcdef',
    source_format: 'ses',
    event_type: 'Send',
    event_name: 'email.send',
    event_time: Date.UTC(1999, 11, 31, 23, 59, 59, 5),
    time_source: 'event',
  } as EventRow;
}

describe('transformRecord', () => {
  describe('one event per record', () => {
    it('flattens a documented SES Send event into one row in its partition', () => {
      // Arrange
      const data = bytes(sesSend);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.partition).toEqual({ family: 'email', dt: '2016-10-14' });
      expect(result.rows).toHaveLength(1);
      expect(result.rows[0]).toMatchObject({
        source_format: 'ses',
        event_type: 'Send',
        event_name: 'email.send',
        event_time: Date.parse('2016-10-14T05:02:16.645Z'),
        time_source: 'event',
        message_id: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        raw: sesSend,
      });
      expect(result.diagnostics).toEqual([{ dtFallback: false, unknownType: false, caseCollisions: 0 }]);
    });

    it.each([
      ['an object', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
      ['an array', (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`],
    ])(
      'fails one event with a field of %s nested 100,000 deep as too_deeply_nested, not the process',
      (_, nested) => {
        // Arrange: a documented event with one extra field nested far past any stack
        const deep = `${smsText.slice(0, smsText.lastIndexOf('}'))},"deep":${nested(100_000)}}`;
        // Act
        const result = transformRecord(bytes(deep), options);
        // Assert
        expect(result).toMatchObject({ ok: false, reason: 'too_deeply_nested' });
        expect(transformRecord(bytes(smsText), options).ok).toBe(true);
      },
    );

    it('says a top-level null is null, not an object', () => {
      // Act
      const result = transformRecord(bytes('null'), options);
      // Assert
      expect(result).toMatchObject({
        ok: false,
        reason: 'not_an_object',
        message: 'the record is a JSON null, not an object',
      });
    });

    it('tolerates a leading byte-order mark and gives the same event id', () => {
      // Arrange
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(sesSend)]);
      // Act
      const plain = transformRecord(bytes(sesSend), options);
      const bommed = transformRecord(withBom, options);
      // Assert
      expect(bommed.ok && plain.ok).toBe(true);
      if (!bommed.ok || !plain.ok) return;
      expect(bommed.rows[0]!.event_id).toBe(plain.rows[0]!.event_id);
    });

    it('tolerates a trailing newline (SES adds one to every record)', () => {
      // Arrange, Act
      const result = transformRecord(bytes(`${sesSend}\n`), options);
      // Assert
      expect(result.ok && result.rows.length).toBe(1);
    });

    it('omits raw when includeRaw is false', () => {
      // Arrange, Act
      const result = transformRecord(bytes(sesSend), { ...options, includeRaw: false });
      // Assert
      expect(result.ok && result.rows[0]!.raw).toBeNull();
    });
  });

  describe('failures', () => {
    it.each([
      ['not JSON', 'invalid_json', '{"eventType":"Send",'],
      ['an empty record', 'invalid_json', ''],
      ['a white-space-only record', 'invalid_json', ' \r\n '],
      ['a JSON array', 'not_an_object', '[{"eventType":"Send"}]'],
      ['a JSON number', 'not_an_object', '42'],
      ['JSON in no known format', 'unknown_format', '{"hello":"world"}'],
      [
        'an SES event with no timestamp and no arrival time',
        'missing_timestamp',
        '{"eventType":"Send","mail":{"messageId":"m-1"}}',
      ],
    ])('fails %s with %s', (_name, reason, text) => {
      // Arrange, Act
      const result = transformRecord(bytes(text), { now: NOW, arrivalTime: null });
      // Assert
      expect(result).toEqual({ ok: false, reason, message: expect.any(String) });
    });

    it.each([
      ['a stray 0xFF byte', [0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]],
      ['a truncated two-byte sequence', [0x7b, 0x22, 0xc3, 0x22, 0x7d]],
      ['an encoded surrogate (CESU-8)', [0x22, 0xed, 0xa0, 0x80, 0x22]],
      ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ])('fails %s as invalid_utf8', (_name, raw) => {
      // Arrange, Act
      const result = transformRecord(Buffer.from(raw), options);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'invalid_utf8' });
    });

    it('accepts a record of exactly 1,000 KiB and fails one byte more as record_too_large', () => {
      // Arrange: pad a valid event with trailing spaces
      const exact = bytes(sesSend.padEnd(1000 * 1024, ' '));
      const over = bytes(sesSend.padEnd(1000 * 1024 + 1, ' '));
      // Act
      const fits = transformRecord(exact, options);
      const tooLarge = transformRecord(over, options);
      // Assert
      expect(exact.byteLength).toBe(MAX_RECORD_BYTES);
      expect(fits.ok).toBe(true);
      expect(tooLarge).toMatchObject({ ok: false, reason: 'record_too_large' });
    });
  });

  describe('several events in one record', () => {
    it('returns one row per event when they share a partition', () => {
      // Arrange: Delivery (2016-10-19) twice, newline-delimited and concatenated
      const data = bytes(`${sesDelivery}\n${sesDelivery}${sesDelivery}`);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.partition).toEqual({ family: 'email', dt: '2016-10-19' });
      expect(result.rows.map((r) => r.event_name)).toEqual([
        'email.delivered',
        'email.delivered',
        'email.delivered',
      ]);
      expect(result.diagnostics).toHaveLength(3);
    });

    it('fails with mixed_partitions when the events fall on different days', () => {
      // Arrange: Send (2016-10-14) then Bounce (2017-08-05)
      const data = bytes(`${sesSend}\n${sesBounce}\n`);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'mixed_partitions' });
    });

    it('fails with mixed_partitions when the events are of different families', () => {
      // Arrange: an email and an SMS event
      const data = bytes(`${sesSend}${smsText}`);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'mixed_partitions' });
    });

    it("fails the whole record with the first bad event's reason", () => {
      // Arrange
      const data = bytes(`${sesSend}\n[1,2]\n${sesSend}`);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result).toEqual({
        ok: false,
        reason: 'not_an_object',
        message: expect.stringMatching(/^event 2 of 3: /),
      });
    });

    it('keeps a broken line from swallowing the good event after it', () => {
      // Arrange
      const data = bytes(`{"eventType":"Send"\n${sesSend}`);
      // Act
      const result = transformRecord(data, options);
      // Assert
      expect(result).toMatchObject({
        ok: false,
        reason: 'invalid_json',
        message: expect.stringMatching(/^event 1 of 2: /),
      });
    });
  });
});

describe('serializeRow', () => {
  describe('format for the Parquet conversion', () => {
    it('writes timestamps as yyyy-MM-ddTHH:mm:ss.SSSZ, including before 2001', () => {
      // Arrange
      const row = { ...handRow(), arrival_time: 0, session_start_time: Date.UTC(2026, 10, 28, 9, 5, 7, 120) };
      // Act
      const json = JSON.parse(serializeRow(row));
      // Assert
      expect(json.event_time).toBe('1999-12-31T23:59:59.005Z');
      expect(json.arrival_time).toBe('1970-01-01T00:00:00.000Z');
      expect(json.session_start_time).toBe('2026-11-28T09:05:07.120Z');
    });

    it('omits null columns and keeps maps, arrays, numbers and booleans as JSON values', () => {
      // Arrange
      const row: EventRow = {
        ...handRow(),
        recipients: ['a@example.com', 'b@example.com'],
        attributes: { Campaign: 'x', Source: 'y' },
        metrics: { 'Price.Total': 1.5 },
        message_parts: 2,
        price_usd: 0.00645,
        is_bot: false,
      };
      // Act
      const text = serializeRow(row);
      // Assert
      expect(JSON.parse(text)).toEqual({
        event_id: '0123456789abcdef0123456789abcdef',
        source_format: 'ses',
        event_type: 'Send',
        event_name: 'email.send',
        event_time: '1999-12-31T23:59:59.005Z',
        time_source: 'event',
        recipients: ['a@example.com', 'b@example.com'],
        attributes: { Campaign: 'x', Source: 'y' },
        metrics: { 'Price.Total': 1.5 },
        message_parts: 2,
        price_usd: 0.00645,
        is_bot: false,
      });
    });

    it('writes only lower-case schema column names, in schema order', () => {
      // Arrange
      const result = transformRecord(bytes(sesBounce), options);
      if (!result.ok) throw new Error('fixture must transform');
      // Act
      const keys = Object.keys(JSON.parse(serializeRow(result.rows[0]!)));
      // Assert
      const order = COLUMNS.map((c) => c.name as string);
      expect(keys.every((k) => /^[a-z][a-z0-9_]*$/.test(k))).toBe(true);
      expect(keys.map((k) => order.indexOf(k))).toEqual(
        [...keys.map((k) => order.indexOf(k))].sort((a, b) => a - b),
      );
      expect(keys).toEqual(expect.arrayContaining(['event_id', 'event_time', 'bounce_type', 'raw']));
    });
  });

  describe('serializeRows', () => {
    it('writes one JSON object per line, each ending in a newline', () => {
      // Arrange
      const rows = [handRow(), { ...handRow(), event_type: 'Delivery', event_name: 'email.delivered' }];
      // Act
      const text = serializeRows(rows);
      // Assert
      const lines = text.split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[2]).toBe('');
      expect(JSON.parse(lines[1]!).event_name).toBe('email.delivered');
    });
  });
});

describe('parseRow', () => {
  describe('round trip', () => {
    it('reads back every documented event exactly as serialized', () => {
      // Arrange
      const rows = ['ses', 'app', 'email', 'sms', 'end-user-messaging', 'campaign', 'journey']
        .flatMap(documented)
        .map((line) => transformRecord(bytes(line), options))
        .flatMap((result) => (result.ok ? result.rows : []));
      // Act
      const back = rows.map((row) => parseRow(serializeRow(row)));
      // Assert
      expect(rows.length).toBe(19);
      expect(back).toEqual(rows);
    });

    it('turns missing columns into nulls and ignores unknown keys', () => {
      // Arrange
      const text =
        '{"event_id":"e","source_format":"ses","event_type":"Send","event_name":"email.send",' +
        '"event_time":"2016-10-14T05:02:16.645Z","time_source":"event","not_a_column":1}';
      // Act
      const row = parseRow(text);
      // Assert
      expect(row.event_time).toBe(Date.UTC(2016, 9, 14, 5, 2, 16, 645));
      expect(row.arrival_time).toBeNull();
      expect(row.tags).toBeNull();
      expect('not_a_column' in row).toBe(false);
    });
  });

  describe('errors', () => {
    it.each([
      ['text that is not JSON', '{', /not valid JSON/],
      ['a JSON array', '[]', /not a JSON object/],
      ['a missing never-null column', '{"event_id":"e"}', /has no 'source_format'/],
      [
        'a wrongly typed column',
        serializeRow(handRow()).replace('"event_type":"Send"', '"event_type":7'),
        /'event_type' is not a valid string/,
      ],
      [
        'a bad timestamp',
        serializeRow(handRow()).replace('1999-12-31T23:59:59.005Z', 'yesterday'),
        /'event_time' is not a valid timestamp/,
      ],
      [
        'a map with a non-number metric',
        serializeRow({ ...handRow(), metrics: { a: 1 } }).replace('"a":1', '"a":"1"'),
        /'metrics'/,
      ],
    ])('throws on %s', (_name, text, message) => {
      // Arrange, Act, Assert
      expect(() => parseRow(text)).toThrow(message);
    });
  });
});
