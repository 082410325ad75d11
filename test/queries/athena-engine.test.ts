import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaCostUsd, runOnAthena } from '../../queries/src/athena-engine';
import { UserInputError } from '../../transform/src/errors';

const athena = mockClient(AthenaClient);
const noWait = async (): Promise<void> => undefined;
const options = () => ({
  client: new AthenaClient({ region: 'us-east-1' }),
  workgroup: 'wg',
  database: 'lake',
  sleep: noWait,
});
const columns = [
  { Name: 'dt', Type: 'varchar' },
  { Name: 'events', Type: 'bigint' },
  { Name: 'rate', Type: 'double' },
  { Name: 'first_seen', Type: 'timestamp' },
  { Name: 'is_bot', Type: 'boolean' },
];

describe('Athena engine', () => {
  beforeEach(() => athena.reset());

  describe('runOnAthena', () => {
    it('starts with execution parameters, polls, pages and converts types', async () => {
      // Arrange
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
      athena
        .on(GetQueryExecutionCommand)
        .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
        .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
        .resolves({
          QueryExecution: {
            Status: { State: 'SUCCEEDED' },
            Statistics: { DataScannedInBytes: 2 * 1024 ** 4 },
          },
        });
      athena
        .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: undefined })
        .resolves({
          NextToken: 't2',
          ResultSet: {
            ResultSetMetadata: { ColumnInfo: columns },
            Rows: [
              { Data: columns.map((c) => ({ VarCharValue: c.Name })) },
              {
                Data: [
                  { VarCharValue: '2026-11-01' },
                  { VarCharValue: '12' },
                  { VarCharValue: '0.5' },
                  { VarCharValue: '2026-11-01 10:00:00.123' },
                  { VarCharValue: 'true' },
                ],
              },
            ],
          },
        })
        .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: 't2' })
        .resolves({
          ResultSet: {
            ResultSetMetadata: { ColumnInfo: columns },
            Rows: [
              {
                Data: [
                  { VarCharValue: '2026-11-02' },
                  { VarCharValue: '9007199254740993' },
                  {},
                  { VarCharValue: '2026-11-02 00:00:00.000' },
                  { VarCharValue: 'false' },
                ],
              },
            ],
          },
        });
      // Act
      const result = await runOnAthena('select 1', ["'2026-11-01'", "'2026-11-30'"], options());
      // Assert
      expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toEqual({
        QueryString: 'select 1',
        QueryExecutionContext: { Database: 'lake' },
        WorkGroup: 'wg',
        ExecutionParameters: ["'2026-11-01'", "'2026-11-30'"],
      });
      expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
      expect(result.rows).toEqual([
        { dt: '2026-11-01', events: 12, rate: 0.5, first_seen: '2026-11-01T10:00:00.123Z', is_bot: true },
        {
          dt: '2026-11-02',
          events: '9007199254740993',
          rate: null,
          first_seen: '2026-11-02T00:00:00.000Z',
          is_bot: false,
        },
      ]);
      expect(result.scanned).toEqual({ bytes: 2 * 1024 ** 4, costUsd: 10 });
    });

    it('throws one line with the StateChangeReason when the query fails', async () => {
      // Arrange
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: {
          Status: {
            State: 'FAILED',
            StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x'\ncannot be resolved",
            AthenaError: { ErrorCategory: 2 },
          },
        },
      });
      // Act
      const run = runOnAthena('select x', [], options());
      // Assert
      await expect(run).rejects.toThrow(
        new UserInputError(
          "Athena query q2 failed: COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
        ),
      );
    });

    it('reports a cancelled query', async () => {
      // Arrange
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } },
      });
      // Act / Assert
      await expect(runOnAthena('select 1', [], options())).rejects.toThrow(
        'Athena query q3 cancelled: Query cancelled by user',
      );
    });
  });

  describe.each(['CANCELLED', 'FAILED'] as const)('a query the workgroup scan limit stops (%s)', (state) => {
    it('says so in one line, with how to read fewer days or raise the limit', async () => {
      // Arrange: Athena's documented control cancels the query; some clients have seen FAILED.
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q4' });
      athena.on(GetQueryExecutionCommand).resolves({
        QueryExecution: {
          Status: { State: state, StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded' },
          Statistics: { DataScannedInBytes: 100 * 1024 ** 3 },
        },
      });

      // Act
      const error = await runOnAthena('select * from events', [], options()).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(UserInputError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(
        /^Athena query q4 (cancelled|failed): Query cancelled! : Bytes scanned limit was exceeded; /,
      );
      expect(message).toContain('--param start=YYYY-MM-DD --param end=YYYY-MM-DD');
      expect(message).toContain('athenaBytesScannedCutoffPerQueryGb');
    });
  });

  describe('athenaCostUsd', () => {
    it('bills at least 10 MB at $5 per TB', () => {
      // Act / Assert
      expect(athenaCostUsd(0)).toBeCloseTo((10 * 1024 * 1024 * 5) / 1024 ** 4, 12);
      expect(athenaCostUsd(1024 ** 4)).toBe(5);
    });
  });
});
