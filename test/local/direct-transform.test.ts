import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { buildTransformationEvent, handlerBatchResult } from '../../local/src/batch-outcome';
import type { SourceRecord } from '../../local/src/batcher';
import { transformBatchDirect } from '../../local/src/direct-transform';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { defaultTransform } from '../../local/src/local-transform';
import { processFirehoseBatch } from '../../transform/src/firehose-batch';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from './helpers';

const ARRIVAL = Date.parse('2026-10-15T08:00:00Z');
const SETTINGS = { includeRaw: true, handlerIncludeRaw: true, dtStart: '2015-01-01' };

/** Records that are not what a happy producer sends: each must end as the handler path ends it. */
function hostileLines(): (string | Buffer)[] {
  const sms =
    '{"eventType":"TEXT_DELIVERED","eventVersion":"1.0","eventTimestamp":1791000000000,"isFinal":true,"originationPhoneNumber":"+12065550152","destinationPhoneNumber":"+14255550199","messageId":"m-1","messageBody":"hi","context":{}';
  return [
    '{"broken',
    '[1,2]',
    '"just a string"',
    '{"valid":"json","but":"no known format"}',
    `${sms}}`.replace(
      '"messageBody":"hi"',
      '"messageBody":"\\ud800 lone \\u0001 ctl \\" quote \\\\ back \\u2028"',
    ),
    `${sms},"metrics":{"negZero":-0,"huge":1e400,"tiny":5e-324,"big":1e21}}`,
    `${sms},"__proto__":{"polluted":true},"":"empty key","ключ":"значение","emoji":"🙂"}`,
    `${sms},"nested":{"deep":[1,{"x":[null,true,false,-0.0,1E+2]}]}}`,
    '{"event_type":"_custom.event","event_timestamp":99999999999999999,"arrival_timestamp":1,"application":{"app_id":"a"},"client":{"client_id":"c"},"device":{},"session":{},"attributes":{"n":"1"},"metrics":{"m":-0}}',
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // invalid UTF-8
    `{"event_type":"_custom.big","event_timestamp":1791000000000,"attributes":{"pad":"${'x'.repeat(1_100_000)}"}}`,
  ];
}

/** Generated events in every source format, the AWS documentation examples, and hostile records. */
async function mixedInput(dir: string): Promise<{ path: string; records: number }> {
  const lines: (string | Buffer)[] = [
    ...generateEvents({ events: 3000, seed: 'identity', start: Date.UTC(2026, 9, 1), days: 3 }),
  ];
  for (const name of (await readdir(DOCUMENTED)).filter((n) => n.endsWith('.ndjson')).sort()) {
    lines.push(...(await readFile(join(DOCUMENTED, name), 'utf8')).split('\n').filter((l) => l.trim()));
  }
  lines.push(...hostileLines());
  const path = join(dir, 'mixed.ndjson');
  await writeFile(path, Buffer.concat(lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from('\n')]))));
  return { path, records: lines.length };
}

/** The lake's data files (as digests) and error records (without the wall-clock write time). */
async function lakeOutput(lake: string, runId: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const file of (await listFiles(lake)).filter((f) => /^(events|errors)\//.test(f))) {
    const bytes = await readFile(join(lake, file));
    out[file.replaceAll(runId, 'RUN')] = file.endsWith('.parquet')
      ? createHash('sha256').update(bytes).digest('hex')
      : bytes
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => ({ ...JSON.parse(line), attemptEndingTimestamp: 0 }));
  }
  return out;
}

