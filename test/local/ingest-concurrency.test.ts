/**
 * `ingest` beside other runs on one lake (issues 9 and 11): a second run of the same inputs, runs of
 * other inputs, and `compact`. Each run pauses at a chosen write (a sink that waits), so the moment
 * the other run acts is the same on every machine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactLake } from '../../local/src/compact';
import { generateEvents } from '../../local/src/generate';
import { ingest, type IngestOptions } from '../../local/src/ingest';
import { FolderSink, openLakeSink, type LakeSink } from '../../local/src/lake-sink';
import { isDead, readRunRecords } from '../../local/src/run-record';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { UserInputError } from '../../transform/src/errors';
import { listFiles, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const BAD_LINE = '{"not":"an engagement event"}';
/** Small partition buffers: a run publishes many files before its one commit at the end. */
const SMALL_FILES = {
  workers: 0,
  bufferLimits: { maxRowsPerPartition: 8, maxBytesPerPartition: 1 << 30, maxTotalBytes: 1 << 30 },
};

/** A folder of `count` NDJSON files of generated events, each with one record the handler fails. */
async function inputFolder(seed: string, count: number, eventsEach: number) {
  const dir = await tempDir(`conc-in-${seed}-`);
  let events = 0;
  for (let i = 0; i < count; i++) {
    const lines = [
      ...generateEvents({ events: eventsEach, seed: `${seed}-${i}`, start: Date.UTC(2026, 10, 1), days: 3 }),
    ];
    events += lines.length;
    await writeFile(join(dir, `part-${i}.ndjson`), `${lines.join('\n')}\n${BAD_LINE}\n`);
  }
  return { dir, events, records: events + count, files: count };
}

/**
 * A lake whose `put` of its `pauseAt`-th Parquet file waits until released (then succeeds, or fails).
 * With `afterCommit`, files are counted from the first checkpoint marker on.
 */
class PausingSink implements LakeSink {
  private parquet = 0;
  private resume!: (fail: boolean) => void;
  private readonly resumed = new Promise<boolean>((resolve) => (this.resume = resolve));
  readonly paused: Promise<void>;
  private reachedPause!: () => void;
  private counting: boolean;
  constructor(
    private readonly lake: LakeSink,
    private readonly pauseAt: number,
    afterCommit = false,
  ) {
    this.counting = !afterCommit;
    this.paused = new Promise((resolve) => (this.reachedPause = resolve));
  }
  get location(): string {
    return this.lake.location;
  }
  check = () => this.lake.check();
  get = (key: string) => this.lake.get(key);
  list = (prefix: string) => this.lake.list(prefix);
  delete = (keys: readonly string[]) => this.lake.delete(keys);
  async put(key: string, body: Uint8Array): Promise<void> {
    if (key.startsWith('_ingested/file/')) this.counting = true;
    if (this.counting && key.endsWith('.parquet') && ++this.parquet === this.pauseAt) {
      this.reachedPause();
      if (await this.resumed) throw new Error(`put of ${key} failed`);
    }
    await this.lake.put(key, body);
  }
  release(fail = false): void {
    this.resume(fail);
  }
}

/** Every key of the lake. */
async function keysOf(sink: LakeSink): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of sink.list('')) keys.push(object.key);
  return keys;
}

/** A folder copy of a lake, for DuckDB. */
async function asFolder(sink: LakeSink): Promise<string> {
  if (sink instanceof FolderSink) return sink.location;
  const copy = new FolderSink(await tempDir('conc-copy-'));
  for (const key of await keysOf(sink)) await copy.put(key, (await sink.get(key))!);
  return copy.location;
}

/** Rows, distinct events, `events_unique` rows, error records, and run records left in the lake. */
async function lakeCounts(sink: LakeSink) {
  const folder = await asFolder(sink);
  const opened = await openLocalLake(folder);
  try {
    const [row] = (
      await opened.run(
        'select count(*)::int as rows, count(distinct event_id)::int as ids, (select count(*)::int from events_unique) as uniq from events',
      )
    ).rows;
    let failed = 0;
    for (const file of (await listFiles(folder)).filter((f) => f.startsWith('errors/'))) {
      const text = Buffer.from((await new FolderSink(folder).get(file))!).toString('utf8');
      failed += text.trim().split('\n').length;
    }
    const runRecords = (await readRunRecords(sink)).length;
    return { rows: Number(row.rows), ids: Number(row.ids), uniq: Number(row.uniq), failed, runRecords };
  } finally {
    opened.close();
  }
}

/** Asserts the lake holds every input record once: as a row or an error record, and no run record. */
async function expectEachRecordOnce(
  sink: LakeSink,
  inputs: readonly { events: number; records: number; files: number }[],
) {
  const sum = (pick: (i: (typeof inputs)[number]) => number) => inputs.reduce((n, i) => n + pick(i), 0);
  const counts = await lakeCounts(sink);
  expect(counts.rows + counts.failed).toBe(sum((i) => i.records));
  const events = sum((i) => i.events);
  expect(counts).toEqual({
    rows: events,
    ids: events,
    uniq: events,
    failed: sum((i) => i.files),
    runRecords: 0,
  });
}

