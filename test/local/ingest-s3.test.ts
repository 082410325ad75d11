import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ingest } from '../../local/src/ingest';
import { planIngest } from '../../local/src/ingest-plan';
import { FolderSink, openLakeSink, type LakeSink } from '../../local/src/lake-sink';
import { listS3Sources } from '../../local/src/s3-input';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

let s3: TestS3;
let bucketSeq = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.stop());

/** A new bucket for one test, holding these objects. */
async function bucketWith(objects: Record<string, string | Buffer>): Promise<string> {
  const bucket = `archive-${++bucketSeq}`;
  await s3.createBucket(bucket);
  for (const [key, body] of Object.entries(objects)) {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
  }
  return bucket;
}

async function lines(name: string): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, name), 'utf8')).split('\n').filter((l) => l.trim() !== '');
}

/** Every object of an S3 lake, key → bytes. */
async function lakeObjects(sink: LakeSink, prefix: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const object of sink.list(prefix))
    out.set(object.key, Buffer.from((await sink.get(object.key))!));
  return out;
}

/** Error documents without the one wall-clock field (when the attempt ended). */
function errorDocs(body: Buffer): unknown[] {
  return body
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => ({ ...JSON.parse(line), attemptEndingTimestamp: 0 }));
}

const FIREHOSE_KEY =
  '2024/03/09/17/engagement-stream-1-2024-03-09-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c.gz';

