-- name: email_reputation
-- description: Email bounce and complaint rates per day against Amazon SES's reputation thresholds:
--   bounce rate 5% warning and 10% review; complaint rate 0.1% warning and 0.5% review. Rates are
--   hard bounces and complaints over messages sent that day (SES counts permanent bounces only).
-- grain: one row per dt
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   dt: day (UTC)
--   sent: distinct messages sent
--   hard_bounces: distinct messages with a permanent bounce
--   soft_bounces: distinct messages with a transient or undetermined bounce
--   complaints: distinct messages with a complaint
--   bounce_rate: hard_bounces / sent
--   complaint_rate: complaints / sent
--   bounce_status: ok, warning (at least 5%) or review (at least 10%)
--   complaint_status: ok, warning (at least 0.1%) or review (at least 0.5%)
with outcome_events as (
    -- one row per (day, message, step): counting rows then counts distinct messages
    select distinct
        dt,
        message_id,
        event_name
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'email'
        and message_id is not null
        and event_name in ('email.send', 'email.hard_bounce', 'email.soft_bounce', 'email.complaint')
),

daily_counts as (
    select
        dt,
        sum(case when event_name = 'email.send' then 1 else 0 end) as sent,
        sum(case when event_name = 'email.hard_bounce' then 1 else 0 end) as hard_bounces,
        sum(case when event_name = 'email.soft_bounce' then 1 else 0 end) as soft_bounces,
        sum(case when event_name = 'email.complaint' then 1 else 0 end) as complaints
    from outcome_events
    group by dt
),

rates as (
    select
        *,
        cast(hard_bounces as double) / nullif(sent, 0) as bounce_ratio,
        cast(complaints as double) / nullif(sent, 0) as complaint_ratio
    from daily_counts
),

final as (
    select
        dt,
        sent,
        hard_bounces,
        soft_bounces,
        complaints,
        round(bounce_ratio, 4) as bounce_rate,
        round(complaint_ratio, 5) as complaint_rate,
        case
            when bounce_ratio >= 0.10 then 'review'
            when bounce_ratio >= 0.05 then 'warning'
            else 'ok'
        end as bounce_status,
        case
            when complaint_ratio >= 0.005 then 'review'
            when complaint_ratio >= 0.001 then 'warning'
            else 'ok'
        end as complaint_status
    from rates
)

select * from final
order by dt
