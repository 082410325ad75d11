/**
 * Backfill Lambda benchmark: events per second of the backfill handler on one core, for one archive
 * object as S3 Batch Operations hands it over. Generates `--events` realistic events, stores them as
 * Firehose stores raw records (concatenated JSON, no separator, gzipped) on an S3 protocol server
 * (s3rver, in a child process so its CPU is not counted), then runs the handler once, as the Lambda
 * does: HeadObject, stream + gunzip + split, the Firehose transform in this thread, Parquet per
 * partition, error output and done marker through the S3 sink.
 *
 * Run: taskset -c 0 npx tsx bench/backfill-handler.ts [--events 50000]
 *      (taskset pins the process to one core, as a Lambda with 1,769 MB or less has one vCPU)
 *
 * Reports wall time, events/s, CPU seconds (user + system of this process) and peak RSS.
 *
 * Measured 2026-12-04 on the shared 2-core dev machine (load average about 7), pinned to core 0:
 * 50,000 events (44.6 MiB raw, 4.5 MiB gzipped): 10.7 s wall, 4,654 events/s, 9.5 CPU s
 * (5,281 events per CPU second), peak RSS 478 MiB, 18 Parquet files.
 * 140,000 events (124.9 MiB raw, 13.4 MiB gzipped, a full Firehose object): 70 s wall (2,011
 * events/s while sharing the core), 25 CPU s (5,694 events per CPU second), peak RSS 726 MiB.
 */
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runBatchInvocation } from '../infra/src/backfill/handler';
import { generateEvents } from '../local/src/generate';
import { startS3 } from '../test/local/s3-server';
import { printResults, reportRows } from './util';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--events');
  const events = flag > 0 ? Number(process.argv[flag + 1]) : 50_000;
  const server = await startS3();
  const s3 = server.client;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
    const text = [...generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 2 })].join(
      '',
    );
    const body = gzipSync(Buffer.from(text));
    const key = 'firehose/2026/10/01/00/events-1-2026-10-01-00-00-00-0a1b2c3d-1111-2222-3333-444455556666.gz';
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: key, Body: body }));

    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const response = await runBatchInvocation(
      {
        invocationSchemaVersion: '2.0',
        invocationId: 'bench',
        job: { id: 'bench' },
        tasks: [{ taskId: 't', s3Bucket: 'archive', s3Key: encodeURIComponent(key), s3VersionId: null }],
      },
      { s3, lake: 's3://lake/', logger: { info: () => undefined, warn: () => undefined }, includeRaw: true },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const [result] = response.results;
    if (result.resultCode !== 'Succeeded') throw new Error(`the task failed: ${result.resultString}`);
    console.log(
      `\n${events} events, ${(text.length / 1048576).toFixed(1)} MiB raw, ${(body.length / 1048576).toFixed(1)} MiB gzipped: ${result.resultString}`,
    );
    printResults('backfill handler, one archive object', [
      { name: 'wall time', value: seconds, unit: 's' },
      { name: 'events per second (wall)', value: events / seconds, unit: 'events/s' },
      { name: 'CPU time (user + system, this process)', value: cpuSeconds, unit: 's' },
      { name: 'events per CPU second', value: events / cpuSeconds, unit: 'events/s' },
      { name: 'peak RSS', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' },
    ]);
    reportRows([
      {
        figure: `backfill Lambda handler, one gzipped archive object of ${events} events`,
        value: `${Math.round(events / cpuSeconds)} events per CPU second`,
        baseline: '',
        ratio: null,
        target: '',
        met: null,
      },
    ]);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
