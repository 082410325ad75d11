-- name: active_endpoints
-- description: Daily, weekly and monthly active endpoints: distinct app endpoints with any app event
--   on the day, in the 7 days and in the 30 days ending that day (the windows look back before start).
-- grain: one row per dt that had app activity
-- params:
--   start date = today-30d: first day reported (dt, UTC), inclusive
--   end date = today: last day reported (dt, UTC), inclusive
-- columns:
--   dt: day (UTC)
--   daily_active_endpoints: distinct endpoints active on the day
--   weekly_active_endpoints: distinct endpoints active in the 7 days ending on the day
--   monthly_active_endpoints: distinct endpoints active in the 30 days ending on the day
with app_activity as (
    -- distinct counts need no de-duplication, so this reads events, not events_unique
    select distinct
        dt,
        endpoint_id
    from events
    where family = 'app'
        and endpoint_id is not null
        and dt between cast(cast(cast(? /* start */ as date) - interval '29' day as date) as varchar) and ? /* end */
),

report_days as (
    select distinct
        dt,
        cast(dt as date) as day
    from app_activity
    where dt between ? /* start */ and ? /* end */
),

activity_in_window as (
    select
        report_days.dt,
        report_days.day,
        cast(app_activity.dt as date) as active_day,
        app_activity.endpoint_id
    from report_days
    inner join app_activity
        on cast(app_activity.dt as date) between report_days.day - interval '29' day and report_days.day
),

final as (
    select
        dt,
        count(distinct case when active_day = day then endpoint_id end) as daily_active_endpoints,
        count(distinct case when active_day > day - interval '7' day then endpoint_id end) as weekly_active_endpoints,
        count(distinct endpoint_id) as monthly_active_endpoints
    from activity_in_window
    group by dt
)

select * from final
order by dt
