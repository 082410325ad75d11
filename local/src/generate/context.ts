/**
 * What every scenario of the generator shares: the random source, the cast, the time window and
 * a collector that keeps each event only when all of its times fall inside the window.
 */
import type { World } from './identities';
import type { Rng } from './rng';

/** One minute in milliseconds. */
export const MINUTE = 60_000;
/** One hour in milliseconds. */
export const HOUR = 3_600_000;
/** One day in milliseconds. */
export const DAY = 86_400_000;

/** Amazon Pinpoint's end of support: after it, new email and SMS come from SES and End User Messaging. */
export const PINPOINT_END_OF_SUPPORT = Date.UTC(2026, 9, 30);
/** The 2018–2019 docs' record shape gave way to event stream v3 around here. */
const LEGACY_ERA_END = Date.UTC(2020, 0, 1);
/** Pinpoint journeys launched in October 2019; before, campaigns carry all marketing sends. */
const JOURNEYS_START = Date.UTC(2019, 9, 1);
/** Roughly when the SMS and voice v2 API (now End User Messaging) began publishing `eventVersion` 1.0 events. */
const END_USER_MESSAGING_START = Date.UTC(2023, 0, 1);

/** The shared state of one generation run. */
export interface GenContext {
  rng: Rng;
  world: World;
  /** First instant of the window (epoch ms, inclusive). */
  start: number;
  /** End of the window (epoch ms, exclusive). */
  end: number;
}

/** Which source shapes carry messaging at a given time (see `eraAt`). */
export interface Era {
  /** Probability that an email or SMS goes through Pinpoint rather than SES / End User Messaging. */
  pinpoint: number;
  /** Probability that a Pinpoint SMS or email record has the 2018–2019 legacy shape. */
  legacy: number;
  /** Whether End User Messaging events exist yet; before, SMS goes through Pinpoint and there is no MMS, RCS or voice. */
  endUserMessaging: boolean;
  /** Whether Pinpoint journeys exist yet. */
  journeys: boolean;
}

/**
 * The shape mix by date, kept deliberately simple:
 * - before 2020: Pinpoint carries most messaging and the legacy record shape dominates;
 * - 2020 until Pinpoint's end of support (2026-10-30): Pinpoint event stream v3 carries most
 *   messaging, SES and End User Messaging the rest, with a trickle of legacy-shaped records;
 * - after it: SES and End User Messaging carry almost everything. A small Pinpoint residue is
 *   kept on purpose, so that every source format appears in any window (think of backfills and
 *   apps still emitting the shape); choose an earlier `--start` for a Pinpoint-heavy mix.
 * - End User Messaging (SMS and voice v2) events start in 2023; before, SMS goes through Pinpoint
 *   and MMS, RCS and voice scenarios write nothing; journeys start in October 2019.
 * App events keep the Pinpoint app-event shape in every era: apps send it straight to Firehose.
 */
export function eraAt(time: number): Era {
  const products = { endUserMessaging: time >= END_USER_MESSAGING_START, journeys: time >= JOURNEYS_START };
  if (time < LEGACY_ERA_END) return { pinpoint: 0.85, legacy: 0.6, ...products };
  if (time < PINPOINT_END_OF_SUPPORT) return { pinpoint: 0.7, legacy: 0.03, ...products };
  return { pinpoint: 0.1, legacy: 0.05, ...products };
}

/** ISO-8601 with milliseconds and `Z`, as SES writes its times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO-8601 to the second, as EventBridge writes `time`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Collects the JSON lines of one scenario with their times. An event is kept only when its latest
 * time is before the window's end: a funnel that would continue past the window is simply cut
 * there, as a real export taken at that instant would be.
 */
export class Batch {
  readonly lines: string[] = [];
  /** The latest time each line carries (arrival or envelope time): the output is ordered by it. */
  readonly times: number[] = [];

  constructor(private readonly end: number) {}

  /** Serialises `record` when `latestTime` is inside the window; returns whether it was kept. */
  add(latestTime: number, record: unknown): boolean {
    if (latestTime >= this.end) return false;
    this.lines.push(JSON.stringify(record));
    this.times.push(latestTime);
    return true;
  }
}

/** A scenario writes the events of one real-world happening (a session, a message) into a batch. */
export type Scenario = (ctx: GenContext, t0: number, batch: Batch) => void;
