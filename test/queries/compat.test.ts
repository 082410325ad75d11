import { DuckDBInstance } from '@duckdb/node-api';
import { DIALECT, duckDbMacros, rewriteForDuckDb } from '../../queries/src/compat';

describe('compat (Trino → DuckDB)', () => {
  describe('rewriteForDuckDb', () => {
    it('rewrites the array(T) type spelling only', () => {
      // Act / Assert
      expect(rewriteForDuckDb('select cast(x as array(varchar)), cast(y as ARRAY( decimal(10,2) ))')).toBe(
        'select cast(x as varchar[]), cast(y as decimal(10,2)[])',
      );
    });

    it('leaves strings, comments and the array[...] constructor alone', () => {
      // Arrange
      const sql = "select array['a'], 'array(varchar)' as s -- array(varchar)\n/* array(int) */ from t";
      // Act / Assert
      expect(rewriteForDuckDb(sql)).toBe(sql);
    });
  });

  describe('macros', () => {
    it.each([
      ["element_at(map(['a'], ['b']), 'a')", 'b'],
      ["element_at(map(['a'], ['b']), 'missing')", null],
      ["element_at(['p', 'q'], -1)", 'q'],
      ["cardinality(['a', 'b', 'c'])", 3],
      ["date_diff('day', timestamp '2026-01-01 23:00', timestamp '2026-01-02 01:00')", 0],
      ["date_diff('day', date '2026-01-01', date '2026-01-08')", 7],
      ["cast(date_add('day', 2, date '2026-01-30') as date)", '2026-02-01'],
      ["to_iso8601(timestamp '2026-01-02 03:04:05.678')", '2026-01-02T03:04:05.678Z'],
      ["from_iso8601_timestamp('2026-01-02T03:04:05.678+02:00')", '2026-01-02T01:04:05.678Z'],
      ["from_iso8601_date('2026-01-02')", '2026-01-02'],
      ["regexp_like('abc', 'b')", true],
      ["array_join(['a', 'b'], ',')", 'a,b'],
      ["day_of_week(date '2026-11-29')", 7],
      ["date_format(timestamp '2026-11-29 10:05:06', '%Y-%m-%d %H:%i:%s')", '2026-11-29 10:05:06'],
      ['to_unixtime(from_unixtime(1700000000))', 1700000000],
      ["url_extract_host('https://Example.com:8080/a?b')", 'Example.com'],
      ["regexp_extract('Ann <a@Ex.com>', '@([^@>\\s]+)', 1)", 'Ex.com'],
      ["regexp_extract('no address', '@([^@>\\s]+)', 1)", null],
      ["regexp_extract('abc', 'b')", 'b'],
      ["split_part('a@b', '@', 2)", 'b'],
      ["split_part('a@b', '@', 3)", null],
      ['json_extract_scalar(\'{"a": {"b": 1}}\', \'$.a.b\')', '1'],
    ])('%s gives %j, as Trino would', async (expression, expected) => {
      // Arrange
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await connection.run("set TimeZone = 'UTC'");
      for (const macro of duckDbMacros()) await connection.run(macro);
      // Act
      const reader = await connection.runAndReadAll(`select ${expression} as v`);
      const value = reader.getRowsJS()[0][0];
      connection.closeSync();
      instance.closeSync();
      // Assert
      const plain =
        value instanceof Date
          ? value.toISOString().replace(/T00:00:00\.000Z$/, '')
          : typeof value === 'bigint'
            ? Number(value)
            : value;
      expect(plain).toEqual(expected);
    });

    it('approx_percentile returns a value of the input (p50 and p90)', async () => {
      // Arrange
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      for (const macro of duckDbMacros()) await connection.run(macro);
      // Act
      const reader = await connection.runAndReadAll(
        'select approx_percentile(x, 0.5) as p50, approx_percentile(x, 0.9) as p90 from (values (1), (2), (3), (4), (10)) as t (x)',
      );
      connection.closeSync();
      instance.closeSync();
      // Assert
      expect(reader.getRowObjectsJS()).toEqual([{ p50: 3, p90: 10 }]);
    });

    it('documents every entry with a link', () => {
      // Assert
      for (const entry of DIALECT) expect(entry.why).toMatch(/trino\.io|DuckDB/);
    });
  });
});
