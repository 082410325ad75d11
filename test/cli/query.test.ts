import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { runQueries } from '../../cli/src/commands/queries';
import { runQuery, type QueryOptions } from '../../cli/src/commands/query';
import { readLakeLayout } from '../../local/src/lake-layout';
import { row, tempLake, writeRows } from '../queries/helpers/lake';
import { NOW } from '../queries/helpers/run';

describe('cli query', () => {
  const { dir, remove } = tempLake();
  const output: string[] = [];
  const base = (): QueryOptions => ({
    param: [],
    lake: dir,
    format: 'json',
    engine: 'duckdb',
    now: NOW,
    out: (t) => output.push(t),
    err: () => undefined,
  });
  beforeAll(async () => {
    await writeRows(dir, [
      row('email', 'email.send', '2026-11-01T10:00:00.5Z', { event_id: 'e1', message_id: 'm1' }),
    ]);
  });
  afterAll(remove);
  beforeEach(() => (output.length = 0));

  describe('saved queries', () => {
    it('prints JSON rows with ISO timestamps', async () => {
      // Act
      await runQuery('message_timeline', { ...base(), param: ['message_id=m1', 'start=2026-11-01'] });
      // Assert
      expect(JSON.parse(output.join(''))).toMatchObject([
        { event_time: '2026-11-01T10:00:00.500Z', event_name: 'email.send' },
      ]);
    });

    it('notes on stderr that an interrupted compaction left a partition unfinished', async () => {
      // Arrange: a journal as a killed `compact` leaves it (naming files that are all still there)
      const [partition] = readLakeLayout(dir);
      const journal = join(partition.dir, '_compaction-01TEST.json');
      await writeFile(
        journal,
        JSON.stringify({ file: 'part-01TEST-compacted.parquet', replaces: partition.files }),
      );
      const notes: string[] = [];

      // Act
      try {
        await runQuery('daily_volume', { ...base(), err: (t) => notes.push(t) });
      } finally {
        await rm(journal);
      }

      // Assert
      expect(notes).toEqual([
        `note: an interrupted compaction left 1 partition(s) unfinished, where rows may show twice; \`engagement-lake compact --lake ${dir}\` finishes it\n`,
      ]);
    });

    it('prints CSV', async () => {
      // Act
      await runQuery('daily_volume', {
        ...base(),
        format: 'csv',
        param: ['start=2026-11-01', 'end=2026-11-01'],
      });
      // Assert
      expect(output.join('')).toBe(
        'dt,family,event_name,events,rows_received,source_formats\r\n2026-11-01,email,email.send,1,1,1\r\n',
      );
    });

    it.each([
      [
        'daly_volume',
        [],
        "no saved query 'daly_volume' (did you mean daily_volume?); list them with `engagement-lake queries`",
      ],
      [
        'daily_volume',
        ['stat=2026-11-01'],
        "query 'daily_volume' has no parameter 'stat' (did you mean start?); it takes start, end",
      ],
      [
        'daily_volume',
        ['start=yesterday'],
        "--param start must be a date (YYYY-MM-DD, today or today-7d), got 'yesterday'",
      ],
      [
        'email_funnel',
        ['include_bots=maybe'],
        "--param include_bots must be a boolean (true or false), got 'maybe'",
      ],
      ['message_timeline', [], "query 'message_timeline' needs --param message_id=<string>"],
    ])('rejects %s %j with one line', async (name, param, message) => {
      // Act / Assert
      await expect(runQuery(name, { ...base(), param })).rejects.toThrow(message);
    });
  });

  describe('ad-hoc SQL', () => {
    it('runs over events and the views', async () => {
      // Act
      const result = await runQuery(undefined, { ...base(), sql: 'select count(*) as n from email_events' });
      // Assert
      expect(result.rows).toEqual([{ n: 1 }]);
    });

    it('rejects SQL that does not parse, in one line', async () => {
      // Act / Assert
      await expect(runQuery(undefined, { ...base(), sql: 'selec 1' })).rejects.toThrow(
        /^--sql does not parse as Athena \(Trino\) SQL at line 1, column 1: [^\n]*$/,
      );
    });

    it('rejects parameters in ad-hoc SQL', async () => {
      // Act / Assert
      await expect(
        runQuery(undefined, { ...base(), sql: 'select * from events where dt = ?' }),
      ).rejects.toThrow('--sql cannot contain `?` parameters; write the values into the SQL');
      await expect(runQuery(undefined, { ...base(), sql: 'select 1', param: ['a=1'] })).rejects.toThrow(
        '--param applies to saved queries',
      );
    });

    it('rejects a name together with --sql, and neither', async () => {
      // Act / Assert
      await expect(runQuery('daily_volume', { ...base(), sql: 'select 1' })).rejects.toThrow(
        'give either a saved query name or --sql, not both',
      );
      await expect(runQuery(undefined, base())).rejects.toThrow('give a saved query name');
    });

    it('rejects a missing lake', async () => {
      // Act / Assert
      await expect(
        runQuery(undefined, { ...base(), lake: `${dir}/nothing`, sql: 'select 1' }),
      ).rejects.toThrow(`no lake at '${dir}/nothing'`);
    });
  });

  describe('athena engine', () => {
    it('sends the saved query with rendered execution parameters', async () => {
      // Arrange
      const athena = mockClient(AthenaClient);
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 0 } },
      });
      athena
        .on(GetQueryResultsCommand)
        .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
      // Act
      await runQuery('email_funnel', {
        ...base(),
        engine: 'athena',
        workgroup: 'wg',
        database: 'db',
        athenaClient: new AthenaClient({ region: 'us-east-1' }),
        param: ['include_bots=true'],
      });
      // Assert
      expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.ExecutionParameters).toEqual([
        "'2026-10-29'", // start, less a day to see messages sent before it
        "'2026-11-28'", // end, plus 7 days for deliveries, opens and clicks
        'true', // include_bots
        "'2026-10-29'", // start, the first cohort day
        "'2026-11-28'", // end, the last cohort day
      ]);
      athena.restore();
    });
  });
});

describe('cli queries', () => {
  it('prints the catalog as JSON with --json', async () => {
    // Arrange
    const output: string[] = [];
    // Act
    await runQueries({ json: true, out: (t) => output.push(t) });
    // Assert
    const listing = JSON.parse(output.join(''));
    expect(listing.find((q: { name: string }) => q.name === 'message_timeline').params[0]).toEqual({
      name: 'message_id',
      type: 'string',
      description: 'the message id (SES messageId, Pinpoint or End User Messaging message id)',
    });
  });

  it('lists every saved query with its parameters', async () => {
    // Arrange
    const output: string[] = [];
    // Act
    const queries = await runQueries({ out: (t) => output.push(t) });
    // Assert
    expect(queries.length).toBeGreaterThanOrEqual(16);
    expect(output.join('')).toContain(
      '  --param include_bots=<boolean>  also count opens and clicks SES marked as likely bots (default false)',
    );
  });
});
