-- name: message_status
-- description: One row per message_id with its current status across Pinpoint, SES and End User
--   Messaging: the latest event by event_time, except that a final status outranks a non-final one,
--   because End User Messaging can deliver an intermediate status (PENDING, QUEUED) after the final one.
--   Final means is_final where the source says so, otherwise an outcome event (delivered, bounced,
--   complained, rejected, opened, clicked, failed, opted out). Ties go to the later arrival.
--   campaign_id and journey_id come from whichever event of the message carries them. A message's
--   events span days, so this view reads every partition: filter on message_id (pushed down to the
--   scan) or join it to a dt-filtered query to keep Athena's scan small.
with message_events as (
    -- reads events and de-duplicates per message rather than reading events_unique: with message_id
    -- leading every window, a filter on message_id reaches the scan instead of de-duplicating the lake
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
        destination,
        campaign_id,
        journey_id,
        dt,
        is_final,
        row_number() over (
            partition by message_id, event_id
            order by arrival_time asc nulls last, transform_version desc nulls last
        ) as copy_number
    from events
    where message_id is not null
),

unique_message_events as (
    select
        *,
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
    from message_events
    where copy_number = 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by message_id
            order by is_final_status desc, event_time desc, arrival_time desc nulls last, event_name asc
        ) as status_rank,
        min(event_time) over (partition by message_id) as first_event_time,
        min(dt) over (partition by message_id) as first_dt,
        count(*) over (partition by message_id) as event_count,
        max(destination) over (partition by message_id) as any_destination,
        max(campaign_id) over (partition by message_id) as any_campaign_id,
        max(journey_id) over (partition by message_id) as any_journey_id
    from unique_message_events
)

select
    message_id,
    family,
    source_format,
    event_name as status_event,
    status,
    status_message,
    is_final_status as is_final,
    event_time as status_time,
    first_event_time,
    first_dt,
    event_count,
    coalesce(destination, any_destination) as destination,
    any_campaign_id as campaign_id,
    any_journey_id as journey_id
from ranked
where status_rank = 1
