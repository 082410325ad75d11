/**
 * `compact` on lakes made the way users make them: several ingest runs of generated events (every
 * source format) and of the documented AWS examples into the same lake, so partitions hold several
 * files. Every value must read back the same, nothing may be lost or doubled, and an interrupted
 * compaction must be finished by the next one.
 */
import { copyFile, cp, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactLake } from '../../local/src/compact';
import { forEachLimit } from '../../local/src/compact-plan';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { FolderSink } from '../../local/src/lake-sink';
import { writeRunRecord } from '../../local/src/run-record';
import { newRunId } from '../../local/src/run-id';
import { countFiles, groupPartitions, lakeHints, readLakeLayout } from '../../local/src/lake-layout';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { EngagementLakeError, UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, listFiles, rowsOutOfLayoutOrder, tempDir } from './helpers';

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

let template: string;

/** Once per file: a lake with several files per partition, from three ingest runs over the same days and one of the AWS examples. */
beforeAll(async () => {
  const dir = await tempDir('compact-template-');
  const start = Date.UTC(2026, 10, 1);
  for (const seed of ['1', '2', '3']) {
    const lines = [...generateEvents({ events: 600, seed, start, days: 3, duplicates: 0.05 })];
    await writeFile(join(dir, `events-${seed}.ndjson`), `${lines.join('\n')}\n`);
    await ingest({ inputs: [join(dir, `events-${seed}.ndjson`)], lake: join(dir, 'lake') });
  }
  await ingest({ inputs: [DOCUMENTED], lake: join(dir, 'lake') });
  template = join(dir, 'lake');
}, 120_000);

/** A fresh copy of the fragmented lake, for a test to change. */
async function fragmentedLake(): Promise<string> {
  const lake = join(await tempDir('compact-'), 'lake');
  await cp(template, lake, { recursive: true });
  return lake;
}

