/**
 * The ingest progress bar (sources, bytes of the total input, events, rate, time left) and the final
 * summary text. The bar is drawn only on a TTY; piped output gets nothing but the summary.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { IngestProgress, IngestSummary } from './ingest';

export interface ProgressReporter {
  update(progress: IngestProgress): void;
  stop(): void;
}

const MIB = 1024 * 1024;

/** `1,234,567`: counts in the bar and the summary are easier to read grouped. */
const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The bar's fields for one progress report (pure: the bar only substitutes them). */
export function progressFields(progress: IngestProgress): Record<string, string> {
  return {
    objects: `${progress.sourcesDone}/${progress.sourcesTotal}`,
    readMiB: (progress.bytesRead / MIB).toFixed(1),
    totalMiB: progress.totalBytes === null ? '?' : (progress.totalBytes / MIB).toFixed(1),
    events: grouped(progress.records),
    rate: grouped(progress.records / Math.max(progress.seconds, 0.001)),
  };
}

/** A progress bar on `stream` when it is a TTY, else a reporter that does nothing. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream,
      format:
        'ingest [{bar}] {percentage}% | {objects} objects | {readMiB}/{totalMiB} MiB | {events} events | {rate} events/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      // The bar counts bytes: they are what the time left depends on (objects differ in size).
      const total = progress.totalBytes ?? Math.max(progress.bytesRead, 1);
      const fields = progressFields(progress);
      if (!started) {
        bar.start(total, progress.bytesRead, fields);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(progress.bytesRead, fields);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** The human summary: sources, records, rows, failures by reason, files, bytes, time and rate. */
export function formatSummary(summary: IngestSummary): string {
  const failed = Object.entries(summary.failed)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(', ');
  const lines = [
    `records: ${summary.records} (ok ${summary.okRecords}, failed ${summary.failedRecords}${failed ? `: ${failed}` : ''})`,
    `rows:    ${summary.rows}`,
    `files:   ${summary.files} Parquet (${(summary.bytesWritten / MIB).toFixed(1)} MiB), ${summary.errorFiles} error file(s) in ${summary.lake}`,
    `sources: ${summary.objectsRead} read (${(summary.inputBytes / MIB).toFixed(1)} MiB), ${summary.objectsSkipped} skipped`,
  ];
  if (summary.objectsSkipped > 0) {
    lines.push(`skipped: ${summary.objectsSkipped} sources already in the lake; --restart re-reads them`);
  }
  if (summary.recoveredRuns > 0) {
    lines.push(
      `resumed: removed ${summary.discardedFiles} uncommitted file(s) of ${summary.recoveredRuns} interrupted run(s) first`,
    );
  }
  const rate = summary.recordsPerSecond;
  lines.push(`time:    ${summary.seconds.toFixed(1)} s, ${rate} records/s (${summary.runId})`);
  return lines.join('\n');
}
