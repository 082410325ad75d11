/**
 * Email scenarios. One message goes through Pinpoint (campaign, journey or transactional; the
 * `_email.*` events with the `facets.email_channel.mail_event` facet, preceded by the campaign's
 * or journey's own send event) or through SES event publishing, depending on the era (see
 * `eraAt`). Every event of a message carries the same message id.
 */
import { type Batch, eraAt, type GenContext } from './context';
import {
  BOT_USER_AGENTS,
  clientIp,
  type EmailMessage,
  type EmailStep,
  planEmailFunnel,
  type Programme,
  sesMessageId,
  USER_AGENTS,
} from './email-funnel';
import { legacyEmail } from './legacy';
import { messageEvent, programmeSendEvent } from './pinpoint';
import { sesEmail } from './ses';

const EVENT_TYPES: Partial<Record<EmailStep['kind'], string>> = {
  send: '_email.send',
  delivery: '_email.delivered',
  open: '_email.open',
  click: '_email.click',
  hard_bounce: '_email.hardbounce',
  soft_bounce: '_email.softbounce',
  complaint: '_email.complaint',
  unsubscribe: '_email.unsubscribe',
  reject: '_email.rejected',
  rendering_failure: '_email.rendering_failure',
};

function programmeAttributes(programme: Programme): Record<string, string> {
  if (programme.kind === 'campaign') {
    const { campaign, treatment } = programme;
    return {
      campaign_id: campaign.campaignId,
      campaign_activity_id: campaign.activityId,
      treatment_id: treatment,
    };
  }
  if (programme.kind === 'journey') {
    const { journey } = programme;
    return {
      journey_id: journey.journeyId,
      journey_run_id: journey.runId,
      journey_activity_id: journey.emailActivityId,
    };
  }
  return {};
}

function feedback(step: EmailStep): string {
  if (step.kind === 'click') return step.link ?? '';
  const words: Partial<Record<EmailStep['kind'], string>> = {
    send: 'received',
    delivery: 'delivered',
    open: 'opened',
  };
  return words[step.kind] ?? step.kind;
}

/** The event's own object inside the facet (`send`, `delivery`, `open`, `click`, or an undocumented one). */
function facetObject(
  ctx: GenContext,
  message: EmailMessage,
  step: EmailStep,
): [string, Record<string, unknown>] {
  const { rng } = ctx;
  const to = message.endpoint.email;
  const agent = step.bot ? rng.pick(BOT_USER_AGENTS) : rng.pick(USER_AGENTS);
  switch (step.kind) {
    case 'send':
      return ['send', {}];
    case 'delivery':
      return [
        'delivery',
        {
          smtp_response: `250 ok:  Message ${rng.int(10_000_000, 99_999_999)} accepted`,
          reporting_mta: `a8-${rng.int(10, 99)}.smtp-out.amazonses.com`,
          recipients: [to],
          processing_time_millis: step.processingMs ?? 0,
        },
      ];
    case 'open':
      return ['open', { ip_address: clientIp(rng), user_agent: agent }];
    case 'click':
      return ['click', { ip_address: clientIp(rng), user_agent: agent, link: step.link ?? '' }];
    case 'hard_bounce':
    case 'soft_bounce':
      return [
        'bounce',
        {
          bounce_type: step.kind === 'hard_bounce' ? 'Permanent' : 'Transient',
          bounce_sub_type: step.kind === 'hard_bounce' ? 'General' : 'MailboxFull',
          bounced_recipients: [to],
        },
      ];
    case 'complaint':
      return ['complaint', { complained_recipients: [to], complaint_feedback_type: 'abuse' }];
    default:
      return [step.kind, {}];
  }
}

function pinpointEmail(ctx: GenContext, message: EmailMessage, step: EmailStep, batch: Batch): void {
  const eventType = EVENT_TYPES[step.kind];
  if (eventType === undefined) return; // Pinpoint's stream has no delay or subscription events.
  const { rng, world } = ctx;
  // Pinpoint passes SES's notifications on within a fraction of a second, so arrival order is event order.
  const arrival = step.at + rng.int(100, 250);
  const to = message.endpoint.email;
  const headers = [
    { name: 'From', value: message.from },
    { name: 'To', value: to },
    // The Subject header is not included for campaign `_email.send` events (AWS docs).
    ...(step.kind === 'send' && message.programme.kind === 'campaign'
      ? []
      : [{ name: 'Subject', value: message.subject }]),
    { name: 'MIME-Version', value: '1.0' },
    {
      name: 'Content-Type',
      value: `multipart/alternative;  boundary="----=_Part_${rng.int(100000, 999999)}_${rng.int(100000000, 999999999)}"`,
    },
  ];
  const [key, object] = facetObject(ctx, message, step);
  const mail = {
    message_id: message.messageId,
    message_send_timestamp: message.sentAt,
    from_address: message.from,
    destination: [to],
    headers_truncated: false,
    headers,
    common_headers: { from: message.from, to: [to], subject: message.subject },
  };
  // Transactional sends have no endpoint: the documented examples show a fresh UUID per event.
  const clientId = message.programme.kind === 'transactional' ? rng.uuid() : message.endpoint.endpointId;
  const attributes = { ...programmeAttributes(message.programme), feedback: feedback(step) };
  const facets = { email_channel: { mail_event: { mail, [key]: object } } };
  batch.add(
    arrival,
    messageEvent(
      world,
      message.endpoint.app.appId,
      eventType,
      message.sentAt,
      arrival,
      clientId,
      attributes,
      { facets },
    ),
  );
}

