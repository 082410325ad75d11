/**
 * `replay --from s3://…/errors/ --stream NAME`: Firehose's S3 error output put back into a delivery
 * stream. Against the local Firehose twin (`serve`) and a loopback S3 server, and with the SDK mock
 * for the stream's partial failures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { calls, replayToStream } from '../../local/src/replay-stream';
import { listS3Sources } from '../../local/src/s3-input';
import { startServer } from '../../local/src/serve';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const BUCKET = 'stream-errors';
const NOT_AN_EVENT = '{"hello":"world"}';
const ARRIVAL = Date.UTC(2026, 10, 3, 7, 30);

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
});
afterAll(() => s3.stop());

async function documented(name: string): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, `${name}.ndjson`), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** One error document as Firehose writes it. */
function errorDocument(rawData: string, errorCode: string): string {
  return JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: ARRIVAL,
    errorCode,
    errorMessage: 'failed',
    attemptEndingTimestamp: ARRIVAL + 60_000,
    rawData: Buffer.from(rawData).toString('base64'),
  });
}

/** Writes Firehose's error output under a fresh prefix: processing failures and a format-conversion failure. */
async function givenErrorOutput(): Promise<{ prefix: string; processed: string[]; converted: string }> {
  const prefix = `r${Math.random().toString(36).slice(2)}/errors/`;
  const processed = [...(await documented('ses')), NOT_AN_EVENT];
  const [converted] = await documented('email');
  const objects = {
    [`${prefix}processing-failed/2026/11/03/07/events-1-2026-11-03-07-30-00-aaaa`]: processed
      .map((raw) => errorDocument(raw, 'Lambda.FunctionError'))
      .join('\n'),
    [`${prefix}format-conversion-failed/2026/11/03/07/events-1-2026-11-03-07-31-00-bbbb`]: errorDocument(
      JSON.stringify({ event_id: 'x', raw: converted }),
      'DataFormatConversion.MalformedData',
    ),
  };
  for (const [Key, Body] of Object.entries(objects))
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `${Body}\n` }));
  return { prefix, processed, converted };
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await listS3Sources(s3.client, `s3://${BUCKET}/${prefix}`).catch(() => [])).map((o) => o.key);
}

describe('replayToStream, against the local Firehose twin', () => {
  it('puts every record back into the stream, rebuilding format-conversion failures from raw, and removes the objects', async () => {
    // Arrange
    const { prefix, processed } = await givenErrorOutput();
    const lake = await tempDir('replay-stream-');
    const server = await startServer({ port: 0, lake, workers: 0, streams: ['events'] });
    const firehose = new FirehoseClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1' });

    // Act
    const summary = await replayToStream({
      from: `s3://${BUCKET}/${prefix}`,
      stream: 'events',
      s3: s3.client,
      firehose,
    });
    const delivered = await server.close();
    firehose.destroy();

    // Assert
    expect(summary).toMatchObject({
      objects: 2,
      replacedObjects: 2,
      kept: [],
      records: processed.length + 1,
    });
    expect(delivered.records).toBe(summary.records);
    expect(delivered.records).toBe(delivered.okRecords + delivered.failedRecords);
    expect(delivered.failed).toEqual({ unknown_format: 1 });
    const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
    expect(n).toBe(processed.length); // the SES events and the rebuilt email event
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('says in one line that the stream does not exist', async () => {
    // Arrange
    const { prefix } = await givenErrorOutput();
    const server = await startServer({
      port: 0,
      lake: await tempDir('replay-stream-'),
      workers: 0,
      streams: ['events'],
    });
    const firehose = new FirehoseClient({
      endpoint: `http://127.0.0.1:${server.port}`,
      region: 'us-east-1',
      maxAttempts: 1,
    });

    // Act
    const replay = replayToStream({
      from: `s3://${BUCKET}/${prefix}`,
      stream: 'other',
      s3: s3.client,
      firehose,
    });

    // Assert
    await expect(replay).rejects.toThrow(UserInputError);
    await expect(replay).rejects.toThrow(/^no delivery stream 'other' here/);
    await server.close();
    firehose.destroy();
    expect(await keysUnder(prefix)).toHaveLength(2);
  });
});

describe('replayToStream, with the SDK mock', () => {
  it('sends again only the records a call refused (FailedPutCount), after a backoff', async () => {
    // Arrange
    const { prefix, processed } = await givenErrorOutput();
    const firehose = mockClient(FirehoseClient);
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: processed.map((_, i) =>
          i === 1
            ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
            : { RecordId: `r${i}` },
        ),
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [] });
    const waits: number[] = [];

    // Act
    const summary = await replayToStream({
      from: `s3://${BUCKET}/${prefix}processing-failed/`,
      stream: 'events',
      s3: s3.client,
      firehose: new FirehoseClient({ region: 'us-east-1' }),
      wait: async (ms) => void waits.push(ms),
    });

    // Assert
    const sent = firehose
      .commandCalls(PutRecordBatchCommand)
      .map((c) => c.args[0].input.Records!.map((r) => Buffer.from(r.Data!).toString()));
    expect(sent).toEqual([processed, [processed[1]]]);
    expect(summary).toMatchObject({
      records: processed.length,
      retriedRecords: 1,
      calls: 2,
      replacedObjects: 1,
    });
    expect(waits).toHaveLength(1);
    firehose.restore();
  });

  it('stops with one line and keeps the object when the stream keeps refusing', async () => {
    // Arrange
    const { prefix } = await givenErrorOutput();
    const firehose = mockClient(FirehoseClient);
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: input.Records.length,
      RequestResponses: input.Records.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' })),
    }));

    // Act
    const replay = replayToStream({
      from: `s3://${BUCKET}/${prefix}processing-failed/`,
      stream: 'events',
      s3: s3.client,
      firehose: new FirehoseClient({ region: 'us-east-1' }),
      maxAttempts: 3,
      wait: async () => undefined,
    });

    // Assert
    await expect(replay).rejects.toThrow(EngagementLakeError);
    await expect(replay).rejects.toThrow(/refused \d+ records 3 times \(InternalFailure: oops\)/);
    expect(await keysUnder(`${prefix}processing-failed/`)).toHaveLength(1);
    firehose.restore();
  });
});

describe('PutRecordBatch calls', () => {
  it('hold at most 500 records and 4 MiB, in order, and every record once', () => {
    // Arrange
    const small = Array.from({ length: 1_201 }, (_, i) => ({ data: Buffer.from(`${i}`), arrivalTime: null }));
    const large = Array.from({ length: 9 }, () => ({ data: Buffer.alloc(900 * 1024), arrivalTime: null }));

    // Act
    const bySize = [...calls(small)].map((c) => c.length);
    const byBytes = [...calls(large)].map((c) => c.length);

    // Assert
    expect(bySize).toEqual([500, 500, 201]);
    expect([...calls(small)].flat()).toEqual(small);
    expect(byBytes).toEqual([4, 4, 1]);
    for (const call of calls(large))
      expect(call.reduce((n, r) => n + r.data.byteLength, 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
