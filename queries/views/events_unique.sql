-- name: events_unique
-- description: The events table without redelivered copies (Firehose and SNS deliver at least once,
--   and a file can be ingested twice): one row per event_id, the earliest arrival kept. The window is
--   partitioned by dt, family and event_id, so a filter on dt or family still prunes partitions.
--   Leaves out raw; read it from events.
with ranked as (
    select
        {{ star(except=['raw']) }},
        row_number() over (
            partition by dt, family, event_id
            order by arrival_time asc nulls last, transform_version desc nulls last
        ) as copy_number
    from events
)

select
    {{ star(except=['raw']) }}
from ranked
where copy_number = 1
