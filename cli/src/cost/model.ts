/**
 * The monthly cost model of the lake on AWS: pure functions from the inputs and the data file
 * to line items. Each item says how it was computed, so the output can be checked by hand.
 * Free tiers are left out: they are per account, not per lake.
 */
import { COST_DATA, rateText, tieredCost, type CostData } from './prices';
import { queryRuns, type QueryRun } from './scans';
import { storageItems, storageState, type StorageState } from './storage';
import {
  DAYS_PER_MONTH,
  GB,
  KB,
  MB,
  TB,
  familyVolumes,
  gbText,
  nonEmptyWindows,
  qty,
  retentionDays,
  type CostInput,
  type FamilyVolume,
  type LineItem,
} from './volumes';

/** The estimate for one month at full retention. */
export interface MonthlyEstimate {
  input: CostInput;
  items: LineItem[];
  totalUsd: number;
  queries: QueryRun[];
  lake: {
    retentionDays: number;
    gbPerDay: number;
    gbAtRetention: number;
    objectsPerDay: number;
    families: FamilyVolume[];
  };
  storage: StorageState;
}

/** Firehose bills each record in whole 5 KB steps. */
export function billedRecordBytes(avgEventBytes: number, roundUpKb: number): number {
  const step = roundUpKb * KB;
  return Math.ceil(avgEventBytes / step) * step;
}

/** Ingestion, Parquet conversion and dynamic partitioning. */
export function firehoseItems(
  input: CostInput,
  data: CostData,
  volumes: readonly FamilyVolume[],
): LineItem[] {
  const p = data.prices;
  const records = input.eventsPerDay * DAYS_PER_MONTH;
  const billed = billedRecordBytes(input.avgEventBytes, p.firehoseIngestion.roundUpKb);
  const ingestedGb = (records * billed) / GB;
  const realGb = (records * input.avgEventBytes) / GB;
  const objects = volumes.reduce((sum, v) => sum + v.objectsPerDay, 0) * DAYS_PER_MONTH;
  const tiers = p.firehoseIngestion.tiers;
  return [
    {
      id: 'firehose-ingestion',
      item: 'Firehose ingestion',
      usd: tieredCost(ingestedGb, tiers),
      how: `${qty(records)} records × ${billed / KB} KB (${input.avgEventBytes} B rounded up to 5 KB) = ${gbText(ingestedGb, false)} GB × ${rateText(ingestedGb, tiers)}/GB`,
    },
    {
      id: 'firehose-conversion',
      item: 'Firehose format conversion',
      usd: ingestedGb * p.firehoseFormatConversion.usd,
      how: `${gbText(ingestedGb, false)} GB (5 KB steps) × $${p.firehoseFormatConversion.usd}/GB`,
    },
    {
      id: 'firehose-partitioning',
      item: 'Firehose dynamic partitioning',
      usd: realGb * p.firehosePartitioningGb.usd + (objects / 1000) * p.firehosePartitioningObjects.usd,
      how: `${gbText(realGb, false)} GB × $${p.firehosePartitioningGb.usd}/GB + ${qty(objects)} objects × $${p.firehosePartitioningObjects.usd}/1,000`,
    },
  ];
}

/** Seconds of Lambda time per record: the measured single-core time over the memory's vCPU share. */
export function lambdaSecondsPerRecord(memoryMb: number, data: CostData): number {
  const share = Math.min(1, memoryMb / data.assumptions.mbPerVcpu.value);
  return data.measured.lambdaSecondsPerRecord.value / share;
}

/** Invocations a day: one per 1 MiB of records, or one per 60-second window that saw a record. */
export function lambdaInvocationsPerDay(input: CostInput, data: CostData): number {
  const d = data.deployment;
  const bySize = (input.eventsPerDay * input.avgEventBytes) / (d.processorBufferMiB.value * MB);
  return Math.max(bySize, nonEmptyWindows(input.eventsPerDay, 86_400 / d.processorIntervalSeconds.value));
}

