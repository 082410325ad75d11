/**
 * Transform throughput, as ratios against a baseline measured in the same run on the same input:
 * JSON.parse + JSON.stringify of each event, the least any transform must do.
 * Run: npx tsx bench/transform.ts [--events N]
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { generateEvents } from '../local/src/generate';
import { transformEvent } from '../transform/src/transform-event';
import { printResults, timeIt, type BenchResult } from './util';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const BATCH = 500;

async function benchTransform(events: number): Promise<BenchResult[]> {
  const lines = [...generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 30 })];
  const now = Date.now();
  // Warm up the JIT on a slice, so neither side pays for compilation.
  for (const line of lines.slice(0, 5000)) transformEvent(line, { now });

  const baseline = timeIt(() => {
    for (const line of lines) JSON.stringify(JSON.parse(line));
  });
  const transform = timeIt(() => {
    for (const line of lines) transformEvent(line, { now });
  });

  const { handler } = await import('../transform/handler');
  const requests: FirehoseTransformationEvent[] = [];
  for (let i = 0; i < lines.length; i += BATCH) {
    requests.push({
      invocationId: `bench-${i}`,
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/bench',
      region: 'us-east-1',
      records: lines.slice(i, i + BATCH).map((line, j) => ({
        recordId: String(i + j),
        approximateArrivalTimestamp: now,
        data: Buffer.from(line).toString('base64'),
      })),
    });
  }
  const started = process.hrtime.bigint();
  for (const request of requests) await handler(request, {} as never, () => undefined);
  const handlerSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  return [
    { name: 'baseline: JSON.parse + stringify', value: events / baseline, unit: 'events/s' },
    {
      name: 'transformEvent',
      value: events / transform,
      unit: 'events/s',
      ratio: transform / baseline,
      baseline: 'baseline time',
    },
    {
      name: `Lambda handler (${BATCH}-record requests, base64 in/out)`,
      value: events / handlerSeconds,
      unit: 'records/s',
      ratio: handlerSeconds / baseline,
      baseline: 'baseline time',
    },
  ];
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--events');
  const events = arg > 0 ? Number(process.argv[arg + 1]) : 200_000;
  printResults(`transform (${events.toLocaleString('en')} generated events)`, await benchTransform(events));
}

void main();
