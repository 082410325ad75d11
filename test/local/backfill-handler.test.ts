import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { failureResult, taskObject, type BatchInvocation } from '../../infra/src/backfill/batch-task';
import { BACKFILL_METRICS } from '../../infra/src/backfill/contract';
import { runBatchInvocation, type BackfillDeps } from '../../infra/src/backfill/handler';
import { S3Sink } from '../../local/src/lake-sink';
import { argsHash, writeRunRecord } from '../../local/src/run-record';
import { bareEtag } from '../../local/src/s3';
import { newRunId } from '../../local/src/run-id';
import { DOCUMENTED, duckdbRows, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const FIXTURES = ['app', 'campaign', 'email', 'end-user-messaging', 'journey', 'ses', 'sms'];
/** A Firehose object name: the records' arrival time is in it (2019-05-01 00:12:34 UTC). */
const ARCHIVE_KEY =
  'pinpoint/2019/05/01/00/events stream-1-2019-05-01-00-12-34-0a1b2c3d-1111-2222-3333-444455556666.gz';
const NOT_AN_EVENT = '{"hello":"world"}';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('archive-bucket');
  await s3.createBucket('lake-bucket');
});
afterAll(() => s3.stop());

/** The documented events as Firehose stores raw records: concatenated JSON, no separator, gzipped. */
async function givenArchive(key: string): Promise<number> {
  const events: string[] = [];
  for (const name of FIXTURES) {
    const text = await readFile(join(DOCUMENTED, `${name}.ndjson`), 'utf8');
    events.push(...text.split('\n').filter((l) => l.trim() !== ''));
  }
  const body = gzipSync(Buffer.from([...events.slice(0, 5), NOT_AN_EVENT, ...events.slice(5)].join('')));
  await s3.client.send(new PutObjectCommand({ Bucket: 'archive-bucket', Key: key, Body: body }));
  return events.length;
}

/** An invocation as S3 Batch Operations sends it (schema 2.0: bucket name, URL-encoded key). */
function invocation(key: string): BatchInvocation {
  return {
    invocationSchemaVersion: '2.0',
    invocationId: 'inv-1',
    job: { id: 'job-1' },
    tasks: [
      { taskId: 'task-1', s3Bucket: 'archive-bucket', s3Key: encodeURIComponent(key), s3VersionId: null },
    ],
  };
}

function deps(lakePrefix: string): BackfillDeps {
  const quiet = { info: () => undefined, warn: () => undefined };
  return { s3: s3.client, lake: `s3://lake-bucket/${lakePrefix}`, logger: quiet, includeRaw: true };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of new S3Sink(s3.client, 'lake-bucket', prefix).list('')) keys.push(object.key);
  return keys.sort();
}

/** Downloads the lake's Parquet files and counts their rows with DuckDB. */
async function rowsIn(prefix: string): Promise<number> {
  const dir = await tempDir('backfill-');
  const sink = new S3Sink(s3.client, 'lake-bucket', prefix);
  const files: string[] = [];
  for (const key of (await keysUnder(prefix)).filter((k) => k.endsWith('.parquet'))) {
    const path = join(dir, `${files.length}.parquet`);
    await writeFile(path, (await sink.get(key))!);
    files.push(path);
  }
  const [{ n }] = await duckdbRows(
    `select count(*)::int as n from read_parquet([${files.map((f) => `'${f}'`).join(',')}])`,
  );
  return n as number;
}

