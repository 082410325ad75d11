import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyPii,
  hashPii,
  normalisePii,
  parsePiiMode,
  PII_MARKER,
  scrubText,
  type PiiPolicy,
} from '../../transform/src/pii';
import { piiPolicyFromEnv, PII_KEY_ENV } from '../../transform/src/pii-key';
import { transformEvent } from '../../transform/src/transform-event';
import { eventId } from '../../transform/src/event-id';

const KEY = new TextEncoder().encode('a test key of more than sixteen characters');
const HASH: PiiPolicy = { mode: 'hash', key: KEY };
const DROP: PiiPolicy = { mode: 'drop' };
/** The expected digest, computed here independently of the module. */
const hmac = (text: string) => createHmac('sha256', Buffer.from(KEY)).update(text).digest('hex').slice(0, 32);

const SES_LINE = readFileSync(join(__dirname, '../../../shared/fixtures/documented/ses.ndjson'), 'utf8')
  .split('\n')
  .find((l) => l.trim() !== '')!;

describe('normalisePii', () => {
  it('takes the bare address of `Name <addr>` and lower-cases addresses', () => {
    expect(normalisePii('"Jane Doe" <Jane.Doe@Example.COM>')).toBe('jane.doe@example.com');
    expect(normalisePii('  JANE@example.com ')).toBe('jane@example.com');
  });

  it('keeps E.164 numbers and other identifiers as they are (trimmed)', () => {
    expect(normalisePii(' +14255550100 ')).toBe('+14255550100');
    expect(normalisePii('EndpointABC')).toBe('EndpointABC');
  });
});

describe('hashPii', () => {
  it('is HMAC-SHA256 of the normalised value, hex, first 32 characters', () => {
    expect(hashPii(KEY, 'Jane <JANE@example.com>')).toBe(hmac('jane@example.com'));
    expect(hashPii(KEY, '+14255550100')).toBe(hmac('+14255550100'));
  });

  it('depends on the key', () => {
    const other = new TextEncoder().encode('another key, also long enough');
    expect(hashPii(other, 'jane@example.com')).not.toBe(hashPii(KEY, 'jane@example.com'));
  });
});

describe('scrubText', () => {
  it('replaces addresses and E.164 numbers inside free text by the hash of their normalised form', () => {
    const text = 'Hi Jane <Jane@Example.com>, call +14255550100 or write joe+tag@example.org.';
    expect(scrubText(text, HASH)).toBe(
      `Hi Jane <${hmac('jane@example.com')}>, call ${hmac('+14255550100')} or write ${hmac('joe+tag@example.org')}.`,
    );
  });

  it('keeps JSON text valid and leaves numbers that are not E.164 alone', () => {
    const json = JSON.stringify({
      to: ['"A" <a@example.com>'],
      phone: '+12065550142',
      count: 12065550142,
      id: 'x+1234',
    });
    const scrubbed = JSON.parse(scrubText(json, HASH)) as Record<string, unknown>;
    expect(scrubbed).toEqual({
      to: [`"A" <${hmac('a@example.com')}>`],
      phone: hmac('+12065550142'),
      count: 12065550142,
      id: 'x+1234',
    });
  });

  it('puts the fixed marker in their place under drop', () => {
    expect(scrubText('mail a@example.com or +14255550100', DROP)).toBe(`mail ${PII_MARKER} or ${PII_MARKER}`);
  });
});

describe('transformEvent with pii', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const keep = transformEvent(SES_LINE, { now });
  const hashed = transformEvent(SES_LINE, { now, pii: HASH });
  const dropped = transformEvent(SES_LINE, { now, pii: DROP });
  if (!keep.ok || !hashed.ok || !dropped.ok) throw new Error('the documented SES event must transform');

  it('keeps event_id, computed from the original text, in every mode', () => {
    expect(hashed.row.event_id).toBe(eventId(SES_LINE));
    expect(dropped.row.event_id).toBe(keep.row.event_id);
  });

  it('hashes the personal columns whole and keeps raw as JSON with the addresses hashed', () => {
    expect(hashed.row.destination).toBe(hmac(normalisePii(keep.row.destination!)));
    expect(hashed.row.recipients).toEqual(keep.row.recipients!.map((r) => hmac(normalisePii(r))));
    expect(JSON.parse(hashed.row.raw!)).toBeInstanceOf(Object);
    expect(hashed.row.raw).not.toMatch(/@example\.com/);
  });

  it('nulls the personal columns and raw under drop', () => {
    expect(dropped.row.destination).toBeNull();
    expect(dropped.row.recipients).toBeNull();
    expect(dropped.row.raw).toBeNull();
    expect(JSON.stringify(dropped.row)).not.toMatch(/@example\.com/);
  });

  it('changes nothing under keep (no policy)', () => {
    expect(keep.row.raw).toBe(SES_LINE);
    expect(keep.row.destination).toMatch(/@example\.com$/);
  });

  it('applyPii leaves null columns null', () => {
    const row = { ...keep.row, destination: null, raw: null };
    applyPii(row, HASH);
    expect(row.destination).toBeNull();
    expect(row.raw).toBeNull();
  });
});

describe('pii settings', () => {
  it('parses the three modes and names the setting in a one-line error otherwise', () => {
    expect(parsePiiMode(' HASH ', '--pii')).toBe('hash');
    expect(() => parsePiiMode('mask', '--pii')).toThrow("--pii must be keep, hash or drop, got 'mask'");
  });

  it('needs a key for hash, and says how to set it', () => {
    expect(piiPolicyFromEnv('keep', {})).toBeUndefined();
    expect(piiPolicyFromEnv('drop', {})).toEqual({ mode: 'drop' });
    expect(() => piiPolicyFromEnv('hash', {})).toThrow(`set ${PII_KEY_ENV}`);
    expect(() => piiPolicyFromEnv('hash', { [PII_KEY_ENV]: 'short' })).toThrow('at least 16 characters');
    const policy = piiPolicyFromEnv('hash', { [PII_KEY_ENV]: 'a test key of more than sixteen characters' });
    expect(policy?.mode === 'hash' && hashPii(policy.key, 'x@example.com')).toBe(hmac('x@example.com'));
  });
});
