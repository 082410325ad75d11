import { formatResult } from '../../queries/src/format';
import { athenaTimestamp, bigIntToJson, fromAthenaText, fromDuckDbJs } from '../../queries/src/results';
import type { QueryResult } from '../../queries/src/types';

describe('results', () => {
  describe('fromDuckDbJs', () => {
    it.each([
      [new Date('2026-11-01T10:00:00.123Z'), 'TIMESTAMP', '2026-11-01T10:00:00.123Z'],
      [new Date('2026-11-01T00:00:00.000Z'), 'DATE', '2026-11-01'],
      [12n, 'BIGINT', 12],
      [9007199254740993n, 'BIGINT', '9007199254740993'],
      [[{ key: 'a', value: 1.5 }], 'MAP(VARCHAR, DOUBLE)', { a: 1.5 }],
      [['x', null], 'VARCHAR[]', ['x', null]],
      [null, 'VARCHAR', null],
    ])('converts %p (%s)', (value, type, expected) => {
      // Act / Assert
      expect(fromDuckDbJs(value, type)).toEqual(expected);
    });
  });

  describe('fromAthenaText', () => {
    it.each([
      ['42', 'integer', 42],
      ['-9007199254740993', 'bigint', '-9007199254740993'],
      ['0.25', 'double', 0.25],
      ['NaN', 'double', 'NaN'],
      ['false', 'boolean', false],
      ['2026-11-01', 'date', '2026-11-01'],
      ['2026-11-01 10:00:00.5', 'timestamp', '2026-11-01T10:00:00.500Z'],
      ['2026-11-01 10:00:00.123 UTC', 'timestamp with time zone', '2026-11-01T10:00:00.123Z'],
      ['[a, b]', 'array(varchar)', '[a, b]'],
      ['{k=v}', 'map(varchar, varchar)', '{k=v}'],
      [undefined, 'varchar', null],
    ])('converts %p (%s)', (text, type, expected) => {
      // Act / Assert
      expect(fromAthenaText(text, type)).toEqual(expected);
    });

    it('leaves an unexpected timestamp text as it is', () => {
      // Act / Assert
      expect(athenaTimestamp('not a time')).toBe('not a time');
      expect(bigIntToJson(-5n)).toBe(-5);
    });
  });
});

describe('format', () => {
  const result: QueryResult = {
    columns: [
      { name: 'name', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
      { name: 'tags', type: 'MAP(VARCHAR, VARCHAR)' },
    ],
    rows: [
      { name: 'a, "quoted"\nline', n: 1, tags: { k: 'v' } },
      { name: null, n: 22, tags: null },
    ],
  };

  describe('formatResult', () => {
    it('writes RFC 4180 CSV with nested values as JSON', () => {
      // Act / Assert
      expect(formatResult(result, 'csv')).toBe(
        'name,n,tags\r\n"a, ""quoted""\nline",1,"{""k"":""v""}"\r\n,22,\r\n',
      );
    });

    it('writes JSON as an array of row objects', () => {
      // Act / Assert
      expect(JSON.parse(formatResult(result, 'json'))).toEqual(result.rows);
    });

    it('writes an aligned table with numbers to the right and NULL for nulls', () => {
      // Act / Assert
      expect(formatResult(result, 'table')).toBe(
        [
          'name               n  tags',
          '----------------  --  ---------',
          'a, "quoted" line   1  {"k":"v"}',
          'NULL              22  NULL',
          '(2 rows)',
          '',
        ].join('\n'),
      );
    });
  });
});
