/**
 * `forget` on an S3 lake (the loopback S3 server): the same rows and error records go as in a
 * folder lake, the rest stays; a dry run writes nothing; a run stopped after its journal is finished
 * by the next; a compaction's live lease is respected.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { leaseS3Lake } from '../../local/src/compact-lock';
import { forgetSubject } from '../../local/src/forget';
import { openLakeSink } from '../../local/src/lake-sink';
import { UserInputError } from '../../transform/src/errors';
import {
  accessRows,
  buildLake,
  errorLines,
  lakeContents,
  withoutRows,
  type Subjects,
} from './forget-helpers';
import { listFiles, tempDir } from './helpers';
import { startS3, type TestS3 } from './s3-server';

const BUCKET = 'forget-lake';
let s3: TestS3;
let template: string;
let subjects: Subjects;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  ({ lake: template, subjects } = await buildLake());
}, 60_000);
afterAll(() => s3.stop());

/** Uploads the template lake (events and errors) under a fresh prefix; returns its s3:// URL. */
async function uploadedLake(): Promise<string> {
  const prefix = `t${Math.random().toString(36).slice(2)}/`;
  for (const file of await listFiles(template)) {
    const body = await readFile(join(template, file));
    const key = prefix + file.split('\\').join('/');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
  return `s3://${BUCKET}/${prefix}`;
}

/** Every object of the lake as key and ETag: equal snapshots mean nothing was written. */
async function objects(lake: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of openLakeSink(lake, { endpoint: s3.endpoint }).list(''))
    out.push(`${o.key} ${o.size}`);
  return out;
}

/** Downloads the lake into a fresh folder, as it is. */
async function downloaded(lake: string): Promise<string> {
  const dir = await tempDir('forget-s3-download-');
  const sink = openLakeSink(lake, { endpoint: s3.endpoint });
  for await (const { key } of sink.list('')) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), (await sink.get(key))!);
  }
  return dir;
}

describe('forgetSubject on an S3 lake', () => {
  it('removes the rows endpoint_access finds for a phone number and its error record, nothing else', async () => {
    // Arrange
    const lake = await uploadedLake();
    const all = await lakeContents(template);
    const found = await accessRows(template, subjects.phone);
    const errorsBefore = await errorLines(template);
    expect(found.length).toBeGreaterThan(1);

    // Act
    const summary = await forgetSubject({ lake, subject: subjects.phone, s3Endpoint: s3.endpoint });

    // Assert
    const after = await downloaded(lake);
    expect(await accessRows(after, subjects.phone)).toEqual([]);
    expect(await lakeContents(after)).toEqual(withoutRows(all, found));
    expect(summary).toMatchObject({ rows: found.length, errorFiles: 1, errorRecords: 1 });
    expect(await errorLines(after)).toEqual(errorsBefore.filter((e) => !e.data.includes(subjects.phone)));
    expect((await objects(lake)).filter((o) => o.includes('/_compaction-'))).toEqual([]);
  }, 30_000);

  it('with dryRun reports the same counts and writes nothing', async () => {
    // Arrange
    const lake = await uploadedLake();
    const before = await objects(lake);
    const found = await accessRows(template, subjects.email);

    // Act
    const summary = await forgetSubject({
      lake,
      subject: subjects.email,
      s3Endpoint: s3.endpoint,
      dryRun: true,
    });

    // Assert
    expect(summary).toMatchObject({ dryRun: true, rows: found.length, errorRecords: 1 });
    expect(await objects(lake)).toEqual(before);
  }, 30_000);

  it('stopped after its journal: the next run finishes, and a third changes nothing', async () => {
    // Arrange
    const lake = await uploadedLake();
    const all = await lakeContents(template);
    const found = await accessRows(template, subjects.endpointId);
    const options = { lake, subject: subjects.endpointId, s3Endpoint: s3.endpoint };
    const failed = forgetSubject({
      ...options,
      beforePublish: () => {
        throw new Error('killed');
      },
    });
    await expect(failed).rejects.toThrow('killed');
    expect((await objects(lake)).filter((o) => o.includes('/_compaction-'))).toHaveLength(1);

    // Act
    const summary = await forgetSubject(options);
    const before = await objects(lake);
    const again = await forgetSubject(options);

    // Assert
    expect(summary.recovered).toBe(1);
    expect(await lakeContents(await downloaded(lake))).toEqual(withoutRows(all, found));
    expect(again).toMatchObject({ recovered: 0, rows: 0, files: [], errorRecords: 0 });
    expect(await objects(lake)).toEqual(before);
  }, 30_000);

  it('refuses to run beside a compaction holding the lease, with one line', async () => {
    // Arrange
    const lake = await uploadedLake();
    const lease = await leaseS3Lake(openLakeSink(lake, { endpoint: s3.endpoint }), {
      owner: 'compaction',
      leaseMs: 60_000,
    });
    const before = await objects(lake);

    // Act
    const failed = forgetSubject({ lake, subject: subjects.email, s3Endpoint: s3.endpoint });

    // Assert
    await expect(failed).rejects.toThrow(UserInputError);
    await expect(failed).rejects.toThrow(/^[^\n]*compaction[^\n]*$/);
    expect(await objects(lake)).toEqual(before);
    await lease.release();
  }, 30_000);
});