/** The send event a campaign or journey writes for the endpoint before its email events; false when the send stopped there. */
function programmeSend(ctx: GenContext, message: EmailMessage, batch: Batch): boolean {
  const { rng, world } = ctx;
  const { programme, endpoint } = message;
  const at = message.sentAt;
  const arrival = at + rng.int(20, 300);
  if (programme.kind === 'campaign') {
    const status = rng.weighted<string>([
      ['SUCCESS', 97],
      ['QUIET_TIME', 1.5],
      ['DUPLICATE_ADDRESS', 0.5],
      ['DAILY_CAP', 1],
    ]);
    const attributes = {
      ...programmeAttributes(programme),
      delivery_type: 'EMAIL',
      campaign_send_status: status,
    };
    batch.add(
      arrival,
      programmeSendEvent(rng, world, 'campaign', 'EMAIL', endpoint, at, arrival, attributes),
    );
    return status === 'SUCCESS';
  }
  if (programme.kind === 'journey') {
    const ok = rng.chance(0.98);
    const attributes = {
      ...programmeAttributes(programme),
      journey_send_status: ok ? 'SUCCESS' : 'FAILURE_PERMANENT',
      journey_activity_type: 'EMAIL',
      journey_send_status_message: ok ? '200' : 'Address is on the suppression list',
      journey_send_status_code: ok ? '200' : '403',
    };
    batch.add(arrival, programmeSendEvent(rng, world, 'journey', 'EMAIL', endpoint, at, arrival, attributes));
    return ok;
  }
  return true;
}

/** Builds a message for a send at `t0`: who, what, from which programme. */
function newMessage(ctx: GenContext, t0: number): EmailMessage {
  const { rng, world } = ctx;
  const endpoint = rng.pick(world.endpoints);
  const kind = rng.weighted<Programme['kind']>([
    ['campaign', 40],
    ['journey', eraAt(t0).journeys ? 25 : 0],
    ['transactional', 35],
  ]);
  if (kind === 'campaign') {
    const campaign = rng.pick(world.campaigns);
    const programme: Programme = { kind, campaign, treatment: String(rng.int(0, campaign.treatments - 1)) };
    return {
      messageId: sesMessageId(rng),
      sentAt: t0,
      from: world.sesFromAddresses[0],
      endpoint,
      subject: campaign.subject,
      links: campaign.links,
      programme,
    };
  }
  if (kind === 'journey') {
    const journey = rng.pick(world.journeys);
    return {
      messageId: sesMessageId(rng),
      sentAt: t0,
      from: world.sesFromAddresses[2],
      endpoint,
      subject: journey.subject,
      links: journey.links,
      programme: { kind, journey },
    };
  }
  const template = rng.pick(['order-confirmation', 'password-reset', 'shipping-update', 'receipt']);
  const subject =
    {
      'order-confirmation': 'Your order is confirmed',
      'password-reset': 'Reset your password',
      'shipping-update': 'Your order has shipped',
      receipt: 'Your receipt',
    }[template] ?? template;
  return {
    messageId: sesMessageId(rng),
    sentAt: t0,
    from: world.sesFromAddresses[1],
    endpoint,
    subject,
    links: ['https://www.example.com/orders', 'https://www.example.com/help'],
    programme: { kind, template },
  };
}

/** One email message and its whole funnel, through Pinpoint or SES depending on the era. */
export function emailMessage(ctx: GenContext, t0: number, batch: Batch): void {
  const { rng } = ctx;
  const era = eraAt(t0);
  const message = newMessage(ctx, t0);
  if (!rng.chance(era.pinpoint)) {
    sesEmail(ctx, message, planEmailFunnel(rng, message, { ses: true }), batch);
    return;
  }
  if (rng.chance(era.legacy)) {
    legacyEmail(ctx, message, planEmailFunnel(rng, message, { ses: false }), batch);
    return;
  }
  if (!programmeSend(ctx, message, batch)) return;
  for (const step of planEmailFunnel(rng, message, { ses: false })) pinpointEmail(ctx, message, step, batch);
}
