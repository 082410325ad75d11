import {
  estimateBackfill,
  type BackfillEstimate,
  type BackfillInput,
  type BackfillPath,
} from '../cost/backfill';
import { estimateMonthly, type MonthlyEstimate } from '../cost/model';
import { COST_DATA, COST_DATA_PATH, type CostData } from '../cost/prices';
import { GB, type CostInput, type LineItem, type StorageClass } from '../cost/volumes';
import { UserInputError } from '../../../transform/src/errors';

/** The flags of `engagement-lake cost`, as commander hands them over (strings). */
export interface CostCommandOptions {
  eventsPerDay: string;
  /** Bytes of JSON per event; default: the generator's measured average. */
  avgBytes?: string;
  /** Bytes of Parquet per event; default: the measured size, scaled with --avg-bytes. */
  parquetBytes?: string;
  retentionYears?: string;
  queriesPerDay?: string;
  lakeScansPerMonth?: string;
  storageClass?: string;
  /** Events in an archive to backfill once; 0 leaves the backfill out. */
  archiveEvents?: string;
  archiveObjects?: string;
  backfillPath?: string;
  region?: string;
  json?: boolean;
  /** Injected for tests: where the report goes (default: stdout). */
  write?: (text: string) => void;
}

/** What `cost` prints, as data: the `--json` output. */
export interface CostReport {
  prices: { region: string; read: string; file: string };
  input: CostInput;
  monthly: { items: LineItem[]; totalUsd: number };
  lake: { retentionDays: number; gbPerDay: number; gbAtRetention: number; objectsPerDay: number };
  queries: MonthlyEstimate['queries'];
  backfill: BackfillEstimate | null;
  notIncluded: string[];
}

const STORAGE_CLASSES: readonly StorageClass[] = ['intelligent-tiering', 'glacier-ir'];
const BACKFILL_PATHS: readonly BackfillPath[] = ['local', 'aws'];
const NOT_INCLUDED = [
  'CloudWatch alarms, custom metrics and logs (about $4 a month, docs/deploy.md)',
  'free tiers (they are per account)',
  'data transfer out of AWS',
  'a Kinesis Data Streams source',
  'compaction jobs',
  'earlier months, whose storage is smaller until the lake reaches its retention',
];

interface NumberRule {
  integer?: boolean;
  min: number;
  max: number;
  /** What the value is, for the message: "a whole number of events". */
  what: string;
  example: string;
}

/** Parses one numeric flag; `1_000_000` is accepted. Throws a one-line UserInputError. */
export function parseNumberFlag(flag: string, raw: string, rule: NumberRule): number {
  const text = raw.trim().replace(/_/g, '');
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    value < rule.min ||
    value > rule.max
  ) {
    throw new UserInputError(
      `${flag} must be ${rule.what} from ${rule.min.toLocaleString('en-US')} to ${rule.max.toLocaleString('en-US')}, e.g. ${flag} ${rule.example}; got '${raw}'`,
    );
  }
  return value;
}

function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UserInputError(`${flag} must be one of ${choices.join(', ')}; got '${raw}'`);
  }
  return raw as T;
}

/** Checks the flags and applies the defaults; every error is one line naming the flag. */
export function parseCostOptions(
  options: CostCommandOptions,
  data: CostData = COST_DATA,
): { input: CostInput; backfill: BackfillInput | null } {
  const region = (options.region ?? data.region).trim();
  if (region !== data.region) {
    throw new UserInputError(
      `--region ${region}: only ${data.region} prices are in ${COST_DATA_PATH}; leave out --region, or add that region's prices to the file`,
    );
  }
  const eventsPerDay = parseNumberFlag('--events-per-day', options.eventsPerDay ?? '', {
    integer: true,
    min: 1,
    max: 1e12,
    what: 'a whole number of events',
    example: '10000000',
  });
  const measuredJson = data.measured.eventJsonBytes.value;
  const avgEventBytes =
    options.avgBytes === undefined
      ? measuredJson
      : parseNumberFlag('--avg-bytes', options.avgBytes, {
          integer: true,
          min: 1,
          max: 1_024_000, // Firehose's record limit, 1,000 KiB
          what: 'a whole number of bytes',
          example: '1500',
        });
  // Parquet grows with the JSON it comes from: scale the measured size unless given.
  const parquetBytesPerEvent =
    options.parquetBytes === undefined
      ? (data.measured.parquetBytesPerEvent.value * avgEventBytes) / measuredJson
      : parseNumberFlag('--parquet-bytes', options.parquetBytes, {
          min: 1,
          max: 1_000_000,
          what: 'a number of bytes',
          example: '300',
        });
  const input: CostInput = {
    eventsPerDay,
    avgEventBytes,
    parquetBytesPerEvent,
    retentionYears: parseNumberFlag('--retention-years', options.retentionYears ?? '1', {
      min: 0.1,
      max: 100,
      what: 'a number of years',
      example: '3',
    }),
    queriesPerDay: parseNumberFlag('--queries-per-day', options.queriesPerDay ?? '100', {
      min: 0,
      max: 10_000_000,
      what: 'a number of query runs',
      example: '100',
    }),
    lakeScansPerMonth: parseNumberFlag('--lake-scans-per-month', options.lakeScansPerMonth ?? '4', {
      min: 0,
      max: 100_000,
      what: 'a number of runs',
      example: '4',
    }),
    storageClass: parseChoice('--storage-class', options.storageClass ?? STORAGE_CLASSES[0], STORAGE_CLASSES),
  };

  const archiveEvents = parseNumberFlag('--archive-events', options.archiveEvents ?? '0', {
    integer: true,
    min: 0,
    max: 1e15,
    what: 'a whole number of events',
    example: '100000000',
  });
  const path = parseChoice('--backfill-path', options.backfillPath ?? 'local', BACKFILL_PATHS);
  if (archiveEvents === 0) {
    if (options.archiveObjects !== undefined) {
      throw new UserInputError(
        '--archive-objects needs --archive-events, the number of events in the archive',
      );
    }
    return { input, backfill: null };
  }
  const objects =
    options.archiveObjects === undefined
      ? undefined
      : parseNumberFlag('--archive-objects', options.archiveObjects, {
          integer: true,
          min: 1,
          max: archiveEvents,
          what: 'a whole number of objects',
          example: '20000',
        });
  return { input, backfill: { events: archiveEvents, objects, avgEventBytes, parquetBytesPerEvent, path } };
}

