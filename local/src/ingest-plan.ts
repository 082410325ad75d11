/**
 * `ingest --dry-run`: which sources a run would read, which the lake's checkpoint already has, and
 * where the lake is. Lists the inputs and the checkpoint; reads no object and writes nothing.
 */
import { sourceLabel, type InputSource } from './input-reader';
import { openIngestLake, resolveSources, type LakeAccessOptions } from './ingest-lake';
import { readDoneSources } from './ledger';

export interface PlannedSource {
  /** Path, `s3://` URL, or `-`. */
  source: string;
  /** Size in bytes (null for stdin). */
  bytes: number | null;
  /** True when the checkpoint has it: a run skips it unless `restart`. */
  done: boolean;
}

export interface IngestPlan {
  lake: string;
  sources: PlannedSource[];
  /** Sources a run would read, and their bytes. */
  toRead: number;
  bytesToRead: number;
  /** Sources a run would skip. */
  skipped: number;
}

/**
 * What `ingest` would do with these options, without doing it. Throws the same one-line
 * UserInputErrors as `ingest` for a missing input, bucket or prefix, denied access or bad credentials.
 *
 * @example
 * const plan = await planIngest({ inputs: ['s3://archive/2024/'], lake: './lake' });
 * console.log(`${plan.toRead} to read, ${plan.skipped} already in the lake`);
 */
export async function planIngest(
  options: LakeAccessOptions & { inputs: readonly string[]; restart?: boolean },
): Promise<IngestPlan> {
  const lake = openIngestLake(options);
  try {
    const sources = await resolveSources(options.inputs, lake);
    // A folder lake is only looked at (check() would create it); an S3 lake's bucket is checked.
    if (!lake.isFolder) await lake.sink.check();
    const done = options.restart ? new Set<InputSource>() : await readDoneSources(lake.sink, sources);
    const planned = sources.map((s) => ({
      source: sourceLabel(s),
      bytes: s.kind === 'stdin' ? null : s.size,
      done: done.has(s),
    }));
    const reading = planned.filter((p) => !p.done);
    return {
      lake: lake.sink.location,
      sources: planned,
      toRead: reading.length,
      bytesToRead: reading.reduce((n, p) => n + (p.bytes ?? 0), 0),
      skipped: planned.length - reading.length,
    };
  } finally {
    lake.close();
  }
}
