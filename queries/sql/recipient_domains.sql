-- name: recipient_domains
-- description: Email deliverability by recipient domain: messages sent to, delivered to, bounced and
--   complained about at each domain. Sends and deliveries use recipients; bounces and complaints use
--   affected_recipients (the recipients they concern); destination stands in when a source gives no
--   list. A (message, recipient) pair belongs to the range when its first send or delivery is in it
--   (a pair with neither: its first bounce or complaint); its deliveries, bounces and complaints count
--   up to 7 days after end. Pairs sent before start (looked for one day back: a delivery can trail its
--   send by hours) are left out. Each rate counts a step only among the pairs that were sent, so no
--   rate exceeds 1.
-- grain: one row per recipient domain
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   domain: recipient domain, lower-cased (null for an address without one)
--   sent: distinct (message, recipient) pairs sent
--   delivered: distinct (message, recipient) pairs delivered (delivery-only pairs included)
--   hard_bounces: distinct (message, recipient) pairs with a permanent bounce
--   soft_bounces: distinct (message, recipient) pairs with a transient bounce
--   complaints: distinct (message, recipient) pairs with a complaint
--   delivery_rate: share of the sent pairs that were delivered
--   bounce_rate: share of the sent pairs that bounced permanently
--   complaint_rate: share of the sent pairs that complained
with email_outcomes as (
    -- one read from the day before start (to recognise pairs sent before start) to 7 days after end
    -- (deliveries, bounces and complaints trail the send)
    select
        message_id,
        dt,
        event_name,
        coalesce(
            case when event_name in ('email.hard_bounce', 'email.soft_bounce', 'email.complaint') then affected_recipients end,
            recipients,
            case when destination is not null then array[destination] end
        ) as addresses
    from events
    where dt between cast(cast(cast(? /* start */ as date) - interval '1' day as date) as varchar) and cast(cast(cast(? /* end */ as date) + interval '7' day as date) as varchar)
        and family = 'email'
        and message_id is not null
        and event_name in ('email.send', 'email.delivered', 'email.hard_bounce', 'email.soft_bounce', 'email.complaint')
),

recipient_steps as (
    -- one row per (message, recipient): each step at most once, so redelivered copies and a message
    -- both Pinpoint and SES report count once. No filter on the unnested address here: DuckDB would
    -- push it into the unnest and plan a slow lateral join.
    select
        email_outcomes.message_id,
        lower(recipient.address) as address,
        min(case when email_outcomes.event_name in ('email.send', 'email.delivered') then email_outcomes.dt end) as first_send_dt,
        min(email_outcomes.dt) as first_dt,
        max(case when email_outcomes.event_name = 'email.send' then 1 else 0 end) as is_sent,
        max(case when email_outcomes.event_name = 'email.delivered' then 1 else 0 end) as is_delivered,
        max(case when email_outcomes.event_name = 'email.hard_bounce' then 1 else 0 end) as is_hard_bounced,
        max(case when email_outcomes.event_name = 'email.soft_bounce' then 1 else 0 end) as is_soft_bounced,
        max(case when email_outcomes.event_name = 'email.complaint' then 1 else 0 end) as is_complained
    from email_outcomes
    cross join unnest(email_outcomes.addresses) as recipient (address)
    group by email_outcomes.message_id, lower(recipient.address)
),

per_domain as (
    select
        lower(regexp_extract(address, '@([^@>\s]+)', 1)) as domain,
        sum(is_sent) as sent,
        sum(is_delivered) as delivered,
        sum(is_hard_bounced) as hard_bounces,
        sum(is_soft_bounced) as soft_bounces,
        sum(is_complained) as complaints,
        sum(is_sent * is_delivered) as sent_and_delivered,
        sum(is_sent * is_hard_bounced) as sent_and_hard_bounced,
        sum(is_sent * is_complained) as sent_and_complained
    from recipient_steps
    -- leaves out pairs first sent before start or after end (a pair seen only in the lookback day or
    -- in the 7 days after end)
    where coalesce(first_send_dt, first_dt) between ? /* start */ and ? /* end */
    group by lower(regexp_extract(address, '@([^@>\s]+)', 1))
),

final as (
    select
        domain,
        sent,
        delivered,
        hard_bounces,
        soft_bounces,
        complaints,
        round(cast(sent_and_delivered as double) / nullif(sent, 0), 4) as delivery_rate,
        round(cast(sent_and_hard_bounced as double) / nullif(sent, 0), 4) as bounce_rate,
        round(cast(sent_and_complained as double) / nullif(sent, 0), 5) as complaint_rate
    from per_domain
)

select * from final
order by sent desc, domain
