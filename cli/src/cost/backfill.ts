/**
 * The one-off backfill of an archive of raw events in S3 (a Pinpoint event-stream archive, for
 * example), by either path: (a) `ingest` on one EC2 instance reading the archive, or (b) S3 Batch
 * Operations invoking a backfill Lambda once per archive object. docs/backfill-cost.md explains
 * the model; this is its arithmetic. The Parquet written is then stored like any other data.
 */
import { COST_DATA, tieredCost, type CostData } from './prices';
import { MB, qty, type LineItem } from './volumes';

export type BackfillPath = 'local' | 'aws';

export interface BackfillInput {
  /** Events in the archive. */
  events: number;
  /** Objects in the archive; by default, from its size cut into 5 MiB objects. */
  objects?: number;
  avgEventBytes: number;
  parquetBytesPerEvent: number;
  path: BackfillPath;
}

export interface BackfillEstimate {
  path: BackfillPath;
  events: number;
  objects: number;
  items: LineItem[];
  totalUsd: number;
  /** Wall-clock hours, job start-up and manifest preparation left out. */
  hours: number;
  timeHow: string;
}

/** Objects in an archive of `events` events, cut as Firehose cuts a raw S3 delivery (5 MiB). */
export function archiveObjects(events: number, avgEventBytes: number, data: CostData = COST_DATA): number {
  return Math.max(1, Math.ceil((events * avgEventBytes) / (data.assumptions.archiveObjectMiB.value * MB)));
}

/** Families expected among `n` events drawn at the measured shares: Parquet files per archive object. */
export function expectedFamilies(n: number, data: CostData = COST_DATA): number {
  return Object.values(data.measured.families.shares).reduce(
    (sum, share) => sum + (1 - Math.pow(1 - share.events, n)),
    0,
  );
}

/**
 * Reading the archive: `getsPerObject` GET-priced requests per object (the backfill Lambda also
 * HEADs it for its ETag), and the LISTs that find the objects, 1,000 keys a page.
 */
function archiveReadItem(objects: number, getsPerObject: number, data: CostData): LineItem {
  const p = data.prices;
  const gets = objects * getsPerObject;
  const lists = Math.ceil(objects / 1000);
  return {
    id: 'backfill-s3-read',
    item: 'S3 GET and LIST (archive)',
    usd: (gets / 1000) * p.s3Get.usd + (lists / 1000) * p.s3Put.usd,
    how: `${qty(gets)} ${getsPerObject > 1 ? 'HEADs and GETs' : 'GETs'} × $${p.s3Get.usd}/1,000 + ${qty(lists)} LISTs × $${p.s3Put.usd}/1,000`,
  };
}

/** Path (a): one m7g.large (2 vCPU, the measured machine's size) runs `ingest` at the measured rate. */
export function localBackfill(input: BackfillInput, data: CostData = COST_DATA): BackfillEstimate {
  const p = data.prices;
  const objects = input.objects ?? archiveObjects(input.events, input.avgEventBytes, data);
  const rate = data.measured.localIngestRecordsPerSecond.value;
  const hours = input.events / rate / 3600;
  const a = data.assumptions;
  const parquetBytes = input.events * input.parquetBytesPerEvent;
  const parts = Math.ceil(parquetBytes / (a.partPutMiB.value * MB));
  // Each commit (256 MiB of input) writes one file per partition it holds, and a checkpoint.
  const commits = Math.ceil((input.events * input.avgEventBytes) / (a.localCommitMiB.value * MB));
  const files = commits * expectedFamilies(input.events / commits, data);
  const puts = parts + files + commits;
  const items: LineItem[] = [
    {
      id: 'backfill-ec2',
      item: 'EC2 m7g.large running ingest',
      usd: hours * p.ec2M7gLargeHour.usd,
      how: `${qty(input.events)} events / ${qty(rate)} records/s = ${hours.toFixed(2)} h × $${p.ec2M7gLargeHour.usd}/h`,
    },
    archiveReadItem(objects, 1, data),
    {
      id: 'backfill-s3-put',
      item: 'S3 PUT (Parquet)',
      usd: (puts / 1000) * p.s3Put.usd,
      how: `${qty(parts)} upload parts of ${a.partPutMiB.value} MiB + ${qty(files)} files + ${qty(commits)} checkpoints × $${p.s3Put.usd}/1,000`,
    },
  ];
  return {
    path: 'local',
    events: input.events,
    objects,
    items,
    totalUsd: items.reduce((sum, i) => sum + i.usd, 0),
    hours,
    timeHow: `one machine at ${qty(rate)} records/s`,
  };
}

/** Path (b): one S3 Batch Operations job invokes the backfill Lambda once per archive object. */
export function awsBackfill(input: BackfillInput, data: CostData = COST_DATA): BackfillEstimate {
  const p = data.prices;
  const a = data.assumptions;
  const objects = input.objects ?? archiveObjects(input.events, input.avgEventBytes, data);
  const perObject = input.events / objects;
  const memoryMb = a.backfillLambdaMemoryMb.value;
  const share = Math.min(1, memoryMb / a.mbPerVcpu.value);
  const secondsPerObject =
    (perObject * data.measured.backfillCpuSecondsPerRecord.value) / share +
    a.backfillLambdaOverheadSeconds.value;
  const gbSeconds = objects * secondsPerObject * (memoryMb / 1024);
  const files = objects * expectedFamilies(perObject, data);
  const concurrency = a.backfillLambdaConcurrency.value;
  const hours = (objects * secondsPerObject) / concurrency / 3600;
  const items: LineItem[] = [
    {
      id: 'backfill-batch-operations',
      item: 'S3 Batch Operations',
      usd: p.batchOperationsJob.usd + (objects / 1e6) * p.batchOperationsObjects.usd,
      how: `1 job × $${p.batchOperationsJob.usd} + ${qty(objects)} objects × $${p.batchOperationsObjects.usd}/M`,
    },
    {
      id: 'backfill-lambda',
      item: `Lambda backfill (arm64, ${memoryMb} MB)`,
      usd: (objects / 1e6) * p.lambdaRequests.usd + tieredCost(gbSeconds, p.lambdaArmGbSecond.tiers),
      how: `${qty(objects)} invocations × $${p.lambdaRequests.usd}/M + ${qty(gbSeconds)} GB-s (${secondsPerObject.toFixed(2)} s an object of ${qty(perObject)} events) × $${p.lambdaArmGbSecond.tiers[0].usd}`,
    },
    archiveReadItem(objects, 2, data),
    {
      id: 'backfill-s3-put',
      item: 'S3 PUT (Parquet)',
      usd: ((files + objects) / 1000) * p.s3Put.usd,
      how: `${qty(files)} files (${(files / objects).toFixed(1)} partitions an archive object) + ${qty(objects)} done markers × $${p.s3Put.usd}/1,000; compact the files afterwards`,
    },
  ];
  return {
    path: 'aws',
    events: input.events,
    objects,
    items,
    totalUsd: items.reduce((sum, i) => sum + i.usd, 0),
    hours,
    timeHow: `${concurrency} concurrent invocations of ${secondsPerObject.toFixed(2)} s`,
  };
}

/** The backfill by the chosen path. */
export function estimateBackfill(input: BackfillInput, data: CostData = COST_DATA): BackfillEstimate {
  return input.path === 'aws' ? awsBackfill(input, data) : localBackfill(input, data);
}
