/**
 * The typed view of `prices.json`, the one data file of the cost model: prices with their
 * sources, the lake's measured sizes and speeds, the stack's settings and the saved queries' scan
 * fractions. The compiler checks the file against these types, so a mistyped key fails the build.
 */
import raw from './prices.json';

/** One step of a tiered price: `usd` per unit up to `upTo` units in the month (null: no end). */
export interface PriceTier {
  upTo: number | null;
  usd: number;
}

/** Where a price came from and what was read to check it. */
interface Sourced {
  per: string;
  source: string;
  checkedVia: string[];
  read: string;
  status: string;
}

export interface FlatPrice extends Sourced {
  usd: number;
}

export interface TieredPrice extends Sourced {
  tiers: PriceTier[];
}

/** A value the model uses, with how it was measured or why it was chosen. */
interface Measured {
  value: number;
  how: string;
  date: string;
}
interface Setting {
  value: number;
  from: string;
}
interface Assumption {
  value: number;
  why: string;
}

export interface FamilyShare {
  /** Share of the events. */
  events: number;
  /** Share of the Parquet bytes. */
  parquet: number;
}

/** One saved query's scan, as a run with its default parameters reads it. */
export interface QueryScan {
  name: string;
  /** Days of data one run reads, or 'lake' for the whole retention (JSON widens it to string). */
  days: number | string;
  /** The families it filters to, or 'all'. */
  families: string[] | string;
  /** Bytes read / bytes stored (all families) for the days it reads. */
  scanFraction: number;
  /** 'provisional' (estimated) or 'measured'. */
  status: string;
}

export interface CostData {
  about: string;
  region: string;
  currency: string;
  read: string;
  units: string;
  prices: {
    firehoseIngestion: TieredPrice & { roundUpKb: number };
    firehoseFormatConversion: FlatPrice;
    firehosePartitioningGb: FlatPrice;
    firehosePartitioningObjects: FlatPrice;
    lambdaArmGbSecond: TieredPrice;
    lambdaRequests: FlatPrice;
    s3StandardGbMonth: TieredPrice;
    s3ItInfrequentGbMonth: FlatPrice;
    s3ItArchiveInstantGbMonth: FlatPrice;
    s3ItMonitoring: FlatPrice;
    s3GlacierIrGbMonth: FlatPrice;
    s3GlacierIrRetrievalGb: FlatPrice;
    s3GlacierIrGet: FlatPrice;
    s3StandardIaGbMonth: FlatPrice;
    s3GlacierFlexibleGbMonth: FlatPrice;
    s3DeepArchiveGbMonth: FlatPrice;
    s3Put: FlatPrice;
    s3Get: FlatPrice;
    s3TransitionToIt: FlatPrice;
    s3TransitionToGlacierIr: FlatPrice;
    athenaScan: FlatPrice & { minimumMb: number };
    kmsKeyMonth: FlatPrice;
    kmsRequests: FlatPrice;
    glueRequests: FlatPrice & { freePerMonth: number };
    batchOperationsJob: FlatPrice;
    batchOperationsObjects: FlatPrice;
    ec2M7gLargeHour: FlatPrice;
  };
  measured: {
    eventJsonBytes: Measured;
    parquetBytesPerEvent: Measured;
    transformedJsonRatio: Measured;
    lambdaSecondsPerRecord: Measured;
    localIngestRecordsPerSecond: Measured;
    backfillCpuSecondsPerRecord: Measured;
    families: { how: string; date: string; shares: Record<string, FamilyShare> };
  };
  deployment: {
    about: string;
    bufferingIntervalSeconds: Setting;
    bufferingSizeMiB: Setting;
    processorBufferMiB: Setting;
    processorIntervalSeconds: Setting;
    transformMemoryMb: Setting;
    transitionAfterDays: Setting;
    smallObjectKb: Setting;
  };
  assumptions: {
    mbPerVcpu: Assumption;
    archiveObjectMiB: Assumption;
    backfillLambdaMemoryMb: Assumption;
    backfillLambdaOverheadSeconds: Assumption;
    backfillLambdaConcurrency: Assumption;
    localCommitMiB: Assumption;
    partPutMiB: Assumption;
    getsPerObjectRead: Assumption;
    kmsRequestsPerS3Request: Assumption;
    glueRequestsPerQuery: Assumption;
    athenaResultPutsPerQuery: Assumption;
  };
  queries: { about: string; method: string; list: QueryScan[] };
}

/** The data file, checked against {@link CostData} at compile time. */
export const COST_DATA: CostData = raw;

/** Where the data file lives, for messages. */
export const COST_DATA_PATH = 'cli/src/cost/prices.json';

/**
 * The cost of `quantity` units under a tiered price: each tier's rate applies to the units that
 * fall within it, as AWS bills storage, Firehose ingestion and Lambda duration.
 *
 * @example
 * tieredCost(600, [{ upTo: 500, usd: 0.03 }, { upTo: null, usd: 0.02 }]) // 500 × 0.03 + 100 × 0.02 = 17
 */
export function tieredCost(quantity: number, tiers: readonly PriceTier[]): number {
  let cost = 0;
  let floor = 0;
  for (const { upTo, usd } of tiers) {
    const ceiling = upTo ?? Infinity;
    if (quantity <= floor) break;
    cost += (Math.min(quantity, ceiling) - floor) * usd;
    floor = ceiling;
  }
  return cost;
}

/** "$0.029" for a flat price, "$0.029 then $0.025" when `quantity` reaches a second tier. */
export function rateText(quantity: number, tiers: readonly PriceTier[]): string {
  const used = tiers.filter((_, i) => i === 0 || quantity > (tiers[i - 1].upTo ?? Infinity));
  return used.map((t) => `$${t.usd}`).join(' then ');
}
