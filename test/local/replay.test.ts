/**
 * `replay --lake`: the error output re-driven through the current transform. Records that succeed
 * now become rows, those that still fail stay with their reason, and no run (repeated, or killed at
 * either side of its commit) stores a record twice or loses one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorWriter } from '../../local/src/error-writer';
import { ingest } from '../../local/src/ingest';
import { FolderSink } from '../../local/src/lake-sink';
import { replayLake } from '../../local/src/replay';
import { writeRunRecord } from '../../local/src/run-record';
import { newRunId } from '../../local/src/run-id';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from './helpers';

const NOT_AN_EVENT = '{"hello":"world"}';
const ARRIVAL = Date.UTC(2026, 10, 3, 7, 30);

async function documented(name: string): Promise<string[]> {
  return (await readFile(join(DOCUMENTED, `${name}.ndjson`), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/**
 * A lake with the SMS events as rows, NOT_AN_EVENT in its error output (from ingest), and the SES
 * events in the error output too, as an older, broken transform would have left them.
 */
async function givenLake(): Promise<{ lake: string; rows: number; failedEarlier: string[] }> {
  const lake = await tempDir('replay-');
  const input = join(lake, '..', `${newRunId()}.ndjson`);
  const sms = await documented('sms');
  await writeFile(input, [...sms, NOT_AN_EVENT].join('\n') + '\n');
  await ingest({ inputs: [input], lake, workers: 0 });
  const failedEarlier = await documented('ses');
  const writer = new ErrorWriter({ sink: new FolderSink(lake), runId: newRunId(), runStartedAt: ARRIVAL });
  for (const line of failedEarlier)
    await writer.add({
      raw: Buffer.from(line),
      reason: 'old_bug',
      message: 'a bug since fixed',
      arrivalTime: ARRIVAL,
    });
  await writer.flush();
  return { lake, rows: sms.length, failedEarlier };
}

async function rowCount(lake: string): Promise<number> {
  const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
  return n as number;
}

/** Every error document in the lake, with its file. */
async function errorDocuments(lake: string): Promise<{ key: string; errorCode: string; raw: string }[]> {
  const sink = new FolderSink(lake);
  const out = [];
  for await (const object of sink.list('errors/')) {
    const text = Buffer.from((await sink.get(object.key))!).toString('utf8');
    for (const line of text.split('\n').filter((l) => l !== '')) {
      const document = JSON.parse(line) as { errorCode: string; rawData: string };
      out.push({
        key: object.key,
        errorCode: document.errorCode,
        raw: Buffer.from(document.rawData, 'base64').toString(),
      });
    }
  }
  return out;
}

