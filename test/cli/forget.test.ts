import { join } from 'node:path';
import { ingest } from '../../local/src/ingest';
import { accessRows, snapshot } from '../local/forget-helpers';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from '../local/helpers';
import { runCli as run } from './run-cli';

/** The AWS email, SES and SMS examples as a lake, and the address held by the most rows. */
async function exampleLake(): Promise<{ lake: string; subject: string }> {
  const lake = join(await tempDir('cli-forget-'), 'lake');
  await ingest({ inputs: ['email', 'ses', 'sms'].map((f) => join(DOCUMENTED, `${f}.ndjson`)), lake });
  const sql = `select destination as v from (${eventsSql(lake, 'destination', 'destination is not null')}) group by 1 order by count(*) desc, 1 limit 1`;
  return { lake, subject: String((await duckdbRows(sql))[0].v) };
}

describe('engagement-lake forget', () => {
  it('prints the rows and files it removed as JSON', async () => {
    // Arrange
    const { lake, subject } = await exampleLake();
    const found = await accessRows(lake, subject);

    // Act
    const result = await run(['forget', '--subject', subject, '--lake', lake, '--json']);

    // Assert
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(found.length).toBeGreaterThan(0);
    expect(summary.rows).toBe(found.length);
    expect(summary.files.length).toBeGreaterThan(0);
    expect(await accessRows(lake, subject)).toEqual([]);
  });

  it('with --dry-run says what it would remove and writes nothing', async () => {
    // Arrange
    const { lake, subject } = await exampleLake();
    const found = await accessRows(lake, subject);
    const before = await snapshot(lake);

    // Act
    const result = await run(['forget', '--subject', subject, '--lake', lake, '--dry-run']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^rows: +would remove ${found.length} from \\d+ Parquet file\\(s\\)\\n`),
    );
    expect(await snapshot(lake)).toEqual(before);
  });

  it.each([
    ['no --subject', [], "required option '--subject <id|address|phone>' not specified"],
    ['a blank --subject', ['--subject', ' '], '--subject needs an endpoint id'],
    ['an unknown flag', ['--subject', 'x', '--dryrun'], "unknown option '--dryrun'"],
    ['no lake', ['--subject', 'x', '--lake', '/nonexistent/lake'], "no lake at '/nonexistent/lake'"],
  ])('exits 1 with one line for %s', async (_case, args, message) => {
    // Act
    const result = await run(['forget', ...args]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('(')),
    ).toHaveLength(1);
  });
});
