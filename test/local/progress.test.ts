import { createProgress, formatSummary } from '../../local/src/progress';
import type { IngestSummary } from '../../local/src/ingest';

describe('progress', () => {
  describe('createProgress', () => {
    it('writes nothing when the stream is not a TTY', () => {
      // Arrange
      let written = '';
      const stream = {
        isTTY: false,
        write: (s: string) => ((written += s), true),
      } as unknown as NodeJS.WriteStream;

      // Act
      const progress = createProgress(stream);
      progress.update(10, 100);
      progress.stop();

      // Assert
      expect(written).toBe('');
    });
  });

  describe('formatSummary', () => {
    it('lists records, failures by reason, rows, files and the rate', () => {
      // Arrange
      const summary: IngestSummary = {
        runId: '01JDXR0000000000000000000',
        records: 10,
        okRecords: 7,
        failedRecords: 3,
        rows: 7,
        failed: { unknown_format: 1, invalid_json: 2 },
        files: 2,
        bytesWritten: 3 * 1024 * 1024,
        errorFiles: 1,
        errorBytes: 100,
        inputs: 1,
        inputBytes: 5000,
        seconds: 2,
        recordsPerSecond: 5,
      };

      // Act
      const text = formatSummary(summary);

      // Assert
      expect(text).toBe(
        [
          'records: 10 (ok 7, failed 3: invalid_json: 2, unknown_format: 1)',
          'rows:    7',
          'files:   2 Parquet (3.0 MiB), 1 error file(s)',
          'time:    2.0 s, 5 records/s (01JDXR0000000000000000000)',
        ].join('\n'),
      );
    });
  });
});
