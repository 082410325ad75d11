/**
 * Every SES and End User Messaging example of the AWS docs through `transformEvent`. The expected
 * values are read off the example lines by hand; none was produced by running the transform.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { transformEvent } from '../../transform/src/transform-event';
import type { EventResult } from '../../transform/src/types';

const FIXTURES = join(__dirname, '../../../shared/fixtures/documented');
const OPTIONS = { now: Date.UTC(2026, 10, 28) };
const MESSAGE_ID = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000';

function lines(file: string): string[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function ok(result: EventResult): Extract<EventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a row, got ${result.reason}: ${result.message}`);
  return result;
}

/** The `extra` map of a row as a record (`{}` when null): `EventRow` types every column loosely. */
function extraOf(value: unknown): Record<string, string | undefined> {
  return (value ?? {}) as Record<string, string | undefined>;
}

const MAIL_TAGS = {
  'ses:configuration-set': 'ConfigSet',
  'ses:source-ip': '192.0.2.0',
  'ses:from-domain': 'example.com',
  'ses:caller-identity': 'ses_user',
};

describe('documented SES examples (fixtures/documented/ses.ndjson)', () => {
  const [bounce, delivery, send, open, click] = lines('ses.ndjson');

  it('has the five documented lines', () => {
    expect(lines('ses.ndjson')).toHaveLength(5);
  });

  it('flattens the Bounce example', () => {
    // Act
    const { row, partition, diagnostics } = ok(transformEvent(bounce, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      source_format: 'ses',
      event_type: 'Bounce',
      event_name: 'email.hard_bounce',
      event_time: Date.UTC(2017, 7, 5, 0, 41, 2, 669),
      arrival_time: null,
      time_source: 'event',
      account_id: '123456789012',
      message_id: MESSAGE_ID,
      origination: 'Sender Name <sender@example.com>',
      destination: 'recipient@example.com',
      recipients: ['recipient@example.com'],
      affected_recipients: ['recipient@example.com'],
      subject: 'Message sent from Amazon SES',
      bounce_type: 'Permanent',
      bounce_subtype: 'General',
      status: 'General',
      status_code: '5.1.1',
      smtp_response: 'smtp; 550 5.1.1 user unknown',
      tags: MAIL_TAGS,
      endpoint_id: null,
      raw: bounce,
    });
    expect(Object.keys(row.extra ?? {}).sort()).toEqual([
      'bounce.bouncedRecipients',
      'bounce.feedbackId',
      'bounce.reportingMTA',
      'mail.commonHeaders.from',
      'mail.commonHeaders.messageId',
      'mail.commonHeaders.to',
      'mail.headers',
      'mail.headersTruncated',
      'mail.sourceArn',
      'mail.timestamp',
    ]);
    expect(extraOf(row.extra)['bounce.feedbackId']).toBe(
      '"01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"',
    );
    expect(partition).toEqual({ family: 'email', dt: '2017-08-05' });
    expect(diagnostics).toEqual({ dtFallback: false, unknownType: false, caseCollisions: 0 });
  });

  it('flattens the Delivery example', () => {
    // Act
    const { row, partition } = ok(transformEvent(delivery, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Delivery',
      event_name: 'email.delivered',
      event_time: Date.UTC(2016, 9, 19, 23, 21, 4, 133),
      account_id: '123456789012',
      message_id: MESSAGE_ID,
      origination: 'sender@example.com',
      destination: 'recipient@example.com',
      smtp_response: '250 2.6.0 Message received',
      affected_recipients: null,
      tags: {
        ...MAIL_TAGS,
        'ses:outgoing-ip': '192.0.2.0',
        myCustomTag1: 'myCustomTagValue1',
        myCustomTag2: 'myCustomTagValue2',
      },
    });
    expect(row.extra).toMatchObject({
      'delivery.processingTimeMillis': '11893',
      'delivery.recipients': '["recipient@example.com"]',
      'delivery.remoteMtaIp': '"123.456.789.012"',
      'delivery.reportingMTA': '"mta.example.com"',
      'mail.timestamp': '"2016-10-19T23:20:52.240Z"',
    });
    expect(partition).toEqual({ family: 'email', dt: '2016-10-19' });
  });

  it('flattens the Send example, timed by mail.timestamp', () => {
    // Act
    const { row, partition } = ok(transformEvent(send, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Send',
      event_name: 'email.send',
      event_time: Date.UTC(2016, 9, 14, 5, 2, 16, 645),
      time_source: 'event',
      subject: 'Message sent from Amazon SES',
      tags: { ...MAIL_TAGS, myCustomTag1: 'myCustomTagValue1', myCustomTag2: 'myCustomTagValue2' },
    });
    // The empty `send: {}` becomes nothing, and mail.timestamp is held by event_time.
    expect(Object.keys(row.extra ?? {}).sort()).toEqual([
      'mail.commonHeaders.from',
      'mail.commonHeaders.messageId',
      'mail.commonHeaders.to',
      'mail.headers',
      'mail.headersTruncated',
      'mail.sourceArn',
    ]);
    expect(partition).toEqual({ family: 'email', dt: '2016-10-14' });
  });

  it('flattens the Open example', () => {
    // Act
    const { row, partition } = ok(transformEvent(open, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Open',
      event_name: 'email.open',
      event_time: Date.UTC(2017, 7, 9, 22, 0, 19, 652),
      ip_address: '192.0.2.1',
      user_agent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60',
      is_bot: false,
      link: null,
      origination: 'sender@example.com',
      tags: {
        myCustomTag1: 'myCustomValue1',
        myCustomTag2: 'myCustomValue2',
        'ses:caller-identity': 'IAM_user_or_role_name',
        'ses:configuration-set': 'ConfigSet',
        'ses:from-domain': 'example.com',
        'ses:source-ip': '192.0.2.0',
      },
    });
    expect(extraOf(row.extra)['open.isBotEvent']).toBeUndefined();
    expect(extraOf(row.extra)['mail.timestamp']).toBe('"2017-08-09T21:59:49.927Z"');
    expect(partition).toEqual({ family: 'email', dt: '2017-08-09' });
  });

  it('flattens the Click example, keeping its link tags in extra', () => {
    // Act
    const { row, partition } = ok(transformEvent(click, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Click',
      event_name: 'email.click',
      event_time: Date.UTC(2017, 7, 9, 23, 51, 25, 570),
      link: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html',
      ip_address: '192.0.2.1',
      user_agent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
      is_bot: true,
      tags: {
        myCustomTag1: 'myCustomValue1',
        myCustomTag2: 'myCustomValue2',
        'ses:caller-identity': 'ses_user',
        'ses:configuration-set': 'ConfigSet',
        'ses:from-domain': 'example.com',
        'ses:source-ip': '192.0.2.0',
      },
    });
    expect(row.extra).toMatchObject({
      'click.linkTags.samplekey0': '["samplevalue0"]',
      'click.linkTags.samplekey1': '["samplevalue1"]',
    });
    expect(partition).toEqual({ family: 'email', dt: '2017-08-09' });
  });
});

