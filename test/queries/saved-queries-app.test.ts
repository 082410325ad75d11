import { row, tempLake, writeRows } from './helpers/lake';
import { runSaved } from './helpers/run';

const NOV1 = { start: '2026-11-01', end: '2026-11-30' };

describe('saved queries (app events)', () => {
  const lakes: (() => void)[] = [];
  afterAll(() => lakes.forEach((remove) => remove()));
  const lakeWith = async (rows: Parameters<typeof writeRows>[1]): Promise<string> => {
    const { dir, remove } = tempLake();
    lakes.push(remove);
    await writeRows(dir, rows);
    return dir;
  };

  describe('daily_volume', () => {
    it('counts events per day, family and name, each event_id once, within the range', async () => {
      // Arrange: e1 is redelivered (two rows); one event lies outside the range
      const dir = await lakeWith([
        row('email', 'email.send', '2026-11-01T10:00:00Z', { event_id: 'e1' }),
        row('email', 'email.send', '2026-11-01T10:00:00Z', {
          event_id: 'e1',
          arrival_time: '2026-11-01T10:05:00Z',
        }),
        row('email', 'email.send', '2026-11-01T11:00:00Z', { event_id: 'e2', source_format: 'ses' }),
        row('email', 'email.delivered', '2026-11-01T10:01:00Z', { event_id: 'e3', source_format: 'ses' }),
        row('sms', 'sms.delivered', '2026-11-02T08:00:00Z', {
          event_id: 'e4',
          source_format: 'sms_voice_v2',
        }),
        row('sms', 'sms.delivered', '2026-10-01T08:00:00Z', { event_id: 'e5' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'daily_volume', { start: '2026-11-01', end: '2026-11-02' });
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          family: 'email',
          event_name: 'email.delivered',
          events: 1,
          rows_received: 1,
          source_formats: 1,
        },
        {
          dt: '2026-11-01',
          family: 'email',
          event_name: 'email.send',
          events: 2,
          rows_received: 3,
          source_formats: 2,
        },
        {
          dt: '2026-11-02',
          family: 'sms',
          event_name: 'sms.delivered',
          events: 1,
          rows_received: 1,
          source_formats: 1,
        },
      ]);
    });
  });

  describe('active_endpoints', () => {
    it('counts endpoints active on the day, in 7 days and in 30 days, looking back before start', async () => {
      // Arrange: A today, B 5 days before, C 21 days before, D 40 days before; E is not an app event
      const dir = await lakeWith([
        row('app', 'app.session_start', '2026-11-10T09:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.custom', '2026-11-05T09:00:00Z', { endpoint_id: 'B' }),
        row('app', 'app.custom', '2026-10-20T09:00:00Z', { endpoint_id: 'C' }),
        row('app', 'app.custom', '2026-10-01T09:00:00Z', { endpoint_id: 'D' }),
        row('email', 'email.send', '2026-11-10T09:00:00Z', { endpoint_id: 'E' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'active_endpoints', { start: '2026-11-10', end: '2026-11-10' });
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-10',
          daily_active_endpoints: 1,
          weekly_active_endpoints: 2,
          monthly_active_endpoints: 3,
        },
      ]);
    });
    it('counts an endpoint once per window however often it was active', async () => {
      // Arrange: A on 11-01, 11-03 (twice) and 11-12; B on 11-02 only
      const dir = await lakeWith([
        row('app', 'app.custom', '2026-11-01T09:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.custom', '2026-11-03T09:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.custom', '2026-11-03T18:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.custom', '2026-11-12T09:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.custom', '2026-11-02T09:00:00Z', { endpoint_id: 'B' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'active_endpoints', { start: '2026-11-01', end: '2026-11-12' });
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          daily_active_endpoints: 1,
          weekly_active_endpoints: 1,
          monthly_active_endpoints: 1,
        },
        {
          dt: '2026-11-02',
          daily_active_endpoints: 1,
          weekly_active_endpoints: 2,
          monthly_active_endpoints: 2,
        },
        {
          dt: '2026-11-03',
          daily_active_endpoints: 1,
          weekly_active_endpoints: 2,
          monthly_active_endpoints: 2,
        },
        {
          dt: '2026-11-12',
          daily_active_endpoints: 1,
          weekly_active_endpoints: 1,
          monthly_active_endpoints: 2,
        },
      ]);
    });
  });

  describe('sessions', () => {
    it('reports sessions per day with average, median and p90 length, ignoring redelivered stops', async () => {
      // Arrange: lengths 60 s, 120 s (delivered twice) and 300 s; s4 has no start time
      const stop = (id: string, session: string, endpoint: string, start: string | null, end: string) =>
        row('app', 'app.session_stop', end, {
          event_id: id,
          session_id: session,
          endpoint_id: endpoint,
          session_start_time: start,
          session_stop_time: end,
        });
      const dir = await lakeWith([
        row('app', 'app.session_start', '2026-11-01T10:00:00Z', { session_id: 's1', endpoint_id: 'A' }),
        stop('x1', 's1', 'A', '2026-11-01T10:00:00Z', '2026-11-01T10:01:00Z'),
        stop('x2', 's2', 'B', '2026-11-01T10:00:00Z', '2026-11-01T10:02:00Z'),
        stop('x2', 's2', 'B', '2026-11-01T10:00:00Z', '2026-11-01T10:02:00Z'),
        stop('x3', 's3', 'B', '2026-11-01T10:00:00Z', '2026-11-01T10:05:00Z'),
        stop('x4', 's4', 'A', null, '2026-11-01T10:05:00Z'),
      ]);
      // Act
      const rows = await runSaved(dir, 'sessions', NOV1);
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          sessions: 4,
          endpoints: 2,
          sessions_with_length: 3,
          avg_length_s: 160,
          p50_length_s: 120,
          p90_length_s: 300,
        },
      ]);
    });
  });

  describe('top_custom_events', () => {
    it('ranks custom events by count with distinct endpoints, a redelivered event once', async () => {
      // Arrange
      const custom = (type: string, time: string, endpoint: string) =>
        row('app', 'app.custom', time, { event_type: type, endpoint_id: endpoint });
      const dir = await lakeWith([
        custom('level_up', '2026-11-01T10:00:00Z', 'A'),
        custom('level_up', '2026-11-02T10:00:00Z', 'A'),
        custom('level_up', '2026-11-03T10:00:00Z', 'B'),
        row('app', 'app.custom', '2026-11-03T10:00:00Z', {
          event_type: 'level_up',
          endpoint_id: 'B',
          event_id: 'again',
        }),
        row('app', 'app.custom', '2026-11-03T10:00:00Z', {
          event_type: 'level_up',
          endpoint_id: 'B',
          event_id: 'again',
        }),
        custom('share', '2026-11-02T12:00:00Z', 'C'),
        row('app', 'app.session_start', '2026-11-02T12:00:00Z', { endpoint_id: 'C' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'top_custom_events', NOV1);
      // Assert
      expect(rows).toEqual([
        {
          event_type: 'level_up',
          events: 4,
          endpoints: 2,
          first_seen: '2026-11-01T10:00:00.000Z',
          last_seen: '2026-11-03T10:00:00.000Z',
        },
        {
          event_type: 'share',
          events: 1,
          endpoints: 1,
          first_seen: '2026-11-02T12:00:00.000Z',
          last_seen: '2026-11-02T12:00:00.000Z',
        },
      ]);
    });
  });

  describe('purchases', () => {
    it('sums revenue per day, product and currency, never across currencies, a redelivered purchase once', async () => {
      // Arrange: the currency comes from the column or from the _currency attribute
      const buy = (
        endpoint: string,
        currency: string | null,
        attributes: Record<string, string>,
        metrics: Record<string, number>,
      ) =>
        row('app', 'app.purchase', '2026-11-01T10:00:00Z', {
          endpoint_id: endpoint,
          currency,
          attributes,
          metrics,
        });
      const dir = await lakeWith([
        buy('A', 'USD', { _product_id: 'p1' }, { _item_price: 2.5, _quantity: 2 }),
        buy('B', null, { _product_id: 'p1', _currency: 'USD' }, { _item_price: 3 }),
        buy('C', 'EUR', { _product_id: 'p1' }, { _item_price: 10, _quantity: 1 }),
        // the same purchase delivered twice counts once
        row('app', 'app.purchase', '2026-11-01T11:00:00Z', {
          event_id: 'twice',
          endpoint_id: 'C',
          currency: 'EUR',
          attributes: { _product_id: 'p1' },
          metrics: { _item_price: 5 },
        }),
        row('app', 'app.purchase', '2026-11-01T11:00:00Z', {
          event_id: 'twice',
          endpoint_id: 'C',
          currency: 'EUR',
          attributes: { _product_id: 'p1' },
          metrics: { _item_price: 5 },
        }),
      ]);
      // Act
      const rows = await runSaved(dir, 'purchases', NOV1);
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          product_id: 'p1',
          currency: 'EUR',
          purchases: 2,
          units: 2,
          revenue: 15,
          buyers: 1,
        },
        {
          dt: '2026-11-01',
          product_id: 'p1',
          currency: 'USD',
          purchases: 2,
          units: 3,
          revenue: 8,
          buyers: 2,
        },
      ]);
    });
  });

  describe('retention_cohorts', () => {
    it('groups endpoints by the week of their first event and counts them in later weeks', async () => {
      // Arrange: A and B start in the week of Monday 2026-11-02, A returns the next week;
      // C started in October, so it belongs to no reported cohort
      const dir = await lakeWith([
        row('app', 'app.session_start', '2026-11-02T10:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.session_start', '2026-11-10T10:00:00Z', { endpoint_id: 'A' }),
        row('app', 'app.session_start', '2026-11-03T10:00:00Z', { endpoint_id: 'B' }),
        row('app', 'app.session_start', '2026-10-20T10:00:00Z', { endpoint_id: 'C' }),
        row('app', 'app.session_start', '2026-11-03T10:00:00Z', { endpoint_id: 'C' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'retention_cohorts', NOV1);
      // Assert
      expect(rows).toEqual([
        {
          cohort_week: '2026-11-02',
          week_number: 0,
          cohort_endpoints: 2,
          active_endpoints: 2,
          retention_rate: 1,
        },
        {
          cohort_week: '2026-11-02',
          week_number: 1,
          cohort_endpoints: 2,
          active_endpoints: 1,
          retention_rate: 0.5,
        },
      ]);
    });
  });

  describe('app_versions', () => {
    it('counts endpoints and events per platform and app version', async () => {
      // Arrange
      const app = (endpoint: string, platform: string | null, version: string | null) =>
        row('app', 'app.custom', '2026-11-05T10:00:00Z', {
          endpoint_id: endpoint,
          platform,
          app_version: version,
        });
      const dir = await lakeWith([
        app('A', 'ios', '1.0'),
        app('A', 'ios', '1.0'),
        app('B', 'ios', '1.0'),
        app('C', 'android', '2.0'),
        app('D', null, null),
      ]);
      // Act
      const rows = await runSaved(dir, 'app_versions', NOV1);
      // Assert
      const seen = { first_seen: '2026-11-05T10:00:00.000Z', last_seen: '2026-11-05T10:00:00.000Z' };
      expect(rows).toEqual([
        { platform: 'ios', app_version: '1.0', endpoints: 2, events: 3, ...seen },
        { platform: 'android', app_version: '2.0', endpoints: 1, events: 1, ...seen },
        { platform: 'unknown', app_version: 'unknown', endpoints: 1, events: 1, ...seen },
      ]);
    });
  });
});
