import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceRecord } from '../../local/src/batcher';
import { defaultWorkerCount, HandlerPool, inProcessRunner } from '../../local/src/handler-pool';
import { ingest } from '../../local/src/ingest';
import { defaultTransform } from '../../local/src/local-transform';
import { DOCUMENTED, duckdbRows, listFiles, tempDir } from './helpers';

const ARRIVAL = Date.parse('2024-03-01T12:00:00Z');

async function documentedRecords(name: string): Promise<SourceRecord[]> {
  const text = await readFile(join(DOCUMENTED, name), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ data: Buffer.from(line, 'utf8'), arrivalTime: ARRIVAL }));
}

describe('defaultWorkerCount', () => {
  describe('sizing the pool from the cores', () => {
    it.each([
      [1, 0],
      [2, 1],
      [3, 2],
      [16, 2],
    ])('uses %i core(s) with %i worker(s)', (cores, workers) => {
      // Arrange, Act
      const count = defaultWorkerCount(cores);

      // Assert
      expect(count).toBe(workers);
    });
  });
});

describe('HandlerPool', () => {
  let pool: HandlerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  describe('running the handler in worker threads', () => {
    it('returns each record’s partition keys and rows, in input order', async () => {
      // Arrange
      pool = new HandlerPool(2);
      const [bounce] = await documentedRecords('ses.ndjson');
      const batch = [bounce, { data: Buffer.from('{"not json'), arrivalTime: ARRIVAL }];

      // Act
      const outcomes = await pool.run(batch, 'test-0001');

      // Assert: the SES bounce of 2017-08-05 (AWS docs example) lands in email/2017-08-05.
      expect(outcomes[0]).toMatchObject({ ok: true, partitionKeys: { family: 'email', dt: '2017-08-05' } });
      const row = outcomes[0].ok ? JSON.parse(outcomes[0].lines[0]) : null;
      expect(row).toMatchObject({ event_name: expect.stringMatching(/bounce/i) });
      expect(outcomes[1]).toMatchObject({ ok: false, reason: 'invalid_json' });
    });

    it('gives the same outcomes as the handler in this thread', async () => {
      // Arrange
      pool = new HandlerPool(2);
      const local = inProcessRunner(defaultTransform());
      const names = ['app.ndjson', 'email.ndjson', 'end-user-messaging.ndjson', 'ses.ndjson', 'sms.ndjson'];
      const batches = await Promise.all(names.map(documentedRecords));

      // Act: every batch at once, so both workers take some.
      const inWorkers = await Promise.all(batches.map((batch, i) => pool!.run(batch, `inv-${i}`)));
      const inThread = [];
      for (const [i, batch] of batches.entries()) inThread.push(await local.run(batch, `inv-${i}`));

      // Assert
      expect(inWorkers).toEqual(inThread);
    });
  });

  describe('writing Parquet files in a worker', () => {
    it('encodes a partition’s rows as one Parquet file, without raw when asked', async () => {
      // Arrange
      pool = new HandlerPool(1, { includeRaw: false, writes: true });
      const outcomes = await pool.run(await documentedRecords('sms.ndjson'), 'write-0001');
      const lines = outcomes.flatMap((o) => (o.ok ? o.lines : []));
      const path = join(await tempDir('pool-write-'), 'part-x.parquet');

      // Act
      const bytes = await pool.encode!([...lines]);

      // Assert
      await writeFile(path, bytes);
      const rows = await duckdbRows(`select event_id, raw from read_parquet('${path}')`);
      expect(rows.map((r) => r.event_id)).toEqual(lines.map((l) => JSON.parse(l).event_id));
      expect(rows.every((r) => r.raw === null)).toBe(true);
    });

    it('rejects with the reason when a row cannot be encoded', async () => {
      // Arrange: a row without the never-null columns.
      pool = new HandlerPool(1, { writes: true });

      // Act
      const encode = pool.encode!(['{}']);

      // Assert
      await expect(encode).rejects.toThrow(/encoding a Parquet file failed: .*event_id/);
    });
  });

  describe('closing', () => {
    it('rejects batches handed to it after close', async () => {
      // Arrange
      pool = new HandlerPool(1);
      await pool.close();

      // Act
      const run = pool.run(await documentedRecords('sms.ndjson'), 'late');

      // Assert
      await expect(run).rejects.toThrow(/closed/);
    });

    it('rejects batches still in flight when closed', async () => {
      // Arrange
      pool = new HandlerPool(1);
      const run = pool.run(await documentedRecords('app.ndjson'), 'in-flight');
      const rejected = expect(run).rejects.toThrow(/closed with batches in flight/);

      // Act
      await pool.close();

      // Assert
      await rejected;
    });
  });
});