/** The other record types of the SES Firehose/SNS examples page, compacted to one line each. */
const SES_DOC_EXAMPLES = {
  complaint:
    '{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"recipient@example.com"}],"timestamp":"2017-08-05T00:41:02.669Z","feedbackId":"01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36","complaintFeedbackType":"abuse","arrivalDate":"2017-08-05T00:41:02.669Z"},"mail":{"timestamp":"2017-08-05T00:40:01.123Z","source":"Sender Name <sender@example.com>","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com","sendingAccountId":"123456789012","messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","destination":["recipient@example.com"],"headersTruncated":false,"headers":[{"name":"From","value":"Sender Name <sender@example.com>"},{"name":"To","value":"recipient@example.com"},{"name":"Subject","value":"Message sent from Amazon SES"},{"name":"MIME-Version","value":"1.0"},{"name":"Content-Type","value":"multipart/alternative; boundary=\\"----=_Part_7298998_679725522.1516840859643\\""}],"commonHeaders":{"from":["Sender Name <sender@example.com>"],"to":["recipient@example.com"],"messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","subject":"Message sent from Amazon SES"},"tags":{"ses:configuration-set":["ConfigSet"],"ses:source-ip":["192.0.2.0"],"ses:from-domain":["example.com"],"ses:caller-identity":["ses_user"]}}}',
  reject:
    '{"eventType":"Reject","mail":{"timestamp":"2016-10-14T17:38:15.211Z","source":"sender@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com","sendingAccountId":"123456789012","messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","destination":["sender@example.com"],"headersTruncated":false,"headers":[{"name":"From","value":"sender@example.com"},{"name":"To","value":"recipient@example.com"},{"name":"Subject","value":"Message sent from Amazon SES"},{"name":"MIME-Version","value":"1.0"},{"name":"Content-Type","value":"multipart/mixed; boundary=\\"qMm9M+Fa2AknHoGS\\""},{"name":"X-SES-MESSAGE-TAGS","value":"myCustomTag1=myCustomTagValue1, myCustomTag2=myCustomTagValue2"}],"commonHeaders":{"from":["sender@example.com"],"to":["recipient@example.com"],"messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","subject":"Message sent from Amazon SES"},"tags":{"ses:configuration-set":["ConfigSet"],"ses:source-ip":["192.0.2.0"],"ses:from-domain":["example.com"],"ses:caller-identity":["ses_user"],"myCustomTag1":["myCustomTagValue1"],"myCustomTag2":["myCustomTagValue2"]}},"reject":{"reason":"Bad content"}}',
  renderingFailure:
    '{"eventType":"Rendering Failure","mail":{"timestamp":"2018-01-22T18:43:06.197Z","source":"sender@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com","sendingAccountId":"123456789012","messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","destination":["recipient@example.com"],"headersTruncated":false,"tags":{"ses:configuration-set":["ConfigSet"]}},"failure":{"errorMessage":"Attribute \'attributeName\' is not present in the rendering data.","templateName":"MyTemplate"}}',
  deliveryDelay:
    '{"eventType":"DeliveryDelay","mail":{"timestamp":"2020-06-16T00:15:40.641Z","source":"sender@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com","sendingAccountId":"123456789012","messageId":"EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000","destination":["recipient@example.com"],"headersTruncated":false,"tags":{"ses:configuration-set":["ConfigSet"]}},"deliveryDelay":{"timestamp":"2020-06-16T00:25:40.095Z","delayType":"TransientCommunicationFailure","expirationTime":"2020-06-16T00:25:40.914Z","delayedRecipients":[{"emailAddress":"recipient@example.com","status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 Unable to connect to remote host"}]}}',
  subscription:
    '{"eventType":"Subscription","mail":{"timestamp":"2022-01-12T01:00:14.340Z","source":"sender@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/sender@example.com","sendingAccountId":"123456789012","messageId":"EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000","destination":["recipient@example.com"],"headersTruncated":false,"headers":[{"name":"From","value":"sender@example.com"},{"name":"To","value":"recipient@example.com"},{"name":"Subject","value":"Message sent from Amazon SES"},{"name":"MIME-Version","value":"1.0"},{"name":"Content-Type","value":"text/html; charset=UTF-8"},{"name":"Content-Transfer-Encoding","value":"7bit"}],"commonHeaders":{"from":["sender@example.com"],"to":["recipient@example.com"],"messageId":"EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000","subject":"Message sent from Amazon SES"},"tags":{"ses:operation":["SendEmail"],"ses:configuration-set":["ConfigSet"],"ses:source-ip":["192.0.2.0"],"ses:from-domain":["example.com"],"ses:caller-identity":["ses_user"],"myCustomTag1":["myCustomValue1"],"myCustomTag2":["myCustomValue2"]}},"subscription":{"contactList":"ContactListName","timestamp":"2022-01-12T01:00:17.910Z","source":"UnsubscribeHeader","newTopicPreferences":{"unsubscribeAll":true,"topicSubscriptionStatus":[{"topicName":"ExampleTopicName","subscriptionStatus":"OptOut"}]},"oldTopicPreferences":{"unsubscribeAll":false,"topicSubscriptionStatus":[{"topicName":"ExampleTopicName","subscriptionStatus":"OptOut"}]}}}',
};

