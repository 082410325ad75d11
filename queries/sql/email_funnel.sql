-- name: email_funnel
-- description: Email funnel per send day and campaign or journey: messages sent, delivered, opened and
--   clicked, with rates. Pinpoint and SES email count together; a message both report (same
--   message_id) counts once per step. A message belongs to the day of its first send or delivery
--   event; its deliveries, opens and clicks count up to 7 days after end. Messages sent before start
--   (looked for one day back: a delivery can trail its send by hours) are left out, so every rate
--   stays within one cohort. Each rate counts a step only among the messages that reached the step
--   before it, so no rate exceeds 1. Opens and clicks that SES judged likely bots are left out unless
--   include_bots is true.
-- grain: one row per dt, campaign_id and journey_id
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
--   include_bots boolean = false: also count opens and clicks SES marked as likely bots
-- columns:
--   dt: day (UTC) of the message's first send or delivery event
--   campaign_id: Pinpoint campaign, null for other email
--   journey_id: Pinpoint journey, null for other email
--   sent: distinct messages with a send event
--   delivered: distinct messages delivered
--   opened: distinct messages opened
--   clicked: distinct messages clicked
--   delivery_rate: share of the sent messages that were delivered (delivery-only messages count in delivered, not here)
--   open_rate: share of the delivered messages that were opened
--   click_rate: share of the delivered messages that were clicked
--   click_to_open_rate: share of the opened messages that were clicked
with funnel_events as (
    -- one read from the day before start (to recognise messages sent before start) to 7 days after
    -- end (deliveries, opens and clicks trail the send). Every step is a distinct count of
    -- message_id, so redelivered rows need no de-duplication.
    select
        message_id,
        dt,
        event_name,
        campaign_id,
        journey_id
    from events
    where dt between cast(cast(cast(? /* start */ as date) - interval '1' day as date) as varchar) and cast(cast(cast(? /* end */ as date) + interval '7' day as date) as varchar)
        and family = 'email'
        and message_id is not null
        and (
            event_name in ('email.send', 'email.delivered')
            or (
                event_name in ('email.open', 'email.click')
                and (? /* include_bots */ or coalesce(is_bot, false) = false)
            )
        )
),

messages as (
    select
        message_id,
        min(case when event_name in ('email.send', 'email.delivered') then dt end) as dt,
        max(campaign_id) as campaign_id,
        max(journey_id) as journey_id,
        max(case when event_name = 'email.send' then 1 else 0 end) as is_sent,
        max(case when event_name = 'email.delivered' then 1 else 0 end) as is_delivered,
        max(case when event_name = 'email.open' then 1 else 0 end) as is_opened,
        max(case when event_name = 'email.click' then 1 else 0 end) as is_clicked
    from funnel_events
    group by message_id
),

steps as (
    select
        dt,
        campaign_id,
        journey_id,
        sum(is_sent) as sent,
        sum(is_delivered) as delivered,
        sum(is_opened) as opened,
        sum(is_clicked) as clicked,
        sum(is_sent * is_delivered) as sent_and_delivered,
        sum(is_delivered * is_opened) as delivered_and_opened,
        sum(is_delivered * is_clicked) as delivered_and_clicked,
        sum(is_opened * is_clicked) as opened_and_clicked
    from messages
    -- leaves out messages first sent before start or after end, and (dt null) those with only
    -- opens or clicks in the window
    where dt between ? /* start */ and ? /* end */
    group by dt, campaign_id, journey_id
),

final as (
    select
        dt,
        campaign_id,
        journey_id,
        sent,
        delivered,
        opened,
        clicked,
        round(cast(sent_and_delivered as double) / nullif(sent, 0), 4) as delivery_rate,
        round(cast(delivered_and_opened as double) / nullif(delivered, 0), 4) as open_rate,
        round(cast(delivered_and_clicked as double) / nullif(delivered, 0), 4) as click_rate,
        round(cast(opened_and_clicked as double) / nullif(opened, 0), 4) as click_to_open_rate
    from steps
)

select * from final
order by dt, campaign_id, journey_id
