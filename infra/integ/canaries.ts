/**
 * Canary records for the end-to-end test: one per source format, plus the edge cases whose Firehose
 * behaviour is documented only loosely. Shapes follow the AWS documentation examples
 * (shared/fixtures/documented); ids carry the run id so that each run's rows are its own.
 */

/** One Firehose record: the exact bytes put, and what it exercises. */
export interface Canary {
  readonly name: string;
  readonly data: string;
}

/** The canary records of one run. `now` is epoch ms. */
export function canaries(runId: string, now: number): Canary[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const appEvent = (eventType: string, timestamp: number, attributes: Record<string, string>) => ({
    event_type: eventType,
    event_timestamp: timestamp,
    arrival_timestamp: timestamp + 1000,
    event_version: '3.0',
    application: {
      app_id: `canary${runId}`,
      package_name: 'com.example.canary',
      sdk: { name: 'aws-amplify', version: '6.0.0' },
      title: 'Canary',
      version_name: '1.0',
      version_code: '1',
    },
    client: { client_id: `client-${runId}` },
    device: {
      locale: { code: 'en_US', country: 'US', language: 'en' },
      make: 'generic',
      model: 'Unknown',
      platform: { name: 'android', version: '14' },
    },
    session: {
      session_id: `session-${runId}`,
      start_timestamp: timestamp - 60000,
      stop_timestamp: timestamp,
    },
    attributes,
    metrics: { Score: 1.5, score: 2.5 },
  });
  const sesEvent = (eventType: string, messageId: string) => ({
    eventType,
    mail: {
      timestamp: iso(now - 5000),
      source: 'sender@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
      sendingAccountId: '123456789012',
      messageId,
      destination: ['recipient@example.com'],
      headersTruncated: false,
      commonHeaders: {
        from: ['sender@example.com'],
        to: ['recipient@example.com'],
        messageId,
        subject: `canary ${runId}`,
      },
      tags: { 'ses:configuration-set': ['canary'], campaign: ['launch', 'eu'] },
    },
    delivery: {
      timestamp: iso(now - 4000),
      processingTimeMillis: 1000,
      recipients: ['recipient@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'a8-70.smtp-out.amazonses.com',
    },
  });
  const datedSesEvent = (messageId: string, timestamp: string) => {
    const event = sesEvent('Delivery', messageId);
    event.mail.timestamp = timestamp;
    event.delivery.timestamp = timestamp;
    return event;
  };
  const smsV2 = {
    eventType: 'TEXT_SUCCESSFUL',
    eventVersion: '1.0',
    eventTimestamp: now - 3000,
    isFinal: true,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: '+14255550156',
    isInternationalSend: false,
    messageId: `sms-${runId}`,
    messageRequestTimestamp: now - 3500,
    messageType: 'TRANSACTIONAL',
    messageStatus: 'SUCCESSFUL',
    messageStatusDescription: 'Message has been accepted by phone carrier',
    context: { account: 'canary' },
    totalMessageParts: 1,
    totalMessagePrice: 0.00645,
    totalCarrierFee: 0.0,
  };
  const sesNotification = {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        { emailAddress: 'nobody@example.com', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      ],
      timestamp: iso(now - 2000),
      feedbackId: `feedback-${runId}`,
    },
    mail: {
      timestamp: iso(now - 2500),
      source: 'sender@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
      sendingAccountId: '123456789012',
      messageId: `notification-${runId}`,
      destination: ['nobody@example.com'],
    },
  };
  return [
    // Pinpoint app event; `attributes` and `metrics` hold keys that collide once lower-cased.
    {
      name: 'pinpoint app, case-colliding map keys',
      data: JSON.stringify(appEvent('_session.stop', now - 10000, { Plan: 'pro', plan: 'free' })),
    },
    // Epoch milliseconds before 2001-09-09 have 12 digits; OpenX would read them as seconds. Only an
    // ISO time can be that old (an epoch number before 2015 is not a plausible event time), so SES.
    {
      name: 'SES event, pre-2001 timestamp',
      data: JSON.stringify(datedSesEvent(`ses-old-${runId}`, iso(946684800123))),
    },
    {
      name: 'pinpoint legacy SMS',
      data: JSON.stringify({
        event_type: '_SMS.SUCCESS',
        arrival_timestamp: now - 9000,
        timestamp: now - 9000,
        timestamp_created: String(now - 9500),
        application_key: `canary${runId}`,
        unique_id: `legacy-${runId}`,
        account_id: '123456789012',
        attributes: {
          message_id: `legacy-msg-${runId}`,
          record_status: 'SUCCESS',
          message_type: 'Transactional',
          iso_country_code: 'US',
          number_of_message_parts: 1,
        },
        metrics: { price_in_millicents_usd: 645 },
        facets: {},
        additional_properties: {},
      }),
    },
    { name: 'SES event publishing', data: JSON.stringify(sesEvent('Delivery', `ses-${runId}`)) + '\n' },
    {
      name: 'SES identity notification through SNS',
      data: JSON.stringify({
        Type: 'Notification',
        MessageId: `sns-${runId}`,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-notifications',
        Message: JSON.stringify(sesNotification),
        Timestamp: iso(now - 1500),
      }),
    },
    {
      name: 'End User Messaging SMS through EventBridge',
      data: JSON.stringify({
        version: '0',
        id: `eb-${runId}`,
        'detail-type': 'Text Message Delivery Status Updated',
        source: 'aws.sms-voice',
        account: '123456789012',
        time: iso(now - 3000),
        region: 'us-east-1',
        resources: [],
        detail: smsV2,
      }),
    },
    // Two events in one record: Firehose de-aggregation must split them before the Lambda.
    {
      name: 'multi-event record',
      data:
        JSON.stringify(sesEvent('Delivery', `multi-a-${runId}`)) +
        JSON.stringify(sesEvent('Delivery', `multi-b-${runId}`)),
    },
  ];
}
