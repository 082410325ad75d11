import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { awsBackfill, expectedFamilies, localBackfill } from '../../cli/src/cost/backfill';
import { billedRecordBytes, estimateMonthly } from '../../cli/src/cost/model';
import { COST_DATA, rateText, tieredCost } from '../../cli/src/cost/prices';
import { billedBytes } from '../../cli/src/cost/scans';
import { tierDays } from '../../cli/src/cost/storage';
import { MB, type CostInput } from '../../cli/src/cost/volumes';
import { formatCostReport, parseCostOptions, runCost } from '../../cli/src/commands/cost';
import { FAMILIES } from '../../transform/src/schema';
import { UserInputError } from '../../transform/src/errors';
import { runCli as run } from './run-cli';

/**
 * The case worked by hand below: 1,000,000 events a day of 1,000 B of JSON and 300 B of Parquet,
 * kept one year, no queries. A month is 730 h = 30.41667 days, so 30,416,666.67 records.
 */
const HAND: CostInput = {
  eventsPerDay: 1_000_000,
  avgEventBytes: 1000,
  parquetBytesPerEvent: 300,
  retentionYears: 1,
  queriesPerDay: 0,
  lakeScansPerMonth: 0,
  storageClass: 'intelligent-tiering',
};

const itemUsd = (input: CostInput, id: string) => {
  const item = estimateMonthly(input).items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item.usd;
};

