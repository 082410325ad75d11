import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Backfill } from '../../infra/src/private/backfill';
import { resolveSettings } from '../../infra/src/private/settings';
import { S3Sink } from '../../local/src/lake-sink';
import { startS3, type TestS3 } from '../local/s3-server';

const run = promisify(execFile);

let server: TestS3;
beforeAll(async () => {
  server = await startS3();
  await server.createBucket('archive-bucket');
  await server.createBucket('lake-bucket');
});
afterAll(() => server.stop());

/** Synthesises only the backfill construct, bundled by CDK with the local esbuild (no Docker). */
function bundleBackfill(): string {
  const app = new App();
  const stack = new Stack(app, 'BackfillBundle');
  const settings = resolveSettings({ backfill: { archiveBucketNames: ['archive-bucket'] } });
  const key = new kms.Key(stack, 'Key');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
  const backfill = new Backfill(stack, 'Backfill', { settings, backfill: settings.backfill!, bucket, key });
  const assembly = app.synth();
  const template = assembly.getStackByName('BackfillBundle').template as {
    Resources: Record<string, { Properties: { Code?: { S3Key: string } } }>;
  };
  const id = stack.getLogicalId(backfill.function.node.defaultChild as CfnElement);
  const hash = template.Resources[id].Properties.Code!.S3Key.replace(/\.zip$/, '');
  return join(assembly.directory, `asset.${hash}`);
}

describe('the backfill Lambda bundle', () => {
  it('is built by CDK with the wasm beside it, and its handler backfills an object from S3', async () => {
    // Arrange
    const dir = bundleBackfill();
    const lines = [
      JSON.stringify({
        event_type: '_email.send',
        event_timestamp: 1556670000000,
        arrival_timestamp: 1556670000100,
        application: { app_id: 'a' },
        attributes: {},
        client: { client_id: 'c' },
        facets: { email_channel: { mail_event: { mail: { message_id: 'm-1' } } } },
      }),
      '{"not":"an event"}',
    ];
    await server.client.send(
      new PutObjectCommand({
        Bucket: 'archive-bucket',
        Key: 'a/b.gz',
        Body: gzipSync(Buffer.from(lines.join(''))),
      }),
    );
    const event = {
      invocationSchemaVersion: '2.0',
      invocationId: 'inv',
      job: { id: 'job' },
      tasks: [{ taskId: 't', s3Bucket: 'archive-bucket', s3Key: 'a%2Fb.gz', s3VersionId: null }],
    };
    const script = `require(${JSON.stringify(join(dir, 'index.js'))}).handler(${JSON.stringify(event)}).then((r) => process.stderr.write('RESULT ' + JSON.stringify(r) + '\\n'))`;

    // Act: a fresh Node process, as the Lambda runtime loads the bundle.
    const { stderr } = await run(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
        LAKE_BUCKET: 'lake-bucket',
        LAKE_PREFIX: 'bundle/',
        S3_ENDPOINT: server.endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });

    // Assert
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['index.js', 'parquet_wasm_bg.wasm']));
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    const result = JSON.parse(/RESULT (.*)/.exec(stderr)![1]);
    expect(result.results).toEqual([
      { taskId: 't', resultCode: 'Succeeded', resultString: 'records=2 rows=1 failed=1 files=1' },
    ]);
    const keys: string[] = [];
    for await (const object of new S3Sink(server.client, 'lake-bucket', 'bundle/').list(''))
      keys.push(object.key);
    expect(keys.filter((k) => k.endsWith('.parquet'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('errors/'))).toHaveLength(1);
  });
});
