/**
 * Splits a byte stream into top-level JSON records, the way Firehose's JSON de-aggregation does:
 * newline-delimited, concatenated with no separator (`{"a":1}{"b":2}`), or both.
 *
 * The splitter works on bytes, never on decoded text: JSON's structure is ASCII, and every byte of
 * a multi-byte UTF-8 sequence is 0x80 or above, so no boundary can fall inside a character. Each
 * piece keeps its exact bytes, invalid UTF-8 included; whoever transforms it judges its encoding
 * and size. It only finds boundaries; it never parses. Each piece is handed to `JSON.parse` later,
 * so a broken piece fails on its own (`invalid_json`, `record_too_large`) while its neighbours
 * still succeed.
 *
 * Boundary rules, in order:
 * - White space (and UTF-8 byte-order marks) between records is dropped.
 * - A record that starts with `{`, `[` or `"` ends where its brackets balance (or its string
 *   closes). Quotes, escapes and brackets inside JSON strings are respected.
 * - A record still open at a newline continues onto the next line (pretty-printed JSON), unless
 *   that line starts with `{` or `[` in its first column: then the open record is cut there and
 *   emitted as is, and a new record starts. Nested values of pretty-printed JSON are indented,
 *   so they never trigger this; an unbalanced line never swallows the good lines after it.
 * - JSON strings cannot hold a raw newline, so a string still open at a newline is closed there.
 * - Anything else (numbers, `true`, garbage) is one piece up to the end of its line or the next
 *   `{` / `[`, so it fails individually and is kept in the error output.
 * - A piece larger than `maxRecordBytes` is emitted whole or, to bound memory, as consecutive
 *   pieces that each exceed the limit (so each fails as `record_too_large`) and that, joined in
 *   order, give back the piece's bytes exactly. A cut is made each time the bytes held since the
 *   last cut pass the limit, before the next byte that starts a character (so valid UTF-8 stays
 *   valid in each part), and each cut is emitted one cut late, so the last (short) rest is
 *   appended to the piece before it: at most about twice the limit is ever held.
 *
 * Linear time: every byte is looked at a bounded number of times, and chunks are only viewed and
 * joined. A piece that lies within one chunk is a view of that chunk, not a copy.
 */
import { MAX_RECORD_BYTES } from './constants';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** U+FEFF in UTF-8: a file (or a record) may start with it. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A valid UTF-8 character is at most 4 bytes: a cut waits at most this long for a character start. */
const MAX_CHARACTER_BYTES = 4;

/** White space JSON allows between values. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === NEWLINE || c === 0x0d;
}

/** A UTF-8 continuation byte (10xxxxxx): never the first byte of a character. */
function isContinuation(c: number): boolean {
  return (c & 0xc0) === 0x80;
}

function endsWithBom(bytes: Uint8Array, end: number): boolean {
  return end >= 3 && bytes[end - 3] === BOM[0] && bytes[end - 2] === BOM[1] && bytes[end - 1] === BOM[2];
}

/**
 * Drops trailing white space and byte-order marks. Only JSON white space: bytes 0x0B, 0x0C and
 * 0xA0 belong to the record and must reach the error output.
 */
