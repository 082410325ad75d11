import { appendFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ingest } from '../../local/src/ingest';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';

const FIXTURES = ['app', 'campaign', 'email', 'end-user-messaging', 'journey', 'ses', 'sms'];
const SES_MESSAGE_ID = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000';

async function sesLines(): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).split('\n').filter((l) => l.trim() !== '');
}

describe('ingest', () => {
  describe('documented events', () => {
    it('writes every documented example as a row that DuckDB reads back value by value', async () => {
      // Arrange
      const lake = await tempDir();
      const inputs = FIXTURES.map((name) => join(DOCUMENTED, `${name}.ndjson`));

      // Act
      const summary = await ingest({ inputs, lake });

      // Assert
      expect(summary).toMatchObject({ records: 19, okRecords: 19, failedRecords: 0, rows: 19, failed: {} });
      const [bounce] = await duckdbRows(
        eventsSql(
          lake,
          `family, dt, event_type, event_name, source_format, message_id, bounce_type, bounce_subtype,
           tags['ses:configuration-set'] as config_set, strftime(event_time at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%g') as event_time,
           arrival_time, affected_recipients, account_id, time_source`,
          `event_type = 'Bounce'`,
        ),
      );
      expect(bounce).toEqual({
        family: 'email',
        dt: '2017-08-05',
        event_type: 'Bounce',
        event_name: 'email.hard_bounce',
        source_format: 'ses',
        message_id: SES_MESSAGE_ID,
        bounce_type: 'Permanent',
        bounce_subtype: 'General',
        config_set: 'ConfigSet',
        event_time: '2017-08-05T00:41:02.669',
        arrival_time: null,
        affected_recipients: ['recipient@example.com'],
        account_id: '123456789012',
        time_source: 'event',
      });
    });

    it('reads End User Messaging numbers, booleans and the context map back with their types', async () => {
      // Arrange
      const lake = await tempDir();

      // Act
      await ingest({ inputs: [join(DOCUMENTED, 'end-user-messaging.ndjson')], lake });

      // Assert
      const rows = await duckdbRows(
        eventsSql(
          lake,
          `family, dt, event_name, message_id, price_usd, carrier_fee_usd, message_parts, is_final, tags, origination,
           epoch_ms(event_time)::double as event_ms`,
          `message_id = '862a8790-60c0-4430-9b2b-658bdexample'`,
        ),
      );
      expect(rows).toEqual([
        {
          family: 'sms',
          dt: '2023-06-17',
          event_name: 'sms.delivered',
          message_id: '862a8790-60c0-4430-9b2b-658bdexample',
          price_usd: 0.09582,
          carrier_fee_usd: 0,
          message_parts: 1,
          is_final: true,
          tags: [{ key: 'account', value: 'bar' }],
          origination: '+12065550152',
          event_ms: 1686975103470,
        },
      ]);
    });

    it('keeps the Pinpoint app session times and arrival time as UTC timestamps', async () => {
      // Arrange
      const lake = await tempDir();

      // Act
      await ingest({ inputs: [join(DOCUMENTED, 'app.ndjson')], lake });

      // Assert
      const rows = await duckdbRows(
        eventsSql(
          lake,
          `family, dt, event_name, session_id, epoch_ms(session_start_time)::double as start_ms, epoch_ms(arrival_time)::double as arrival_ms,
           typeof(event_time) as event_time_type, attributes, metrics`,
        ),
      );
      expect(rows).toEqual([
        {
          family: 'app',
          dt: '2017-02-24',
          event_name: 'app.session_stop',
          session_id: 'f549dea9-1090-945d-c3d1-e4967example',
          start_ms: 1487973202531,
          arrival_ms: 1487973803515,
          event_time_type: 'TIMESTAMP WITH TIME ZONE',
          attributes: null,
          metrics: null,
        },
      ]);
    });
  });

  describe('inputs', () => {
    it('reads gzip files by their magic bytes, whatever their name', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const text = await readFile(join(DOCUMENTED, 'ses.ndjson'));
      await writeFile(join(dir, 'ses.data'), gzipSync(text));

      // Act
      const summary = await ingest({ inputs: [join(dir, 'ses.data')], lake });

      // Assert
      expect(summary).toMatchObject({ records: 5, rows: 5, failedRecords: 0 });
      const [{ n }] = await duckdbRows(
        eventsSql(lake, 'count(*)::int as n', `message_id = '${SES_MESSAGE_ID}'`),
      );
      expect(n).toBe(5); // the five SES examples share one message id
    });

    it('walks folders recursively and skips hidden files', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      await mkdir(join(dir, 'a', 'b'), { recursive: true });
      await copyFile(join(DOCUMENTED, 'ses.ndjson'), join(dir, 'a', 'b', 'ses.ndjson'));
      await copyFile(join(DOCUMENTED, 'sms.ndjson'), join(dir, 'sms.ndjson'));
      await writeFile(join(dir, '.hidden'), 'not json');

      // Act
      const summary = await ingest({ inputs: [dir], lake });

      // Assert
      expect(summary).toMatchObject({ inputs: 2, records: 7, rows: 7, failedRecords: 0 });
    });

    it('reads stdin when the input is -', async () => {
      // Arrange
      const lake = await tempDir();
      const lines = await sesLines();
      const stdin = Readable.from([lines.slice(0, 2).join('\n'), '\n', lines[2] + '\n']);

      // Act
      const summary = await ingest({ inputs: ['-'], lake, stdin });

      // Assert
      expect(summary).toMatchObject({ records: 3, rows: 3, failedRecords: 0 });
    });

    it('splits concatenated JSON objects with no separator, as Firehose writes raw records', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      await writeFile(join(dir, 'raw'), (await sesLines()).join(''));

      // Act
      const summary = await ingest({ inputs: [join(dir, 'raw')], lake });

      // Assert
      expect(summary).toMatchObject({ records: 5, rows: 5, failedRecords: 0 });
    });

    it('takes the arrival time from a Firehose object name and writes it to every row', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const name = 'engagement-stream-1-2024-03-09-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c.gz';
      await writeFile(join(dir, name), gzipSync(await readFile(join(DOCUMENTED, 'ses.ndjson'))));

      // Act
      await ingest({ inputs: [join(dir, name)], lake });

      // Assert
      const rows = await duckdbRows(eventsSql(lake, `distinct epoch_ms(arrival_time)::double as arrival_ms`));
      expect(rows).toEqual([{ arrival_ms: Date.UTC(2024, 2, 9, 17, 5, 42) }]);
    });

    it('reports zero records for an empty file and writes only its checkpoint marker', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      await writeFile(join(dir, 'empty.ndjson'), '\n\n');

      // Act
      const summary = await ingest({ inputs: [join(dir, 'empty.ndjson')], lake });

      // Assert
      expect(summary).toMatchObject({ records: 0, rows: 0, files: 0, errorFiles: 0 });
      expect(await listFiles(lake)).toEqual([
        expect.stringMatching(/^_ingested\/file\/.*\/empty\.ndjson\/@size-2-mtime-\d+\.json$/),
      ]);
    });

    it('reads a source named twice (a folder and a file in it) once', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const file = join(dir, 'ses.ndjson');
      await copyFile(join(DOCUMENTED, 'ses.ndjson'), file);
      const lake = await tempDir();

      // Act
      const summary = await ingest({ inputs: [dir, file, file], lake });

      // Assert
      const lines = await sesLines();
      expect(summary).toMatchObject({ inputs: 1, objectsRead: 1, records: lines.length });
      const [counts] = await duckdbRows(
        eventsSql(lake, 'count(*)::int as n, count(distinct event_id)::int as ids'),
      );
      expect(counts).toEqual({ n: lines.length, ids: lines.length });
    });

    it('refuses stdin mixed with other inputs, which could not be resumed without reading twice', async () => {
      // Arrange
      const lake = await tempDir();

      // Act
      const run = ingest({ inputs: ['-', join(DOCUMENTED, 'ses.ndjson')], lake, stdin: Readable.from([]) });

      // Assert
      await expect(run).rejects.toThrow(
        new UserInputError("'-' (stdin) cannot be mixed with other inputs; ingest it in a run of its own"),
      );
      expect(await listFiles(lake)).toEqual([]);
    });

    it('throws a one-line UserInputError for a missing file before writing anything', async () => {
      // Arrange
      const lake = await tempDir();

      // Act
      const run = ingest({ inputs: ['/no/such/x.ndjson'], lake });

      // Assert
      await expect(run).rejects.toThrow(UserInputError);
      await expect(run).rejects.toThrow(
        "cannot read '/no/such/x.ndjson': no such file; pass NDJSON files, .gz files, folders, s3://bucket/prefix/ or -",
      );
      expect(await listFiles(lake)).toEqual([]);
    });
  });

  describe('options', () => {
    it('leaves raw null with includeRaw false and keeps every other column', async () => {
      // Arrange
      const lake = await tempDir();
      const input = join(DOCUMENTED, 'ses.ndjson');

      // Act
      await ingest({ inputs: [input], lake, includeRaw: false });

      // Assert
      const rows = await duckdbRows(
        eventsSql(lake, 'count(*)::int as n, count(raw)::int as raws, count(message_id)::int as ids'),
      );
      expect(rows).toEqual([{ n: 5, raws: 0, ids: 5 }]);
    });
  });

  describe('lake folder', () => {
    it('throws a one-line UserInputError when the lake is a file, before reading', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = join(dir, 'lake');
      await writeFile(lake, 'not a folder');

      // Act
      const run = ingest({ inputs: [join(DOCUMENTED, 'sms.ndjson')], lake });

      // Assert
      await expect(run).rejects.toThrow(
        `cannot write to the lake folder '${lake}': not a folder; pass a writable folder with --lake`,
      );
    });
  });

  describe('counts and failures', () => {
    it('counts every record once: ok plus failed by reason equals records', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const [bounce, delivery] = await sesLines();
      const input = [
        bounce,
        '{"not":"an event"}',
        '{"eventType": "Send", "mail": {',
        delivery,
        '[1,2]',
        'garbage',
        '',
      ].join('\n');
      await writeFile(join(dir, 'mixed.ndjson'), input);

      // Act
      const summary = await ingest({ inputs: [join(dir, 'mixed.ndjson')], lake });

      // Assert
      expect(summary).toMatchObject({
        records: 6,
        okRecords: 2,
        failedRecords: 4,
        rows: 2,
        failed: { unknown_format: 1, invalid_json: 2, not_an_object: 1 },
      });
      expect(summary.okRecords + summary.failedRecords).toBe(summary.records);
      const failedTotal = Object.values(summary.failed).reduce((a, b) => a + b, 0);
      expect(failedTotal).toBe(summary.failedRecords);
    });

    it('fails a record over 1,000 KiB as record_too_large and goes on with the next line', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const [bounce] = await sesLines();
      const huge = `{"eventType":"Send","pad":"${'x'.repeat(1000 * 1024)}"}`;
      await writeFile(join(dir, 'big.ndjson'), `${huge}\n${bounce}\n`);

      // Act
      const summary = await ingest({ inputs: [join(dir, 'big.ndjson')], lake });

      // Assert
      expect(summary).toMatchObject({
        records: 2,
        okRecords: 1,
        failedRecords: 1,
        failed: { record_too_large: 1 },
      });
    });

    it('fails a line that is not UTF-8 as invalid_utf8 and keeps its exact bytes, as the Lambda would', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const [bounce] = await sesLines();
      const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]); // {"a":"\xc3("}
      await writeFile(join(dir, 'bad.ndjson'), Buffer.concat([bad, Buffer.from(`\n${bounce}\n`)]));

      // Act
      const summary = await ingest({ inputs: [join(dir, 'bad.ndjson')], lake });

      // Assert
      expect(summary).toMatchObject({ records: 2, okRecords: 1, failed: { invalid_utf8: 1 } });
      const [errorFile] = (await listFiles(lake)).filter((f) => f.startsWith('errors/'));
      const doc = JSON.parse(await readFile(join(lake, errorFile), 'utf8'));
      expect(Buffer.from(doc.rawData, 'base64')).toEqual(bad);
    });

    it('reads multi-byte UTF-8 and a leading byte-order mark unchanged', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const [bounce] = await sesLines();
      const line = bounce.replace('Sender Name', 'Zoë ✓ 名前');
      await writeFile(
        join(dir, 'bom.ndjson'),
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line + '\n')]),
      );

      // Act
      const summary = await ingest({ inputs: [join(dir, 'bom.ndjson')], lake });

      // Assert
      expect(summary).toMatchObject({ records: 1, okRecords: 1 });
      const [row] = await duckdbRows(eventsSql(lake, 'raw'));
      expect(row.raw).toBe(line);
    });

    it('writes each failure as a Firehose processing-failed document whose rawData decodes to the original bytes', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      const name = 'stream-1-2024-03-09-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c';
      await writeFile(join(dir, name), '{"hello":"wörld"}\n');

      // Act
      await ingest({ inputs: [join(dir, name)], lake });

      // Assert
      const files = (await listFiles(lake)).filter((f) => f.startsWith('errors/'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(
        /^errors\/processing-failed\/2024\/03\/09\/17\/part-[0-9A-Z]{26}-000001\.ndjson$/,
      );
      const lines = (await readFile(join(lake, files[0]), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      const doc = JSON.parse(lines[0]);
      expect(Object.keys(doc)).toEqual([
        'attemptsMade',
        'arrivalTimestamp',
        'errorCode',
        'errorMessage',
        'attemptEndingTimestamp',
        'rawData',
        'lambdaArn',
      ]);
      expect(doc).toMatchObject({
        attemptsMade: 1,
        arrivalTimestamp: Date.UTC(2024, 2, 9, 17, 5, 42),
        errorCode: 'unknown_format',
        lambdaArn: 'local',
      });
      expect(typeof doc.attemptEndingTimestamp).toBe('number');
      expect(Buffer.from(doc.rawData, 'base64').toString('utf8')).toBe('{"hello":"wörld"}');
    });

    it('files failures without an arrival time under the hour the run started', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const lake = await tempDir();
      await writeFile(join(dir, 'bad.ndjson'), 'nope\n');
      const start = Date.UTC(2026, 10, 28, 9, 30, 0);

      // Act
      await ingest({ inputs: [join(dir, 'bad.ndjson')], lake, clock: () => start });

      // Assert
      const files = (await listFiles(lake)).filter((f) => !f.startsWith('_ingested/'));
      expect(files).toEqual([
        expect.stringMatching(/^errors\/processing-failed\/2026\/11\/28\/09\/part-.*\.ndjson$/),
      ]);
    });
  });

  describe('idempotence', () => {
    it('gives identical rows when the same input is ingested twice, in files that do not collide', async () => {
      // Arrange
      const lake = await tempDir();
      const input = join(DOCUMENTED, 'ses.ndjson');

      // Act
      await ingest({ inputs: [input], lake });
      await ingest({ inputs: [input], lake, restart: true });

      // Assert
      const files = (await listFiles(lake)).filter((f) => f.endsWith('.parquet'));
      expect(new Set(files).size).toBe(files.length);
      const rows = await duckdbRows(
        eventsSql(
          lake,
          "event_id, count(*)::int as copies, count(distinct raw || coalesce(arrival_time::varchar, ''))::int as variants",
        ) + ' group by event_id',
      );
      expect(rows).toHaveLength(5);
      for (const row of rows) expect(row).toMatchObject({ copies: 2, variants: 1 });
    });
  });

  describe('checkpoint', () => {
    it('does not mark a file done that changed while it was read, so the next run reads it again', async () => {
      // Arrange: a file that grows by one event while the run reads it
      const lake = await tempDir();
      const input = join(await tempDir('changing-'), 'growing.ndjson');
      const lines = await sesLines();
      await writeFile(input, `${lines.slice(0, 3).join('\n')}\n`);
      let appended = false;
      const onProgress = () => {
        if (!appended) appendFileSync(input, `${lines[3]}\n`);
        appended = true;
      };

      // Act
      const first = await ingest({ inputs: [input], lake, onProgress });
      const second = await ingest({ inputs: [input], lake });

      // Assert
      expect(first.changedDuringRead).toEqual([input]);
      expect((await listFiles(join(lake, '_ingested'))).filter((f) => f.includes('@size-'))).toHaveLength(1);
      expect(second).toMatchObject({ objectsRead: 1, objectsSkipped: 0, records: 4 });
      expect(second.changedDuringRead).toBeUndefined();
      const third = await ingest({ inputs: [input], lake });
      expect(third).toMatchObject({ objectsRead: 0, objectsSkipped: 1 });
    });

    it('checkpoints a file whose URL-encoded name is longer than a file name may be', async () => {
      // Arrange: 247 bytes on disk, 727 characters once encoded for the marker
      const lake = await tempDir();
      const input = join(await tempDir('long-name-'), `${'é '.repeat(80)}.ndjson`);
      await copyFile(join(DOCUMENTED, 'ses.ndjson'), input);

      // Act
      const first = await ingest({ inputs: [input], lake });
      const second = await ingest({ inputs: [input], lake });

      // Assert
      expect(first).toMatchObject({ objectsRead: 1, records: 5 });
      expect(second).toMatchObject({ objectsRead: 0, objectsSkipped: 1 });
    });
  });
});
