import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { tempDir } from '../local/helpers';
import { SMALL_INGEST } from './crash-child';
import { goAndKill, lakeView, seededRandom, warmChild, type WarmChild } from './crash-helpers';

const KILLS = 20;
const BAD_LINE = '{"not":"an engagement event"}';

/** Two input files of generated events over three days, each with two records the transform fails. */
async function inputs(): Promise<{ folder: string; records: number; bad: number }> {
  const folder = await tempDir('crash-ingest-in-');
  let records = 0;
  for (const name of ['a', 'b']) {
    const lines = [
      ...generateEvents({ events: 40, seed: `crash-${name}`, start: Date.UTC(2026, 10, 1), days: 3 }),
    ];
    const all = [...lines.slice(0, 20), BAD_LINE, ...lines.slice(20), BAD_LINE];
    await writeFile(join(folder, `${name}.ndjson`), `${all.join('\n')}\n`);
    records += all.length;
  }
  return { folder, records, bad: 4 };
}

describe('ingest under SIGKILL', () => {
  it(`stays readable through ${KILLS} kills at random moments, and a re-run converges to one clean run`, async () => {
    // Arrange: a clean run, in this process, is the reference
    const random = seededRandom('ingest-crash');
    const input = await inputs();
    const cleanLake = await tempDir('crash-ingest-clean-');
    const started = Date.now();
    await ingest({ inputs: [input.folder], lake: cleanLake, ...SMALL_INGEST });
    const window = Math.max(300, Date.now() - started); // kills land from `go` to about a run's end
    const clean = await lakeView(cleanLake);

    // Act: kill runs at random moments; a lake whose run finished first is checked and replaced
    const kills: { lake: number; afterMs: number }[] = [];
    const afterKill: { hiddenNamesVisible: string[]; foreignIds: number }[] = [];
    const converged: { rows: number; ids: string[]; errorRecords: number; finished: boolean }[] = [];
    const cleanIds = new Set(clean.ids);
    const failures: string[] = [];
    let lakeNo = 0;
    let lake = await tempDir('crash-ingest-');
    let next: WarmChild = warmChild('ingest', lake, input.folder);
    for (let attempt = 0; kills.length < KILLS && attempt < 3 * KILLS; attempt++) {
      const current = next;
      const afterMs = Math.floor(random.next() * window);
      const ended = await goAndKill(current, afterMs);
      if (ended.finished) {
        // The run got to its end first (`done` printed; a kill may still hit its exit): that re-run is the convergence check; a new lake follows.
        const view = await lakeView(lake);
        converged.push({ rows: view.rows, ids: view.ids, errorRecords: view.errorRecords, finished: true });
        lake = await tempDir('crash-ingest-');
        lakeNo += 1;
      } else if (ended.signal !== 'SIGKILL') {
        failures.push(`attempt ${attempt}: exit ${ended.code}: ${ended.stderr}`);
      } else {
        kills.push({ lake: lakeNo, afterMs });
        const view = await lakeView(lake); // throws if a Parquet file is unreadable
        afterKill.push({
          hiddenNamesVisible: view.hiddenNamesVisible,
          foreignIds: view.ids.filter((id) => !cleanIds.has(id)).length,
        });
      }
      next = warmChild('ingest', lake, input.folder); // loads while the checks above ran
    }
    const last = await goAndKill(next, 120_000); // the last lake's re-run, to its end
    const view = await lakeView(lake);
    converged.push({
      rows: view.rows,
      ids: view.ids,
      errorRecords: view.errorRecords,
      finished: last.finished,
    });

    // Assert
    expect(clean.rows + clean.errorRecords).toBe(input.records);
    expect(clean.errorRecords).toBe(input.bad);
    expect(clean.ids).toHaveLength(clean.rows);
    expect(failures).toEqual([]);
    expect(kills).toHaveLength(KILLS);
    expect(afterKill).toEqual(kills.map(() => ({ hiddenNamesVisible: [], foreignIds: 0 })));
    expect(converged).toEqual(
      converged.map(() => ({
        rows: clean.rows,
        ids: clean.ids,
        errorRecords: clean.errorRecords,
        finished: true,
      })),
    );
    console.log(`ingest-crash: seed ${random.seed}, ${kills.length} kills over ${converged.length} lakes`);
  }, 120_000); // under a minute on a quiet 2-core machine; the margin is for a busy one
});