function trimEndSpace(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (;;) {
    if (end > 0 && isSpace(bytes[end - 1]!)) end--;
    else if (endsWithBom(bytes, end)) end -= 3;
    else break;
  }
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

function startsValue(c: number): boolean {
  return c === OPEN_BRACE || c === OPEN_BRACKET;
}

/** A view of `bytes` as a Buffer, without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `between`: outside any record; `value`: inside `{…}`, `[…]` or `"…"`; `bare`: any other piece. */
type Mode = 'between' | 'value' | 'bare';

export interface JsonRecordSplitterOptions {
  /** Pieces larger than this many bytes are cut and emitted as is. Default: 1,000 KiB (Firehose's limit). */
  maxRecordBytes?: number;
}

/**
 * Stream-safe JSON record splitter: feed it bytes in chunks of any size (a chunk may end inside a
 * string, an escape or a UTF-8 character) and collect the complete records' bytes.
 *
 * @example
 * const splitter = new JsonRecordSplitter();
 * splitter.push(Buffer.from('{"a":1}{"b"')); // [<{"a":1}>]
 * splitter.push(Buffer.from(':2}\n42\n'));   // [<{"b":2}>, <42>]
 * splitter.end();                            // []
 */
export class JsonRecordSplitter {
  private readonly maxRecordBytes: number;
  private mode: Mode = 'between';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The previous byte was a newline inside an open value. */
  private atLineStart = false;
  /** Bytes of a byte-order mark matched so far between records (it may span chunks). */
  private bomMatched = 0;
  /**
   * The part of an oversized piece cut last and not yet emitted (see the boundary rules): it goes
   * out when the next cut is made, or with the rest of the piece when the piece ends.
   */
  private held: Buffer | null = null;
  /** Bytes of the current piece since its start or its last cut. */
  private bytes = 0;
  /** Bytes of the current piece from earlier chunks. */
  private parts: Uint8Array[] = [];

  constructor(options: JsonRecordSplitterOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  /** Feeds the next chunk of bytes; returns the records it completed, in order. */
  push(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    // Index in `chunk` where the current piece's unsaved bytes start; -1 when nothing is kept.
    let start = this.mode === 'between' ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      // Fast path for the bulk of the bytes, inside a value: over as many bytes as cannot take the
      // piece past the size limit, so no cut falls there.
      const room = Math.floor(this.maxRecordBytes - this.bytes);
      if (this.mode === 'value' && !this.atLineStart && room > 0) {
        i = this.scanValue(chunk, i, Math.min(chunk.length, i + room));
        if (this.depth <= 0 && !this.inString) {
          this.emit(out, chunk, start, i + 1);
          this.reset();
          start = -1;
        }
        continue;
      }
      const c = chunk[i]!;
      if (this.mode === 'between') {
        if (c === BOM[this.bomMatched]) {
          this.bomMatched = (this.bomMatched + 1) % BOM.length;
          continue;
        }
        const partialBom = this.bomMatched;
        if (partialBom === 0 && isSpace(c)) continue;
        this.open(c);
        start = i;
        if (partialBom > 0) {
          // Not a byte-order mark after all: its first bytes begin a piece of their own.
          this.mode = 'bare';
          this.parts.push(BOM.subarray(0, partialBom));
          this.bytes = partialBom;
        }
      } else if (this.mode === 'value' && this.atLineStart && c !== NEWLINE) {
        this.atLineStart = false;
        if (startsValue(c)) {
          this.emit(out, chunk, start, i);
          this.open(c);
          start = i;
        }
      }
      if (this.mode === 'bare' && startsValue(c) && (start < i || this.parts.length > 0)) {
        this.emit(out, chunk, start, i);
        this.open(c);
        start = i;
      }

      // Cut before a byte that starts a character, once past the limit; on invalid UTF-8 (a run of
      // continuation bytes), a few bytes later at most.
      const over = this.bytes - this.maxRecordBytes;
      if (over > 0 && (!isContinuation(c) || over >= MAX_CHARACTER_BYTES)) {
        this.cut(out, chunk, start, i);
        start = i;
      }
      this.bytes += 1;

      if (this.step(c)) {
        this.emit(out, chunk, start, i + 1);
        this.reset();
        start = -1;
      }
    }
    if (start >= 0 && start < chunk.length && this.mode !== 'between') this.parts.push(chunk.subarray(start));
    return out;
  }

  /** Ends the stream: returns the last record if one is still open (it is incomplete, and will fail). */
  end(): Buffer[] {
    const out: Buffer[] = [];
    if (this.mode === 'between' && this.bomMatched > 0) {
      // The stream ended inside what looked like a byte-order mark: those bytes are a piece.
      const partialBom = this.bomMatched;
      this.open(BOM[0]!);
      this.parts.push(BOM.subarray(0, partialBom));
    }
    if (this.mode !== 'between') this.emit(out, new Uint8Array(0), 0, 0);
    this.reset();
    return out;
  }

  private open(c: number): void {
    this.reset();
    this.mode = c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE ? 'value' : 'bare';
  }

  private reset(): void {
    this.mode = 'between';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.atLineStart = false;
    this.bomMatched = 0;
    this.held = null;
    this.bytes = 0;
    this.parts = [];
  }

  /**
   * What `step` does, from `from` until the piece completes, a newline (the next line's first
   * column needs the general loop) or `end`; returns the index of the last byte it consumed.
   * Inside a string only a quote, a backslash or a newline matters. Bytes are counted only if the
   * piece stays open.
   */
  private scanValue(chunk: Uint8Array, from: number, end: number): number {
    let { depth, inString, escaped } = this;
    let i = from;
    for (; i < end; i++) {
      let c = chunk[i]!;
      if (inString && !escaped) {
        while (c !== QUOTE && c !== BACKSLASH && c !== NEWLINE && ++i < end) c = chunk[i]!;
        if (i >= end) break;
      }
      if (c === NEWLINE) {
        inString = false;
        escaped = false;
        this.atLineStart = true;
        break;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) {
        inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
      }
      if (depth <= 0 && !inString) break;
    }
    const last = Math.min(i, end - 1);
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (depth > 0 || inString) this.bytes += last + 1 - from;
    return last;
  }

  /** Advances the structure by one byte; true when the piece is complete after it. */
  private step(c: number): boolean {
    if (this.mode === 'bare') return c === NEWLINE;
    if (c === NEWLINE) {
      this.inString = false;
      this.escaped = false;
      this.atLineStart = true;
    } else if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) this.inString = false;
    } else if (c === QUOTE) {
      this.inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      this.depth--;
    }
    return this.depth <= 0 && !this.inString;
  }

  /** The current piece's bytes since its last cut, up to `end` in `chunk`; clears what was kept. */
  private take(chunk: Uint8Array, start: number, end: number): Buffer {
    const tail = asBuffer(start >= 0 ? chunk.subarray(start, end) : chunk.subarray(0, 0));
    if (this.parts.length === 0) return tail;
    const joined = Buffer.concat([...this.parts, tail]);
    this.parts = [];
    return joined;
  }

  /** Cuts an oversized piece here: emits the part held from the previous cut and holds this one. */
  private cut(out: Buffer[], chunk: Uint8Array, start: number, end: number): void {
    if (this.held !== null) out.push(this.held);
    this.held = this.take(chunk, start, end);
    this.bytes = 0;
  }

  /** Emits the rest of the current piece, after the part held from its last cut if any. */
  private emit(out: Buffer[], chunk: Uint8Array, start: number, end: number): void {
    const rest = this.take(chunk, start, end);
    const piece = trimEndSpace(this.held === null ? rest : Buffer.concat([this.held, rest]));
    this.held = null;
    if (piece.length > 0) out.push(piece);
  }
}

/**
 * Splits whole bytes (or a text, as its UTF-8) into top-level JSON records (see
 * {@link JsonRecordSplitter}); a text's pieces come back as text.
 *
 * @example
 * splitJsonRecords('{"a":1}{"b":2}\n{"c":3}\n'); // ['{"a":1}', '{"b":2}', '{"c":3}']
 */
export function splitJsonRecords(input: string, options?: JsonRecordSplitterOptions): string[];
export function splitJsonRecords(input: Uint8Array, options?: JsonRecordSplitterOptions): Buffer[];
export function splitJsonRecords(
  input: string | Uint8Array,
  options?: JsonRecordSplitterOptions,
): string[] | Buffer[] {
  const splitter = new JsonRecordSplitter(options);
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const pieces = [...splitter.push(bytes), ...splitter.end()];
  return typeof input === 'string' ? pieces.map((piece) => piece.toString('utf8')) : pieces;
}
