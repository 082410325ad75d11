import { spawn } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrames, Spool, SPOOL_FOLDER, type SpooledRecord } from '../../local/src/spool';
import { newRunId } from '../../local/src/run-id';
import { tempDir } from './helpers';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

function record(text: string, arrivalTime = T0): SpooledRecord {
  return { data: Buffer.from(text), arrivalTime };
}

function texts(records: readonly SpooledRecord[]): string[] {
  return records.map((r) => r.data.toString());
}

/** A run id that sorts after the ids made before it (ULIDs start with the time). */
let clock = T0;
function nextRunId(): string {
  clock += 1000;
  return newRunId(clock);
}

async function spoolFiles(lake: string): Promise<string[]> {
  return (await readdir(join(lake, SPOOL_FOLDER))).sort();
}

async function setOwner(lake: string, spool: Spool, owner: { pid?: number; started: string | null }) {
  await writeFile(join(lake, SPOOL_FOLDER, `serve-${spool.runId}.owner`), JSON.stringify(owner));
}

/** Leaves a run's spool behind as a killed process would: files written, nothing closed or released. */
async function crashedRun(lake: string, ...batches: SpooledRecord[][]): Promise<Spool> {
  const spool = await Spool.open(lake, nextRunId());
  for (const batch of batches) await spool.append(batch);
  const dead = spawn(process.execPath, ['-e', '0']); // its pid no longer exists once it exited
  await new Promise((resolve) => dead.once('exit', resolve));
  await setOwner(lake, spool, { pid: dead.pid, started: null });
  return spool;
}

