/**
 * Transform throughput, as ratios against baselines measured in the same run on the same input:
 * - transformEvent against JSON.parse + JSON.stringify of each event (the least any transform does);
 * - the Lambda handler on 1 MB and 3 MB batches of mixed generated events (Firehose's processor
 *   buffer sizes) against the JSON floor of the same records: base64 decode + JSON.parse +
 *   JSON.stringify + base64 encode, with the estimated Lambda cost per million events;
 * - the handler under the functions' NODE_OPTIONS (TRANSFORM_NODE_OPTIONS) against V8's defaults.
 * Run under those options (bench/run.ts does), the handler figures are the deployed functions'.
 * Run: npx tsx bench/transform.ts [--events N]
 */
import { spawnSync } from 'node:child_process';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { COST_DATA } from '../cli/src/cost/prices';
import { TRANSFORM_NODE_OPTIONS } from '../infra/src/lambda-node-options';
import { generateEvents } from '../local/src/generate';
import { transformEvent } from '../transform/src/transform-event';
import { printResults, reportRows, targetRow, timeIt, type BenchResult, type TableRow } from './util';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/**
 * The transform function's memory (infra/src/private/delivery.ts) and Lambda's arm64 prices (the
 * functions run on arm64) from the cost model's data file: first tier, us-east-1.
 */
const LAMBDA_MEMORY_MB = COST_DATA.deployment.transformMemoryMb.value;
const PRICE_PER_GB_SECOND = COST_DATA.prices.lambdaArmGbSecond.tiers[0]!.usd;
const PRICE_PER_REQUEST = COST_DATA.prices.lambdaRequests.usd / 1e6;
/** Lambda gives a full vCPU at 1,769 MB; at 1,024 MB a function gets that share of one. */
const VCPU_SHARE = LAMBDA_MEMORY_MB / 1769;

/** Firehose requests of mixed events, each holding up to `batchBytes` of record data. */
function requests(lines: readonly string[], batchBytes: number): FirehoseTransformationEvent[] {
  const out: FirehoseTransformationEvent[] = [];
  let records: FirehoseTransformationEvent['records'] = [];
  let bytes = 0;
  const close = () => {
    out.push({
      invocationId: `bench-${out.length}`,
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/bench',
      region: 'us-east-1',
      records,
    });
    records = [];
    bytes = 0;
  };
  for (const [i, line] of lines.entries()) {
    const size = Buffer.byteLength(line);
    if (bytes + size > batchBytes && records.length > 0) close();
    records.push({
      recordId: String(i),
      approximateArrivalTimestamp: Date.now(),
      data: Buffer.from(line).toString('base64'),
    });
    bytes += size;
  }
  if (records.length > 0) close();
  return out;
}

