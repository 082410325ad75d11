/**
 * Hostile records for every entrance: each is one record's bytes, built from a documented End User
 * Messaging event where a valid event is needed, so a case tests its one oddity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCUMENTED } from '../local/helpers';

const EUM_LINE = readFileSync(join(DOCUMENTED, 'end-user-messaging.ndjson'), 'utf8').split('\n')[0]!;
const SES_LINE = readFileSync(join(DOCUMENTED, 'ses.ndjson'), 'utf8').split('\n')[0]!;
const DEPTH = 100_000;

/** The documented event with `changes` merged over its top level. */
function eum(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(EUM_LINE) as object), ...changes });
}

/** The documented event's text with its `eventTimestamp` value replaced by `json` as written. */
function eumTimestamp(json: string): string {
  return EUM_LINE.replace(/"eventTimestamp":\d+/, `"eventTimestamp":${json}`);
}

export interface HostileCase {
  readonly name: string;
  readonly bytes: Buffer;
  /** Cannot be sent to `serve` as one record: over Firehose's 1,000 KiB record limit. */
  readonly oversized?: boolean;
  /** No record at all in a file or stdin (only blank space), but one record to the handler and serve. */
  readonly blank?: boolean;
}

const text = (name: string, value: string, extra: Partial<HostileCase> = {}): HostileCase => ({
  name,
  bytes: Buffer.from(value, 'utf8'),
  ...extra,
});

/** One case per oddity named in issue 11. */
export function hostileCases(): HostileCase[] {
  return [
    {
      name: 'invalid UTF-8',
      bytes: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc3, 0x28, 0x22, 0x7d]),
    },
    text('truncated JSON', EUM_LINE.slice(0, 80)),
    text('an array', `[${EUM_LINE}]`),
    text('a number', '42'),
    text('a string', '"a string"'),
    text('null', 'null'),
    text('an array nested 100,000 deep', `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`),
    text('an object nested 100,000 deep', `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`),
    text(
      'a known event with a field nested 100,000 deep',
      `${EUM_LINE.slice(0, EUM_LINE.lastIndexOf('}'))},"deep":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`,
    ),
    text(
      'a known event with an array nested 100,000 deep',
      `${EUM_LINE.slice(0, EUM_LINE.lastIndexOf('}'))},"deep":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`,
    ),
    {
      name: 'a 5 MB record',
      bytes: Buffer.from(`{"eventType":"TEXT_SUCCESSFUL","pad":"${'x'.repeat(5_000_000)}"}`),
      oversized: true,
    },
    text(
      'numbers as strings',
      eum({ eventTimestamp: '1686975103470', totalMessagePrice: '0.5', totalMessageParts: '2' }),
    ),
    text(
      '1e400 as a price',
      eum({ totalMessagePrice: 0 }).replace('"totalMessagePrice":0', '"totalMessagePrice":1e400'),
    ),
    text('1e400 as a timestamp', eumTimestamp('1e400')),
    text('a timestamp in seconds', eumTimestamp('1686975103')),
    text('a timestamp in microseconds', eumTimestamp('1686975103470123')),
    text('an ISO timestamp', eumTimestamp('"2023-06-17T04:11:43.470Z"')),
    text('a negative timestamp', eumTimestamp('-1686975103470')),
    text('a timestamp in the year 9999', eumTimestamp(String(Date.UTC(9999, 11, 31, 12)))),
    text('a timestamp past the year 9999', eumTimestamp(String(Date.UTC(10000, 0, 2)))),
    text('duplicate keys', EUM_LINE.replace('{', '{"eventType":"TEXT_BLOCKED","messageId":"first",')),
    text(
      'keys with dots, spaces and upper case',
      eum({ context: { 'a.b': 'dot', 'a b': 'space', A: 'upper', a: 'lower' }, 'Top.Level Key': 1 }),
    ),
    text('an empty record', '', { blank: true }),
    text('a whitespace-only record', ' \t \r ', { blank: true }),
    text('a byte-order mark before the event', `\uFEFF${EUM_LINE}`),
    text('End User Messaging with an unknown type', eum({ eventType: 'TEXT_FROBNICATED' })),
    text('SES with an unknown type', SES_LINE.replace('"eventType":"Bounce"', '"eventType":"Frobnicate"')),
    {
      name: 'binary bytes',
      bytes: Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x00, 0x1a, 0x00, 0x00, 0x7b, 0xff, 0x5b, 0x00, 0x22, 0x01,
      ]),
    },
  ];
}
