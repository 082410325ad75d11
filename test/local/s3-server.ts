/**
 * A real S3 protocol server on loopback for the tests (s3rver, offline), with a client for it.
 * Each call starts its own server, in a child process, over its own temporary folder; stop it in
 * afterAll.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../local/src/s3';

export interface TestS3 {
  /** `http://127.0.0.1:<port>`: pass as `--s3-endpoint`. */
  endpoint: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

// s3rver accepts any credentials; the SDK's chain must find some without looking further.
process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
process.env.AWS_REGION ??= 'us-east-1';

/** Starts s3rver on a free loopback port (see s3rver-child.js for why in a child process). */
export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'engagement-lake-s3rver-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', join(__dirname, 's3rver-child.js'), directory],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ endpoint });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
