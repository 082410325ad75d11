import { createHash } from 'node:crypto';

const BOM_AND_SPACE = /^[\uFEFF\s]+|[\uFEFF\s]+$/g;

/**
 * The event id: SHA-256 of the event's own JSON text, trimmed of white space and byte-order marks,
 * in hex, cut to 32 characters. A redelivered or re-ingested event keeps its id; a re-serialised
 * copy gets a new one, which is the point: it is a different byte sequence.
 */
export function eventId(eventText: string): string {
  return createHash('sha256').update(eventText.replace(BOM_AND_SPACE, ''), 'utf8').digest('hex').slice(0, 32);
}
