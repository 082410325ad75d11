import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eventsArrowSchema, serializedRowsToTable } from '../../local/src/arrow-schema';
import { parseRow } from '../../transform/src/records';
import { tempPathFor, writeParquetFile } from '../../local/src/parquet-writer';
import { COLUMNS, emptyRow, TYPE_MAPPINGS, type EventRow } from '../../transform/src/schema';
import { duckdbRows, tempDir } from './helpers';

function row(overrides: Partial<EventRow>): EventRow {
  return {
    ...emptyRow(),
    event_id: '0123456789abcdef0123456789abcdef',
    source_format: 'ses',
    event_type: 'Bounce',
    event_name: 'email.hard_bounce',
    event_time: Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    time_source: 'event',
    ...overrides,
  } as EventRow;
}

describe('parquet writer', () => {
  describe('schema', () => {
    it('has exactly the COLUMNS, in order, and no partition columns', () => {
      // Arrange
      const expected = COLUMNS.map((c) => c.name);

      // Act
      const names = eventsArrowSchema().fields.map((f) => f.name);

      // Assert
      expect(names).toEqual(expected);
      expect(names).not.toContain('family');
      expect(names).not.toContain('dt');
    });

    it('maps every logical type to the DuckDB type the schema names', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'x.parquet');
      await writeParquetFile(path, [row({})]);

      // Act
      const described = await duckdbRows(`describe select * from read_parquet('${path}')`);

      // Assert: TIMESTAMP columns are UTC-adjusted, so DuckDB reads them as TIMESTAMP WITH TIME ZONE.
      const expected = COLUMNS.map((c) => ({
        column_name: c.name,
        column_type: c.type === 'timestamp' ? 'TIMESTAMP WITH TIME ZONE' : TYPE_MAPPINGS[c.type].duckdb,
      }));
      expect(described.map(({ column_name, column_type }) => ({ column_name, column_type }))).toEqual(
        expected,
      );
    });
  });

  describe('values', () => {
    it('round-trips maps, lists, timestamps before 2001, ints, doubles and booleans', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'x.parquet');
      const rows = [
        row({
          tags: { 'ses:configuration-set': 'ConfigSet', Mixed: 'Case' },
          metrics: { price: 0.5, count: 3 },
          recipients: ['a@example.com', 'b@example.com'],
          arrival_time: 0,
          message_parts: 2,
          price_usd: 0.00645,
          is_bot: false,
          raw: 'wörld ✓',
        }),
        row({ event_id: 'ffffffffffffffffffffffffffffffff', recipients: [], tags: null }),
      ];

      // Act
      await writeParquetFile(path, rows);

      // Assert
      const read = await duckdbRows(
        `select event_id, tags['Mixed'] as mixed, tags['ses:configuration-set'] as config_set, metrics['count'] as n,
           recipients, strftime(event_time at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%g') as event_time,
           strftime(arrival_time at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%g') as arrival_time,
           message_parts, price_usd, is_bot, raw, tags is null as no_tags
         from read_parquet('${path}') order by event_id`,
      );
      expect(read).toEqual([
        {
          event_id: '0123456789abcdef0123456789abcdef',
          mixed: 'Case',
          config_set: 'ConfigSet',
          n: 3,
          recipients: ['a@example.com', 'b@example.com'],
          event_time: '1999-12-31T23:59:59.999',
          arrival_time: '1970-01-01T00:00:00.000',
          message_parts: 2,
          price_usd: 0.00645,
          is_bot: false,
          raw: 'wörld ✓',
          no_tags: false,
        },
        {
          event_id: 'ffffffffffffffffffffffffffffffff',
          mixed: null,
          config_set: null,
          n: null,
          recipients: [],
          event_time: '1999-12-31T23:59:59.999',
          arrival_time: null,
          message_parts: null,
          price_usd: null,
          is_bot: null,
          raw: null,
          no_tags: true,
        },
      ]);
    });

    it('keeps every row and map entry when the rows span several Arrow batches', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'x.parquet');
      const lines = Array.from({ length: 9000 }, (_, i) =>
        JSON.stringify({
          event_id: String(i).padStart(32, '0'),
          source_format: 'pinpoint',
          event_type: '_custom',
          event_name: 'app.custom',
          event_time: '2026-11-28T00:00:00.000Z',
          time_source: 'event',
          attributes: i % 3 === 0 ? null : { n: String(i), k: 'v' },
          metrics: { m: i },
        }),
      );

      // Act
      await writeParquetFile(path, serializedRowsToTable(lines, parseRow, 4096));

      // Assert
      const [stats] = await duckdbRows(
        `select count(*)::int as n, sum(cardinality(attributes))::int as entries, sum(metrics['m'])::double as total,
           count(distinct event_id)::int as ids
         from read_parquet('${path}')`,
      );
      expect(stats).toEqual({ n: 9000, entries: 12000, total: (8999 * 9000) / 2, ids: 9000 });
    });

    it('compresses column chunks with zstd', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'x.parquet');
      await writeParquetFile(path, [row({})]);

      // Act
      const codecs = await duckdbRows(`select distinct compression from parquet_metadata('${path}')`);

      // Assert
      expect(codecs).toEqual([{ compression: 'ZSTD' }]);
    });
  });

  describe('atomic writes', () => {
    it('shows no .parquet name before the rename: a crash at that moment leaves only the temporary file', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'part-1.parquet');
      let seenBeforeRename: string[] = [];
      let tempBytes = Buffer.alloc(0);

      // Act: the hook runs where a crash would hit, between the complete temporary file and the rename.
      await writeParquetFile(path, [row({})], {
        beforeRename: async (tempPath) => {
          seenBeforeRename = await readdir(dir);
          tempBytes = await readFile(tempPath);
        },
      });

      // Assert
      expect(seenBeforeRename).toEqual(['.part-1.parquet.tmp']);
      expect(tempBytes.subarray(0, 4).toString()).toBe('PAR1');
      expect(await readdir(dir)).toEqual(['part-1.parquet']);
    });

    it('removes the temporary file and publishes nothing when the write fails', async () => {
      // Arrange
      const dir = await tempDir('pq-');
      const path = join(dir, 'part-1.parquet');

      // Act
      const write = writeParquetFile(path, [row({})], {
        beforeRename: () => {
          throw new Error('disk full');
        },
      });

      // Assert
      await expect(write).rejects.toThrow('disk full');
      expect(await readdir(dir)).toEqual([]);
    });

    it('names the temporary file so that no *.parquet glob matches it', () => {
      // Arrange
      const path = '/lake/events/family=email/dt=2026-11-28/part-X-000001.parquet';

      // Act
      const temp = tempPathFor(path);

      // Assert
      expect(temp).toBe('/lake/events/family=email/dt=2026-11-28/.part-X-000001.parquet.tmp');
    });
  });
});
