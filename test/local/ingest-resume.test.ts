import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ingest, type IngestOptions } from '../../local/src/ingest';
import { FolderSink, openLakeSink, type LakeObject, type LakeSink } from '../../local/src/lake-sink';
import { readRunRecords } from '../../local/src/run-record';
import { generateEvents } from '../../local/src/generate';
import { duckdbRows, eventsSql, listFiles, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const BAD_LINE = '{"not":"an engagement event"}';
/** Small limits: each run writes many files and commits often, so there are many moments to stop at. */
const SMALL = {
  commitBytes: 20 * 1024,
  bufferLimits: { maxRowsPerPartition: 16, maxBytesPerPartition: 1 << 30, maxTotalBytes: 1 << 30 },
};

/** `count` archive objects of generated events, each with one record the handler fails. */
function archive(count: number, eventsEach: number): { name: string; body: Buffer; events: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const lines = [
      ...generateEvents({ events: eventsEach, seed: `obj-${i}`, start: Date.UTC(2026, 10, 1), days: 2 }),
    ];
    const text = `${lines.join('\n')}\n${BAD_LINE}\n`;
    const name = `part-${String(i).padStart(3, '0')}.ndjson${i % 2 ? '.gz' : ''}`;
    return { name, body: i % 2 ? gzipSync(text) : Buffer.from(text), events: lines.length };
  });
}

/** What the lake holds: rows, distinct event ids, failed records, and the records its markers count. */
async function lakeCounts(lake: string) {
  const [{ rows, ids }] = await duckdbRows(
    eventsSql(lake, 'count(*)::int as rows, count(distinct event_id)::int as ids'),
  );
  // As readers see the lake: a write that a SIGKILL cut short leaves a hidden `.name.tmp`, which
  // FolderSink, DuckDB and Athena all pass over.
  const files = (await listFiles(lake)).filter((f) => !basename(f).startsWith('.'));
  let failed = 0;
  for (const file of files.filter((f) => f.startsWith('errors/'))) {
    failed += (await readFile(join(lake, file), 'utf8')).trim().split('\n').length;
  }
  let markedRecords = 0;
  const markers = files.filter((f) => f.startsWith('_ingested/') && !f.startsWith('_ingested/runs/'));
  for (const file of markers) markedRecords += JSON.parse(await readFile(join(lake, file), 'utf8')).records;
  const runRecords = files.filter((f) => f.startsWith('_ingested/runs/')).length;
  return { rows, ids, failed, markers: markers.length, markedRecords, runRecords };
}