describe('replayLake', () => {
  it('moves the records that succeed now into the lake and keeps those that still fail, with their reason', async () => {
    // Arrange
    const { lake, rows, failedEarlier } = await givenLake();
    const before = await errorDocuments(lake);

    // Act
    const summary = await replayLake({ lake });

    // Assert
    expect(summary.records).toBe(before.length);
    expect(summary.records).toBe(summary.okRecords + summary.failedRecords);
    expect(summary.okRecords).toBe(failedEarlier.length);
    expect(summary.failed).toEqual({ unknown_format: 1 });
    expect(summary.replacedFiles).toBe(new Set(before.map((d) => d.key)).size);
    expect(await rowCount(lake)).toBe(rows + summary.rows);
    expect(summary.rows).toBe(failedEarlier.length);
    const after = await errorDocuments(lake);
    expect(after.map((d) => [d.raw, d.errorCode])).toEqual([[NOT_AN_EVENT, 'unknown_format']]);
    expect(after[0].key).toMatch(
      /^errors\/processing-failed\/2026\/\d\d\/\d\d\/\d\d\/part-[0-9A-Z]{26}-000001\.ndjson$/,
    );
    expect(before.map((d) => d.key)).not.toContain(after[0].key);
  });

  it('stores nothing twice when run twice', async () => {
    // Arrange
    const { lake } = await givenLake();
    await replayLake({ lake });
    const rows = await rowCount(lake);

    // Act
    const again = await replayLake({ lake });

    // Assert
    expect(again).toMatchObject({ records: 1, okRecords: 0, failedRecords: 1, rows: 0 });
    expect(await rowCount(lake)).toBe(rows);
    expect((await errorDocuments(lake)).map((d) => d.raw)).toEqual([NOT_AN_EVENT]);
  });

  it.each([
    ['before its commit', 'beforeCommit'],
    ['after its commit, before the replayed files are removed', 'beforeRemove'],
  ])('finishes the job of a run stopped %s, storing each record once', async (_when, seam) => {
    // Arrange
    const { lake, rows, failedEarlier } = await givenLake();
    const stop = () => Promise.reject(new Error('killed'));
    await expect(replayLake({ lake, [seam]: stop })).rejects.toThrow('killed');

    // Act
    const next = await replayLake({ lake });

    // Assert
    expect(next.recoveredRuns).toBe(1);
    expect(await rowCount(lake)).toBe(rows + failedEarlier.length);
    expect((await errorDocuments(lake)).map((d) => [d.raw, d.errorCode])).toEqual([
      [NOT_AN_EVENT, 'unknown_format'],
    ]);
  });

  it('rebuilds format-conversion failures from the raw of the rows they hold', async () => {
    // Arrange: Firehose keeps the Lambda's output row of a record it could not convert.
    const lake = await tempDir('replay-');
    const [event] = await documented('email');
    const row = JSON.stringify({ event_id: 'x', family: 'email', raw: event });
    const document = {
      attemptsMade: 1,
      arrivalTimestamp: ARRIVAL,
      ErrorCode: 'DataFormatConversion.MalformedData',
      rawData: Buffer.from(row).toString('base64'),
    };
    await new FolderSink(lake).put(
      'errors/format-conversion-failed/2026/11/03/07/events-1-2026-11-03-07-30-00-0a1b2c3d',
      Buffer.from(JSON.stringify(document) + '\n'),
    );

    // Act
    const summary = await replayLake({ lake });

    // Assert
    expect(summary).toMatchObject({ records: 1, okRecords: 1, rows: 1, replacedFiles: 1 });
    const [{ raw }] = await duckdbRows(eventsSql(lake, 'raw'));
    expect(raw).toBe(event);
    expect(await errorDocuments(lake)).toEqual([]);
  });

  it('leaves an error file it cannot read as it is, says why, and replays the others', async () => {
    // Arrange
    const { lake, rows, failedEarlier } = await givenLake();
    const damaged = 'errors/processing-failed/2026/11/03/07/damaged.ndjson';
    await new FolderSink(lake).put(damaged, Buffer.from('not an error document\n'));

    // Act
    const summary = await replayLake({ lake });

    // Assert
    expect(summary.kept).toEqual([
      { key: damaged, reason: expect.stringMatching(/^line 1 is not an error document/) },
    ]);
    expect(await new FolderSink(lake).get(damaged)).not.toBeNull();
    expect(await rowCount(lake)).toBe(rows + failedEarlier.length);
  });

  it('leaves alone the error files an unfinished ingest published after its last checkpoint', async () => {
    // Arrange: an ingest run that has written an error file but not committed it (it may be running).
    const { lake, rows, failedEarlier } = await givenLake();
    const sink = new FolderSink(lake);
    const runId = newRunId();
    const writer = new ErrorWriter({ sink, runId, runStartedAt: ARRIVAL });
    await writer.add({
      raw: Buffer.from(failedEarlier[0]),
      reason: 'old_bug',
      message: 'x',
      arrivalTime: ARRIVAL,
    });
    await writer.flush();
    await writeRunRecord(sink, {
      runId,
      argsHash: 'someingest',
      startedAt: new Date().toISOString(),
      commits: 0,
      committed: { parquetSeq: 0, errorSeq: 0 },
      finished: [],
    });

    // Act
    const summary = await replayLake({ lake });

    // Assert
    expect(summary.okRecords).toBe(failedEarlier.length);
    expect(await rowCount(lake)).toBe(rows + failedEarlier.length);
    const left = await errorDocuments(lake);
    expect(left.filter((d) => d.key.includes(runId)).map((d) => d.raw)).toEqual([failedEarlier[0]]);
  });

  it('refuses a lake folder that does not exist, in one line', async () => {
    // Arrange
    const lake = join(await tempDir('replay-'), 'missing');
    // Act / Assert
    await expect(replayLake({ lake })).rejects.toThrow(UserInputError);
    await expect(replayLake({ lake })).rejects.toThrow(/^no lake at '.*missing': pass the lake folder/);
  });
});
