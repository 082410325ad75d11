import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ingest } from '../../local/src/ingest';
import { groupPartitions, readLakeLayout } from '../../local/src/lake-layout';
import { openLakeSink, type LakeObject } from '../../local/src/lake-sink';
import { DOCUMENTED, listFiles, tempDir } from '../local/helpers';
import { startS3, type TestS3 } from '../local/s3-server';
import { runCli as run } from './run-cli';

/** Documented events (SMS unless named) ingested twice: each of their partitions holds two files. */
async function twiceIngested(name = 'sms.ndjson'): Promise<string> {
  const lake = join(await tempDir('cli-compact-'), 'lake');
  const file = join(DOCUMENTED, name);
  await ingest({ inputs: [file], lake });
  await ingest({ inputs: [file], lake, restart: true });
  return lake;
}

describe('engagement-lake compact', () => {
  it('prints how many partitions and files it rewrote', async () => {
    // Arrange
    const lake = await twiceIngested();

    // Act
    const result = await run(['compact', '--lake', lake, '--json']);

    // Assert
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.compacted).toBe(summary.partitions);
    expect(summary.filesBefore).toBe(2 * summary.partitions);
    expect(summary.filesAfter).toBe(summary.partitions);
  });

  it('prints a human summary without --json', async () => {
    // Arrange
    const lake = await twiceIngested();

    // Act
    const result = await run(['compact', '--lake', lake]);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^partitions: (\d+) \(\1 rewritten\)\nfiles: +(\d+) -> \1\nrows: +\d+ rewritten/,
    );
  });

  it('exits 1 with one line when there is no lake', async () => {
    // Arrange
    const dir = await tempDir('cli-compact-');

    // Act
    const result = await run(['compact', '--lake', join(dir, 'missing')]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: no lake at '${join(dir, 'missing')}': nothing to compact; pass the lake folder with --lake\n`,
    );
  });

  it('with --from/--to rewrites only the partitions of those days', async () => {
    // Arrange: the SES examples span four days
    const lake = await twiceIngested('ses.ndjson');
    const days = [...new Set(readLakeLayout(lake).map((p) => /dt=([\d-]+)$/.exec(p.dir)![1]))].sort();
    const day = days[0];

    // Act
    const result = await run(['compact', '--lake', lake, '--from', day, '--to', day, '--json']);

    // Assert
    expect(days.length).toBeGreaterThan(1);
    expect(result.code).toBe(0);
    const layout = readLakeLayout(lake);
    const inDay = layout.filter((p) => p.dir.endsWith(`dt=${day}`));
    expect(inDay.every((p) => p.files.length === 1)).toBe(true);
    expect(layout.filter((p) => !inDay.includes(p)).every((p) => p.files.length === 2)).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({ partitions: inDay.length, compacted: inDay.length });
  });

  it.each([
    [['--from', '2026-13-01'], "--from must be a date as YYYY-MM-DD, got '2026-13-01'"],
    [
      ['--from', '2026-11-02', '--to', '2026-11-01'],
      '--from 2026-11-02 is after --to 2026-11-01; pass a --from on or before --to',
    ],
    [
      ['--concurrency', 'lots'],
      "--concurrency must be a whole number from 1 to 64 (partitions compacted at once), got 'lots'",
    ],
    [
      ['--lake', 's3://No_Such/x/'],
      "--lake 's3://No_Such/x/' is not an S3 location; write it as s3://bucket/prefix/",
    ],
  ])('exits 1 with one line for %j', async (args, message) => {
    // Arrange: the options are checked before the lake is looked at
    const lake = join(await tempDir('cli-compact-'), 'lake');

    // Act
    const result = await run(['compact', '--lake', lake, ...args]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: ${message}\n`);
  });

  describe('on S3', () => {
    let s3: TestS3;
    beforeAll(async () => {
      s3 = await startS3();
      await s3.createBucket('cli-compact');
    });
    afterAll(() => s3.stop());

    it('compacts an s3:// lake through --s3-endpoint, several partitions at once', async () => {
      // Arrange: the twice-ingested lake uploaded under a prefix
      const local = await twiceIngested();
      for (const file of await listFiles(join(local, 'events'))) {
        const Key = `lake/events/${file.split('\\').join('/')}`;
        await s3.client.send(
          new PutObjectCommand({
            Bucket: 'cli-compact',
            Key,
            Body: await readFile(join(local, 'events', file)),
          }),
        );
      }

      // Act
      const result = await run([
        'compact',
        '--lake',
        's3://cli-compact/lake/',
        '--s3-endpoint',
        s3.endpoint,
        '--concurrency',
        '3',
        '--json',
      ]);

      // Assert
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      const objects: LakeObject[] = [];
      for await (const o of openLakeSink('s3://cli-compact/lake/', { endpoint: s3.endpoint }).list('events/'))
        objects.push(o);
      const partitions = groupPartitions(objects);
      expect(partitions.every((p) => p.files.length === 1 && p.journals.length === 0)).toBe(true);
      expect(summary).toMatchObject({
        partitions: partitions.length,
        compacted: partitions.length,
        filesBefore: 2 * partitions.length,
        filesAfter: partitions.length,
      });
    });
  });

  it('runs after an ingest with --compact, whose JSON summary then holds both', async () => {
    // Arrange: one ingest of the SMS examples already in the lake
    const lake = join(await tempDir('cli-compact-'), 'lake');
    const sms = join(DOCUMENTED, 'sms.ndjson');
    await ingest({ inputs: [sms], lake });

    // Act
    const result = await run(['ingest', sms, '--lake', lake, '--restart', '--compact', '--json']);

    // Assert
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.records).toBeGreaterThan(0);
    expect(summary.compaction.filesBefore).toBe(2 * summary.compaction.partitions);
    expect(summary.compaction.filesAfter).toBe(summary.compaction.partitions);
    expect(readLakeLayout(lake).every((p) => p.files.length === 1)).toBe(true);
  });
});
