/**
 * The check behind the large-record suites (one per size, so each stays under a minute): a record
 * of `bytes` bytes on one line between two good lines, ingested from a file or stdin, must come out
 * as error records whose rawData rejoin to it, each one too large on its own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ingest } from '../../local/src/ingest';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { DOCUMENTED, listFiles, tempDir } from '../local/helpers';
import { errorDocs, hugeRecord, joinedRawData } from './helpers';

/** A documented End User Messaging event: a line that becomes a row. */
async function goodLine(): Promise<string> {
  const text = await readFile(join(DOCUMENTED, 'end-user-messaging.ndjson'), 'utf8');
  return text.split('\n')[0]!;
}

/** Feeds `data` as stdin in 64 KiB chunks, as a pipe would. */
function pipeOf(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65_536) chunks.push(data.subarray(at, at + 65_536));
  return Readable.from(chunks);
}

export async function expectHugeRecordKept(from: 'a file' | 'stdin', bytes: number): Promise<void> {
  // Arrange: the huge record between two good lines
  const huge = hugeRecord(bytes);
  const good = await goodLine();
  const input = Buffer.concat([Buffer.from(`${good}\n`), huge, Buffer.from(`\n${good}\n`)]);
  const lake = await tempDir();
  const dir = await tempDir('in-');
  await writeFile(join(dir, 'huge.ndjson'), input);
  const source =
    from === 'stdin' ? { inputs: ['-'], stdin: pipeOf(input) } : { inputs: [join(dir, 'huge.ndjson')] };

  // Act
  const summary = await ingest({ ...source, lake });

  // Assert: the two good lines are rows; every other record is a part of the huge one
  const docs = await errorDocs(lake);
  expect(summary.okRecords).toBe(2);
  expect(summary.okRecords + summary.failedRecords).toBe(summary.records);
  expect(docs).toHaveLength(summary.failedRecords);
  expect(new Set(docs.map((doc) => doc.errorCode))).toEqual(new Set(['record_too_large']));
  expect(joinedRawData(docs).equals(huge)).toBe(true);
  // Each part fails on its own as too large, and none is bigger than memory needs to hold
  for (const doc of docs) {
    const size = Buffer.from(doc.rawData, 'base64').length;
    expect(size).toBeGreaterThan(MAX_RECORD_BYTES);
    expect(size).toBeLessThanOrEqual(4 * MAX_RECORD_BYTES + 65_536);
  }
  expect((await listFiles(lake)).some((file) => file.startsWith('events/'))).toBe(true);
}
