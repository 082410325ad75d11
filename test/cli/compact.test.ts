import { join } from 'node:path';
import { ingest } from '../../local/src/ingest';
import { readLakeLayout } from '../../local/src/lake-layout';
import { DOCUMENTED, tempDir } from '../local/helpers';
import { runCli as run } from './run-cli';

/** The documented SMS events ingested twice: each of their partitions holds two files. */
async function twiceIngested(): Promise<string> {
  const lake = join(await tempDir('cli-compact-'), 'lake');
  const sms = join(DOCUMENTED, 'sms.ndjson');
  await ingest({ inputs: [sms], lake });
  await ingest({ inputs: [sms], lake });
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

  it('runs after an ingest with --compact, whose JSON summary then holds both', async () => {
    // Arrange: one ingest of the SMS examples already in the lake
    const lake = join(await tempDir('cli-compact-'), 'lake');
    const sms = join(DOCUMENTED, 'sms.ndjson');
    await ingest({ inputs: [sms], lake });

    // Act
    const result = await run(['ingest', sms, '--lake', lake, '--compact', '--json']);

    // Assert
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.records).toBeGreaterThan(0);
    expect(summary.compaction.filesBefore).toBe(2 * summary.compaction.partitions);
    expect(summary.compaction.filesAfter).toBe(summary.compaction.partitions);
    expect(readLakeLayout(lake).every((p) => p.files.length === 1)).toBe(true);
  });
});
