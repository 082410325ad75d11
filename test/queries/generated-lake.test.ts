/**
 * Every saved query and view on a lake made the way users make one: the synthetic generator's
 * NDJSON (every source format, 5% redeliveries) ingested by the local ingest into Parquet.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';
import { loadSavedQueries, loadViews } from '../../queries/src/catalog';
import { openLocalLake, type LocalLake } from '../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../queries/src/params';
import type { ResultRow } from '../../queries/src/types';
import { NOW } from './helpers/run';

describe('saved queries on a generated lake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engagement-lake-generated-'));
  let lake: LocalLake;
  const results = new Map<string, ResultRow[]>();

  beforeAll(async () => {
    const lines = [
      ...generateEvents({
        events: 4000,
        seed: '11',
        start: Date.UTC(2026, 9, 20),
        days: 30,
        duplicates: 0.05,
      }),
    ];
    writeFileSync(join(dir, 'events.ndjson'), lines.join('\n') + '\n');
    await ingest({ inputs: [join(dir, 'events.ndjson')], lake: join(dir, 'lake') });
    lake = await openLocalLake(join(dir, 'lake'));
    for (const query of loadSavedQueries()) {
      const given = new Map([
        ['start', '2026-10-01'],
        ['end', '2026-11-30'],
      ]);
      if (query.params.some((p) => p.name === 'message_id')) given.set('message_id', 'none');
      if (query.params.some((p) => p.name === 'subject')) given.set('subject', 'none');
      results.set(
        query.name,
        (await lake.run(query.sql, bindValues(query, resolveParams(query, given, NOW)))).rows,
      );
    }
  }, 180_000);

  afterAll(() => {
    lake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('every saved query', () => {
    it.each(loadSavedQueries().map((q) => [q.name, q.columns.map((c) => c.name)]))(
      '%s runs and returns its documented columns',
      (name, columns) => {
        // Arrange
        const rows = results.get(name) ?? [];
        // Assert
        if (name === 'message_timeline' || name === 'endpoint_access') {
          expect(rows).toEqual([]);
        } else {
          expect(rows.length).toBeGreaterThan(0);
          expect(Object.keys(rows[0])).toEqual(columns);
        }
      },
    );
  });

  describe('invariants', () => {
    it('daily_volume counts no more events than rows received', () => {
      // Assert
      for (const row of results.get('daily_volume') ?? [])
        expect(Number(row.events)).toBeLessThanOrEqual(Number(row.rows_received));
    });

    it('the email funnel narrows: delivered ≤ sent, clicked ≤ delivered', async () => {
      // Arrange: SES identity notifications (through SNS) report deliveries whose send no event records.
      const { rows } = await lake.run(
        "select count(distinct message_id) as n from events where source_format = 'ses_notification+sns'",
      );
      const unsent = Number(rows[0].n);
      // Assert
      const funnel = results.get('email_funnel') ?? [];
      const total = (key: string) => funnel.reduce((sum, row) => sum + Number(row[key]), 0);
      expect(total('delivered')).toBeLessThanOrEqual(total('sent') + unsent);
      expect(total('clicked')).toBeLessThanOrEqual(total('delivered'));
    });

    it('events_unique has one row per event and message_status one row per message', async () => {
      // Act
      const { rows } = await lake.run(`select
          (select count(*) from events_unique) as unique_rows,
          (select count(distinct dt || family || event_id) from events) as distinct_events,
          (select count(*) from message_status) as statuses,
          (select count(distinct message_id) from events) as messages`);
      // Assert
      expect(rows[0].unique_rows).toBe(rows[0].distinct_events);
      expect(rows[0].statuses).toBe(rows[0].messages);
    });

    it.each(loadViews().map((v) => [v.name]))('view %s reads', async (name) => {
      // Act / Assert
      await expect(lake.run(`select count(*) as n from ${name}`)).resolves.toBeDefined();
    });
  });
});