/** The least a handler does with a record: decode it, parse it, write JSON back, encode it. */
function jsonFloor(batches: readonly FirehoseTransformationEvent[]): number {
  return timeIt(() => {
    for (const batch of batches) {
      const out = batch.records.map((r) => ({
        recordId: r.recordId,
        result: 'Ok',
        data: Buffer.from(
          JSON.stringify(JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'))),
        ).toString('base64'),
      }));
      if (out.length !== batch.records.length) throw new Error('lost a record');
    }
  });
}

/** Seconds the handler takes over the batches, and how many records it returned Ok. */
async function handlerRun(
  batches: readonly FirehoseTransformationEvent[],
): Promise<{ seconds: number; ok: number }> {
  const { handler } = await import('../transform/handler');
  let ok = 0;
  const started = process.hrtime.bigint();
  for (const request of batches) {
    const response = (await handler(request, {} as never, () => undefined)) as FirehoseTransformationResult;
    for (const record of response.records) if (record.result === 'Ok') ok += 1;
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, ok };
}

async function handlerSeconds(batches: readonly FirehoseTransformationEvent[]): Promise<number> {
  return (await handlerRun(batches)).seconds;
}

/**
 * Seconds the handler takes over 1 MB requests of the events, in a child process started with
 * `nodeOptions` (best of two runs after a warm-up): the same-run A/B of the functions' NODE_OPTIONS.
 */
function handlerSecondsWith(nodeOptions: string[], events: number): number {
  const result = spawnSync(
    process.execPath,
    [...nodeOptions, '--import', 'tsx', __filename, '--handler-seconds', '--events', String(events)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`the handler child failed with ${result.status}`);
  return Number(result.stdout.trim().split('\n').pop());
}

/** The child of `handlerSecondsWith`: prints the seconds. */
async function handlerSecondsChild(lines: string[]): Promise<void> {
  const batches = requests(lines, 1024 * 1024);
  await handlerSeconds(requests(lines.slice(0, 5000), 1024 * 1024));
  console.log(Math.min(await handlerSeconds(batches), await handlerSeconds(batches)));
}

/**
 * Rows for the handler under the functions' NODE_OPTIONS against V8's defaults, alternated twice
 * (once for a small run: `--quick` must stay under a minute).
 */
function nodeOptionsRows(events: number): TableRow[] {
  const deployed = TRANSFORM_NODE_OPTIONS.split(' ');
  const runs = { deployed: [] as number[], defaults: [] as number[] };
  const rounds = events >= 100_000 ? 2 : 1;
  for (let round = 0; round < rounds; round++) {
    runs.defaults.push(handlerSecondsWith([], events));
    runs.deployed.push(handlerSecondsWith(deployed, events));
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const perRecord = (seconds: number) => `${((seconds / events) * 1e6).toFixed(1)} µs/record`;
  return [
    {
      figure: `  handler 1 MB, NODE_OPTIONS=${TRANSFORM_NODE_OPTIONS} (as deployed) vs V8 defaults`,
      value: perRecord(mean(runs.deployed)),
      baseline: `defaults ${perRecord(mean(runs.defaults))}`,
      ratio: mean(runs.deployed) / mean(runs.defaults),
      target: '',
      met: null,
    },
  ];
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--events');
  const events = arg > 0 ? Number(process.argv[arg + 1]) : 200_000;
  const lines = [...generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 30 })];
  if (process.argv.includes('--handler-seconds')) return handlerSecondsChild(lines);
  const now = Date.now();
  // Warm up the JIT on a slice, so neither side pays for compilation.
  for (const line of lines.slice(0, 5000)) transformEvent(line, { now });
  const warm = requests(lines.slice(0, 5000), 1024 * 1024);
  jsonFloor(warm);
  await handlerSeconds(warm);

  const baseline = timeIt(() => {
    for (const line of lines) JSON.stringify(JSON.parse(line));
  });
  const transform = timeIt(() => {
    for (const line of lines) transformEvent(line, { now });
  });
  const results: BenchResult[] = [
    { name: 'baseline: JSON.parse + stringify', value: events / baseline, unit: 'events/s' },
    {
      name: 'transformEvent',
      value: events / transform,
      unit: 'events/s',
      ratio: transform / baseline,
      baseline: 'baseline time',
    },
  ];
  const rows: TableRow[] = [];
  for (const mb of [1, 3]) {
    const batches = requests(lines, mb * 1024 * 1024);
    // Alternated, twice each, best of two: the machine's load drifts.
    const floor = Math.min(jsonFloor(batches), jsonFloor(batches));
    const runs = [await handlerRun(batches), await handlerRun(batches)];
    const handler = Math.min(...runs.map((run) => run.seconds));
    // Rows are ~2.5x their input as JSON: past the Lambda's 6 MB response, the handler fails the
    // rest of a batch without transforming it, which is fast but not throughput.
    const okShare = runs[0]!.ok / events;
    const lambdaSecondsPerEvent = handler / events / VCPU_SHARE;
    const cost =
      1e6 * (lambdaSecondsPerEvent * (LAMBDA_MEMORY_MB / 1024) * PRICE_PER_GB_SECOND) +
      (1e6 / (events / batches.length)) * PRICE_PER_REQUEST;
    results.push({
      name: `Lambda handler, ${mb} MB requests`,
      value: events / handler,
      unit: 'records/s',
      ratio: handler / floor,
      baseline: 'JSON floor time',
    });
    const row = targetRow(
      `Lambda handler, ${mb} MB batches (${batches.length} requests)`,
      `${Math.round(events / handler).toLocaleString('en')} ev/s`,
      `JSON floor ${Math.round(events / floor).toLocaleString('en')} ev/s`,
      floor / handler,
      { min: 0.6 },
    );
    if (okShare < 1) {
      row.figure += `, only ${(okShare * 100).toFixed(0)}% Ok (6 MB response limit): not comparable`;
      row.met = null;
    }
    rows.push(row, {
      figure: `  est. Lambda cost per 1M events (${LAMBDA_MEMORY_MB} MB, arm64)`,
      value: `$${cost.toFixed(4)}`,
      baseline: `${(lambdaSecondsPerEvent * 1e3).toFixed(3)} ms/event on Lambda`,
      ratio: null,
      target: '',
      met: null,
    });
  }
  rows.unshift(
    targetRow(
      'transformEvent',
      `${Math.round(events / transform).toLocaleString('en')} ev/s`,
      `JSON.parse+stringify ${Math.round(events / baseline).toLocaleString('en')} ev/s`,
      baseline / transform,
      {},
    ),
  );
  rows.push(...nodeOptionsRows(Math.min(events, 100_000)));
  printResults(`transform (${events.toLocaleString('en')} generated events)`, results);
  reportRows(rows);
}

void main();
