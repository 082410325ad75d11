/**
 * Backfill Lambda benchmark: events per second of the backfill handler on one core, for one archive
 * object as S3 Batch Operations hands it over. Generates `--events` realistic events, stores them as
 * Firehose stores raw records (concatenated JSON, no separator, gzipped) on an S3 protocol server
 * (s3rver, in a child process so its CPU is not counted), then runs the handler on it as the Lambda
 * does: HeadObject, stream + gunzip + split, the transform in this thread, Parquet per partition,
 * error output and done marker through the S3 sink. It does so four times, into fresh lakes,
 * alternating the path the function runs (the transform's core, called directly) with the Firehose
 * handler path (base64/JSON envelope), and reports the best of each and their ratio.
 *
 * Run: taskset -c 0 npx tsx bench/backfill-handler.ts [--events 50000]
 *      (taskset pins the process to one core, as a Lambda with 1,769 MB or less has one vCPU)
 *
 * Reports wall time, events/s, CPU seconds (user + system of this process) and peak RSS.
 */
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runBatchInvocation } from '../infra/src/backfill/handler';
import type { TransformPath } from '../local/src/handler-worker';
import { ingest } from '../local/src/ingest';
import { generateEvents } from '../local/src/generate';
import { startS3 } from '../test/local/s3-server';
import { printResults, reportRows } from './util';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** One invocation on the object into a fresh lake bucket, on the given transform path: its CPU and wall time. */
async function invoke(
  s3: S3Client,
  key: string,
  lakeBucket: string,
  path: TransformPath,
): Promise<{ seconds: number; cpuSeconds: number; resultString: string }> {
  await s3.send(new CreateBucketCommand({ Bucket: lakeBucket }));
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const response = await runBatchInvocation(
    {
      invocationSchemaVersion: '2.0',
      invocationId: 'bench',
      job: { id: 'bench' },
      tasks: [{ taskId: 't', s3Bucket: 'archive', s3Key: encodeURIComponent(key), s3VersionId: null }],
    },
    {
      s3,
      lake: `s3://${lakeBucket}/`,
      logger: { info: () => undefined, warn: () => undefined },
      includeRaw: true,
      ingest: (options) => ingest({ ...options, path }),
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const [result] = response.results;
  if (result.resultCode !== 'Succeeded') throw new Error(`the task failed: ${result.resultString}`);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, resultString: result.resultString };
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--events');
  const events = flag > 0 ? Number(process.argv[flag + 1]) : 50_000;
  const server = await startS3();
  const s3 = server.client;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const text = [...generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 2 })].join(
      '',
    );
    const body = gzipSync(Buffer.from(text));
    const key = 'firehose/2026/10/01/00/events-1-2026-10-01-00-00-00-0a1b2c3d-1111-2222-3333-444455556666.gz';
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: key, Body: body }));

    // The path the function runs (direct) against the handler path, alternated, best of two each:
    // the machine's load drifts, and the first run also warms the JIT.
    const runs: Record<TransformPath, Awaited<ReturnType<typeof invoke>>[]> = { handler: [], direct: [] };
    for (const round of [0, 1])
      for (const path of ['handler', 'direct'] as const)
        runs[path].push(await invoke(s3, key, `lake-${path}-${round}`, path));
    const best = (path: TransformPath) => runs[path].reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
    const direct = best('direct');
    const handler = best('handler');
    console.log(
      `\n${events} events, ${(text.length / 1048576).toFixed(1)} MiB raw, ${(body.length / 1048576).toFixed(1)} MiB gzipped: ${direct.resultString}`,
    );
    printResults('backfill handler, one archive object (best of two)', [
      { name: 'wall time', value: direct.seconds, unit: 's' },
      { name: 'events per second (wall)', value: events / direct.seconds, unit: 'events/s' },
      { name: 'CPU time (user + system, this process)', value: direct.cpuSeconds, unit: 's' },
      { name: 'events per CPU second', value: events / direct.cpuSeconds, unit: 'events/s' },
      {
        name: 'the handler path: events per CPU second',
        value: events / handler.cpuSeconds,
        unit: 'events/s',
      },
      { name: 'peak RSS (of all four runs)', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' },
    ]);
    reportRows([
      {
        figure: `backfill Lambda handler, one gzipped archive object of ${events} events`,
        value: `${Math.round(events / direct.cpuSeconds)} events per CPU second`,
        baseline: `handler path ${Math.round(events / handler.cpuSeconds)} events per CPU second`,
        ratio: direct.cpuSeconds / handler.cpuSeconds,
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
