import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import type { LocalTransform } from '../../local/src/delivery';
import { defaultTransform } from '../../local/src/local-transform';
import { startServer, type RunningServer } from '../../local/src/serve';
import { decodeFrames, Spool, SPOOL_FOLDER } from '../../local/src/spool';
import { newRunId } from '../../local/src/run-id';
import { localFirehose as client } from '../hostile/helpers';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';

const STREAM = 'engagement-events';
const RECEIVED_AT = Date.UTC(2026, 10, 28, 12, 0, 0);

async function documentedLines(name: string): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, `${name}.ndjson`), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '');
}

describe('serve', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('PutRecord and PutRecordBatch with the AWS SDK', () => {
    it('delivers every accepted record into the lake on close, with the receipt time as arrival time', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const firehose = client(server.port);
      const ses = await documentedLines('ses');
      const sms = await documentedLines('end-user-messaging');

      // Act
      const single = await firehose.send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(ses[0] + '\n') } }),
      );
      const batch = await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: [...ses.slice(1), ...sms].map((line) => ({ Data: Buffer.from(line + '\n') })),
        }),
      );
      const stats = await server.close();

      // Assert
      expect(single.RecordId).toMatch(/^[0-9a-f]{56}$/);
      expect(single.Encrypted).toBe(false);
      expect(batch.FailedPutCount).toBe(0);
      expect(batch.RequestResponses).toHaveLength(6);
      expect(stats).toMatchObject({ records: 7, okRecords: 7, failedRecords: 0, rows: 7 });
      const rows = await duckdbRows(
        eventsSql(lake, `family, count(*)::int as n, min(epoch_ms(arrival_time))::double as arrival_ms`) +
          ' group by family order by family',
      );
      expect(rows).toEqual([
        { family: 'email', n: 5, arrival_ms: RECEIVED_AT },
        { family: 'sms', n: 2, arrival_ms: RECEIVED_AT },
      ]);
      const [bounce] = await duckdbRows(eventsSql(lake, 'bounce_type, message_id', `event_type = 'Bounce'`));
      expect(bounce).toEqual({
        bounce_type: 'Permanent',
        message_id: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      });
    });

    it('splits a record holding several newline-delimited events, as Firehose de-aggregation does', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const ses = await documentedLines('ses');

      // Act
      await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(ses.join('\n')) } }),
      );
      const stats = await server.close();

      // Assert
      expect(stats).toMatchObject({ records: 5, rows: 5, failedRecords: 0 });
    });

    it('splits a record into more events than a function call takes arguments (200,000 tiny objects)', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const data = Buffer.from('{}'.repeat(200_000)); // 400,000 bytes: under the 1,000 KiB limit

      // Act
      const put = await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: data } }),
      );
      const stats = await server.close();

      // Assert
      expect(put.RecordId).toMatch(/^[0-9a-f]{56}$/);
      expect(stats.records).toBe(200_000);
      expect(stats.failed).toEqual({ unknown_format: 200_000 }); // `{}` is no known event, but kept
    });

    it('fails the whole batch with ValidationException when one record is over 1,000 KiB', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });
      const ok = { Data: Buffer.from('{"a":1}') };
      const oversize = { Data: Buffer.alloc(1000 * 1024 + 1, 0x20) };

      // Act
      const call = client(server.port).send(
        new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [ok, oversize] }),
      );

      // Assert
      await expect(call).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
        message: expect.stringContaining("'records.2.member.data'"),
      });
      expect(await server.close()).toMatchObject({ records: 0 });
    });

    it('rejects a PutRecord over 1,000 KiB and a batch of more than 500 records', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });
      const firehose = client(server.port);

      // Act
      const big = await firehose
        .send(
          new PutRecordCommand({
            DeliveryStreamName: STREAM,
            Record: { Data: Buffer.alloc(1000 * 1024 + 1, 0x20) },
          }),
        )
        .catch((error: unknown) => error);
      const many = await firehose
        .send(
          new PutRecordBatchCommand({
            DeliveryStreamName: STREAM,
            Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from('{}') })),
          }),
        )
        .catch((error: unknown) => error);

      // Assert
      expect(big).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("'record.data'"),
      });
      expect(many).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("'records'"),
      });
    });

    it('reports throttled records through FailedPutCount when the buffer is full', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, maxPendingBytes: 25, bufferBytes: 1024 });
      const record = { Data: Buffer.from('{"x":"0123456789"}') }; // 18 bytes: one fits, two do not

      // Act
      const result = await client(server.port).send(
        new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [record, record] }),
      );

      // Assert
      expect(result.FailedPutCount).toBe(1);
      expect(result.RequestResponses![0].RecordId).toEqual(expect.any(String));
      expect(result.RequestResponses![1]).toEqual({
        ErrorCode: 'ServiceUnavailableException',
        ErrorMessage: 'Slow down: the local buffer is full.',
      });
    });

    it('throttles puts while a delivery is still running instead of queueing another buffer', async () => {
      // Arrange
      const lake = await tempDir();
      const real = defaultTransform();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const transform: LocalTransform = {
        ...real,
        handler: async (event) => {
          await gate; // the delivery of the first record waits here
          return real.handler(event);
        },
      };
      server = await startServer({ port: 0, lake, transform, bufferBytes: 1, maxPendingBytes: 25 });
      const firehose = client(server.port);
      const record = { Data: Buffer.from('{"x":"0123456789"}') }; // 18 bytes: one fits, two do not
      const put = () =>
        firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [record] }));

      // Act
      const first = await put(); // fills the buffer, so its delivery starts
      const whileDelivering = await put();
      release();
      await server.flush();
      const afterDelivery = await put();

      // Assert
      expect(first.FailedPutCount).toBe(0);
      expect(whileDelivering.FailedPutCount).toBe(1);
      expect(whileDelivering.RequestResponses![0].ErrorCode).toBe('ServiceUnavailableException');
      expect(afterDelivery.FailedPutCount).toBe(0);
    });

    it('answers DescribeDeliveryStream for any stream name as an active DirectPut stream', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });

      // Act
      const result = await client(server.port).send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: STREAM }),
      );

      // Assert
      expect(result.DeliveryStreamDescription).toMatchObject({
        DeliveryStreamName: STREAM,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        HasMoreDestinations: false,
      });
    });
  });

  describe('--stream (named delivery streams)', () => {
    it('rejects a put to another stream name with ResourceNotFoundException and delivers only the named stream’s records', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, streams: [STREAM] });
      const firehose = client(server.port);
      const typo = `${STREAM}s`;
      const record = { Data: Buffer.from('{}') };

      // Act
      const rejected = await firehose
        .send(new PutRecordCommand({ DeliveryStreamName: typo, Record: record }))
        .catch((error: unknown) => error);
      const accepted = await firehose.send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: record }),
      );
      const stats = await server.close();

      // Assert
      expect(rejected).toBeInstanceOf(ResourceNotFoundException);
      expect(rejected).toMatchObject({
        $metadata: { httpStatusCode: 400 },
        message: expect.stringContaining(`Firehose ${typo} `),
      });
      expect(accepted.RecordId).toEqual(expect.any(String));
      expect(stats.records).toBe(1);
    });
  });

  describe('ListDeliveryStreams', () => {
    it('lists the stream names producers have used', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });
      const firehose = client(server.port);
      await firehose.send(
        new PutRecordCommand({ DeliveryStreamName: 'b-stream', Record: { Data: Buffer.from('{}') } }),
      );
      await firehose.send(
        new PutRecordCommand({ DeliveryStreamName: 'a-stream', Record: { Data: Buffer.from('{}') } }),
      );

      // Act
      const listed = await firehose.send(new ListDeliveryStreamsCommand({}));

      // Assert
      expect(listed.DeliveryStreamNames).toEqual(['a-stream', 'b-stream']);
      expect(listed.HasMoreDeliveryStreams).toBe(false);
    });
  });

  describe('raw HTTP', () => {
    it('answers an unknown target and a body that is not JSON with the JSON 1.1 error shape', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });
      const url = `http://127.0.0.1:${server.port}/`;
      const headers = { 'content-type': 'application/x-amz-json-1.1' };

      // Act
      const unknown = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'x-amz-target': 'Firehose_20150804.StartDeliveryStreamEncryption' },
        body: '{}',
      });
      const broken = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'x-amz-target': 'Firehose_20150804.PutRecord' },
        body: '{"DeliveryStreamName":',
      });

      // Assert
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await unknown.json()).toEqual({
        __type: 'UnknownOperationException',
        message: 'unknown operation: Firehose_20150804.StartDeliveryStreamEncryption',
      });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toEqual({
        __type: 'SerializationException',
        message: 'the request body is not valid JSON',
      });
    });
  });

  describe('buffering', () => {
    it('delivers once the buffered bytes reach the buffer size, before close', async () => {
      // Arrange
      const lake = await tempDir();
      const delivered: number[] = [];
      server = await startServer({
        port: 0,
        lake,
        bufferBytes: 1,
        onDelivery: (stats) => delivered.push(stats.rows),
      });
      const [line] = await documentedLines('ses');

      // Act
      await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(line) } }),
      );
      await server.flush();

      // Assert
      expect(delivered).toEqual([1]);
      expect((await listFiles(lake)).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
    });

    it('delivers after the buffer interval without waiting for close', async () => {
      // Arrange
      const lake = await tempDir();
      let resolveDelivered: (rows: number) => void = () => undefined;
      const delivered = new Promise<number>((resolve) => (resolveDelivered = resolve));
      server = await startServer({
        port: 0,
        lake,
        bufferSeconds: 0.2,
        onDelivery: (stats) => resolveDelivered(stats.rows),
      });
      const [line] = await documentedLines('ses');

      // Act
      await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(line) } }),
      );
      const rows = await delivered;

      // Assert
      expect(rows).toBe(1);
      expect((await listFiles(lake)).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
    });

    it('keeps failed records in the error output with their original bytes', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // not UTF-8

      // Act
      await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: bytes } }),
      );
      const stats = await server.close();

      // Assert
      expect(stats).toMatchObject({ records: 1, failedRecords: 1, failed: { invalid_utf8: 1 } });
      const [file] = await listFiles(lake);
      expect(file).toMatch(/^errors\/processing-failed\/2026\/11\/28\/12\//);
      const doc = JSON.parse(await readFile(join(lake, file), 'utf8'));
      expect(Buffer.from(doc.rawData, 'base64')).toEqual(bytes);
      expect(doc.arrivalTimestamp).toBe(RECEIVED_AT);
    });
  });
  describe('write-ahead spool', () => {
    it('answers a put only once its records are synced to the spool, and empties the spool on close', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const [line] = await documentedLines('ses');

      // Act
      await client(server.port).send(
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from(line) } }),
      );
      const undelivered = server.undeliveredRecords;
      const spooled = (await readdir(join(lake, SPOOL_FOLDER))).filter((name) => name.endsWith('.wal'));
      const segment = decodeFrames(await readFile(join(lake, SPOOL_FOLDER, spooled[0])));
      await server.close();

      // Assert
      expect(undelivered).toBe(1);
      expect(spooled).toHaveLength(1);
      expect(segment.records).toEqual([{ data: Buffer.from(line), arrivalTime: RECEIVED_AT }]);
      expect(await listFiles(join(lake, SPOOL_FOLDER))).toEqual([]);
    });

    it('refuses puts once a delivery failed, and keeps what it accepted in the spool for the next run', async () => {
      // Arrange: a transform that fails, as a crashed worker or a full disk would.
      const lake = await tempDir();
      const transform: LocalTransform = {
        ...defaultTransform(),
        handler: async () => {
          throw new Error('disk full');
        },
      };
      server = await startServer({ port: 0, lake, transform });
      const firehose = client(server.port);
      const put = () =>
        firehose.send(
          new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from('{"a":1}') } }),
        );
      await put();

      // Act
      await server.flush();
      const refused = put();

      // Assert
      await expect(refused).rejects.toThrow(/delivery into the lake failed \(.*disk full\).*restart serve/);
      await expect(server.close()).rejects.toThrow(/disk full/);
      server = undefined;
      const segments = (await readdir(join(lake, SPOOL_FOLDER))).filter((name) => name.endsWith('.wal'));
      const kept = await Promise.all(
        segments.map(async (name) => decodeFrames(await readFile(join(lake, SPOOL_FOLDER, name))).records),
      );
      expect(kept.flat().map((r) => Buffer.from(r.data).toString())).toEqual(['{"a":1}']);
    });

    it('answers InternalFailure and acknowledges nothing when the spool cannot be written', async () => {
      // Arrange
      const lake = await tempDir();
      server = await startServer({ port: 0, lake });
      await rm(join(lake, SPOOL_FOLDER), { recursive: true });

      // Act
      const put = client(server.port)
        .send(new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from('{}') } }))
        .catch((error: unknown) => error);

      // Assert
      expect(await put).toMatchObject({
        name: 'InternalFailure',
        $metadata: { httpStatusCode: 500 },
        message: expect.stringContaining('the spool could not be written'),
      });
      expect(server.undeliveredRecords).toBe(0);
      expect(await server.close()).toMatchObject({ records: 0 });
    });

    it('delivers first, with their arrival times, the records a killed run acknowledged and left in the spool', async () => {
      // Arrange
      const lake = await tempDir();
      const ses = await documentedLines('ses');
      const killed = await Spool.open(lake, newRunId(RECEIVED_AT - 60_000));
      await killed.append(
        ses.slice(0, 3).map((line) => ({ data: Buffer.from(line), arrivalTime: RECEIVED_AT - 5000 })),
      );
      await killed.seal(); // a flush had started: its segment was not released
      await killed.append(
        ses.slice(3).map((line) => ({ data: Buffer.from(line), arrivalTime: RECEIVED_AT - 1000 })),
      );
      // The killed process's owner file: a pid above Linux's largest (2^22), so no process has it.
      const owner = join(lake, SPOOL_FOLDER, `serve-${killed.runId}.owner`);
      await writeFile(owner, JSON.stringify({ pid: 2 ** 22 + 1, started: null }));

      // Act
      server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT });
      const replayed = server.replayed;
      const stats = await server.close();
      await killed.close();

      // Assert
      expect(replayed).toEqual({ records: 5, segments: 2, tornBytes: 0, damagedBytes: 0 });
      expect(stats).toMatchObject({ records: 5, rows: 5 });
      const rows = await duckdbRows(
        eventsSql(lake, 'epoch_ms(arrival_time)::double as arrival_ms, count(*)::int as n') +
          ' group by 1 order by 1',
      );
      expect(rows).toEqual([
        { arrival_ms: RECEIVED_AT - 5000, n: 3 },
        { arrival_ms: RECEIVED_AT - 1000, n: 2 },
      ]);
      expect(await listFiles(join(lake, SPOOL_FOLDER))).toEqual([]);
    });
  });
});
