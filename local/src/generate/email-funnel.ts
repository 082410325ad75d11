/**
 * The life of one email, independent of the service that reports it: send, then an outcome
 * (delivered about 97%, hard bounce about 1.5%, soft bounce about 1%, a few rejects, rendering
 * failures and delays), then for delivered mail the engagement (opens on about 23% of delivered,
 * clicks on about 3%, complaints about 0.08%, unsubscribes about 0.2%).
 * Pinpoint and SES renderers turn these steps into their own record shapes.
 */
import { DAY, HOUR, MINUTE } from './context';
import type { Campaign, Endpoint, Journey } from './identities';
import type { Rng } from './rng';

/** Who sent the message: a campaign (with its A/B treatment), a journey activity, or the app itself. */
export type Programme =
  | { kind: 'campaign'; campaign: Campaign; treatment: string }
  | { kind: 'journey'; journey: Journey }
  | { kind: 'transactional'; template: string };

/** One email message: the join key of every event about it is `messageId`. */
export interface EmailMessage {
  messageId: string;
  sentAt: number;
  from: string;
  endpoint: Endpoint;
  subject: string;
  links: readonly string[];
  programme: Programme;
}

/** What happened to the message at one step (SES-only kinds are skipped by the Pinpoint renderer). */
export type EmailStepKind =
  | 'send'
  | 'delivery'
  | 'open'
  | 'click'
  | 'hard_bounce'
  | 'soft_bounce'
  | 'complaint'
  | 'unsubscribe'
  | 'subscription'
  | 'reject'
  | 'rendering_failure'
  | 'delivery_delay';

/** One event of a message's life. */
export interface EmailStep {
  kind: EmailStepKind;
  at: number;
  /** Opens and clicks by security scanners and privacy proxies (SES `isBotEvent` Likely). */
  bot?: boolean;
  link?: string;
  /** Delivery: ms from acceptance to hand-off. */
  processingMs?: number;
}

/** Mail clients that open and click (a desktop and mobile mix). */
export const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
];
/** What image proxies and link scanners send (Gmail's proxy, Apple Mail Privacy Protection, scanners). */
export const BOT_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Mozilla/5.0',
];

/** A documentation-range IP (RFC 5737) for opens and clicks. */
export function clientIp(rng: Rng): string {
  return `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;
}

/** SES-only steps (Pinpoint's stream has no delay or subscription-preference events). */
export interface FunnelOptions {
  ses: boolean;
}

/** An SES-style message id: `0100` + 12 hex digits, a UUID, `-000000`. */
export function sesMessageId(rng: Rng): string {
  return `0100019${rng.hex(9)}-${rng.uuid()}-000000`;
}

function engagement(rng: Rng, message: EmailMessage, deliveredAt: number, steps: EmailStep[]): void {
  let lastEngagement = deliveredAt;
  if (rng.chance(0.23)) {
    // Opens: most within hours, a long tail over days; some are machine opens (privacy proxies).
    let at = deliveredAt + Math.round(Math.min(rng.logNormal(2 * HOUR, 1.6), 6 * DAY)) + rng.int(1000, 60000);
    const opens = rng.weighted<number>([
      [1, 65],
      [2, 22],
      [3, 9],
      [4, 4],
    ]);
    const bot = rng.chance(0.12);
    for (let i = 0; i < opens; i++) {
      steps.push({ kind: 'open', at, bot });
      lastEngagement = at;
      if (i === 0 && rng.chance(0.14)) {
        // Clicks follow the first open by seconds to minutes.
        const clicks = rng.chance(0.8) ? 1 : 2;
        let clickAt = at + Math.round(rng.logNormal(40_000, 1.2)) + 500;
        for (let c = 0; c < clicks; c++) {
          steps.push({
            kind: 'click',
            at: clickAt,
            bot: bot && rng.chance(0.5),
            link: rng.pick(message.links),
          });
          lastEngagement = Math.max(lastEngagement, clickAt);
          clickAt += Math.round(rng.exp(2 * MINUTE)) + 1000;
        }
      }
      at += Math.round(rng.logNormal(6 * HOUR, 1.3)) + 1000;
    }
  }
  if (rng.chance(0.0008))
    steps.push({ kind: 'complaint', at: deliveredAt + Math.round(rng.logNormal(6 * HOUR, 1)) + 1000 });
  // Only marketing mail carries a list-unsubscribe link: 0.3% of it, about 0.2% of all delivered mail.
  if (message.programme.kind === 'transactional') return;
  if (rng.chance(0.003))
    steps.push({ kind: 'unsubscribe', at: lastEngagement + Math.round(rng.logNormal(2 * MINUTE, 1)) + 1000 });
  else if (rng.chance(0.0008))
    steps.push({ kind: 'subscription', at: lastEngagement + rng.int(5000, 600000) });
}

/**
 * Plans every event of one message, in time order, starting with its send. Times are absolute
 * epoch ms; the caller drops those past the window's end.
 */
export function planEmailFunnel(rng: Rng, message: EmailMessage, options: FunnelOptions): EmailStep[] {
  const t0 = message.sentAt;
  const steps: EmailStep[] = [{ kind: 'send', at: t0 }];
  const outcome = rng.weighted<EmailStepKind>([
    ['delivery', 9700],
    ['hard_bounce', 150],
    ['soft_bounce', 100],
    ['reject', 10],
    ['rendering_failure', 10],
    ['delivery_delay', options.ses ? 40 : 0],
  ]);
  const processingMs = rng.chance(0.9) ? rng.int(300, 4000) : rng.int(4000, 60000);
  switch (outcome) {
    case 'delivery':
      steps.push({ kind: 'delivery', at: t0 + processingMs, processingMs });
      engagement(rng, message, t0 + processingMs, steps);
      break;
    case 'hard_bounce':
      steps.push({ kind: 'hard_bounce', at: t0 + rng.int(800, 90000) });
      break;
    case 'soft_bounce':
      // SES reports a soft bounce only after it has retried for a while.
      steps.push({ kind: 'soft_bounce', at: t0 + Math.round(rng.logNormal(3 * HOUR, 0.8)) });
      break;
    case 'delivery_delay': {
      const delayAt = t0 + rng.int(5, 60) * MINUTE;
      steps.push({ kind: 'delivery_delay', at: delayAt });
      const laterAt = delayAt + Math.round(rng.logNormal(2 * HOUR, 0.7));
      if (rng.chance(0.85)) {
        steps.push({ kind: 'delivery', at: laterAt, processingMs: laterAt - t0 });
        engagement(rng, message, laterAt, steps);
      } else {
        steps.push({ kind: 'soft_bounce', at: laterAt });
      }
      break;
    }
    default:
      steps.push({ kind: outcome, at: t0 + rng.int(50, 900) });
  }
  return steps.sort((a, b) => a.at - b.at);
}