describe('spool', () => {
  describe('frames', () => {
    it('decodes what it encodes: bytes (binary too) and arrival times', () => {
      // Arrange
      const records = [
        record('{"a":1}', T0),
        { data: Buffer.from([0, 0xff, 0x7b]), arrivalTime: T0 + 1.5 },
        record(''),
      ];

      // Act
      const decoded = decodeFrames(encodeFrames(records));

      // Assert
      expect(decoded.tornBytes).toBe(0);
      expect(decoded.records).toEqual(records);
    });

    it('drops a torn last frame, at every length it can be cut to, and keeps the frames before it', () => {
      // Arrange
      const whole = encodeFrames([record('first'), record('second')]);
      const firstLength = encodeFrames([record('first')]).byteLength;

      // Act
      const cuts = Array.from({ length: whole.byteLength - firstLength }, (_, i) =>
        decodeFrames(whole.subarray(0, firstLength + i)),
      );

      // Assert
      for (const [i, cut] of cuts.entries()) {
        expect(texts(cut.records)).toEqual(['first']);
        expect(cut.tornBytes).toBe(i);
      }
    });

    it('skips a frame whose bytes were changed (CRC mismatch), keeps the frames after it, and hands back its bytes', () => {
      // Arrange
      const frames = encodeFrames([record('first'), record('second'), record('third')]);
      const second = encodeFrames([record('second')]);
      const damaged = Buffer.from(frames);
      damaged[damaged.indexOf('second') + 2] ^= 0x01;

      // Act
      const decoded = decodeFrames(damaged);

      // Assert: the damaged stretch is the second frame, byte for byte as it is on disk
      expect(texts(decoded.records)).toEqual(['first', 'third']);
      expect(decoded.damaged).toEqual([
        damaged.subarray(frames.indexOf(second), frames.indexOf(second) + second.length),
      ]);
      expect(decoded.tornBytes).toBe(0);
    });

    it('resynchronises after damage at any byte of a middle frame, header included', () => {
      // Arrange
      const frames = encodeFrames([record('first'), record('second'), record('third')]);
      const start = encodeFrames([record('first')]).byteLength;
      const length = encodeFrames([record('second')]).byteLength;

      for (let i = start; i < start + length; i++) {
        const damaged = Buffer.from(frames);
        damaged[i] ^= 0xff;
        // Act
        const decoded = decodeFrames(damaged);
        // Assert: every byte is a record's or in the damaged stretch
        expect(texts(decoded.records)).toEqual(['first', 'third']);
        expect(decoded.damaged.reduce((n, d) => n + d.byteLength, 0)).toBe(length);
        expect(decoded.tornBytes).toBe(0);
      }
    });

    it('hands back garbage written between two frames exactly, and a torn tail after it is still torn', () => {
      // Arrange
      const garbage = Buffer.from(Array.from({ length: 37 }, (_, i) => (i * 53 + 7) % 256));
      const tail = encodeFrames([record('never answered')]).subarray(0, 20);
      const bytes = Buffer.concat([encodeFrames([record('a')]), garbage, encodeFrames([record('b')]), tail]);

      // Act
      const decoded = decodeFrames(bytes);

      // Assert
      expect(texts(decoded.records)).toEqual(['a', 'b']);
      expect(decoded.damaged).toEqual([garbage]);
      expect(decoded.tornBytes).toBe(20);
    });
  });

  describe('append, seal and release', () => {
    it('has every appended record on disk, in order, before append resolves', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const spool = await Spool.open(lake, nextRunId());

      // Act
      await spool.append([record('a'), record('b')]);
      await spool.append([record('c')]);
      const [segment] = (await spoolFiles(lake)).filter((name) => name.endsWith('.wal'));
      const onDisk = await spool.readSegment(segment);

      // Assert
      expect(texts(onDisk.records)).toEqual(['a', 'b', 'c']);
      expect(spool.bufferedRecords).toBe(3);
      expect(spool.bufferedBytes).toBe(3);
      await spool.close();
    });

    it('writes concurrent appends whole, never interleaved, and hands each record to one window', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const spool = await Spool.open(lake, nextRunId());
      const batches = Array.from({ length: 50 }, (_, i) =>
        Array.from({ length: 20 }, (_, j) => record(`${i}-${j}-${'x'.repeat(i * 37)}`)),
      );

      // Act
      const appends = batches.map((batch) => spool.append(batch));
      const firstWindow = spool.seal(); // between appends: takes what was synced before it
      const rest = batches.slice(25).map((batch) => spool.append(batch));
      await Promise.all([...appends, ...rest]);
      const windows = [await firstWindow, await spool.seal()];
      const onDisk = await Promise.all(
        windows.flatMap((w) => w.segments).map(async (name) => (await spool.readSegment(name)).records),
      );

      // Assert
      const expected = [...batches, ...batches.slice(25)].flat().map((r) => r.data.toString());
      expect(windows.flatMap((w) => texts(w.records))).toEqual(expected);
      expect(onDisk.flatMap(texts)).toEqual(expected);
      expect(onDisk.every((segment) => segment.length > 0)).toBe(true);
      await spool.close();
    });

    it('starts a new segment after each seal and deletes a sealed window’s segments on release', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const spool = await Spool.open(lake, nextRunId());
      await spool.append([record('a')]);
      const first = await spool.seal();
      await spool.append([record('b')]);

      // Act
      await spool.release(first.segments);
      const second = await spool.seal();

      // Assert
      expect(first.segments).toEqual([`serve-${spool.runId}-000001.wal`]);
      expect(second.segments).toEqual([`serve-${spool.runId}-000002.wal`]);
      expect(await spoolFiles(lake)).toEqual([
        `serve-${spool.runId}-000002.wal`,
        `serve-${spool.runId}.owner`,
      ]);
      expect(texts(second.records)).toEqual(['b']);
      await spool.release(second.segments);
      await spool.close();
      await expect(readdir(join(lake, SPOOL_FOLDER))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('refuses every record of an append it could not write, and goes on in a new segment', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const spool = await Spool.open(lake, nextRunId());
      await spool.append([record('delivered')]);
      await spool.seal();
      await rm(join(lake, SPOOL_FOLDER), { recursive: true }); // the next segment cannot be created

      // Act
      const failed = await spool.append([record('refused-1'), record('refused-2')]).catch((e: unknown) => e);
      const refusedCount = spool.bufferedRecords;
      await mkdir(join(lake, SPOOL_FOLDER));
      await spool.append([record('accepted')]);
      const window = await spool.seal();

      // Assert
      expect(failed).toMatchObject({ code: 'ENOENT' });
      expect(refusedCount).toBe(0);
      expect(texts(window.records)).toEqual(['accepted']);
      expect(window.segments).toEqual([`serve-${spool.runId}-000003.wal`]);
      expect(texts((await spool.readSegment(window.segments[0])).records)).toEqual(['accepted']);
      await spool.close();
    });
  });

  describe('leftovers of earlier runs', () => {
    it('lists the segments of dead runs in run order, and never those of a live run', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const older = await crashedRun(lake, [record('old-1')]);
      await older.seal();
      await older.append([record('old-2')]);
      const newer = await crashedRun(lake, [record('new-1')]);
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      const live = await Spool.open(lake, nextRunId());
      await live.append([record('live')]);
      await setOwner(lake, live, { pid: other.pid, started: null }); // another serve, still running
      const reused = await Spool.open(lake, nextRunId());
      await reused.append([record('pid reused')]);
      await setOwner(lake, reused, { pid: other.pid, started: 'another process start' }); // its pid, now someone else's

      // Act
      const mine = await Spool.open(lake, nextRunId());
      const leftovers = await mine.leftovers();
      const replayed = await Promise.all(
        leftovers.map(async (name) => texts((await mine.readSegment(name)).records)),
      );

      // Assert
      try {
        expect(leftovers).toEqual([
          `serve-${older.runId}-000001.wal`,
          `serve-${older.runId}-000002.wal`,
          `serve-${newer.runId}-000001.wal`,
          `serve-${reused.runId}-000001.wal`,
        ]);
        expect(replayed).toEqual([['old-1'], ['old-2'], ['new-1'], ['pid reused']]);
      } finally {
        other.kill();
        await Promise.all([older, newer, live, reused, mine].map((s) => s.close()));
      }
    });

    it('replays a segment past generation 999,999, after the ones before it', async () => {
      // Arrange: a long-running server's segments, one of them past six digits.
      const lake = await tempDir('spool-');
      const crashed = await crashedRun(lake, [record('early')]);
      const folder = join(lake, SPOOL_FOLDER);
      await rename(
        join(folder, `serve-${crashed.runId}-000001.wal`),
        join(folder, `serve-${crashed.runId}-999999.wal`),
      );
      await writeFile(join(folder, `serve-${crashed.runId}-1000000.wal`), encodeFrames([record('late')]));

      // Act
      const mine = await Spool.open(lake, nextRunId());
      const leftovers = await mine.leftovers();
      const replayed = await Promise.all(
        leftovers.map(async (name) => texts((await mine.readSegment(name)).records)),
      );

      // Assert
      try {
        expect(replayed).toEqual([['early'], ['late']]);
      } finally {
        await Promise.all([crashed, mine].map((s) => s.close()));
      }
    });

    it('drops the torn tail a crash left after the last acknowledged frame', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const crashed = await crashedRun(lake, [record('acknowledged')]);
      const segment = join(lake, SPOOL_FOLDER, `serve-${crashed.runId}-000001.wal`);
      const unacknowledged = encodeFrames([record('never answered')]);
      await appendFile(segment, unacknowledged.subarray(0, 20));

      // Act
      const mine = await Spool.open(lake, nextRunId());
      const [name] = await mine.leftovers();
      const replay = await mine.readSegment(name);

      // Assert
      expect(texts(replay.records)).toEqual(['acknowledged']);
      expect(replay.tornBytes).toBe(20);
      await Promise.all([crashed.close(), mine.close()]);
    });

    it('removes a dead run’s owner file once its last segment is released', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const crashed = await crashedRun(lake, [record('a')]);
      const mine = await Spool.open(lake, nextRunId());
      const leftovers = await mine.leftovers();

      // Act
      await mine.release(leftovers);

      // Assert
      expect(await spoolFiles(lake)).toEqual([`serve-${mine.runId}.owner`]);
      await mine.close();
      await crashed.close();
    });

    it('treats an empty segment (created, killed before its first write) as holding nothing', async () => {
      // Arrange
      const lake = await tempDir('spool-');
      const crashed = await crashedRun(lake, [record('a')]);
      const segment = join(lake, SPOOL_FOLDER, `serve-${crashed.runId}-000001.wal`);
      await truncate(segment, 0);

      // Act
      const mine = await Spool.open(lake, nextRunId());
      const [name] = await mine.leftovers();
      const replay = await mine.readSegment(name);

      // Assert
      expect(replay).toEqual({ records: [], damaged: [], tornBytes: 0 });
      expect((await readFile(segment)).byteLength).toBe(0);
      await Promise.all([crashed.close(), mine.close()]);
    });
  });
});
