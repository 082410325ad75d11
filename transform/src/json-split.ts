/**
 * Splits a text stream into top-level JSON record texts, the way Firehose's JSON de-aggregation
 * does: newline-delimited, concatenated with no separator (`{"a":1}{"b":2}`), or both.
 *
 * The splitter only finds boundaries; it never parses. Each piece it returns is handed to
 * `JSON.parse` later, so a broken piece fails on its own (`invalid_json`, `record_too_large`)
 * while its neighbours still succeed.
 *
 * Boundary rules, in order:
 * - White space (and byte-order marks) between records is dropped.
 * - A record that starts with `{`, `[` or `"` ends where its brackets balance (or its string
 *   closes). Quotes, escapes and brackets inside JSON strings are respected.
 * - A record still open at a newline continues onto the next line (pretty-printed JSON), unless
 *   that line starts with `{` or `[` in its first column: then the open record is cut there and
 *   emitted as is, and a new record starts. Nested values of pretty-printed JSON are indented,
 *   so they never trigger this; an unbalanced line never swallows the good lines after it.
 * - JSON strings cannot hold a raw newline, so a string still open at a newline is closed there.
 * - Anything else (numbers, `true`, garbage) is one piece up to the end of its line or the next
 *   `{` / `[`, so it fails individually and is kept in the error output.
 * - A piece larger than `maxRecordBytes` (UTF-8) is emitted whole or, to bound memory, as consecutive
 *   pieces that each exceed the limit (so each fails as `record_too_large`) and that, joined in
 *   order, give back the piece's text exactly. A cut is made each time the text held since the last
 *   cut passes the limit, and each cut is emitted one cut late, so the last (short) rest is appended
 *   to the piece before it: at most about twice the limit is ever held.
 *
 * Linear time: every character is looked at a bounded number of times (inside strings, `indexOf`
 * jumps to the next quote, backslash or newline), and chunks are only sliced and joined.
 */
import { MAX_RECORD_BYTES } from './constants';

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** White space JSON allows between values, plus the byte-order mark a file may start with. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === NEWLINE || c === 0x0d || c === 0xfeff;
}

/**
 * Drops trailing white space as JSON defines it. Not `trimEnd()`: on latin1-decoded input it would
 * also drop bytes 0x0B, 0x0C and 0xA0, which belong to the record and must reach the error output.
 */
function trimEndSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

function startsValue(c: number): boolean {
  return c === OPEN_BRACE || c === OPEN_BRACKET;
}

/** UTF-8 length of one UTF-16 code unit (a surrogate pair counts 2 + 2 = 4 bytes). */
function utf8Length(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdfff) return 2;
  return 3;
}

/** UTF-8 length of `text` from `start` to `end`, counted as `utf8Length` does. */
function utf8Bytes(text: string, start: number, end: number): number {
  let bytes = 0;
  for (let i = start; i < end; i++) bytes += utf8Length(text.charCodeAt(i));
  return bytes;
}

/** `text.indexOf(search, from)`, or `text.length` when it is not found. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

/** `between`: outside any record; `value`: inside `{…}`, `[…]` or `"…"`; `bare`: any other piece. */
type Mode = 'between' | 'value' | 'bare';

export interface JsonRecordSplitterOptions {
  /** Pieces larger than this many UTF-8 bytes are cut and emitted as is. Default: 1,000 KiB (Firehose's limit). */
  maxRecordBytes?: number;
}

/**
 * Stream-safe JSON record splitter: feed it decoded text in chunks of any size (a chunk may end
 * inside a string, an escape or a surrogate pair) and collect the complete record texts.
 *
 * @example
 * const splitter = new JsonRecordSplitter();
 * splitter.push('{"a":1}{"b"'); // ['{"a":1}']
 * splitter.push(':2}\n42\n');   // ['{"b":2}', '42']
 * splitter.end();               // []
 */
export class JsonRecordSplitter {
  private readonly maxRecordBytes: number;
  private mode: Mode = 'between';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The previous character was a newline inside an open value. */
  private atLineStart = false;
  /**
   * The part of an oversized piece cut last and not yet emitted (see the boundary rules): it goes
   * out when the next cut is made, or with the rest of the piece when the piece ends.
   */
  private held: string | null = null;
  /** UTF-8 bytes of the current piece since its start or its last cut. */
  private bytes = 0;
  /** Text of the current piece from earlier chunks. */
  private parts: string[] = [];
  // Next backslash and newline in the current chunk at or after where the scan is (chunk.length
  // when none); searched again only once passed, so each search covers new text and splitting
  // stays linear however many records a chunk holds. Reset for each chunk.
  private backslashAt = -1;
  private newlineAt = -1;

