-- name: email_events
-- description: Email events from Pinpoint (`_email.*`) and SES (event publishing and notifications),
--   de-duplicated. A message both report has the same message_id in both.
select *
from events_unique
where family = 'email'
