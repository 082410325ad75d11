/**
 * S3 ingest benchmark: an archive of many small objects (generated events, half of them gzip, as a
 * Firehose archive holds) on a loopback S3 server (s3rver, in a child process), ingested
 * - from S3 into a lake folder, and from S3 into an S3 lake on the same server;
 * - baseline: the same objects as local files into a lake folder.
 * Reports objects/s and events/s and the ratio of each S3 run's time to the baseline's. The server
 * shares the machine's cores with the ingest, so the figures are a floor for a real bucket's.
 *
 * Run: npx tsx bench/s3-ingest.ts            (--quick: 40 objects instead of 300)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { generateEvents } from '../local/src/generate';
import { ingest, type IngestOptions, type IngestSummary } from '../local/src/ingest';
import { startS3 } from '../test/local/s3-server';
import { reportRows, type TableRow } from './util';

// The SDK clients are pinned to releases that support Node 20: their notice about later ones is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const OBJECTS = quick ? 40 : 300;
const EVENTS_PER_OBJECT = 200;

/** The archive: object name → bytes, named as Firehose names its objects (arrival time in the name). */
function archive(): { key: string; body: Buffer }[] {
  return Array.from({ length: OBJECTS }, (_, i) => {
    const lines = [
      ...generateEvents({
        events: EVENTS_PER_OBJECT,
        seed: `s3-${i}`,
        start: Date.UTC(2026, 10, 1),
        days: 3,
      }),
    ];
    const text = `${lines.join('\n')}\n`;
    const minute = String(i % 60).padStart(2, '0');
    const key = `2026/11/01/${String(Math.floor(i / 60)).padStart(2, '0')}/events-1-2026-11-01-00-${minute}-00-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000${i % 2 ? '.gz' : ''}`;
    return { key, body: i % 2 ? gzipSync(text) : Buffer.from(text) };
  });
}

async function timed(options: IngestOptions): Promise<IngestSummary> {
  const summary = await ingest(options);
  const perObject = summary.objectsRead / summary.seconds;
  console.log(
    `${options.inputs[0].padEnd(22)} -> ${options.lake.startsWith('s3://') ? 'S3 lake ' : 'folder  '}` +
      `${summary.seconds.toFixed(1).padStart(6)} s  ${perObject.toFixed(1).padStart(7)} objects/s  ` +
      `${summary.recordsPerSecond.toString().padStart(7)} events/s  ${summary.files} files`,
  );
  return summary;
}

async function main(): Promise<void> {
  const s3 = await startS3();
  const work = await mkdtemp(join(tmpdir(), 'engagement-lake-bench-s3-'));
  try {
    await s3.createBucket('bench-archive');
    await s3.createBucket('bench-lake');
    const objects = archive();
    for (const { key, body } of objects) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'bench-archive', Key: key, Body: body }));
      await mkdir(join(work, 'files', key, '..'), { recursive: true });
      await writeFile(join(work, 'files', key), body);
    }
    const mib = objects.reduce((n, o) => n + o.body.byteLength, 0) / 1024 / 1024;
    console.log(
      `${OBJECTS} objects, ${OBJECTS * EVENTS_PER_OBJECT} events, ${mib.toFixed(1)} MiB (half gzip)`,
    );

    const s3Options = { s3: { endpoint: s3.endpoint } };
    const local = await timed({ inputs: [join(work, 'files')], lake: join(work, 'lake-local') });
    const fromS3 = await timed({
      inputs: ['s3://bench-archive/'],
      lake: join(work, 'lake-folder'),
      ...s3Options,
    });
    const intoS3 = await timed({
      inputs: ['s3://bench-archive/'],
      lake: 's3://bench-lake/lake/',
      ...s3Options,
    });

    const row = (figure: string, run: IngestSummary): TableRow => ({
      figure,
      value: `${(run.objectsRead / run.seconds).toFixed(1)} objects/s, ${run.recordsPerSecond} events/s`,
      baseline: `local files: ${(local.objectsRead / local.seconds).toFixed(1)} objects/s`,
      ratio: run.seconds / local.seconds,
      target: '',
      met: null,
    });
    reportRows([
      row('ingest S3 -> folder lake (loopback)', fromS3),
      row('ingest S3 -> S3 lake (loopback)', intoS3),
    ]);
  } finally {
    await s3.stop();
    await rm(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
