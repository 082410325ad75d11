-- name: retention_cohorts
-- description: Weekly retention: endpoints grouped by the ISO week (Monday) of their first app event
--   since history_start, and how many of each cohort were active in each later week up to end.
-- grain: one row per cohort week and week number
-- params:
--   start date = today-30d: first day of the cohorts reported (dt, UTC)
--   end date = today: last day of activity counted (dt, UTC), inclusive
--   history_start date = 2015-01-01: first day searched for an endpoint's first activity
-- columns:
--   cohort_week: Monday of the week of the endpoint's first app event
--   week_number: weeks since the cohort week (0 is the cohort week itself)
--   cohort_endpoints: endpoints in the cohort
--   active_endpoints: cohort endpoints active in that week
--   retention_rate: active_endpoints / cohort_endpoints
with app_activity as (
    select distinct
        endpoint_id,
        cast(date_trunc('week', cast(dt as date)) as date) as activity_week
    from events
    where family = 'app'
        and endpoint_id is not null
        and dt between ? /* history_start */ and ? /* end */
),

first_weeks as (
    select
        endpoint_id,
        min(activity_week) as cohort_week
    from app_activity
    group by endpoint_id
),

cohorts as (
    select
        endpoint_id,
        cohort_week
    from first_weeks
    where cohort_week >= cast(date_trunc('week', cast(? /* start */ as date)) as date)
),

cohort_sizes as (
    select
        cohort_week,
        count(*) as cohort_endpoints
    from cohorts
    group by cohort_week
),

cohort_activity as (
    select
        cohorts.cohort_week,
        date_diff('week', cohorts.cohort_week, app_activity.activity_week) as week_number,
        count(distinct cohorts.endpoint_id) as active_endpoints
    from cohorts
    inner join app_activity
        on cohorts.endpoint_id = app_activity.endpoint_id
    group by 1, 2
),

final as (
    select
        cohort_activity.cohort_week,
        cohort_activity.week_number,
        cohort_sizes.cohort_endpoints,
        cohort_activity.active_endpoints,
        round(cast(cohort_activity.active_endpoints as double) / cohort_sizes.cohort_endpoints, 4) as retention_rate
    from cohort_activity
    inner join cohort_sizes
        on cohort_activity.cohort_week = cohort_sizes.cohort_week
)

select * from final
order by cohort_week, week_number
