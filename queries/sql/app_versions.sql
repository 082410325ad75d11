-- name: app_versions
-- description: App versions and platforms in use: distinct endpoints and events per platform and app
--   version, with when each was first and last seen in the range.
-- grain: one row per platform and app_version
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   platform: device platform
--   app_version: app version name
--   endpoints: distinct endpoints
--   events: events (each event_id once)
--   first_seen: earliest event_time
--   last_seen: latest event_time
with app_context as (
    -- every measure is distinct or min/max, so redelivered rows need no de-duplication
    select
        coalesce(platform, 'unknown') as platform,
        coalesce(app_version, 'unknown') as app_version,
        endpoint_id,
        event_id,
        event_time
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'app'
),

final as (
    select
        platform,
        app_version,
        count(distinct endpoint_id) as endpoints,
        count(distinct event_id) as events,
        min(event_time) as first_seen,
        max(event_time) as last_seen
    from app_context
    group by platform, app_version
)

select * from final
order by endpoints desc, platform, app_version
