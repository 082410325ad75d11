-- name: sessions
-- description: App sessions per day, with the average, median (p50) and p90 session length. A session
--   counts on the day of its events; lengths come from session stop events that carry both the start
--   and the stop time.
-- grain: one row per dt
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC)
--   sessions: distinct session ids with a session event that day
--   endpoints: distinct endpoints with a session event that day
--   sessions_with_length: stopped sessions whose length is known
--   avg_length_s: average session length, seconds
--   p50_length_s: median session length, seconds
--   p90_length_s: 90th percentile session length, seconds
with session_events as (
    -- feeds distinct counts only, so redelivered rows need no de-duplication
    select
        dt,
        session_id,
        endpoint_id
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'app'
        and event_name in ('app.session_start', 'app.session_stop', 'app.session_pause', 'app.session_resume')
),

stop_rows as (
    -- narrowed to stops first, then de-duplicated (a redelivered stop would count its length twice)
    select
        dt,
        session_start_time,
        session_stop_time,
        row_number() over (
            partition by dt, family, event_id
            order by arrival_time asc nulls last, transform_version desc nulls last
        ) as copy_number
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'app'
        and event_name = 'app.session_stop'
),

session_lengths as (
    select
        dt,
        cast(date_diff('millisecond', session_start_time, session_stop_time) as double) / 1000 as length_s
    from stop_rows
    where copy_number = 1
        and session_start_time is not null
        and session_stop_time >= session_start_time
),

sessions_per_day as (
    select
        dt,
        count(distinct session_id) as sessions,
        count(distinct endpoint_id) as endpoints
    from session_events
    group by dt
),

lengths_per_day as (
    select
        dt,
        count(*) as sessions_with_length,
        round(avg(length_s), 3) as avg_length_s,
        approx_percentile(length_s, 0.5) as p50_length_s,
        approx_percentile(length_s, 0.9) as p90_length_s
    from session_lengths
    group by dt
),

final as (
    select
        sessions_per_day.dt,
        sessions_per_day.sessions,
        sessions_per_day.endpoints,
        coalesce(lengths_per_day.sessions_with_length, 0) as sessions_with_length,
        lengths_per_day.avg_length_s,
        lengths_per_day.p50_length_s,
        lengths_per_day.p90_length_s
    from sessions_per_day
    left join lengths_per_day
        on sessions_per_day.dt = lengths_per_day.dt
)

select * from final
order by dt
