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
        endpoint_id,
        cast(dt as date) as active_day
    from events
    where family = 'app'
        and endpoint_id is not null
        and dt between cast(cast(cast(? /* start */ as date) - interval '29' day as date) as varchar) and ? /* end */
),

activity_spans as (
    -- an endpoint stays active from each active day until its next active day, at most 1, 7 or 30 days
    select
        active_day,
        lead(active_day) over (partition by endpoint_id order by active_day) as next_active_day
    from app_activity
),

window_edges as (
    -- +1 where a span opens, -1 where it closes: a running sum then counts the open spans per day,
    -- which is the distinct endpoints active in the window, without joining days to activity
    select active_day as day, 1 as daily_change, 1 as weekly_change, 1 as monthly_change
    from activity_spans
    union all
    select cast(active_day + interval '1' day as date), -1, 0, 0
    from activity_spans
    union all
    select least(coalesce(next_active_day, cast(active_day + interval '7' day as date)), cast(active_day + interval '7' day as date)), 0, -1, 0
    from activity_spans
    union all
    select least(coalesce(next_active_day, cast(active_day + interval '30' day as date)), cast(active_day + interval '30' day as date)), 0, 0, -1
    from activity_spans
),

changes_per_day as (
    select
        day,
        sum(daily_change) as daily_change,
        sum(weekly_change) as weekly_change,
        sum(monthly_change) as monthly_change
    from window_edges
    group by day
),

running_counts as (
    select
        day,
        sum(daily_change) over (order by day rows between unbounded preceding and current row) as daily_active_endpoints,
        sum(weekly_change) over (order by day rows between unbounded preceding and current row) as weekly_active_endpoints,
        sum(monthly_change) over (order by day rows between unbounded preceding and current row) as monthly_active_endpoints
    from changes_per_day
),

final as (
    select
        cast(day as varchar) as dt,
        daily_active_endpoints,
        weekly_active_endpoints,
        monthly_active_endpoints
    from running_counts
    where day between cast(? /* start */ as date) and cast(? /* end */ as date)
        and daily_active_endpoints > 0
)

select * from final
order by dt
