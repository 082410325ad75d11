/**
 * `compact --lake s3://…` against a real S3 protocol server on loopback (s3rver). The lake is made
 * the way users make one: several ingest runs into a folder (so partitions hold several files),
 * uploaded under a prefix. Every row must read back the same, exactly once, after a plain run, a
 * run limited to some days, a Firehose writing meanwhile, a killed run and its successor, and two
 * runs that overlap despite the lock.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { compactLake } from '../../local/src/compact';
import { LEASE_KEY } from '../../local/src/compact-lock';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { groupPartitions, JOURNAL_PREFIX } from '../../local/src/lake-layout';
import { openLakeSink, type LakeObject } from '../../local/src/lake-sink';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { listFiles, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const BUCKET = 'compact-lake';
let s3: TestS3;
/** A local lake with several files per partition, and its rows. */
let template: string;
let original: Record<string, unknown>[];

/** Every row of a local lake, every column, in a stable order, as the query layer reads it. */
async function lakeContents(lake: string): Promise<Record<string, unknown>[]> {
  const opened = await openLocalLake(lake, { views: [] });
  try {
    const { rows } = await opened.run('select * from events order by dt, family, event_id, arrival_time');
    return rows;
  } finally {
    opened.close();
  }
}

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  const dir = await tempDir('compact-s3-template-');
  for (const seed of ['1', '2', '3']) {
    const lines = [...generateEvents({ events: 600, seed, start: Date.UTC(2026, 10, 1), days: 3 })];
    await writeFile(join(dir, `events-${seed}.ndjson`), `${lines.join('\n')}\n`);
    await ingest({ inputs: [join(dir, `events-${seed}.ndjson`)], lake: join(dir, 'lake'), restart: true });
  }
  template = join(dir, 'lake');
  original = await lakeContents(template);
}, 180_000);
afterAll(() => s3.stop());

/** Uploads the template's events under a fresh prefix; returns the lake's s3:// URL. */
async function uploadedLake(): Promise<string> {
  const prefix = `t${Math.random().toString(36).slice(2)}/`;
  for (const file of await listFiles(join(template, 'events'))) {
    const key = `${prefix}events/${file.split('\\').join('/')}`;
    const body = await readFile(join(template, 'events', file));
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
  return `s3://${BUCKET}/${prefix}`;
}

/** Every object of the lake: keys relative to its prefix, and sizes. */
async function objectsOf(lake: string): Promise<LakeObject[]> {
  const sink = openLakeSink(lake, { endpoint: s3.endpoint });
  const out: LakeObject[] = [];
  for await (const object of sink.list('')) out.push(object);
  return out;
}

const keysOf = async (lake: string): Promise<string[]> => (await objectsOf(lake)).map((o) => o.key);

/** Downloads the lake into a fresh folder, as it is (journals and all). */
async function downloaded(lake: string): Promise<string> {
  const dir = await tempDir('compact-s3-download-');
  const sink = openLakeSink(lake, { endpoint: s3.endpoint });
  for (const key of await keysOf(lake)) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), (await sink.get(key))!);
  }
  return dir;
}

const options = (lake: string) => ({ lake, s3Endpoint: s3.endpoint });