describe.each([
  ['a folder lake', 'folder'],
  ['an S3 lake', 's3'],
])('ingest into %s beside another run', (_name, kind) => {
  let s3: TestS3 | undefined;
  let lakeSeq = 0;
  beforeAll(async () => {
    if (kind !== 's3') return;
    s3 = await startS3();
    await s3.createBucket('conc-lake');
  });
  afterAll(() => s3?.stop());

  /** A new empty lake, with the options that reach it. */
  async function newLake(): Promise<{ lake: string; sink: LakeSink; access: Partial<IngestOptions> }> {
    if (!s3) {
      const lake = await tempDir('conc-lake-');
      return { lake, sink: new FolderSink(lake), access: {} };
    }
    const lake = `s3://conc-lake/l${++lakeSeq}/`;
    return {
      lake,
      sink: openLakeSink(lake, { endpoint: s3.endpoint }),
      access: { s3: { endpoint: s3.endpoint } },
    };
  }

  it('refuses a second run of the same inputs while the first is alive, and deletes none of its files', async () => {
    // Arrange: the first run pauses before its third Parquet file; the two before are uncommitted
    const input = await inputFolder('same', 2, 40);
    const { lake, sink, access } = await newLake();
    const options: IngestOptions = { inputs: [input.dir], lake, ...access, ...SMALL_FILES };
    const pausing = new PausingSink(sink, 3);
    const first = ingest({ ...options, sink: pausing });
    await pausing.paused;
    const before = await keysOf(sink);
    expect(before.filter((k) => k.endsWith('.parquet'))).toHaveLength(2);

    // Act
    const second = ingest(options);

    // Assert: a one-line refusal; the first run's files are all there and it finishes the job
    await expect(second).rejects.toThrow(UserInputError);
    await expect(second).rejects.toThrow(
      /^another ingest of the same inputs is running on '.*' \(run \w+, .* pid \d+, lease until .*\); wait for it to finish, then rerun/,
    );
    expect(await keysOf(sink)).toEqual(before);
    pausing.release();
    const summary = await first;
    expect(summary.records).toBe(input.records);
    await expectEachRecordOnce(sink, [input]);
    const rerun = await ingest(options); // refused runs leave nothing behind: a rerun reads nothing
    expect(rerun).toMatchObject({ objectsRead: 0, objectsSkipped: input.files, recoveredRuns: 0 });
  }, 60_000);

  it('stores every record of two runs of other inputs at once exactly once', async () => {
    // Arrange: two inputs, committing after every file, so the runs' commits interleave
    const a = await inputFolder('a', 3, 30);
    const b = await inputFolder('b', 3, 30);
    const { lake, sink, access } = await newLake();
    const run = (dir: string) => ingest({ inputs: [dir], lake, ...access, ...SMALL_FILES, commitBytes: 1 });

    // Act
    const [ranA, ranB] = await Promise.all([run(a.dir), run(b.dir)]);

    // Assert: rows + error records = input records, each event once
    expect(ranA.records + ranB.records).toBe(a.records + b.records);
    expect(ranA.commits).toBe(a.files);
    await expectEachRecordOnce(sink, [a, b]);
  }, 60_000);
});

describe('an ingest run record', () => {
  it('is renewed while the run is alive, so another machine takes it for alive after many lease lengths', async () => {
    // Arrange: a run with a 300 ms lease, paused for over three lease lengths
    const input = await inputFolder('lease', 1, 30);
    const lake = await tempDir('conc-lease-');
    const pausing = new PausingSink(new FolderSink(lake), 2);
    const running = ingest({ inputs: [input.dir], lake, sink: pausing, leaseMs: 300, ...SMALL_FILES });
    await pausing.paused;
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // Act: judge the record as a run on another machine would (by its expiry only)
    const [record] = await readRunRecords(new FolderSink(lake));
    const seenFromElsewhere = { ...record, space: undefined };

    // Assert
    expect(isDead(seenFromElsewhere)).toBe(false);
    expect(Date.parse(record.expires!) - Date.parse(record.startedAt)).toBeGreaterThan(1000);
    pausing.release();
    await running;
    expect(await readRunRecords(new FolderSink(lake))).toEqual([]);
    expect(isDead({ ...seenFromElsewhere, expires: new Date(Date.now() - 1).toISOString() })).toBe(true);
  });
});

describe('ingest beside compact', () => {
  it.each([
    ['finishes', false],
    ['fails and is run again', true],
  ])(
    'keeps every record once when a compaction runs while an ingest is halfway and the ingest %s',
    async (_end, fails) => {
      // Arrange: a lake with two ingests in it (partitions of two files); a third paused after its
      // first commit, with one file published since
      const a = await inputFolder('ca', 2, 40);
      const b = await inputFolder('cb', 2, 40);
      const lake = await tempDir('conc-compact-');
      const sink = new FolderSink(lake);
      for (const file of ['part-0.ndjson', 'part-1.ndjson'])
        await ingest({ inputs: [join(a.dir, file)], lake, ...SMALL_FILES });
      const pausing = new PausingSink(sink, 2, true);
      const third = ingest({ inputs: [b.dir], lake, sink: pausing, ...SMALL_FILES, commitBytes: 1 });
      await pausing.paused;

      // Act: compact, then let the ingest go on
      const compaction = await compactLake({ lake });
      pausing.release(fails);
      if (fails) {
        await expect(third).rejects.toThrow('failed');
        await ingest({ inputs: [b.dir], lake, ...SMALL_FILES });
      } else await third;

      // Assert
      expect(compaction.compacted).toBeGreaterThan(0);
      await expectEachRecordOnce(sink, [a, b]);
    },
    60_000,
  );
});