describe('ingest', () => {
  describe('with handler workers', () => {
    it.each([
      [1, false, 'the handler in one worker, files written in this thread'],
      [2, false, 'the handler in two workers, files written in this thread'],
      [2, true, 'the handler and the file writes in two workers'],
    ])(
      'with %i worker(s), worker writes %s (%s), writes byte-identical files and the same counts as in this thread',
      async (workers, workerWrites) => {
        // Arrange: many small batches, so several are in flight at once across two workers.
        const dir = await tempDir('pool-in-');
        const lines: string[] = [];
        for (const name of ['app.ndjson', 'email.ndjson', 'ses.ndjson', 'sms.ndjson', 'journey.ndjson']) {
          lines.push(...(await readFile(join(DOCUMENTED, name), 'utf8')).split('\n').filter((l) => l.trim()));
        }
        lines.push('{"broken', '[1,2]');
        const input = join(dir, 'mixed.ndjson');
        await writeFile(input, lines.join('\n') + '\n');
        const [inThread, inWorkers] = [await tempDir('pool-0-'), await tempDir(`pool-${workers}-`)];
        const common = {
          inputs: [input],
          batchLimits: { maxBytes: 4096, maxRecords: 3 },
          clock: () => ARRIVAL,
        };

        // Act
        const a = await ingest({ ...common, lake: inThread, workers: 0 });
        const b = await ingest({ ...common, lake: inWorkers, workers, workerWrites });

        // Assert
        // Run ids carry a random part: compare everything else.
        const counts = ({ runId: _id, seconds: _s, recordsPerSecond: _r, ...rest }: typeof a) => rest;
        expect(counts(b)).toEqual(counts(a));
        expect(a.records).toBe(lines.length);
        expect(a.failed).toEqual({ invalid_json: 1, not_an_object: 1 });
        // Parquet files byte for byte (as digests, to keep failures readable); error records without
        // attemptEndingTimestamp, which is the wall clock of the write.
        const contents = async (lake: string, runId: string) => {
          const out: Record<string, unknown> = {};
          for (const file of await listFiles(lake)) {
            const bytes = await readFile(join(lake, file));
            out[file.replaceAll(runId, 'RUN')] = file.endsWith('.parquet')
              ? createHash('sha256').update(bytes).digest('hex')
              : bytes
                  .toString('utf8')
                  .split('\n')
                  .filter(Boolean)
                  .map((line) => ({ ...JSON.parse(line), attemptEndingTimestamp: 0 }));
          }
          return out;
        };
        const expected = await contents(inThread, a.runId);
        expect(Object.keys(expected).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(1);
        expect(await contents(inWorkers, b.runId)).toEqual(expected);
      },
    );
  });
});

describe('ingest in its own process', () => {
  /** Runs ingest with two workers (writing files too) in a child process, as the CLI does; returns how it ended. */
  async function runChild(lake: string) {
    const dir = await tempDir('pool-child-');
    const script = join(dir, 'run.ts');
    const ingestPath = join(__dirname, '..', '..', 'local', 'src', 'ingest');
    await writeFile(
      script,
      `import { ingest } from ${JSON.stringify(ingestPath)};\n` +
        `void ingest({ inputs: [${JSON.stringify(join(DOCUMENTED, 'sms.ndjson'))}], lake: ${JSON.stringify(lake)}, workers: 2, workerWrites: true })\n` +
        `  .then((s) => console.log(JSON.stringify({ rows: s.rows })), (e) => { console.error(e.message); process.exitCode = 3; });\n`,
    );
    return spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  }

  describe('ending the workers', () => {
    it('exits once the run is done', async () => {
      // Arrange
      const lake = join(await tempDir('pool-child-lake-'), 'lake');
      const expected = (await documentedRecords('sms.ndjson')).length;

      // Act
      const result = await runChild(lake);

      // Assert: a worker left running would keep the process alive until the timeout kills it.
      expect(result.signal).toBeNull();
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ rows: expected });
    });

    it('exits with the error when a file cannot be written', async () => {
      // Arrange: `events` is a file, so no partition folder can be made.
      const lake = await tempDir('pool-child-lake-');
      await writeFile(join(lake, 'events'), 'not a folder');

      // Act
      const result = await runChild(lake);

      // Assert
      expect(result.signal).toBeNull();
      expect(result.status).toBe(3);
      expect(result.stderr).toMatch(/part-.*\.parquet/);
    });
  });
});
