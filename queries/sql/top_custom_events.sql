-- name: top_custom_events
-- description: The 50 most frequent custom app events (event_name app.custom, named by event_type),
--   with the distinct endpoints that sent them.
-- grain: one row per custom event type, at most 50
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   event_type: the app's own event name
--   events: events (each event_id once)
--   endpoints: distinct endpoints
--   first_seen: earliest event_time
--   last_seen: latest event_time
with custom_events as (
    -- every measure is distinct or min/max, so redelivered rows need no de-duplication
    select
        event_type,
        endpoint_id,
        event_id,
        event_time
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'app'
        and event_name = 'app.custom'
),

final as (
    select
        event_type,
        count(distinct event_id) as events,
        count(distinct endpoint_id) as endpoints,
        min(event_time) as first_seen,
        max(event_time) as last_seen
    from custom_events
    group by event_type
)

select * from final
order by events desc, event_type
limit 50
