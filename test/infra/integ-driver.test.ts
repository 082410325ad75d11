import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { canaries } from '../../infra/integ/canaries';
import { checkQuery, expectedRows, handler } from '../../infra/integ/driver';
import { COLUMNS } from '../../transform/src/schema';

const RUN = { runId: 'r1', now: Date.UTC(2026, 10, 28, 12) };

/** Athena's result rows for the given rows, rendered the way the check query renders them. */
function athenaRows(
  rows: ReturnType<typeof expectedRows>,
  change?: (name: string, value: unknown) => unknown,
) {
  const header = [...COLUMNS.map((c) => c.name as string), 'family', 'dt'];
  const data = [...rows.values()].map(({ row, family, dt }) => {
    const cells = COLUMNS.map((c) => {
      const value = change ? change(c.name, row[c.name]) : row[c.name];
      if (value === null || value === undefined) return {};
      return { VarCharValue: c.type === 'timestamp' ? String(value) : JSON.stringify(value) };
    });
    return { Data: [...cells, { VarCharValue: family }, { VarCharValue: dt }] };
  });
  return [{ Data: header.map((h) => ({ VarCharValue: h })) }, ...data];
}

function mockAthena(rows: { Data: { VarCharValue?: string }[] }[]) {
  const mock = mockClient(AthenaClient);
  mock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
  mock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  mock.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: rows } });
  return mock;
}

describe('integ driver', () => {
  afterEach(() => mockClient(AthenaClient).restore());

  describe('canaries', () => {
    it('holds one record per source format and the three edge cases', () => {
      // Arrange / Act
      const names = canaries(RUN.runId, RUN.now).map((c) => c.name);
      // Assert
      expect(names).toEqual([
        'pinpoint app, case-colliding map keys',
        'SES event, pre-2001 timestamp',
        'pinpoint legacy SMS',
        'SES event publishing',
        'SES identity notification through SNS',
        'End User Messaging SMS through EventBridge',
        'multi-event record',
      ]);
    });

    it('transforms every canary locally into one row per event', () => {
      // Arrange / Act
      const rows = [...expectedRows(RUN.runId, RUN.now).values()];
      // Assert
      expect(rows.map((r) => r.row.source_format).sort()).toEqual(
        [
          'pinpoint',
          'pinpoint_legacy',
          'ses',
          'ses',
          'ses',
          'ses',
          'ses_notification+sns',
          'sms_voice_v2+eventbridge',
        ].sort(),
      );
    });

    it('keeps the pre-2001 event time and clamps its partition to the first projected day', () => {
      // Arrange / Act
      const old = [...expectedRows(RUN.runId, RUN.now).values()].find(
        (r) => r.row.event_time === 946684800123,
      );
      // Assert
      expect(old?.dt).toBe('2015-01-01');
    });
  });

  describe('check query', () => {
    it('prunes by family and dt and renders timestamps as epoch milliseconds', () => {
      // Arrange / Act
      const sql = checkQuery(expectedRows(RUN.runId, RUN.now));
      // Assert
      expect(sql).toContain("where family in ('app', 'email', 'sms')");
      expect(sql).toContain("and dt in ('2026-11-28', '2015-01-01')");
      expect(sql).toContain('cast(round(to_unixtime(event_time) * 1000) as bigint) as event_time');
      expect(sql).toContain('json_format(cast(attributes as json)) as attributes');
    });
  });

  describe('check', () => {
    it('is ok when Athena returns the local rows', async () => {
      // Arrange
      mockAthena(athenaRows(expectedRows(RUN.runId, RUN.now)));
      // Act
      const result = await handler({ action: 'check', ...RUN });
      // Assert
      expect(result).toEqual({ ok: true, problems: [] });
    });

    it('ignores the arrival time, which only Firehose knows', async () => {
      // Arrange
      mockAthena(
        athenaRows(expectedRows(RUN.runId, RUN.now), (name, value) => (name === 'arrival_time' ? 1 : value)),
      );
      // Act
      const result = await handler({ action: 'check', ...RUN });
      // Assert
      expect(result.ok).toBe(true);
    });

    it('reports rows that have not arrived yet', async () => {
      // Arrange
      mockAthena(athenaRows(new Map()));
      // Act
      const result = await handler({ action: 'check', ...RUN });
      // Assert
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(8);
      expect(result.problems[0]).toMatch(/^row [0-9a-f]{32} \(app\.session_stop\) not in the lake yet$/);
    });

    it('reports a column that differs, with both values', async () => {
      // Arrange
      mockAthena(
        athenaRows(expectedRows(RUN.runId, RUN.now), (name, value) =>
          name === 'attributes' && value && typeof value === 'object' && 'Plan' in value
            ? { plan: 'pro' }
            : value,
        ),
      );
      // Act
      const result = await handler({ action: 'check', ...RUN });
      // Assert
      expect(result.problems).toEqual([
        expect.stringMatching(/column attributes: Athena \{"plan":"pro"\}, local \{"Plan":"pro"\}$/),
      ]);
    });
  });
});
