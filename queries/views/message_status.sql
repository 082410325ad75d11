-- name: message_status
-- description: One row per message_id with its current status across Pinpoint, SES and End User
--   Messaging: the latest event by event_time, except that a final status outranks a non-final one,
--   because End User Messaging can deliver an intermediate status (PENDING, QUEUED) after the final one.
--   Final means is_final where the source says so, otherwise an outcome event (delivered, bounced,
--   complained, rejected, opened, clicked, failed, opted out). Ties go to the later arrival.
--   campaign_id and journey_id come from whichever event of the message carries them.
with message_events as (
    select
        message_id,
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
    from events_unique
    where message_id is not null
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
    from message_events
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
