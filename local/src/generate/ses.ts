/**
 * Amazon SES records: event publishing through a configuration set (Send, Delivery, Open, Click,
 * Bounce, Complaint, Reject, DeliveryDelay, Rendering Failure, Subscription; `mail.tags` arrays;
 * ISO times), a share of it through EventBridge (`aws.ses`), and identity notifications
 * (`notificationType` Bounce/Complaint/Delivery, no tags) delivered through SNS.
 */
import { type Batch, type GenContext, HOUR, iso } from './context';
import {
  BOT_USER_AGENTS,
  clientIp,
  type EmailMessage,
  type EmailStep,
  planEmailFunnel,
  sesMessageId,
  USER_AGENTS,
} from './email-funnel';
import { eventBridge, snsNotification } from './envelopes';

/** The `eventType` of each step, and its EventBridge `detail-type`. */
const SES_TYPES: Record<EmailStep['kind'], [eventType: string, detailType: string]> = {
  send: ['Send', 'Email Sent'],
  delivery: ['Delivery', 'Email Delivered'],
  open: ['Open', 'Email Opened'],
  click: ['Click', 'Email Clicked'],
  hard_bounce: ['Bounce', 'Email Bounced'],
  soft_bounce: ['Bounce', 'Email Bounced'],
  complaint: ['Complaint', 'Email Complaint Received'],
  unsubscribe: ['Subscription', 'Email Subscribed'],
  subscription: ['Subscription', 'Email Subscribed'],
  reject: ['Reject', 'Email Rejected'],
  rendering_failure: ['Rendering Failure', 'Email Rendering Failed'],
  delivery_delay: ['DeliveryDelay', 'Email Delivery Delayed'],
};

const HARD_BOUNCES = [
  ['General', '5.1.1', 'smtp; 550 5.1.1 user unknown'],
  ['NoEmail', '5.1.1', 'smtp; 550 5.1.1 The email account that you tried to reach does not exist'],
  [
    'Suppressed',
    '5.1.1',
    'Amazon SES has suppressed sending to this address because it has a recent history of bouncing',
  ],
  [
    'OnAccountSuppressionList',
    '5.1.1',
    'Amazon SES did not send the message to this address because it is on the suppression list for your account',
  ],
] as const;
const SOFT_BOUNCES = [
  ['MailboxFull', '4.2.2', 'smtp; 452 4.2.2 The email account that you tried to reach is over quota'],
  ['General', '4.4.7', 'smtp; 421 4.4.7 Message expired: unable to deliver in 840 minutes'],
  ['MessageTooLarge', '5.3.4', 'smtp; 552 5.3.4 Message size exceeds fixed maximum message size'],
] as const;

function feedbackId(ctx: GenContext): string {
  return `0100019${ctx.rng.hex(9)}-${ctx.rng.uuid()}-000000`;
}

function tags(
  ctx: GenContext,
  message: EmailMessage,
  delivered: boolean,
  configurationSet: string,
): Record<string, string[]> {
  const domain = message.from.replace(/.*@/, '').replace('>', '');
  const result: Record<string, string[]> = {
    'ses:configuration-set': [configurationSet],
    'ses:source-ip': ['192.0.2.10'],
    'ses:from-domain': [domain],
    'ses:caller-identity': ['engagement-sender'],
  };
  if (delivered) result['ses:outgoing-ip'] = [`54.240.${ctx.rng.int(0, 15)}.${ctx.rng.int(1, 254)}`];
  const { programme } = message;
  if (programme.kind === 'campaign') {
    result.campaign = [programme.campaign.name];
    result.treatment = [programme.treatment];
  } else if (programme.kind === 'journey') {
    result.journey = [programme.journey.name];
  } else {
    result.template = [programme.template];
  }
  return result;
}