describe('compactLake on S3', () => {
  it('rewrites each partition into one object, every row and value unchanged', async () => {
    // Arrange
    const lake = await uploadedLake();
    const before = groupPartitions(await objectsOf(lake));

    // Act
    const summary = await compactLake(options(lake));

    // Assert
    expect(before.filter((p) => p.files.length > 1).length).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      partitions: before.length,
      compacted: before.length, // lone ingest files get the compacted layout too
      recovered: 0,
      skipped: 0,
      filesBefore: before.reduce((n, p) => n + p.files.length, 0),
      filesAfter: before.length,
    });
    const after = groupPartitions(await objectsOf(lake));
    expect(after.map((p) => [p.prefix, p.files.length, p.journals.length])).toEqual(
      before.map((p) => [p.prefix, 1, 0]),
    );
    expect(await keysOf(lake)).not.toContain(LEASE_KEY);
    expect(await lakeContents(await downloaded(lake))).toEqual(original);
  }, 120_000);

  it('with --from/--to rewrites only those days and leaves every other object as it was', async () => {
    // Arrange
    const lake = await uploadedLake();
    const before = await keysOf(lake);
    const day = '2026-11-02';
    const inDay = (key: string) => key.includes(`/dt=${day}/`);

    // Act
    const summary = await compactLake({ ...options(lake), from: day, to: day });

    // Assert
    const after = await keysOf(lake);
    expect(after.filter((k) => !inDay(k))).toEqual(before.filter((k) => !inDay(k)));
    const partitions = groupPartitions(await objectsOf(lake)).filter((p) => p.day === day);
    expect(partitions.length).toBe(summary.partitions);
    expect(partitions.every((p) => p.files.length === 1)).toBe(true);
    expect(summary.filesBefore).toBe(before.filter(inDay).length);
    expect(await lakeContents(await downloaded(lake))).toEqual(original);
  }, 120_000);

  it('keeps an object that a Firehose still writing adds to the partition while it runs', async () => {
    // Arrange
    const lake = await uploadedLake();
    const sink = openLakeSink(lake, { endpoint: s3.endpoint });
    let late = '';

    // Act: a new object appears between the listing and the deletes
    await compactLake({
      ...options(lake),
      concurrency: 1,
      beforeDelete: async () => {
        if (late) return;
        const [partition] = groupPartitions(await objectsOf(lake)).filter((p) => p.files.length > 1);
        late = `${partition.prefix}/engagement-lake-1-2026-11-02-10-15-00-late.parquet`;
        await sink.put(late, (await sink.get(partition.files[0].key))!);
      },
    });

    // Assert: the late object is still there, so its rows show twice (the same events again)
    expect(await keysOf(lake)).toContain(late);
    expect((await lakeContents(await downloaded(lake))).length).toBeGreaterThan(original.length);
  }, 120_000);

  it('skips, with a note, a partition whose object was removed after the listing, and compacts the others', async () => {
    // Arrange
    const lake = await uploadedLake();
    const sink = openLakeSink(lake, { endpoint: s3.endpoint });
    const day = '2026-11-02'; // one day keeps the test short
    const ofDay = groupPartitions(await objectsOf(lake)).filter((p) => p.day === day);
    const before = ofDay.filter((p) => p.files.length > 1);
    let removed = '';

    // Act: a lifecycle rule (or another compaction) deletes an object between the plan and the read
    const summary = await compactLake({
      ...options(lake),
      from: day,
      to: day,
      concurrency: 1,
      beforeStage: async () => {
        if (removed) return;
        removed = before[0].files[0].key;
        await sink.delete([removed]);
      },
    });

    // Assert
    expect(summary.skipped).toBe(1);
    expect(summary.compacted).toBe(ofDay.length - 1);
    expect(summary.notes).toEqual([expect.stringContaining(`${removed} was removed after the listing`)]);
    const after = groupPartitions(await objectsOf(lake)).filter((p) => p.day === day);
    const skipped = after.find((p) => p.prefix === before[0].prefix)!;
    expect(skipped.files.map((f) => f.key)).toEqual(before[0].files.slice(1).map((f) => f.key));
    expect(after.filter((p) => p.prefix !== before[0].prefix).every((p) => p.files.length === 1)).toBe(true);
    expect((await keysOf(lake)).filter((k) => k.includes(JOURNAL_PREFIX))).toEqual([]);
  }, 120_000);

  describe.each([
    ['after the journal, before the new object is published', 'beforePublish', false],
    ['after the new object is published, before the deletes', 'beforeDelete', true],
  ])('a run killed %s', (_moment, hook, published) => {
    /** Starts a compaction in a child process that pauses at `hook` of its first partition; resolves once paused. */
    async function pausedChild(lake: string) {
      const dir = await tempDir('compact-s3-child-');
      const script = join(dir, 'run.ts');
      const compactPath = join(__dirname, '..', '..', 'local', 'src', 'compact');
      const pause = `async (p: string) => { console.log('paused ' + p); await new Promise(() => setInterval(() => undefined, 1000)); }`;
      await writeFile(
        script,
        `import { compactLake } from ${JSON.stringify(compactPath)};\n` +
          `void compactLake({ lake: ${JSON.stringify(lake)}, s3Endpoint: ${JSON.stringify(s3.endpoint)}, concurrency: 1, leaseMs: 1000, ${hook}: ${pause} })\n` +
          `  .then(() => console.log('finished'), (e) => { console.error(e.message); process.exitCode = 3; });\n`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // jest gives the test file its own process.env: pass s3-server.ts's credentials on.
        env: { ...process.env },
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      const partition = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (chunk) => (err += String(chunk)));
        child.stdout.on('data', (chunk) => {
          out += String(chunk);
          const match = /^paused (.*)$/m.exec(out);
          if (match) resolve(match[1]);
        });
        child.on('exit', () => reject(new Error(`the child ended before pausing: ${out} ${err}`)));
      });
      return { partition, kill: () => (child.kill('SIGKILL'), exited) };
    }

    it('is finished by the next run: every row there exactly once', async () => {
      // Arrange: SIGKILL the child while it waits at the chosen moment
      const lake = await uploadedLake();
      const child = await pausedChild(lake);
      expect(await child.kill()).toBe('SIGKILL');
      const prefix = child.partition.slice(lake.length);
      const [left] = groupPartitions(await objectsOf(lake)).filter((p) => p.prefix === prefix);
      expect(left.journals).toHaveLength(1);
      expect(left.files.some((f) => f.key.endsWith('-compacted.parquet'))).toBe(published);
      const meanwhile = (await lakeContents(await downloaded(lake))).length;
      expect(meanwhile - original.length > 0).toBe(published); // once published, readers see the rows twice
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the killed run's 1 s lease lapses

      // Act
      const summary = await compactLake(options(lake));

      // Assert
      expect(summary.recovered).toBe(1);
      const after = groupPartitions(await objectsOf(lake));
      expect(after.every((p) => p.files.length === 1 && p.journals.length === 0)).toBe(true);
      expect(await lakeContents(await downloaded(lake))).toEqual(original);
    }, 120_000);
  });

  describe('two runs at once', () => {
    it('refuses to start while another run holds the lock, and takes over a lapsed one', async () => {
      // Arrange
      const lake = await uploadedLake();
      const sink = openLakeSink(lake, { endpoint: s3.endpoint });
      const lease = (ms: number) =>
        Buffer.from(
          JSON.stringify({
            owner: 'other',
            host: 'elsewhere',
            pid: 7,
            expires: new Date(Date.now() + ms).toISOString(),
          }),
        );
      await sink.put(LEASE_KEY, lease(60_000));
      const keys = await keysOf(lake);

      // Act
      const refused = compactLake(options(lake));

      // Assert
      await expect(refused).rejects.toThrow(UserInputError);
      await expect(refused).rejects.toThrow(
        new RegExp(
          `^another compaction is running on '${lake}'; wait for it to finish \\(its lock ${lake}${LEASE_KEY} is held by elsewhere pid 7 until `,
        ),
      );
      expect(await keysOf(lake)).toEqual(keys);
      await sink.put(LEASE_KEY, lease(-1000));
      const summary = await compactLake(options(lake));
      expect(summary.compacted).toBeGreaterThan(0);
      expect(await keysOf(lake)).not.toContain(LEASE_KEY);
    }, 120_000);

    it.each([
      ['rolls back the first run’s journal; the first run leaves that partition alone', 'beforePublish'],
      ['rolls the first run’s partition forward; its deletes find nothing left', 'beforeDelete'],
    ])(
      'when the lock is ignored, the second %s and loses no row',
      async (_what, hook) => {
        // Arrange: the first run pauses in its first partition; its lock is removed; a second run runs through
        const lake = await uploadedLake();
        const sink = openLakeSink(lake, { endpoint: s3.endpoint });
        let second: Promise<unknown> | undefined;
        const meanwhile = async () => {
          if (second) return;
          await sink.delete([LEASE_KEY]);
          second = compactLake(options(lake));
          await second;
        };

        // Act
        const first = compactLake({ ...options(lake), concurrency: 1, [hook]: meanwhile });

        // Assert: the first run notices at its next partition; every row is there exactly once
        await expect(first).rejects.toThrow(
          /^lost the compaction lock on '.*' \(.*was deleted\); stopped before the next partition/,
        );
        await expect(second).resolves.toMatchObject({ recovered: 1 });
        const after = groupPartitions(await objectsOf(lake));
        expect(after.every((p) => p.files.length === 1 && p.journals.length === 0)).toBe(true);
        expect(await lakeContents(await downloaded(lake))).toEqual(original);
      },
      120_000,
    );
  });

  describe('bad input', () => {
    it('names the partition of a damaged object and deletes nothing of it', async () => {
      // Arrange
      const lake = await uploadedLake();
      const [partition] = groupPartitions(await objectsOf(lake));
      const damaged = `${partition.prefix}/part-damaged.parquet`;
      await s3.client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${lake.slice(`s3://${BUCKET}/`.length)}${damaged}`,
          Body: 'not parquet',
        }),
      );

      // Act
      const result = compactLake(options(lake));

      // Assert: one line naming the partition and the object
      await expect(result).rejects.toThrow(EngagementLakeError);
      await expect(result).rejects.toThrow(
        new RegExp(
          `^compaction of ${lake}${partition.prefix} failed, its files are unchanged: [^\\n]*part-damaged\\.parquet[^\\n]*move a damaged file out of the lake[^\\n]*$`,
        ),
      );
      const left = groupPartitions(await objectsOf(lake));
      expect(left.find((p) => p.prefix === partition.prefix)!.files.map((f) => f.key)).toEqual(
        [...partition.files.map((f) => f.key), damaged].sort(),
      );
      expect(left.every((p) => p.journals.length === 0)).toBe(true);
      await openLakeSink(lake, { endpoint: s3.endpoint }).delete([damaged]);
      expect(await lakeContents(await downloaded(lake))).toEqual(original);
    }, 120_000);

    it('refuses a prefix without a lake, and a missing bucket', async () => {
      await expect(compactLake(options(`s3://${BUCKET}/nothing-here/`))).rejects.toThrow(
        new UserInputError(
          `no lake at 's3://${BUCKET}/nothing-here/': nothing under events/ to compact; check the bucket and prefix given to --lake`,
        ),
      );
      await expect(compactLake(options('s3://no-such-bucket-here/lake/'))).rejects.toThrow(
        /^s3:\/\/no-such-bucket-here\/lake\/: the bucket does not exist/,
      );
    });

    it.each([
      [{ from: '2026-02-30' }, "--from must be a date as YYYY-MM-DD, got '2026-02-30'"],
      [{ to: 'yesterday' }, "--to must be a date as YYYY-MM-DD, got 'yesterday'"],
      [
        { from: '2026-11-03', to: '2026-11-01' },
        '--from 2026-11-03 is after --to 2026-11-01; pass a --from on or before --to',
      ],
      [
        { concurrency: 0 },
        "--concurrency must be a whole number from 1 to 64 (partitions compacted at once), got '0'",
      ],
    ])('refuses %j with one line', async (bad, message) => {
      // Arrange
      const lake = `s3://${BUCKET}/never-read/`;

      // Act
      const result = compactLake({ ...options(lake), ...bad });

      // Assert
      await expect(result).rejects.toThrow(new UserInputError(message));
    });
  });
});
