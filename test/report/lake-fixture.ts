/**
 * A small lake for the report tests, made the way users make one (generator → ingest), plus what a
 * report must survive: records that fail (in a Firehose-named object, so their arrival day is known)
 * and data carrying HTML and script in a custom event name and a campaign id.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEvents } from '../../local/src/generate';
import { ingest } from '../../local/src/ingest';

export const RANGE = { from: '2026-11-10', to: '2026-11-19' };
export const NOW = new Date('2026-11-28T12:00:00Z');

/** Shown as text, never run: a script that would set window.__pwned. */
export const HOSTILE_EVENT_TYPE = '</script><script>window.__pwned = "event_type"</script>';
export const HOSTILE_CAMPAIGN_ID = '<img src=x onerror="window.__pwned = \'campaign_id\'">';

/** Lines that cannot become rows: invalid JSON (twice), and an object of no known format. */
export const FAILING_LINES = ['{"event_type": ', 'not json at all', '{"hello": "no known format"}'];

function hostileLines(lines: string[]): string[] {
  const custom = JSON.parse(lines.find((l) => l.includes('"event_type":"screen_view"'))!);
  const send = JSON.parse(lines.find((l) => l.includes('"event_type":"_campaign.send"'))!);
  const day = Date.UTC(2026, 10, 15, 9);
  return [0, 1, 2].flatMap((i) => [
    JSON.stringify({ ...custom, event_type: HOSTILE_EVENT_TYPE, event_timestamp: day + i * 1000 }),
    JSON.stringify({
      ...send,
      event_timestamp: day + i * 1000,
      attributes: { ...send.attributes, campaign_id: HOSTILE_CAMPAIGN_ID },
    }),
  ]);
}

/** Writes the inputs under `dir` and ingests them into `<dir>/lake`; returns the lake folder. */
export async function buildReportLake(dir: string, events = 3000): Promise<string> {
  const lines = [
    ...generateEvents({ events, seed: '12', start: Date.UTC(2026, 10, 10), days: 10, duplicates: 0.02 }),
  ];
  writeFileSync(join(dir, 'generated.ndjson'), lines.join('\n') + '\n');
  // A Firehose object name: ingest takes the arrival time (2026-11-15 10:00 UTC) from it.
  const firehoseObject = join(dir, 'events-1-2026-11-15-10-00-00-0123abcd-0123-4567-89ab-0123456789ab');
  writeFileSync(firehoseObject, [...hostileLines(lines), ...FAILING_LINES].join('\n') + '\n');
  const lake = join(dir, 'lake');
  await ingest({ inputs: [join(dir, 'generated.ndjson'), firehoseObject], lake });
  return lake;
}
