/**
 * Personal data in rows: `keep` (no work at all), `hash` (a keyed HMAC, so joins on the hashed
 * values still work) or `drop`. Applied to a finished row, after `event_id` was computed from the
 * original text, so redeliveries still de-duplicate whatever the mode. Pure: the key is passed in.
 */
import { createHmac } from 'node:crypto';
import { UserInputError } from './errors';
import { COLUMNS, type EventRow, type LogicalType } from './schema';

export const PII_MODES = ['keep', 'hash', 'drop'] as const;
export type PiiMode = (typeof PII_MODES)[number];

/** What the transform does with personal data; absent means `keep`. The key is bytes so it crosses worker threads. */
export type PiiPolicy = { mode: 'hash'; key: Uint8Array } | { mode: 'drop' };

/** Columns that are personal data as a whole: hashed or nulled. */
export const PII_COLUMNS = [
  'destination',
  'origination',
  'recipients',
  'affected_recipients',
  'endpoint_id',
  'user_id',
  'ip_address',
] as const;

/** What `drop` leaves where an address or number sat inside text (JSON stays valid). */
export const PII_MARKER = '[pii]';

/**
 * 32 hex characters (128 bits): collisions stay negligible (about 2^64 distinct values before one
 * is likely), the key already stops guessing, and the columns stay half the size of a full digest.
 */
const HASH_HEX_CHARS = 32;

// An address, or an E.164 number not glued to other digits or a word; one pass, addresses first
// (leftmost match), so `joe+14255550100@example.com` is one address.
const PII_IN_TEXT =
  /([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)|((?<![\w+])\+[1-9]\d{6,14}(?!\d))/g;
const NAME_ADDR = /<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/;

export function parsePiiMode(value: string, where: string): PiiMode {
  const mode = value.trim().toLowerCase();
  if ((PII_MODES as readonly string[]).includes(mode)) return mode as PiiMode;
  throw new UserInputError(`${where} must be keep, hash or drop, got '${value}'`);
}

/** The form hashed: the bare address of `Name <addr>`, addresses in lower case, anything else trimmed (E.164 as is). */
export function normalisePii(value: string): string {
  const trimmed = value.trim();
  const bare = NAME_ADDR.exec(trimmed)?.[1] ?? trimmed;
  return bare.includes('@') ? bare.toLowerCase() : bare;
}

/** HMAC-SHA256 of the normalised value, hex, truncated (see HASH_HEX_CHARS). */
export function hashPii(key: Uint8Array, value: string): string {
  return createHmac('sha256', key).update(normalisePii(value), 'utf8').digest('hex').slice(0, HASH_HEX_CHARS);
}

/** Replaces every address and E.164 number inside free text (or JSON text) by its hash, or by the marker. */
export function scrubText(text: string, policy: PiiPolicy): string {
  return text.replace(PII_IN_TEXT, (found) =>
    policy.mode === 'hash' ? hashPii(policy.key, found) : PII_MARKER,
  );
}

type Scrub = (text: string) => string;

function scrubMap(map: Record<string, unknown>, scrub: Scrub, values: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map))
    out[scrub(key)] = values && typeof value === 'string' ? scrub(value) : value;
  return out;
}

function scrubValue(type: LogicalType, value: unknown, scrub: Scrub): unknown {
  if (type === 'string') return scrub(value as string);
  if (type === 'array<string>') return (value as (string | null)[]).map((v) => (v === null ? v : scrub(v)));
  if (type === 'map<string,string>' || type === 'map<string,double>')
    return scrubMap(value as Record<string, unknown>, scrub, type === 'map<string,string>');
  return value;
}

const WHOLE = new Set<string>(PII_COLUMNS);

/**
 * Applies the policy to one row in place: the personal columns hashed whole (or nulled), and every
 * other text column, array and map (keys too) scrubbed of addresses and numbers; `drop` also
 * nulls `raw`. Every text column, not just `attributes`/`tags`/`extra`/`subject`/`raw`, so a
 * sender address in a typed column cannot slip through either.
 */
export function applyPii(row: EventRow, policy: PiiPolicy): void {
  const cells = row as Record<string, unknown>;
  const scrub: Scrub = (text) => scrubText(text, policy);
  const whole: Scrub = policy.mode === 'hash' ? (text) => hashPii(policy.key, text) : () => PII_MARKER;
  for (const { name, type } of COLUMNS) {
    const value = cells[name];
    if (value === null || value === undefined) continue;
    if (WHOLE.has(name)) cells[name] = policy.mode === 'drop' ? null : scrubValue(type, value, whole);
    else if (name === 'raw' && policy.mode === 'drop') cells[name] = null;
    else cells[name] = scrubValue(type, value, scrub);
  }
}