/** The `mail` object. Rendering failures and delays carry no headers, as in the AWS examples. */
function mail(
  ctx: GenContext,
  message: EmailMessage,
  withHeaders: boolean,
  tagMap: Record<string, string[]> | null,
): Record<string, unknown> {
  const { world } = ctx;
  const to = message.endpoint.email;
  const sender = message.from.replace(/.*</, '').replace('>', '');
  const result: Record<string, unknown> = {
    timestamp: iso(message.sentAt),
    source: message.from,
    sourceArn: `arn:aws:ses:${world.region}:${world.accountId}:identity/${sender.replace(/.*@/, '')}`,
    sendingAccountId: world.accountId,
    messageId: message.messageId,
    destination: [to],
  };
  if (withHeaders) {
    result.headersTruncated = false;
    result.headers = [
      { name: 'From', value: message.from },
      { name: 'To', value: to },
      { name: 'Subject', value: message.subject },
      { name: 'MIME-Version', value: '1.0' },
      {
        name: 'Content-Type',
        value: `multipart/alternative; boundary="----=_Part_${ctx.rng.int(0, 9999999)}_${ctx.rng.int(100000000, 999999999)}.${message.sentAt}"`,
      },
    ];
    result.commonHeaders = {
      from: [message.from],
      to: [to],
      messageId: message.messageId,
      subject: message.subject,
    };
  }
  if (tagMap !== null) result.tags = tagMap;
  return result;
}

/** The event's own object, keyed as SES keys it. */
function details(ctx: GenContext, message: EmailMessage, step: EmailStep): [string, Record<string, unknown>] {
  const { rng } = ctx;
  const to = message.endpoint.email;
  const at = iso(step.at);
  switch (step.kind) {
    case 'send':
      return ['send', {}];
    case 'delivery':
      return [
        'delivery',
        {
          timestamp: at,
          processingTimeMillis: step.processingMs ?? 0,
          recipients: [to],
          smtpResponse: '250 2.6.0 Message received',
          remoteMtaIp: `203.0.113.${rng.int(1, 254)}`,
          reportingMTA: `a8-${rng.int(10, 99)}.smtp-out.amazonses.com`,
        },
      ];
    case 'open':
      return [
        'open',
        {
          ipAddress: clientIp(rng),
          timestamp: at,
          userAgent: step.bot ? rng.pick(BOT_USER_AGENTS) : rng.pick(USER_AGENTS),
          isBotEvent: step.bot ? 'Likely' : 'Unlikely',
        },
      ];
    case 'click':
      return [
        'click',
        {
          ipAddress: clientIp(rng),
          link: step.link ?? '',
          linkTags: { section: [rng.pick(['hero', 'footer', 'body'])] },
          timestamp: at,
          userAgent: step.bot ? rng.pick(BOT_USER_AGENTS) : rng.pick(USER_AGENTS),
          isBotEvent: step.bot ? 'Likely' : 'Unlikely',
        },
      ];
    case 'hard_bounce':
    case 'soft_bounce': {
      const hard = step.kind === 'hard_bounce';
      const undetermined = !hard && rng.chance(0.1);
      const [subType, status, diagnosticCode] = rng.pick<readonly [string, string, string]>(
        hard ? HARD_BOUNCES : SOFT_BOUNCES,
      );
      const bounceType = hard ? 'Permanent' : undetermined ? 'Undetermined' : 'Transient';
      return [
        'bounce',
        {
          bounceType,
          bounceSubType: undetermined ? 'Undetermined' : subType,
          bouncedRecipients: [{ emailAddress: to, action: 'failed', status, diagnosticCode }],
          timestamp: at,
          feedbackId: feedbackId(ctx),
          reportingMTA: 'dsn; a8-53.smtp-out.amazonses.com',
        },
      ];
    }
    case 'complaint':
      return [
        'complaint',
        {
          complainedRecipients: [{ emailAddress: to }],
          timestamp: at,
          feedbackId: feedbackId(ctx),
          userAgent: 'Mail.ru Feedback Loop',
          complaintFeedbackType: 'abuse',
          arrivalDate: iso(Math.max(message.sentAt, step.at - rng.int(1000, 60000))),
        },
      ];
    case 'reject':
      return ['reject', { reason: 'Bad content' }];
    case 'rendering_failure':
      return [
        'failure',
        {
          errorMessage: "Attribute 'firstName' is not present in the rendering data.",
          templateName:
            message.programme.kind === 'transactional' ? message.programme.template : 'marketing-default',
        },
      ];
    case 'delivery_delay':
      return [
        'deliveryDelay',
        {
          timestamp: at,
          delayType: rng.pick(['TransientCommunicationFailure', 'MailboxFull', 'SpamDetected']),
          expirationTime: iso(message.sentAt + 14 * HOUR),
          delayedRecipients: [
            {
              emailAddress: to,
              status: '4.4.1',
              diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host',
            },
          ],
        },
      ];
    case 'unsubscribe':
    case 'subscription': {
      const out = step.kind === 'unsubscribe';
      const all = out && rng.chance(0.5);
      const topic = { topicName: 'newsletter', subscriptionStatus: out ? 'OptOut' : 'OptIn' };
      return [
        'subscription',
        {
          contactList: 'customers',
          timestamp: at,
          source: out ? 'UnsubscribeHeader' : 'ManageSubscriptionsPage',
          newTopicPreferences: { unsubscribeAll: all, topicSubscriptionStatus: [topic] },
          oldTopicPreferences: {
            unsubscribeAll: false,
            topicSubscriptionStatus: [
              { topicName: 'newsletter', subscriptionStatus: out ? 'OptIn' : 'OptOut' },
            ],
          },
        },
      ];
    }
  }
}

