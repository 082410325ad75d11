/**
 * What the saved queries read on Athena: bytes scanned (and billed), objects opened and prefixes
 * listed per run, from each query's scan fraction in the data file.
 */
import type { CostData, QueryScan } from './prices';
import { DAYS_PER_MONTH, MB, TB, retentionDays, type CostInput, type FamilyVolume } from './volumes';

/** One saved query at its default parameters, run at the lake's full retention. */
export interface QueryRun {
  name: string;
  /** Days of data a run reads. */
  days: number;
  /** True for the queries that read the whole lake by default. */
  wholeLake: boolean;
  families: string[];
  scanFraction: number;
  /** 'provisional' (estimated) or 'measured'. */
  status: string;
  runsPerMonth: number;
  bytesPerRun: number;
  /** Rounded up to the MB, at least Athena's 10 MB minimum. */
  billedBytesPerRun: number;
  usdPerRun: number;
  usdPerMonth: number;
  /** Parquet objects a run opens. */
  objectsPerRun: number;
  /** Of those, objects past the lifecycle transition (read from the cold class). */
  oldObjectsPerRun: number;
  /** Share of the bytes read that lie past the lifecycle transition. */
  oldShare: number;
  /** LIST requests: one per partition prefix and 1,000 objects. */
  listsPerRun: number;
}

/** Resolves a query's `days` ('lake' or a number) against the retention, and checks the data file. */
export function scanDays(scan: QueryScan, retention: number): number {
  if (scan.days === 'lake') return retention;
  if (typeof scan.days !== 'number' || !(scan.days > 0)) {
    throw new Error(`query ${scan.name}: days must be a positive number or 'lake', got '${scan.days}'`);
  }
  return Math.min(scan.days, retention);
}

/** The families a query reads: its list, or every family for 'all'. */
export function scanFamilies(scan: QueryScan, all: readonly string[]): string[] {
  if (scan.families === 'all') return [...all];
  if (!Array.isArray(scan.families)) {
    throw new Error(`query ${scan.name}: families must be a list or 'all', got '${scan.families}'`);
  }
  return scan.families;
}

/** What Athena bills for one run: the bytes rounded up to the MB, and never under the minimum. */
export function billedBytes(bytes: number, minimumMb: number): number {
  return Math.max(minimumMb * MB, Math.ceil(bytes / MB) * MB);
}

/**
 * Every saved query, priced per run and per month. Date-range queries share `queriesPerDay`
 * evenly; each whole-lake query runs `lakeScansPerMonth` times.
 */
export function queryRuns(input: CostInput, data: CostData, volumes: readonly FamilyVolume[]): QueryRun[] {
  const retention = retentionDays(input);
  const transition = data.deployment.transitionAfterDays.value;
  const byFamily = new Map(volumes.map((v) => [v.family, v]));
  const bytesPerDay = volumes.reduce((sum, v) => sum + v.parquetBytesPerDay, 0);
  const scans = data.queries.list;
  const rangeQueries = scans.filter((s) => s.days !== 'lake').length;
  const price = data.prices.athenaScan;

  return scans.map((scan) => {
    const wholeLake = scan.days === 'lake';
    const days = scanDays(scan, retention);
    const families = scanFamilies(scan, [...byFamily.keys()]);
    const read = families.map((f) => byFamily.get(f)).filter((v): v is FamilyVolume => v !== undefined);
    const oldDays = Math.max(0, days - transition);
    const runsPerMonth = wholeLake
      ? input.lakeScansPerMonth
      : (input.queriesPerDay / rangeQueries) * DAYS_PER_MONTH;
    const bytesPerRun = scan.scanFraction * days * bytesPerDay;
    const billedBytesPerRun = billedBytes(bytesPerRun, price.minimumMb);
    const usdPerRun = (billedBytesPerRun / TB) * price.usd;
    return {
      name: scan.name,
      days,
      wholeLake,
      families,
      scanFraction: scan.scanFraction,
      status: scan.status,
      runsPerMonth,
      bytesPerRun,
      billedBytesPerRun,
      usdPerRun,
      usdPerMonth: usdPerRun * runsPerMonth,
      objectsPerRun: read.reduce((sum, v) => sum + v.objectsPerDay * days, 0),
      oldObjectsPerRun: read.reduce((sum, v) => sum + (v.small ? 0 : v.objectsPerDay * oldDays), 0),
      oldShare: oldDays / days,
      listsPerRun: read.reduce((sum, v) => sum + days * Math.max(1, Math.ceil(v.objectsPerDay / 1000)), 0),
    };
  });
}

/**
 * The age in days up to which queries keep reading a family's objects. Intelligent-Tiering
 * moves an object down only after 30 (then 90) days without a GET, so a whole-lake query run
 * at least monthly keeps every object it touches in the Frequent Access tier.
 */
export function lastReadAge(family: string, runs: readonly QueryRun[], retention: number): number {
  let age = 0;
  for (const run of runs) {
    if (!run.families.includes(family) || run.runsPerMonth <= 0) continue;
    if (run.wholeLake && run.runsPerMonth < 1) continue; // read less than monthly: tiers still drop
    age = Math.max(age, run.wholeLake ? retention : run.days);
  }
  return Math.min(age, retention);
}
