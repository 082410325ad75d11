/** Volume: events per day by family (daily_volume) and failed records by reason (error output). */
import { largest, pivot, sumBy, sumColumn } from '../aggregate';
import { horizontalBars, stackedBars } from '../charts';
import type { ReportData, Section } from '../types';

export function volumeSection(data: ReportData): Section {
  const volume = data.rows.daily_volume;
  const failed = data.failedRecords;
  return {
    id: 'volume',
    title: 'Volume',
    intro: 'Events stored per day by family, and the records that could not become a row.',
    empty: volume.length === 0 && failed.length === 0,
    keyNumbers: [
      { key: 'volume.events', label: 'events', value: sumColumn(volume, 'events'), format: 'count' },
      {
        key: 'volume.rows_received',
        label: 'rows stored (redelivered copies included)',
        value: sumColumn(volume, 'rows_received'),
        format: 'count',
      },
      {
        key: 'volume.failed_records',
        label: 'failed records',
        value: sumColumn(failed, 'records'),
        format: 'count',
      },
    ],
    charts: [
      {
        id: 'volume-by-family',
        title: 'Events per day by family',
        source: 'daily_volume',
        option: volume.length ? stackedBars(pivot(volume, 'dt', 'family', 'events'), 'events') : null,
      },
      {
        id: 'failed-by-reason',
        title: 'Failed records by reason',
        source: 'error output (errors/)',
        option: failed.length
          ? horizontalBars(largest(sumBy(failed, 'reason', 'records'), 20), 'records')
          : null,
      },
    ],
    tables: [],
  };
}
