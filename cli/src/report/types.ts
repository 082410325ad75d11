/** What a report is made of: the saved queries' rows, and the sections built from them. */
import type { ResultRow } from '../../../queries/src/types';

/** The saved queries the report runs, all with the same `start` and `end`. */
export const REPORT_QUERIES = [
  'daily_volume',
  'active_endpoints',
  'sessions',
  'top_custom_events',
  'purchases',
  'email_funnel',
  'email_reputation',
  'recipient_domains',
  'sms_delivery',
  'voice_delivery',
  'campaign_performance',
  'journey_performance',
] as const;

export type ReportQueryName = (typeof REPORT_QUERIES)[number];

/** Everything the page shows, as the runners returned it. */
export interface ReportData {
  /** The days reported (dt, UTC), inclusive. */
  readonly start: string;
  readonly end: string;
  /** Where the rows came from, e.g. `DuckDB on ./lake` or `Athena workgroup wg, database db`. */
  readonly source: string;
  readonly rows: Record<ReportQueryName, ResultRow[]>;
  /** Failed records by reason from the error output; null where the engine cannot read it. */
  readonly failedRecords: ResultRow[];
}

export type NumberFormat = 'count' | 'percent' | 'usd' | 'amount' | 'seconds';

/** One headline figure; `key` names it for tests and links (`email.sent`). */
export interface KeyNumber {
  readonly key: string;
  readonly label: string;
  readonly value: number | null;
  readonly format: NumberFormat;
  /** Shown after the value, e.g. a currency code. */
  readonly unit?: string;
}

/** One chart: an Apache ECharts option, plain JSON, and the saved query it shows. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  /** Null when the query returned no rows for it: the page says so instead of drawing. */
  readonly option: Record<string, unknown> | null;
}

export interface TableColumn {
  readonly name: string;
  readonly label: string;
  readonly format?: NumberFormat;
}

/** A sortable table of a saved query's rows. */
export interface TableSpec {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly columns: TableColumn[];
  readonly rows: ResultRow[];
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  /** True when none of the section's queries returned a row: the page says "no data". */
  readonly empty: boolean;
  readonly keyNumbers: KeyNumber[];
  readonly charts: ChartSpec[];
  readonly tables: TableSpec[];
  /** Short notes under the section (limits of what is shown). */
  readonly notes?: string[];
}
