import { join } from 'node:path';
import { PII_KEY_ENV } from '../../transform/src/pii-key';
import { DOCUMENTED, duckdbRows, eventsSql, listFiles, tempDir } from '../local/helpers';
import { runCli as run } from './run-cli';

describe('--pii on ingest and serve', () => {
  const saved = process.env[PII_KEY_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[PII_KEY_ENV];
    else process.env[PII_KEY_ENV] = saved;
  });

  it.each([['ingest', join(DOCUMENTED, 'sms.ndjson')], ['serve']])(
    '%s: a bad mode exits 1 with one line and writes nothing',
    async (command, ...inputs) => {
      const lake = join(await tempDir('pii-cli-'), 'lake');
      const result = await run([command, ...inputs, '--lake', lake, '--pii', 'mask']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: "error: --pii must be keep, hash or drop, got 'mask'\n",
      });
      expect(await listFiles(lake)).toEqual([]);
    },
  );

  it.each([['ingest', join(DOCUMENTED, 'sms.ndjson')], ['serve']])(
    '%s: hash without a key exits 1 with one line saying how to set it',
    async (command, ...inputs) => {
      delete process.env[PII_KEY_ENV];
      const lake = join(await tempDir('pii-cli-'), 'lake');
      const result = await run([command, ...inputs, '--lake', lake, '--pii', 'hash']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`set ${PII_KEY_ENV}`);
      expect(await listFiles(lake)).toEqual([]);
    },
  );

  it('ingest --pii hash with the key hashes the numbers; --pii drop nulls them', async () => {
    process.env[PII_KEY_ENV] = 'a key for the cli test, long enough';
    const input = join(DOCUMENTED, 'sms.ndjson');
    const hashed = join(await tempDir('pii-cli-'), 'lake');
    const dropped = join(await tempDir('pii-cli-'), 'lake');
    expect((await run(['ingest', input, '--lake', hashed, '--pii', 'hash', '--json'])).code).toBe(0);
    expect((await run(['ingest', input, '--lake', dropped, '--pii', 'drop', '--json'])).code).toBe(0);
    const [h] = await duckdbRows(eventsSql(hashed, 'destination, raw'));
    const [d] = await duckdbRows(eventsSql(dropped, 'destination, raw'));
    expect(h!.destination).toMatch(/^[0-9a-f]{32}$/);
    expect(h!.raw).not.toMatch(/\+\d{7}/);
    expect(d).toEqual({ destination: null, raw: null });
  });
});
