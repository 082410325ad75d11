import { cp, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactLake } from '../../local/src/compact';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { tempDir } from '../local/helpers';
import { SMALL_INGEST } from './crash-child';
import { goAndKill, lakeView, seededRandom, warmChild, type WarmChild } from './crash-helpers';

const KILLS = 20;
const BAD_LINE = '{"not":"an engagement event"}';

/** A lake of three ingest runs, each with one failing record: several small files in every partition. */
async function smallFilesLake(): Promise<{ lake: string; records: number; bad: number }> {
  const lake = await tempDir('crash-compact-base-');
  let records = 0;
  for (const name of ['a', 'b', 'c']) {
    const folder = await tempDir('crash-compact-in-');
    const lines = [
      ...generateEvents({ events: 40, seed: `compact-${name}`, start: Date.UTC(2026, 10, 1), days: 2 }),
      BAD_LINE,
    ];
    await writeFile(join(folder, `${name}.ndjson`), `${lines.join('\n')}\n`);
    await ingest({ inputs: [folder], lake, ...SMALL_INGEST });
    records += lines.length;
  }
  return { lake, records, bad: 3 };
}

/** A fresh copy of `base`: each lake a compact run was killed in, until one finished. */
async function copyOf(base: string): Promise<string> {
  const lake = join(await tempDir('crash-compact-'), 'lake');
  await cp(base, lake, { recursive: true });
  return lake;
}

/**
 * Lets the lock of the killed run expire, as 30 s without renewal would (compact-lock.ts, stale
 * after 30 s by its modification time): its modification time is moved back a minute.
 */
async function expireLock(lake: string): Promise<void> {
  const past = new Date(Date.now() - 60_000);
  await utimes(join(lake, '.compact.lock'), past, past).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error; // killed before it took the lock, or after it let go
  });
}

describe('compact under SIGKILL', () => {
  it(`never hides a row through ${KILLS} kills at random moments, and a re-run converges to one clean run`, async () => {
    // Arrange: a compaction, in this process, of a copy of the lake is the reference
    const random = seededRandom('compact-crash');
    const base = await smallFilesLake();
    const before = await lakeView(base.lake);
    const cleanLake = await copyOf(base.lake);
    const started = Date.now();
    await compactLake({ lake: cleanLake });
    const window = Math.max(300, Date.now() - started); // kills land from `go` to about a run's end
    const clean = await lakeView(cleanLake);

    // Act: kill runs at random moments; a lake whose run finished first is checked and replaced
    const kills: { lake: number; afterMs: number }[] = [];
    const afterKill: { hiddenNamesVisible: string[]; sameIds: boolean; errorRecords: number }[] = [];
    const converged: {
      rows: number;
      ids: string[];
      files: number;
      errorRecords: number;
      finished: boolean;
    }[] = [];
    const failures: string[] = [];
    let lakeNo = 0;
    let lake = await copyOf(base.lake);
    let next: WarmChild = warmChild('compact', lake);
    for (let attempt = 0; kills.length < KILLS && attempt < 3 * KILLS; attempt++) {
      const afterMs = Math.floor(random.next() * window);
      const ended = await goAndKill(next, afterMs);
      const view = await lakeView(lake); // throws if a Parquet file is unreadable
      if (ended.finished) {
        // The run got to its end first (`done` printed; a kill may still hit its exit): that re-run
        // is the convergence check, and a new copy follows.
        converged.push({
          rows: view.rows,
          ids: view.ids,
          files: view.parquetFiles,
          errorRecords: view.errorRecords,
          finished: true,
        });
        lake = await copyOf(base.lake);
        lakeNo += 1;
      } else if (ended.signal !== 'SIGKILL') {
        failures.push(`attempt ${attempt}: exit ${ended.code}: ${ended.stderr}`);
      } else {
        kills.push({ lake: lakeNo, afterMs });
        afterKill.push({
          hiddenNamesVisible: view.hiddenNamesVisible,
          // Readers may see a row twice between a publish and a delete, never miss one.
          sameIds: view.ids.join('\n') === before.ids.join('\n'),
          errorRecords: view.errorRecords,
        });
        await expireLock(lake);
      }
      next = warmChild('compact', lake);
    }
    const last = await goAndKill(next, 120_000); // the last lake's re-run, to its end
    const view = await lakeView(lake);
    converged.push({
      rows: view.rows,
      ids: view.ids,
      files: view.parquetFiles,
      errorRecords: view.errorRecords,
      finished: last.finished,
    });

    // Assert
    expect(before.rows + before.errorRecords).toBe(base.records);
    expect(before.errorRecords).toBe(base.bad);
    expect(before.parquetFiles).toBeGreaterThan(clean.parquetFiles);
    expect(clean).toMatchObject({ rows: before.rows, ids: before.ids, errorRecords: before.errorRecords });
    expect(failures).toEqual([]);
    expect(kills).toHaveLength(KILLS);
    expect(afterKill).toEqual(
      kills.map(() => ({ hiddenNamesVisible: [], sameIds: true, errorRecords: before.errorRecords })),
    );
    expect(converged).toEqual(
      converged.map(() => ({
        rows: clean.rows,
        ids: clean.ids,
        files: clean.parquetFiles,
        errorRecords: clean.errorRecords,
        finished: true,
      })),
    );
    console.log(`compact-crash: seed ${random.seed}, ${kills.length} kills over ${converged.length} lakes`);
  }, 120_000); // under a minute on a quiet 2-core machine; the margin is for a busy one
});
