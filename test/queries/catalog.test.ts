import {
  expandStar,
  loadSavedQueries,
  loadViews,
  orderViews,
  parseQueryFile,
  parseViewFile,
  viewsUsedBy,
} from '../../queries/src/catalog';
import { UserInputError } from '../../transform/src/errors';
import { COLUMNS } from '../../transform/src/schema';

const GOOD = `-- name: sample
-- description: A sample query
--   over two lines.
-- grain: one row per dt
-- params:
--   start date = today-30d: first day
--   who string: the subject
-- columns:
--   dt: day
with x as (
    select dt from events where dt >= ? /* start */ and endpoint_id = ? /* who */ and user_id = ? /* who */
)

select * from x
`;

describe('catalog', () => {
  describe('parseQueryFile', () => {
    it('reads the header, the body and which parameter each ? binds', () => {
      // Act
      const query = parseQueryFile(GOOD, 'sample.sql');
      // Assert
      expect(query).toMatchObject({
        name: 'sample',
        description: 'A sample query over two lines.',
        grain: 'one row per dt',
        params: [
          { name: 'start', type: 'date', default: 'today-30d', description: 'first day' },
          { name: 'who', type: 'string', description: 'the subject' },
        ],
        columns: [{ name: 'dt', description: 'day' }],
        bindings: ['start', 'who', 'who'],
        sql: GOOD,
        file: 'sample.sql',
      });
      expect(query.body.startsWith('with x as (')).toBe(true);
      expect(query.params[1]).not.toHaveProperty('default');
    });

    it('accepts CRLF line ends and a byte-order mark', () => {
      // Act
      const query = parseQueryFile('\uFEFF' + GOOD.replace(/\n/g, '\r\n'), 'sample.sql');
      // Assert
      expect(query.bindings).toEqual(['start', 'who', 'who']);
    });

    it('ignores ? inside strings and comments', () => {
      // Act
      const query = parseQueryFile(
        GOOD.replace('select * from x', 'select \'?\' as q, "a?" from x -- why?\n/* ? */'),
        'sample.sql',
      );
      // Assert
      expect(query.bindings).toEqual(['start', 'who', 'who']);
    });

    it.each([
      [
        'a name that differs from the file',
        GOOD,
        'other.sql',
        "other.sql: name 'sample' does not match the file name",
      ],
      [
        'no description',
        GOOD.replace(/-- description[^\n]*\n-- {3}over two lines.\n/, ''),
        'sample.sql',
        "sample.sql: the header has no 'description'",
      ],
      [
        'an unknown key',
        GOOD.replace('-- grain', '-- grian'),
        'sample.sql',
        "sample.sql: unknown header key 'grian'",
      ],
      [
        'an unknown type',
        GOOD.replace('start date', 'start datetime'),
        'sample.sql',
        "sample.sql: parameter 'start' has type 'datetime' (expected date, string, int, boolean)",
      ],
      [
        'an unlabelled ?',
        GOOD.replace('? /* start */', '?'),
        'sample.sql',
        'sample.sql: the `?` on body line 2 needs a comment naming its parameter',
      ],
      [
        'an undeclared label',
        GOOD.replace('/* start */', '/* begin */'),
        'sample.sql',
        "sample.sql: the `?` on body line 2 binds 'begin', which the header does not declare",
      ],
      [
        'an unused parameter',
        GOOD.replace(/ and endpoint_id[^\n]*\/\* who \*\//, ''),
        'sample.sql',
        "sample.sql: parameter 'who' is declared but no `?` binds it",
      ],
      ['no header', 'select 1\n', 'sample.sql', 'sample.sql: no header'],
      [
        'a body that is not a query',
        GOOD.replace(/with x as[\s\S]*$/, 'drop table events\n'),
        'sample.sql',
        'sample.sql: the body must be one query',
      ],
    ])('rejects %s with a one-line message naming the file', (_case, contents, file, message) => {
      // Act
      const parse = () => parseQueryFile(contents, file);
      // Assert
      expect(parse).toThrow(UserInputError);
      expect(parse).toThrow(message);
    });

    it('rejects more than 25 parameters (Athena’s limit)', () => {
      // Arrange
      const body = Array.from({ length: 26 }, () => '? /* start */').join(' and dt >= ');
      const contents = `-- name: many\n-- description: d\n-- params:\n--   start date = today: s\nselect 1 from events where dt >= ${body}\n`;
      // Act / Assert
      expect(() => parseQueryFile(contents, 'many.sql')).toThrow(
        'many.sql: 26 parameters (`?`); Athena accepts at most 25',
      );
    });
  });

  describe('views', () => {
    it('expands star(except) from COLUMNS plus the partition keys', () => {
      // Act
      const sql = expandStar("select\n    {{ star(except=['raw', 'extra']) }}\nfrom events", 'v.sql');
      // Assert
      const expected = [
        ...COLUMNS.map((c) => c.name).filter((n) => n !== 'raw' && n !== 'extra'),
        'family',
        'dt',
      ];
      expect(sql).toBe(`select\n${expected.map((n) => `    ${n}`).join(',\n')}\nfrom events`);
    });

    it('rejects a star that names an unknown column', () => {
      // Act / Assert
      expect(() => expandStar("{{ star(except=['nope']) }}", 'v.sql')).toThrow(
        "v.sql: star(except=...) names 'nope', which is not a column of events",
      );
    });

    it('rejects parameters in a view', () => {
      // Act / Assert
      expect(() =>
        parseViewFile('-- name: v\n-- description: d\nselect * from events where dt = ?\n', 'v.sql'),
      ).toThrow('v.sql: a view cannot take parameters');
    });

    it('orders views after the views they read', () => {
      // Arrange
      const view = (name: string, sql: string) => ({ name, description: '', sql, file: `${name}.sql` });
      // Act
      const ordered = orderViews([
        view('a_status', 'select * from b_unique'),
        view('b_unique', 'select * from events'),
        view('c', 'select * from a_status'),
      ]);
      // Assert
      expect(ordered.map((v) => v.name)).toEqual(['b_unique', 'a_status', 'c']);
    });
  });

  describe('the shipped catalog', () => {
    it('has at least the 16 saved queries, each with a date range on dt', () => {
      // Act
      const queries = loadSavedQueries();
      // Assert
      expect(queries.length).toBeGreaterThanOrEqual(16);
      for (const q of queries)
        expect(q.params.filter((p) => p.type === 'date').map((p) => p.name)).toEqual(
          expect.arrayContaining(['start', 'end']),
        );
    });

    it('creates events_unique before the views that read it', () => {
      // Act
      const names = loadViews().map((v) => v.name);
      // Assert
      expect(names[0]).toBe('events_unique');
      expect(names).toEqual(
        expect.arrayContaining(['email_events', 'sms_events', 'app_events', 'message_status']),
      );
    });

    it('defaults suppression_candidates and endpoint_access to the whole lake', () => {
      // Act
      const defaults = loadSavedQueries()
        .filter((q) => q.name === 'suppression_candidates' || q.name === 'endpoint_access')
        .map((q) => q.params.filter((p) => p.type === 'date').map((p) => `${p.name}=${p.default}`));
      // Assert
      expect(defaults).toEqual([
        ['start=2015-01-01', 'end=today+1d'],
        ['start=2015-01-01', 'end=today+1d'],
      ]);
    });
  });
});

describe('viewsUsedBy', () => {
  it('finds the views a query reads, through other views, in creation order', () => {
    // Arrange
    const views = loadViews();
    // Act
    const used = (sql: string) => viewsUsedBy(sql, views).map((v) => v.name);
    // Assert
    expect(used('select * from email_events e join message_status s on e.message_id = s.message_id')).toEqual(
      ['events_unique', 'email_events', 'message_status'],
    );
    expect(used('select * from events -- not email_events')).toEqual([]);
  });
});
