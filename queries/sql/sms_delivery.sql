-- name: sms_delivery
-- description: SMS delivery rate and spend per day and destination country, across Pinpoint and End
--   User Messaging. A message counts once on the day of its first event; its price is the highest any
--   of its events reports (a price repeated on several status events is not added twice).
-- grain: one row per dt and country
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC) of the message's first event
--   country: ISO 3166-1 alpha-2 destination country ('unknown' when not reported)
--   messages: distinct messages
--   delivered: messages with a delivered status
--   failed: messages with a failed status
--   opted_out: messages whose recipient had opted out
--   delivery_rate: delivered / messages
--   parts: SMS parts billed
--   spend_usd: message price plus carrier fees, US dollars
with sms_status_events as (
    select
        message_id,
        dt,
        event_name,
        country,
        message_parts,
        price_usd,
        carrier_fee_usd
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'sms'
        and message_id is not null
),

messages as (
    select
        message_id,
        min(dt) as dt,
        coalesce(max(country), 'unknown') as country,
        max(case when event_name = 'sms.delivered' then 1 else 0 end) as is_delivered,
        max(case when event_name = 'sms.failed' then 1 else 0 end) as is_failed,
        max(case when event_name = 'sms.opt_out' then 1 else 0 end) as is_opted_out,
        coalesce(max(message_parts), 0) as parts,
        coalesce(max(price_usd), 0) + coalesce(max(carrier_fee_usd), 0) as spend_usd
    from sms_status_events
    group by message_id
),

final as (
    select
        dt,
        country,
        count(*) as messages,
        sum(is_delivered) as delivered,
        sum(is_failed) as failed,
        sum(is_opted_out) as opted_out,
        round(cast(sum(is_delivered) as double) / count(*), 4) as delivery_rate,
        sum(parts) as parts,
        round(sum(spend_usd), 6) as spend_usd
    from messages
    group by dt, country
)

select * from final
order by dt, country
