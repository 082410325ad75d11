/**
 * `forget` on a folder lake: every row `endpoint_access` returns for the person goes, every other
 * row stays with the same values, the person's error records go and the others stay byte for byte;
 * a dry run writes nothing; a second run changes nothing; a run killed after its journal is finished
 * by the next; a running compaction's lock is respected.
 */
import { copyFile, cp, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { forgetSubject } from '../../local/src/forget';
import { ingest } from '../../local/src/ingest';
import { hashPii } from '../../transform/src/pii';
import { readLakeLayout } from '../../local/src/lake-layout';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, rowsOutOfLayoutOrder, tempDir } from './helpers';
import {
  accessRows,
  buildLake,
  errorLines,
  lakeContents,
  snapshot,
  withFilename,
  withoutRows,
  type Subjects,
} from './forget-helpers';

let template: string;
let subjects: Subjects;

beforeAll(async () => {
  ({ lake: template, subjects } = await buildLake());
}, 60_000);

async function freshLake(): Promise<string> {
  const lake = join(await tempDir('forget-'), 'lake');
  await cp(template, lake, { recursive: true });
  return lake;
}

/** Files holding rows with these event ids, counted straight from the Parquet files. */
async function filesHolding(lake: string, rows: Record<string, unknown>[]): Promise<number> {
  const ids = [...new Set(rows.map((r) => String(r.event_id)))].map((id) => `'${id.replace(/'/g, "''")}'`);
  const sql = withFilename(
    eventsSql(lake, 'count(distinct filename) as n', `event_id in (${ids.join(', ')})`),
  );
  return Number((await duckdbRows(sql))[0].n);
}