const fileCount = (lake: string): number => countFiles(readLakeLayout(lake));

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
    expect(layout.filter((p) => p.files.length > 1).length).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      partitions: layout.length,
      compacted: layout.length, // every file was an ingest's: lone ones get the compacted layout too
      recovered: 0,
      filesBefore,
      filesAfter: layout.length,
    });
    expect(summary.rows).toBeLessThanOrEqual(before.length);
    expect(summary.rows).toBeGreaterThan(0);
    const leftovers = (await listFiles(join(lake, 'events'))).filter((f) => !f.endsWith('.parquet'));
    expect(leftovers).toEqual([]);
  }, 120_000);

  it('leaves alone the files an unfinished ingest published after its last checkpoint', async () => {
    // Arrange: a killed run's record says it committed its first file; its second is uncommitted.
    const lake = await fragmentedLake();
    const [partition] = readLakeLayout(lake).filter((p) => p.files.length > 1);
    const runId = newRunId(Date.UTC(2026, 11, 1));
    const committed = join(partition.dir, `part-${runId}-000001.parquet`);
    const uncommitted = join(partition.dir, `part-${runId}-000002.parquet`);
    await copyFile(join(partition.dir, partition.files[0]), committed);
    await copyFile(join(partition.dir, partition.files[0]), uncommitted);
    const record = { runId, argsHash: 'killed', startedAt: '2026-12-01T00:00:00.000Z', commits: 1 };
    await writeRunRecord(new FolderSink(lake), {
      ...record,
      committed: { parquetSeq: 1, errorSeq: 0 },
      finished: [],
    });

    // Act
    await compactLake({ lake });

    // Assert: the committed file was merged; the uncommitted one is still there for the recovery to delete.
    const files = readLakeLayout(lake).find((p) => p.dir === partition.dir)!.files;
    expect(files).toHaveLength(2);
    expect(files).toContain(`part-${runId}-000002.parquet`);
    expect(files).not.toContain(`part-${runId}-000001.parquet`);
  }, 120_000);

  it('orders each partition by recipient, device and time, and compresses it with zstd', async () => {
    // Arrange: a partition whose rows, read in file order, are not in that order yet.
    const lake = await fragmentedLake();
    const partition = readLakeLayout(lake).find((p) => p.files.length > 2)!;
    const glob = join(partition.dir, '*.parquet').replace(/'/g, "''");
    const key = 'destination, endpoint_id, event_time, event_id';
    const inOrder = async (): Promise<boolean> => {
      const sql = `select list((${key}) order by filename, file_row_number) = list((${key}) order by ${key}) as sorted
        from read_parquet('${glob}', hive_partitioning = false, filename = true, file_row_number = true)`;
      return (await duckdbRows(sql))[0].sorted === true;
    };
    const eventIds = async () =>
      (await duckdbRows(`select event_id from read_parquet('${glob}') order by event_id`)).map(
        (r) => r.event_id,
      );
    const idsBefore = await eventIds();
    expect(await inOrder()).toBe(false);

    // Act
    await compactLake({ lake });

    // Assert
    expect(await inOrder()).toBe(true);
    expect(await eventIds()).toEqual(idsBefore);
    const codecs = await duckdbRows(`select distinct compression from parquet_metadata('${glob}')`);
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
  }, 120_000);

  it("rewrites a partition's lone ingest file into the sorted compacted layout, then leaves it alone", async () => {
    // Arrange: one time-ordered ingest run gives one file per partition.
    const dir = await tempDir('compact-lone-');
    const input = join(dir, 'events.ndjson');
    const lines = [...generateEvents({ events: 800, seed: 'lone', start: Date.UTC(2026, 10, 1), days: 2 })];
    await writeFile(input, `${lines.join('\n')}\n`);
    const lake = join(dir, 'lake');
    await ingest({ inputs: [input], lake });
    const layout = readLakeLayout(lake);
    expect(layout.every((p) => p.files.length === 1)).toBe(true);
    const before = await lakeContents(lake);

    // Act
    const first = await compactLake({ lake });
    const files = await listFiles(lake);
    const second = await compactLake({ lake });

    // Assert
    expect(first).toMatchObject({
      partitions: layout.length,
      compacted: layout.length,
      filesAfter: layout.length,
    });
    expect(first.rows).toBe(before.length);
    expect(await lakeContents(lake)).toEqual(before);
    const after = readLakeLayout(lake);
    expect(after.every((p) => p.files.length === 1 && p.files[0]!.endsWith('-compacted.parquet'))).toBe(true);
    for (const partition of after)
      expect(await rowsOutOfLayoutOrder(join(partition.dir, partition.files[0]!))).toBe(0);
    expect(second).toMatchObject({ compacted: 0, filesBefore: layout.length, filesAfter: layout.length });
    expect(await listFiles(lake)).toEqual(files);
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

  it('keeps every column and its type as DuckDB reads them', async () => {
    // Arrange
    const lake = await fragmentedLake();
    const partition = readLakeLayout(lake).find((p) => p.files.length > 1)!;
    const describe = async (file: string) =>
      duckdbRows(
        `describe select * from read_parquet('${join(partition.dir, file)}', hive_partitioning = false)`,
      );
    const before = await describe(partition.files[0]);

    // Act
    await compactLake({ lake });

    // Assert
    const [compacted] = readLakeLayout(lake).find((p) => p.dir === partition.dir)!.files;
    const columns = (rows: Record<string, unknown>[]) => rows.map((r) => [r.column_name, r.column_type]);
    expect(columns(await describe(compacted))).toEqual(columns(before));
  }, 120_000);

  it('keeps a file that an ingest publishes into the partition while it runs', async () => {
    // Arrange
    const lake = await fragmentedLake();
    const before = await lakeContents(lake);
    let published = '';

    // Act: a new file appears between the listing and the deletes
    await compactLake({
      lake,
      beforeDelete: async (dir) => {
        if (published) return;
        const [first] = readLakeLayout(lake).find((p) => p.dir === dir)!.files;
        published = join(dir, 'part-ZZZZZZZZZZZZZZZZZZZZZZZZZZ-000001.parquet');
        await copyFile(join(dir, first), published);
      },
    });

    // Assert: the late file is still there, so its rows show twice (the same events again)
    expect(readLakeLayout(lake).flatMap((p) => p.files.map((f) => join(p.dir, f)))).toContain(published);
    expect((await lakeContents(lake)).length).toBeGreaterThan(before.length);
  }, 120_000);

  it('deletes temporary files of a killed compaction that no journal names, and nothing else', async () => {
    // Arrange
    const lake = await fragmentedLake();
    const [partition] = readLakeLayout(lake);
    const killed = join(partition.dir, '.part-01JZZZZZZZZZZZZZZZZZZZZZZZ-compacted.parquet.tmp');
    const ingesting = join(partition.dir, '.part-01JZZZZZZZZZZZZZZZZZZZZZZZ-000001.parquet.tmp');
    await writeFile(killed, 'half a file');
    await writeFile(ingesting, 'an ingest still writing');

    // Act
    await compactLake({ lake });

    // Assert
    const files = await readdir(partition.dir);
    expect(files).not.toContain('.part-01JZZZZZZZZZZZZZZZZZZZZZZZ-compacted.parquet.tmp');
    expect(files).toContain('.part-01JZZZZZZZZZZZZZZZZZZZZZZZ-000001.parquet.tmp');
  }, 120_000);

  describe('an interrupted compaction', () => {
    it('an error before publishing leaves the files as they were, without debris', async () => {
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
      await expect(failed).rejects.toThrow(
        /^compaction of .* failed, its files are unchanged: disk full; fix that .* and rerun compact$/,
      );
      expect(fileCount(lake)).toBe(filesBefore);
      expect(await lakeContents(lake)).toEqual(before);
      const debris = (await listFiles(join(lake, 'events'))).filter((f) => !f.endsWith('.parquet'));
      expect(debris).toEqual([]);
      const summary = await compactLake({ lake });
      expect(summary).toMatchObject({ recovered: 0, filesAfter: summary.partitions });
      expect(await lakeContents(lake)).toEqual(before);
    }, 120_000);

    it('killed after the journal: the next run publishes the checked file and deletes the old ones', async () => {
      // Arrange: keep the temporary file and the journal as a kill would have left them
      const lake = await fragmentedLake();
      const before = await lakeContents(lake);
      const stash = await tempDir('stash-');
      let partitionDir = '';
      const failed = compactLake({
        lake,
        beforePublish: async (dir) => {
          partitionDir = dir;
          for (const name of await readdir(dir))
            if (name.includes('compact')) await copyFile(join(dir, name), join(stash, name));
          throw new Error('killed');
        },
      });
      await expect(failed).rejects.toThrow('killed');
      for (const name of await readdir(stash)) await copyFile(join(stash, name), join(partitionDir, name));
      expect((await readdir(partitionDir)).filter((n) => n.startsWith('_compaction-'))).toHaveLength(1);

      // Act
      const summary = await compactLake({ lake });

      // Assert
      expect(summary.recovered).toBe(1);
      expect(await lakeContents(lake)).toEqual(before);
      expect(readLakeLayout(lake).every((p) => p.files.length === 1 && p.journals.length === 0)).toBe(true);
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
      await expect(failed).rejects.toThrow(/stopped after publishing its new file: killed; .*rerun compact/);
      expect(lakeHints(lake, readLakeLayout(lake))[0]).toMatch(
        /^note: an interrupted compaction left 1 partition/,
      );
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

    it('names the partition and keeps its files when one of them is damaged', async () => {
      // Arrange
      const lake = await fragmentedLake();
      const [partition] = readLakeLayout(lake);
      await writeFile(join(partition.dir, 'part-damaged.parquet'), 'not parquet');
      const files = await listFiles(lake);

      // Act
      const result = compactLake({ lake });

      // Assert
      await expect(result).rejects.toThrow(EngagementLakeError);
      await expect(result).rejects.toThrow(
        new RegExp(
          `^compaction of ${partition.dir} failed, its files are unchanged: [^\\n]*move a damaged file`,
        ),
      );
      expect(await listFiles(lake)).toEqual(files);
    }, 120_000);

    it('names an unreadable journal', async () => {
      // Arrange
      const lake = await fragmentedLake();
      const [partition] = readLakeLayout(lake);
      await writeFile(join(partition.dir, '_compaction-X.json'), '{"file":');

      // Act
      const result = compactLake({ lake });

      // Assert
      await expect(result).rejects.toThrow(
        `the compaction journal ${join(partition.dir, '_compaction-X.json')} is unreadable`,
      );
    }, 120_000);

    it('lets one of two simultaneous compactions run and refuses the other', async () => {
      // Arrange
      const lake = await fragmentedLake();
      const before = await lakeContents(lake);

      // Act
      const results = await Promise.allSettled([compactLake({ lake }), compactLake({ lake })]);

      // Assert
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(UserInputError);
      expect(refused.reason.message).toMatch(/^another compaction is running on '.*'; wait for it to finish/);
      expect(await lakeContents(lake)).toEqual(before);
    }, 120_000);

    it('takes over the lock of a compaction that was killed', async () => {
      // Arrange: a lock not refreshed for a minute
      const lake = await fragmentedLake();
      const lockPath = join(lake, '.compact.lock');
      await mkdir(lockPath);
      const minuteAgo = new Date(Date.now() - 60_000);
      await utimes(lockPath, minuteAgo, minuteAgo);

      // Act
      const summary = await compactLake({ lake });

      // Assert
      expect(summary.compacted).toBeGreaterThan(0);
      expect(await readdir(lake)).not.toContain('.compact.lock');
    }, 120_000);
  });
});

describe('lakeHints', () => {
  const partitions = (count: number, filesEach: number, journals: string[] = []) =>
    Array.from({ length: count }, (_, i) => ({
      dir: `lake/events/family=app/dt=2026-11-${String(i + 1).padStart(2, '0')}`,
      files: Array.from({ length: filesEach }, (__, j) => `part-${j}.parquet`),
      journals,
      leftovers: [],
    }));

  it('suggests compact when partitions average four files or more', () => {
    // Act
    const hints = lakeHints('lake', partitions(30, 4));

    // Assert
    expect(hints).toEqual([
      'note: the lake has 120 files in 30 partitions; `engagement-lake compact --lake lake` rewrites each partition into one file and makes queries faster\n',
    ]);
  });

  it('stays quiet for fewer than 100 files or fewer than four per partition', () => {
    expect(lakeHints('lake', partitions(20, 4))).toEqual([]);
    expect(lakeHints('lake', partitions(300, 3))).toEqual([]);
  });

  it('reports an interrupted compaction, quoting a lake path for the shell', () => {
    // Act
    const hints = lakeHints("my lake's copy", partitions(2, 1, ['_compaction-1.json']));

    // Assert
    expect(hints).toEqual([
      "note: an interrupted compaction left 2 partition(s) unfinished, where rows may show twice; `engagement-lake compact --lake 'my lake'\\''s copy'` finishes it\n",
    ]);
  });
});

describe('groupPartitions', () => {
  it('groups data files and journals by partition, and leaves out everything else', () => {
    // Arrange: keys as a listing of an S3 lake returns them, out of order
    const listing = [
      { key: 'events/family=sms/dt=2026-11-02/part-B.parquet', size: 2 },
      { key: 'events/family=sms/dt=2026-11-02/_compaction-R.json', size: 9 },
      { key: 'events/family=sms/dt=2026-11-02/part-A.parquet', size: 1 },
      { key: 'events/family=app/dt=2026-11-01/stream-1-2026-11-01-00-00-00-x.parquet', size: 3 },
      { key: 'events/family=app/dt=2026-11-01/.part-C.parquet.tmp', size: 4 },
      { key: 'events/_compact.lock', size: 5 },
      { key: 'errors/processing-failed/2026/11/01/00/e.json', size: 6 },
    ];

    // Act
    const partitions = groupPartitions(listing);

    // Assert
    expect(partitions).toEqual([
      {
        prefix: 'events/family=app/dt=2026-11-01',
        day: '2026-11-01',
        files: [listing[3]],
        journals: [],
      },
      {
        prefix: 'events/family=sms/dt=2026-11-02',
        day: '2026-11-02',
        files: [listing[2], listing[0]],
        journals: ['events/family=sms/dt=2026-11-02/_compaction-R.json'],
      },
    ]);
  });
});

describe('forEachLimit', () => {
  it('runs at most `limit` at once, starts nothing after a failure, and lets the running ones finish', async () => {
    // Arrange
    let running = 0;
    let most = 0;
    const finished: number[] = [];
    const work = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n === 2 ? 5 : 20));
      running--;
      if (n === 2) throw new Error('item 2 failed');
      finished.push(n);
    };

    // Act
    const result = forEachLimit([1, 2, 3, 4, 5, 6], 3, work);

    // Assert: 1 and 3 were running when 2 failed, and finish; 4 to 6 never start
    await expect(result).rejects.toThrow('item 2 failed');
    expect(most).toBe(3);
    expect(finished.sort()).toEqual([1, 3]);
  });
});