describe('documented SES examples (the other record types of the examples page)', () => {
  it('flattens the Complaint example', () => {
    // Act
    const { row, partition } = ok(transformEvent(SES_DOC_EXAMPLES.complaint, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Complaint',
      event_name: 'email.complaint',
      event_time: Date.UTC(2017, 7, 5, 0, 41, 2, 669),
      complaint_type: 'abuse',
      user_agent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
      affected_recipients: ['recipient@example.com'],
      status: null,
      tags: MAIL_TAGS,
    });
    expect(row.extra).toMatchObject({
      'complaint.feedbackId': '"01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"',
      'complaint.arrivalDate': '"2017-08-05T00:41:02.669Z"',
    });
    expect(partition).toEqual({ family: 'email', dt: '2017-08-05' });
  });

  it('flattens the Reject example, timed by mail.timestamp', () => {
    // Act
    const { row } = ok(transformEvent(SES_DOC_EXAMPLES.reject, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Reject',
      event_name: 'email.rejected',
      event_time: Date.UTC(2016, 9, 14, 17, 38, 15, 211),
      status: 'Bad content',
      destination: 'sender@example.com',
    });
  });

  it('flattens the Rendering Failure example', () => {
    // Act
    const { row, partition } = ok(transformEvent(SES_DOC_EXAMPLES.renderingFailure, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Rendering Failure',
      event_name: 'email.rendering_failure',
      event_time: Date.UTC(2018, 0, 22, 18, 43, 6, 197),
      status_message: "Attribute 'attributeName' is not present in the rendering data.",
      subject: null,
      tags: { 'ses:configuration-set': 'ConfigSet' },
    });
    expect(row.extra).toMatchObject({ 'failure.templateName': '"MyTemplate"' });
    expect(partition).toEqual({ family: 'email', dt: '2018-01-22' });
  });

  it('flattens the DeliveryDelay example', () => {
    // Act
    const { row } = ok(transformEvent(SES_DOC_EXAMPLES.deliveryDelay, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'DeliveryDelay',
      event_name: 'email.delivery_delay',
      event_time: Date.UTC(2020, 5, 16, 0, 25, 40, 95),
      status: 'TransientCommunicationFailure',
      status_code: '4.4.1',
      smtp_response: 'smtp; 421 4.4.1 Unable to connect to remote host',
      affected_recipients: ['recipient@example.com'],
    });
    expect(row.extra).toMatchObject({
      'deliveryDelay.expirationTime': '"2020-06-16T00:25:40.914Z"',
      'deliveryDelay.delayedRecipients':
        '[{"emailAddress":"recipient@example.com","status":"4.4.1","diagnosticCode":"smtp; 421 4.4.1 Unable to connect to remote host"}]',
    });
  });

  it('flattens the Subscription example as an unsubscribe', () => {
    // Act
    const { row, partition } = ok(transformEvent(SES_DOC_EXAMPLES.subscription, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_type: 'Subscription',
      event_name: 'email.unsubscribe',
      event_time: Date.UTC(2022, 0, 12, 1, 0, 17, 910),
      message_id: 'EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000',
      tags: {
        'ses:operation': 'SendEmail',
        ...MAIL_TAGS,
        myCustomTag1: 'myCustomValue1',
        myCustomTag2: 'myCustomValue2',
      },
    });
    expect(row.extra).toMatchObject({
      'subscription.contactList': '"ContactListName"',
      'subscription.source': '"UnsubscribeHeader"',
      'subscription.newTopicPreferences.unsubscribeAll': 'true',
      'subscription.newTopicPreferences.topicSubscriptionStatus':
        '[{"topicName":"ExampleTopicName","subscriptionStatus":"OptOut"}]',
      'subscription.oldTopicPreferences.unsubscribeAll': 'false',
    });
    expect(partition).toEqual({ family: 'email', dt: '2022-01-12' });
  });
});