describe('ingest from S3', () => {
  describe('listing', () => {
    it('reads every page of a prefix in key order, skipping folder markers', async () => {
      // Arrange
      const keys = [
        'p/a.ndjson',
        'p/b/',
        'p/b/c.ndjson',
        'p/d.ndjson',
        'p/e.ndjson',
        'p/f.ndjson',
        'q/x.ndjson',
      ];
      const bucket = await bucketWith(
        Object.fromEntries(keys.map((k) => [k, k.endsWith('/') ? '' : '{}\n'])),
      );

      // Act: two keys a page, so the listing takes four pages
      const sources = await listS3Sources(s3.client, `s3://${bucket}/p/`, { pageSize: 2 });

      // Assert
      expect(sources.map((s) => s.key)).toEqual([
        'p/a.ndjson',
        'p/b/c.ndjson',
        'p/d.ndjson',
        'p/e.ndjson',
        'p/f.ndjson',
      ]);
      expect(sources[0]).toMatchObject({
        kind: 's3',
        bucket,
        size: 3,
        etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    });

    it('takes s3://bucket/key as that one object, and a name without a slash as a folder otherwise', async () => {
      // Arrange
      const bucket = await bucketWith({ 'day/1': '{}', 'day/10': '{}', 'logs/a': '{}', 'logs-old/b': '{}' });

      // Act
      const one = await listS3Sources(s3.client, `s3://${bucket}/day/1`);
      const folder = await listS3Sources(s3.client, `s3://${bucket}/logs`);

      // Assert
      expect(one.map((s) => s.key)).toEqual(['day/1']);
      expect(folder.map((s) => s.key)).toEqual(['logs/a']);
    });
  });

  describe('reading', () => {
    it('reads plain and gzip objects, NDJSON and concatenated JSON, across listing pages', async () => {
      // Arrange
      const ses = await lines('ses.ndjson');
      const sms = await lines('sms.ndjson');
      const bucket = await bucketWith({
        'in/1-plain.ndjson': `${ses.join('\n')}\n`,
        'in/2-gzip.data': gzipSync(`${sms.join('\n')}\n`),
        'in/3-concatenated': ses.join(''),
        'in/4-concatenated.gz': gzipSync(sms.join('')),
      });
      const lake = await tempDir();

      // Act
      const summary = await ingest({
        inputs: [`s3://${bucket}/in/`],
        lake,
        s3: { endpoint: s3.endpoint },
        listPageSize: 1,
      });

      // Assert
      const expected = 2 * (ses.length + sms.length);
      expect(summary).toMatchObject({
        inputs: 4,
        objectsRead: 4,
        records: expected,
        rows: expected,
        failedRecords: 0,
      });
      const [{ n }] = await duckdbRows(eventsSql(lake, 'count(distinct raw)::int as n'));
      expect(n).toBe(ses.length + sms.length);
    });

    it('takes the arrival time from a Firehose object key', async () => {
      // Arrange
      const bucket = await bucketWith({
        [FIREHOSE_KEY]: gzipSync(`${(await lines('ses.ndjson')).join('\n')}\n`),
      });
      const lake = await tempDir();

      // Act
      await ingest({ inputs: [`s3://${bucket}/2024/`], lake, s3: { endpoint: s3.endpoint }, workers: 0 });

      // Assert
      const rows = await duckdbRows(eventsSql(lake, 'distinct epoch_ms(arrival_time)::double as arrival_ms'));
      expect(rows).toEqual([{ arrival_ms: Date.UTC(2024, 2, 9, 17, 5, 42) }]);
    });
  });

  describe('into an S3 lake', () => {
    it('writes the same keys and bytes as a folder lake, error output included', async () => {
      // Arrange
      const ses = await lines('ses.ndjson');
      const bucket = await bucketWith({
        [FIREHOSE_KEY]: gzipSync(`${ses.join('\n')}\nnot json\n{"unknown":true}\n`),
        'more/sms.ndjson': `${(await lines('sms.ndjson')).join('\n')}\n{"half":`,
      });
      await s3.createBucket(`lake-${bucketSeq}`);
      const lakeUrl = `s3://lake-${bucketSeq}/engagement/`;
      const folder = await tempDir();
      const common = {
        inputs: [`s3://${bucket}/`],
        s3: { endpoint: s3.endpoint },
        workers: 0,
        runId: '01JDXR0000000000000000TEST',
        clock: () => Date.UTC(2026, 10, 28, 9, 30),
      };

      // Act
      const onS3 = await ingest({ ...common, lake: lakeUrl });
      const inFolder = await ingest({ ...common, lake: folder });

      // Assert
      expect(onS3).toMatchObject({
        records: inFolder.records,
        rows: inFolder.rows,
        failedRecords: 3,
        lake: lakeUrl,
      });
      const s3Lake = openLakeSink(lakeUrl, { endpoint: s3.endpoint });
      const folderLake = new FolderSink(folder);
      const s3Events = await lakeObjects(s3Lake, 'events/');
      expect(s3Events.size).toBeGreaterThan(1);
      expect(s3Events).toEqual(await lakeObjects(folderLake, 'events/'));
      const s3Errors = await lakeObjects(s3Lake, 'errors/');
      const folderErrors = await lakeObjects(folderLake, 'errors/');
      expect([...s3Errors.keys()]).toEqual([...folderErrors.keys()]);
      expect([...s3Errors.keys()]).toEqual([
        expect.stringMatching(
          /^errors\/processing-failed\/2024\/03\/09\/17\/part-01JDXR0000000000000000TEST-\d{6}\.ndjson$/,
        ),
        expect.stringMatching(
          /^errors\/processing-failed\/2026\/11\/28\/09\/part-01JDXR0000000000000000TEST-\d{6}\.ndjson$/,
        ),
      ]);
      for (const [key, body] of s3Errors) expect(errorDocs(body)).toEqual(errorDocs(folderErrors.get(key)!));
      const [first] = errorDocs(s3Errors.values().next().value!) as Record<string, unknown>[];
      expect(first).toMatchObject({
        attemptsMade: 1,
        arrivalTimestamp: Date.UTC(2024, 2, 9, 17, 5, 42),
        errorCode: 'invalid_json',
        rawData: Buffer.from('not json').toString('base64'),
        lambdaArn: 'local',
      });
    });
  });

  describe('the checkpoint', () => {
    it('checkpoints an object with a 1,000-byte key under a key S3 accepts, and skips it next time', async () => {
      // Arrange: four 199-byte folders and a 200-byte name; a lake under a 100-byte prefix
      const key = `${['a', 'b', 'c', 'd'].map((c) => c.repeat(199)).join('/')}/${'e'.repeat(193)}.ndjson`;
      const bucket = await bucketWith({ [key]: `${(await lines('sms.ndjson')).join('\n')}\n` });
      await s3.createBucket(`${bucket}-lake`);
      const lake = `s3://${bucket}-lake/${'p'.repeat(99)}/`;
      const options = { inputs: [`s3://${bucket}/${key}`], lake, s3: { endpoint: s3.endpoint }, workers: 0 };

      // Act
      const first = await ingest(options);
      const second = await ingest(options);

      // Assert
      expect(Buffer.byteLength(key)).toBe(1000);
      expect(first).toMatchObject({ objectsRead: 1, failedRecords: 0 });
      expect(second).toMatchObject({ objectsRead: 0, objectsSkipped: 1 });
      const keys = [...(await lakeObjects(openLakeSink(lake, { endpoint: s3.endpoint }), '')).keys()];
      expect(keys.filter((k) => k.startsWith('_ingested/'))).toHaveLength(1);
      for (const k of keys) expect(Buffer.byteLength(`${'p'.repeat(99)}/${k}`)).toBeLessThanOrEqual(1024);
    });

    it('skips objects already in the lake, reads a replaced one again, and reads all with restart', async () => {
      // Arrange
      const sms = `${(await lines('sms.ndjson')).join('\n')}\n`;
      const bucket = await bucketWith({ 'a.ndjson': sms, 'b.ndjson': sms });
      const lake = await tempDir();
      const options = { inputs: [`s3://${bucket}/`], lake, s3: { endpoint: s3.endpoint }, workers: 0 };
      const first = await ingest(options);

      // Act
      const again = await ingest(options);
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'b.ndjson', Body: `${sms}${sms}` }));
      const afterReplace = await ingest(options);
      const restarted = await ingest({ ...options, restart: true });

      // Assert
      expect(first).toMatchObject({ objectsRead: 2, objectsSkipped: 0, records: 4 });
      expect(again).toMatchObject({ objectsRead: 0, objectsSkipped: 2, records: 0, files: 0, commits: 0 });
      expect(afterReplace).toMatchObject({ objectsRead: 1, objectsSkipped: 1, records: 4 });
      expect(restarted).toMatchObject({ objectsRead: 2, objectsSkipped: 0, records: 6 });
      const markers = (await listFiles(lake)).filter((f) => f.startsWith('_ingested/'));
      expect(markers).toEqual([
        expect.stringMatching(new RegExp(`^_ingested/s3/${bucket}/a\\.ndjson/@etag-[0-9a-f]{32}\\.json$`)),
        expect.stringMatching(new RegExp(`^_ingested/s3/${bucket}/b\\.ndjson/@etag-[0-9a-f]{32}\\.json$`)),
        expect.stringMatching(new RegExp(`^_ingested/s3/${bucket}/b\\.ndjson/@etag-[0-9a-f]{32}\\.json$`)),
      ]);
      const marker = JSON.parse(await readFile(join(lake, markers[0]), 'utf8'));
      expect(marker).toMatchObject({
        source: `s3://${bucket}/a.ndjson`,
        size: Buffer.byteLength(sms),
        runId: restarted.runId,
        records: 2,
        okRecords: 2,
        failedRecords: 0,
        rows: 2,
      });
    });

    it('lists what a run would read in a dry run, and reads and writes nothing', async () => {
      // Arrange
      const bucket = await bucketWith({ 'x/1.ndjson': '{}\n', 'x/2.ndjson': '{}\n{}\n' });
      const lake = await tempDir();
      await ingest({
        inputs: [`s3://${bucket}/x/1.ndjson`],
        lake,
        s3: { endpoint: s3.endpoint },
        workers: 0,
      });
      const unborn = join(lake, 'not-yet');

      // Act
      const plan = await planIngest({ inputs: [`s3://${bucket}/x/`], lake, s3: { endpoint: s3.endpoint } });
      const planElsewhere = await planIngest({
        inputs: [`s3://${bucket}/x/`],
        lake: unborn,
        s3: { endpoint: s3.endpoint },
      });

      // Assert
      expect(plan).toEqual({
        lake,
        sources: [
          { source: `s3://${bucket}/x/1.ndjson`, bytes: 3, done: true },
          { source: `s3://${bucket}/x/2.ndjson`, bytes: 6, done: false },
        ],
        toRead: 1,
        bytesToRead: 6,
        skipped: 1,
      });
      expect(planElsewhere.toRead).toBe(2);
      expect(existsSync(unborn)).toBe(false);
    });
  });

  describe('one-line errors', () => {
    let bucket: string;
    beforeAll(async () => {
      bucket = await bucketWith({ 'a.ndjson': '{}\n' });
    });

    it.each([
      [
        'a missing input bucket',
        () => ({ inputs: ['s3://no-such-bucket-here/x/'] }),
        /^s3:\/\/no-such-bucket-here\/x\/: the bucket does not exist; check the bucket name and region$/,
      ],
      [
        'an empty prefix',
        () => ({ inputs: [`s3://${bucket}/nothing/`] }),
        /^s3:\/\/archive-\d+\/nothing\/: no objects there; check the prefix/,
      ],
      [
        'a missing lake bucket',
        () => ({ lake: 's3://no-such-lake/p/' }),
        /^s3:\/\/no-such-lake\/p\/: the bucket does not exist; check the bucket name and region$/,
      ],
      [
        'a bad --lake',
        () => ({ lake: 's3://Bad_Bucket/' }),
        /^--lake 's3:\/\/Bad_Bucket\/' is not an S3 location; write it as s3:\/\/bucket\/prefix\/$/,
      ],
    ])('for %s', async (_case, change, message) => {
      // Arrange
      const lake = await tempDir();
      const options = {
        inputs: [join(DOCUMENTED, 'sms.ndjson')],
        lake,
        s3: { endpoint: s3.endpoint },
        workers: 0,
        ...change(),
      };

      // Act
      const run = ingest(options);

      // Assert
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect((await listFiles(lake)).filter((f) => !f.startsWith('_ingested/'))).toEqual([]);
    });
  });
});