describe('cost model', () => {
  describe('tieredCost', () => {
    it('charges each tier its own rate', () => {
      const tiers = [
        { upTo: 500, usd: 0.03 },
        { upTo: null, usd: 0.02 },
      ];
      // 400 × 0.03 = 12; 500 × 0.03 + 100 × 0.02 = 15 + 2 = 17
      expect(tieredCost(400, tiers)).toBeCloseTo(12, 10);
      expect(tieredCost(600, tiers)).toBeCloseTo(17, 10);
      expect(rateText(400, tiers)).toBe('$0.03');
      expect(rateText(600, tiers)).toBe('$0.03 then $0.02');
    });
  });

  describe('billedRecordBytes', () => {
    it('rounds each Firehose record up to a multiple of 5 KB', () => {
      expect(billedRecordBytes(939, 5)).toBe(5120);
      expect(billedRecordBytes(5120, 5)).toBe(5120);
      expect(billedRecordBytes(5121, 5)).toBe(10240);
    });
  });

  describe('estimateMonthly, against the case worked by hand', () => {
    it('prices Firehose ingestion, conversion and dynamic partitioning', () => {
      // Ingestion: each 1,000 B record bills as 5 KB = 5,120 B.
      //   30,416,666.67 × 5,120 B = 155,733,333,333 B / 1,073,741,824 = 145.03797 GB
      //   145.03797 × $0.029 = $4.20610
      expect(itemUsd(HAND, 'firehose-ingestion')).toBeCloseTo(4.2061, 3);
      // Conversion, on the same 5 KB steps: 145.03797 × $0.018 = $2.61068
      expect(itemUsd(HAND, 'firehose-conversion')).toBeCloseTo(2.61068, 3);
      // Partitioning on the real bytes: 30,416,666.67 × 1,000 B / 2^30 = 28.32773 GB × $0.02 = $0.56655,
      // plus objects: every family flushes in each of the 96 15-minute windows a day
      // (the quietest, 1,300 events a day, misses 96 × e^(-1300/96) ≈ 0.0001 of them):
      //   10 × 96 = 960 objects a day × 30.41667 = 29,200 a month / 1,000 × $0.005 = $0.146
      //   $0.56655 + $0.146 = $0.71255
      expect(itemUsd(HAND, 'firehose-partitioning')).toBeCloseTo(0.71255, 3);
    });

    it('prices the transform Lambda', () => {
      // Invocations: 1,000,000 × 1,000 B = 954 MiB a day, fewer than the 1,440 one-minute windows,
      // so 1,440 a day × 30.41667 = 43,800 a month × $0.20 / 1,000,000 = $0.00876.
      // Duration: 0.0442 ms a record on one core / (1,024 / 1,769 of a vCPU) = 0.0763572 ms;
      //   30,416,666.67 records × 0.0000763572 s × 1 GB = 2,322.53 GB-s × $0.0000133334 = $0.03097
      // $0.00876 + $0.03097 = $0.03973
      expect(itemUsd(HAND, 'lambda')).toBeCloseTo(0.03973, 4);
    });

    it('prices storage per lifecycle tier at full retention', () => {
      // 1,000,000 × 300 B = 300,000,000 B = 0.279397 GB a day. Per family, a day's Parquet / 96
      // objects: journey, voice, mms, rcs, in_app and other make objects under 128 KB (e.g. journey:
      // 0.0271 × 300,000,000 / 96 = 84.7 KB), which never leave S3 Standard: 8.56% of the bytes.
      // The other 91.44% (app, email, sms, campaign) go to Intelligent-Tiering after 30 days and,
      // never read again, drop to Infrequent Access at day 60 and Archive Instant at day 120.
      // Standard: 0.279397 × (0.0856 × 365 + 0.9144 × 30) = 8.72943 + 7.66441 = 16.39388 GB × $0.023 = $0.37706
      expect(itemUsd(HAND, 's3-storage-standard')).toBeCloseTo(0.37706, 3);
      // Frequent Access, days 30-60: 0.279397 × 0.9144 × 30 = 7.66441 GB × $0.023 = $0.17628
      expect(itemUsd(HAND, 's3-storage-it-frequent')).toBeCloseTo(0.17628, 3);
      // Infrequent Access, days 60-120: 0.279397 × 0.9144 × 60 = 15.32882 GB × $0.0125 = $0.19161
      expect(itemUsd(HAND, 's3-storage-it-infrequent')).toBeCloseTo(0.19161, 3);
      // Archive Instant Access, days 120-365: 0.279397 × 0.9144 × 245 = 62.59270 GB × $0.004 = $0.25037
      expect(itemUsd(HAND, 's3-storage-it-archive-instant')).toBeCloseTo(0.25037, 3);
      // Monitoring: 4 families × 96 = 384 objects a day × (365 - 30) days = 128,640 × $0.0025 / 1,000 = $0.3216
      expect(itemUsd(HAND, 's3-it-monitoring')).toBeCloseTo(0.3216, 4);
      // Transitions: 384 × 30.41667 = 11,680 a month × $0.01 / 1,000 = $0.1168
      expect(itemUsd(HAND, 's3-transitions')).toBeCloseTo(0.1168, 4);
    });

    it('prices requests, KMS and the total', () => {
      // PUTs: 29,200 Parquet objects a month, no queries: × $0.005 / 1,000 = $0.146
      expect(itemUsd(HAND, 's3-put')).toBeCloseTo(0.146, 4);
      expect(itemUsd(HAND, 's3-get-list')).toBe(0);
      expect(itemUsd(HAND, 'athena')).toBe(0);
      // KMS: $1 for the key + 1% of 29,200 S3 requests = 292 × $0.03 / 10,000 = $0.00088
      expect(itemUsd(HAND, 'kms')).toBeCloseTo(1.00088, 4);
      // 4.20610 + 2.61068 + 0.71255 + 0.03973 + 0.37706 + 0.17628 + 0.19161 + 0.25037 + 0.3216
      //   + 0.1168 + 0.146 + 1.00088 = $10.14966
      expect(estimateMonthly(HAND).totalUsd).toBeCloseTo(10.14966, 3);
    });
  });

  describe('Athena', () => {
    it('bills a run by the MB, from the scan fraction of the days it reads', () => {
      // daily_volume reads 31 days at a fraction of 0.1039 of 300,000,000 B a day:
      //   0.1039 × 31 × 300,000,000 = 966,270,000 B = 921.51 MB, billed as 922 MB = 966,787,072 B
      //   966,787,072 / 2^40 × $5 = $0.0043964 a run; as many runs a day as there are date-range
      //   queries (not the whole-lake ones) is one run a day each: × 30.41667 = $0.13373 a month
      const dateRangeQueries = COST_DATA.queries.list.filter((q) => q.days !== 'lake').length;
      const input = { ...HAND, queriesPerDay: dateRangeQueries };
      const run = estimateMonthly(input).queries.find((q) => q.name === 'daily_volume')!;
      expect(run.billedBytesPerRun).toBe(966_787_072);
      expect(run.usdPerRun).toBeCloseTo(0.0043964, 6);
      expect(run.usdPerMonth).toBeCloseTo(0.1337, 4);
    });

    it('bills at least 10 MB a query', () => {
      // At 10,000 events a day daily_volume reads 0.1039 × 31 × 3,000,000 B = 9.22 MB: billed 10 MB.
      expect(billedBytes(9.22 * MB, 10)).toBe(10 * MB);
      const input = { ...HAND, eventsPerDay: 10_000, queriesPerDay: 13 };
      const run = estimateMonthly(input).queries.find((q) => q.name === 'daily_volume')!;
      expect(run.billedBytesPerRun).toBe(10 * MB);
    });

    it('reads the whole retention for the whole-lake queries', () => {
      const queries = estimateMonthly({ ...HAND, retentionYears: 3, lakeScansPerMonth: 2 }).queries;
      const lake = queries.filter((q) => q.wholeLake).map((q) => [q.name, q.days, q.runsPerMonth]);
      expect(lake).toEqual([
        ['endpoint_access', 1095, 2],
        ['retention_cohorts', 1095, 2],
        ['suppression_candidates', 1095, 2],
      ]);
    });
  });

  describe('storage tiers', () => {
    it('moves Intelligent-Tiering down 30 and 90 days after the last read', () => {
      expect(tierDays(365, 30, 0, 'intelligent-tiering')).toEqual({
        standard: 30,
        'it-frequent': 30,
        'it-infrequent': 60,
        'it-archive-instant': 245,
        'glacier-ir': 0,
      });
      // Read by queries up to 60 days back: Frequent Access until day 90.
      expect(tierDays(365, 30, 60, 'intelligent-tiering')['it-frequent']).toBe(60);
      expect(tierDays(365, 30, 0, 'glacier-ir')).toMatchObject({ standard: 30, 'glacier-ir': 335 });
    });

    it('keeps everything in Frequent Access while a whole-lake query runs monthly', () => {
      const items = estimateMonthly({ ...HAND, lakeScansPerMonth: 1 }).items.map((i) => i.id);
      expect(items).toContain('s3-storage-it-frequent');
      expect(items).not.toContain('s3-storage-it-infrequent');
      expect(items).not.toContain('s3-storage-it-archive-instant');
    });

    it('charges Glacier Instant Retrieval reads of data past the transition', () => {
      const estimate = estimateMonthly({ ...HAND, storageClass: 'glacier-ir', lakeScansPerMonth: 4 });
      const ids = estimate.items.map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining(['s3-storage-glacier-ir', 's3-retrieval']));
      expect(ids).not.toContain('s3-it-monitoring');
    });
  });

  describe('Firehose objects', () => {
    it('flushes a busy partition on the 128 MiB buffer, not the interval', () => {
      // 1,000,000,000 events: email's transformed JSON is 323,900,000 × 939 B × 2.467 = 750.3 GB a
      // day / 128 MiB = 5,590 objects, more than the 96 windows.
      const email = estimateMonthly({ ...HAND, eventsPerDay: 1e9, avgEventBytes: 939 }).lake.families.find(
        (f) => f.family === 'email',
      )!;
      expect(email.objectsPerDay).toBeCloseTo((323_900_000 * 939 * 2.467) / (128 * MB), 6);
    });
  });

  describe('backfill', () => {
    it('prices path (a), ingest on one EC2 instance', () => {
      // 100,000,000 events / 21,421 records/s = 4,668.32 s = 1.29675 h × $0.0816 = $0.10582
      // Archive: 100,000,000 × 939 B / 5 MiB = 17,910.004, so 17,911 GETs × $0.0004 / 1,000 = $0.00716
      //   + 18 LISTs × $0.005 / 1,000 = $0.00009
      // Parquet: 100,000,000 × 294 B / 5 MiB = 5,608 upload parts; 100,000,000 × 939 B / 256 MiB
      //   = 350 commits, each writing a file for each of the 10 families and a checkpoint:
      //   5,608 + 3,500 + 350 = 9,458 PUTs × $0.005 / 1,000 = $0.04729
      const b = localBackfill({ events: 1e8, avgEventBytes: 939, parquetBytesPerEvent: 294, path: 'local' });
      expect(b.objects).toBe(17_911);
      expect(b.hours).toBeCloseTo(1.29675, 4);
      const usd = Object.fromEntries(b.items.map((i) => [i.id, i.usd]));
      expect(usd['backfill-s3-put']).toBeCloseTo(0.04729, 4);
      expect(b.totalUsd).toBeCloseTo(0.10582 + 0.00716 + 0.00009 + 0.04729, 4);
    });

    it('prices path (b), S3 Batch Operations and a Lambda per archive object', () => {
      // 17,911 objects of 5,583.16 events; 2,048 MB is over one vCPU, so each takes
      //   5,583.16 × 0.0871 ms + 0.5 s = 0.986293 s; 17,911 × 0.986293 × 2 GB = 35,331.0 GB-s
      // Lambda: 35,331.0 × $0.0000133334 = $0.47108 + 17,911 × $0.20 / 1,000,000 = $0.00358
      // Batch Operations: $0.25 + 17,911 × $1 / 1,000,000 = $0.26791
      // PUTs: 9.9993 families in 5,583 events × 17,911 = 179,097 files + 17,911 done markers
      //   = 197,008 × $0.005 / 1,000 = $0.98504
      // Reads: a HEAD and a GET per object, 35,822 × $0.0004 / 1,000 = $0.01433, + 18 LISTs = $0.01442
      const b = awsBackfill({ events: 1e8, avgEventBytes: 939, parquetBytesPerEvent: 294, path: 'aws' });
      const usd = Object.fromEntries(b.items.map((i) => [i.id, i.usd]));
      expect(usd['backfill-lambda']).toBeCloseTo(0.47466, 4);
      expect(usd['backfill-batch-operations']).toBeCloseTo(0.26791, 5);
      expect(usd['backfill-s3-put']).toBeCloseTo(0.98504, 4);
      expect(usd['backfill-s3-read']).toBeCloseTo(0.01442, 5);
      expect(b.totalUsd).toBeCloseTo(0.47466 + 0.26791 + 0.98504 + 0.01442, 4);
      // 17,911 × 0.986293 s / 50 concurrent (the function's reserved concurrency) = 353.31 s
      expect(b.hours * 3600).toBeCloseTo(353.31, 1);
      expect(expectedFamilies(5583.16)).toBeCloseTo(9.9993, 3);
    });
  });
});

