/**
 * The ingest progress bar (bytes read of the total input size) and the final summary text.
 * The bar is drawn only on a TTY; piped output gets nothing but the summary.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { IngestSummary } from './ingest';

export interface ProgressReporter {
  update(bytesRead: number, totalBytes: number | null): void;
  stop(): void;
}

const MIB = 1024 * 1024;

/** A progress bar on `stream` when it is a TTY, else a reporter that does nothing. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream,
      format: 'ingest [{bar}] {percentage}% | {readMiB}/{totalMiB} MiB | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(bytesRead, totalBytes) {
      const total = totalBytes ?? Math.max(bytesRead, 1);
      const payload = {
        readMiB: (bytesRead / MIB).toFixed(1),
        totalMiB: totalBytes === null ? '?' : (totalBytes / MIB).toFixed(1),
      };
      if (!started) {
        bar.start(total, bytesRead, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(bytesRead, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** The human summary: records, rows, failures by reason, files, bytes, time and rate. */
export function formatSummary(summary: IngestSummary): string {
  const failed = Object.entries(summary.failed)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(', ');
  return [
    `records: ${summary.records} (ok ${summary.okRecords}, failed ${summary.failedRecords}${failed ? `: ${failed}` : ''})`,
    `rows:    ${summary.rows}`,
    `files:   ${summary.files} Parquet (${(summary.bytesWritten / MIB).toFixed(1)} MiB), ${summary.errorFiles} error file(s)`,
    `time:    ${summary.seconds.toFixed(1)} s, ${summary.recordsPerSecond} records/s (${summary.runId})`,
  ].join('\n');
}
