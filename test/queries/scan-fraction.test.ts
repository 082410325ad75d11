import { loadSavedQueries } from '../../queries/src/catalog';
import { openLocalLake, type LocalLake } from '../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../queries/src/params';
import {
  chunkBytes,
  chunksTouched,
  columnsIn,
  filesReadAtRunTime,
  findParquetScans,
  measureQueryScan,
  partitionOf,
  readLakeMetadata,
  scanColumns,
  splitFileFilters,
  topColumn,
  unionBytes,
  type LakeMetadata,
  type ParquetScan,
  type ProfileNode,
} from '../../queries/src/scan-bytes';
import { row, tempLake, writeRows, type TestRow } from './helpers/lake';
import { NOW } from './helpers/run';

const scan = (fields: Partial<ParquetScan>): ParquetScan => ({
  projections: [],
  filters: [],
  fileFilters: [],
  athenaRuns: 1,
  ...fields,
});

const parquet = (info: Record<string, unknown>): ProfileNode => ({
  operator_type: 'TABLE_SCAN',
  operator_name: 'READ_PARQUET',
  extra_info: { Function: 'READ_PARQUET', ...info },
});

describe('scan bytes (pure)', () => {
  it('splits DuckDB’s concatenated file filters, respecting quotes', () => {
    expect(splitFileFilters("(dt BETWEEN '2026-09-13' AND '2026-09-21')(family = 'email')")).toEqual([
      "(dt BETWEEN '2026-09-13' AND '2026-09-21')",
      "(family = 'email')",
    ]);
    expect(splitFileFilters("(family = 'a)(b')")).toEqual(["(family = 'a)(b')"]);
    expect(splitFileFilters('')).toEqual([]);
    expect(() => splitFileFilters('(dt = 1')).toThrow('unbalanced');
    expect(() => splitFileFilters('dt = 1')).toThrow('outside parentheses');
  });

  it('finds the columns a filter tests, not words inside its literals', () => {
    expect(columnsIn("message_id='event_id' AND (status IS NULL)")).toEqual(['message_id', 'status']);
  });

  it('reads returned and filtered columns, never the partition keys', () => {
    const s = scan({ projections: ['event_id', 'family', 'dt'], filters: ["event_name='app.custom'"] });
    expect(scanColumns(s)).toEqual(['event_id', 'event_name']);
    expect(() => scanColumns(scan({ projections: ['nope'] }))).toThrow('not in the schema: nope');
  });

  it('counts a scan inside a CTE once per reference, through CTEs that reference it', () => {
    // retention_cohorts' shape: app_activity (0) is read by cohorts (2) and by the main query;
    // cohorts is read twice by the main query. Trino inlines all of it: 2 + 1 = 3 scans.
    const profile: ProfileNode = {
      children: [
        {
          operator_type: 'CTE',
          extra_info: { 'Table Index': '0' },
          children: [
            parquet({
              Projections: ['endpoint_id', 'dt'],
              'File Filters': "(dt BETWEEN '2015-01-01' AND '2026-09-14')(family = 'app')",
              'Scanning Files': '45/900',
              'Total Files Read': '45',
            }),
            {
              operator_type: 'CTE',
              extra_info: { 'Table Index': '2' },
              children: [
                { operator_type: 'CTE_SCAN', extra_info: { 'CTE Index': '0' } },
                {
                  operator_type: 'HASH_JOIN',
                  children: [
                    { operator_type: 'CTE_SCAN', extra_info: { 'CTE Index': '2' } },
                    {
                      operator_type: 'HASH_JOIN',
                      children: [
                        { operator_type: 'CTE_SCAN', extra_info: { 'CTE Index': '0' } },
                        { operator_type: 'CTE_SCAN', extra_info: { 'CTE Index': '2' } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
        parquet({ Projections: 'event_id', Filters: ['(message_id IS NOT NULL)'] }),
      ],
    };
    expect(findParquetScans(profile)).toEqual([
      {
        projections: ['endpoint_id', 'dt'],
        filters: [],
        fileFilters: ["(dt BETWEEN '2015-01-01' AND '2026-09-14')", "(family = 'app')"],
        plannedFiles: 45,
        filesRead: 45,
        rowsScanned: undefined,
        athenaRuns: 3,
      },
      {
        projections: ['event_id'],
        filters: ['(message_id IS NOT NULL)'],
        fileFilters: [],
        plannedFiles: undefined,
        filesRead: undefined,
        rowsScanned: undefined,
        athenaRuns: 1,
      },
    ]);
  });

  it('sums chunks of the columns and files read, and the union of byte ranges', () => {
    const chunks = [
      { file: 'a', column: 'event_id', start: 4, bytes: 100 },
      { file: 'a', column: 'raw', start: 104, bytes: 1000 },
      { file: 'b', column: 'event_id', start: 4, bytes: 50 },
    ];
    expect(chunkBytes(chunks, new Set(['a']), new Set(['event_id', 'raw']))).toBe(1100);
    expect(chunkBytes(chunks, new Set(['a', 'b']), new Set(['event_id']))).toBe(150);
    const reads = [
      { path: 'a', pos: 4, bytes: 256 }, // a page header read running on into raw's chunk
      { path: 'a', pos: 26, bytes: 78 },
      { path: 'b', pos: 4, bytes: 50 },
    ];
    expect(unionBytes(reads)).toBe(256 + 50);
    // a chunk is read when a read starts inside it, not when a header read runs on into it
    expect([...chunksTouched(chunks, reads)].sort()).toEqual(['a\u0000event_id', 'b\u0000event_id']);
  });

  it('finds the files a join pruned at run time from the columns only that scan reads', () => {
    const touched = new Set(['a\u0000event_id', 'b\u0000event_id', 'b\u0000raw']);
    const others = [{ columns: ['event_id'], planned: new Set(['a', 'b']) }];
    const wide = { columns: ['event_id', 'raw'], planned: ['a', 'b'], filesRead: 1 };
    expect(filesReadAtRunTime(wide, others, touched)).toEqual(['b']);
    expect(filesReadAtRunTime({ ...wide, filesRead: 2 }, others, touched)).toBeUndefined();
  });

  it('reads hive partitions and top-level columns', () => {
    expect(partitionOf('/l/events/family=email/dt=2026-09-14/part-1.parquet')).toEqual({
      family: 'email',
      dt: '2026-09-14',
    });
    expect(partitionOf('/l/events/other.parquet')).toBeUndefined();
    expect(topColumn('attributes, entries, key')).toBe('attributes');
    expect(topColumn('recipients.list.element')).toBe('recipients');
    expect(topColumn('event_id')).toBe('event_id');
  });
});

describe('scan bytes of the saved queries (local lake)', () => {
  // Three families over 2026-11-10..2026-11-22, two rows per partition; one person only on 11-15.
  const days = Array.from({ length: 13 }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}`);
  const rows: TestRow[] = days.flatMap((dt) => [
    row('app', 'app.session_start', `${dt}T08:00:00Z`, { endpoint_id: 'e-app', session_id: `s-${dt}` }),
    row('app', 'app.custom', `${dt}T09:00:00Z`, { endpoint_id: 'e-app', event_type: 'level_up' }),
    row('email', 'email.send', `${dt}T10:00:00Z`, { message_id: `m-${dt}`, destination: 'a@example.com' }),
    row('email', 'email.delivered', `${dt}T10:01:00Z`, { message_id: `m-${dt}`, raw: 'x'.repeat(500) }),
    row('sms', 'sms.delivered', `${dt}T11:00:00Z`, { message_id: `t-${dt}`, country: 'US' }),
    row('sms', 'sms.failed', `${dt}T12:00:00Z`, {
      message_id: `u-${dt}`,
      destination: dt === '2026-11-15' ? '+15550100' : '+15550199',
    }),
  ]);
  const { dir, remove } = tempLake();
  let lake: LocalLake;
  let metadata: LakeMetadata;

  beforeAll(async () => {
    await writeRows(dir, rows);
    lake = await openLocalLake(dir);
    metadata = await readLakeMetadata(lake.connection, dir);
  });
  afterAll(() => {
    lake.close();
    remove();
  });

  const measure = async (name: string, params: Record<string, string>) => {
    const query = loadSavedQueries().find((q) => q.name === name);
    if (!query) throw new Error(`no saved query ${name}`);
    const values = bindValues(query, resolveParams(query, new Map(Object.entries(params)), NOW));
    return measureQueryScan(lake.connection, metadata, query.sql, values);
  };
  const oneDay = { start: '2026-11-15', end: '2026-11-15' };

  it('knows every file and column chunk of the lake', () => {
    expect(metadata.files).toHaveLength(3 * 13);
    expect(metadata.bytes).toBe(metadata.files.reduce((sum, f) => sum + f.bytes, 0));
    expect(metadata.files.every((f) => f.chunkBytes > 0 && f.chunkBytes < f.bytes)).toBe(true);
  });

  it('counts the day’s partitions of every family and only the columns daily_volume names', async () => {
    // Act
    const m = await measure('daily_volume', oneDay);

    // Assert
    expect(m.partitions).toEqual([
      'family=app/dt=2026-11-15',
      'family=email/dt=2026-11-15',
      'family=sms/dt=2026-11-15',
    ]);
    expect(m.columns).toEqual(['event_id', 'source_format', 'event_name']);
    const files = new Set(metadata.files.filter((f) => f.dt === '2026-11-15').map((f) => f.path));
    expect(m.bytes).toBe(chunkBytes(metadata.chunks, files, new Set(m.columns)));
    expect(m.scans).toHaveLength(1);
    expect(m.rows).toBeGreaterThan(0);
    expect(m.duckdbBytes).toBeGreaterThan(0);
    expect(m.bytes / metadata.bytes).toBeLessThan(0.02);
  });

  it('reads email_funnel’s window, the day before to 7 days after, in the email family only', async () => {
    const m = await measure('email_funnel', oneDay);
    expect(m.days).toEqual(days.slice(4, 13)); // 2026-11-14..2026-11-22
    expect(m.partitions.every((p) => p.startsWith('family=email/'))).toBe(true);
    expect(m.columns).toEqual(['event_name', 'message_id', 'campaign_id', 'journey_id', 'is_bot']);
  });

  it('counts active_endpoints’ CTE scan four times, as Athena inlines its four references', async () => {
    const m = await measure('active_endpoints', oneDay);
    expect(m.scans.map((s) => s.athenaRuns)).toEqual([4]);
    expect(m.days).toEqual(days.slice(0, 6)); // 29 days back, cut by the lake's first day
    expect(m.bytes).toBe(4 * m.distinctChunkBytes);
  });

  it('sees through views to the read_parquet scans they expand to', async () => {
    const m = await measureQueryScan(
      lake.connection,
      metadata,
      "select count(*) as n from email_events where dt = '2026-11-15'",
    );
    expect(m.partitions).toEqual(['family=email/dt=2026-11-15']);
    expect(m.columns).not.toContain('raw');
  });

  it('follows endpoint_access’s join to the one partition that holds a match', async () => {
    // Act
    const m = await measure('endpoint_access', { ...oneDay, subject: '+15550100' });

    // Assert
    expect(m.rows).toBe(1);
    const [wide, keys] = m.scans;
    expect(keys.files).toHaveLength(3);
    expect(wide.prunedAtRunTime).toBe(true);
    expect(wide.files.map((f) => partitionOf(f))).toEqual([{ family: 'sms', dt: '2026-11-15' }]);
    expect(wide.columns).toContain('raw');
    expect(wide.bytes).toBeLessThan(wide.bytesWithoutRunTimePruning);
  });
});
