/**
 * NODE_OPTIONS of the functions that transform records (the Firehose transform and the backfill).
 * A batch allocates its rows, their JSON and base64 at once; with V8's default young generation
 * (semi-spaces under 16 MiB at Lambda's memory sizes) most of that is copied out of the nursery
 * before it dies. 64 MiB semi-spaces (a 192 MiB young generation, within both functions' memory)
 * took the handler on 1 MB batches from 43.3 to 39.1 µs a record here, mean of four alternated runs
 * (bench/transform.ts measures it against the default in every run).
 */
export const TRANSFORM_NODE_OPTIONS = '--max-semi-space-size=64';
