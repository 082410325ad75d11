import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runQuery, type QueryOptions } from '../../cli/src/commands/query';
import { UserInputError } from '../../transform/src/errors';
import { runCli } from '../cli/run-cli';
import { tempDir } from '../local/helpers';
import { row, writeRows } from '../queries/helpers/lake';
import { NOW } from '../queries/helpers/run';

// A file the user can read, beside the lake and inside it but outside events/: no query may read it.
const CANARY = 'canary-7f3a-secret';

describe('what query may touch', () => {
  let root: string;
  let lake: string;
  let secret: string;
  let inLakeSecret: string;
  let written: string;
  const output: string[] = [];
  const base = (): QueryOptions => ({
    param: [],
    lake,
    format: 'json',
    engine: 'duckdb',
    now: NOW,
    out: (text) => output.push(text),
    err: () => undefined,
  });

  beforeAll(async () => {
    root = await tempDir('safety-');
    lake = join(root, 'lake');
    secret = join(root, 'secret.csv');
    inLakeSecret = join(lake, 'errors', 'secret.csv');
    written = join(root, 'written.csv');
    await mkdir(lake);
    await writeRows(lake, [
      row('email', 'email.send', '2026-11-01T10:00:00Z', { event_id: 'e1', message_id: 'm1' }),
    ]);
    await mkdir(join(lake, 'errors'), { recursive: true });
    await writeFile(secret, `name\n${CANARY}\n`);
    await writeFile(inLakeSecret, `name\n${CANARY}\n`);
  });
  beforeEach(() => (output.length = 0));

  /** Runs the query and returns the one-line user error it must fail with. */
  async function refusal(name: string | undefined, options: Partial<QueryOptions>): Promise<string> {
    const error = await runQuery(name, { ...base(), ...options }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UserInputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain(CANARY);
    return message;
  }

  it('runs a query over the lake (the guard leaves it alone)', async () => {
    // Act
    const result = await runQuery(undefined, { ...base(), sql: 'select count(*) as n from events' });
    // Assert
    expect(result.rows).toEqual([{ n: 1 }]);
  });

  describe('--sql', () => {
    const attempts: [
      string,
      (s: { secret: string; inLake: string; written: string; lake: string }) => string,
    ][] = [
      ['a quoted path (replacement scan)', (p) => `select * from "${p.secret}"`],
      ['a path through the lake and ..', (p) => `select * from "${p.lake}/events/../../secret.csv"`],
      ['a file in the lake outside events/', (p) => `select * from "${p.inLake}"`],
      ['read_csv', (p) => `select * from read_csv('${p.secret}')`],
      ['a table function', (p) => `select * from TABLE(read_csv('${p.secret}'))`],
      ['a subquery', (p) => `select * from events where event_id in (select * from "${p.secret}")`],
      ['a CTE', (p) => `with s as (select * from "${p.secret}") select * from s`],
      ['a scalar read', (p) => `select (select content from "${p.secret}") as c`],
      ['a URL', () => `select * from "https://example.com/x.csv"`],
      ['CREATE TABLE AS', (p) => `create table t as select * from "${p.secret}"`],
      ['INSERT', (p) => `insert into events select * from "${p.secret}"`],
      ['a second statement', (p) => `select 1; select * from "${p.secret}"`],
      ['COPY … TO', (p) => `copy (select 1) to '${p.written}'`],
      ['ATTACH', (p) => `attach '${p.written}' as x`],
      ['SET', () => `set session enable_external_access = true`],
    ];

    it.each(attempts)('refuses %s in one line, reading and writing nothing', async (_what, sqlOf) => {
      // Arrange
      const sql = sqlOf({ secret, inLake: inLakeSecret, written, lake });
      // Act
      await refusal(undefined, { sql });
      // Assert
      expect(output.join('')).not.toContain(CANARY);
      expect(existsSync(written)).toBe(false);
    });

    it.each([
      [
        'an unknown table',
        'select * from nosuch',
        /^--sql failed: Catalog Error: Table with name nosuch does not exist!/,
      ],
      [
        'an unknown function',
        'select nosuch_fn(1) as x',
        /^--sql failed: Catalog Error: Scalar Function with name nosuch_fn/,
      ],
      [
        'a type mismatch',
        "select * from events where event_time = 'soon'",
        /^--sql failed: Conversion Error: /,
      ],
    ])('answers %s with a one-line user error', async (_what, sql, message) => {
      // Act, Assert
      expect(await refusal(undefined, { sql })).toMatch(message);
    });
  });

  it('prints an unknown table as one line on stderr and exits 1, with no bug-report text', async () => {
    // Act
    const { code, stdout, stderr } = await runCli(['query', '--lake', lake, '--sql', 'select * from nosuch']);
    // Assert
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^error: --sql failed: Catalog Error: Table with name nosuch does not exist![^\n]*\n$/,
    );
    expect(stderr).not.toContain('internal error');
  });

  describe('saved-query parameters', () => {
    it.each([
      `m1' or '1'='1`,
      `m1'; select * from read_csv('SECRET') --`,
      `' union select * from "SECRET" --`,
      'SECRET',
    ])('binds a string parameter as a value: %s matches no message', async (injection) => {
      // Act
      const result = await runQuery('message_timeline', {
        ...base(),
        param: [`message_id=${injection.replace('SECRET', secret)}`, 'start=2026-10-01', 'end=2026-11-30'],
      });
      // Assert
      expect(result.rows).toEqual([]);
      expect(output.join('')).not.toContain(CANARY);
    });

    it('finds the message when the value is the real id (the injections above fail as values, not as queries)', async () => {
      // Act
      const result = await runQuery('message_timeline', {
        ...base(),
        param: ['message_id=m1', 'start=2026-10-01', 'end=2026-11-30'],
      });
      // Assert
      expect(result.rows).toHaveLength(1);
    });

    it.each([
      ['daily_volume', `start=2026-11-01' or 1=1 --`, 'must be a date'],
      ['daily_volume', `start=today-1d; copy (select 1) to 'WRITTEN'`, 'must be a date'],
      ['daily_volume', `end=(select 1)`, 'must be a date'],
      ['email_funnel', `include_bots=true or 1=1`, 'must be a boolean'],
      ['email_funnel', `include_bots=true) union select * from "SECRET" --`, 'must be a boolean'],
    ])('refuses %s --param %s as not its type', async (name, param, message) => {
      // Act
      const refused = await refusal(name, {
        param: [param.replace('SECRET', secret).replace('WRITTEN', written)],
      });
      // Assert
      expect(refused).toContain(message);
      expect(existsSync(written)).toBe(false);
    });
  });
});