describe('the backfill Lambda handler, against a real S3 protocol server', () => {
  it('backfills a gzipped concatenated archive object: rows in the layout, failures in errors/, a done marker', async () => {
    // Arrange
    const events = await givenArchive(ARCHIVE_KEY);

    // Act
    const response = await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t1/'));

    // Assert
    expect(response).toEqual({
      invocationSchemaVersion: '2.0',
      invocationId: 'inv-1',
      treatMissingKeysAs: 'PermanentFailure',
      results: [{ taskId: 'task-1', resultCode: 'Succeeded', resultString: expect.any(String) }],
    });
    const counts = /records=(\d+) rows=(\d+) failed=(\d+) files=(\d+)/
      .exec(response.results[0].resultString)!
      .map(Number);
    const [, records, rows, failed] = counts;
    expect(records).toBe(events + 1);
    expect(failed).toBe(1);
    expect(records).toBe(rows + failed); // one row per documented event here
    const keys = await keysUnder('t1/');
    const parquet = keys.filter((k) => k.startsWith('events/'));
    for (const key of parquet)
      expect(key).toMatch(
        /^events\/family=[a-z_]+\/dt=\d{4}-\d{2}-\d{2}\/part-[0-9A-HJKMNP-TV-Z]{26}-\d{6}\.parquet$/,
      );
    expect(await rowsIn('t1/')).toBe(rows);
    const errors = keys.filter((k) => k.startsWith('errors/'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^errors\/processing-failed\/2019\/05\/01\/00\/part-[0-9A-Z]{26}-000001\.ndjson$/,
    );
    const errorText = Buffer.from(
      (await new S3Sink(s3.client, 'lake-bucket', 't1/').get(errors[0]))!,
    ).toString();
    const document = JSON.parse(errorText.trim());
    expect(Buffer.from(document.rawData, 'base64').toString()).toBe(NOT_AN_EVENT);
    expect(document.errorCode).toBe('unknown_format');
    const markers = keys.filter((k) => k.startsWith('_ingested/s3/archive-bucket/'));
    expect(markers).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('_ingested/runs/'))).toEqual([]);
  });

  it('names the files after the archive object, so a retried task overwrites instead of adding rows', async () => {
    // Arrange
    await givenArchive(ARCHIVE_KEY);
    await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t2/'));
    const first = await keysUnder('t2/');
    // A retry after the files were published but before S3 heard back: the marker is not there.
    for (const marker of first.filter((k) => k.startsWith('_ingested/')))
      await s3.client.send(new DeleteObjectCommand({ Bucket: 'lake-bucket', Key: `t2/${marker}` }));

    // Act
    const retry = await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t2/'));

    // Assert
    expect(retry.results[0].resultCode).toBe('Succeeded');
    expect(await keysUnder('t2/')).toEqual(first);
    const rows = Number(/rows=(\d+)/.exec(retry.results[0].resultString)![1]);
    expect(await rowsIn('t2/')).toBe(rows);
  });

  it('skips an object whose done marker is in the lake', async () => {
    // Arrange
    await givenArchive(ARCHIVE_KEY);
    await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t3/'));
    const before = await keysUnder('t3/');

    // Act
    const again = await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t3/'));

    // Assert
    expect(again.results[0]).toEqual({
      taskId: 'task-1',
      resultCode: 'Succeeded',
      resultString: 'already in the lake: skipped',
    });
    expect(await keysUnder('t3/')).toEqual(before);
  });

  it('answers TemporaryFailure, and deletes nothing, while another invocation may be ingesting the object', async () => {
    // Arrange: a run of this object on another sandbox, its lease renewed, with a file it has not
    // committed yet.
    await givenArchive(ARCHIVE_KEY);
    const sink = new S3Sink(s3.client, 'lake-bucket', 't5/');
    const runId = newRunId(Date.now() - 60_000);
    const inFlight = `events/family=sms/dt=2019-05-01/part-${runId}-000001.parquet`;
    await sink.put(inFlight, Buffer.from('being written'));
    await writeRunRecord(sink, {
      runId,
      argsHash: argsHash([`s3://archive-bucket/${ARCHIVE_KEY}`]),
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      commits: 0,
      committed: { parquetSeq: 0, errorSeq: 0 },
      finished: [],
      host: 'another-sandbox',
      pid: 1,
      space: 'another-boot:1',
      expires: new Date(Date.now() + 60_000).toISOString(),
    });

    // Act
    const response = await runBatchInvocation(invocation(ARCHIVE_KEY), deps('t5/'));

    // Assert
    expect(response.results[0]).toMatchObject({
      resultCode: 'TemporaryFailure',
      resultString: expect.stringMatching(
        /^another ingest of the same inputs is running .*another-sandbox pid 1/,
      ),
    });
    expect(await keysUnder('t5/')).toContain(inFlight);
  });

  it('fails every task, writing nothing, of a job meant for another lake (its userArguments)', async () => {
    // Arrange
    await givenArchive(ARCHIVE_KEY);
    const elsewhere = {
      ...invocation(ARCHIVE_KEY),
      job: { id: 'job-2', userArguments: { lake: 's3://other-lake/' } },
    };
    const here = {
      ...invocation(ARCHIVE_KEY),
      job: { id: 'job-3', userArguments: { lake: 's3://lake-bucket/t8' } },
    };

    // Act
    const refused = await runBatchInvocation(elsewhere, deps('t9/'));
    const accepted = await runBatchInvocation(here, deps('t8/'));

    // Assert
    expect(refused.results).toEqual([
      {
        taskId: 'task-1',
        resultCode: 'PermanentFailure',
        resultString: expect.stringMatching(
          /^the job is for lake s3:\/\/other-lake\/, but this function writes s3:\/\/lake-bucket\/t9\//,
        ),
      },
    ]);
    expect(await keysUnder('t9/')).toEqual([]);
    expect(accepted.results[0].resultCode).toBe('Succeeded');
  });

  it('answers PermanentFailure, with the reason, for a key that is not there', async () => {
    // Arrange
    const event = invocation('pinpoint/never-written.gz');

    // Act
    const response = await runBatchInvocation(event, deps('t4/'));

    // Assert
    expect(response.results).toEqual([
      {
        taskId: 'task-1',
        resultCode: 'PermanentFailure',
        resultString: expect.stringMatching(/does not exist/),
      },
    ]);
    expect(await keysUnder('t4/')).toEqual([]);
  });
});

/**
 * A versioned archive over the loopback server (s3rver keeps one version a key): the version
 * `version` of `key` is stored at `key#version`, and a request naming that version reads it there.
 */
