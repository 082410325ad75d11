/**
 * The one definition of the `events` table. Every consumer derives its column list from `COLUMNS`:
 * the Glue table (infra), the Arrow schema of the local Parquet files (local), the DuckDB read
 * projection (queries), the row type and the docs table (`docs/schema.md`). Tests fail when any of
 * them drifts from this list.
 *
 * Schema changes are additive only: a new column is nullable and goes at the end, so files written
 * before it still read under the new table.
 *
 * @see ../../../shared/design/event-model.md (the contract this file implements)
 */

/** Logical column types. Each maps to one physical type per engine in `TYPE_MAPPINGS`. */
export type LogicalType =
  | 'string'
  | 'timestamp'
  | 'int'
  | 'double'
  | 'boolean'
  | 'array<string>'
  | 'map<string,string>'
  | 'map<string,double>';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: LogicalType;
  /** False only for the columns the transform guarantees (the event model's never-null list). */
  readonly nullable: boolean;
  readonly doc: string;
}

/** How a logical type is spelt by each engine. Timestamps are milliseconds in UTC everywhere. */
export const TYPE_MAPPINGS = {
  string: { glue: 'string', duckdb: 'VARCHAR', trino: 'varchar' },
  timestamp: { glue: 'timestamp', duckdb: 'TIMESTAMP', trino: 'timestamp(3)' },
  int: { glue: 'int', duckdb: 'INTEGER', trino: 'integer' },
  double: { glue: 'double', duckdb: 'DOUBLE', trino: 'double' },
  boolean: { glue: 'boolean', duckdb: 'BOOLEAN', trino: 'boolean' },
  'array<string>': { glue: 'array<string>', duckdb: 'VARCHAR[]', trino: 'array(varchar)' },
  'map<string,string>': {
    glue: 'map<string,string>',
    duckdb: 'MAP(VARCHAR, VARCHAR)',
    trino: 'map(varchar,varchar)',
  },
  'map<string,double>': {
    glue: 'map<string,double>',
    duckdb: 'MAP(VARCHAR, DOUBLE)',
    trino: 'map(varchar,double)',
  },
} as const satisfies Record<LogicalType, { glue: string; duckdb: string; trino: string }>;

/** Declares a column; generic so that `EventRow` keeps each column's own name, type and nullability. */
function col<const N extends string, const T extends LogicalType, const NN extends boolean = true>(
  name: N,
  type: T,
  doc: string,
  nullable: NN = true as NN,
): { readonly name: N; readonly type: T; readonly nullable: NN; readonly doc: string } {
  return { name, type, nullable, doc };
}

export const COLUMNS = [
  col(
    'event_id',
    'string',
    "SHA-256 (hex, first 32 chars) of the event's own JSON text, trimmed; stable across redelivery",
    false,
  ),
  col(
    'source_format',
    'string',
    '`pinpoint`, `pinpoint_legacy`, `ses`, `ses_notification`, `sms_voice_v2`, with `+eventbridge`/`+sns` when wrapped',
    false,
  ),
  col('event_type', 'string', "The source's own event type string, as sent", false),
  col(
    'event_name',
    'string',
    'Normalised `<family>.<action>` name, the same for the same thing in every source',
    false,
  ),
  col(
    'event_time',
    'timestamp',
    'When the event happened, per the source (falls back to `arrival_time`)',
    false,
  ),
  col('arrival_time', 'timestamp', 'When the service received the event; null when unknown'),
  col(
    'time_source',
    'string',
    "`event` when `event_time` is the source's own time, `arrival` when it fell back",
    false,
  ),
  col('event_version', 'string', "The source's schema version"),
  col('transform_version', 'string', 'Version of the transform that wrote the row'),
  col('app_id', 'string', 'Pinpoint project id'),
  col('account_id', 'string', 'AWS account that sent the message or owns the source'),
  col('endpoint_id', 'string', 'Pinpoint `client.client_id`; null for SES and End User Messaging'),
  col('user_id', 'string', "The endpoint's `User.UserId`, when present"),
  col('session_id', 'string', 'App session id'),
  col('session_start_time', 'timestamp', 'App session start'),
  col('session_stop_time', 'timestamp', 'App session stop'),
  col('app_title', 'string', 'App title'),
  col('app_package', 'string', 'App package name'),
  col('app_version', 'string', 'App version name'),
  col('app_version_code', 'string', 'App version code'),
  col('sdk_name', 'string', 'SDK that reported the event'),
  col('sdk_version', 'string', 'SDK version'),
  col('platform', 'string', 'Device platform (OS) name'),
  col('platform_version', 'string', 'Device platform version'),
  col('device_make', 'string', 'Device manufacturer'),
  col('device_model', 'string', 'Device model'),
  col('locale', 'string', 'Device locale code'),
  col('message_id', 'string', "Per-message id: the join key between one message's events"),
  col('campaign_id', 'string', 'Pinpoint campaign id'),
  col('campaign_activity_id', 'string', 'Pinpoint campaign activity id'),
  col('treatment_id', 'string', 'Pinpoint campaign treatment id'),
  col('journey_id', 'string', 'Pinpoint journey id'),
  col('journey_run_id', 'string', 'Pinpoint journey run id'),
  col('journey_activity_id', 'string', 'Pinpoint journey activity id'),
  col('status', 'string', "The source's detailed status (record status, bounce sub-type, send status…)"),
  col('status_code', 'string', 'Detailed status code'),
  col('status_message', 'string', 'Detailed status text'),
  col('origination', 'string', 'Sender address or number (personal data)'),
  col('destination', 'string', 'First recipient address or number (personal data)'),
  col('recipients', 'array<string>', 'Every recipient (personal data)'),
  col(
    'affected_recipients',
    'array<string>',
    'Recipients a bounce, complaint or delay concerns (personal data)',
  ),
  col('country', 'string', 'ISO 3166-1 alpha-2 country of the destination'),
  col('carrier', 'string', 'Mobile carrier name'),
  col('message_type', 'string', '`PROMOTIONAL` or `TRANSACTIONAL`, upper-cased'),
  col('message_parts', 'int', 'Number of SMS parts'),
  col('price_usd', 'double', 'Price of the message in US dollars'),
  col('carrier_fee_usd', 'double', 'Carrier fee in US dollars'),
  col('call_duration_s', 'int', 'Voice call duration in seconds'),
  col('currency', 'string', 'Purchase currency'),
  col('subject', 'string', 'Email subject'),
  col('link', 'string', 'Clicked link'),
  col('ip_address', 'string', 'IP address of an open or click (personal data)'),
  col('user_agent', 'string', 'User agent of an open or click'),
  col('is_bot', 'boolean', 'SES judged the open or click likely to be a bot'),
  col('bounce_type', 'string', 'Email bounce type'),
  col('bounce_subtype', 'string', 'Email bounce sub-type'),
  col('smtp_response', 'string', 'Remote SMTP response or diagnostic code'),
  col('complaint_type', 'string', 'SES complaint feedback type'),
  col('is_final', 'boolean', 'End User Messaging: this status is final'),
  col('attributes', 'map<string,string>', 'Every Pinpoint attribute, custom or system, as sent'),
  col('metrics', 'map<string,double>', 'Every Pinpoint metric, custom metrics included'),
  col(
    'tags',
    'map<string,string>',
    'SES tags (arrays joined with `,`), End User Messaging `context`, parsed `customer_context`',
  ),
  col('extra', 'map<string,string>', 'Every other leaf of the source: path → JSON text'),
  col('raw', 'string', "The event's own JSON text as received"),
] as const satisfies readonly ColumnDefinition[];