describe('documented End User Messaging examples (fixtures/documented/end-user-messaging.ndjson)', () => {
  const [first, second] = lines('end-user-messaging.ndjson');

  it('has the two documented lines', () => {
    expect(lines('end-user-messaging.ndjson')).toHaveLength(2);
  });

  it('flattens the SMS example with a context', () => {
    // Act
    const { row, partition, diagnostics } = ok(transformEvent(first, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      source_format: 'sms_voice_v2',
      event_type: 'TEXT_SUCCESSFUL',
      event_name: 'sms.delivered',
      event_version: '1.0',
      event_time: 1686975103470,
      arrival_time: null,
      time_source: 'event',
      account_id: null,
      endpoint_id: null,
      message_id: '862a8790-60c0-4430-9b2b-658bdexample',
      origination: '+12065550152',
      destination: '+14255550156',
      country: null,
      message_type: 'PROMOTIONAL',
      message_parts: 1,
      price_usd: 0.09582,
      carrier_fee_usd: 0,
      status: 'SUCCESSFUL',
      status_message: 'Message has been accepted by phone carrier',
      is_final: true,
      tags: { account: 'bar' },
    });
    expect(row.extra).toEqual({
      isInternationalSend: 'false',
      mcc: '"310"',
      mnc: '"800"',
      messageRequestTimestamp: '1686975103170',
      messageEncoding: '"GSM"',
    });
    expect(partition).toEqual({ family: 'sms', dt: '2023-06-17' });
    expect(diagnostics.unknownType).toBe(false);
  });

  it('flattens the transactional SMS example without a context', () => {
    // Act
    const { row, partition } = ok(transformEvent(second, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_name: 'sms.delivered',
      event_time: 1714000000000,
      message_id: 'b2c3d4e5-f6a7-8901-bcde-f12345example',
      message_type: 'TRANSACTIONAL',
      price_usd: 0.00645,
      carrier_fee_usd: 0,
      tags: null,
    });
    expect(row.extra).toEqual({ isInternationalSend: 'false', messageRequestTimestamp: '1714000000000' });
    expect(partition).toEqual({ family: 'sms', dt: '2024-04-24' });
  });
});

