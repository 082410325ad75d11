import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateEvents, type GenerateOptions } from '../../local/src/generate';
import { FAMILIES, type EventRow } from '../../transform/src/schema';
import { transformEvent } from '../../transform/src/transform-event';
import type { EventResult } from '../../transform/src/types';

const DAY = 86_400_000;
/** A window after Pinpoint's end of support: the hardest case for "every format appears". */
const NOVEMBER: GenerateOptions = { events: 20_000, seed: '42', start: Date.UTC(2026, 10, 1), days: 30 };
const NOVEMBER_END = NOVEMBER.start + 30 * DAY;
const NOW = Date.UTC(2026, 11, 15);

function lines(options: GenerateOptions): string[] {
  return [...generateEvents(options)];
}

type Row = EventRow & { family: string };

function transformAll(text: string[]): EventResult[] {
  return text.map((line) => transformEvent(line, { now: NOW }));
}

/** The rows of the lines that transformed (the failures are asserted on separately). */
function rowsOf(results: EventResult[]): Row[] {
  return results.flatMap((result) => (result.ok ? [{ ...result.row, family: result.partition.family }] : []));
}

function groupBy<T>(items: T[], key: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const group = groups.get(k) ?? [];
    group.push(item);
    groups.set(k, group);
  }
  return groups;
}

/** Maps whose keys the sender chooses: their documented keys are examples, not a shape. */
const USER_MAPS = /^(attributes|context|mail\.tags|click\.linkTags)\./;

