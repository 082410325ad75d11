import { row, tempLake, writeRows, type TestRow } from './helpers/lake';
import { runSaved } from './helpers/run';

const NOV = { start: '2026-11-01', end: '2026-11-30' };

describe('saved queries (messaging)', () => {
  const lakes: (() => void)[] = [];
  afterAll(() => lakes.forEach((remove) => remove()));
  const lakeWith = async (rows: TestRow[]): Promise<string> => {
    const { dir, remove } = tempLake();
    lakes.push(remove);
    await writeRows(dir, rows);
    return dir;
  };
  const email = (name: string, time: string, fields: Partial<TestRow> = {}) =>
    row('email', name, time, fields);

  describe('email_funnel', () => {
    // m1 is reported by Pinpoint and SES; m2's only open is a bot; m3 is an SES message without campaign
    const funnelRows = (): TestRow[] => [
      email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm1', campaign_id: 'c1' }),
      email('email.send', '2026-11-01T10:00:01Z', { message_id: 'm1', source_format: 'ses' }),
      email('email.delivered', '2026-11-01T10:01:00Z', { message_id: 'm1', campaign_id: 'c1' }),
      email('email.delivered', '2026-11-01T10:01:00Z', { message_id: 'm1', source_format: 'ses' }),
      email('email.open', '2026-11-01T11:00:00Z', { message_id: 'm1', is_bot: false }),
      email('email.click', '2026-11-01T11:01:00Z', { message_id: 'm1' }),
      email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm2', campaign_id: 'c1' }),
      email('email.delivered', '2026-11-01T10:01:00Z', { message_id: 'm2', campaign_id: 'c1' }),
      email('email.open', '2026-11-01T10:01:05Z', { message_id: 'm2', is_bot: true, source_format: 'ses' }),
      email('email.send', '2026-11-01T12:00:00Z', { message_id: 'm3', source_format: 'ses' }),
      email('email.hard_bounce', '2026-11-01T12:00:02Z', { message_id: 'm3', source_format: 'ses' }),
      // known only from its delivery (an SES identity notification has no send event)
      email('email.delivered', '2026-11-01T13:00:00Z', { message_id: 'm9', source_format: 'ses' }),
    ];

    it('counts each message once per step across Pinpoint and SES and leaves bots out', async () => {
      // Arrange
      const dir = await lakeWith(funnelRows());
      // Act
      const rows = await runSaved(dir, 'email_funnel', NOV);
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          campaign_id: 'c1',
          journey_id: null,
          sent: 2,
          delivered: 2,
          opened: 1,
          clicked: 1,
          delivery_rate: 1,
          open_rate: 0.5,
          click_rate: 0.5,
          click_to_open_rate: 1,
        },
        {
          dt: '2026-11-01',
          campaign_id: null,
          journey_id: null,
          sent: 1,
          delivered: 1, // m9
          opened: 0,
          clicked: 0,
          delivery_rate: 0, // m3 was sent and bounced; m9 was not seen sent
          open_rate: 0,
          click_rate: 0,
          click_to_open_rate: null,
        },
      ]);
    });

    it('counts bot opens when include_bots is true', async () => {
      // Arrange
      const dir = await lakeWith(funnelRows());
      // Act
      const rows = await runSaved(dir, 'email_funnel', { ...NOV, include_bots: 'true' });
      // Assert
      expect(rows[0]).toMatchObject({
        campaign_id: 'c1',
        opened: 2,
        clicked: 1,
        open_rate: 1,
        click_to_open_rate: 0.5,
      });
    });
  });

  describe('email_funnel cohorts', () => {
    it('leaves out messages sent before start and counts opens up to 7 days after end', async () => {
      // Arrange: m4 was sent before the range and opened inside it; m5 was sent on the last day
      // and opened two days later; m6 was opened 8 days after the last day; m7 was sent, delivered
      // and opened the day after the range, so it belongs to no day of it; m8 was sent a minute
      // before the range and delivered inside it (before the fix it counted as delivered, unsent);
      // m10 was sent a minute before the end of the range and delivered after it
      const dir = await lakeWith([
        email('email.send', '2026-11-02T23:59:00Z', { message_id: 'm10' }),
        email('email.delivered', '2026-11-03T00:01:00Z', { message_id: 'm10' }),
        email('email.send', '2026-10-31T23:59:00Z', { message_id: 'm8' }),
        email('email.delivered', '2026-11-01T00:01:00Z', { message_id: 'm8' }),
        email('email.send', '2026-11-03T10:00:00Z', { message_id: 'm7' }),
        email('email.delivered', '2026-11-03T10:00:01Z', { message_id: 'm7' }),
        email('email.open', '2026-11-03T12:00:00Z', { message_id: 'm7' }),
        email('email.send', '2026-10-31T23:00:00Z', { message_id: 'm4' }),
        email('email.open', '2026-11-01T08:00:00Z', { message_id: 'm4' }),
        email('email.send', '2026-11-02T10:00:00Z', { message_id: 'm5' }),
        email('email.delivered', '2026-11-02T10:00:01Z', { message_id: 'm5' }),
        email('email.open', '2026-11-04T09:00:00Z', { message_id: 'm5' }),
        email('email.send', '2026-11-02T11:00:00Z', { message_id: 'm6' }),
        email('email.delivered', '2026-11-02T11:00:01Z', { message_id: 'm6' }),
        email('email.open', '2026-11-10T09:00:00Z', { message_id: 'm6' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'email_funnel', { start: '2026-11-01', end: '2026-11-02' });
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-02',
          campaign_id: null,
          journey_id: null,
          sent: 3,
          delivered: 3,
          opened: 1,
          clicked: 0,
          delivery_rate: 1,
          open_rate: 0.3333,
          click_rate: 0,
          click_to_open_rate: 0,
        },
      ]);
    });

    it('rates each step among the messages that reached the step before, so no rate exceeds 1', async () => {
      // Arrange: a1 delivered and clicked with images off (no open); a2 opened with no delivery
      // event (its configuration set does not publish deliveries); a3 went through every step
      const dir = await lakeWith([
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'a1' }),
        email('email.delivered', '2026-11-01T10:00:01Z', { message_id: 'a1' }),
        email('email.click', '2026-11-01T11:00:00Z', { message_id: 'a1' }),
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'a2' }),
        email('email.open', '2026-11-01T11:00:00Z', { message_id: 'a2' }),
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'a3' }),
        email('email.delivered', '2026-11-01T10:00:01Z', { message_id: 'a3' }),
        email('email.open', '2026-11-01T11:00:00Z', { message_id: 'a3' }),
        email('email.click', '2026-11-01T11:00:05Z', { message_id: 'a3' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'email_funnel', { start: '2026-11-01', end: '2026-11-01' });
      // Assert: opened / delivered and clicked / opened would both be 1
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          campaign_id: null,
          journey_id: null,
          sent: 3,
          delivered: 2,
          opened: 2,
          clicked: 2,
          delivery_rate: 0.6667,
          open_rate: 0.5,
          click_rate: 1,
          click_to_open_rate: 0.5,
        },
      ]);
    });
  });

  describe('email_reputation', () => {
    it('rates hard bounces and complaints against the SES thresholds', async () => {
      // Arrange: day 1: 20 sent, 1 hard bounce (5%: warning); day 2: 10 sent, 1 hard, 1 soft, 1 complaint
      const sends = (day: string, count: number) =>
        Array.from({ length: count }, (_, i) =>
          email('email.send', `${day}T10:00:00Z`, { message_id: `${day}-${i}` }),
        );
      const dir = await lakeWith([
        ...sends('2026-11-01', 20),
        email('email.hard_bounce', '2026-11-01T10:00:05Z', { message_id: '2026-11-01-0' }),
        ...sends('2026-11-02', 10),
        email('email.hard_bounce', '2026-11-02T10:00:05Z', { message_id: '2026-11-02-0' }),
        email('email.soft_bounce', '2026-11-02T10:00:05Z', { message_id: '2026-11-02-1' }),
        email('email.complaint', '2026-11-02T10:00:05Z', { message_id: '2026-11-02-2' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'email_reputation', NOV);
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          sent: 20,
          hard_bounces: 1,
          soft_bounces: 0,
          complaints: 0,
          bounce_rate: 0.05,
          complaint_rate: 0,
          bounce_status: 'warning',
          complaint_status: 'ok',
        },
        {
          dt: '2026-11-02',
          sent: 10,
          hard_bounces: 1,
          soft_bounces: 1,
          complaints: 1,
          bounce_rate: 0.1,
          complaint_rate: 0.1,
          bounce_status: 'review',
          complaint_status: 'review',
        },
      ]);
    });
  });

  describe('recipient_domains', () => {
    it('attributes sends to recipients and bounces to the affected recipients only', async () => {
      // Arrange: m1 goes to x.com and y.com, only the y.com address bounces; m2 has only a destination
      const dir = await lakeWith([
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm1', recipients: ['a@x.com', 'B@Y.com'] }),
        email('email.delivered', '2026-11-01T10:00:01Z', {
          message_id: 'm1',
          recipients: ['a@x.com', 'b@y.com'],
        }),
        email('email.hard_bounce', '2026-11-01T10:00:02Z', {
          message_id: 'm1',
          recipients: ['a@x.com', 'b@y.com'],
          affected_recipients: ['b@y.com'],
        }),
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm2', destination: 'c@x.com' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'recipient_domains', NOV);
      // Assert
      expect(rows).toEqual([
        {
          domain: 'x.com',
          sent: 2,
          delivered: 1,
          hard_bounces: 0,
          soft_bounces: 0,
          complaints: 0,
          delivery_rate: 0.5,
          bounce_rate: 0,
          complaint_rate: 0,
        },
        {
          domain: 'y.com',
          sent: 1,
          delivered: 1,
          hard_bounces: 1,
          soft_bounces: 0,
          complaints: 0,
          delivery_rate: 1,
          bounce_rate: 1,
          complaint_rate: 0,
        },
      ]);
    });
  });

  describe('recipient_domains cohorts', () => {
    it('rates each step among the pairs sent in the range, so no rate exceeds 1', async () => {
      // Arrange: messages to mail.example.com in six shapes, repeated: sent and delivered; sent and
      // hard-bounced; sent the minute before start and delivered inside the range (before the fix its
      // delivery counted against no send); delivered with no send event at all (twice as many); sent
      // the minute before the end of the range and delivered after it. Plus a complaint at other.org.
      const range = { start: '2026-11-02', end: '2026-11-03' };
      type Shape = { send?: string; delivered?: string; hardBounce?: string; complaint?: string };
      const shapes: Shape[] = [
        { send: '2026-11-02T10:00:00Z', delivered: '2026-11-02T10:00:02Z' },
        { send: '2026-11-02T11:00:00Z', hardBounce: '2026-11-02T11:00:03Z' },
        { send: '2026-11-01T23:59:00Z', delivered: '2026-11-02T00:01:00Z' },
        { delivered: '2026-11-03T09:00:00Z' },
        { delivered: '2026-11-03T09:30:00Z' },
        { send: '2026-11-03T23:59:00Z', delivered: '2026-11-04T00:01:00Z' },
      ];
      const messages = Array.from({ length: 18 }, (_, i) => ({
        id: `rd-${i}`,
        address: `user${i}@Mail.Example.com`,
        ...shapes[i % shapes.length],
      }));
      messages.push({
        id: 'rd-c',
        address: 'someone@other.org',
        send: '2026-11-02T08:00:00Z',
        delivered: '2026-11-02T08:00:01Z',
        complaint: '2026-11-02T09:00:00Z',
      } as (typeof messages)[number]);
      const rows: TestRow[] = messages.flatMap((m) => {
        const steps: [string, string | undefined][] = [
          ['email.send', m.send],
          ['email.delivered', m.delivered],
          ['email.hard_bounce', (m as Shape).hardBounce],
          ['email.complaint', (m as Shape).complaint],
        ];
        return steps
          .filter((step): step is [string, string] => step[1] !== undefined)
          .map(([name, time]) =>
            email(name, time, {
              message_id: m.id,
              recipients: [m.address],
              ...(name === 'email.send' || name === 'email.delivered'
                ? {}
                : { affected_recipients: [m.address] }),
            }),
          );
      });
      const dir = await lakeWith(rows);
      // the rule, from the events: a pair belongs to the day of its first send or delivery
      const day = (time?: string) => time?.slice(0, 10);
      const inRange = messages.filter((m) => {
        const first = [day(m.send), day(m.delivered)].filter((d) => d !== undefined).sort()[0];
        return first !== undefined && first >= range.start && first <= range.end;
      });
      const expectedFor = (domain: string) => {
        const pairs = inRange.filter((m) => m.address.toLowerCase().endsWith(`@${domain}`));
        const sent = pairs.filter((m) => m.send);
        const share = (n: number, places: number) =>
          Math.round((n / sent.length) * 10 ** places) / 10 ** places;
        return {
          domain,
          sent: sent.length,
          delivered: pairs.filter((m) => m.delivered).length,
          hard_bounces: pairs.filter((m) => (m as Shape).hardBounce).length,
          soft_bounces: 0,
          complaints: pairs.filter((m) => (m as Shape).complaint).length,
          delivery_rate: share(sent.filter((m) => m.delivered).length, 4),
          bounce_rate: share(sent.filter((m) => (m as Shape).hardBounce).length, 4),
          complaint_rate: share(sent.filter((m) => (m as Shape).complaint).length, 5),
        };
      };
      // Act
      const result = await runSaved(dir, 'recipient_domains', range);
      // Assert: deliveries without their send in range outnumber sends here, so counting them
      // would put the delivery rate above 1
      const deliveriesInRange = rows.filter(
        (r) => r.event_name === 'email.delivered' && r.dt >= range.start && r.dt <= range.end,
      ).length;
      const sendsInRange = rows.filter(
        (r) => r.event_name === 'email.send' && r.dt >= range.start && r.dt <= range.end,
      ).length;
      expect(deliveriesInRange).toBeGreaterThan(sendsInRange);
      for (const r of result)
        for (const rate of ['delivery_rate', 'bounce_rate', 'complaint_rate'])
          expect([r.domain, rate, Number(r[rate]) <= 1]).toEqual([r.domain, rate, true]);
      expect(result).toEqual([expectedFor('mail.example.com'), expectedFor('other.org')]);
    });
  });

  describe('voice_delivery', () => {
    it('counts answered or completed calls once per day and country, each call priced once', async () => {
      // Arrange: calls described by their End User Messaging events; the completed call's price is
      // repeated on a redelivered copy; one call starts the minute before the end of the range and
      // completes after midnight; one starts the day before the range
      const range = { start: '2026-11-02', end: '2026-11-03' };
      type Call = { id: string; country: string; events: [string, string, number?][] };
      const completedCall = (id: string, country: string, at: string, price: number): Call => ({
        id,
        country,
        events: [
          ['voice.initiated', `${at}:00Z`],
          ['voice.ringing', `${at}:02Z`],
          ['voice.answered', `${at}:10Z`],
          ['voice.completed', `${at}:40Z`, price],
          ['voice.completed', `${at}:40Z`, price],
        ],
      });
      const calls: Call[] = [
        completedCall('v1', 'US', '2026-11-02T10:00', 0.013),
        completedCall('v2', 'US', '2026-11-02T11:00', 0.026),
        {
          id: 'v3',
          country: 'US',
          events: [
            ['voice.initiated', '2026-11-02T12:00:00Z'],
            ['voice.busy', '2026-11-02T12:00:05Z'],
          ],
        },
        {
          id: 'v4',
          country: 'DE',
          events: [
            ['voice.initiated', '2026-11-02T13:00:00Z'],
            ['voice.no_answer', '2026-11-02T13:00:30Z'],
          ],
        },
        // answered, its completion not (yet) in the lake
        {
          id: 'v5',
          country: 'DE',
          events: [
            ['voice.initiated', '2026-11-02T14:00:00Z'],
            ['voice.answered', '2026-11-02T14:00:09Z'],
          ],
        },
        {
          id: 'v6',
          country: 'DE',
          events: [
            ['voice.initiated', '2026-11-03T23:59:30Z'],
            ['voice.answered', '2026-11-03T23:59:50Z'],
            ['voice.completed', '2026-11-04T00:00:40Z', 0.094],
          ],
        },
        {
          id: 'v7',
          country: 'US',
          events: [
            ['voice.initiated', '2026-11-01T23:59:30Z'],
            ['voice.answered', '2026-11-01T23:59:50Z'],
            ['voice.completed', '2026-11-02T00:00:40Z', 0.013],
          ],
        },
        {
          id: 'v8',
          country: 'US',
          events: [
            ['voice.initiated', '2026-11-03T09:00:00Z'],
            ['voice.failed', '2026-11-03T09:00:01Z'],
          ],
        },
      ];
      const rows = calls.flatMap((c) =>
        c.events.map(([name, time, price], i) =>
          row('voice', name, time, {
            event_id: `${c.id}-${name}`,
            message_id: c.id,
            country: c.country,
            price_usd: price ?? 0,
            source_format: i % 2 ? 'sms_voice_v2' : 'sms_voice_v2+eventbridge',
          }),
        ),
      );
      const dir = await lakeWith(rows);
      // the rule, from the events: a call belongs to the day of its first event
      const expected = new Map<
        string,
        { dt: string; country: string; calls: number; completed: number; spend: number }
      >();
      for (const c of calls) {
        const dt = c.events.map(([, time]) => time.slice(0, 10)).sort()[0];
        if (dt < range.start || dt > range.end) continue;
        const key = `${dt} ${c.country}`;
        const entry = expected.get(key) ?? { dt, country: c.country, calls: 0, completed: 0, spend: 0 };
        entry.calls += 1;
        if (c.events.some(([name]) => name === 'voice.answered' || name === 'voice.completed'))
          entry.completed += 1;
        entry.spend += Math.max(0, ...c.events.map(([, , price]) => price ?? 0));
        expected.set(key, entry);
      }
      // Act
      const result = await runSaved(dir, 'voice_delivery', range);
      // Assert
      expect(result).toEqual(
        [...expected.keys()].sort().map((key) => {
          const e = expected.get(key)!;
          return {
            dt: e.dt,
            country: e.country,
            calls: e.calls,
            completed: e.completed,
            delivery_rate: Math.round((e.completed / e.calls) * 1e4) / 1e4,
            spend_usd: expect.closeTo(e.spend, 6),
          };
        }),
      );
    });
  });

  describe('sms_delivery', () => {
    it('reports delivery rate and spend per day and country, each message priced once', async () => {
      // Arrange: s1's price is repeated on two status events; s2 has a carrier fee and fails
      const sms = (name: string, fields: Partial<TestRow>) =>
        row('sms', name, '2026-11-01T10:00:00Z', fields);
      const dir = await lakeWith([
        sms('sms.buffered', { message_id: 's1', country: 'US', message_parts: 1, price_usd: 0.00645 }),
        sms('sms.delivered', { message_id: 's1', country: 'US', message_parts: 1, price_usd: 0.00645 }),
        sms('sms.send', {
          message_id: 's2',
          country: 'US',
          price_usd: 0.0075,
          carrier_fee_usd: 0.0025,
          source_format: 'sms_voice_v2',
        }),
        sms('sms.failed', { message_id: 's2', country: 'US', source_format: 'sms_voice_v2' }),
        sms('sms.delivered', { message_id: 's3', country: 'GB', message_parts: 2, price_usd: 0.04 }),
      ]);
      // Act
      const rows = await runSaved(dir, 'sms_delivery', NOV);
      // Assert
      expect(rows).toEqual([
        {
          dt: '2026-11-01',
          country: 'GB',
          messages: 1,
          delivered: 1,
          failed: 0,
          opted_out: 0,
          delivery_rate: 1,
          parts: 2,
          spend_usd: 0.04,
        },
        {
          dt: '2026-11-01',
          country: 'US',
          messages: 2,
          delivered: 1,
          failed: 1,
          opted_out: 0,
          delivery_rate: 0.5,
          parts: 1,
          spend_usd: 0.01645,
        },
      ]);
    });
  });

  describe('campaign_performance', () => {
    it('reports sends, failures, opens and email engagement per campaign and treatment', async () => {
      // Arrange
      const c = (name: string, family: string, fields: Partial<TestRow>) =>
        row(family, name, '2026-11-01T10:00:00Z', { campaign_id: 'c1', treatment_id: '0', ...fields });
      const dir = await lakeWith([
        c('campaign.send', 'campaign', { endpoint_id: 'A', status: 'SUCCESS' }),
        c('campaign.send', 'campaign', { endpoint_id: 'B', status: 'SUCCESS' }),
        c('campaign.send', 'campaign', { endpoint_id: 'C', status: 'FAILURE' }),
        c('campaign.opened_notification', 'campaign', { endpoint_id: 'A' }),
        c('campaign.received_foreground', 'campaign', { endpoint_id: 'B' }),
        c('email.delivered', 'email', { message_id: 'm1', endpoint_id: 'A' }),
        c('email.open', 'email', { message_id: 'm1', endpoint_id: 'A' }),
        c('campaign.send', 'campaign', { endpoint_id: 'D', status: 'SUCCESS', treatment_id: '1' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'campaign_performance', NOV);
      // Assert
      const none = {
        emails_delivered: 0,
        emails_opened: 0,
        emails_clicked: 0,
        in_app_displayed: 0,
        in_app_clicked: 0,
      };
      expect(rows).toEqual([
        {
          campaign_id: 'c1',
          treatment_id: '0',
          endpoints_sent: 2,
          send_failures: 1,
          push_opened: 1,
          push_received: 1,
          ...none,
          emails_delivered: 1,
          emails_opened: 1,
          open_rate: 0.5,
        },
        {
          campaign_id: 'c1',
          treatment_id: '1',
          endpoints_sent: 1,
          send_failures: 0,
          push_opened: 0,
          push_received: 0,
          ...none,
          open_rate: 0,
        },
      ]);
    });
  });

  describe('journey_performance', () => {
    it('reports sends and engagement per journey and activity', async () => {
      // Arrange
      const j = (name: string, family: string, activity: string, fields: Partial<TestRow>) =>
        row(family, name, '2026-11-01T10:00:00Z', {
          journey_id: 'j1',
          journey_activity_id: activity,
          journey_run_id: `r-${activity}`,
          ...fields,
        });
      const dir = await lakeWith([
        j('journey.send', 'journey', 'a1', { endpoint_id: 'A', status: 'SUCCESS' }),
        j('journey.send', 'journey', 'a1', { endpoint_id: 'B', status: 'SUCCESS' }),
        j('journey.send', 'journey', 'a1', { endpoint_id: 'C', status: 'FAILURE' }),
        j('email.delivered', 'email', 'a1', { message_id: 'm1' }),
        j('email.open', 'email', 'a1', { message_id: 'm1' }),
        j('email.click', 'email', 'a1', { message_id: 'm1' }),
        j('sms.delivered', 'sms', 'a2', { message_id: 's1' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'journey_performance', NOV);
      // Assert
      expect(rows).toEqual([
        {
          journey_id: 'j1',
          journey_activity_id: 'a1',
          journey_runs: 1,
          endpoints_sent: 2,
          send_failures: 1,
          push_opened: 0,
          emails_delivered: 1,
          emails_opened: 1,
          emails_clicked: 1,
          sms_delivered: 0,
        },
        {
          journey_id: 'j1',
          journey_activity_id: 'a2',
          journey_runs: 1,
          endpoints_sent: 0,
          send_failures: 0,
          push_opened: 0,
          emails_delivered: 0,
          emails_opened: 0,
          emails_clicked: 0,
          sms_delivered: 1,
        },
      ]);
    });
  });

  describe('suppression_candidates', () => {
    it('lists hard bounces, complaints and opt-outs (refused sends included) per address, latest first, over the whole lake', async () => {
      // Arrange: a@x.com bounces twice (the address case differs) and complains; a soft bounce does not count
      const dir = await lakeWith([
        email('email.hard_bounce', '2025-03-01T10:00:00Z', {
          affected_recipients: ['A@X.com'],
          bounce_subtype: 'NoEmail',
        }),
        email('email.complaint', '2026-11-02T10:00:00Z', {
          affected_recipients: ['a@x.com'],
          complaint_type: 'abuse',
        }),
        row('sms', 'sms.opt_out', '2026-11-03T10:00:00Z', { destination: '+15550100', status: 'OPTED_OUT' }),
        email('email.hard_bounce', '2026-11-04T10:00:00Z', {
          affected_recipients: ['a@x.com'],
          bounce_subtype: 'General',
        }),
        email('email.soft_bounce', '2026-11-05T10:00:00Z', { affected_recipients: ['z@x.com'] }),
        row('sms', 'sms.failed', '2026-11-01T10:00:00Z', { destination: '+15550199', status: 'OPTED_OUT' }),
        row('sms', 'sms.failed', '2026-11-01T11:00:00Z', { destination: '+15550198', status: 'TTL_EXPIRED' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'suppression_candidates');
      // Assert
      expect(rows).toEqual([
        {
          address: 'a@x.com',
          channel: 'email',
          reason: 'hard_bounce',
          last_event_time: '2026-11-04T10:00:00.000Z',
          first_event_time: '2025-03-01T10:00:00.000Z',
          events: 2,
          last_detail: 'General',
        },
        {
          address: '+15550100',
          channel: 'sms',
          reason: 'opt_out',
          last_event_time: '2026-11-03T10:00:00.000Z',
          first_event_time: '2026-11-03T10:00:00.000Z',
          events: 1,
          last_detail: 'OPTED_OUT',
        },
        {
          address: 'a@x.com',
          channel: 'email',
          reason: 'complaint',
          last_event_time: '2026-11-02T10:00:00.000Z',
          first_event_time: '2026-11-02T10:00:00.000Z',
          events: 1,
          last_detail: 'abuse',
        },
        {
          address: '+15550199',
          channel: 'sms',
          reason: 'opt_out',
          last_event_time: '2026-11-01T10:00:00.000Z',
          first_event_time: '2026-11-01T10:00:00.000Z',
          events: 1,
          last_detail: 'OPTED_OUT',
        },
      ]);
    });
  });

  describe('message_timeline', () => {
    it('lists the events of one message in time order, redelivered copies once', async () => {
      // Arrange
      const dir = await lakeWith([
        email('email.open', '2026-11-01T10:05:00Z', {
          message_id: 'm1',
          event_id: 'o1',
          source_format: 'ses',
        }),
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm1', event_id: 's1' }),
        email('email.delivered', '2026-11-01T10:01:00Z', {
          message_id: 'm1',
          event_id: 'd1',
          smtp_response: '250 ok',
        }),
        email('email.delivered', '2026-11-01T10:01:00Z', {
          message_id: 'm1',
          event_id: 'd1',
          smtp_response: '250 ok',
          arrival_time: '2026-11-01T10:09:00Z',
        }),
        email('email.send', '2026-11-01T10:00:00Z', { message_id: 'm2', event_id: 's2' }),
      ]);
      // Act
      const rows = await runSaved(dir, 'message_timeline', { ...NOV, message_id: 'm1' });
      // Assert
      expect(
        rows.map((r) => [
          r.event_time,
          r.event_name,
          r.source_format,
          r.event_id,
          r.arrival_time,
          r.smtp_response,
        ]),
      ).toEqual([
        ['2026-11-01T10:00:00.000Z', 'email.send', 'pinpoint', 's1', '2026-11-01T10:00:00.000Z', null],
        [
          '2026-11-01T10:01:00.000Z',
          'email.delivered',
          'pinpoint',
          'd1',
          '2026-11-01T10:01:00.000Z',
          '250 ok',
        ],
        ['2026-11-01T10:05:00.000Z', 'email.open', 'ses', 'o1', '2026-11-01T10:05:00.000Z', null],
      ]);
    });
  });

  describe('endpoint_access', () => {
    const accessRows = (): TestRow[] => [
      row('app', 'app.session_start', '2026-11-01T10:00:00Z', {
        event_id: 'a1',
        endpoint_id: 'ep-1',
        user_id: 'u-1',
        raw: '{"x":1}',
      }),
      email('email.send', '2026-11-02T10:00:00Z', {
        event_id: 'e1',
        destination: 'Person@x.com',
        recipients: ['Person@x.com'],
      }),
      email('email.hard_bounce', '2026-11-03T10:00:00Z', {
        event_id: 'e2',
        affected_recipients: ['person@x.com'],
      }),
      email('email.send', '2026-11-02T10:00:00Z', { event_id: 'e3', destination: 'other@x.com' }),
      // a redelivered copy of a1, in the same partition, arriving a second later
      row('app', 'app.session_start', '2026-11-01T10:00:00Z', {
        event_id: 'a1',
        endpoint_id: 'ep-1',
        user_id: 'u-1',
        arrival_time: '2026-11-01T10:00:01Z',
        raw: '{"x":1}',
      }),
      row('app', 'app.session_stop', '2026-11-01T11:00:00Z', { event_id: 'a2', endpoint_id: 'ep-2' }),
    ];

    it('finds every stored record of an endpoint id, each copy once, with raw', async () => {
      // Arrange
      const dir = await lakeWith(accessRows());
      // Act
      const rows = await runSaved(dir, 'endpoint_access', { subject: 'ep-1' });
      // Assert
      expect(rows.map((r) => [r.event_id, r.raw, r.family, r.dt])).toEqual([
        ['a1', '{"x":1}', 'app', '2026-11-01'],
        ['a1', '{"x":1}', 'app', '2026-11-01'],
      ]);
    });

    it('finds an email address as destination or affected recipient, whatever its case', async () => {
      // Arrange
      const dir = await lakeWith(accessRows());
      // Act
      const rows = await runSaved(dir, 'endpoint_access', { subject: 'person@x.com' });
      // Assert
      expect(rows.map((r) => r.event_id)).toEqual(['e1', 'e2']);
    });
  });
});
