import fc from 'fast-check';
import { parseQueryFile } from '../../queries/src/catalog';
import {
  athenaExecutionParameters,
  athenaLiteral,
  bindValues,
  parseParamArgs,
  resolveDate,
  resolveParams,
} from '../../queries/src/params';
import { didYouMean, editDistance } from '../../queries/src/suggest';

const NOW = new Date('2026-11-28T23:59:59Z');
const QUERY = parseQueryFile(
  `-- name: q
-- description: d
-- params:
--   start date = today-30d: first
--   end date = today+1d: last
--   limit_to int = 10: n
--   bots boolean = false: b
--   who string: required
select 1 from events where dt between ? /* start */ and ? /* end */ and n < ? /* limit_to */ and (? /* bots */ or x = ? /* who */) and y = ? /* who */
`,
  'q.sql',
);

describe('params', () => {
  describe('resolveDate', () => {
    it.each([
      ['today', '2026-11-28'],
      ['today-30d', '2026-10-29'],
      ['today+1d', '2026-11-29'],
      ['2015-01-01', '2015-01-01'],
      ['2024-02-29', '2024-02-29'],
    ])('resolves %s to %s (UTC days)', (expression, expected) => {
      // Act / Assert
      expect(resolveDate(expression, NOW)).toBe(expected);
    });

    it.each(['2026-02-30', '2026-13-01', 'yesterday', "2026-11-01' or 1=1 --", ''])(
      'rejects %j',
      (expression) => {
        // Act / Assert
        expect(resolveDate(expression, NOW)).toBeUndefined();
      },
    );
  });

  describe('resolveParams', () => {
    it('applies defaults and types, and orders values as the ? bind them', () => {
      // Act
      const values = resolveParams(QUERY, parseParamArgs(['who=a=b', 'bots=TRUE']), NOW);
      // Assert
      expect(bindValues(QUERY, values)).toEqual(['2026-10-29', '2026-11-29', 10, true, 'a=b', 'a=b']);
    });

    it.each([
      [['limit_to=1.5', 'who=x'], "--param limit_to must be a int (a whole number), got '1.5'"],
      [['bots=yes', 'who=x'], "--param bots must be a boolean (true or false), got 'yes'"],
      [
        ['start=2026-1-1', 'who=x'],
        "--param start must be a date (YYYY-MM-DD, today or today-7d), got '2026-1-1'",
      ],
      [[], "query 'q' needs --param who=<string> (required)"],
      [
        ['whom=x'],
        "query 'q' has no parameter 'whom' (did you mean who?); it takes start, end, limit_to, bots, who",
      ],
    ])('rejects %j', (args, message) => {
      // Act / Assert
      expect(() => resolveParams(QUERY, parseParamArgs(args), NOW)).toThrow(message);
    });

    const INJECTIONS = [
      "1' or '1'='1",
      "1; copy (select 1) to '/tmp/x.csv'",
      "1) union select * from read_csv('/etc/passwd') --",
      '1 --',
      '(select 1)',
    ];
    it.each(['limit_to', 'bots', 'start'].flatMap((name) => INJECTIONS.map((text) => [name, text])))(
      'refuses %s=%j: a typed value cannot carry SQL',
      (name, text) => {
        // Act / Assert
        expect(() => resolveParams(QUERY, parseParamArgs([`${name}=${text}`, 'who=x']), NOW)).toThrow(
          `--param ${name} must be a`,
        );
      },
    );

    it('rejects a malformed or repeated --param', () => {
      // Act / Assert
      expect(() => parseParamArgs(['novalue'])).toThrow("--param must look like name=value, got 'novalue'");
      expect(() => parseParamArgs(['a=1', 'a=2'])).toThrow('--param a is given twice; give it once');
    });
  });

  describe('athenaLiteral', () => {
    it.each([
      ['string', "it's", "'it''s'"],
      ['string', "x'); drop table events; --", "'x''); drop table events; --'"],
      ['date', '2026-11-01', "'2026-11-01'"],
      ['int', 42, '42'],
      ['boolean', false, 'false'],
    ] as const)('renders %s %j as %s', (type, value, expected) => {
      // Act / Assert
      expect(athenaLiteral(type, value)).toBe(expected);
    });

    it('renders any string (200 runs) as one literal that reads back as the same string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (text) => {
          // Act
          const literal = athenaLiteral('string', text);
          // Assert: quotes only at the ends and doubled inside, so the value cannot end the literal
          const inner = literal.slice(1, -1);
          expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
          expect(inner.replace(/''/g, '')).not.toContain("'");
          expect(inner.replace(/''/g, "'")).toBe(text);
        }),
        { numRuns: 200 },
      );
    });

    it('refuses a non-number for an int, so nothing unquoted is ever written from text', () => {
      // Act / Assert
      expect(() => athenaLiteral('int', '1 or 1=1')).toThrow("expected a whole number, got '1 or 1=1'");
    });

    it('renders the execution parameters of a query in ? order', () => {
      // Act
      const parameters = athenaExecutionParameters(
        QUERY,
        resolveParams(QUERY, parseParamArgs(["who=o'brien"]), NOW),
      );
      // Assert
      expect(parameters).toEqual(["'2026-10-29'", "'2026-11-29'", '10', 'false', "'o''brien'", "'o''brien'"]);
    });
  });

  describe('suggestions', () => {
    it('measures edit distance and suggests close names', () => {
      // Act / Assert
      expect(editDistance('kitten', 'sitting')).toBe(3);
      expect(didYouMean('emial_funnel', ['email_funnel', 'email_reputation', 'sessions'])).toBe(
        ' (did you mean email_funnel?)',
      );
      expect(didYouMean('zzz', ['email_funnel'])).toBe('');
    });
  });
});
