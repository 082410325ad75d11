/** App: active endpoints, sessions, top custom events and revenue by currency. */
import type { ResultRow } from '../../../../queries/src/types';
import { largest, sumBy, sumColumn, weightedRate } from '../aggregate';
import { daySeries, horizontalBars, valueAxis } from '../charts';
import type { KeyNumber, ReportData, Section } from '../types';

const column = (rows: ResultRow[], name: string): (number | null)[] =>
  rows.map((row) => (row[name] === null || row[name] === undefined ? null : Number(row[name])));

export function appSection(data: ReportData): Section {
  const { active_endpoints: active, sessions, top_custom_events: custom, purchases } = data.rows;
  const last = active[active.length - 1];
  const revenue = largest(sumBy(purchases, 'currency', 'revenue'), 50);
  const keyNumbers: KeyNumber[] = [
    {
      key: 'app.daily_active',
      label: `daily active endpoints${last ? ` (${String(last.dt)})` : ''}`,
      value: last ? Number(last.daily_active_endpoints) : null,
      format: 'count',
    },
    {
      key: 'app.monthly_active',
      label: `monthly active endpoints${last ? ` (30 days to ${String(last.dt)})` : ''}`,
      value: last ? Number(last.monthly_active_endpoints) : null,
      format: 'count',
    },
    {
      key: 'app.sessions',
      label: 'sessions (per-day counts, added)',
      value: sumColumn(sessions, 'sessions'),
      format: 'count',
    },
    {
      key: 'app.avg_session_length',
      label: 'average session length',
      value: weightedRate(sessions, 'avg_length_s', 'sessions_with_length'),
      format: 'seconds',
    },
    ...revenue.slice(0, 4).map(([currency, amount]): KeyNumber => ({
      key: `app.revenue.${currency}`,
      label: 'revenue',
      value: Math.round(amount * 100) / 100,
      format: 'amount',
      unit: currency,
    })),
  ];
  return {
    id: 'app',
    title: 'App',
    intro: 'Active endpoints, sessions, the most frequent custom events and purchases.',
    empty: [active, sessions, custom, purchases].every((rows) => rows.length === 0),
    keyNumbers,
    charts: [
      {
        id: 'active-endpoints',
        title: 'Daily, weekly and monthly active endpoints',
        source: 'active_endpoints',
        option: active.length
          ? daySeries(
              active.map((row) => String(row.dt)),
              [
                { name: 'daily', data: column(active, 'daily_active_endpoints') },
                { name: 'weekly', data: column(active, 'weekly_active_endpoints') },
                { name: 'monthly', data: column(active, 'monthly_active_endpoints') },
              ],
              [valueAxis('endpoints')],
            )
          : null,
      },
      {
        id: 'sessions',
        title: 'Sessions per day and session length',
        source: 'sessions',
        option: sessions.length
          ? daySeries(
              sessions.map((row) => String(row.dt)),
              [
                { name: 'sessions', data: column(sessions, 'sessions'), bars: true },
                { name: 'median length (s)', data: column(sessions, 'p50_length_s'), axis: 1 },
                { name: 'p90 length (s)', data: column(sessions, 'p90_length_s'), axis: 1 },
              ],
              [valueAxis('sessions'), valueAxis('seconds')],
            )
          : null,
      },
      {
        id: 'top-custom-events',
        title: 'Top custom events',
        source: 'top_custom_events',
        option: custom.length
          ? horizontalBars(
              custom.slice(0, 12).map((row) => [String(row.event_type), Number(row.events)]),
              'events',
            )
          : null,
      },
      {
        id: 'revenue-by-currency',
        title: 'Revenue by currency',
        source: 'purchases',
        option: revenue.length
          ? horizontalBars(
              revenue.map(([currency, amount]) => [currency, Math.round(amount * 100) / 100]),
              'revenue (own currency)',
            )
          : null,
      },
    ],
    tables: [],
    notes: ['Amounts in different currencies are never added up: one bar per currency.'],
  };
}
