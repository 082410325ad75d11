/**
 * The synthetic event generator: realistic engagement events in every source format the lake
 * reads, one JSON object per line, deterministic for a seed and a window.
 *
 * How it works: a fixed cast (endpoints, campaigns, journeys… see `identities.ts`) is built from
 * the seed. Then, again and again, a scenario is chosen by weight (an app session, an email and
 * its funnel, an SMS, a push campaign, an MMS, an RCS message, a voice call, an SNS-delivered SES
 * notification, a sender registration) and started at a random instant, walking the window from
 * start to end so that lines spread evenly over it (`timeline.ts`). Lines come out in time order,
 * as in a Firehose archive; events that would fall after the window's end are cut.
 * Memory stays bounded: only events still in flight (a funnel's opens and clicks to come) and a
 * small window of recent lines (for redeliveries) are held.
 */
import { appSession, pushCampaign } from './app';
import { DAY, type GenContext, type Scenario } from './context';
import { emailMessage } from './email';
import { eumMedia } from './eum';
import { eumRcs, eumVoice, registrationStatus } from './eum-rcs-voice';
import { buildWorld } from './identities';
import { Rng, type Weighted } from './rng';
import { sesNotificationMessage } from './ses';
import { smsMessage } from './sms';
import { timeline } from './timeline';

/** Options of `generateEvents`. */
export interface GenerateOptions {
  /** Exactly this many lines are produced. */
  events: number;
  /** Any string; the same seed (with the same window) gives byte-identical output. */
  seed: string;
  /** First instant of the window, epoch ms (the CLI passes a UTC midnight). */
  start: number;
  /** Length of the window in days; every timestamp falls in [start, start + days). */
  days: number;
  /**
   * Share of lines, from 0 to 1, that are at-least-once redeliveries: exact byte copies of a
   * line written shortly before. 0 (the default) means no line is repeated.
   */
  duplicates?: number;
}

/**
 * Scenario weights, chosen so that events split roughly as an app-plus-messaging account's do.
 * Measured on 100,000 events of a 30-day window in 2026: app 37%, email 34%, SMS 16%, campaign
 * and journey sends 6%, voice, MMS and RCS about 2% each, in-app 0.8%, registrations 0.1%; SES
 * identity notifications through SNS are 0.3% of events.
 */
export const SCENARIOS: Weighted<Scenario> = [
  [appSession, 7],
  [emailMessage, 14],
  [smsMessage, 6],
  [pushCampaign, 2.5],
  [eumMedia, 0.6],
  [eumRcs, 0.6],
  [eumVoice, 0.5],
  [sesNotificationMessage, 0.3],
  [registrationStatus, 0.06],
];

/** How far back a redelivery may reach: a copy lands within this many lines of its original. */
const REDELIVERY_WINDOW = 500;

/**
 * Yields exactly `options.events` NDJSON lines (without the newline). Lazy: pull as many as you
 * need; only the events still in flight and the redelivery window are held.
 *
 * @example
 * for (const line of generateEvents({ events: 1000, seed: '7', start: Date.UTC(2026, 10, 1), days: 30 })) {
 *   out.write(`${line}\n`);
 * }
 */
export function* generateEvents(options: GenerateOptions): Generator<string> {
  const { events, seed, start, days } = options;
  const rate = options.duplicates ?? 0;
  if (!Number.isInteger(events) || events < 0)
    throw new RangeError(`events must be a non-negative integer, got ${events}`);
  if (!(days > 0) || !Number.isFinite(start))
    throw new RangeError('the window needs a finite start and a positive number of days');
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`duplicates must be between 0 and 1, got ${rate}`);
  // Separate streams: the cast does not depend on the mix, nor the choice of redeliveries on the events.
  const world = buildWorld(new Rng(`${seed}/world`));
  const ctx: GenContext = { rng: new Rng(`${seed}/events`), world, start, end: start + days * DAY };
  const redelivery = new Rng(`${seed}/redelivery`);
  const fresh = timeline(ctx, SCENARIOS, Math.ceil(events * (1 - rate)));
  const recent: string[] = [];
  let next = 0;
  for (let emitted = 0; emitted < events; emitted++) {
    if (rate > 0 && recent.length > 0 && redelivery.chance(rate)) {
      yield redelivery.pick(recent);
      continue;
    }
    const line = fresh.next().value as string;
    if (recent.length < REDELIVERY_WINDOW) recent.push(line);
    else recent[next++ % REDELIVERY_WINDOW] = line;
    yield line;
  }
}
