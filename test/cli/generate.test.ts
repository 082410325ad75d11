import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { type GenerateCommandOptions, runGenerate } from '../../cli/src/commands/generate';
import { UserInputError } from '../../transform/src/errors';

const NOW = Date.UTC(2026, 10, 28, 15, 30);

/** A stdout that drops what it is given (a PassThrough nobody reads would stall at its buffer limit). */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

function options(overrides: Partial<GenerateCommandOptions> = {}): GenerateCommandOptions {
  return {
    events: '500',
    seed: '7',
    days: '30',
    start: '2026-11-01',
    duplicates: '0',
    out: '-',
    stdout: discard(),
    log: () => {},
    ...overrides,
  };
}

async function tempFile(name: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'generate-')), name);
}

/** Collects what is written to a stream, and whether it was ended. */
function sink(): { stream: PassThrough; text: () => string; ended: () => boolean } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  let ended = false;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => (ended = true));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), ended: () => ended };
}

describe('runGenerate', () => {
  describe('output', () => {
    it('writes exactly --events NDJSON lines to a file and returns a summary', async () => {
      // Arrange
      const out = await tempFile('events.ndjson');

      // Act
      const summary = await runGenerate(options({ events: '1234', out }));

      // Assert
      const text = await readFile(out, 'utf8');
      const lines = text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(1234);
      expect(lines.every((line) => typeof JSON.parse(line) === 'object')).toBe(true);
      expect(summary).toMatchObject({
        events: 1234,
        complete: true,
        bytes: Buffer.byteLength(text),
        seed: '7',
        firstDay: '2026-11-01',
        lastDay: '2026-11-30',
        duplicates: 0,
        out,
      });
      expect(summary.eventsPerSecond).toBeGreaterThan(0);
    });

    it('writes byte-identical files for the same flags', async () => {
      // Arrange
      const first = await tempFile('a.ndjson');
      const second = await tempFile('b.ndjson');

      // Act
      await runGenerate(options({ out: first }));
      await runGenerate(options({ out: second }));

      // Assert
      expect(await readFile(second)).toEqual(await readFile(first));
    });

    it("writes to stdout for '-' and leaves it open", async () => {
      // Arrange
      const stdout = sink();

      // Act
      await runGenerate(options({ events: '25', stdout: stdout.stream }));
      await new Promise((resolve) => setImmediate(resolve));

      // Assert
      expect(stdout.text().split('\n')).toHaveLength(26);
      expect(stdout.ended()).toBe(false);
    });

    it('starts --days days before today (UTC) when --start is absent', async () => {
      // Act
      const summary = await runGenerate(options({ start: undefined, days: '30', now: NOW, events: '10' }));

      // Assert
      expect(summary.firstDay).toBe('2026-10-29');
      expect(summary.lastDay).toBe('2026-11-27');
    });

    it('redelivers lines when --duplicates asks for it', async () => {
      // Arrange
      const stdout = sink();

      // Act
      await runGenerate(options({ events: '2000', duplicates: '0.25', stdout: stdout.stream }));

      // Assert
      const lines = stdout.text().trim().split('\n');
      expect(lines).toHaveLength(2000);
      expect(new Set(lines).size).toBeLessThan(1700);
    });

    it('logs one summary line', async () => {
      // Arrange
      const logged: string[] = [];

      // Act
      await runGenerate(options({ events: '10', stdout: discard(), log: (line) => logged.push(line) }));

      // Assert
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(
        /^wrote 10 events \(2026-11-01\.\.2026-11-30, seed 7\) to stdout in [\d.]+ s \(\d+ events\/s\)$/,
      );
    });
  });

  describe('flags', () => {
    it.each([
      [{ events: 'abc' }, "--events must be a positive integer (at most 1000000000), got 'abc'"],
      [{ events: '0' }, "--events must be a positive integer (at most 1000000000), got '0'"],
      [{ events: '-5' }, "--events must be a positive integer (at most 1000000000), got '-5'"],
      [{ events: '1.5' }, "--events must be a positive integer (at most 1000000000), got '1.5'"],
      [{ days: '0' }, "--days must be an integer from 1 to 36500, got '0'"],
      [{ days: 'week' }, "--days must be an integer from 1 to 36500, got 'week'"],
      [{ start: '2026-13-01' }, "--start must be a date as YYYY-MM-DD, got '2026-13-01'"],
      [{ start: '2026-02-30' }, "--start must be a date as YYYY-MM-DD, got '2026-02-30'"],
      [{ start: 'yesterday' }, "--start must be a date as YYYY-MM-DD, got 'yesterday'"],
      [{ duplicates: '2' }, "--duplicates must be a number from 0 to 1 (a share of lines), got '2'"],
      [{ duplicates: '-0.1' }, "--duplicates must be a number from 0 to 1 (a share of lines), got '-0.1'"],
      [{ duplicates: 'some' }, "--duplicates must be a number from 0 to 1 (a share of lines), got 'some'"],
      [{ seed: ' ' }, '--seed must not be empty, e.g. --seed 7'],
    ])('rejects %o with a one-line message', async (overrides, message) => {
      // Act
      const run = runGenerate(options(overrides));

      // Assert
      await expect(run).rejects.toThrow(UserInputError);
      await expect(runGenerate(options(overrides))).rejects.toThrow(message);
      expect(message).not.toContain('\n');
    });

    it('rejects an --out path that cannot be written', async () => {
      // Arrange
      const out = join(await tempFile('missing'), 'dir', 'events.ndjson');

      // Act
      const run = runGenerate(options({ out }));

      // Assert
      await expect(run).rejects.toThrow(UserInputError);
      await expect(runGenerate(options({ out }))).rejects.toThrow(`cannot write --out '${out}'`);
    });
  });
});
