import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateEvents } from '../../../local/src/generate';
import { UserInputError } from '../../../transform/src/errors';
import { DAY_MS, utcDate } from '../../../transform/src/time';

const MAX_EVENTS = 1_000_000_000;
const MAX_DAYS = 36_500;
/** Lines are written in chunks of about this many characters: far fewer writes than one per line. */
const CHUNK_CHARS = 64 * 1024;

/** The flags of `engagement-lake generate`, as commander hands them over (strings). */
export interface GenerateCommandOptions {
  events: string;
  seed: string;
  days: string;
  /** YYYY-MM-DD; default: `days` days before today (UTC). */
  start?: string;
  duplicates: string;
  /** A file path, or '-' for stdout. */
  out: string;
  /** Injected for tests: the current time, which sets the default start. */
  now?: number;
  /** Injected for tests: where '-' writes (default: process.stdout). */
  stdout?: Writable;
  /** Injected for tests: where the one-line summary goes (default: stderr). */
  log?: (line: string) => void;
}

/** What `generate` wrote. */
export interface GenerateSummary {
  /** Lines handed to the output: `--events`, unless the reader closed early. */
  events: number;
  /** False when the reader closed stdout before the end (`generate | head`). */
  complete: boolean;
  bytes: number;
  seed: string;
  /** First and last day of the window (UTC, inclusive). */
  firstDay: string;
  lastDay: string;
  duplicates: number;
  out: string;
  seconds: number;
  eventsPerSecond: number;
}

function parseEvents(raw: string): number {
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_EVENTS) {
    throw new UserInputError(`--events must be a positive integer (at most ${MAX_EVENTS}), got '${raw}'`);
  }
  return value;
}

function parseDays(raw: string): number {
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_DAYS) {
    throw new UserInputError(`--days must be an integer from 1 to ${MAX_DAYS}, got '${raw}'`);
  }
  return value;
}

function parseDuplicates(raw: string): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new UserInputError(`--duplicates must be a number from 0 to 1 (a share of lines), got '${raw}'`);
  }
  return value;
}

/** A UTC midnight from YYYY-MM-DD; rejects impossible dates such as 2026-02-30. */
function parseStart(raw: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw.trim()) {
    throw new UserInputError(`--start must be a date as YYYY-MM-DD, got '${raw}'`);
  }
  return ms;
}

/** Groups lines into newline-terminated chunks, so the stream sees a few large writes. */
function* chunks(lines: Iterable<string>, counter: { lines: number; bytes: number }): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    counter.lines++;
    if (chunk.length >= CHUNK_CHARS) {
      counter.bytes += Buffer.byteLength(chunk);
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') {
    counter.bytes += Buffer.byteLength(chunk);
    yield chunk;
  }
}

/**
 * `engagement-lake generate`: writes `--events` synthetic events as NDJSON to `--out` (or
 * stdout), through a stream with backpressure, so memory stays flat for any count.
 *
 * Output is byte-identical for the same `--seed`, `--start`, `--days`, `--events` and
 * `--duplicates`. Without `--start` the window ends today (UTC), so a default 30-day query sees
 * the data, but the output then changes from one day to the next: pass `--start` to reproduce it
 * on any day.
 *
 * @example
 * await runGenerate({ events: '10000', seed: '7', days: '30', start: '2026-11-01', duplicates: '0', out: 'events.ndjson' });
 */
export async function runGenerate(options: GenerateCommandOptions): Promise<GenerateSummary> {
  const events = parseEvents(options.events);
  const days = parseDays(options.days);
  const duplicates = parseDuplicates(options.duplicates);
  if (options.seed.trim() === '') throw new UserInputError('--seed must not be empty, e.g. --seed 7');
  const out = options.out.trim();
  if (out === '') throw new UserInputError("--out must be a file path or '-' for stdout, got ''");
  const today = Math.floor((options.now ?? Date.now()) / DAY_MS) * DAY_MS;
  const start = options.start === undefined ? today - days * DAY_MS : parseStart(options.start);

  const began = process.hrtime.bigint();
  const counter = { lines: 0, bytes: 0 };
  let complete = true;
  const source = Readable.from(
    chunks(generateEvents({ events, seed: options.seed, start, days, duplicates }), counter),
    {
      objectMode: false,
    },
  );
  try {
    if (out === '-') {
      // stdout must stay open after the data (other output may follow), so it is not ended.
      await pipeline(source, options.stdout ?? process.stdout, { end: false });
    } else {
      await pipeline(source, createWriteStream(out));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A reader that stops early (`generate ... | head`) is not an error.
    complete = false;
    if (code !== 'EPIPE') {
      if (code === undefined) throw error;
      throw new UserInputError(`cannot write --out '${out}': ${(error as Error).message}`, { cause: error });
    }
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const written = complete ? events : counter.lines;
  const summary: GenerateSummary = {
    events: written,
    complete,
    bytes: counter.bytes,
    seed: options.seed,
    firstDay: utcDate(start),
    lastDay: utcDate(start + (days - 1) * DAY_MS),
    duplicates,
    out,
    seconds,
    eventsPerSecond: Math.round(written / Math.max(seconds, 1e-6)),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = out === '-' ? 'stdout' : out;
  const window = `${summary.firstDay}..${summary.lastDay}, seed ${options.seed}`;
  log(
    complete
      ? `wrote ${written} events (${window}) to ${target} in ${seconds.toFixed(1)} s (${summary.eventsPerSecond} events/s)`
      : `stopped after about ${written} events (${window}): the reader closed ${target}`,
  );
  return summary;
}
