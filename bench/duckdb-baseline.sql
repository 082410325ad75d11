-- The ingest benchmark's baseline (bench/ingest.ts): DuckDB alone, on all cores, turning the same
-- NDJSON into a partitioned Parquet lake. It reads every line as JSON, flattens the core columns
-- of every source format (Pinpoint event stream, SES, End User Messaging, EventBridge and SNS
-- envelopes) with a hand-written SQL expression per column, and writes zstd Parquet partitioned by
-- (family, dt). It is a floor, not a substitute: no extra/attributes maps, no name normalisation,
-- no error output. Placeholders: {{input}} (the NDJSON file), {{output}} (the lake folder).
COPY (
  WITH src AS (
    SELECT json AS j, json_extract(json, '$.detail') AS d, json_extract(json, '$.Message') AS m
    FROM read_ndjson_objects('{{input}}')
  ),
  ev AS (
    -- the event itself: an EventBridge `detail`, an SNS `Message` (JSON text), or the record
    SELECT j,
      CASE WHEN d IS NOT NULL THEN d
           WHEN m IS NOT NULL THEN try_cast(json_extract_string(j, '$.Message') AS JSON)
           ELSE j END AS e
    FROM src
  ),
  paths AS (
    -- every path in one call: DuckDB parses each event once, not once per column
    SELECT j, json_extract_string(e, [
      '$.event_type', '$.eventType', '$.notificationType',                 -- 1-3
      '$.event_timestamp', '$.eventTimestamp', '$.mail.timestamp',         -- 4-6
      '$.arrival_timestamp', '$.application.app_id',                       -- 7-8
      '$.client.client_id', '$.context.endpointId',                        -- 9-10
      '$.attributes.campaign_id', '$.context.campaignId',                  -- 11-12
      '$.attributes.journey_id', '$.context.journeyId',                    -- 13-14
      '$.mail.messageId', '$.messageId', '$.attributes.message_id',        -- 15-17
      '$.mail.destination[0]', '$.destinationPhoneNumber', '$.attributes.address', -- 18-20
      '$.awsAccountId', '$.attributes', '$.metrics'                        -- 21-23
    ]) AS v
    FROM ev
  ),
  flat AS (
    SELECT
      md5(j::VARCHAR) AS event_id,
      coalesce(v[1], v[2], v[3]) AS event_type,
      coalesce(epoch_ms(try_cast(v[4] AS BIGINT)), epoch_ms(try_cast(v[5] AS BIGINT)),
               try_cast(v[6] AS TIMESTAMP)) AS event_time,
      epoch_ms(try_cast(v[7] AS BIGINT)) AS arrival_time,
      v[8] AS application_id,
      coalesce(v[9], v[10]) AS endpoint_id,
      coalesce(v[11], v[12]) AS campaign_id,
      coalesce(v[13], v[14]) AS journey_id,
      coalesce(v[15], v[16], v[17]) AS message_id,
      coalesce(v[18], v[19], v[20]) AS address,
      v[21] AS account_id,
      v[22] AS attributes_json,
      v[23] AS metrics_json,
      j::VARCHAR AS raw
    FROM paths
  )
  SELECT *,
    CASE
      WHEN event_type LIKE '\_email.%' ESCAPE '\' OR event_type IN ('Send', 'Delivery', 'Bounce', 'Complaint', 'Open', 'Click', 'Reject', 'Rendering Failure', 'DeliveryDelay', 'Subscription') THEN 'email'
      WHEN event_type LIKE '\_SMS.%' ESCAPE '\' OR event_type LIKE 'TEXT\_%' ESCAPE '\' THEN 'sms'
      WHEN event_type LIKE 'MEDIA\_%' ESCAPE '\' THEN 'mms'
      WHEN event_type LIKE 'VOICE\_%' ESCAPE '\' OR event_type LIKE '\_voice.%' ESCAPE '\' THEN 'voice'
      WHEN event_type LIKE 'RCS\_%' ESCAPE '\' THEN 'rcs'
      WHEN event_type LIKE '\_campaign.%' ESCAPE '\' THEN 'campaign'
      WHEN event_type LIKE '\_journey.%' ESCAPE '\' THEN 'journey'
      WHEN event_type LIKE '\_inapp.%' ESCAPE '\' THEN 'in_app'
      WHEN event_type IS NULL THEN 'other'
      ELSE 'app'
    END AS family,
    coalesce(strftime(event_time, '%Y-%m-%d'), '1970-01-01') AS dt
  FROM flat
) TO '{{output}}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (family, dt), OVERWRITE_OR_IGNORE);
