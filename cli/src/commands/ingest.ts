import { ingest, type IngestSummary } from '../../../local/src/ingest';
import type { IngestPlan } from '../../../local/src/ingest-plan';
import { createProgress, formatSummary } from '../../../local/src/progress';
import { UserInputError } from '../../../transform/src/errors';
import { piiPolicyOption } from '../pii-option';

export interface IngestCommandOptions {
  /** A lake folder or `s3://bucket/prefix/`. */
  lake: string;
  /** False with `--no-raw`. */
  raw: boolean;
  json?: boolean;
  /** `--compact`: afterwards, rewrite every partition into one compacted file (see `compact`). */
  compact?: boolean;
  /** `--s3-endpoint`: an S3-compatible server for s3:// inputs and lake. */
  s3Endpoint?: string;
  /**
   * `--restart`: read every source again, ignoring the lake's checkpoint, so the events of a source
   * already in the lake are stored a second time (`events_unique` shows each once).
   */
  restart?: boolean;
  /** `--dry-run`: list what would be read and where it would go; read and write nothing. */
  dryRun?: boolean;
  /** `--commit-mib`, as typed: input MiB between two checkpoints. */
  commitMib?: string;
  /** `--pii`, as typed: keep, hash or drop. */
  pii?: string;
}

const MIB = 1024 * 1024;

/** `--commit-mib` as bytes; a one-line error for anything but a positive number. */
export function commitBytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const mib = Number(text);
  if (!Number.isFinite(mib) || mib <= 0) {
    throw new UserInputError(
      `--commit-mib '${text}' is not a positive number of MiB; pass e.g. --commit-mib 256`,
    );
  }
  return Math.ceil(mib * MIB);
}

/**
 * `engagement-lake ingest <inputs...>`: runs the inputs (files, folders, S3 objects and prefixes,
 * stdin) through the Firehose handler into the lake (a folder or S3), shows a progress bar on a
 * TTY, and prints the summary (one JSON object with `--json`). Exits 0 once the input was read, even
 * when some records failed: they are counted and kept in `errors/`. Sources the lake already has
 * are skipped, so a killed run started again goes on where it stopped. Exits 1 after the summary
 * when a file changed while it was read: it has no checkpoint, and a script must know to run again.
 */
export async function runIngest(inputs: string[], options: IngestCommandOptions): Promise<void> {
  const commit = commitBytes(options.commitMib);
  const pii = piiPolicyOption(options.pii);
  const s3 = { endpoint: options.s3Endpoint };
  if (options.dryRun) {
    const { planIngest } = await import('../../../local/src/ingest-plan');
    const plan = await planIngest({ inputs, lake: options.lake, s3, restart: options.restart });
    process.stdout.write(options.json ? `${JSON.stringify(plan)}\n` : `${formatPlan(plan)}\n`);
    return;
  }
  const progress = createProgress(process.stderr);
  let summary: IngestSummary;
  try {
    summary = await ingest({
      inputs,
      lake: options.lake,
      s3,
      includeRaw: options.raw,
      pii,
      restart: options.restart,
      commitBytes: commit,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    // Cleared before the summary is printed, and on failure before the error is.
    progress.stop();
  }
  if (!options.compact) {
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    assertNothingChanged(summary);
    return;
  }
  // Loaded only here: compaction needs DuckDB, a plain ingest does not.
  const { compactLake } = await import('../../../local/src/compact');
  const { formatCompactSummary } = await import('./compact');
  const compaction = await compactLake({ lake: options.lake, s3Endpoint: options.s3Endpoint });
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ ...summary, compaction })}\n`
      : `${formatSummary(summary)}\n${formatCompactSummary(compaction)}\n`,
  );
  assertNothingChanged(summary);
}

/**
 * Fails the command (after the summary) when files changed while they were read: their rows are in
 * the lake, but without a checkpoint the next run reads them again, which the user must start.
 */
export function assertNothingChanged(summary: IngestSummary): void {
  const changed = summary.changedDuringRead ?? [];
  if (changed.length === 0) return;
  const named = changed
    .slice(0, 3)
    .map((path) => `'${path}'`)
    .join(', ');
  const more = changed.length > 3 ? ` and ${changed.length - 3} more` : '';
  throw new UserInputError(
    `${changed.length} file(s) changed while being read and were not checkpointed: ${named}${more}; rerun ingest once they stop changing (events_unique shows each event once)`,
  );
}

/** The dry run's listing: one line per source (new or done, size, name), then the totals. */
export function formatPlan(plan: IngestPlan): string {
  const lines = plan.sources.map((s) => {
    const size = s.bytes === null ? '?' : `${(s.bytes / MIB).toFixed(1)} MiB`;
    return `${s.done ? 'done' : 'new '}  ${size.padStart(11)}  ${s.source}`;
  });
  lines.push(
    `would read ${plan.toRead} source(s) (${(plan.bytesToRead / MIB).toFixed(1)} MiB) into ${plan.lake}` +
      (plan.skipped > 0 ? `; ${plan.skipped} already in the lake (--restart re-reads them)` : ''),
  );
  return lines.join('\n');
}
