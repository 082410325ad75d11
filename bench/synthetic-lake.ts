/**
 * Builds a large synthetic lake quickly: one DuckDB `COPY … PARTITION_BY (family, dt)` from a SELECT
 * over `range()`, with every column of `COLUMNS` typed from `TYPE_MAPPINGS`. The mix of families,
 * event names, endpoints, messages and prices mimics a real engagement stream roughly: most traffic
 * is app and email; email steps thin out from send to delivered, open and click, with about 1.5%
 * hard bounces and 0.1% complaints; SMS is mostly delivered; about 1% of rows are redelivered copies. Used by bench/queries.ts and by the "every query runs" test.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { COLUMNS, TYPE_MAPPINGS } from '../transform/src/schema';

/** Options of `buildSyntheticLake`. */
export interface SyntheticLakeOptions {
  readonly events: number;
  readonly days: number;
  /** Last day (UTC) of the data, `YYYY-MM-DD`. */
  readonly endDate: string;
}

/** Per-column expressions over `i` (the row number); columns not listed are typed nulls. */
function expressions(days: number, endDate: string): Record<string, string> {
  const day = `(hash(i * 7) % ${days})`;
  const time = `(date '${endDate}' - to_days(cast(${day} as integer)) + to_seconds(cast(hash(i * 11) % 86400 as integer)) + to_milliseconds(cast(i % 1000 as integer)))`;
  const kind = 'bucket'; // 0..99, picks the family mix
  return {
    event_id: `md5(cast(i as varchar))[1:32]`,
    source_format: `case when i % 2 = 0 then 'pinpoint' when ${kind} between 30 and 69 then 'ses' else 'sms_voice_v2' end`,
    event_type: `case when event_name = 'app.custom' then ['level_up', 'share', 'add_to_cart', 'search'][1 + cast(i % 4 as integer)] else event_name end`,
    event_name: 'event_name', // chosen in the inner select
    event_time: time,
    arrival_time: `${time} + to_milliseconds(cast(hash(i) % 5000 as integer))`,
    time_source: `'event'`,
    endpoint_id: `case when ${kind} < 30 or ${kind} >= 85 then 'ep-' || cast(hash(i * 17) % 200000 as varchar) end`,
    session_id: `case when ${kind} < 30 then 's-' || cast(i // 3 as varchar) end`,
    session_start_time: `case when event_name = 'app.session_stop' then ${time} - to_seconds(cast(hash(i * 19) % 1800 as integer)) end`,
    session_stop_time: `case when event_name = 'app.session_stop' then ${time} end`,
    app_version: `case when ${kind} < 30 then ['1.0', '1.1', '2.0'][1 + cast(i % 3 as integer)] end`,
    platform: `case when ${kind} < 30 then ['ios', 'android'][1 + cast(i % 2 as integer)] end`,
    message_id: `case when ${kind} >= 30 and ${kind} < 85 then 'msg-' || cast(hash(i * 23) % 400000 as varchar) end`,
    campaign_id: `case when ${kind} >= 85 and ${kind} < 93 or (${kind} between 30 and 69 and i % 3 = 0) then 'c' || cast(i % 20 as varchar) end`,
    treatment_id: `case when ${kind} >= 85 and ${kind} < 93 then cast(i % 2 as varchar) end`,
    journey_id: `case when ${kind} >= 93 then 'j' || cast(i % 5 as varchar) end`,
    journey_activity_id: `case when ${kind} >= 93 then 'a' || cast(i % 4 as varchar) end`,
    journey_run_id: `case when ${kind} >= 93 then 'r' || cast(i % 9 as varchar) end`,
    status: `case when event_name in ('campaign.send', 'journey.send') then case when i % 20 = 0 then 'FAILURE' else 'SUCCESS' end end`,
    destination: `case when ${kind} between 30 and 69 then 'user' || cast(hash(i * 29) % 100000 as varchar) || '@' || ['example.com', 'mail.test', 'corp.example'][1 + cast(i % 3 as integer)]
      when ${kind} between 70 and 84 then '+1555' || cast(hash(i * 29) % 1000000 as varchar) end`,
    recipients: `case when ${kind} between 30 and 69 then [destination] end`,
    affected_recipients: `case when event_name in ('email.hard_bounce', 'email.soft_bounce', 'email.complaint') then [destination] end`,
    country: `case when ${kind} between 70 and 84 then ['US', 'GB', 'DE', 'IN'][1 + cast(i % 4 as integer)] end`,
    message_parts: `case when ${kind} between 70 and 84 then 1 + cast(i % 2 as integer) end`,
    price_usd: `case when ${kind} between 70 and 84 then 0.00645 end`,
    currency: `case when event_name = 'app.purchase' then ['USD', 'EUR'][1 + cast(i % 2 as integer)] end`,
    is_bot: `case when event_name in ('email.open', 'email.click') then i % 10 = 0 end`,
    attributes: `case when event_name = 'app.purchase' then map {'_product_id': 'p' || cast(i % 50 as varchar)} end`,
    metrics: `case when event_name = 'app.purchase' then map {'_item_price': 0.99 + (i % 10), '_quantity': 1 + (i % 3)} end`,
    raw: `'{"synthetic":' || cast(i as varchar) || '}'`,
  };
}

/** Writes `events` synthetic rows over `days` days ending `endDate` into `<dir>/events/`. */
export async function buildSyntheticLake(dir: string, options: SyntheticLakeOptions): Promise<void> {
  const exprs = expressions(options.days, options.endDate);
  const select = COLUMNS.map(
    (c) => `cast(${exprs[c.name] ?? 'null'} as ${TYPE_MAPPINGS[c.type].duckdb}) as ${c.name}`,
  ).join(',\n');
  const sql = `copy (
    with base as (
      select i, cast(hash(i * 3) % 100 as integer) as bucket, cast(hash(i * 13) % 1000 as integer) as pick
      -- every 100th row is a redelivered copy of the row before: same event, same partition
      from (select case when range % 100 = 99 then range - 1 else range end as i from range(${options.events}))
    ),
    named as (select i, bucket, pick, ${EVENT_NAME} as event_name from base)
    select ${select}, split_part(event_name, '.', 1) as family, strftime(${exprs.event_time}, '%Y-%m-%d') as dt
    from named
  ) to '${dir.replace(/'/g, "''")}/events' (format parquet, partition_by (family, dt), overwrite_or_ignore true, filename_pattern 'part-{i}')`;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run("set TimeZone = 'UTC'");
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const EVENT_NAME = `case
    when bucket < 30 then ['app.session_start', 'app.session_stop', 'app.custom', 'app.custom', 'app.purchase'][1 + cast(i % 5 as integer)]
    when bucket < 70 then case
      when pick < 400 then 'email.send' when pick < 780 then 'email.delivered' when pick < 900 then 'email.open'
      when pick < 940 then 'email.click' when pick < 955 then 'email.hard_bounce' when pick < 965 then 'email.soft_bounce'
      when pick < 966 then 'email.complaint' when pick < 969 then 'email.unsubscribe' else 'email.delivered' end
    when bucket < 85 then case
      when pick < 300 then 'sms.send' when pick < 500 then 'sms.buffered' when pick < 950 then 'sms.delivered'
      when pick < 990 then 'sms.failed' else 'sms.opt_out' end
    when bucket < 93 then ['campaign.send', 'campaign.send', 'campaign.opened_notification', 'campaign.received_foreground'][1 + cast(i % 4 as integer)]
    else ['journey.send', 'journey.send', 'journey.opened_notification'][1 + cast(i % 3 as integer)] end`;
