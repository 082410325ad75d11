-- name: journey_performance
-- description: Pinpoint journey performance per journey and activity: endpoints sent to, send
--   failures, push notifications opened, emails delivered, opened and clicked, and SMS delivered.
-- grain: one row per journey_id and journey_activity_id
-- params:
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   journey_id: Pinpoint journey id
--   journey_activity_id: journey activity id ('unknown' when an event names none)
--   journey_runs: distinct journey runs
--   endpoints_sent: distinct endpoints with a successful send
--   send_failures: distinct endpoints with a failed send
--   push_opened: distinct endpoints that opened the notification
--   emails_delivered: distinct messages delivered
--   emails_opened: distinct messages opened
--   emails_clicked: distinct messages clicked
--   sms_delivered: distinct SMS messages delivered
with journey_events as (
    select
        journey_id,
        coalesce(journey_activity_id, 'unknown') as journey_activity_id,
        journey_run_id,
        event_name,
        status,
        endpoint_id,
        message_id
    from events
    where dt between ? /* start */ and ? /* end */
        and journey_id is not null
),

final as (
    select
        journey_id,
        journey_activity_id,
        count(distinct journey_run_id) as journey_runs,
        count(distinct case when event_name = 'journey.send' and coalesce(status, 'SUCCESS') = 'SUCCESS' then endpoint_id end) as endpoints_sent,
        count(distinct case when event_name = 'journey.send' and status <> 'SUCCESS' then endpoint_id end) as send_failures,
        count(distinct case when event_name = 'journey.opened_notification' then endpoint_id end) as push_opened,
        count(distinct case when event_name = 'email.delivered' then message_id end) as emails_delivered,
        count(distinct case when event_name = 'email.open' then message_id end) as emails_opened,
        count(distinct case when event_name = 'email.click' then message_id end) as emails_clicked,
        count(distinct case when event_name = 'sms.delivered' then message_id end) as sms_delivered
    from journey_events
    group by journey_id, journey_activity_id
)

select * from final
order by journey_id, journey_activity_id
