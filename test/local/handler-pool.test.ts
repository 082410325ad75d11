import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { SourceRecord } from '../../local/src/batcher';
import { defaultWorkerCount, directRunner, HandlerPool, inProcessRunner } from '../../local/src/handler-pool';
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
      [1, 1],
      [2, 2],
      [3, 3],
      [16, 16],
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

  describe('running the transform in worker threads', () => {
    it('returns each record’s verdict in input order, and the rows as a chunk per partition', async () => {
      // Arrange
      pool = new HandlerPool(2);
      const [bounce] = await documentedRecords('ses.ndjson');
      const batch = [bounce, { data: Buffer.from('{"not json'), arrivalTime: ARRIVAL }];

      // Act
      const result = await pool.run(batch, 'test-0001');

      // Assert: the SES bounce of 2017-08-05 (AWS docs example) lands in email/2017-08-05.
      expect(result.records).toEqual([
        { ok: true, rows: 1 },
        { ok: false, reason: 'invalid_json', message: expect.any(String) },
      ]);
      expect(result.chunks.map((c) => [c.partition, c.rows])).toEqual([
        [{ family: 'email', dt: '2017-08-05' }, 1],
      ]);
      const row = tableFromIPC(result.chunks[0].ipc).get(0)?.toJSON();
      expect(row).toMatchObject({ event_name: expect.stringMatching(/bounce/i) });
    });

    it.each(['direct', 'handler'] as const)(
      'on the %s path, gives the same results as the handler in this thread',
      async (path) => {
        // Arrange
        pool = new HandlerPool(2, { path });
        const local = inProcessRunner(defaultTransform());
        const names = ['app.ndjson', 'email.ndjson', 'end-user-messaging.ndjson', 'ses.ndjson', 'sms.ndjson'];
        const batches = await Promise.all(names.map(documentedRecords));

        // Act: every batch at once, so both workers take some.
        const inWorkers = await Promise.all(batches.map((batch, i) => pool!.run(batch, `inv-${i}`)));
        const inThread = [];
        for (const [i, batch] of batches.entries()) inThread.push(await local.run(batch, `inv-${i}`));

        // Assert: the same verdicts, and the same Arrow bytes for every partition's rows.
        expect(inWorkers).toEqual(inThread);
        expect(inThread.flatMap((r) => r.chunks).length).toBeGreaterThan(batches.length);
      },
    );
  });

  describe('writing Parquet files in a worker', () => {
    it('encodes a partition’s chunks as one Parquet file, in order, without raw when asked', async () => {
      // Arrange: two batches, so the file is made of two chunks.
      pool = new HandlerPool(1, { includeRaw: false, writes: true });
      const records = await documentedRecords('sms.ndjson');
      const half = Math.ceil(records.length / 2);
      const results = [
        await pool.run(records.slice(0, half), 'write-0001'),
        await pool.run(records.slice(half), 'write-0002'),
      ];
      const chunks = results.flatMap((r) => r.chunks);
      const expectedIds = chunks.flatMap((c) => [...tableFromIPC(c.ipc).getChild('event_id')!].map(String));
      const path = join(await tempDir('pool-write-'), 'part-x.parquet');

      // Act
      const bytes = await pool.encode!(chunks.map((c) => c.ipc));

      // Assert
      await writeFile(path, bytes);
      const rows = await duckdbRows(`select event_id, raw from read_parquet('${path}')`);
      expect(rows.map((r) => r.event_id)).toEqual(expectedIds);
      expect(rows.length).toBe(records.length);
      expect(rows.every((r) => r.raw === null)).toBe(true);
    });

    it('rejects with the reason when a chunk cannot be encoded', async () => {
      // Arrange: bytes that are not an Arrow stream.
      pool = new HandlerPool(1, { writes: true });

      // Act
      const encode = pool.encode!([new Uint8Array([1, 2, 3])]);

      // Assert
      await expect(encode).rejects.toThrow(/encoding a Parquet file failed: .*schema message/);
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

describe('directRunner', () => {
  describe('reading the handler’s settings from this thread’s environment', () => {
    const saved = { DT_START: process.env.DT_START, INCLUDE_RAW: process.env.INCLUDE_RAW };
    afterEach(() => {
      for (const [name, value] of Object.entries(saved))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    });

    it('clamps dt to DT_START and keeps raw unless asked not to, as the handler does', async () => {
      // Arrange: the documented SES bounce happened on 2017-08-05, before this DT_START.
      process.env.DT_START = '2020-01-01';
      delete process.env.INCLUDE_RAW;
      const [bounce] = await documentedRecords('ses.ndjson');

      // Act
      const kept = await directRunner({ includeRaw: true }).run([bounce], 'test-0001');
      const dropped = await directRunner({ includeRaw: false }).run([bounce], 'test-0002');

      // Assert
      for (const result of [kept, dropped]) {
        expect(result.records).toEqual([{ ok: true, rows: 1 }]);
        expect(result.chunks.map((c) => c.partition)).toEqual([{ family: 'email', dt: '2020-01-01' }]);
      }
      const rawOf = (chunk: { ipc: Uint8Array }) => tableFromIPC(chunk.ipc).get(0)?.toJSON().raw;
      expect(rawOf(kept.chunks[0])).toBe(Buffer.from(bounce.data).toString('utf8').trim());
      expect(rawOf(dropped.chunks[0])).toBeNull();
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
        const counts = ({ runId: _id, lake: _l, seconds: _s, recordsPerSecond: _r, ...rest }: typeof a) =>
          rest;
        expect(counts(b)).toEqual(counts(a));
        expect(a.records).toBe(lines.length);
        expect(a.failed).toEqual({ invalid_json: 1, not_an_object: 1 });
        // Parquet files byte for byte (as digests, to keep failures readable); error records without
        // attemptEndingTimestamp, which is the wall clock of the write.
        const contents = async (lake: string, runId: string) => {
          const out: Record<string, unknown> = {};
          // The lake's data and error output (the run's bookkeeping names its run id).
          const output = (await listFiles(lake)).filter((f) => /^(events|errors)\//.test(f));
          for (const file of output) {
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
