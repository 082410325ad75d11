import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { runServe } from '../../cli/src/commands/serve';
import * as serveModule from '../../local/src/serve';
import { UserInputError } from '../../transform/src/errors';
import { DOCUMENTED, duckdbRows, eventsSql, tempDir } from '../local/helpers';
import { runCli } from './run-cli';

const ROOT = join(__dirname, '..', '..');

/** Starts `engagement-lake serve` as a real process and resolves with it and its port. */
function startCli(lake: string): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/src/bin.ts', 'serve', '--port', '0', '--lake', lake],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve({ child, port: Number(match[1]), stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
  });
}

describe('engagement-lake serve', () => {
  describe('signals', () => {
    it('delivers every accepted record into the lake on SIGTERM and exits 0', async () => {
      // Arrange
      const lake = await tempDir('serve-');
      const { child, port, stderr } = await startCli(lake);
      const lines = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).trim().split('\n');
      const client = new FirehoseClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      const put = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'events',
          Records: lines.map((line) => ({ Data: Buffer.from(line + '\n') })),
        }),
      );
      client.destroy();

      // Act
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;

      // Assert
      expect(put.FailedPutCount).toBe(0);
      expect(code).toBe(0);
      expect(stderr()).toContain('delivered 5 records: 5 rows');
      const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
      expect(n).toBe(5);
    });
    it('delivers everything on SIGHUP too (a closed terminal), and exits 0', async () => {
      // Arrange
      const lake = await tempDir('serve-');
      const { child, port, stderr } = await startCli(lake);
      const lines = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).trim().split('\n');
      const client = new FirehoseClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'events',
          Records: lines.map((line) => ({ Data: Buffer.from(line + '\n') })),
        }),
      );
      client.destroy();

      // Act
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGHUP');
      const code = await exited;

      // Assert
      expect(code).toBe(0);
      expect(stderr()).toContain('delivered 5 records: 5 rows');
      const [{ n }] = await duckdbRows(eventsSql(lake, 'count(*)::int as n'));
      expect(n).toBe(5);
    });
  });

  describe('flags', () => {
    it('rejects a port that is not a number with a one-line UserInputError', async () => {
      // Arrange
      const options = { port: 'abc', lake: 'lake', bufferSeconds: '60', bufferMib: '64' };

      // Act
      const serving = runServe(options);

      // Assert
      await expect(serving).rejects.toThrow("--port must be an integer from 0 to 65535, got 'abc'");
    });

    it('rejects a port another process listens on with a one-line UserInputError', async () => {
      // Arrange
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as AddressInfo).port;
      const options = { port: String(port), lake: await tempDir(), bufferSeconds: '60', bufferMib: '64' };

      // Act
      const serving = runServe(options);

      // Assert
      try {
        await expect(serving).rejects.toBeInstanceOf(UserInputError);
        await expect(serving).rejects.toMatchObject({
          message: `port ${port} is in use; pass another with --port`,
        });
      } finally {
        taken.close();
      }
    });

    it('rejects a port the user may not listen on with a one-line UserInputError, not an internal error', async () => {
      // Arrange
      const denied = Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), {
        code: 'EACCES',
      });
      const start = jest.spyOn(serveModule, 'startServer').mockRejectedValueOnce(denied);
      const options = { port: '80', lake: 'lake', bufferSeconds: '60', bufferMib: '64' };

      // Act
      const serving = runServe(options);

      // Assert
      try {
        await expect(serving).rejects.toBeInstanceOf(UserInputError);
        await expect(serving).rejects.toThrow(
          'port 80 needs privileges to listen on; pass one above 1023 with --port',
        );
      } finally {
        start.mockRestore();
      }
    });

    it('rejects a buffer size above Firehose’s 128 MiB', async () => {
      // Arrange
      const options = { port: '0', lake: 'lake', bufferSeconds: '60', bufferMib: '129' };

      // Act
      const serving = runServe(options);

      // Assert
      await expect(serving).rejects.toThrow("--buffer-mib must be a number from 0.001 to 128, got '129'");
    });

    it('exits 1 with one line naming a --stream value that is not a valid delivery stream name', async () => {
      // Arrange
      const lake = await tempDir('serve-');
      const args = ['serve', '--port', '0', '--lake', lake, '--stream', 'events', '--stream', 'my events'];

      // Act
      const result = await runCli(args);

      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: --stream must be 1 to 64 characters, each a letter, a digit, '.', '_' or '-', got 'my events'\n",
      );
    });
  });
});
