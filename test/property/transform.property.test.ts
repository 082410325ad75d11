import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { processFirehoseBatch } from '../../transform/src/firehose-batch';
import { transformRecord } from '../../transform/src/records';
import { COLUMNS, DEFAULT_DT_START, type ColumnDefinition } from '../../transform/src/schema';
import { FAILURE_REASONS } from '../../transform/src/types';
import { DOCUMENTED } from '../local/helpers';

const RUNS = 1000;
const DAY_MS = 86_400_000;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const INT32 = 2 ** 31;

/** Every documented event, parsed: the seeds the event arbitrary mutates. */
const SEEDS: Record<string, unknown>[] = readdirSync(DOCUMENTED)
  .filter((name) => name.endsWith('.ndjson'))
  .flatMap((name) => readFileSync(join(DOCUMENTED, name), 'utf8').split('\n'))
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Any value a timestamp field may hold: epoch numbers of every magnitude, ISO and numeric strings, junk. */
const timestampValue = fc.oneof(
  fc.integer({ min: -1e15, max: 1e17 }),
  fc.double(),
  fc.date({ min: new Date(-1e14), max: new Date(2.6e14), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0, max: 1e16 }).map(String),
  fc.constantFrom('1e400', 'not a time', '', null, true, '2026-13-45T99:00:00Z', 1e308, -0),
);

/** `value` with every `*timestamp*` / `*Timestamp*` field replaced by the next of `times` (cycled). */
function withTimestamps(value: unknown, times: readonly unknown[], at = { i: 0 }): unknown {
  if (Array.isArray(value)) return value.map((item) => withTimestamps(item, times, at));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      /timestamp/i.test(key) && times.length > 0
        ? times[at.i++ % times.length]
        : withTimestamps(item, times, at);
  }
  return out;
}

/** A documented event with its timestamps replaced and arbitrary members added or overwritten. */
const eventLike = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    times: fc.array(timestampValue, { maxLength: 4 }),
    added: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  })
  .map(({ seed, times, added }) =>
    Buffer.from(JSON.stringify({ ...(withTimestamps(seed, times) as object), ...added })),
  );

/** Any record: an event-like object, any JSON value, or any bytes. */
const anyRecord = fc.oneof(
  { weight: 3, arbitrary: eventLike },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
);

const settings = fc.record({
  arrivalTime: fc.option(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), { nil: null }),
  // After the later dtStart: the projection range is never empty.
  now: fc.integer({ min: Date.UTC(2020, 6, 1), max: Date.UTC(2035, 0, 1) }),
  dtStart: fc.constantFrom(DEFAULT_DT_START, '2020-06-01'),
});

/** Why `value` does not fit `column`, or null when it does. */
function misfit(column: ColumnDefinition, value: unknown): string | null {
  if (value === null || value === undefined) return column.nullable ? null : 'null in a non-null column';
  const ok = (() => {
    switch (column.type) {
      case 'string':
        return typeof value === 'string';
      case 'timestamp':
        return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_MS;
      case 'int':
        return Number.isInteger(value) && Math.abs(value as number) < INT32;
      case 'double':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'array<string>':
        return Array.isArray(value) && value.every((item) => typeof item === 'string');
      case 'map<string,string>':
        return (
          typeof value === 'object' && Object.values(value as object).every((v) => typeof v === 'string')
        );
      case 'map<string,double>':
        return (
          typeof value === 'object' &&
          Object.values(value as object).every((v) => typeof v === 'number' && Number.isFinite(v))
        );
    }
  })();
  return ok ? null : `${JSON.stringify(value)} is not a ${column.type}`;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('transformRecord (property-based)', () => {
  it(`returns a row or a typed error and never throws, for any record (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(anyRecord, settings, (data, options) => {
        // Act
        const result = transformRecord(data, options);
        // Assert
        if (result.ok) expect(result.rows.length).toBeGreaterThan(0);
        else expect(FAILURE_REASONS).toContain(result.reason);
      }),
      { numRuns: RUNS },
    );
  });

  it(`gives rows that fit the schema: types, ranges and non-null columns (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(eventLike, settings, (data, options) => {
        // Act
        const result = transformRecord(data, options);
        // Assert
        if (!result.ok) return;
        for (const row of result.rows) {
          const problems = COLUMNS.flatMap((column) => {
            const why = misfit(column, (row as Record<string, unknown>)[column.name]);
            return why === null ? [] : [`${column.name}: ${why}`];
          });
          expect(problems).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`puts dt on the date of event_time, of arrival for a clock ahead, clamped to the projection range (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(eventLike, settings, (data, options) => {
        // Act
        const result = transformRecord(data, options);
        // Assert
        if (!result.ok) return;
        const end = isoDay(options.now + DAY_MS);
        for (const row of result.rows) {
          const eventTime = row.event_time;
          const arrival = row.arrival_time; // the record's own arrival field, else the given one
          const basis = arrival !== null && eventTime - arrival > DAY_MS ? arrival : eventTime;
          const day = isoDay(basis);
          const expected = day < options.dtStart ? options.dtStart : day > end ? end : day;
          expect(result.partition.dt).toBe(expected);
          expect(result.partition.dt >= options.dtStart && result.partition.dt <= end).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`answers every record of a Firehose batch once: Ok + ProcessingFailed = records in (${RUNS / 10} batches)`, () => {
    fc.assert(
      fc.property(fc.array(anyRecord, { minLength: 1, maxLength: 30 }), settings, (records, options) => {
        // Arrange
        const event = {
          invocationId: 'p',
          deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/p',
          region: 'us-east-1',
          records: records.map((data, index) => ({
            recordId: `r${index}`,
            approximateArrivalTimestamp: options.arrivalTime ?? options.now,
            data: data.toString('base64'),
          })),
        };
        // Act
        const { response, summary } = processFirehoseBatch(event, {
          includeRaw: true,
          dtStart: options.dtStart,
          now: options.now,
        });
        // Assert
        expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        expect(summary.recordsOk + summary.failures.length).toBe(records.length);
        for (const [index, result] of response.records.entries()) {
          if (result.result === 'ProcessingFailed') expect(result.data).toBe(event.records[index]!.data);
          else expect(result.result).toBe('Ok');
        }
      }),
      { numRuns: RUNS / 10 },
    );
  });
});
