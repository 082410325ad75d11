/**
 * Delivery envelopes around a source record, as the transform meets them: an EventBridge event
 * (`aws.sms-voice`, `aws.ses`) or an SNS notification whose `Message` holds the record as a
 * JSON string (SES identity notifications delivered through SNS without raw delivery).
 */
import { type GenContext, isoSeconds, iso } from './context';

/** An envelope and the latest time it carries (the window check uses it). */
export interface Wrapped {
  record: Record<string, unknown>;
  latestTime: number;
}

/** EventBridge publishes within about a second; its `time` has no milliseconds. */
export function eventBridge(
  ctx: GenContext,
  source: string,
  detailType: string,
  detail: Record<string, unknown>,
  eventTime: number,
  resources: string[] = [],
): Wrapped {
  const { rng, world } = ctx;
  const time = eventTime + rng.int(100, 1500);
  return {
    record: {
      version: '0',
      id: rng.uuid(),
      'detail-type': detailType,
      source,
      account: world.accountId,
      time: isoSeconds(time),
      region: world.region,
      resources,
      detail,
    },
    latestTime: time,
  };
}

/** An SNS notification, as SNS delivers it to a Firehose subscription without raw message delivery. */
export function snsNotification(
  ctx: GenContext,
  topicName: string,
  message: Record<string, unknown>,
  eventTime: number,
): Wrapped {
  const { rng, world } = ctx;
  const time = eventTime + rng.int(20, 800);
  const topicArn = `arn:aws:sns:${world.region}:${world.accountId}:${topicName}`;
  let signature = '';
  for (let i = 0; i < 8; i++) signature += rng.alnum(43);
  return {
    record: {
      Type: 'Notification',
      MessageId: rng.uuid(),
      TopicArn: topicArn,
      Message: JSON.stringify(message),
      Timestamp: iso(time),
      SignatureVersion: '1',
      Signature: `${signature}==`,
      SigningCertURL: `https://sns.${world.region}.amazonaws.com/SimpleNotificationService-${rng.hex(32)}.pem`,
      UnsubscribeURL: `https://sns.${world.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${rng.uuid()}`,
    },
    latestTime: time,
  };
}