function versionedArchive(client: S3Client, key: string, version: string): S3Client {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property === 'send'
        ? (command: { input: { Key?: string; VersionId?: string }; constructor: unknown }) => {
            const { input } = command;
            if (input.Key !== key || input.VersionId === undefined) return send(command);
            if (input.VersionId !== version)
              throw Object.assign(new Error('no such version'), { name: 'NoSuchVersion' });
            const Command = command.constructor as new (input: object) => unknown;
            return send(new Command({ ...input, Key: `${key}#${version}`, VersionId: undefined }));
          }
        : (Reflect.get(target, property, receiver) as unknown),
  });
}

describe('the backfill Lambda handler on a versioned archive', () => {
  it("reads the version the manifest names, not the current one, and marks that version's ETag done", async () => {
    // Arrange: the named version holds the documented events; the current one, a single event.
    const key = 'versioned/2019/05/01/00/stream-1-2019-05-01-00-12-34-aaaa.gz';
    const events = await givenArchive(`${key}#v1`);
    const [oneEvent] = (await readFile(join(DOCUMENTED, 'sms.ndjson'), 'utf8')).split('\n');
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'archive-bucket', Key: key, Body: gzipSync(Buffer.from(oneEvent)) }),
    );
    const old = await s3.client.send(new HeadObjectCommand({ Bucket: 'archive-bucket', Key: `${key}#v1` }));
    const event = invocation(key);
    event.tasks[0].s3VersionId = 'v1';

    // Act
    const response = await runBatchInvocation(event, {
      ...deps('t6/'),
      s3: versionedArchive(s3.client, key, 'v1'),
    });

    // Assert
    expect(response.results[0].resultCode).toBe('Succeeded');
    const [, records, rows, failed] = /records=(\d+) rows=(\d+) failed=(\d+)/
      .exec(response.results[0].resultString)!
      .map(Number);
    expect(records).toBe(events + 1);
    expect(records).toBe(rows + failed);
    expect(await rowsIn('t6/')).toBe(rows);
    const markers = (await keysUnder('t6/')).filter((k) => k.startsWith('_ingested/s3/'));
    expect(markers).toEqual([expect.stringContaining(`@etag-${bareEtag(old.ETag)}`)]);
  });

  it('counts each task in the metrics the stack alarms on, once', async () => {
    // Arrange
    await givenArchive(ARCHIVE_KEY);
    const added: [string, number][] = [];
    const metadata: Record<string, string> = {};
    let published = 0;
    const metrics = {
      addMetric: (name: string, _unit: unknown, value: number) => void added.push([name, value]),
      addMetadata: (k: string, v: string) => void (metadata[k] = v),
      publishStoredMetrics: () => void (published += 1),
    };

    // Act
    const response = await runBatchInvocation(invocation(ARCHIVE_KEY), {
      ...deps('t7/'),
      metrics: metrics as unknown as BackfillDeps['metrics'],
    });

    // Assert
    const [, records, rows, failed] = /records=(\d+) rows=(\d+) failed=(\d+)/
      .exec(response.results[0].resultString)!
      .map(Number);
    expect(new Map(added)).toEqual(
      new Map([
        [BACKFILL_METRICS.records, records],
        [BACKFILL_METRICS.rows, rows],
        [BACKFILL_METRICS.failedRecords, failed],
      ]),
    );
    expect(failed).toBe(1);
    expect(metadata).toEqual({ jobId: 'job-1', taskId: 'task-1' });
    expect(published).toBe(1);
  });
});

describe('backfill task results', () => {
  it('decodes the URL-encoded key of a task, + as a space', () => {
    // Arrange / Act
    const object = taskObject({ taskId: 't', s3Bucket: 'b', s3Key: 'a%2Fb+c%2Cd.gz', s3VersionId: null });
    // Assert
    expect(object).toEqual({ bucket: 'b', key: 'a/b c,d.gz' });
  });

  it('refuses a schema 1.0 task with a one-line reason', () => {
    // Arrange
    const task = { taskId: 't', s3BucketArn: 'arn:aws:s3:::b', s3Key: 'k' } as never;
    // Act / Assert
    expect(() => taskObject(task)).toThrow(/InvocationSchemaVersion 2.0/);
  });

  it.each([
    [{ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'TemporaryFailure'],
    [{ name: 'InternalError', $metadata: { httpStatusCode: 500 } }, 'TemporaryFailure'],
    [{ name: 'TimeoutError' }, 'TemporaryFailure'],
    [{ name: 'Error', code: 'ECONNRESET' }, 'TemporaryFailure'],
    [{ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }, 'PermanentFailure'],
    [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, 'PermanentFailure'],
    [{ name: 'InvalidObjectState', $metadata: { httpStatusCode: 403 } }, 'PermanentFailure'],
    [
      { name: 'UserInputError', cause: { name: 'SlowDown', $metadata: { httpStatusCode: 503 } } },
      'TemporaryFailure',
    ],
    [
      { name: 'UserInputError', cause: { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } } },
      'TemporaryFailure',
    ],
    [{ name: 'TypeError', message: 'a bug' }, 'PermanentFailure'],
  ])('maps %j to %s', (error, code) => {
    // Arrange / Act
    const result = failureResult(Object.assign(new Error('failed'), error));
    // Assert
    expect(result.resultCode).toBe(code);
    expect(result.resultString.length).toBeGreaterThan(0);
  });
});