/** The transform Lambda: requests and GB-seconds. */
export function lambdaItem(input: CostInput, data: CostData): LineItem {
  const p = data.prices;
  const memoryMb = data.deployment.transformMemoryMb.value;
  const invocations = lambdaInvocationsPerDay(input, data) * DAYS_PER_MONTH;
  const perRecord = lambdaSecondsPerRecord(memoryMb, data);
  const gbSeconds = input.eventsPerDay * DAYS_PER_MONTH * perRecord * (memoryMb / 1024);
  const tiers = p.lambdaArmGbSecond.tiers;
  return {
    id: 'lambda',
    item: `Lambda transform (arm64, ${memoryMb} MB)`,
    usd: (invocations / 1e6) * p.lambdaRequests.usd + tieredCost(gbSeconds, tiers),
    how: `${qty(invocations)} invocations × $${p.lambdaRequests.usd}/M + ${qty(gbSeconds)} GB-s (${(perRecord * 1000).toFixed(3)} ms a record) × ${rateText(gbSeconds, tiers)}`,
  };
}

/** PUTs (Firehose objects, Athena results), GETs and LISTs (Athena), Glacier IR retrievals. */
export function requestItems(
  input: CostInput,
  data: CostData,
  volumes: readonly FamilyVolume[],
  runs: readonly QueryRun[],
): LineItem[] {
  const p = data.prices;
  const a = data.assumptions;
  const delivered = volumes.reduce((sum, v) => sum + v.objectsPerDay, 0) * DAYS_PER_MONTH;
  const queryRunsPerMonth = runs.reduce((sum, r) => sum + r.runsPerMonth, 0);
  const puts = delivered + queryRunsPerMonth * a.athenaResultPutsPerQuery.value;
  const objectsRead = runs.reduce((sum, r) => sum + r.runsPerMonth * r.objectsPerRun, 0);
  const cold = input.storageClass === 'glacier-ir';
  const coldObjects = cold ? runs.reduce((sum, r) => sum + r.runsPerMonth * r.oldObjectsPerRun, 0) : 0;
  const gets = (objectsRead - coldObjects) * a.getsPerObjectRead.value;
  const coldGets = coldObjects * a.getsPerObjectRead.value;
  const lists = runs.reduce((sum, r) => sum + r.runsPerMonth * r.listsPerRun, 0);
  const items: LineItem[] = [
    {
      id: 's3-put',
      item: 'S3 PUT requests',
      usd: (puts / 1000) * p.s3Put.usd,
      how: `${qty(delivered)} Parquet objects from Firehose + ${qty(puts - delivered)} Athena result objects × $${p.s3Put.usd}/1,000`,
    },
    {
      id: 's3-get-list',
      item: 'S3 GET and LIST requests (Athena)',
      usd:
        (gets / 1000) * p.s3Get.usd + (coldGets / 1000) * p.s3GlacierIrGet.usd + (lists / 1000) * p.s3Put.usd,
      how:
        `${qty(objectsRead)} objects opened × ${a.getsPerObjectRead.value} GETs` +
        (cold
          ? ` ($${p.s3Get.usd}/1,000; ${qty(coldGets)} on Glacier IR at $${p.s3GlacierIrGet.usd})`
          : ` × $${p.s3Get.usd}/1,000`) +
        ` + ${qty(lists)} LISTs × $${p.s3Put.usd}/1,000`,
    },
  ];
  if (cold) {
    const coldGb = runs.reduce((sum, r) => sum + r.runsPerMonth * r.bytesPerRun * r.oldShare, 0) / GB;
    items.push({
      id: 's3-retrieval',
      item: 'S3 Glacier IR retrievals (Athena)',
      usd: coldGb * p.s3GlacierIrRetrievalGb.usd,
      how: `${gbText(coldGb, false)} GB a month read from data older than ${data.deployment.transitionAfterDays.value} days × $${p.s3GlacierIrRetrievalGb.usd}/GB`,
    });
  }
  return items;
}

