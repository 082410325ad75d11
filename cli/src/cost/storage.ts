/**
 * S3 storage at full retention, per lifecycle tier: S3 Standard until the transition (and for
 * objects under 128 KB, which never move), then Intelligent-Tiering's access tiers or Glacier
 * Instant Retrieval, as `infra/src/private/storage.ts` sets the lifecycle rule.
 */
import { rateText, tieredCost, type CostData } from './prices';
import { lastReadAge, type QueryRun } from './scans';
import {
  DAYS_PER_MONTH,
  GB,
  gbText,
  qty,
  retentionDays,
  type CostInput,
  type FamilyVolume,
  type LineItem,
} from './volumes';

/** Intelligent-Tiering moves an object down after this many days without access… */
const IT_INFREQUENT_AFTER_DAYS = 30;
/** …and further down after this many. */
const IT_ARCHIVE_INSTANT_AFTER_DAYS = 90;

export type StorageTier = 'standard' | 'it-frequent' | 'it-infrequent' | 'it-archive-instant' | 'glacier-ir';

/** GB stored per tier, plus the object counts that drive the per-object charges. */
export interface StorageState {
  gb: Record<StorageTier, number>;
  /** Objects in Intelligent-Tiering (monitored: 128 KB or more). */
  monitoredObjects: number;
  /** Objects the lifecycle rule moves out of S3 Standard each month. */
  transitionsPerMonth: number;
}

/**
 * Splits a family's days of data into tier bands. With Intelligent-Tiering an object starts in
 * Frequent Access at the transition; the 30- and 90-day clocks run from its last read.
 */
export function tierDays(
  retention: number,
  transition: number,
  lastRead: number,
  storageClass: CostInput['storageClass'],
): Record<StorageTier, number> {
  const t = Math.min(transition, retention);
  const days: Record<StorageTier, number> = {
    standard: t,
    'it-frequent': 0,
    'it-infrequent': 0,
    'it-archive-instant': 0,
    'glacier-ir': 0,
  };
  if (storageClass === 'glacier-ir') {
    days['glacier-ir'] = retention - t;
    return days;
  }
  const quiet = Math.max(t, lastRead);
  const toInfrequent = Math.min(retention, quiet + IT_INFREQUENT_AFTER_DAYS);
  const toArchive = Math.min(retention, quiet + IT_ARCHIVE_INSTANT_AFTER_DAYS);
  days['it-frequent'] = toInfrequent - t;
  days['it-infrequent'] = toArchive - toInfrequent;
  days['it-archive-instant'] = retention - toArchive;
  return days;
}

/** What the lake holds in each tier in the month it reaches its full retention. */
export function storageState(
  input: CostInput,
  data: CostData,
  volumes: readonly FamilyVolume[],
  runs: readonly QueryRun[],
): StorageState {
  const retention = retentionDays(input);
  const transition = data.deployment.transitionAfterDays.value;
  const state: StorageState = {
    gb: { standard: 0, 'it-frequent': 0, 'it-infrequent': 0, 'it-archive-instant': 0, 'glacier-ir': 0 },
    monitoredObjects: 0,
    transitionsPerMonth: 0,
  };
  for (const v of volumes) {
    const gbPerDay = v.parquetBytesPerDay / GB;
    if (v.small) {
      state.gb.standard += gbPerDay * retention;
      continue;
    }
    const lastRead = lastReadAge(v.family, runs, retention);
    const days = tierDays(retention, transition, lastRead, input.storageClass);
    for (const tier of Object.keys(days) as StorageTier[]) state.gb[tier] += gbPerDay * days[tier];
    const movedDays = retention - days.standard;
    if (input.storageClass === 'intelligent-tiering') state.monitoredObjects += v.objectsPerDay * movedDays;
    if (movedDays > 0) state.transitionsPerMonth += v.objectsPerDay * DAYS_PER_MONTH;
  }
  return state;
}

const TIER_NAMES: Record<StorageTier, string> = {
  standard: 'S3 Standard',
  'it-frequent': 'S3 Intelligent-Tiering, Frequent Access',
  'it-infrequent': 'S3 Intelligent-Tiering, Infrequent Access',
  'it-archive-instant': 'S3 Intelligent-Tiering, Archive Instant Access',
  'glacier-ir': 'S3 Glacier Instant Retrieval',
};

const TIER_WHY: Record<StorageTier, string> = {
  standard: 'the first {t} days, and objects under 128 KB for good',
  'it-frequent': 'from day {t} until 30 days after the last query read',
  'it-infrequent': '30 to 90 days after the last read',
  'it-archive-instant': 'over 90 days after the last read',
  'glacier-ir': 'from day {t}',
};

/** One line per tier that holds data, then monitoring and transitions. */
export function storageItems(input: CostInput, data: CostData, state: StorageState): LineItem[] {
  const p = data.prices;
  const transition = data.deployment.transitionAfterDays.value;
  const retention = retentionDays(input);
  const items: LineItem[] = [];
  for (const tier of Object.keys(state.gb) as StorageTier[]) {
    const gb = state.gb[tier];
    if (gb <= 0) continue;
    const tiers =
      tier === 'standard' || tier === 'it-frequent'
        ? p.s3StandardGbMonth.tiers
        : [
            {
              upTo: null,
              usd: {
                'it-infrequent': p.s3ItInfrequentGbMonth.usd,
                'it-archive-instant': p.s3ItArchiveInstantGbMonth.usd,
                'glacier-ir': p.s3GlacierIrGbMonth.usd,
              }[tier],
            },
          ];
    items.push({
      id: `s3-storage-${tier}`,
      item: `Storage: ${TIER_NAMES[tier]}`,
      usd: tieredCost(gb, tiers),
      how: `${gbText(gb, false)} GB (${TIER_WHY[tier].replace('{t}', String(transition))}, lake of ${retention.toLocaleString('en-US')} days) × ${rateText(gb, tiers)}/GB-month`,
    });
  }
  if (state.monitoredObjects > 0) {
    items.push({
      id: 's3-it-monitoring',
      item: 'S3 Intelligent-Tiering monitoring',
      usd: (state.monitoredObjects / 1000) * p.s3ItMonitoring.usd,
      how: `${qty(state.monitoredObjects)} objects of 128 KB or more × $${p.s3ItMonitoring.usd}/1,000`,
    });
  }
  if (state.transitionsPerMonth > 0) {
    const price = input.storageClass === 'glacier-ir' ? p.s3TransitionToGlacierIr : p.s3TransitionToIt;
    items.push({
      id: 's3-transitions',
      item: 'S3 lifecycle transitions',
      usd: (state.transitionsPerMonth / 1000) * price.usd,
      how: `${qty(state.transitionsPerMonth)} objects a month moved after ${transition} days × $${price.usd}/1,000`,
    });
  }
  return items;
}