  constructor(options: JsonRecordSplitterOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  /** Feeds the next chunk of text; returns the records it completed, in order. */
  push(chunk: string): string[] {
    const out: string[] = [];
    // Index in `chunk` where the current piece's unsaved text starts; -1 when nothing is kept.
    let start = this.mode === 'between' ? -1 : 0;
    this.backslashAt = -1;
    this.newlineAt = -1;
    for (let i = 0; i < chunk.length; i++) {
      // Fast path for the bulk of the text, inside a value: over as many characters as cannot take
      // the piece past the size limit (at most 3 UTF-8 bytes per UTF-16 unit), so no cut falls there.
      const room = Math.floor((this.maxRecordBytes - this.bytes) / 3);
      if (this.mode === 'value' && !this.atLineStart && room > 0) {
        i = this.scanValue(chunk, i, Math.min(chunk.length, i + room));
        if (this.depth <= 0 && !this.inString) {
          this.emit(out, chunk, start, i + 1);
          this.reset();
          start = -1;
        }
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (this.mode === 'between') {
        if (isSpace(c)) continue;
        this.open(c);
        start = i;
      } else if (this.mode === 'value' && this.atLineStart && c !== NEWLINE) {
        this.atLineStart = false;
        if (startsValue(c)) {
          this.emit(out, chunk, start, i);
          this.open(c);
          start = i;
        }
      } else if (this.mode === 'bare' && startsValue(c)) {
        this.emit(out, chunk, start, i);
        this.open(c);
        start = i;
      }

      this.bytes += utf8Length(c);
      // Never cut between the two halves of a surrogate pair.
      if (this.bytes > this.maxRecordBytes && !(c >= 0xd800 && c <= 0xdbff)) {
        this.cut(out, chunk, start, i + 1);
        start = i + 1;
      }

      if (this.step(c)) {
        this.emit(out, chunk, start, i + 1);
        this.reset();
        start = -1;
      }
    }
    if (start >= 0 && start < chunk.length && this.mode !== 'between') this.parts.push(chunk.slice(start));
    return out;
  }

  /** Ends the stream: returns the last record if one is still open (it is incomplete, and will fail). */
  end(): string[] {
    const out: string[] = [];
    if (this.mode !== 'between') this.emit(out, '', 0, 0);
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
    this.held = null;
    this.bytes = 0;
    this.parts = [];
  }

  /**
   * What `step` does, from `from` until the piece completes, a newline (the next line's first
   * column needs the general loop) or `end`; returns the index of the last character it consumed.
   * Inside a string it jumps with `indexOf` to the next quote, backslash or newline, the only
   * characters that matter there. Bytes are counted only if the piece stays open.
   */
  private scanValue(chunk: string, from: number, end: number): number {
    let { depth, inString, escaped } = this;
    let i = from;
    for (; i < end; i++) {
      if (inString && !escaped) {
        if (this.backslashAt < i) this.backslashAt = indexOrEnd(chunk, '\\', i);
        if (this.newlineAt < i) this.newlineAt = indexOrEnd(chunk, '\n', i);
        i = Math.min(indexOrEnd(chunk, '"', i), this.backslashAt, this.newlineAt);
        if (i >= end) break;
      }
      const c = chunk.charCodeAt(i);
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
    if (depth > 0 || inString) this.bytes += utf8Bytes(chunk, from, last + 1);
    return last;
  }

  /** Advances the structure by one character; true when the piece is complete after it. */
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

  /** The current piece's text since its last cut, up to `end` in `chunk`; clears what was kept. */
  private take(chunk: string, start: number, end: number): string {
    const tail = start >= 0 ? chunk.slice(start, end) : '';
    const joined = this.parts.length > 0 ? this.parts.join('') + tail : tail;
    this.parts = [];
    return joined;
  }

  /** Cuts an oversized piece here: emits the part held from the previous cut and holds this one. */
  private cut(out: string[], chunk: string, start: number, end: number): void {
    if (this.held !== null) out.push(this.held);
    this.held = this.take(chunk, start, end);
    this.bytes = 0;
  }

  /** Emits the rest of the current piece, after the part held from its last cut if any. */
  private emit(out: string[], chunk: string, start: number, end: number): void {
    const rest = this.take(chunk, start, end);
    const text = trimEndSpace(this.held === null ? rest : this.held + rest);
    this.held = null;
    if (text !== '') out.push(text);
  }
}

/**
 * Splits a whole text into its top-level JSON record texts (see {@link JsonRecordSplitter}).
 *
 * @example
 * splitJsonRecords('{"a":1}{"b":2}\n{"c":3}\n'); // ['{"a":1}', '{"b":2}', '{"c":3}']
 */
export function splitJsonRecords(text: string, options?: JsonRecordSplitterOptions): string[] {
  const splitter = new JsonRecordSplitter(options);
  return [...splitter.push(text), ...splitter.end()];
}
