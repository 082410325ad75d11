/**
 * `engagement-lake replay` as a user runs it: into a lake folder, and from an S3 error output into
 * the local Firehose twin; bad input gives one line and a non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ErrorWriter } from '../../local/src/error-writer';
import { FolderSink } from '../../local/src/lake-sink';
import { newRunId } from '../../local/src/run-id';
import { startServer } from '../../local/src/serve';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from '../local/helpers';
import { startS3, type TestS3 } from '../local/s3-server';
import { PII_KEY_ENV } from '../../transform/src/pii-key';
import { runCli } from './run-cli';

const NOT_AN_EVENT = '{"hello":"world"}';

async function documented(name: string): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, `${name}.ndjson`), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** A lake whose error output holds the SES events (failed by an old bug) and one record that is no event. */
async function lakeWithErrors(): Promise<{ lake: string; events: number }> {
  const lake = await tempDir('replay-cli-');
  const events = await documented('ses');
  const writer = new ErrorWriter({
    sink: new FolderSink(lake),
    runId: newRunId(),
    runStartedAt: Date.UTC(2026, 10, 3),
  });
  for (const raw of [...events, NOT_AN_EVENT])
    await writer.add({ raw: Buffer.from(raw), reason: 'old_bug', message: 'since fixed', arrivalTime: null });
  await writer.flush();
  return { lake, events: events.length };
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('firehose-errors');
});
afterAll(() => s3.stop());

describe('engagement-lake replay', () => {
  it('--lake moves what succeeds now into the lake and says what still fails; a second run adds nothing', async () => {
    // Arrange
    const { lake, events } = await lakeWithErrors();

    // Act
    const first = await runCli(['replay', '--lake', lake]);
    const second = await runCli(['replay', '--lake', lake, '--json']);

    // Assert
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`replayed ${events + 1} records from 1 error files of ${lake}`);
    expect(first.stdout).toContain(`now in the lake: ${events} records, ${events} rows`);
    expect(first.stdout).toContain('still failing: 1 (unknown_format 1)');
    expect(JSON.parse(second.stdout)).toMatchObject({ records: 1, okRecords: 0, failedRecords: 1 });
    const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
    expect(n).toBe(events);
  });

  it('--lake --pii hash stores the records that succeed now with their addresses hashed', async () => {
    // Arrange
    const { lake, events } = await lakeWithErrors();
    process.env[PII_KEY_ENV] = 'a key for the replay test, long enough';
    // Act
    const result = await runCli(['replay', '--lake', lake, '--pii', 'hash', '--json']);
    delete process.env[PII_KEY_ENV];
    // Assert
    expect(result.code).toBe(0);
    const rows = await duckdbRows(eventsSql(lake));
    expect(rows).toHaveLength(events);
    expect(JSON.stringify(rows)).not.toContain('@example.com');
  });

  it('--from --stream puts the S3 error output back into a delivery stream (the local twin)', async () => {
    // Arrange
    const lake = await tempDir('replay-cli-twin-');
    const server = await startServer({ port: 0, lake, workers: 0, streams: ['events'] });
    const events = await documented('sms');
    const body = events
      .map((raw) =>
        JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: Date.UTC(2026, 10, 3),
          errorCode: 'Lambda.FunctionError',
          rawData: Buffer.from(raw).toString('base64'),
        }),
      )
      .join('\n');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'firehose-errors',
        Key: 'errors/processing-failed/2026/11/03/00/events-1-x',
        Body: body,
      }),
    );

    // Act
    const result = await runCli([
      'replay',
      '--from',
      's3://firehose-errors/errors/',
      '--stream',
      'events',
      '--s3-endpoint',
      s3.endpoint,
      '--firehose-endpoint',
      `http://127.0.0.1:${server.port}`,
      '--region',
      'us-east-1',
    ]);
    await server.close();

    // Assert
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      `put ${events.length} records from 1 of 1 objects under s3://firehose-errors/errors/ into stream events`,
    );
    const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
    expect(n).toBe(events.length);
  });

  describe('bad input gives one line and a non-zero exit', () => {
    it.each([
      [['replay', '--from', 's3://firehose-errors/errors/'], /^error: --from and --stream go together/],
      [
        ['replay', '--lake', '/nonexistent/lake', '--from', 's3://b/errors/', '--stream', 'x'],
        /pass one or the other/,
      ],
      [['replay', '--lake', '/nonexistent/lake'], /no lake at '\/nonexistent\/lake'/],
      [
        ['replay', '--from', 's3://firehose-errors/errors/', '--stream', 'bad name!'],
        /is not a delivery stream name/,
      ],
    ])('%j', async (args, message) => {
      // Act
      const result = await runCli(args);
      // Assert
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });
});
