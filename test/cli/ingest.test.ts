import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { assertNothingChanged } from '../../cli/src/commands/ingest';
import type { IngestSummary } from '../../local/src/ingest';
import { FolderSink } from '../../local/src/lake-sink';
import { argsHash, writeRunRecord } from '../../local/src/run-record';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, listFiles, tempDir } from '../local/helpers';
import { startS3, type TestS3 } from '../local/s3-server';
import { runCli as run } from './run-cli';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('cli-archive');
  await s3.createBucket('cli-lake');
  const sms = await readFile(join(DOCUMENTED, 'sms.ndjson'));
  for (const key of ['in/a.ndjson', 'in/b.ndjson']) {
    await s3.client.send(new PutObjectCommand({ Bucket: 'cli-archive', Key: key, Body: sms }));
  }
});
afterAll(() => s3.stop());

describe('engagement-lake ingest', () => {
  describe('exit codes', () => {
    it('exits 0 and prints one JSON summary whose counts add up when some records fail', async () => {
      // Arrange
      const dir = await tempDir('cli-');
      const ses = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).trim().split('\n');
      const input = join(dir, 'mixed.ndjson');
      await writeFile(input, [ses[0], '{"unknown":true}', 'not json', ses[1]].join('\n') + '\n');

      // Act
      const result = await run(['ingest', input, '--lake', join(dir, 'lake'), '--json']);

      // Assert
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]);
      expect(summary).toMatchObject({
        records: 4,
        okRecords: 2,
        failedRecords: 2,
        rows: 2,
        failed: { unknown_format: 1, invalid_json: 1 },
        files: 2, // the bounce (2017-08-05) and the delivery (2016-10-19) are two partitions
        errorFiles: 1,
      });
      expect(summary.bytesWritten).toBeGreaterThan(0);
      expect(summary.recordsPerSecond).toEqual(expect.any(Number));
    });

    it('prints a human summary without --json', async () => {
      // Arrange
      const dir = await tempDir('cli-');

      // Act
      const result = await run(['ingest', join(DOCUMENTED, 'sms.ndjson'), '--lake', join(dir, 'lake')]);

      // Assert
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^records: 2 \(ok 2, failed 0\)\nrows: {4}2\n/);
    });

    it('exits 1 with a one-line error for a missing file', async () => {
      // Arrange
      const dir = await tempDir('cli-');

      // Act
      const result = await run(['ingest', 'x', '--lake', join(dir, 'lake')]);

      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: cannot read 'x': no such file; pass NDJSON files, .gz files, folders, s3://bucket/prefix/ or -\n",
      );
      expect(result.stdout).toBe('');
    });

    it('exits 1 with one line while a run of the same inputs holds its lease, and goes on once it lapsed', async () => {
      // Arrange: the live record of a run on another machine
      const dir = await tempDir('cli-');
      const input = join(DOCUMENTED, 'sms.ndjson');
      const lake = join(dir, 'lake');
      const hash = argsHash([input]);
      const record = (expires: number) => ({
        runId: '01JDXR0000000000000000000',
        argsHash: hash,
        startedAt: new Date().toISOString(),
        commits: 0,
        committed: { parquetSeq: 0, errorSeq: 0 },
        finished: [],
        host: 'elsewhere',
        pid: 7,
        expires: new Date(Date.now() + expires).toISOString(),
      });
      const sink = new FolderSink(lake);
      await writeRunRecord(sink, record(60_000));

      // Act
      const refused = await run(['ingest', input, '--lake', lake, '--json']);
      const leftByRefused = await listFiles(lake);
      await writeRunRecord(sink, record(-1000));
      const after = await run(['ingest', input, '--lake', lake, '--json']);

      // Assert
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^error: another ingest of the same inputs is running on '.*' \(run 01JDXR0000000000000000000, elsewhere pid 7, lease until [^)]+\); wait for it to finish, then rerun to pick up anything it left\n$/,
      );
      expect(leftByRefused).toEqual([`_ingested/runs/${hash}/01JDXR0000000000000000000.json`]);
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ recoveredRuns: 1, objectsRead: 1 });
    });

    it('fails after the summary when a file changed while it was read, naming a few', () => {
      // Arrange
      const changedDuringRead = ['a', 'b', 'c', 'd', 'e'].map((n) => `/in/${n}.ndjson`);

      // Act
      const check = () => assertNothingChanged({ changedDuringRead } as IngestSummary);

      // Assert
      expect(check).toThrow(UserInputError);
      expect(check).toThrow(
        "5 file(s) changed while being read and were not checkpointed: '/in/a.ndjson', '/in/b.ndjson', '/in/c.ndjson' and 2 more; rerun ingest once they stop changing (events_unique shows each event once)",
      );
      expect(() => assertNothingChanged({} as IngestSummary)).not.toThrow();
    });

    it('exits non-zero for an unknown flag', async () => {
      // Arrange
      const args = ['ingest', join(DOCUMENTED, 'sms.ndjson'), '--lakes', '/tmp/x'];

      // Act
      const result = await run(args);

      // Assert
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("unknown option '--lakes'");
    });
  });

  describe('S3, checkpoint and dry run', () => {
    it('ingests from S3 into an S3 lake, then skips what the lake has until --restart', async () => {
      // Arrange
      const args = [
        'ingest',
        's3://cli-archive/in/',
        '--lake',
        's3://cli-lake/a/',
        '--s3-endpoint',
        s3.endpoint,
      ];

      // Act
      const first = await run([...args, '--json']);
      const again = await run(args);
      const restarted = await run([...args, '--restart', '--json']);

      // Assert
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({
        lake: 's3://cli-lake/a/',
        objectsRead: 2,
        records: 4,
        rows: 4,
      });
      expect(again.stdout).toContain('sources: 0 read (0.0 MiB), 2 skipped\n');
      expect(again.stdout).toContain('skipped: 2 sources already in the lake; --restart re-reads them\n');
      expect(JSON.parse(restarted.stdout)).toMatchObject({ objectsRead: 2, objectsSkipped: 0, records: 4 });
    });

    it('lists what it would read with --dry-run, and writes nothing', async () => {
      // Arrange
      const lake = join(await tempDir('cli-'), 'lake');
      const sms = join(DOCUMENTED, 'sms.ndjson');

      // Act
      const result = await run([
        'ingest',
        's3://cli-archive/in/',
        sms,
        '--lake',
        lake,
        '--s3-endpoint',
        s3.endpoint,
        '--dry-run',
      ]);

      // Assert
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n')).toEqual([
        expect.stringMatching(/^new +0\.0 MiB {2}s3:\/\/cli-archive\/in\/a\.ndjson$/),
        expect.stringMatching(/^new +0\.0 MiB {2}s3:\/\/cli-archive\/in\/b\.ndjson$/),
        expect.stringMatching(
          new RegExp(`^new +0\\.0 MiB {2}${sms.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        ),
        `would read 3 source(s) (0.0 MiB) into ${lake}`,
        '',
      ]);
      expect(existsSync(lake)).toBe(false);
    });

    it('marks done sources in a dry run after an ingest', async () => {
      // Arrange
      const lake = join(await tempDir('cli-'), 'lake');
      const sms = join(DOCUMENTED, 'sms.ndjson');
      await run(['ingest', sms, '--lake', lake]);

      // Act
      const result = await run(['ingest', sms, '--lake', lake, '--dry-run', '--json']);

      // Assert
      expect(JSON.parse(result.stdout)).toMatchObject({
        toRead: 0,
        skipped: 1,
        sources: [{ source: sms, done: true }],
      });
    });
  });

  describe('flag errors', () => {
    it.each([
      [
        ['--commit-mib', '0'],
        "error: --commit-mib '0' is not a positive number of MiB; pass e.g. --commit-mib 256\n",
      ],
      [
        ['--s3-endpoint', 'localhost:9000'],
        "error: --s3-endpoint 'localhost:9000' is not a URL; pass e.g. http://127.0.0.1:4568\n",
      ],
      [
        ['--lake', 's3://x/'],
        "error: --lake 's3://x/' is not an S3 location; write it as s3://bucket/prefix/\n",
      ],
    ])('exits 1 with one line for %j', async (flags, message) => {
      // Arrange
      const lake = join(await tempDir('cli-'), 'lake');

      // Act
      const result = await run(['ingest', join(DOCUMENTED, 'sms.ndjson'), '--lake', lake, ...flags]);

      // Assert
      expect(result).toEqual({ code: 1, stdout: '', stderr: message });
      expect(await listFiles(lake)).toEqual([]);
    });

    it('exits 1 with one line when the S3 endpoint cannot be reached', () => {
      // Arrange: in its own process, where the SDK keeps the socket error's code
      const bin = join(__dirname, '..', '..', 'cli', 'src', 'bin.ts');
      const args = [
        'ingest',
        's3://cli-archive/in/',
        '--lake',
        '/tmp/never',
        '--s3-endpoint',
        'http://127.0.0.1:9',
      ];

      // Act
      const result = spawnSync(process.execPath, ['--import', 'tsx', bin, ...args], {
        encoding: 'utf8',
        env: { ...process.env },
        timeout: 60_000,
      });

      // Assert
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        'error: s3://cli-archive/in/: cannot reach the S3 endpoint (ECONNREFUSED); check --s3-endpoint and the network\n',
      );
    });
  });
});