export type ColumnName = (typeof COLUMNS)[number]['name'];

/** In-memory value of each logical type. Timestamps are epoch milliseconds (UTC). */
interface TsTypes {
  string: string;
  timestamp: number;
  int: number;
  double: number;
  boolean: boolean;
  'array<string>': string[];
  'map<string,string>': Record<string, string>;
  'map<string,double>': Record<string, number>;
}

type ColumnOf<N extends ColumnName> = Extract<(typeof COLUMNS)[number], { name: N }>;
type NonNullColumns = Extract<(typeof COLUMNS)[number], { nullable: false }>['name'];

/** One row of the `events` table, derived from `COLUMNS`. */
export type EventRow = {
  [N in ColumnName]: N extends NonNullColumns
    ? TsTypes[ColumnOf<N>['type']]
    : TsTypes[ColumnOf<N>['type']] | null;
};

/** Partition columns: they live in the path (`family=…/dt=…/`), never inside the data files. */
export const PARTITION_KEYS = [
  { name: 'family', type: 'string', doc: 'Event family (closed set, see `FAMILIES`)' },
  {
    name: 'dt',
    type: 'string',
    doc: 'UTC date `YYYY-MM-DD` of `event_time` (see the event model for the fallback and clamp)',
  },
] as const;

/** The closed set of families, so Athena partition projection can enumerate it. */
export const FAMILIES = [
  'app',
  'campaign',
  'journey',
  'email',
  'sms',
  'mms',
  'voice',
  'rcs',
  'in_app',
  'other',
] as const;
export type Family = (typeof FAMILIES)[number];

export interface PartitionKeys {
  family: Family;
  dt: string;
}

/** Default first day of the `dt` projection range. */
export const DEFAULT_DT_START = '2015-01-01';

// Rows are made once per event: a spread of this template (never changed itself) is a plain copy
// with fast properties, while adding 64 keys one by one would leave a slow dictionary-mode object.
const EMPTY_ROW = (() => {
  const row = {} as Record<string, unknown>;
  for (const column of COLUMNS) row[column.name] = null;
  return { ...row } as { [N in ColumnName]: EventRow[N] | null };
})();

/** An empty row: every column null. Flatteners fill what they know. */
export function emptyRow(): { [N in ColumnName]: EventRow[N] | null } {
  return { ...EMPTY_ROW };
}

/** The Glue/Hive column list of the `events` table (storage descriptor columns, in order). */
export function glueColumns(): { name: string; type: string; comment: string }[] {
  return COLUMNS.map((c) => ({ name: c.name, type: TYPE_MAPPINGS[c.type].glue, comment: c.doc }));
}

/** The Markdown column table for `docs/schema.md`. */
export function schemaMarkdownTable(): string {
  const lines = ['| column | type | nullable | meaning |', '|---|---|---|---|'];
  for (const c of COLUMNS) lines.push(`| ${c.name} | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${c.doc} |`);
  for (const p of PARTITION_KEYS) lines.push(`| ${p.name} (partition) | ${p.type} | no | ${p.doc} |`);
  return lines.join('\n') + '\n';
}
