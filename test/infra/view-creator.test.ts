import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandlers, type ViewsEvent } from '../../infra/src/view-creator/handler';
import { plan, selectOf } from '../../infra/src/view-creator/statements';

const PROPS = {
  WorkGroup: 'lake-wg',
  Database: 'lake_db',
  Views: [
    { name: 'email_events', sql: "select * from events where family = 'email'\n" },
    { name: 'email_daily', sql: 'select dt, count(*) as n from email_events group by dt\n' },
  ],
};

function event(requestType: ViewsEvent['RequestType'], extra: Partial<ViewsEvent> = {}): ViewsEvent {
  return { RequestType: requestType, RequestId: 'req-1', ResourceProperties: PROPS, ...extra };
}

/** Athena mock: each started query gets an id; `states` decides what GetQueryExecution reports per SQL. */
function athena(states: (sql: string) => string, reason = 'line 1:8: mismatched input') {
  const mock = mockClient(AthenaClient);
  const started: string[] = [];
  mock.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    started.push(input.QueryString);
    return { QueryExecutionId: `q-${started.indexOf(input.QueryString)}` };
  });
  mock.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const sql = started[Number(input.QueryExecutionId.slice(2))];
    return { QueryExecution: { Status: { State: states(sql), StateChangeReason: reason } } };
  });
  return { mock, started, handlers: makeHandlers(new AthenaClient({ region: 'eu-west-1' })) };
}

describe('view creator', () => {
  afterEach(() => {
    mockClient(AthenaClient).restore();
  });

  describe('statements', () => {
    it('creates the views in order with CREATE OR REPLACE VIEW', () => {
      // Arrange / Act
      const statements = plan('Create', PROPS);
      // Assert
      expect(statements.map((s) => s.sql)).toEqual([
        "CREATE OR REPLACE VIEW email_events AS\nselect * from events where family = 'email'",
        'CREATE OR REPLACE VIEW email_daily AS\nselect dt, count(*) as n from email_events group by dt',
      ]);
    });

    it('drops the views in reverse order on delete, best effort', () => {
      // Arrange / Act
      const statements = plan('Delete', PROPS);
      // Assert
      expect(statements).toEqual([
        { sql: 'DROP VIEW IF EXISTS email_daily', mustSucceed: false },
        { sql: 'DROP VIEW IF EXISTS email_events', mustSucceed: false },
      ]);
    });

    it('drops the views an update no longer lists before recreating the rest', () => {
      // Arrange
      const next = { ...PROPS, Views: [PROPS.Views[0]] };
      // Act
      const statements = plan('Update', next, PROPS);
      // Assert
      expect(statements.map((s) => s.sql)).toEqual([
        'DROP VIEW IF EXISTS email_daily',
        "CREATE OR REPLACE VIEW email_events AS\nselect * from events where family = 'email'",
      ]);
    });

    it('takes the SELECT out of a file that already says CREATE VIEW', () => {
      // Arrange / Act
      const select = selectOf('create view x as\nselect 1;\n');
      // Assert
      expect(select).toBe('select 1');
    });
  });

  describe('onEvent', () => {
    it('names the resource after the workgroup and database', async () => {
      // Arrange
      const { handlers } = athena(() => 'SUCCEEDED');
      // Act
      const result = await handlers.onEvent(event('Create'));
      // Assert
      expect(result).toEqual({ PhysicalResourceId: 'athena-views:lake-wg:lake_db' });
    });

    it('rejects a view name that is not lower_snake_case', async () => {
      // Arrange
      const { handlers } = athena(() => 'SUCCEEDED');
      const bad = event('Create', {
        ResourceProperties: { ...PROPS, Views: [{ name: 'Bad-Name', sql: 'select 1' }] },
      });
      // Act
      const run = handlers.onEvent(bad);
      // Assert
      await expect(run).rejects.toThrow(
        "View name must be lower-case letters, digits and underscores, got 'Bad-Name'",
      );
    });
  });

  describe('isComplete', () => {
    it('runs each statement in the workgroup and database and completes when all succeeded', async () => {
      // Arrange
      const { mock, handlers } = athena(() => 'SUCCEEDED');
      // Act
      const result = await handlers.isComplete(event('Create'));
      // Assert
      expect(result).toEqual({ IsComplete: true });
      const inputs = mock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
      expect(inputs).toHaveLength(2);
      for (const input of inputs) {
        expect(input.WorkGroup).toBe('lake-wg');
        expect(input.QueryExecutionContext).toEqual({ Database: 'lake_db' });
        expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it('waits, without starting the next view, while a view is still running', async () => {
      // Arrange
      const { started, handlers } = athena(() => 'RUNNING');
      // Act
      const result = await handlers.isComplete(event('Create'));
      // Assert
      expect(result).toEqual({ IsComplete: false });
      expect(started).toHaveLength(1);
    });

    it('uses the same token for the same statement on every poll, so Athena returns the same execution', async () => {
      // Arrange
      const { mock, handlers } = athena(() => 'RUNNING');
      // Act
      await handlers.isComplete(event('Create'));
      await handlers.isComplete(event('Create'));
      // Assert
      const tokens = mock
        .commandCalls(StartQueryExecutionCommand)
        .map((c) => c.args[0].input.ClientRequestToken);
      expect(tokens[0]).toBe(tokens[1]);
    });

    it('fails the deployment with the reason when a view fails', async () => {
      // Arrange
      const { handlers } = athena((sql) => (sql.includes('email_daily') ? 'FAILED' : 'SUCCEEDED'));
      // Act
      const run = handlers.isComplete(event('Create'));
      // Assert
      await expect(run).rejects.toThrow('Athena FAILED (query q-1): line 1:8: mismatched input');
    });

    it('fails the deployment when a view is cancelled', async () => {
      // Arrange
      const { handlers } = athena(() => 'CANCELLED', 'cancelled by user');
      // Act
      const run = handlers.isComplete(
        event('Update', { OldResourceProperties: PROPS, PhysicalResourceId: 'athena-views:lake-wg:lake_db' }),
      );
      // Assert
      await expect(run).rejects.toThrow('Athena CANCELLED (query q-0): cancelled by user');
    });

    it('completes a delete even when a drop fails', async () => {
      // Arrange
      const { handlers } = athena(() => 'FAILED', 'Database lake_db not found');
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      // Act
      const result = await handlers.isComplete(
        event('Delete', { PhysicalResourceId: 'athena-views:lake-wg:lake_db' }),
      );
      // Assert
      expect(result).toEqual({ IsComplete: true });
      expect(warn).toHaveBeenCalledTimes(2);
      warn.mockRestore();
    });
  });
});