describe('forgetSubject on a folder lake', () => {
  it.each([
    ['an endpoint id', (s: Subjects) => s.endpointId],
    ['an email address in another case', (s: Subjects) => s.email.toUpperCase()],
    ['a phone number', (s: Subjects) => s.phone],
  ])(
    'removes exactly the rows endpoint_access finds for %s, and nothing else',
    async (_kind, pick) => {
      // Arrange
      const lake = await freshLake();
      const subject = pick(subjects);
      const all = await lakeContents(lake);
      const found = await accessRows(lake, subject);
      const files = await filesHolding(lake, found);
      const errorsBefore = await errorLines(lake);
      const mentions = (data: string) => data.toLowerCase().includes(subject.toLowerCase());
      expect(found.length).toBeGreaterThan(1);
      expect(errorsBefore.filter((e) => mentions(e.data))).toHaveLength(1);

      // Act
      const summary = await forgetSubject({ lake, subject });

      // Assert
      expect(await accessRows(lake, subject)).toEqual([]);
      expect(await lakeContents(lake)).toEqual(withoutRows(all, found));
      expect(summary).toMatchObject({
        dryRun: false,
        recovered: 0,
        rows: found.length,
        errorFiles: 1,
        errorRecords: 1,
      });
      expect(summary.files).toHaveLength(files);
      expect(await errorLines(lake)).toEqual(errorsBefore.filter((e) => !mentions(e.data)));
      expect(readLakeLayout(lake).every((p) => p.journals.length === 0 && p.leftovers.length === 0)).toBe(
        true,
      );
    },
    30_000,
  );

  it('writes each file it rewrites in the compacted layout, as its compacted name says', async () => {
    // Arrange
    const lake = await freshLake();

    // Act
    const summary = await forgetSubject({ lake, subject: subjects.endpointId });

    // Assert
    const rewritten = readLakeLayout(lake).flatMap((p) =>
      p.files.filter((f) => f.endsWith('-compacted.parquet')).map((f) => join(p.dir, f)),
    );
    // A file whose every row went is deleted, not rewritten.
    expect(rewritten.length).toBeGreaterThan(0);
    expect(rewritten.length).toBeLessThanOrEqual(summary.files.length);
    for (const path of rewritten) expect(await rowsOutOfLayoutOrder(path)).toBe(0);
  }, 30_000);

  it('with dryRun reports the same counts and writes nothing', async () => {
    // Arrange
    const lake = await freshLake();
    const before = await snapshot(lake);
    const found = await accessRows(lake, subjects.email);

    // Act
    const summary = await forgetSubject({ lake, subject: subjects.email, dryRun: true });

    // Assert
    expect(await snapshot(lake)).toEqual(before);
    expect(summary).toMatchObject({ dryRun: true, rows: found.length, errorRecords: 1 });
    expect(summary.files).toHaveLength(await filesHolding(lake, found));
  }, 30_000);

  it('run twice, changes nothing the second time', async () => {
    // Arrange
    const lake = await freshLake();
    await forgetSubject({ lake, subject: subjects.phone });
    const before = await snapshot(lake);

    // Act
    const summary = await forgetSubject({ lake, subject: subjects.phone });

    // Assert
    expect(summary).toMatchObject({ rows: 0, files: [], errorFiles: 0, errorRecords: 0 });
    expect(await snapshot(lake)).toEqual(before);
  }, 30_000);

  it('killed after its journal: the next run finishes the rewrite and the rest', async () => {
    // Arrange: keep the temporary file and the journal as a kill would have left them
    const lake = await freshLake();
    const all = await lakeContents(lake);
    const found = await accessRows(lake, subjects.endpointId);
    const stash = await tempDir('forget-stash-');
    let partitionDir = '';
    const failed = forgetSubject({
      lake,
      subject: subjects.endpointId,
      beforePublish: async (file) => {
        partitionDir = dirname(file);
        for (const name of await readdir(partitionDir))
          if (name.includes('compact')) await copyFile(join(partitionDir, name), join(stash, name));
        throw new Error('killed');
      },
    });
    await expect(failed).rejects.toThrow('killed');
    for (const name of await readdir(stash)) await copyFile(join(stash, name), join(partitionDir, name));
    expect((await readdir(partitionDir)).filter((n) => n.startsWith('_compaction-'))).toHaveLength(1);

    // Act
    const summary = await forgetSubject({ lake, subject: subjects.endpointId });

    // Assert
    expect(summary.recovered).toBe(1);
    expect(await accessRows(lake, subjects.endpointId)).toEqual([]);
    expect(await lakeContents(lake)).toEqual(withoutRows(all, found));
    expect(readLakeLayout(lake).every((p) => p.journals.length === 0 && p.leftovers.length === 0)).toBe(true);
  }, 30_000);

  it('refuses to run beside a compaction, with one line, and writes nothing', async () => {
    // Arrange: a compaction's fresh lock
    const lake = await freshLake();
    await mkdir(join(lake, '.compact.lock'));
    const before = await snapshot(lake);

    // Act
    const failed = forgetSubject({ lake, subject: subjects.email });

    // Assert
    await expect(failed).rejects.toThrow(UserInputError);
    await expect(failed).rejects.toThrow(
      /^another compaction is running on '.*'; wait for it to finish[^\n]*$/,
    );
    expect(await snapshot(lake)).toEqual(before);
  }, 30_000);

  it('refuses a blank subject with one line', async () => {
    // Act
    const failed = forgetSubject({ lake: template, subject: '  ' });

    // Assert
    await expect(failed).rejects.toThrow(UserInputError);
    await expect(failed).rejects.toThrow(/^--subject needs [^\n]*$/);
  });

  it('given the pii key, finds from the plain address the rows a --pii hash lake holds only hashed', async () => {
    // Arrange: the documented email and SMS events, once as received (to read an address) and once
    // hashed; the SMS rows are other people's and stay
    const dir = await tempDir('forget-hashed-');
    const input = [join(DOCUMENTED, 'email.ndjson'), join(DOCUMENTED, 'sms.ndjson')];
    const key = new TextEncoder().encode('a test key of enough length');
    await ingest({ inputs: input, lake: join(dir, 'plain') });
    const [{ subject }] = await duckdbRows(
      eventsSql(join(dir, 'plain'), 'min(destination) as subject', "destination like '%@%'"),
    );
    const lake = join(dir, 'hashed');
    await ingest({ inputs: input, lake, pii: { mode: 'hash', key } });
    const hashedRows = await accessRows(lake, hashPii(key, String(subject)));

    // Act
    const withoutKey = await forgetSubject({ subject: String(subject), lake, dryRun: true });
    const forgotten = await forgetSubject({ subject: String(subject), lake, piiKey: key });

    // Assert
    expect(hashedRows.length).toBeGreaterThan(0);
    expect(withoutKey.rows).toBe(0);
    expect(forgotten.rows).toBe(hashedRows.length);
    expect(await accessRows(lake, hashPii(key, String(subject)))).toEqual([]);
  });
});
