/**
 * What is stored under `<lake>/events/`: the partition folders (`family=<f>/dt=<d>`) and their
 * published Parquet files. Temporary files (`.…tmp`) and compaction journals are not data files.
 * `readLakeLayout` reads a local folder; `groupPartitions` sorts a listing (folder or S3) the same way.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeObject } from './lake-sink';

export interface PartitionFiles {
  /** The partition folder, e.g. `lake/events/family=email/dt=2026-11-28`. */
  readonly dir: string;
  /** Published Parquet file names in the folder, sorted (oldest run first: names start with a ULID). */
  readonly files: string[];
  /** Compaction journals left in the folder by an interrupted `compact`. */
  readonly journals: string[];
  /** Temporary files of an interrupted `compact` that no journal names (safe to delete). */
  readonly leftovers: string[];
}

/** The prefix of a compaction journal; it does not end in `.parquet`, so no reader picks it up. */
export const JOURNAL_PREFIX = '_compaction-';

/** How the name of the file a compaction writes ends. */
export const COMPACTED_SUFFIX = '-compacted.parquet';
/** The temporary names of that file and of its journal (see tempPathFor in parquet-writer.ts). */
const COMPACTION_TEMP = /^\.(part-\w+-compacted\.parquet|_compaction-\w+\.json)\.tmp$/;

/** What a file in a partition folder is to the lake, if anything. */
function kindOf(name: string): 'files' | 'journals' | 'leftovers' | undefined {
  if (COMPACTION_TEMP.test(name)) return 'leftovers';
  if (name.startsWith('.')) return undefined; // an ingest's file still being written, or not ours
  if (name.endsWith('.parquet')) return 'files';
  if (name.startsWith(JOURNAL_PREFIX) && name.endsWith('.json')) return 'journals';
  return undefined;
}

/** Every partition folder of the lake that holds Parquet files or compaction debris, sorted by path. */
export function readLakeLayout(lake: string): PartitionFiles[] {
  const events = join(lake, 'events');
  if (!existsSync(events) || !statSync(events).isDirectory()) return [];
  const byDir = new Map<string, PartitionFiles>();
  for (const entry of readdirSync(events, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const kind = kindOf(entry.name);
    if (!kind) continue;
    const dir = entry.parentPath;
    let partition = byDir.get(dir);
    if (!partition) byDir.set(dir, (partition = { dir, files: [], journals: [], leftovers: [] }));
    partition[kind].push(entry.name);
  }
  const partitions = [...byDir.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1));
  for (const p of partitions) {
    p.files.sort();
    p.journals.sort();
  }
  return partitions;
}

/** A partition as a listing shows it, folder or S3: keys are relative to the lake's root. */
export interface LakePartition {
  /** The partition's key prefix without the trailing '/', e.g. `events/family=email/dt=2026-11-28`. */
  readonly prefix: string;
  /** Its `dt=` value (`YYYY-MM-DD`), or undefined when the prefix has none. */
  readonly day: string | undefined;
  /** Published Parquet objects, sorted by key (oldest first: ingest and Firehose names start with a time). */
  readonly files: LakeObject[];
  /** Keys of compaction journals left by an interrupted `compact`, sorted. */
  readonly journals: string[];
}

const DAY_SEGMENT = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})(?:\/|$)/;

/**
 * Groups a listing of `events/` into partitions (the folder each object sits in), sorted by prefix.
 * Objects that are not data files or journals (temporary names, a lock, objects directly under
 * `events/`) are left out.
 *
 * @example
 * groupPartitions([{ key: 'events/family=sms/dt=2026-11-28/part-1.parquet', size: 10 }])
 * // [{ prefix: 'events/family=sms/dt=2026-11-28', day: '2026-11-28', files: [...], journals: [] }]
 */
export function groupPartitions(objects: Iterable<LakeObject>): LakePartition[] {
  const byPrefix = new Map<string, { files: LakeObject[]; journals: string[] }>();
  for (const object of objects) {
    const slash = object.key.lastIndexOf('/');
    const prefix = object.key.slice(0, slash);
    if (slash < 0 || !prefix.startsWith('events/')) continue;
    const kind = kindOf(object.key.slice(slash + 1));
    if (kind !== 'files' && kind !== 'journals') continue;
    let partition = byPrefix.get(prefix);
    if (!partition) byPrefix.set(prefix, (partition = { files: [], journals: [] }));
    if (kind === 'files') partition.files.push(object);
    else partition.journals.push(object.key);
  }
  return [...byPrefix.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([prefix, { files, journals }]) => ({
      prefix,
      day: DAY_SEGMENT.exec(prefix)?.[1],
      files: files.sort((a, b) => (a.key < b.key ? -1 : 1)),
      journals: journals.sort(),
    }));
}

/** The number of published Parquet files in these partitions. */
export function countFiles(partitions: ReadonlyArray<{ readonly files: readonly unknown[] }>): number {
  return partitions.reduce((n, p) => n + p.files.length, 0);
}

/**
 * One-line notes for `query` on the local lake: an interrupted compaction (its partitions show some
 * rows twice until `compact` runs again), or partitions averaging four files or more, where opening
 * the files costs more than reading the data (from 100 files up: a small lake opens fast anyway).
 */
export function lakeHints(lake: string, partitions: readonly PartitionFiles[]): string[] {
  const command = `engagement-lake compact --lake ${shellQuote(lake)}`;
  const hints: string[] = [];
  const interrupted = partitions.filter((p) => p.journals.length > 0).length;
  if (interrupted > 0)
    hints.push(
      `note: an interrupted compaction left ${interrupted} partition(s) unfinished, where rows may show twice; \`${command}\` finishes it\n`,
    );
  const files = countFiles(partitions);
  if (files >= 100 && files >= 4 * partitions.length)
    hints.push(
      `note: the lake has ${files.toLocaleString('en')} files in ${partitions.length} partitions; ` +
        `\`${command}\` rewrites each partition into one file and makes queries faster\n`,
    );
  return hints;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