/** Runs the model for parsed options. Pure. */
export function buildCostReport(
  input: CostInput,
  backfill: BackfillInput | null,
  data: CostData = COST_DATA,
): CostReport {
  const monthly = estimateMonthly(input, data);
  const { retentionDays, gbPerDay, gbAtRetention, objectsPerDay } = monthly.lake;
  return {
    prices: { region: data.region, read: data.read, file: COST_DATA_PATH },
    input,
    monthly: { items: monthly.items, totalUsd: monthly.totalUsd },
    lake: { retentionDays, gbPerDay, gbAtRetention, objectsPerDay },
    queries: monthly.queries,
    backfill: backfill ? estimateBackfill(backfill, data) : null,
    notIncluded: NOT_INCLUDED,
  };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
/** Grouped, with exactly `digits` decimals: "1,234.50". */
const fixed = (n: number, digits = 2) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Left-aligns text columns and right-aligns numeric ones. */
function table(rows: string[][], numeric: readonly boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) =>
          c === r.length - 1 ? cell : numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The human report: monthly items, the saved queries' scans, the backfill, and what is left out. */
export function formatCostReport(report: CostReport): string {
  const i = report.input;
  const years = `${i.retentionYears} year${i.retentionYears === 1 ? '' : 's'}`;
  const tb = report.lake.gbAtRetention / 1024;
  const lines = [
    `Monthly cost on AWS once the lake holds its full retention (${report.prices.region} list prices read ${report.prices.read}, ${report.prices.file})`,
    `${count(i.eventsPerDay)} events a day (${count(i.avgEventBytes)} B of JSON, ${Math.round(i.parquetBytesPerEvent)} B of Parquet each), kept ${years}: ` +
      `${fixed(report.lake.gbPerDay, 2)} GB a day, ${fixed(tb, tb < 10 ? 2 : 1)} TB in all`,
    `${i.queriesPerDay} date-range queries a day; each whole-lake query ${i.lakeScansPerMonth} times a month; ${i.storageClass} after the transition`,
    '',
    table(
      [
        ['item', 'USD/month', 'how'],
        ...report.monthly.items.map((item) => [item.item, fixed(item.usd), item.how]),
        ['total', fixed(report.monthly.totalUsd), ''],
      ],
      [false, true, false],
    ),
    '',
    `Athena per saved query at its default parameters (scan fractions: ${report.queries.every((q) => q.status === 'measured') ? 'measured' : 'provisional estimates'})`,
    table(
      [
        ['query', 'days read', 'families', 'GB a run', 'USD a run', 'runs/month', 'USD/month'],
        ...report.queries.map((q) => [
          q.name,
          q.wholeLake ? `${q.days} (lake)` : String(q.days),
          q.families.length > 3 ? 'all' : q.families.join(','),
          fixed(q.bytesPerRun / GB, 2),
          fixed(q.usdPerRun, 4),
          fixed(q.runsPerMonth, 1),
          fixed(q.usdPerMonth),
        ]),
      ],
      [false, true, false, true, true, true, true],
    ),
  ];
  const b = report.backfill;
  if (b) {
    lines.push(
      '',
      `One-off backfill, path ${b.path}: ${count(b.events)} archived events in ${count(b.objects)} objects, about ${b.hours.toFixed(1)} h (${b.timeHow})`,
      table(
        [
          ['item', 'USD', 'how'],
          ...b.items.map((item) => [item.item, fixed(item.usd), item.how]),
          ['total', fixed(b.totalUsd), ''],
        ],
        [false, true, false],
      ),
    );
  }
  lines.push('', `Not included: ${report.notIncluded.join('; ')}.`);
  return lines.join('\n');
}

/**
 * `engagement-lake cost`: what the lake costs a month on AWS for a volume and a retention, item
 * by item with the arithmetic shown, and optionally the one-off backfill of an archive.
 *
 * @example
 * await runCost({ eventsPerDay: '10000000', retentionYears: '3' });
 * await runCost({ eventsPerDay: '1000000', archiveEvents: '100000000', backfillPath: 'aws', json: true });
 */
export async function runCost(options: CostCommandOptions): Promise<CostReport> {
  const { input, backfill } = parseCostOptions(options);
  const report = buildCostReport(input, backfill);
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  write(options.json ? `${JSON.stringify(report)}\n` : `${formatCostReport(report)}\n`);
  return report;
}
