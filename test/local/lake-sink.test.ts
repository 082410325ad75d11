import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderSink, openLakeSink, S3Sink, type LakeSink } from '../../local/src/lake-sink';
import { UserInputError } from '../../transform/src/errors';
import { tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('sink-lake');
});
afterAll(() => s3.stop());

async function collect(sink: LakeSink, prefix: string) {
  const out = [];
  for await (const object of sink.list(prefix)) out.push(object);
  return out;
}

describe.each([
  ['folder', async (): Promise<LakeSink> => new FolderSink(await tempDir('sink-'))],
  [
    'S3',
    async (): Promise<LakeSink> =>
      openLakeSink(`s3://sink-lake/t${Math.random().toString(36).slice(2)}/`, { endpoint: s3.endpoint }),
  ],
])('a %s lake', (_kind, open) => {
  it('puts, lists in key order, gets and deletes objects below the lake root', async () => {
    // Arrange
    const sink = await open();
    await sink.check();

    // Act
    await sink.put('events/family=sms/dt=2026-01-02/b.parquet', Buffer.from('bb'));
    await sink.put('events/family=sms/dt=2026-01-01/a.parquet', Buffer.from('a'));
    await sink.put('errors/processing-failed/2026/01/01/00/e.ndjson', Buffer.from('eee'));

    // Assert
    expect(await collect(sink, 'events/')).toEqual([
      { key: 'events/family=sms/dt=2026-01-01/a.parquet', size: 1 },
      { key: 'events/family=sms/dt=2026-01-02/b.parquet', size: 2 },
    ]);
    expect(Buffer.from((await sink.get('errors/processing-failed/2026/01/01/00/e.ndjson'))!).toString()).toBe(
      'eee',
    );
    expect(await sink.get('events/missing.parquet')).toBeNull();
    await sink.delete(['events/family=sms/dt=2026-01-01/a.parquet', 'events/never-there']);
    expect((await collect(sink, 'events/')).map((o) => o.key)).toEqual([
      'events/family=sms/dt=2026-01-02/b.parquet',
    ]);
  });

  it('replaces an object written again under the same key, whole', async () => {
    // Arrange
    const sink = await open();
    const big = Buffer.alloc(17 * 1024 * 1024, 7); // past the multipart threshold

    // Act
    await sink.put('_state/x.json', Buffer.from('old'));
    await sink.put('_state/x.json', big);

    // Assert
    expect(Buffer.from((await sink.get('_state/x.json'))!).equals(big)).toBe(true);
  });
});

describe('errors', () => {
  it('hides temporary files from a folder listing', async () => {
    const dir = await tempDir('sink-');
    await mkdir(join(dir, 'events'), { recursive: true });
    await writeFile(join(dir, 'events', '.part-1.parquet.tmp'), 'x');
    await writeFile(join(dir, 'events', 'part-1.parquet'), 'x');
    expect((await collect(new FolderSink(dir), 'events/')).map((o) => o.key)).toEqual([
      'events/part-1.parquet',
    ]);
  });

  it('deletes, with a key, the temporary file a writer killed while rewriting it left behind', async () => {
    // Arrange: a run record, and the hidden temporary copy of a rewrite cut short
    const dir = await tempDir('sink-');
    await mkdir(join(dir, '_ingested', 'runs'), { recursive: true });
    await writeFile(join(dir, '_ingested', 'runs', 'r1.json'), '{}');
    await writeFile(join(dir, '_ingested', 'runs', '.r1.json.tmp'), '{');
    await writeFile(join(dir, '_ingested', 'runs', '.r2.json.tmp'), '{');

    // Act
    await new FolderSink(dir).delete(['_ingested/runs/r1.json']);

    // Assert: the other key's temporary file is not this delete's business
    expect(await readdir(join(dir, '_ingested', 'runs'))).toEqual(['.r2.json.tmp']);
  });

  it('says in one line that a lake bucket does not exist', async () => {
    const sink = openLakeSink('s3://no-such-bucket-here/lake/', { endpoint: s3.endpoint });
    expect(sink).toBeInstanceOf(S3Sink);
    await expect(sink.check()).rejects.toThrow(UserInputError);
    await expect(sink.check()).rejects.toThrow(
      's3://no-such-bucket-here/lake/: the bucket does not exist; check the bucket name and region',
    );
    await expect(sink.put('a', Buffer.from('x'))).rejects.toThrow(
      /s3:\/\/no-such-bucket-here\/lake\/a: the bucket does not exist/,
    );
  });

  it('says in one line that the credentials were refused, not that access was denied', async () => {
    // Arrange: s3rver knows only its own access key.
    const [id, secret] = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN';
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong';
    const sink = openLakeSink('s3://sink-lake/creds/', { endpoint: s3.endpoint });

    // Act (the SDK reads the credentials at the first request)
    const put = sink.put('a', Buffer.from('x'));
    const outcome = await put.then(
      () => null,
      (error: Error) => error,
    );
    [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY] = [id, secret];

    // Assert
    expect(outcome).toBeInstanceOf(UserInputError);
    expect(outcome?.message).toBe(
      's3://sink-lake/creds/a: the AWS credentials were refused or are missing (InvalidAccessKeyId); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
  });

  it('refuses a malformed S3 lake', () => {
    expect(() => openLakeSink('s3://A_bad/x')).toThrow(
      "--lake 's3://A_bad/x' is not an S3 location; write it as s3://bucket/prefix/",
    );
  });
});
