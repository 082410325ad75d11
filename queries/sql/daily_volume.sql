-- name: daily_volume
-- description: Events per day by family and normalised event name, with the number of distinct
--   sources and how many rows were redelivered copies.
-- grain: one row per dt, family and event_name
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC)
--   family: event family
--   event_name: normalised event name
--   events: events, each event_id counted once
--   rows_received: rows in the lake, redelivered copies included
--   source_formats: distinct source formats (pinpoint, ses, sms_voice_v2, ...)
with events_in_range as (
    select
        dt,
        family,
        event_name,
        event_id,
        source_format
    from events
    where dt between ? /* start */ and ? /* end */
),

final as (
    select
        dt,
        family,
        event_name,
        count(distinct event_id) as events,
        count(*) as rows_received,
        count(distinct source_format) as source_formats
    from events_in_range
    group by dt, family, event_name
)

select * from final
order by dt, family, event_name
