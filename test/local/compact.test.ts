/**
 * `compact` on lakes made the way users make them: several ingest runs of generated events (every
 * source format) and of the documented AWS examples into the same lake, so partitions hold several
 * files. Every value must read back the same, nothing may be lost or doubled, and an interrupted
 * compaction must be finished by the next one.
 */
import { spawnSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactLake } from '../../local/src/compact';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { compactionHint, readLakeLayout } from '../../local/src/lake-layout';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, listFiles, tempDir } from './helpers';

/** Every row of the lake, every column, in a stable order, as the query layer reads it. */
async function lakeContents(lake: string): Promise<Record<string, unknown>[]> {
  const opened = await openLocalLake(lake, { views: [] });
  try {
    const { rows } = await opened.run('select * from events order by dt, family, event_id, arrival_time');
    return rows;
  } finally {
    opened.close();
  }
}

/** A lake with several files per partition: three ingest runs over the same days. */
async function fragmentedLake(): Promise<string> {
  const dir = await tempDir('compact-');
  const start = Date.UTC(2026, 10, 1);
  for (const seed of ['1', '2', '3']) {
    const lines = [...generateEvents({ events: 600, seed, start, days: 3, duplicates: 0.05 })];
    await writeFile(join(dir, `events-${seed}.ndjson`), `${lines.join('\n')}\n`);
    await ingest({ inputs: [join(dir, `events-${seed}.ndjson`)], lake: join(dir, 'lake') });
  }
  await ingest({ inputs: [DOCUMENTED], lake: join(dir, 'lake') });
  return join(dir, 'lake');
}

const fileCount = (lake: string): number => readLakeLayout(lake).reduce((n, p) => n + p.files.length, 0);

