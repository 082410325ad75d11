-- name: recipient_domains
-- description: Email deliverability by recipient domain: messages sent to, delivered to, bounced and
--   complained about at each domain. Sends and deliveries use recipients; bounces and complaints use
--   affected_recipients (the recipients they concern); destination stands in when a source gives no
--   list.
-- grain: one row per recipient domain
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   domain: recipient domain, lower-cased (null for an address without one)
--   sent: distinct (message, recipient) pairs sent
--   delivered: distinct (message, recipient) pairs delivered
--   hard_bounces: distinct (message, recipient) pairs with a permanent bounce
--   soft_bounces: distinct (message, recipient) pairs with a transient bounce
--   complaints: distinct (message, recipient) pairs with a complaint
--   delivery_rate: delivered / sent
--   bounce_rate: hard_bounces / sent
--   complaint_rate: complaints / sent
with email_outcomes as (
    select
        message_id,
        event_name,
        coalesce(
            case when event_name in ('email.hard_bounce', 'email.soft_bounce', 'email.complaint') then affected_recipients end,
            recipients,
            case when destination is not null then array[destination] end
        ) as addresses
    from events
    where dt between ? /* start */ and ? /* end */
        and family = 'email'
        and message_id is not null
        and event_name in ('email.send', 'email.delivered', 'email.hard_bounce', 'email.soft_bounce', 'email.complaint')
),

recipient_outcomes as (
    -- one row per (message, recipient, step): counting rows then counts distinct pairs. No filter on
    -- the unnested address here: DuckDB would push it into the unnest and plan a slow lateral join.
    select distinct
        email_outcomes.message_id,
        email_outcomes.event_name,
        lower(recipient.address) as address,
        lower(regexp_extract(recipient.address, '@([^@>\s]+)', 1)) as domain
    from email_outcomes
    cross join unnest(email_outcomes.addresses) as recipient (address)
),

per_domain as (
    select
        domain,
        sum(case when event_name = 'email.send' then 1 else 0 end) as sent,
        sum(case when event_name = 'email.delivered' then 1 else 0 end) as delivered,
        sum(case when event_name = 'email.hard_bounce' then 1 else 0 end) as hard_bounces,
        sum(case when event_name = 'email.soft_bounce' then 1 else 0 end) as soft_bounces,
        sum(case when event_name = 'email.complaint' then 1 else 0 end) as complaints
    from recipient_outcomes
    group by domain
),

final as (
    select
        domain,
        sent,
        delivered,
        hard_bounces,
        soft_bounces,
        complaints,
        round(cast(delivered as double) / nullif(sent, 0), 4) as delivery_rate,
        round(cast(hard_bounces as double) / nullif(sent, 0), 4) as bounce_rate,
        round(cast(complaints as double) / nullif(sent, 0), 5) as complaint_rate
    from per_domain
)

select * from final
order by sent desc, domain
