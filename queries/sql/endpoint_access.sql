-- name: endpoint_access
-- description: Every stored event about one person, for an access request under privacy law (GDPR
--   article 15, CCPA): matches the endpoint id, user id, destination, origination or any recipient,
--   with every column, raw included. Covers the whole lake by default.
-- grain: one row per stored record (redelivered copies included, as stored)
-- params:
--   subject string: endpoint id, user id, email address or phone number (E.164)
--   start date = 2015-01-01: first day (dt, UTC), inclusive
--   end date = today+1d: last day (dt, UTC), inclusive
-- columns:
--   *: every column of events, raw included, then family and dt
with matching_keys as (
    -- Two steps, so that the wide read (every column, raw included) touches only the partitions
    -- that hold a match: this one reads just the identifier columns of the whole range; `final`
    -- joins back on the partition keys, which DuckDB and Athena (dynamic filtering) turn into
    -- partition pruning. Distinct: redelivered copies share a key, and the join must not repeat them.
    select distinct
        dt,
        family,
        event_id
    from events
    where dt between ? /* start */ and ? /* end */
        and (
            endpoint_id = ? /* subject */
            or user_id = ? /* subject */
            or lower(destination) = lower(? /* subject */)
            or lower(origination) = lower(? /* subject */)
            or contains(recipients, ? /* subject */)
            or contains(affected_recipients, ? /* subject */)
        )
),

final as (
    select events.*
    from events
    inner join matching_keys
        on events.dt = matching_keys.dt
        and events.family = matching_keys.family
        and events.event_id = matching_keys.event_id
    where events.dt between ? /* start */ and ? /* end */
)

select * from final
order by event_time, arrival_time
