import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCUMENTED, tempDir } from '../local/helpers';
import { runCli as run } from './run-cli';

describe('engagement-lake ingest', () => {
  describe('exit codes', () => {
    it('exits 0 and prints one JSON summary whose counts add up when some records fail', async () => {
      // Arrange
      const dir = await tempDir('cli-');
      const ses = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).trim().split('\n');
      const input = join(dir, 'mixed.ndjson');
      await writeFile(input, [ses[0], '{"unknown":true}', 'not json', ses[1]].join('\n') + '\n');

      // Act
      const result = await run(['ingest', input, '--lake', join(dir, 'lake'), '--json']);

      // Assert
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0]);
      expect(summary).toMatchObject({
        records: 4,
        okRecords: 2,
        failedRecords: 2,
        rows: 2,
        failed: { unknown_format: 1, invalid_json: 1 },
        files: 2, // the bounce (2017-08-05) and the delivery (2016-10-19) are two partitions
        errorFiles: 1,
      });
      expect(summary.bytesWritten).toBeGreaterThan(0);
      expect(summary.recordsPerSecond).toEqual(expect.any(Number));
    });

    it('prints a human summary without --json', async () => {
      // Arrange
      const dir = await tempDir('cli-');

      // Act
      const result = await run(['ingest', join(DOCUMENTED, 'sms.ndjson'), '--lake', join(dir, 'lake')]);

      // Assert
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^records: 2 \(ok 2, failed 0\)\nrows: {4}2\n/);
    });

    it('exits 1 with a one-line error for a missing file', async () => {
      // Arrange
      const dir = await tempDir('cli-');

      // Act
      const result = await run(['ingest', 'x', '--lake', join(dir, 'lake')]);

      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: cannot read 'x': no such file; pass NDJSON files, .gz files, folders or -\n",
      );
      expect(result.stdout).toBe('');
    });

    it('exits non-zero for an unknown flag', async () => {
      // Arrange
      const args = ['ingest', join(DOCUMENTED, 'sms.ndjson'), '--lakes', '/tmp/x'];

      // Act
      const result = await run(args);

      // Assert
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("unknown option '--lakes'");
    });
  });
});
