/**
 * What is on disk under `<lake>/events/`: the partition folders (`family=<f>/dt=<d>`) and their
 * published Parquet files. Temporary files (`.…tmp`) and compaction journals are not data files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PartitionFiles {
  /** The partition folder, e.g. `lake/events/family=email/dt=2026-11-28`. */
  readonly dir: string;
  /** Published Parquet file names in the folder, sorted (oldest run first: names start with a ULID). */
  readonly files: string[];
  /** Compaction journals left in the folder by an interrupted `compact`. */
  readonly journals: string[];
}

/** The prefix of a compaction journal; it does not end in `.parquet`, so no reader picks it up. */
export const JOURNAL_PREFIX = '_compaction-';

/** Every partition folder of the lake that holds Parquet files or a journal, sorted by path. */
export function readLakeLayout(lake: string): PartitionFiles[] {
  const events = join(lake, 'events');
  if (!existsSync(events) || !statSync(events).isDirectory()) return [];
  const byDir = new Map<string, PartitionFiles>();
  for (const entry of readdirSync(events, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const isParquet = entry.name.endsWith('.parquet');
    const isJournal = entry.name.startsWith(JOURNAL_PREFIX) && entry.name.endsWith('.json');
    if (!isParquet && !isJournal) continue;
    const dir = entry.parentPath;
    let partition = byDir.get(dir);
    if (!partition) byDir.set(dir, (partition = { dir, files: [], journals: [] }));
    (isParquet ? partition.files : partition.journals).push(entry.name);
  }
  const partitions = [...byDir.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1));
  for (const p of partitions) {
    p.files.sort();
    p.journals.sort();
  }
  return partitions;
}

/**
 * A one-line suggestion to run `compact` when partitions average four or more files: past a few
 * hundred files, opening them costs more than reading the data.
 */
export function compactionHint(lake: string, partitions: readonly PartitionFiles[]): string | undefined {
  const files = partitions.reduce((n, p) => n + p.files.length, 0);
  if (files < 100 || files < 4 * partitions.length) return undefined;
  return (
    `note: the lake has ${files.toLocaleString('en')} files in ${partitions.length} partitions; ` +
    `\`engagement-lake compact --lake ${lake}\` rewrites each partition into one file and makes queries faster\n`
  );
}