/** A lake whose `put` fails from the `failAt`-th call on, as a full disk or a lost network would. */
class FailingSink implements LakeSink {
  puts = 0;
  private readonly inFlight = new Set<Promise<void>>();
  constructor(
    private readonly lake: LakeSink,
    private readonly failAt: number,
  ) {}
  get location(): string {
    return this.lake.location;
  }
  check = () => this.lake.check();
  get = (key: string) => this.lake.get(key);
  list = (prefix: string) => this.lake.list(prefix);
  delete = (keys: readonly string[]) => this.lake.delete(keys);
  async put(key: string, body: Uint8Array): Promise<void> {
    this.puts += 1;
    if (this.puts >= this.failAt) throw new Error(`put ${this.puts} of ${key} failed`);
    const write = this.lake.put(key, body);
    this.inFlight.add(write);
    try {
      await write;
    } finally {
      this.inFlight.delete(write);
    }
  }
  /** Waits for the writes the failed run had started: a dead process's writes are over, too. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** Runs an ingest whose writes fail from the `failAt`-th on; resolves once it failed and its writes are over. */
async function failedRun(options: IngestOptions, failAt: number): Promise<void> {
  const sink = new FailingSink(openLakeSink(options.lake, options.s3), failAt);
  await expect(ingest({ ...options, sink })).rejects.toThrow('failed');
  await sink.settled();
}

/** An S3 lake copied into a temporary folder, for DuckDB and the counts. */
async function downloaded(lake: string, endpoint: string): Promise<string> {
  const sink = openLakeSink(lake, { endpoint });
  const copy = new FolderSink(await tempDir('s3-copy-'));
  for await (const object of sink.list('')) await copy.put(object.key, (await sink.get(object.key))!);
  return copy.location;
}

describe('ingest, resumed', () => {
  describe('after a failed run', () => {
    let input: string;
    let expected: { events: number; objects: number };
    let putsOfACleanRun: number;

    beforeAll(async () => {
      input = await tempDir('resume-in-');
      const objects = archive(3, 24);
      for (const o of objects) await writeFile(join(input, o.name), o.body);
      expected = { events: objects.reduce((n, o) => n + o.events, 0), objects: objects.length };
      const counting = new FailingSink(new FolderSink(await tempDir()), Infinity);
      await ingest({ inputs: [input], lake: counting.location, sink: counting, workers: 0, ...SMALL });
      putsOfACleanRun = counting.puts;
    });

    it('stores every event exactly once, whichever write failed', async () => {
      // Arrange: one lake per moment of failure, from the first write of the run to its last
      const moments = Array.from({ length: putsOfACleanRun }, (_, i) => i + 1);
      const results = [];

      for (const failAt of moments) {
        const lake = await tempDir();
        const options: IngestOptions = { inputs: [input], lake, workers: 0, ...SMALL };
        await failedRun(options, failAt);

        // Act
        const resumed = await ingest(options);

        // (collected: one assertion below names every moment that went wrong)
        const counts = await lakeCounts(lake);
        results.push({ failAt, ...counts, read: resumed.objectsRead + resumed.objectsSkipped });
      }

      // Assert
      const once = {
        rows: expected.events,
        ids: expected.events,
        failed: expected.objects,
        markers: expected.objects,
        markedRecords: expected.events + expected.objects,
        runRecords: 0,
        read: expected.objects,
      };
      expect(putsOfACleanRun).toBeGreaterThan(15);
      expect(results).toEqual(moments.map((failAt) => ({ failAt, ...once })));
    }, 180_000);

    it('reads only the sources the failed run had not committed', async () => {
      // Arrange: fail at about two thirds of the run's writes
      const lake = await tempDir();
      const options: IngestOptions = { inputs: [input], lake, workers: 0, ...SMALL };
      const failAt = Math.round((2 * putsOfACleanRun) / 3);
      await failedRun(options, failAt);

      // Act
      const resumed = await ingest(options);

      // Assert
      expect(resumed.objectsSkipped).toBeGreaterThan(0);
      expect(resumed.objectsRead).toBeGreaterThan(0);
      expect(resumed.objectsSkipped + resumed.objectsRead).toBe(expected.objects);
      expect(resumed.recoveredRuns).toBe(1);
    });

    it('lists only the folders the failed run wrote to, and only its own files there', async () => {
      // Arrange: a run of other inputs fills the lake first; then a run fails at two thirds of its writes
      const lake = await tempDir();
      const other = await tempDir('resume-other-');
      await writeFile(join(other, 'other.ndjson'), archive(1, 24)[0].body);
      await ingest({ inputs: [other], lake, workers: 0, ...SMALL });
      const options: IngestOptions = { inputs: [input], lake, workers: 0, ...SMALL };
      await failedRun(options, Math.round((2 * putsOfACleanRun) / 3));
      const [dead] = await readRunRecords(new FolderSink(lake));
      const sink = new FolderSink(lake);
      const listed: string[] = [];
      const list = sink.list.bind(sink);
      sink.list = (prefix: string): AsyncGenerator<LakeObject> => (listed.push(prefix), list(prefix));

      // Act
      const resumed = await ingest({ ...options, sink });

      // Assert
      expect(resumed.recoveredRuns).toBe(1);
      const data = listed.filter((prefix) => /^(events|errors)\//.test(prefix));
      expect(data.length).toBeGreaterThan(0);
      expect(data.length).toBe(dead.folders!.length);
      for (const prefix of data) expect(prefix).toMatch(new RegExp(`/part-${dead.runId}-$`));
    });
  });

  describe('into an S3 lake, after a failed run', () => {
    let s3: TestS3;
    let putsOfACleanRun: number;
    const options = (lake: string): IngestOptions => ({
      inputs: ['s3://resume-archive/'],
      lake,
      s3: { endpoint: s3.endpoint },
      workers: 0,
      ...SMALL,
    });

    beforeAll(async () => {
      s3 = await startS3();
      await s3.createBucket('resume-archive');
      await s3.createBucket('resume-lake');
      for (const o of archive(3, 24)) {
        await s3.client.send(new PutObjectCommand({ Bucket: 'resume-archive', Key: o.name, Body: o.body }));
      }
      const counting = new FailingSink(
        openLakeSink('s3://resume-lake/clean/', { endpoint: s3.endpoint }),
        Infinity,
      );
      await ingest({ ...options(counting.location), sink: counting });
      putsOfACleanRun = counting.puts;
    });
    afterAll(() => s3.stop());

    it('stores every event exactly once, failing at every other write', async () => {
      // Arrange
      const events = 3 * 24;
      const moments = Array.from({ length: putsOfACleanRun }, (_, i) => i + 1).filter((n) => n % 2 === 1);
      const results = [];
      for (const failAt of moments) {
        const lake = `s3://resume-lake/fail-${failAt}/`;
        await failedRun(options(lake), failAt);

        // Act
        await ingest(options(lake));

        // (collected: one assertion below names every moment that went wrong)
        results.push({ failAt, ...(await lakeCounts(await downloaded(lake, s3.endpoint))) });
      }

      // Assert
      const once = {
        rows: events,
        ids: events,
        failed: 3,
        markers: 3,
        markedRecords: events + 3,
        runRecords: 0,
      };
      expect(moments.length).toBeGreaterThan(5);
      expect(results).toEqual(moments.map((failAt) => ({ failAt, ...once })));
    }, 120_000);
  });

  describe('after SIGKILL', () => {
    let s3: TestS3;
    let events: number;
    /** Parquet files a whole run writes: the kills come at fractions of it (a killed run's own files). */
    let filesOfAWholeRun: number;
    const OBJECTS = 24;
    const COMMIT_MIB = 0.05;

    beforeAll(async () => {
      s3 = await startS3();
      await s3.createBucket('kill-archive');
      const objects = archive(OBJECTS, 30);
      events = objects.reduce((n, o) => n + o.events, 0);
      for (const o of objects) {
        await s3.client.send(
          new PutObjectCommand({ Bucket: 'kill-archive', Key: `2026/${o.name}`, Body: o.body }),
        );
      }
      const whole = await ingest({
        inputs: ['s3://kill-archive/2026/'],
        lake: await tempDir(),
        s3: { endpoint: s3.endpoint },
        commitBytes: COMMIT_MIB * 1024 * 1024,
      });
      filesOfAWholeRun = whole.files;
    });
    afterAll(() => s3.stop());

    /** Runs the CLI in a child process to its end. */
    function runCli(lake: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
      const bin = join(__dirname, '..', '..', 'cli', 'src', 'bin.ts');
      const args = ['ingest', 's3://kill-archive/2026/', '--lake', lake, '--s3-endpoint', s3.endpoint];
      // The environment as this test process sees it: it holds the credentials s3rver takes.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', bin, ...args, '--commit-mib', String(COMMIT_MIB), '--json'],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
    }

    /**
     * Runs the same ingest in a child process whose lake stops answering at its `fraction`-th of a
     * whole run's Parquet files (the first at least); SIGKILLs it there, so the kill always comes
     * mid-run, whatever the machine's speed. Resolves with the signal that ended it.
     */
    async function killedRun(lake: string, fraction: number): Promise<string | null> {
      const pauseAt = Math.max(1, Math.floor(fraction * filesOfAWholeRun));
      const script = join(await tempDir('kill-child-'), 'run.ts');
      const src = join(__dirname, '..', '..', 'local', 'src');
      await writeFile(
        script,
        `import { ingest } from ${JSON.stringify(join(src, 'ingest'))};\n` +
          `import { FolderSink } from ${JSON.stringify(join(src, 'lake-sink'))};\n` +
          `const lake = new FolderSink(${JSON.stringify(lake)});\n` +
          `let files = 0;\n` +
          `const put = async (key: string, body: Uint8Array) => {\n` +
          `  if (key.endsWith('.parquet') && ++files === ${pauseAt}) { console.log('paused'); await new Promise(() => setInterval(() => undefined, 1000)); }\n` +
          `  return lake.put(key, body);\n` +
          `};\n` +
          `const sink = { location: lake.location, check: () => lake.check(), get: (k: string) => lake.get(k), list: (p: string) => lake.list(p), delete: (k: readonly string[]) => lake.delete(k), put };\n` +
          `void ingest({ inputs: ['s3://kill-archive/2026/'], lake: lake.location, sink, s3: { endpoint: ${JSON.stringify(s3.endpoint)} }, commitBytes: ${COMMIT_MIB * 1024 * 1024} })\n` +
          `  .then(() => console.log('finished'), (e) => { console.error(e.message); process.exitCode = 3; });\n`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env },
      });
      const exited = new Promise<string | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stderr.on('data', (chunk) => (out += String(chunk)));
        child.stdout.on('data', (chunk) => {
          out += String(chunk);
          if (/^paused$/m.test(out)) resolve();
        });
        child.on('exit', () => reject(new Error(`the child ended before its file ${pauseAt}: ${out}`)));
      });
      child.kill('SIGKILL');
      return exited;
    }

    it.each([
      ['its first file', 0],
      ['40% of its files', 0.4],
      ['85% of its files', 0.85],
    ])(
      'goes on where a run killed at %s stopped, and stores every event once',
      async (_moment, killAt) => {
        // Arrange
        const lake = join(await tempDir('kill-'), 'lake');
        const killed = await killedRun(lake, killAt);

        // Act
        const resumed = await runCli(lake);

        // Assert
        expect(killed).toBe('SIGKILL');
        expect(resumed).toEqual({ code: 0, signal: null, stderr: '' });
        expect(await lakeCounts(lake)).toEqual({
          rows: events,
          ids: events,
          failed: OBJECTS,
          markers: OBJECTS,
          markedRecords: events + OBJECTS,
          runRecords: 0,
        });
      },
      120_000,
    );

    it('survives a second kill during the resumed run', async () => {
      // Arrange
      const lake = join(await tempDir('kill-'), 'lake');
      const first = await killedRun(lake, 0.2);
      const second = await killedRun(lake, 0.5); // of its own files: it has at least 80% of a run's to write

      // Act
      const third = await runCli(lake);

      // Assert
      expect([first, second, third]).toEqual(['SIGKILL', 'SIGKILL', { code: 0, signal: null, stderr: '' }]);
      expect(await lakeCounts(lake)).toMatchObject({
        rows: events,
        ids: events,
        failed: OBJECTS,
        runRecords: 0,
      });
    }, 180_000);
  });
});