describe('cost data file', () => {
  it('gives every price a source, what was read and the date', () => {
    for (const [name, price] of Object.entries(COST_DATA.prices)) {
      expect([name, price.source]).toEqual([name, expect.stringMatching(/^https:\/\/aws\.amazon\.com\//)]);
      expect([name, price.read]).toEqual([name, '2026-12-04']);
      expect([name, price.checkedVia.length]).not.toEqual([name, 0]);
    }
  });

  it('lists every saved query once, with a status saying how its scan fraction was obtained', async () => {
    const files = (await readdir(join(__dirname, '..', '..', 'queries', 'sql'))).filter((f) =>
      f.endsWith('.sql'),
    );
    const names = COST_DATA.queries.list.map((q) => q.name);
    expect([...names].sort()).toEqual(files.map((f) => f.replace(/\.sql$/, '')).sort());
    for (const q of COST_DATA.queries.list) expect(['provisional', 'measured']).toContain(q.status);
  });

  it('has a share for every family, adding up to one', () => {
    const shares = COST_DATA.measured.families.shares;
    expect(Object.keys(shares).sort()).toEqual([...FAMILIES].sort());
    const sum = (k: 'events' | 'parquet') => Object.values(shares).reduce((s, v) => s + v[k], 0);
    expect(sum('events')).toBeCloseTo(1, 3);
    expect(sum('parquet')).toBeCloseTo(1, 3);
  });

  it('follows the stack’s defaults', async () => {
    const { resolveSettings } = await import('../../infra/src/private/settings');
    const settings = resolveSettings({});
    const d = COST_DATA.deployment;
    expect(d.bufferingIntervalSeconds.value).toBe(settings.bufferingInterval.toSeconds());
    expect(d.transitionAfterDays.value).toBe(settings.dataTransitionAfter.toDays());
  });
});

describe('engagement-lake cost flags', () => {
  const parse = (options: Record<string, string>) => () =>
    parseCostOptions({ eventsPerDay: '10000000', ...options });

  it('applies the measured defaults, scaling Parquet with --avg-bytes', () => {
    const { input, backfill } = parseCostOptions({ eventsPerDay: '10_000_000' });
    expect(input).toEqual({
      eventsPerDay: 10_000_000,
      avgEventBytes: 939,
      parquetBytesPerEvent: 294,
      retentionYears: 1,
      queriesPerDay: 100,
      lakeScansPerMonth: 4,
      storageClass: 'intelligent-tiering',
    });
    expect(backfill).toBeNull();
    // 294 × 1,878 / 939 = 588
    expect(parseCostOptions({ eventsPerDay: '1', avgBytes: '1878' }).input.parquetBytesPerEvent).toBe(588);
  });

  it.each([
    [
      { eventsPerDay: 'ten' },
      "--events-per-day must be a whole number of events from 1 to 1,000,000,000,000, e.g. --events-per-day 10000000; got 'ten'",
    ],
    [
      { eventsPerDay: '0' },
      "--events-per-day must be a whole number of events from 1 to 1,000,000,000,000, e.g. --events-per-day 10000000; got '0'",
    ],
    [
      { eventsPerDay: '1.5' },
      "--events-per-day must be a whole number of events from 1 to 1,000,000,000,000, e.g. --events-per-day 10000000; got '1.5'",
    ],
    [
      { avgBytes: '2000000' },
      "--avg-bytes must be a whole number of bytes from 1 to 1,024,000, e.g. --avg-bytes 1500; got '2000000'",
    ],
    [
      { retentionYears: '-1' },
      "--retention-years must be a number of years from 0.1 to 100, e.g. --retention-years 3; got '-1'",
    ],
    [
      { queriesPerDay: '' },
      "--queries-per-day must be a number of query runs from 0 to 10,000,000, e.g. --queries-per-day 100; got ''",
    ],
    [
      { storageClass: 'glacier' },
      "--storage-class must be one of intelligent-tiering, glacier-ir; got 'glacier'",
    ],
    [
      { archiveEvents: '100', backfillPath: 'lambda' },
      "--backfill-path must be one of local, aws; got 'lambda'",
    ],
    [
      { archiveObjects: '10' },
      '--archive-objects needs --archive-events, the number of events in the archive',
    ],
    [
      { region: 'eu-west-1' },
      "--region eu-west-1: only us-east-1 prices are in cli/src/cost/prices.json; leave out --region, or add that region's prices to the file",
    ],
  ])('rejects %j with one line', (options, message) => {
    expect(parse(options)).toThrow(UserInputError);
    expect(parse(options)).toThrow(new UserInputError(message)); // the same message, exactly
  });

  it('takes the archive and its object count for the backfill', () => {
    const { backfill } = parseCostOptions({
      eventsPerDay: '1000',
      archiveEvents: '100000000',
      archiveObjects: '20000',
      backfillPath: 'aws',
    });
    expect(backfill).toEqual({
      events: 100_000_000,
      objects: 20_000,
      avgEventBytes: 939,
      parquetBytesPerEvent: 294,
      path: 'aws',
    });
  });
});

describe('engagement-lake cost', () => {
  it('prints a table of monthly items with a total, the queries, and what is left out', async () => {
    // Act
    const result = await run(['cost', '--events-per-day', '10000000', '--retention-years', '3']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[1]).toBe(
      '10,000,000 events a day (939 B of JSON, 294 B of Parquet each), kept 3 years: 2.74 GB a day, 2.93 TB in all',
    );
    for (const item of ['Firehose ingestion', 'Lambda transform', 'Storage: S3 Standard', 'Athena', 'KMS']) {
      expect(result.stdout).toMatch(new RegExp(`^${item}.* \\d+\\.\\d\\d  `, 'm'));
    }
    expect(result.stdout).toMatch(/^total +[\d,]+\.\d\d$/m);
    expect(result.stdout).toMatch(/^suppression_candidates +1095 \(lake\) +all /m);
    expect(result.stdout).toMatch(/^Not included: CloudWatch/m);
  });

  it('prints one JSON object with --json', async () => {
    // Act
    const result = await run([
      'cost',
      '--events-per-day',
      '1000000',
      '--archive-events',
      '100000000',
      '--backfill-path',
      'aws',
      '--json',
    ]);

    // Assert
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual([
      'prices',
      'input',
      'monthly',
      'lake',
      'queries',
      'backfill',
      'notIncluded',
    ]);
    expect(report.prices).toEqual({
      region: 'us-east-1',
      read: '2026-12-04',
      file: 'cli/src/cost/prices.json',
    });
    expect(report.monthly.items[0]).toEqual({
      id: 'firehose-ingestion',
      item: 'Firehose ingestion',
      usd: expect.any(Number),
      how: expect.stringContaining('rounded up to 5 KB'),
    });
    const sum = report.monthly.items.reduce((s: number, i: { usd: number }) => s + i.usd, 0);
    expect(report.monthly.totalUsd).toBeCloseTo(sum, 9);
    expect(report.queries).toHaveLength(COST_DATA.queries.list.length);
    expect(report.queries[0]).toMatchObject({ name: 'active_endpoints', days: 60, status: 'measured' });
    expect(report.backfill).toMatchObject({ path: 'aws', events: 100_000_000, objects: 17_911 });
  });

  it('adds the backfill table when an archive is given', async () => {
    // Act
    let out = '';
    const report = await runCost({
      eventsPerDay: '1000',
      archiveEvents: '100000000',
      write: (t) => (out += t),
    });

    // Assert
    expect(report.backfill?.path).toBe('local');
    expect(out).toContain(
      'One-off backfill, path local: 100,000,000 archived events in 17,911 objects, about 1.3 h',
    );
    expect(out).toBe(`${formatCostReport(report)}\n`);
  });

  it('exits 1 with one line for a region without prices', async () => {
    // Act
    const result = await run(['cost', '--events-per-day', '1000', '--region', 'eu-west-1']);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: --region eu-west-1: only us-east-1 prices are in cli/src/cost/prices.json; leave out --region, or add that region's prices to the file\n",
    );
  });

  it('exits non-zero when --events-per-day is missing', async () => {
    // Act
    const result = await run(['cost']);

    // Assert
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("required option '--events-per-day <n>' not specified");
  });
});