/** Athena scans of the saved queries, with their 10 MB minimum. */
export function athenaItem(data: CostData, runs: readonly QueryRun[]): LineItem {
  const range = runs.filter((r) => !r.wholeLake);
  const lake = runs.filter((r) => r.wholeLake);
  const runsOf = (rs: QueryRun[]) => rs.reduce((sum, r) => sum + r.runsPerMonth, 0);
  const tb = runs.reduce((sum, r) => sum + r.runsPerMonth * r.billedBytesPerRun, 0) / TB;
  const provisional = runs.some((r) => r.status !== 'measured') ? ' (provisional scan fractions)' : '';
  return {
    id: 'athena',
    item: 'Athena (saved queries)',
    usd: runs.reduce((sum, r) => sum + r.usdPerMonth, 0),
    how: `${qty(runsOf(range))} runs of ${range.length} date-range queries + ${qty(runsOf(lake))} of ${lake.length} whole-lake ones = ${tb.toLocaleString('en-US', { maximumFractionDigits: tb < 10 ? 3 : 1 })} TB × $${data.prices.athenaScan.usd}/TB${provisional}`,
  };
}

/** The lake key, and the KMS requests S3 makes despite Bucket Keys. */
export function kmsItem(data: CostData, s3Requests: number): LineItem {
  const p = data.prices;
  const requests = s3Requests * data.assumptions.kmsRequestsPerS3Request.value;
  return {
    id: 'kms',
    item: 'KMS',
    usd: p.kmsKeyMonth.usd + (requests / 10_000) * p.kmsRequests.usd,
    how: `1 key × $${p.kmsKeyMonth.usd} + ${qty(requests)} requests (1% of S3's, Bucket Keys) × $${p.kmsRequests.usd}/10,000`,
  };
}

/** Glue Data Catalog requests from Athena; the first million a month are free. */
export function glueItem(data: CostData, queryRunsPerMonth: number): LineItem {
  const p = data.prices.glueRequests;
  const requests = queryRunsPerMonth * data.assumptions.glueRequestsPerQuery.value;
  return {
    id: 'glue',
    item: 'Glue Data Catalog',
    usd: (Math.max(0, requests - p.freePerMonth) / 1e6) * p.usd,
    how: `${qty(requests)} requests (${data.assumptions.glueRequestsPerQuery.value} a query); the first ${qty(p.freePerMonth)} are free, then $${p.usd}/M`,
  };
}

/**
 * The monthly estimate in the month the lake reaches its full retention.
 *
 * @example
 * estimateMonthly({ eventsPerDay: 10_000_000, avgEventBytes: 939, parquetBytesPerEvent: 294,
 *   retentionYears: 3, queriesPerDay: 100, lakeScansPerMonth: 4, storageClass: 'intelligent-tiering' }).totalUsd
 */
export function estimateMonthly(input: CostInput, data: CostData = COST_DATA): MonthlyEstimate {
  const volumes = familyVolumes(input, data);
  const runs = queryRuns(input, data, volumes);
  const storage = storageState(input, data, volumes, runs);
  const requests = requestItems(input, data, volumes, runs);
  const s3Requests =
    volumes.reduce((sum, v) => sum + v.objectsPerDay, 0) * DAYS_PER_MONTH +
    runs.reduce((sum, r) => sum + r.runsPerMonth * r.objectsPerRun, 0) *
      data.assumptions.getsPerObjectRead.value;
  const items = [
    ...firehoseItems(input, data, volumes),
    lambdaItem(input, data),
    ...storageItems(input, data, storage),
    ...requests,
    athenaItem(data, runs),
    kmsItem(data, s3Requests),
    glueItem(
      data,
      runs.reduce((sum, r) => sum + r.runsPerMonth, 0),
    ),
  ];
  const gbPerDay = volumes.reduce((sum, v) => sum + v.parquetBytesPerDay, 0) / GB;
  return {
    input,
    items,
    totalUsd: items.reduce((sum, i) => sum + i.usd, 0),
    queries: runs,
    lake: {
      retentionDays: retentionDays(input),
      gbPerDay,
      gbAtRetention: gbPerDay * retentionDays(input),
      objectsPerDay: volumes.reduce((sum, v) => sum + v.objectsPerDay, 0),
      families: volumes,
    },
    storage,
  };
}