/**
 * Writes a message's SES event-publishing records. About 6% of messages go through a
 * configuration set whose destination is EventBridge: all of their events are wrapped.
 */
export function sesEmail(ctx: GenContext, message: EmailMessage, steps: EmailStep[], batch: Batch): void {
  const { rng } = ctx;
  const viaEventBridge = rng.chance(0.06);
  const configurationSet = message.programme.kind === 'transactional' ? 'transactional' : 'marketing';
  const delivered = steps.some((step) => step.kind === 'delivery');
  const tagMap = tags(ctx, message, delivered, configurationSet);
  for (const step of steps) {
    const [eventType, detailType] = SES_TYPES[step.kind];
    const withHeaders = step.kind !== 'rendering_failure' && step.kind !== 'delivery_delay';
    const [key, object] = details(ctx, message, step);
    const record = { eventType, mail: mail(ctx, message, withHeaders, tagMap), [key]: object };
    if (!viaEventBridge) {
      batch.add(step.at, record);
      continue;
    }
    const wrapped = eventBridge(ctx, 'aws.ses', detailType, record, step.at);
    batch.add(wrapped.latestTime, wrapped.record);
  }
}

/**
 * A message from a sending identity without event publishing: only its Delivery, Bounce and
 * Complaint identity notifications exist, each delivered through SNS.
 */
export function sesNotificationMessage(ctx: GenContext, t0: number, batch: Batch): void {
  const { rng, world } = ctx;
  const endpoint = rng.pick(world.endpoints);
  const message: EmailMessage = {
    messageId: sesMessageId(rng),
    sentAt: t0,
    from: world.notificationFromAddress,
    endpoint,
    subject: 'Your invoice is ready',
    links: ['https://www.example.org/billing'],
    programme: { kind: 'transactional', template: 'invoice' },
  };
  const kinds: Partial<Record<EmailStep['kind'], string>> = {
    delivery: 'Delivery',
    hard_bounce: 'Bounce',
    soft_bounce: 'Bounce',
    complaint: 'Complaint',
  };
  for (const step of planEmailFunnel(rng, message, { ses: false })) {
    const notificationType = kinds[step.kind];
    if (notificationType === undefined) continue;
    const [key, object] = details(ctx, message, step);
    // Notifications name the caller and source IP in `mail` and carry no tags.
    const { timestamp, source, sourceArn, sendingAccountId, ...rest } = mail(ctx, message, true, null);
    const notificationMail = {
      timestamp,
      messageId: message.messageId,
      source,
      sourceArn,
      sourceIp: '192.0.2.10',
      sendingAccountId,
      callerIdentity: 'billing-service',
      ...rest,
    };
    const record = { notificationType, mail: notificationMail, [key]: object };
    const wrapped = snsNotification(ctx, 'ses-billing-notifications', record, step.at);
    batch.add(wrapped.latestTime, wrapped.record);
  }
}