describe('documented End User Messaging examples (RCS events page and EventBridge page)', () => {
  it('flattens the RCS delivery example into family rcs', () => {
    // Arrange
    const text =
      '{"eventType":"RCS_DELIVERED","eventVersion":"1.0","eventTimestamp":1781661267660,"isFinal":true,"originationPhoneNumber":"rcs-c020de2520714385964ebf7b095c4b60","destinationPhoneNumber":"+13022640220","isoCountryCode":"US","isInternationalSend":false,"messageId":"test-sc1-004","messageRequestTimestamp":1781300397157,"messageEncoding":"UNICODE","messageType":"TRANSACTIONAL","messageStatus":"DELIVERED","messageStatusDescription":"Message has been accepted by phone","totalMessageParts":1,"totalMessagePrice":0.007,"totalCarrierFee":0.00494,"rcsMetadata":{"billingEventType":"RICH"},"rcsBusinessId":"endusermessagingtesting1_06fr8x6o_agent","agentIsoCountryCode":"US"}';
    // Act
    const { row, partition } = ok(transformEvent(text, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_name: 'rcs.delivered',
      origination: 'rcs-c020de2520714385964ebf7b095c4b60',
      destination: '+13022640220',
      country: 'US',
      price_usd: 0.007,
      carrier_fee_usd: 0.00494,
      status: 'DELIVERED',
    });
    expect(row.extra).toMatchObject({
      'rcsMetadata.billingEventType': '"RICH"',
      rcsBusinessId: '"endusermessagingtesting1_06fr8x6o_agent"',
      agentIsoCountryCode: '"US"',
      messageEncoding: '"UNICODE"',
    });
    expect(partition).toEqual({ family: 'rcs', dt: '2026-06-17' });
  });

  it('flattens the RCS read receipt example', () => {
    // Arrange
    const text =
      '{"eventType":"RCS_READ","eventVersion":"1.0","eventTimestamp":1781661267203,"isFinal":true,"originationPhoneNumber":"rcs-c020de2520714385964ebf7b095c4b60","destinationPhoneNumber":"+13022640220","isoCountryCode":"US","isInternationalSend":false,"messageId":"test-sc1-004","messageRequestTimestamp":1781300397157,"messageEncoding":"UNICODE","messageType":"TRANSACTIONAL","messageStatus":"READ","messageStatusDescription":"Message has been read by recipient","totalMessageParts":1,"totalMessagePrice":0.0,"totalCarrierFee":0.0,"rcsBusinessId":"endusermessagingtesting1_06fr8x6o_agent","agentIsoCountryCode":"US"}';
    // Act
    const { row } = ok(transformEvent(text, OPTIONS));
    // Assert
    expect(row).toMatchObject({ event_name: 'rcs.read', status: 'READ', price_usd: 0, carrier_fee_usd: 0 });
  });

  it('flattens the EventBridge delivered-SMS example with carrier and sender ID', () => {
    // Arrange
    const text =
      '{"version":"0","id":"5c0fa4f8-e4ba-ed02-6101-c795472fccd0","detail-type":"Text Message Delivery Status Updated","source":"aws.sms-voice","account":"111122223333","time":"2025-10-01T18:20:41Z","region":"us-east-1","resources":[],"detail":{"eventType":"TEXT_SUCCESSFUL","eventVersion":"1.0","eventTimestamp":1759342841377,"isFinal":true,"originationPhoneNumber":"VAJZNBLLDX","isoCountryCode":"ES","isInternationalSend":false,"mcc":"214","mnc":"05","carrierName":"Movistar","messageId":"ed23196c-75ce-4727-93ee-7bf72b64998f","messageRequestTimestamp":1759342840978,"messageEncoding":"GSM","messageType":"TRANSACTIONAL","messageStatus":"SUCCESSFUL","messageStatusDescription":"Message has been accepted by phone carrier","totalMessageParts":1,"totalMessagePrice":0.06087,"totalCarrierFee":0.0,"protectConfiguration":{"protectConfigurationId":"protect-e06e5d722c31455286262a108e7d863d","protectStatus":"ALLOW"}}}';
    // Act
    const { row, partition } = ok(transformEvent(text, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      source_format: 'sms_voice_v2+eventbridge',
      event_name: 'sms.delivered',
      account_id: '111122223333',
      origination: 'VAJZNBLLDX',
      destination: null,
      country: 'ES',
      carrier: 'Movistar',
      price_usd: 0.06087,
    });
    expect(row.extra).toMatchObject({
      mcc: '"214"',
      mnc: '"05"',
      'envelope.id': '"5c0fa4f8-e4ba-ed02-6101-c795472fccd0"',
    });
    expect(partition).toEqual({ family: 'sms', dt: '2025-10-01' });
  });

  it('flattens the EventBridge voice example into family voice', () => {
    // Arrange
    const text =
      '{"version":"0","id":"3bd18839-b5b4-79c5-1b18-bd6545f40566","detail-type":"Voice Message Delivery Status Updated","source":"aws.sms-voice","account":"444455556666","time":"2024-10-16T17:18:50Z","region":"eu-west-2","resources":[],"detail":{"eventType":"VOICE_INITIATED","eventVersion":"1.0","eventTimestamp":1729099130226,"isFinal":false,"originationPhoneNumber":"+18445550123","isoCountryCode":"US","messageId":"1d2295bd-ac9b-4517-821f-7c6d95d789a1","messageRequestTimestamp":1729099129845,"messageStatus":"INITIATED"}}';
    // Act
    const { row, partition } = ok(transformEvent(text, OPTIONS));
    // Assert
    expect(row).toMatchObject({
      event_name: 'voice.initiated',
      account_id: '444455556666',
      is_final: false,
      status: 'INITIATED',
      message_type: null,
      event_time: 1729099130226,
    });
    expect(partition).toEqual({ family: 'voice', dt: '2024-10-16' });
  });
});
