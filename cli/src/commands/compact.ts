import { compactLake, type CompactSummary } from '../../../local/src/compact';

export interface CompactCommandOptions {
  lake: string;
  json?: boolean;
}

/** `engagement-lake compact`: rewrites each partition with several files into one, then prints what changed. */
export async function runCompact(options: CompactCommandOptions): Promise<CompactSummary> {
  const summary = await compactLake({ lake: options.lake });
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatCompactSummary(summary)}\n`);
  return summary;
}

const MIB = 1024 * 1024;

export function formatCompactSummary(s: CompactSummary): string {
  return [
    `partitions: ${s.partitions} (${s.compacted} rewritten${s.recovered ? `, ${s.recovered} interrupted compaction(s) finished first` : ''})`,
    `files:      ${s.filesBefore} -> ${s.filesAfter}`,
    `rows:       ${s.rows} rewritten, ${(s.bytesBefore / MIB).toFixed(1)} MiB -> ${(s.bytesAfter / MIB).toFixed(1)} MiB`,
    `time:       ${s.seconds.toFixed(1)} s`,
  ].join('\n');
}
