-- name: app_events
-- description: App events (sessions, purchases, authentication, custom events), de-duplicated.
select *
from events_unique
where family = 'app'
