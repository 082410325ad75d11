import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSavedQueries, loadViews } from '../../queries/src/catalog';
import { openLocalLake } from '../../queries/src/duckdb-engine';
import { athenaExecutionParameters, bindValues, resolveParams } from '../../queries/src/params';
import { parametersOutsideWhere, syntaxProblems } from '../../queries/src/sql-validate';
import { COLUMNS } from '../../transform/src/schema';
import { row, tempLake, writeRows } from './helpers/lake';
import { NOW } from './helpers/run';

describe('local DuckDB engine', () => {
  const lakes: (() => void)[] = [];
  afterAll(() => lakes.forEach((remove) => remove()));
  const newLake = (): string => {
    const { dir, remove } = tempLake();
    lakes.push(remove);
    return dir;
  };

  describe('confined to the lake', () => {
    it('reads a file outside the lake unconfined, and refuses it, writes and settings once confined', async () => {
      // Arrange: a CSV beside the lake's events/
      const dir = newLake();
      await writeRows(dir, [row('sms', 'sms.delivered', '2026-11-01T10:00:00Z', { event_id: 'in' })]);
      const outside = join(dir, 'outside.csv');
      writeFileSync(outside, 'name\nsecret\n');
      const read = `select name from read_csv('${outside}')`;
      const open = await openLocalLake(dir, { views: [] });
      const confined = await openLocalLake(dir, { views: [], confine: true });
      try {
        // Act
        const before = await open.run(read);
        // Assert: the same statements fail only in the confined session, which still reads events
        expect(before.rows).toEqual([{ name: 'secret' }]);
        await expect(confined.run(read)).rejects.toThrow(/^Permission Error: /);
        await expect(confined.run(`copy (select 1) to '${join(dir, 'copy.csv')}'`)).rejects.toThrow(
          /^Permission Error: /,
        );
        await expect(confined.run('set enable_external_access = true')).rejects.toThrow(/locked/);
        expect(existsSync(join(dir, 'copy.csv'))).toBe(false);
        expect((await confined.run('select event_id from events')).rows).toEqual([{ event_id: 'in' }]);
      } finally {
        open.close();
        confined.close();
      }
    });
  });

  describe('events', () => {
    it('reads Arrow (TIMESTAMP WITH TIME ZONE) and Firehose-like (TIMESTAMP) files as UTC timestamps', async () => {
      // Arrange
      const dir = newLake();
      await writeRows(dir, [row('sms', 'sms.delivered', '2026-11-01T23:30:00.250Z', { event_id: 'tz' })], {
        timestampsWithTimeZone: true,
      });
      await writeRows(dir, [row('sms', 'sms.delivered', '2026-11-01T23:30:00.250Z', { event_id: 'plain' })], {
        filePrefix: 'firehose',
      });
      const lake = await openLocalLake(dir);
      // Act
      const { rows, columns } = await lake.run(
        'select event_id, event_time, family, dt from events order by event_id',
      );
      lake.close();
      // Assert
      expect(rows).toEqual([
        { event_id: 'plain', event_time: '2026-11-01T23:30:00.250Z', family: 'sms', dt: '2026-11-01' },
        { event_id: 'tz', event_time: '2026-11-01T23:30:00.250Z', family: 'sms', dt: '2026-11-01' },
      ]);
      expect(columns.map((c) => c.type)).toEqual(['VARCHAR', 'TIMESTAMP', 'VARCHAR', 'VARCHAR']);
    });

    it('has every column of COLUMNS, then family and dt', async () => {
      // Arrange
      const dir = newLake();
      await writeRows(dir, [row('app', 'app.custom', '2026-11-01T10:00:00Z')]);
      const lake = await openLocalLake(dir);
      // Act
      const { columns } = await lake.run('select * from events');
      lake.close();
      // Assert
      expect(columns.map((c) => c.name)).toEqual([...COLUMNS.map((c) => c.name), 'family', 'dt']);
    });

    it('throws a one-line error for a missing or empty lake', async () => {
      // Arrange
      const dir = newLake();
      // Act / Assert
      await expect(openLocalLake(dir)).rejects.toThrow(
        `no lake at '${dir}': run \`engagement-lake ingest <files>\` or \`npm start\` first`,
      );
    });
  });

  describe('views', () => {
    it('events_unique removes redelivered records and keeps the earliest arrival', async () => {
      // Arrange: the same event delivered three times in two files
      const dir = newLake();
      const copy = (arrival: string) =>
        row('email', 'email.send', '2026-11-01T10:00:00Z', { event_id: 'same', arrival_time: arrival });
      await writeRows(dir, [copy('2026-11-01T10:00:05Z'), copy('2026-11-01T10:00:01Z')]);
      await writeRows(
        dir,
        [
          copy('2026-11-01T10:07:00Z'),
          row('email', 'email.open', '2026-11-01T11:00:00Z', { event_id: 'other' }),
        ],
        { filePrefix: 'again' },
      );
      const lake = await openLocalLake(dir);
      // Act
      const all = await lake.run('select count(*) as n from events');
      const unique = await lake.run('select event_id, arrival_time from events_unique order by event_id');
      lake.close();
      // Assert
      expect(all.rows).toEqual([{ n: 4 }]);
      expect(unique.rows).toEqual([
        { event_id: 'other', arrival_time: '2026-11-01T11:00:00.000Z' },
        { event_id: 'same', arrival_time: '2026-11-01T10:00:01.000Z' },
      ]);
    });

    it('events_unique keeps partition pruning: a dt filter reaches the Parquet file filter', async () => {
      // Arrange: three days in three partitions
      const dir = newLake();
      await writeRows(
        dir,
        ['2026-11-01', '2026-11-02', '2026-11-03'].map((day) => row('app', 'app.custom', `${day}T10:00:00Z`)),
      );
      const lake = await openLocalLake(dir);
      // Act
      const { rows } = await lake.run('explain select count(*) from events_unique where dt between ? and ?', [
        '2026-11-02',
        '2026-11-02',
      ]);
      lake.close();
      // Assert
      const plan = rows.map((r) => String(r.explain_value)).join('\n');
      expect(plan).toMatch(/File Filters:[\s\S]*dt BETWEEN '2026-11-02'/);
      expect(plan).toMatch(/Scanning Files: 1\/3/);
    });

    it('message_status pushes a message_id filter down to the Parquet scan', async () => {
      // Arrange
      const dir = newLake();
      await writeRows(dir, [row('sms', 'sms.delivered', '2026-11-01T10:00:00Z', { message_id: 's1' })]);
      const lake = await openLocalLake(dir);
      // Act
      const { rows } = await lake.run("explain select * from message_status where message_id = 's1'");
      lake.close();
      // Assert
      const scan = rows.map((r) => String(r.explain_value)).join('\n');
      expect(scan).toMatch(/READ_PARQUET[\s\S]*Filters:[\s\S]*message_id='s1'/);
    });

    it('leave out raw', async () => {
      // Arrange
      const dir = newLake();
      await writeRows(dir, [row('email', 'email.send', '2026-11-01T10:00:00Z', { raw: '{}' })]);
      const lake = await openLocalLake(dir);
      // Act
      const names = await Promise.all(
        ['events_unique', 'email_events', 'sms_events', 'app_events'].map(async (v) =>
          (await lake.run(`select * from ${v} limit 0`)).columns.map((c) => c.name),
        ),
      );
      lake.close();
      // Assert
      for (const columns of names) expect(columns).not.toContain('raw');
    });

    it('message_status prefers a final status over a later intermediate one, else the latest', async () => {
      // Arrange: End User Messaging delivers PENDING after DELIVERED; email is opened after delivery
      const dir = newLake();
      await writeRows(dir, [
        row('sms', 'sms.delivered', '2026-11-01T10:01:00Z', {
          event_id: 'd1',
          message_id: 's1',
          is_final: true,
          status: 'DELIVERED',
          source_format: 'sms_voice_v2',
        }),
        // the same event redelivered: it counts once
        row('sms', 'sms.delivered', '2026-11-01T10:01:00Z', {
          event_id: 'd1',
          arrival_time: '2026-11-01T10:05:00Z',
          message_id: 's1',
          is_final: true,
          status: 'DELIVERED',
          source_format: 'sms_voice_v2',
        }),
        row('sms', 'sms.buffered', '2026-11-01T10:02:00Z', {
          message_id: 's1',
          is_final: false,
          status: 'PENDING',
          source_format: 'sms_voice_v2',
        }),
        row('sms', 'sms.send', '2026-11-01T10:00:00Z', {
          message_id: 's1',
          is_final: false,
          status: 'SENT',
          source_format: 'sms_voice_v2',
        }),
        row('email', 'email.send', '2026-11-01T10:00:00Z', { message_id: 'm1' }),
        row('email', 'email.delivered', '2026-11-01T10:00:02Z', { message_id: 'm1' }),
        row('email', 'email.open', '2026-11-01T12:00:00Z', { message_id: 'm1' }),
        row('email', 'email.send', '2026-11-01T10:00:00Z', { message_id: 'm2' }),
      ]);
      const lake = await openLocalLake(dir);
      // Act
      const { rows } = await lake.run(
        'select message_id, status_event, status, is_final, event_count, first_event_time from message_status order by message_id',
      );
      lake.close();
      // Assert
      expect(rows).toEqual([
        {
          message_id: 'm1',
          status_event: 'email.open',
          status: null,
          is_final: true,
          event_count: 3,
          first_event_time: '2026-11-01T10:00:00.000Z',
        },
        {
          message_id: 'm2',
          status_event: 'email.send',
          status: null,
          is_final: false,
          event_count: 1,
          first_event_time: '2026-11-01T10:00:00.000Z',
        },
        {
          message_id: 's1',
          status_event: 'sms.delivered',
          status: 'DELIVERED',
          is_final: true,
          event_count: 3,
          first_event_time: '2026-11-01T10:00:00.000Z',
        },
      ]);
    });
  });

  describe('parameters are bound, never spliced', () => {
    const hostile = "m1' or '1'='1";

    it('DuckDB: a value holding quotes and SQL matches nothing instead of everything', async () => {
      // Arrange
      const dir = newLake();
      await writeRows(dir, [row('email', 'email.send', '2026-11-01T10:00:00Z', { message_id: 'm1' })]);
      const query = loadSavedQueries().find((q) => q.name === 'message_timeline');
      const values = resolveParams(
        query!,
        new Map([
          ['message_id', hostile],
          ['start', '2026-11-01'],
        ]),
        NOW,
      );
      const lake = await openLocalLake(dir);
      // Act
      const { rows } = await lake.run(query!.sql, bindValues(query!, values));
      lake.close();
      // Assert
      expect(rows).toEqual([]);
    });

    it('Athena: the value is rendered as one quoted literal with its quotes doubled', () => {
      // Arrange
      const query = loadSavedQueries().find((q) => q.name === 'message_timeline');
      const values = resolveParams(
        query!,
        new Map([
          ['message_id', hostile],
          ['start', '2026-11-01'],
        ]),
        NOW,
      );
      // Act
      const parameters = athenaExecutionParameters(query!, values);
      // Assert
      expect(parameters).toEqual(["'2026-11-01'", "'2026-11-28'", "'m1'' or ''1''=''1'"]);
    });
  });
});