/** Dot paths of every object key (arrays are leaves), e.g. `mail.commonHeaders.subject`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    `${prefix}${key}`,
    ...keyPaths(inner, `${prefix}${key}.`),
  ]);
}

const november = lines(NOVEMBER);
const novemberResults = transformAll(november);
const novemberRows = rowsOf(novemberResults);

describe('generateEvents', () => {
  describe('determinism', () => {
    it('yields byte-identical lines for the same seed and window', () => {
      // Arrange
      const options = { ...NOVEMBER, events: 3000 };

      // Act
      const first = lines(options);
      const second = lines(options);

      // Assert
      expect(second).toEqual(first);
    });

    it('yields different lines for a different seed', () => {
      // Arrange
      const other = { ...NOVEMBER, events: 3000, seed: '43' };

      // Act
      const result = lines(other);

      // Assert
      const shared = new Set(november);
      expect(result.filter((line) => shared.has(line))).toEqual([]);
    });
  });

  describe('count', () => {
    it.each([0, 1, 7, 4321])('yields exactly %i lines', (events) => {
      // Act
      const result = lines({ ...NOVEMBER, events });

      // Assert
      expect(result).toHaveLength(events);
    });

    it('is lazy: taking a few lines of a huge run returns at once', () => {
      // Arrange
      const iterator = generateEvents({ ...NOVEMBER, events: 1_000_000_000 })[Symbol.iterator]();

      // Act
      const first = iterator.next();

      // Assert
      expect(first.done).toBe(false);
      expect(typeof first.value).toBe('string');
    });

    it('rejects a negative count, an empty window and a rate above 1', () => {
      expect(() => lines({ ...NOVEMBER, events: -1 })).toThrow('events must be a non-negative integer');
      expect(() => lines({ ...NOVEMBER, days: 0 })).toThrow('positive number of days');
      expect(() => lines({ ...NOVEMBER, duplicates: 1.5 })).toThrow('duplicates must be between 0 and 1');
    });
  });

  describe('shapes', () => {
    it('writes one JSON object per line, without newlines inside', () => {
      // Act
      const bad = november.filter((line) => {
        const parsed: unknown = JSON.parse(line);
        return line.includes('\n') || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed);
      });

      // Assert
      expect(bad).toEqual([]);
    });

    it('transforms every line, with no unknown format and no .other event name', () => {
      // Assert
      expect(novemberResults.filter((result) => !result.ok)).toEqual([]);
      expect(
        novemberRows.filter((row) => row.event_name.endsWith('.other')).map((row) => row.event_type),
      ).toEqual([]);
    });

    it('covers every family and every source format, wrapped and bare', () => {
      // Act
      const families = new Set(novemberRows.map((row) => row.family));
      const formats = new Set(novemberRows.map((row) => row.source_format));

      // Assert
      expect([...families].sort()).toEqual([...FAMILIES].sort());
      expect([...formats].sort()).toEqual([
        'pinpoint',
        'pinpoint_legacy',
        'ses',
        'ses+eventbridge',
        'ses_notification+sns',
        'sms_voice_v2',
        'sms_voice_v2+eventbridge',
      ]);
    });

    it.each([
      'email.send',
      'email.delivered',
      'email.open',
      'email.click',
      'email.hard_bounce',
      'email.soft_bounce',
      'email.complaint',
      'email.unsubscribe',
      'email.rejected',
      'email.rendering_failure',
      'email.delivery_delay',
      'sms.buffered',
      'sms.delivered',
      'sms.failed',
      'app.session_start',
      'app.session_stop',
      'app.custom',
      'app.purchase',
      'app.sign_in',
      'campaign.send',
      'journey.send',
      'mms.delivered',
      'rcs.read',
      'voice.completed',
      'other.registration_status',
    ])('produces %s events', (name) => {
      expect(novemberRows.some((row) => row.event_name === name)).toBe(true);
    });

    it('has every key of each documented AWS example of the same event type (attributes vary by design)', () => {
      // Arrange
      const folder = join(__dirname, '../../../shared/fixtures/documented');
      const typeOf = (record: Record<string, unknown>): string =>
        String(record.event_type ?? record.eventType);
      const generatedByType = groupBy(
        november.map((line) => JSON.parse(line) as Record<string, unknown>),
        typeOf,
      );
      const examples = readdirSync(folder)
        .filter((name) => name.endsWith('.ndjson'))
        .flatMap((name) => readFileSync(join(folder, name), 'utf8').trim().split('\n'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);

      // Act
      const missing = examples.flatMap((example) => {
        const candidates = generatedByType.get(typeOf(example)) ?? [];
        const documented = keyPaths(example).filter((path) => !USER_MAPS.test(path));
        const best =
          candidates.length === 0
            ? documented
            : documented.filter((path) => !keyPaths(candidates[0]).includes(path));
        return best.map((path) => `${typeOf(example)}: ${path}`);
      });

      // Assert
      expect(examples.length).toBeGreaterThan(15);
      expect(missing).toEqual([]);
    });

    it('sends campaign and journey endpoints as a JSON string, with User.UserId for known users', () => {
      // Arrange
      const sends = november
        .map(
          (line) =>
            JSON.parse(line) as { event_type?: string; client_context?: { custom: { endpoint: unknown } } },
        )
        .filter((record) => record.event_type === '_campaign.send' || record.event_type === '_journey.send');

      // Act
      const endpoints = sends.map((record) => record.client_context?.custom.endpoint);

      // Assert
      expect(endpoints.every((endpoint) => typeof endpoint === 'string')).toBe(true);
      const users = endpoints.map((endpoint) => JSON.parse(endpoint as string).User?.UserId).filter(Boolean);
      expect(users.length).toBeGreaterThan(sends.length / 2);
      expect(users.length).toBeLessThan(sends.length);
    });

    it('prices purchases in several currencies, with string attributes and numeric metrics', () => {
      // Arrange
      const purchases = novemberRows.filter((row) => row.event_name === 'app.purchase');

      // Act
      const currencies = new Set(purchases.map((row) => row.currency));

      // Assert
      expect(currencies.size).toBeGreaterThanOrEqual(4);
      for (const row of purchases) {
        expect(typeof row.attributes?._product_id).toBe('string');
        expect(typeof row.metrics?._item_price).toBe('number');
        expect(typeof row.metrics?._quantity).toBe('number');
      }
    });

    it('marks SES opens and clicks as likely bots or not, and bounces as Permanent, Transient or Undetermined', () => {
      // Arrange
      const ses = novemberRows.filter((row) => row.source_format.startsWith('ses'));

      // Act
      const bots = new Set(ses.filter((row) => row.event_name === 'email.open').map((row) => row.is_bot));
      const bounces = new Set(ses.filter((row) => row.event_type === 'Bounce').map((row) => row.bounce_type));

      // Assert
      expect([...bots].sort()).toEqual([false, true]);
      expect([...bounces].sort()).toEqual(['Permanent', 'Transient', 'Undetermined']);
    });

    it('prices Pinpoint SMS in millicents on the outcome only, never on _SMS.BUFFERED', () => {
      // Arrange
      const pinpoint = november
        .map(
          (line) =>
            JSON.parse(line) as {
              event_type?: string;
              event_version?: string;
              metrics?: Record<string, number>;
            },
        )
        .filter((record) => record.event_version === '3.1' && record.event_type?.startsWith('_SMS.'));

      // Act
      const priced = (type: string) =>
        pinpoint
          .filter((r) => r.event_type === type)
          .map((r) => r.metrics?.price_in_millicents_usd !== undefined);

      // Assert
      expect(priced('_SMS.BUFFERED').length).toBeGreaterThan(0);
      expect(priced('_SMS.BUFFERED').every((has) => !has)).toBe(true);
      expect(priced('_SMS.SUCCESS').every((has) => has)).toBe(true);
    });

    it('writes legacy Pinpoint SMS as the 2018 docs did: lower-case types, unique_id, integer message parts', () => {
      // Arrange
      const legacy = november
        .map((line) => JSON.parse(line) as Record<string, unknown> & { attributes?: Record<string, unknown> })
        .filter((record) => record.unique_id !== undefined);

      // Act
      const types = new Set(legacy.map((record) => record.event_type));

      // Assert
      expect(types.has('_sms.success')).toBe(true);
      for (const record of legacy) {
        expect(record.event_version).toBeUndefined();
        expect(typeof record.timestamp_created).toBe('string');
        expect(Number.isInteger(record.attributes?.number_of_message_parts)).toBe(true);
      }
    });

    it('wraps some events in EventBridge (aws.ses, aws.sms-voice) and SES notifications in SNS', () => {
      // Arrange
      const records = november.map((line) => JSON.parse(line) as Record<string, unknown>);

      // Act
      const sources = new Set(records.filter((r) => r['detail-type'] !== undefined).map((r) => r.source));
      const sns = records.filter((r) => r.Type === 'Notification');

      // Assert
      expect([...sources].sort()).toEqual(['aws.ses', 'aws.sms-voice']);
      expect(sns.length).toBeGreaterThan(0);
      for (const notification of sns) {
        expect(typeof notification.Message).toBe('string');
        expect(['Bounce', 'Complaint', 'Delivery']).toContain(
          JSON.parse(notification.Message as string).notificationType,
        );
      }
    });

    it('reports End User Messaging statuses in several countries, prices in dollars and a final flag', () => {
      // Arrange
      const eum = novemberRows.filter(
        (row) => row.source_format.startsWith('sms_voice_v2') && row.family === 'sms',
      );

      // Act
      const countries = new Set(eum.map((row) => row.country));
      const prices = eum.map((row) => row.price_usd ?? 0);

      // Assert
      expect(countries.size).toBeGreaterThanOrEqual(5);
      expect(Math.max(...prices)).toBeLessThan(1);
      expect(eum.some((row) => row.is_final === false)).toBe(true);
      expect(eum.some((row) => row.is_final === true)).toBe(true);
    });
  });

  describe('funnels', () => {
    const email = novemberRows.filter((row) => row.family === 'email');
    const messages = groupBy(email, (row) => row.message_id);
    // Funnels start at a send; SES identity notifications (Delivery, Bounce, Complaint through SNS) have none.
    const funnels = [...messages.values()].filter(
      (events) => events[0].source_format !== 'ses_notification+sns',
    );
    const count = (name: string): number =>
      funnels.filter((events) => events.some((row) => row.event_name === name)).length;

    it('gives every email event a message id shared with exactly one send', () => {
      // Act
      const wrong = [...messages.entries()].filter(([, events]) => {
        const names = events.map((row) => row.event_name);
        const sends = names.filter((name) => name === 'email.send').length;
        const deliveries = names.filter((name) => name === 'email.delivered').length;
        // SES identity notifications (through SNS) exist without event publishing: no send event.
        const notifications = events.every((row) => row.source_format === 'ses_notification+sns');
        return (!notifications && sends !== 1) || deliveries > 1;
      });

      // Assert
      expect(email.every((row) => row.message_id !== null)).toBe(true);
      expect(wrong).toEqual([]);
    });

    it('never has more delivered, opened or clicked messages than sent ones, and engagement only after delivery', () => {
      // Act
      const sent = count('email.send');

      // Assert
      expect(count('email.delivered')).toBeLessThanOrEqual(sent);
      expect(count('email.open')).toBeLessThanOrEqual(count('email.delivered'));
      expect(count('email.click')).toBeLessThanOrEqual(count('email.open'));
      const engagedUndelivered = funnels.filter((events) => {
        const names = new Set(events.map((row) => row.event_name));
        return (names.has('email.open') || names.has('email.click')) && !names.has('email.delivered');
      });
      expect(engagedUndelivered).toEqual([]);
    });

    it('dates every event of a message at or after its send, and opens strictly after', () => {
      // Act
      const early = funnels.flatMap((events) => {
        const sent = events.find((row) => row.event_name === 'email.send')?.event_time as number;
        const engaged = (row: Row): boolean =>
          row.event_name === 'email.open' || row.event_name === 'email.click';
        return events.filter(
          (row) => (row.event_time as number) < sent || (engaged(row) && (row.event_time as number) <= sent),
        );
      });

      // Assert
      expect(funnels.length).toBeGreaterThan(2500);
      expect(early).toEqual([]);
    });

    it('keeps email rates realistic: ~97% delivered, ~20-25% opened, 2-4% clicked, 1-2% hard bounces', () => {
      // Arrange: count within messages whose send and funnel both fit in the window.
      const sent = count('email.send');

      // Act
      const delivered = count('email.delivered') / sent;
      const opened = count('email.open') / count('email.delivered');
      const clicked = count('email.click') / count('email.delivered');
      const hardBounced = count('email.hard_bounce') / sent;

      // Assert
      expect(sent).toBeGreaterThan(2500);
      expect(delivered).toBeGreaterThan(0.95);
      expect(delivered).toBeLessThan(0.99);
      expect(opened).toBeGreaterThan(0.18);
      expect(opened).toBeLessThan(0.27);
      expect(clicked).toBeGreaterThan(0.02);
      expect(clicked).toBeLessThan(0.045);
      expect(hardBounced).toBeGreaterThan(0.008);
      expect(hardBounced).toBeLessThan(0.025);
    });

    it('starts every SMS with a buffered event and ends it delivered (~95%) or failed, never both', () => {
      // Arrange
      const sms = novemberRows.filter((row) => row.family === 'sms' && !row.origination?.startsWith('rcs-'));
      const bySms = groupBy(sms, (row) => row.message_id);
      let delivered = 0;
      let failed = 0;

      // Act
      for (const events of bySms.values()) {
        const names = new Set(events.map((row) => row.event_name));
        if (names.has('sms.delivered')) delivered++;
        if (names.has('sms.failed')) failed++;
        expect(names.has('sms.delivered') && names.has('sms.failed')).toBe(false);
        const first = [...events].sort((a, b) => (a.event_time as number) - (b.event_time as number))[0];
        // SMS Protect blocks a message before it is queued: its only event is the final one.
        expect(first.event_name === 'sms.buffered' || first.status === 'PROTECT_BLOCKED').toBe(true);
      }

      // Assert
      expect(delivered / (delivered + failed)).toBeGreaterThan(0.92);
      expect(delivered / (delivered + failed)).toBeLessThan(0.98);
    });

    it('pairs each session stop with its start, with start and stop times', () => {
      // Arrange
      const sessions = groupBy(
        novemberRows.filter((row) => row.family === 'app'),
        (row) => row.session_id,
      );

      // Act
      const stops = novemberRows.filter((row) => row.event_name === 'app.session_stop');

      // Assert
      expect(stops.length).toBeGreaterThan(500);
      for (const stop of stops) {
        const events = sessions.get(stop.session_id as string) ?? [];
        expect(events.some((row) => row.event_name === 'app.session_start')).toBe(true);
        expect(stop.session_stop_time).toBeGreaterThan(stop.session_start_time as number);
      }
    });
  });

  describe('window and identities', () => {
    it('keeps every event and arrival time inside [start, start + days)', () => {
      // Act
      const outside = novemberRows.filter(
        (row) =>
          (row.event_time as number) < NOVEMBER.start ||
          (row.event_time as number) >= NOVEMBER_END ||
          (row.arrival_time !== null &&
            (row.arrival_time < NOVEMBER.start || row.arrival_time >= NOVEMBER_END)),
      );

      // Assert
      expect(outside).toEqual([]);
    });

    it('writes lines in time order (arrival or envelope time), as a Firehose archive holds them', () => {
      // Arrange: an EventBridge or SNS envelope is written up to 1.5 s after the event it wraps.
      const slack = 2000;
      let latest = 0;

      // Act
      const backwards = novemberRows.filter((row) => {
        const time = (row.arrival_time ?? row.event_time) as number;
        const late = time < latest - slack;
        latest = Math.max(latest, time);
        return late;
      });

      // Assert
      expect(backwards).toEqual([]);
    });

    it('keeps order and window for a dense run (many events in one day, slices under an hour)', () => {
      // Arrange
      const start = Date.UTC(2026, 10, 2);
      const dense = rowsOf(transformAll(lines({ events: 30_000, seed: '5', start, days: 1 })));
      let latest = 0;

      // Act
      const misplaced = dense.filter((row) => {
        const time = (row.arrival_time ?? row.event_time) as number;
        const wrong = time < latest - 2000 || (row.event_time as number) < start || time >= start + DAY;
        latest = Math.max(latest, time);
        return wrong;
      });
      const hours = new Set(dense.map((row) => Math.floor((row.event_time as number) / 3_600_000)));

      // Assert
      expect(dense).toHaveLength(30_000);
      expect(misplaced).toEqual([]);
      expect(hours.size).toBe(24);
    });

    it('spreads events over every day of the window', () => {
      // Act
      const days = new Set(novemberRows.map((row) => Math.floor((row.event_time as number) / DAY)));

      // Assert
      expect(days.size).toBe(30);
    });

    it('draws endpoints and addresses from a bounded pool, so they recur', () => {
      // Act
      const endpoints = groupBy(novemberRows, (row) => row.endpoint_id);
      const addresses = groupBy(
        novemberRows.filter((row) => row.family === 'email'),
        (row) => row.destination,
      );

      // Assert
      expect(endpoints.size).toBeLessThan(3000); // transactional Pinpoint email uses a fresh id per event
      expect(addresses.size).toBeLessThanOrEqual(1500);
      expect(Math.max(...[...addresses.values()].map((events) => events.length))).toBeGreaterThan(10);
    });
  });

  describe('eras', () => {
    const old = rowsOf(
      transformAll(lines({ events: 5000, seed: '42', start: Date.UTC(2018, 5, 1), days: 30 })),
    );

    it('lets legacy Pinpoint shapes dominate before 2020', () => {
      // Act
      const legacy = old.filter((row) => row.source_format === 'pinpoint_legacy').length;
      const ses = old.filter((row) => row.source_format.startsWith('ses')).length;

      // Assert
      expect(legacy).toBeGreaterThan(ses);
    });

    it('has no End User Messaging events (SMS v2, MMS, RCS, voice) before 2023', () => {
      // Act
      const eum = old.filter((row) => row.source_format.startsWith('sms_voice_v2'));
      const families = new Set(old.map((row) => row.family));

      // Assert
      expect(eum).toEqual([]);
      expect(families.has('mms') || families.has('rcs') || families.has('voice')).toBe(false);
      expect(families.has('sms')).toBe(true);
    });

    it('has no journeys before they launched (October 2019)', () => {
      // Act
      const journeys = old.filter((row) => row.family === 'journey' || row.journey_id !== null);

      // Assert
      expect(journeys).toEqual([]);
      expect(old.some((row) => row.family === 'campaign')).toBe(true);
    });

    it("sends most email through SES after Pinpoint's end of support", () => {
      // Act
      const email = novemberRows.filter((row) => row.event_name === 'email.send');
      const viaSes = email.filter((row) => row.source_format.startsWith('ses')).length;

      // Assert
      expect(viaSes / email.length).toBeGreaterThan(0.8);
    });
  });

  describe('duplicates', () => {
    it('repeats no line when no redelivery is asked for', () => {
      expect(new Set(november).size).toBe(november.length);
    });

    it('redelivers the asked share of lines as exact copies of a line written shortly before', () => {
      // Arrange
      const options = { ...NOVEMBER, duplicates: 0.1 };

      // Act
      const result = lines(options);
      const firstSeen = new Map<string, number>();
      let copies = 0;
      let furthest = 0;
      result.forEach((line, index) => {
        const earlier = firstSeen.get(line);
        if (earlier === undefined) firstSeen.set(line, index);
        else {
          copies++;
          furthest = Math.max(furthest, index - earlier);
        }
      });

      // Assert
      expect(result).toHaveLength(20_000);
      expect(copies / result.length).toBeGreaterThan(0.09);
      expect(copies / result.length).toBeLessThan(0.11);
      expect(furthest).toBeLessThan(1000);
    });
  });
});
