-- name: message_status
-- description: One row per message_id with its current status across Pinpoint, SES and End User
--   Messaging: the latest event by event_time, except that a final status outranks a non-final one,
--   because End User Messaging can deliver an intermediate status (PENDING, QUEUED) after the final one.
--   Final means is_final where the source says so, otherwise an outcome event (delivered, bounced,
--   complained, rejected, opened, clicked, failed, opted out). Ties go to the later arrival (of any
--   stored copy), then the event name.
--   campaign_id and journey_id come from whichever event of the message carries them. A message's
--   events span days, so this view reads every partition: filter on message_id (pushed down to the
--   scan) or join it to a dt-filtered query to keep Athena's scan small.
with message_events as (
    -- Reads events, not events_unique: with message_id leading every grouping and window, a filter
    -- on message_id reaches the scan instead of de-duplicating the lake. Redelivered copies need no
    -- window of their own: they count once in event_count, and a copy ranks like its original.
    -- Only `ranked` reads this CTE; `message_facts` reads events itself, because DuckDB materializes
    -- a CTE read twice, and a materialized CTE stops the message_id filter before the scan.
    select
        message_id,
        event_id,
        family,
        source_format,
        event_name,
        status,
        status_message,
        event_time,
        arrival_time,
        transform_version,
        destination,
        campaign_id,
        journey_id,
        dt,
        coalesce(
            is_final,
            event_name in (
                'email.delivered', 'email.open', 'email.click', 'email.hard_bounce', 'email.complaint',
                'email.rejected', 'email.rendering_failure', 'email.unsubscribe',
                'sms.delivered', 'sms.failed', 'sms.opt_out', 'mms.delivered', 'mms.failed',
                'rcs.delivered', 'rcs.read', 'rcs.failed', 'voice.completed', 'voice.busy',
                'voice.no_answer', 'voice.failed', 'voice.ttl_expired'
            )
        ) as is_final_status
    from events
    where message_id is not null
),

message_facts as (
    select
        message_id,
        min(event_time) as first_event_time,
        min(dt) as first_dt,
        count(distinct event_id) as event_count,
        max(destination) as any_destination,
        max(campaign_id) as any_campaign_id,
        max(journey_id) as any_journey_id
    from events
    where message_id is not null
    group by message_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by message_id
            order by
                is_final_status desc, event_time desc, arrival_time desc nulls last, event_name asc,
                transform_version desc nulls last
        ) as status_rank
    from message_events
)

select
    ranked.message_id,
    ranked.family,
    ranked.source_format,
    ranked.event_name as status_event,
    ranked.status,
    ranked.status_message,
    ranked.is_final_status as is_final,
    ranked.event_time as status_time,
    message_facts.first_event_time,
    message_facts.first_dt,
    message_facts.event_count,
    coalesce(ranked.destination, message_facts.any_destination) as destination,
    message_facts.any_campaign_id as campaign_id,
    message_facts.any_journey_id as journey_id
from ranked
inner join message_facts
    on ranked.message_id = message_facts.message_id
where ranked.status_rank = 1
