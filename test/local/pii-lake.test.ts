import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { ingest, type IngestOptions } from '../../local/src/ingest';
import { startServer } from '../../local/src/serve';
import { hashPii, PII_COLUMNS, type PiiPolicy } from '../../transform/src/pii';
import { localFirehose } from '../hostile/helpers';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';

const ARRIVAL = Date.parse('2026-10-15T08:00:00Z');
const KEY = new TextEncoder().encode('pii-lake-test-key-0123456789');
const HASH: PiiPolicy = { mode: 'hash', key: KEY };
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const E164 = /\+[1-9]\d{6,14}/g;

/** Every fixture line, and the addresses and numbers the fixture files hold (found here, not listed). */
async function fixtures(): Promise<{ lines: string[]; known: string[] }> {
  const names = (await readdir(DOCUMENTED)).filter((n) => n.endsWith('.ndjson')).sort();
  const texts = await Promise.all(names.map((n) => readFile(join(DOCUMENTED, n), 'utf8')));
  const all = texts.join('\n');
  const known = [...new Set([...(all.match(EMAIL) ?? []), ...(all.match(E164) ?? [])])];
  return { lines: all.split('\n').filter((l) => l.trim() !== ''), known };
}

/** Ingests `lines` into a new lake with the policy and returns the lake. */
async function lakeOf(
  lines: string[],
  pii: PiiPolicy | undefined,
  extra: Partial<IngestOptions> = {},
): Promise<string> {
  const input = join(await tempDir('pii-in-'), 'events.ndjson');
  await writeFile(input, `${lines.join('\n')}\n`);
  const lake = await tempDir('pii-lake-');
  const summary = await ingest({ inputs: [input], lake, pii, clock: () => ARRIVAL, workers: 0, ...extra });
  expect(summary.okRecords + summary.failedRecords).toBe(summary.records);
  return lake;
}

/** Every value of every row and column, as DuckDB reads the Parquet files, in one text. */
async function everyValue(lake: string): Promise<{ rows: Record<string, unknown>[]; text: string }> {
  const rows = await duckdbRows(`${eventsSql(lake)} order by event_id`);
  return { rows, text: JSON.stringify(rows) };
}

describe('ingest with --pii', () => {
  let fixture: { lines: string[]; known: string[] };
  beforeAll(async () => {
    fixture = await fixtures();
  });

  it('finds addresses and numbers in the fixtures to look for', () => {
    expect(fixture.known.filter((v) => v.includes('@')).length).toBeGreaterThan(0);
    expect(fixture.known.filter((v) => v.startsWith('+')).length).toBeGreaterThan(0);
  });

  it.each([
    ['the handler in this thread', 0],
    ['a worker', 1],
  ])(
    'hash, through %s: no known address or number survives anywhere outside errors/, raw included',
    async (_name, workers) => {
      // Arrange, Act
      const lake = await lakeOf(fixture.lines, HASH, { workers });
      const { rows, text } = await everyValue(lake);
      // Assert: every event is a row, raw is kept, and none of the values appears in any column…
      expect(rows).toHaveLength(fixture.lines.length);
      expect(rows.every((r) => typeof r.raw === 'string')).toBe(true);
      for (const value of fixture.known) expect(text).not.toContain(value);
      // …nor in any other file of the lake outside the error output (checkpoints, run records).
      for (const file of await listFiles(lake)) {
        if (file.startsWith('errors/') || file.endsWith('.parquet')) continue;
        const content = await readFile(join(lake, file), 'utf8');
        for (const value of fixture.known) expect(content).not.toContain(value);
      }
      // The hashes are there instead: the known values are hashed, not lost.
      for (const value of fixture.known) expect(text).toContain(hashPii(KEY, value));
    },
  );

  it('serve --pii hash: records put through the Firehose API land hashed', async () => {
    const lake = await tempDir('pii-serve-');
    const server = await startServer({ port: 0, lake, pii: HASH, workers: 1, clock: () => ARRIVAL });
    const put = await localFirehose(server.port).send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: fixture.lines.map((line) => ({ Data: Buffer.from(`${line}\n`) })),
      }),
    );
    await server.close();
    expect(put.FailedPutCount).toBe(0);
    const { rows, text } = await everyValue(lake);
    expect(rows).toHaveLength(fixture.lines.length);
    for (const value of fixture.known) expect(text).not.toContain(value);
  });

  it('drop: the personal columns and raw are null, and no known value survives', async () => {
    const { rows, text } = await everyValue(await lakeOf(fixture.lines, { mode: 'drop' }));
    expect(rows).toHaveLength(fixture.lines.length);
    for (const row of rows) {
      expect(row.raw).toBeNull();
      for (const column of PII_COLUMNS) expect(row[column]).toBeNull();
    }
    for (const value of fixture.known) expect(text).not.toContain(value);
  });

  it('keeps event_id in every mode, so redeliveries still de-duplicate', async () => {
    const ids = async (pii?: PiiPolicy) =>
      (await everyValue(await lakeOf(fixture.lines, pii))).rows.map((r) => r.event_id);
    const kept = await ids();
    expect(await ids(HASH)).toEqual(kept);
    expect(await ids({ mode: 'drop' })).toEqual(kept);
  });

  it('keep (no policy): raw is each input line byte for byte, the values in place, files reproducible', async () => {
    const a = await lakeOf(fixture.lines, undefined, { runId: 'run-00000001' });
    const b = await lakeOf(fixture.lines, undefined, { runId: 'run-00000001' });
    const files = (await listFiles(a)).filter((f) => f.endsWith('.parquet'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect((await readFile(join(a, file))).equals(await readFile(join(b, file)))).toBe(true);
    const { rows, text } = await everyValue(a);
    expect(rows.map((r) => r.raw).sort()).toEqual([...fixture.lines].sort());
    for (const value of fixture.known) expect(text).toContain(value);
  });

  it('hashes an address the same way in an SES event, a Pinpoint event and an EUM event, so joins work', async () => {
    // Arrange: an EUM receipt carrying the SES recipient in its context, written another way.
    const ses = fixture.lines.find((l) => l.includes('"eventType"') && l.includes('"mail"'))!;
    const pinpoint = fixture.lines.find(
      (l) => l.includes('"event_type":"_email.') && l.includes('recipient@example.com'),
    )!;
    const eum = JSON.parse(fixture.lines.find((l) => l.includes('"originationPhoneNumber"'))!) as Record<
      string,
      unknown
    >;
    eum.context = { customer: 'Recipient <RECIPIENT@Example.com>' };
    // Act
    const lake = await lakeOf([ses, pinpoint, JSON.stringify(eum)], HASH);
    const joined = await duckdbRows(
      `with e as (${eventsSql(lake)}) select a.source_format as a, b.source_format as b from e a join e b on a.destination = b.destination where a.source_format like 'ses%' and b.source_format like 'pinpoint%'`,
    );
    const { rows } = await everyValue(lake);
    const sesRow = rows.find((r) => String(r.source_format).startsWith('ses'))!;
    const eumRow = rows.find((r) => r.source_format === 'sms_voice_v2')!;
    // Assert: SES and Pinpoint rows join on the hashed destination; the EUM row holds that hash.
    expect(joined.length).toBeGreaterThan(0);
    expect(sesRow.destination).toBe(hashPii(KEY, 'recipient@example.com'));
    expect(JSON.stringify(eumRow)).toContain(String(sesRow.destination));
    expect(JSON.stringify(eumRow)).not.toMatch(/example\.com/i);
  });
});
