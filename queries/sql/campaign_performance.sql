-- name: campaign_performance
-- description: Pinpoint campaign performance per campaign and treatment: endpoints sent to, send
--   failures, push notifications opened and received, emails delivered, opened and clicked, and
--   in-app messages displayed and clicked.
-- grain: one row per campaign_id and treatment_id
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   campaign_id: Pinpoint campaign id
--   treatment_id: campaign treatment (A/B variant); '0', the default treatment, when an event names none
--   endpoints_sent: distinct endpoints with a successful send
--   send_failures: distinct endpoints with a failed send
--   push_opened: distinct endpoints that opened the notification
--   push_received: distinct endpoints that received it in the foreground or background
--   emails_delivered: distinct messages delivered
--   emails_opened: distinct messages opened
--   emails_clicked: distinct messages clicked
--   in_app_displayed: distinct endpoints shown the in-app message
--   in_app_clicked: distinct endpoints that clicked it
--   open_rate: push_opened / endpoints_sent
with campaign_events as (
    select
        campaign_id,
        coalesce(treatment_id, '0') as treatment_id,
        event_name,
        status,
        endpoint_id,
        message_id
    from events
    where dt between ? /* start */ and ? /* end */
        and campaign_id is not null
),

per_treatment as (
    select
        campaign_id,
        treatment_id,
        count(distinct case when event_name = 'campaign.send' and coalesce(status, 'SUCCESS') = 'SUCCESS' then endpoint_id end) as endpoints_sent,
        count(distinct case when event_name = 'campaign.send' and status <> 'SUCCESS' then endpoint_id end) as send_failures,
        count(distinct case when event_name = 'campaign.opened_notification' then endpoint_id end) as push_opened,
        count(distinct case when event_name in ('campaign.received_foreground', 'campaign.received_background') then endpoint_id end) as push_received,
        count(distinct case when event_name = 'email.delivered' then message_id end) as emails_delivered,
        count(distinct case when event_name = 'email.open' then message_id end) as emails_opened,
        count(distinct case when event_name = 'email.click' then message_id end) as emails_clicked,
        count(distinct case when event_name = 'in_app.displayed' then endpoint_id end) as in_app_displayed,
        count(distinct case when event_name = 'in_app.clicked' then endpoint_id end) as in_app_clicked
    from campaign_events
    group by campaign_id, treatment_id
),

final as (
    select
        *,
        round(cast(push_opened as double) / nullif(endpoints_sent, 0), 4) as open_rate
    from per_treatment
)

select * from final
order by campaign_id, treatment_id
