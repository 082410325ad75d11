/**
 * `engagement-lake report` as a user runs it: one-line errors for bad flags and a missing lake; a
 * readable page for an empty range and for a partial lake; the same report from Athena (SDK mock).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { runDemo } from '../../cli/src/commands/demo';
import { runReport } from '../../cli/src/commands/report';
import { FAILED_RECORDS_SQL } from '../../cli/src/report/failed-records';
import { REPORT_QUERIES } from '../../cli/src/report/types';
import { loadSavedQueries } from '../../queries/src/catalog';
import { athenaExecutionParameters, resolveParams } from '../../queries/src/params';
import { buildReportLake, NOW } from '../report/lake-fixture';
import { runCli } from './run-cli';

/** The headline numbers of a page: data-key → data-value. */
const keyNumbers = (html: string): Record<string, string> =>
  Object.fromEntries([...html.matchAll(/data-key="([^"]+)" data-value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const emptySections = (html: string): string[] =>
  [...html.matchAll(/<section id="(\w+)" data-empty="true">/g)].map((m) => m[1]);

describe('engagement-lake report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engagement-lake-report-cli-'));
  let lake: string;

  beforeAll(async () => {
    lake = await buildReportLake(dir, 800);
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('bad input: one line, exit 1, no stack', () => {
    it.each([
      [
        ['--lake', join(tmpdir(), 'no-such-lake-here')],
        /^error: no lake at '.*no-such-lake-here': run `engagement-lake ingest/,
      ],
      [['--from', '2026-13-01'], /^error: --from must be a day as YYYY-MM-DD, got '2026-13-01'$/],
      [['--to', 'yesterday'], /^error: --to must be a day as YYYY-MM-DD, got 'yesterday'$/],
      [
        ['--from', '2026-11-20', '--to', '2026-11-10'],
        /^error: --from 2026-11-20 is after --to 2026-11-10; swap them$/,
      ],
      [
        ['--engine', 'athena', '--workgroup', 'wg'],
        /^error: --engine athena needs --workgroup <name> and --database/,
      ],
    ])('report %j', async (args, message) => {
      // Act
      const { code, stderr } = await runCli(['report', '--out', join(dir, 'bad.html'), ...args]);
      // Assert
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toMatch(message);
    });
  });

  it('writes a readable page that says "no data" in every section for days the lake does not have', async () => {
    // Act
    const { code, stdout } = await runCli([
      'report',
      '--lake',
      lake,
      '--out',
      join(dir, 'empty.html'),
      '--from',
      '2020-01-01',
      '--to',
      '2020-01-31',
    ]);
    const html = readFileSync(join(dir, 'empty.html'), 'utf8');
    // Assert
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*empty\.html \(1\.\d MiB, opens offline\)\n$/);
    expect(emptySections(html)).toEqual(['volume', 'app', 'email', 'messaging', 'campaigns']);
    expect(html.match(/No data for 2020-01-01 to 2020-01-31\./g)).toHaveLength(5);
    expect(html).toContain('<script type="application/json" id="chart-options">{}</script>');
  });

  it('shows what a partial lake has and says "no data" for the rest', async () => {
    // Arrange: a lake with the SMS partitions only
    const partial = join(dir, 'partial');
    cpSync(join(lake, 'events', 'family=sms'), join(partial, 'events', 'family=sms'), { recursive: true });
    // Act
    await runReport({
      lake: partial,
      out: join(dir, 'partial.html'),
      engine: 'duckdb',
      now: NOW,
      log: () => {},
      from: '2026-11-10',
      to: '2026-11-19',
    });
    const html = readFileSync(join(dir, 'partial.html'), 'utf8');
    // Assert
    expect(emptySections(html)).toEqual(expect.arrayContaining(['app', 'email']));
    expect(emptySections(html)).not.toContain('messaging');
    expect(Number(keyNumbers(html)['sms.messages'])).toBeGreaterThan(0);
    expect(keyNumbers(html)['volume.failed_records']).toBe('0');
  });

  it('npm start (the demo) writes the report into the demo lake and prints its path', async () => {
    // Arrange
    const lines: string[] = [];
    // Act
    const summary = await runDemo({
      lake: join(dir, 'demo'),
      events: '1500',
      now: NOW.getTime(),
      log: (line) => lines.push(line),
    });
    // Assert
    expect(summary.report).toBe(join(dir, 'demo', 'report.html'));
    expect(lines.some((line) => line.startsWith('report:') && line.includes('report.html'))).toBe(true);
    const html = readFileSync(summary.report, 'utf8');
    expect(Number(keyNumbers(html)['volume.rows_received'])).toBe(summary.ingest.rows);
    expect(emptySections(html)).toEqual([]);
  }, 60_000);

  describe('--engine athena', () => {
    const athena = mockClient(AthenaClient);
    afterAll(() => athena.restore());

    /** Rows Athena returns, by saved query: text cells, as Athena sends them. */
    const athenaRows: Record<string, Record<string, string>[]> = {
      daily_volume: [
        {
          dt: '2026-11-01',
          family: 'email',
          event_name: 'email.send',
          events: '12',
          rows_received: '13',
          source_formats: '1',
        },
        {
          dt: '2026-11-02',
          family: 'sms',
          event_name: 'sms.delivered',
          events: '30',
          rows_received: '30',
          source_formats: '2',
        },
      ],
      email_reputation: [
        {
          dt: '2026-11-01',
          sent: '200',
          hard_bounces: '14',
          soft_bounces: '1',
          complaints: '2',
          bounce_rate: '0.07',
          complaint_rate: '0.01',
          bounce_status: 'warning',
          complaint_status: 'review',
        },
      ],
    };

    /** Failed records as Athena counts them from the errors table: text cells. */
    const failedRows = [
      { type: 'processing-failed', reason: 'invalid_json', records: '7' },
      { type: 'format-conversion-failed', reason: 'DataFormatConversion.MalformedData', records: '3' },
      { type: 'processing-failed', reason: 'unknown_format', records: '2' },
    ];
    const FAILED_ID = 'failed-records';
    const queries = new Map(loadSavedQueries().map((q) => [q.name, q]));
    const nameOf = (sql: string) => /^-- name: (\w+)/.exec(sql)?.[1];
    /** The answer of one query: the header row, then the rows, as Athena pages them. */
    const resultSet = (columns: [string, string][], rows: Record<string, string>[]) => ({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type]) => ({ Name, Type })) },
        Rows: [columns.map(([name]) => name), ...rows.map((row) => columns.map(([name]) => row[name]))].map(
          (cells) => ({ Data: cells.map((VarCharValue) => ({ VarCharValue })) }),
        ),
      },
    });

    beforeEach(() => {
      athena.reset();
      athena
        .on(StartQueryExecutionCommand)
        .callsFake((input) => ({ QueryExecutionId: nameOf(input.QueryString) ?? FAILED_ID }));
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1 } },
      });
      athena.on(GetQueryResultsCommand).callsFake((input) => {
        if (input.QueryExecutionId === FAILED_ID)
          return resultSet(
            [
              ['type', 'varchar'],
              ['reason', 'varchar'],
              ['records', 'bigint'],
            ],
            failedRows,
          );
        const columns = queries.get(input.QueryExecutionId)!.columns.map((c) => c.name);
        const types = (name: string) =>
          /^(dt|family|event_name|domain|country|currency|bounce_status|complaint_status)$/.test(name)
            ? 'varchar'
            : 'double';
        return resultSet(
          columns.map((c) => [c, types(c)]),
          athenaRows[input.QueryExecutionId] ?? [],
        );
      });
    });

    const reportOnAthena = async (out: string) =>
      runReport({
        lake: join(dir, 'not-used'),
        out: join(dir, out),
        engine: 'athena',
        workgroup: 'wg',
        database: 'lake_db',
        from: '2026-11-01',
        to: '2026-11-02',
        athenaClient: new AthenaClient({ region: 'us-east-1' }),
        athenaSleep: async () => undefined,
        now: NOW,
        log: () => {},
      });

    it('runs every saved query the report needs on Athena, with the range as execution parameters', async () => {
      // Act
      const { path } = await reportOnAthena('athena.html');
      const html = readFileSync(path, 'utf8');
      // Assert: one execution per saved query, each with its own parameters
      const started = athena
        .commandCalls(StartQueryExecutionCommand)
        .map((call) => call.args[0].input)
        .filter((input) => nameOf(input.QueryString!) !== undefined);
      expect(started.map((input) => nameOf(input.QueryString!))).toEqual([...REPORT_QUERIES]);
      for (const input of started) {
        const query = queries.get(nameOf(input.QueryString!)!)!;
        const values = resolveParams(
          query,
          new Map([
            ['start', '2026-11-01'],
            ['end', '2026-11-02'],
          ]),
          NOW,
        );
        expect(input).toEqual({
          QueryString: query.sql,
          QueryExecutionContext: { Database: 'lake_db' },
          WorkGroup: 'wg',
          ExecutionParameters: athenaExecutionParameters(query, values),
        });
      }
      // Assert: the page shows Athena's rows
      expect(keyNumbers(html)).toMatchObject({
        'volume.events': '42',
        'volume.rows_received': '43',
      });
      expect(keyNumbers(html)['email.bounce_rate']).toBe('0.07');
      expect(html).toContain('Athena workgroup wg, database lake_db');
      expect(emptySections(html)).toEqual(['app', 'messaging', 'campaigns']);
    });

    it('counts failed records from the errors table by type and reason over the hours of the range', async () => {
      // Act
      const { path } = await reportOnAthena('athena-failed.html');
      const html = readFileSync(path, 'utf8');
      // Assert: one execution that is no saved query, bound to the first and last hour of the range
      const failed = athena
        .commandCalls(StartQueryExecutionCommand)
        .map((call) => call.args[0].input)
        .filter((input) => nameOf(input.QueryString!) === undefined);
      expect(failed).toEqual([
        {
          QueryString: [
            'select type, errorcode as reason, count(*) as records',
            'from errors',
            'where hour between ? and ?',
            'group by type, errorcode',
            'order by records desc, reason, type',
          ].join('\n'),
          QueryExecutionContext: { Database: 'lake_db' },
          WorkGroup: 'wg',
          ExecutionParameters: ["'2026/11/01/00'", "'2026/11/02/23'"],
        },
      ]);
      // Assert: the shared text, which the local engine runs after its own `errors` CTE
      expect(failed[0].QueryString).toBe(FAILED_RECORDS_SQL);
      // Assert: the page counts the mocked rows and charts them by reason, with no "not available" note
      const total = failedRows.reduce((n, row) => n + Number(row.records), 0);
      expect(keyNumbers(html)['volume.failed_records']).toBe(String(total));
      for (const { reason } of failedRows) expect(html).toContain(JSON.stringify(reason));
      expect(html).not.toContain('has no Glue table');
    });
  });
});
