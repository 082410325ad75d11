import { request } from 'node:http';
import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { deaggregate, startServer, type RunningServer } from '../../local/src/serve';
import { tempDir } from '../local/helpers';
import { hostileCases } from './cases';
import { expectNothingLost, localFirehose } from './helpers';

const STREAM = 'events';

/** Posts `body` as a Firehose API call and resolves with the HTTP status. */
function post(port: number, target: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        headers: {
          'x-amz-target': `Firehose_20150804.${target}`,
          'content-type': 'application/x-amz-json-1.1',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

describe('serve under hostile input', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('delivers every hostile record it acknowledged as a row or an error with its bytes, and refuses the oversized', async () => {
    // Arrange
    const lake = await tempDir();
    server = await startServer({ port: 0, lake, workers: 0 });
    const firehose = localFirehose(server.port);
    const cases = hostileCases();
    const fitting = cases.filter((c) => !c.oversized);

    // Act: hostile API calls first, then the hostile records
    const refusedBodies = await Promise.all([
      post(server.port, 'PutRecordBatch', Buffer.from('{"DeliveryStreamName":')),
      post(server.port, 'PutRecordBatch', Buffer.from([0xff, 0xfe, 0x00, 0x7b])),
      post(
        server.port,
        'PutRecord',
        Buffer.from(`{"DeliveryStreamName":"${STREAM}","Record":{"Data":"@@not base64@@"}}`),
      ),
      post(server.port, 'PutRecord', Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
    ]);
    const oversized = await firehose
      .send(
        new PutRecordCommand({
          DeliveryStreamName: STREAM,
          Record: { Data: cases.find((c) => c.oversized)!.bytes },
        }),
      )
      .then(
        () => 'accepted',
        (error: Error) => error.name,
      );
    const put = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM,
        Records: fitting.map((c) => ({ Data: c.bytes })),
      }),
    );
    firehose.destroy();
    const stats = await server.close();
    server = undefined;

    // Assert: refusals are answers, not crashes; every acknowledged record is in the lake
    for (const status of refusedBodies) expect(status).toBeGreaterThanOrEqual(400);
    expect(oversized).toBe('ValidationException');
    expect(put.FailedPutCount).toBe(0);
    const expected = fitting.flatMap((c) =>
      deaggregate(c.bytes, 0).map((record) => Buffer.from(record.data)),
    );
    await expectNothingLost(lake, stats, expected);
  });
});