describe('the direct path (transformRecord in workers) against the handler path', () => {
  describe('ingesting the same input', () => {
    it.each([
      ['default buffers', undefined],
      [
        'small buffers (many files per partition, cold flushes)',
        {
          maxRowsPerPartition: 200,
          maxBytesPerPartition: 1e6,
          maxTotalBytes: 2e6,
          lowWaterBytes: 1e6,
          coldAfterRows: 300,
        },
      ],
    ])(
      'with %s, writes a lake identical byte for byte in this thread and with 1 and 2 workers, errors included',
      async (_name, bufferLimits) => {
        // Arrange
        const { path, records } = await mixedInput(await tempDir('direct-in-'));
        const common = {
          inputs: [path],
          batchLimits: { maxBytes: 64 * 1024, maxRecords: 100 },
          bufferLimits,
          clock: () => ARRIVAL,
        };
        const lakes = [
          await tempDir('direct-h-'),
          await tempDir('direct-0-'),
          await tempDir('direct-1-'),
          await tempDir('direct-2-'),
        ];

        // Act: the handler path runs the Lambda handler in this thread (base64 in, JSON rows out,
        // parsed back); the direct path runs in this thread (as the backfill Lambda does) and in workers.
        const viaHandler = await ingest({ ...common, lake: lakes[0], workers: 0, path: 'handler' });
        const inThread = await ingest({ ...common, lake: lakes[1], workers: 0 });
        const oneWorker = await ingest({ ...common, lake: lakes[2], workers: 1 });
        const twoWorkers = await ingest({ ...common, lake: lakes[3], workers: 2 });

        // Assert: every record accounted for, and the same files, rows and errors on every path.
        expect(viaHandler.records).toBe(records);
        expect(viaHandler.okRecords + viaHandler.failedRecords).toBe(records);
        expect(viaHandler.failed).toEqual({
          invalid_json: 1,
          not_an_object: 2,
          unknown_format: 1,
          invalid_utf8: 1,
          record_too_large: 1,
        });
        const expected = await lakeOutput(lakes[0], viaHandler.runId);
        expect(Object.keys(expected).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(10);
        for (const [run, lake] of [
          [inThread, lakes[1]],
          [oneWorker, lakes[2]],
          [twoWorkers, lakes[3]],
        ] as const) {
          expect(await lakeOutput(lake, run.runId)).toEqual(expected);
          expect({ ...run.failed, rows: run.rows }).toEqual({ ...viaHandler.failed, rows: viaHandler.rows });
        }
        const [{ rows }] = await duckdbRows(eventsSql(lakes[3], 'count(*)::INT as rows'));
        expect(rows).toBe(viaHandler.rows);
      },
    );
  });

  describe('transformBatchDirect', () => {
    /** Records of one event each, plus records holding several events. */
    async function records(): Promise<SourceRecord[]> {
      const text = await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8');
      const lines = text.split('\n').filter((l) => l.trim());
      const generated = [
        ...generateEvents({ events: 60, seed: 'batch', start: Date.UTC(2026, 9, 1), days: 2 }),
      ];
      return [
        ...lines,
        ...generated,
        generated[0] + generated[0], // two events of one partition in one record
        generated.slice(0, 8).join(''), // most likely several partitions: mixed_partitions
        ...hostileLines().slice(0, 9),
      ].map((data) => ({ data: Buffer.from(data), arrivalTime: ARRIVAL }));
    }

    /** The handler path's result for the same batch, under a response limit. */
    async function viaHandler(batch: SourceRecord[], maxResponseBytes?: number) {
      const event: FirehoseTransformationEvent = buildTransformationEvent(batch, 'inv-1');
      const transform = defaultTransform();
      const { response } = processFirehoseBatch(event, {
        includeRaw: true,
        dtStart: '2015-01-01',
        now: Date.now(),
        maxResponseBytes,
      });
      return handlerBatchResult(batch, event, response, (r) => transform.failureOf(r), transform.parseRow);
    }

    it('gives the handler’s verdicts and the same Arrow rows, multi-event records included', async () => {
      // Arrange
      const batch = await records();

      // Act
      const direct = transformBatchDirect(batch, 'inv-1', SETTINGS, Date.now());

      // Assert
      const expected = await viaHandler(batch);
      expect(direct).toEqual(expected);
      expect(direct.records.some((r) => !r.ok && r.reason === 'mixed_partitions')).toBe(true);
      expect(direct.records.some((r) => r.ok && r.rows === 2)).toBe(true);
    });

    it.each([0.6, 0.8, 0.95])(
      'fails the same records, with the same reasons, under a response limit of %d of the full response',
      async (share) => {
        // Arrange
        const batch = await records();
        const event = buildTransformationEvent(batch, 'inv-1');
        const full = processFirehoseBatch(event, {
          includeRaw: true,
          dtStart: '2015-01-01',
          now: Date.now(),
        });
        const limit = Math.round(full.summary.responseBytes * share);

        // Act
        const direct = transformBatchDirect(
          batch,
          'inv-1',
          { ...SETTINGS, maxResponseBytes: limit },
          Date.now(),
        );

        // Assert
        const expected = await viaHandler(batch, limit);
        const tooLarge = direct.records.filter((r) => !r.ok && r.reason === 'response_too_large').length;
        expect(tooLarge).toBeGreaterThan(0);
        expect(direct.records.filter((r) => r.ok).length).toBeGreaterThan(0);
        expect(direct.records).toEqual(expected.records);
        expect(direct.chunks).toEqual(expected.chunks);
      },
    );

    it('leaves raw out of the rows when asked, and only raw', async () => {
      // Arrange
      const batch = await records();

      // Act
      const withRaw = transformBatchDirect(batch, 'inv-1', SETTINGS, Date.now());
      const withoutRaw = transformBatchDirect(batch, 'inv-1', { ...SETTINGS, includeRaw: false }, Date.now());

      // Assert: every column's values, as JSON text (bigint timestamps as strings).
      const columns = (result: typeof withRaw) => {
        const tables = result.chunks.map((c) => tableFromIPC(c.ipc));
        return Object.fromEntries(
          tables[0].schema.fields.map(({ name }) => [
            name,
            JSON.stringify(
              tables.flatMap((t) => [...t.getChild(name)!]),
              (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value),
            ),
          ]),
        );
      };
      const kept = columns(withRaw);
      const dropped = columns(withoutRaw);
      expect(withoutRaw.records).toEqual(withRaw.records);
      expect({ ...dropped, raw: undefined }).toEqual({ ...kept, raw: undefined });
      expect(JSON.parse(dropped.raw).every((v: unknown) => v === null)).toBe(true);
      expect(JSON.parse(kept.raw).every((v: unknown) => typeof v === 'string')).toBe(true);
    });
  });
});
