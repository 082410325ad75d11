import { createProgress, formatSummary, progressFields } from '../../local/src/progress';
import type { IngestProgress, IngestSummary } from '../../local/src/ingest';

const MIB = 1024 * 1024;

/** A stream that records what is written to it, as a TTY or not. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let written = '';
  const stream = {
    isTTY,
    columns: 200,
    write: (s: string) => ((written += s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  } as unknown as NodeJS.WriteStream;
  return { stream, written: () => written };
}

const HALFWAY: IngestProgress = {
  sourcesDone: 3,
  sourcesTotal: 10,
  bytesRead: 12 * MIB,
  totalBytes: 30 * MIB,
  records: 52_000,
  seconds: 4,
};

function summary(changes: Partial<IngestSummary> = {}): IngestSummary {
  return {
    runId: '01JDXR0000000000000000000',
    lake: 's3://lake/events-lake/',
    records: 10,
    okRecords: 7,
    failedRecords: 3,
    rows: 7,
    failed: { unknown_format: 1, invalid_json: 2 },
    files: 2,
    bytesWritten: 3 * MIB,
    errorFiles: 1,
    errorBytes: 100,
    inputs: 4,
    objectsRead: 4,
    objectsSkipped: 0,
    commits: 1,
    recoveredRuns: 0,
    discardedFiles: 0,
    inputBytes: 5 * MIB,
    seconds: 2,
    recordsPerSecond: 5,
    ...changes,
  };
}

describe('progress', () => {
  describe('createProgress', () => {
    it('writes nothing when the stream is not a TTY', () => {
      // Arrange
      const { stream, written } = fakeStream(false);

      // Act
      const progress = createProgress(stream);
      progress.update(HALFWAY);
      progress.stop();

      // Assert
      expect(written()).toBe('');
    });

    it('draws objects, bytes, events, rate and time left on a TTY', () => {
      // Arrange
      const { stream, written } = fakeStream(true);

      // Act
      const progress = createProgress(stream);
      progress.update(HALFWAY);
      progress.stop();

      // Assert
      expect(written()).toMatch(
        /ingest \[.*\] 40% \| 3\/10 objects \| 12\.0\/30\.0 MiB \| 52,000 events \| 13,000 events\/s \| ETA \S+/,
      );
    });
  });

  describe('progressFields', () => {
    it('shows an unknown total while stdin is read', () => {
      // Arrange
      const reading: IngestProgress = { ...HALFWAY, totalBytes: null, seconds: 0 };

      // Act
      const fields = progressFields(reading);

      // Assert
      expect(fields).toMatchObject({ totalMiB: '?', objects: '3/10', events: '52,000' });
    });
  });

  describe('formatSummary', () => {
    it('lists records, failures by reason, rows, files, sources and the rate', () => {
      // Arrange
      const done = summary();

      // Act
      const text = formatSummary(done);

      // Assert
      expect(text).toBe(
        [
          'records: 10 (ok 7, failed 3: invalid_json: 2, unknown_format: 1)',
          'rows:    7',
          'files:   2 Parquet (3.0 MiB), 1 error file(s) in s3://lake/events-lake/',
          'sources: 4 read (5.0 MiB), 0 skipped',
          'time:    2.0 s, 5 records/s (01JDXR0000000000000000000)',
        ].join('\n'),
      );
    });

    it('says how many sources the lake already had and what an interrupted run left', () => {
      // Arrange
      const resumed = summary({ objectsRead: 1, objectsSkipped: 3, recoveredRuns: 1, discardedFiles: 4 });

      // Act
      const text = formatSummary(resumed);

      // Assert
      expect(text.split('\n').slice(3, 6)).toEqual([
        'sources: 1 read (5.0 MiB), 3 skipped',
        'skipped: 3 sources already in the lake; --restart re-reads them',
        'resumed: removed 4 uncommitted file(s) of 1 interrupted run(s) first',
      ]);
    });
  });
});