describe('compactLake', () => {
  it('rewrites each partition into one file with every row and value unchanged', async () => {
    // Arrange
    const lake = await fragmentedLake();
    const layout = readLakeLayout(lake);
    const filesBefore = fileCount(lake);
    const before = await lakeContents(lake);

    // Act
    const summary = await compactLake({ lake });

    // Assert
    const after = await lakeContents(lake);
    expect(after).toEqual(before);
    expect(readLakeLayout(lake).map((p) => [p.dir, p.files.length])).toEqual(layout.map((p) => [p.dir, 1]));
    const multiFile = layout.filter((p) => p.files.length > 1);
    expect(multiFile.length).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      partitions: layout.length,
      compacted: multiFile.length,
      recovered: 0,
      filesBefore,
      filesAfter: layout.length,
    });
    expect(summary.rows).toBeLessThanOrEqual(before.length);
    expect(summary.rows).toBeGreaterThan(0);
    const leftovers = (await listFiles(join(lake, 'events'))).filter((f) => !f.endsWith('.parquet'));
    expect(leftovers).toEqual([]);
  }, 120_000);

  it('keeps the rows of each partition in their file order', async () => {
    // Arrange: within a partition, the earlier run's rows come first when read in file order.
    const lake = await fragmentedLake();
    const partition = readLakeLayout(lake).find((p) => p.files.length > 2)!;
    const read = async (): Promise<unknown[]> => {
      const opened = await openLocalLake(lake, { views: [] });
      try {
        const glob = join(partition.dir, '*.parquet').replace(/'/g, "''");
        const sql = `select event_id from read_parquet('${glob}', hive_partitioning = false, filename = true, file_row_number = true) order by filename, file_row_number`;
        return (await opened.run(sql)).rows.map((r) => r.event_id);
      } finally {
        opened.close();
      }
    };
    const before = await read();

    // Act
    await compactLake({ lake });

    // Assert
    expect(await read()).toEqual(before);
  }, 120_000);

  it('leaves a lake of single-file partitions as it is', async () => {
    // Arrange
    const lake = await fragmentedLake();
    await compactLake({ lake });
    const files = await listFiles(lake);

    // Act
    const summary = await compactLake({ lake });

    // Assert
    expect(summary.compacted).toBe(0);
    expect(summary.filesBefore).toBe(summary.filesAfter);
    expect(await listFiles(lake)).toEqual(files);
  }, 120_000);

  it('reads files written before a column was added, and writes that column as nulls', async () => {
    // Arrange: an old file without `raw` (the schema only ever adds nullable columns).
    const lake = await fragmentedLake();
    const partition = readLakeLayout(lake).find((p) => p.files.length > 1)!;
    const opened = await openLocalLake(lake, { views: [] });
    const oldPath = join(partition.dir, partition.files[0]);
    const copyPath = join(partition.dir, 'part-00000000000000000000000000-000000.parquet');
    await opened.run(
      `copy (select * exclude (raw) from read_parquet('${oldPath}', hive_partitioning = false)) to '${copyPath}' (format parquet)`,
    );
    opened.close();
    await rm(oldPath);
    const before = await lakeContents(lake);

    // Act
    await compactLake({ lake });

    // Assert
    const after = await lakeContents(lake);
    expect(after).toEqual(before);
    expect(after.some((r) => r.raw === null)).toBe(true);
  }, 120_000);

  describe('an interrupted compaction', () => {
    it('before publishing: the old files stay, and the next run cleans up and compacts', async () => {
      // Arrange
      const lake = await fragmentedLake();
      const before = await lakeContents(lake);
      const filesBefore = fileCount(lake);

      // Act
      const failed = compactLake({
        lake,
        beforePublish: () => {
          throw new Error('disk full');
        },
      });

      // Assert
      await expect(failed).rejects.toThrow('disk full');
      expect(fileCount(lake)).toBe(filesBefore);
      expect(await lakeContents(lake)).toEqual(before);
      const summary = await compactLake({ lake });
      expect(summary.recovered).toBe(1);
      expect(await lakeContents(lake)).toEqual(before);
      const debris = (await listFiles(join(lake, 'events'))).filter((f) => !f.endsWith('.parquet'));
      expect(debris).toEqual([]);
    }, 120_000);

    it('after publishing: the copies are visible until the next run deletes the old files', async () => {
      // Arrange
      const lake = await fragmentedLake();
      const before = await lakeContents(lake);

      // Act
      const failed = compactLake({
        lake,
        beforeDelete: () => {
          throw new Error('killed');
        },
      });

      // Assert: one partition holds the old files and the new one; events_unique still counts once.
      await expect(failed).rejects.toThrow('killed');
      const doubled = await lakeContents(lake);
      expect(doubled.length).toBeGreaterThan(before.length);
      const opened = await openLocalLake(lake);
      const unique = await opened.run('select count(*) as n from events_unique');
      const distinct = await opened.run('select count(distinct (dt, family, event_id)) as n from events');
      opened.close();
      expect(unique.rows[0].n).toBe(distinct.rows[0].n);
      const summary = await compactLake({ lake });
      expect(summary.recovered).toBe(1);
      expect(await lakeContents(lake)).toEqual(before);
    }, 120_000);
  });

  describe('bad input', () => {
    it('refuses a folder without a lake', async () => {
      // Arrange
      const dir = await tempDir('no-lake-');

      // Act
      const result = compactLake({ lake: dir });

      // Assert
      await expect(result).rejects.toThrow(UserInputError);
      await expect(result).rejects.toThrow(/no lake at .*--lake/);
    });

    it('refuses to run while another compaction holds the lock', async () => {
      // Arrange: this process's own pid is certainly alive.
      const lake = await fragmentedLake();
      await writeFile(join(lake, '.compact.lock'), String(process.pid));

      // Act
      const result = compactLake({ lake });

      // Assert
      await expect(result).rejects.toThrow(`another compaction (pid ${process.pid}) is running`);
    }, 120_000);

    it('takes over the lock of a compaction that died', async () => {
      // Arrange: the pid of a process that has exited.
      const lake = await fragmentedLake();
      const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      await writeFile(join(lake, '.compact.lock'), exited.stdout.toString());

      // Act
      const summary = await compactLake({ lake });

      // Assert
      expect(summary.compacted).toBeGreaterThan(0);
      expect((await readdir(lake)).includes('.compact.lock')).toBe(false);
    }, 120_000);
  });
});

describe('compactionHint', () => {
  const partitions = (count: number, filesEach: number) =>
    Array.from({ length: count }, (_, i) => ({
      dir: `lake/events/family=app/dt=2026-11-${String(i + 1).padStart(2, '0')}`,
      files: Array.from({ length: filesEach }, (__, j) => `part-${j}.parquet`),
      journals: [],
    }));

  it('suggests compact when partitions average four files or more', () => {
    // Act
    const hint = compactionHint('lake', partitions(30, 4));

    // Assert
    expect(hint).toBe(
      'note: the lake has 120 files in 30 partitions; `engagement-lake compact --lake lake` rewrites each partition into one file and makes queries faster\n',
    );
  });

  it('stays quiet for fewer than 100 files or fewer than four per partition', () => {
    expect(compactionHint('lake', partitions(20, 4))).toBeUndefined();
    expect(compactionHint('lake', partitions(300, 3))).toBeUndefined();
  });
});
