-- name: voice_delivery
-- description: Voice delivery rate and spend per day and destination country (End User Messaging
--   voice, VOICE_* events). A call counts once, on the day of its first event; it is completed when
--   it was answered or completed (an answered call whose completion is not in the lake still
--   counts); events up to one day after end complete a call started in the range, and calls first
--   seen the day before start are left out. Its price is the highest any of its events reports (a
--   price repeated on several status events is not added twice).
-- grain: one row per dt and country
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC) of the call's first event
--   country: ISO 3166-1 alpha-2 destination country ('unknown' when not reported)
--   calls: distinct calls (message_id)
--   completed: calls answered or completed
--   delivery_rate: completed / calls
--   spend_usd: call price, US dollars
with voice_status_events as (
    -- one read from the day before start (to recognise calls started before start) to the day after
    -- end (a call started late on the last day completes after midnight)
    select
        message_id,
        dt,
        event_name,
        country,
        price_usd
    from events
    where dt between cast(cast(cast(? /* start */ as date) - interval '1' day as date) as varchar) and cast(cast(cast(? /* end */ as date) + interval '1' day as date) as varchar)
        and family = 'voice'
        and message_id is not null
),

calls as (
    select
        message_id,
        min(dt) as dt,
        coalesce(max(country), 'unknown') as country,
        max(case when event_name in ('voice.answered', 'voice.completed') then 1 else 0 end) as is_completed,
        coalesce(max(price_usd), 0) as spend_usd
    from voice_status_events
    group by message_id
),

final as (
    select
        dt,
        country,
        count(*) as calls,
        sum(is_completed) as completed,
        round(cast(sum(is_completed) as double) / count(*), 4) as delivery_rate,
        round(sum(spend_usd), 6) as spend_usd
    from calls
    -- leaves out calls first seen the day before start or the day after end
    where dt between ? /* start */ and ? /* end */
    group by dt, country
)

select * from final
order by dt, country
