-- name: suppression_candidates
-- description: Addresses and numbers to suppress: email hard bounces, complaints and unsubscribes, and
--   SMS opt-outs (opt-out events, and sends refused with status OPTED_OUT), latest first. Bounces and complaints name the affected recipients. Covers the whole
--   lake by default.
-- grain: one row per address and reason
-- params:
--   start date = 2015-01-01: first day (dt, UTC), inclusive
--   end date = today+1d: last day (dt, UTC), inclusive
-- columns:
--   address: email address (lower-cased) or phone number
--   channel: email or sms
--   reason: hard_bounce, complaint, unsubscribe or opt_out
--   last_event_time: latest event with this reason
--   first_event_time: earliest event with this reason
--   events: distinct events with this reason
--   last_detail: bounce sub-type, complaint type or status of the latest event
with suppression_events as (
    select
        event_id,
        family,
        event_name,
        event_time,
        coalesce(bounce_subtype, complaint_type, status) as detail,
        case
            when family = 'email' then coalesce(affected_recipients, recipients, case when destination is not null then array[destination] end)
            when destination is not null then array[destination]
        end as addresses
    from events
    where dt between ? /* start */ and ? /* end */
        and (
            event_name in ('email.hard_bounce', 'email.complaint', 'email.unsubscribe', 'sms.opt_out')
            -- a send refused because the number had opted out (Pinpoint record_status OPTED_OUT)
            or (event_name = 'sms.failed' and upper(status) = 'OPTED_OUT')
        )
),

per_address as (
    select
        case when suppression_events.family = 'email' then lower(recipient.address) else recipient.address end as address,
        suppression_events.family as channel,
        case suppression_events.event_name
            when 'email.hard_bounce' then 'hard_bounce'
            when 'email.complaint' then 'complaint'
            when 'email.unsubscribe' then 'unsubscribe'
            else 'opt_out'
        end as reason,
        suppression_events.event_id,
        suppression_events.event_time,
        suppression_events.detail
    from suppression_events
    cross join unnest(suppression_events.addresses) as recipient (address)
),

final as (
    select
        address,
        channel,
        reason,
        max(event_time) as last_event_time,
        min(event_time) as first_event_time,
        count(distinct event_id) as events,
        max_by(detail, event_time) as last_detail
    -- no filter on the unnested address: DuckDB would push it into the unnest (a slow lateral join);
    -- events without any address unnest to no rows
    from per_address
    group by address, channel, reason
)

select * from final
order by last_event_time desc, address, reason
