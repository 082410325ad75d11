-- name: message_timeline
-- description: Every event of one message, in order: sends, deliveries, opens, clicks, bounces and
--   status updates from Pinpoint, SES and End User Messaging (redelivered copies shown once).
-- grain: one row per event
-- params:
--   message_id string: the message id (SES messageId, Pinpoint or End User Messaging message id)
--   start date = today-30d: first day (dt, UTC), inclusive
--   end date = today: last day (dt, UTC), inclusive
-- columns:
--   event_time: when the event happened (UTC)
--   arrival_time: when the service received it (UTC)
--   dt: partition day
--   family: event family
--   source_format: where the event came from
--   event_name: normalised event name
--   event_type: the source's own type
--   status: detailed status
--   status_message: detailed status text
--   is_final: End User Messaging final status
--   destination: first recipient
--   link: clicked link
--   smtp_response: SMTP response or diagnostic code
--   event_id: event id
with message_events as (
    -- narrowed to the message first, then de-duplicated (events_unique would de-duplicate the whole range)
    select
        event_time,
        arrival_time,
        dt,
        family,
        source_format,
        event_name,
        event_type,
        status,
        status_message,
        is_final,
        destination,
        link,
        smtp_response,
        event_id,
        row_number() over (
            partition by dt, family, event_id
            order by arrival_time asc nulls last, transform_version desc nulls last
        ) as copy_number
    from events
    where dt between ? /* start */ and ? /* end */
        and message_id = ? /* message_id */
),

final as (
    select
        event_time,
        arrival_time,
        dt,
        family,
        source_format,
        event_name,
        event_type,
        status,
        status_message,
        is_final,
        destination,
        link,
        smtp_response,
        event_id
    from message_events
    where copy_number = 1
)

select * from final
order by event_time, arrival_time, event_name
