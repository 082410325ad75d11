-- name: sms_events
-- description: SMS events from Pinpoint (`_SMS.*`, legacy `_sms.*`) and End User Messaging
--   (`TEXT_*`), de-duplicated. MMS, RCS and voice have families of their own.
select *
from events_unique
where family = 'sms'