describe('catalog SQL', () => {
  describe('Trino grammar (dt-sql-parser)', () => {
    it.each(loadSavedQueries().map((q) => [q.name, q.sql]))(
      'saved query %s parses, parameters only in WHERE',
      async (_name, sql) => {
        // Act
        const problems = [...(await syntaxProblems(sql)), ...(await parametersOutsideWhere(sql))];
        // Assert
        expect(problems).toEqual([]);
      },
    );

    it.each(loadViews().map((v) => [v.name, v.sql]))('view %s parses', async (_name, sql) => {
      // Act / Assert
      expect(await syntaxProblems(sql)).toEqual([]);
    });

    it('rejects a parameter outside a WHERE clause', async () => {
      // Act
      const problems = await parametersOutsideWhere('select ? as x from events where dt = ? group by 1');
      // Assert
      expect(problems).toEqual([{ line: 1, column: 8, message: 'parameter outside a WHERE clause' }]);
    });
  });

  describe('partition pruning', () => {
    it.each(loadSavedQueries().map((q) => [q.name, q.body]))(
      '%s filters on dt with parameters',
      (_name, body) => {
        // Assert
        expect(body).toMatch(
          // a bound may be an expression of its parameter (active_endpoints' 29 days before start)
          /dt between [^\n]*\? \/\* (start|history_start) \*\/[^\n]* and [^\n]*\? \/\* end \*\//,
        );
      },
    );
  });
});
