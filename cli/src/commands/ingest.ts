import { ingest } from '../../../local/src/ingest';
import { createProgress, formatSummary } from '../../../local/src/progress';

export interface IngestCommandOptions {
  lake: string;
  /** False with `--no-raw`. */
  raw: boolean;
  json?: boolean;
  /** `--compact`: afterwards, rewrite every partition with several files into one. */
  compact?: boolean;
}

/**
 * `engagement-lake ingest <inputs...>`: runs the inputs through the Firehose handler into the lake,
 * shows a progress bar on a TTY, and prints the summary (one JSON object with `--json`). Exits 0
 * once the input was read, even when some records failed: they are counted and kept in `errors/`.
 */
export async function runIngest(inputs: string[], options: IngestCommandOptions): Promise<void> {
  const progress = createProgress(process.stderr);
  let summary;
  try {
    summary = await ingest({
      inputs,
      lake: options.lake,
      includeRaw: options.raw,
      onProgress: (read, total) => progress.update(read, total),
    });
  } finally {
    // Cleared before the summary is printed, and on failure before the error is.
    progress.stop();
  }
  if (!options.compact) {
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    return;
  }
  // Loaded only here: compaction needs DuckDB, a plain ingest does not.
  const { compactLake } = await import('../../../local/src/compact');
  const { formatCompactSummary } = await import('./compact');
  const compaction = await compactLake({ lake: options.lake });
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ ...summary, compaction })}\n`
      : `${formatSummary(summary)}\n${formatCompactSummary(compaction)}\n`,
  );
}
