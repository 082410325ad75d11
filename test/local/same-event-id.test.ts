import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { runBatchInvocation } from '../../infra/src/backfill/handler';
import { ingest } from '../../local/src/ingest';
import { S3Sink } from '../../local/src/lake-sink';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

// The Firehose handler reads its log and metrics settings when it loads (below, in the test).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('archive');
  await s3.createBucket('lake');
});
afterAll(() => s3.stop());

/** One documented SES event, as its text arrives (SES puts a newline after each record). */
async function eventText(): Promise<string> {
  const lines = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).split('\n');
  return `${lines.find((l) => l.includes('"eventType":"Bounce"'))!}\n`;
}

/** The event_id column of a lake folder. */
async function idsInFolder(lake: string): Promise<string[]> {
  const rows = await duckdbRows(eventsSql(lake, 'event_id'));
  return rows.map((r) => r.event_id as string);
}

/** The event_id column of an S3 lake, read from a local copy of its Parquet files. */
async function idsInS3Lake(prefix: string): Promise<string[]> {
  const copy = await tempDir('same-id-');
  const sink = new S3Sink(s3.client, 'lake', prefix);
  for await (const object of sink.list('events/')) {
    const path = join(copy, object.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, (await sink.get(object.key))!);
  }
  return idsInFolder(copy);
}

describe('event_id', () => {
  it('is the same whether the event came live through Firehose, from a file, from S3 or through the backfill Lambda', async () => {
    // Arrange
    const text = await eventText();
    const firehoseEvent = {
      invocationId: 'inv',
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/events',
      region: 'eu-west-1',
      records: [
        {
          recordId: 'r1',
          approximateArrivalTimestamp: 1501893000000,
          data: Buffer.from(text).toString('base64'),
        },
      ],
    } as FirehoseTransformationEvent;
    const folder = await tempDir('same-id-');
    const file = join(folder, 'events.ndjson');
    await writeFile(file, text);
    await s3.client.send(new PutObjectCommand({ Bucket: 'archive', Key: 'plain/events.ndjson', Body: text }));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'archive',
        Key: 'firehose/events.gz',
        Body: gzipSync(Buffer.from(text)),
      }),
    );

    const { handler } = await import('../../transform/handler');

    // Act
    const live = (await handler(
      firehoseEvent,
      {} as Context,
      () => undefined,
    )) as FirehoseTransformationResult;
    const liveIds = Buffer.from(live.records[0].data ?? '', 'base64')
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l).event_id as string);
    const fileLake = join(folder, 'lake');
    await ingest({ inputs: [file], lake: fileLake, workers: 0 });
    await ingest({
      inputs: ['s3://archive/plain/events.ndjson'],
      lake: 's3://lake/from-s3/',
      s3Client: s3.client,
      workers: 0,
    });
    const backfill = await runBatchInvocation(
      {
        invocationSchemaVersion: '2.0',
        invocationId: 'inv',
        job: { id: 'job' },
        tasks: [{ taskId: 't', s3Bucket: 'archive', s3Key: 'firehose%2Fevents.gz', s3VersionId: null }],
      },
      {
        s3: s3.client,
        lake: 's3://lake/backfill/',
        logger: { info: () => undefined, warn: () => undefined },
        includeRaw: true,
      },
    );

    // Assert
    expect(live.records[0].result).toBe('Ok');
    expect(backfill.results[0].resultCode).toBe('Succeeded');
    expect(liveIds).toHaveLength(1);
    expect(liveIds[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(await idsInFolder(fileLake)).toEqual(liveIds);
    expect(await idsInS3Lake('from-s3/')).toEqual(liveIds);
    expect(await idsInS3Lake('backfill/')).toEqual(liveIds);
  });
});
