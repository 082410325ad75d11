import { compactLake, type CompactSummary } from '../../../local/src/compact';
import { checkConcurrency } from '../../../local/src/compact-plan';

export interface CompactCommandOptions {
  /** A lake folder or `s3://bucket/prefix/`. */
  lake: string;
  from?: string;
  to?: string;
  s3Endpoint?: string;
  /** As typed: checked here so that a bad value gets a one-line error. */
  concurrency?: string;
  json?: boolean;
}

/**
 * `engagement-lake compact`: rewrites each partition with several files, or one not yet compacted,
 * into one file in the compacted layout (in a folder or on S3, optionally only the days from `--from` to `--to`), then prints what changed.
 */
export async function runCompact(options: CompactCommandOptions): Promise<CompactSummary> {
  const summary = await compactLake({
    lake: options.lake,
    from: options.from,
    to: options.to,
    s3Endpoint: options.s3Endpoint,
    concurrency: options.concurrency === undefined ? undefined : checkConcurrency(options.concurrency),
  });
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatCompactSummary(summary)}\n`);
  return summary;
}

const MIB = 1024 * 1024;

/** The human summary: partitions, files, rows and bytes, time. */
export function formatCompactSummary(s: CompactSummary): string {
  const notes = [
    s.recovered ? `${s.recovered} interrupted compaction(s) finished first` : '',
    s.skipped
      ? `${s.skipped} left as they were (another compaction changed them, or an object was removed after the listing; see notes)`
      : '',
  ].filter((note) => note !== '');
  return [
    `partitions: ${s.partitions} (${[`${s.compacted} rewritten`, ...notes].join(', ')})`,
    `files:      ${s.filesBefore} -> ${s.filesAfter}`,
    `rows:       ${s.rows} rewritten, ${(s.bytesBefore / MIB).toFixed(1)} MiB -> ${(s.bytesAfter / MIB).toFixed(1)} MiB`,
    `time:       ${s.seconds.toFixed(1)} s`,
    ...s.notes.map((note) => `note:       ${note}`),
  ].join('\n');
}
