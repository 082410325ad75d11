/**
 * Ingest benchmark, every figure against a baseline measured in the same run (these machines are
 * shared and noisy, so only ratios compare):
 * - throughput: `ingest` of generated events (every source format) with 1, 2 and all workers,
 *   against DuckDB alone on all cores (bench/duckdb-baseline.sql: read_json, a flatten of the core
 *   columns, partitioned zstd Parquet COPY) on the same file;
 * - storage: the lake compacted, with and without `raw`, against the input gzipped at level 6; the
 *   bytes per column (`parquet_metadata`) and the size the Firehose path's Snappy would take;
 * - memory (full run only): peak RSS ingesting 250 MB and 1 GB of NDJSON.
 * Each measurement runs in its own child process, so its peak RSS is its own.
 *
 * Run: npx tsx bench/ingest.ts [--quick] [--storage-only]   (BENCH_KEEP=1 keeps the files)
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { generateEvents } from '../local/src/generate';
import { mib, reportRows, targetRow, type TableRow } from './util';

const MIB = 1024 * 1024;
const FIXTURES = join(__dirname, '..', '..', 'shared', 'fixtures', 'documented');

/**
 * Days the generated events span: 30 for the full runs; fewer for a small input, so that its files
 * hold hundreds of rows, not tens (20,000 events over 30 days made 210 partitions of ~100 rows, and
 * `--quick` spent most of its time opening and compacting them).
 */
function daysFor(events: number): number {
  return Math.max(1, Math.min(30, Math.round(events / 10_000)));
}

/** Writes `events` generated events (time-ordered, over `daysFor(events)` days) as NDJSON. */
async function generate(path: string, events: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  const days = daysFor(events);
  for (const line of generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days })) {
    chunk += line + '\n';
    if (chunk.length > MIB) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Writes `targetBytes` of NDJSON from the documented AWS examples, each copy made unique (memory runs). */
async function synthesize(path: string, targetBytes: number): Promise<void> {
  const lines: string[] = [];
  for (const name of (await readdir(FIXTURES)).filter((n) => n.endsWith('.ndjson')).sort())
    for (const line of (await readFile(join(FIXTURES, name), 'utf8')).split('\n'))
      if (line.trim()) lines.push(line.trim());
  const out = createWriteStream(path);
  let written = 0;
  for (let count = 0; written < targetBytes;) {
    let chunk = '';
    for (let i = 0; i < 1000; i++, count++)
      chunk += `{"bench_seq":${count},${lines[count % lines.length]!.slice(1)}\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function duckdbChild(input: string, output: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const sql = (await readFile(join(__dirname, 'duckdb-baseline.sql'), 'utf8'))
    .replaceAll('{{input}}', input.replace(/'/g, "''"))
    .replaceAll('{{output}}', output.replace(/'/g, "''"));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const started = performance.now();
  await connection.run(sql);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS }));
}

async function ingestChild(input: string, lake: string, workers: number, raw: boolean): Promise<void> {
  const { ingest } = await import('../local/src/ingest');
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const summary = await ingest({ inputs: [input], lake, workers, includeRaw: raw });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // The main thread reads, splits and batches for every worker: its busy time per event bounds
  // the rate on any number of cores.
  const mainBusySeconds = performance.eventLoopUtilization(loop).active / 1000;
  console.log(
    JSON.stringify({
      seconds,
      records: summary.records,
      rows: summary.rows,
      failed: summary.failedRecords,
      files: summary.files,
      bytesWritten: summary.bytesWritten,
      cpuSeconds: (used.user + used.system) / 1e6,
      mainBusySeconds,
      maxRssKiB: process.resourceUsage().maxRSS,
    }),
  );
}

/** Bytes of the lake's Parquet files, and of their footers. */
const LAKE_BYTES_SQL = (glob: string) =>
  `select sum(file_size_bytes)::BIGINT::VARCHAR as bytes, sum(footer_size)::BIGINT::VARCHAR as footers, ` +
  `count(*)::BIGINT::VARCHAR as files from parquet_file_metadata('${glob}')`;

/**
 * Rewrites the lake's partitions as compaction did before ADR 0006 (zstd level 3, rows in file
 * order, one COPY per partition), into `out`: the same-run baseline of the layout's gain and cost.
 */
async function previousLayout(
  connection: import('@duckdb/node-api').DuckDBConnection,
  lake: string,
  out: string,
): Promise<number> {
  const started = performance.now();
  const events = join(lake, 'events');
  for (const family of await readdir(events))
    for (const day of await readdir(join(events, family))) {
      const files = (await readdir(join(events, family, day))).filter((n) => n.endsWith('.parquet')).sort();
      const list = files.map((n) => `'${join(events, family, day, n).replace(/'/g, "''")}'`).join(', ');
      await mkdir(join(out, family, day), { recursive: true });
      await connection.run(
        `copy (select * from read_parquet([${list}], hive_partitioning = false, union_by_name = true)) ` +
          `to '${join(out, family, day, 'part.parquet').replace(/'/g, "''")}' (format parquet, compression zstd, row_group_size 65536)`,
      );
    }
  return (performance.now() - started) / 1000;
}

/**
 * Measures the lake as ingested, as the previous compaction laid it out (and how long that took),
 * then compacts it (timed) and reports its bytes, footers, bytes per column (`parquet_metadata`)
 * and its size rewritten as Snappy (the codec of Firehose's format conversion).
 */
async function storageChild(lake: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const sizes = async (dir: string) => {
    const [r] = (await rows(LAKE_BYTES_SQL(join(dir, '**', '*.parquet').replace(/'/g, "''")))) as {
      bytes: string;
      footers: string;
      files: string;
    }[];
    return { bytes: Number(r.bytes), footers: Number(r.footers), files: Number(r.files) };
  };
  const ingested = await sizes(join(lake, 'events'));
  const previous = join(lake, '..', `${lake.split('/').pop()}-previous`);
  const previousSeconds = await previousLayout(connection, lake, previous);
  const before = await sizes(previous);
  await rm(previous, { recursive: true, force: true });

  const { compactLake } = await import('../local/src/compact');
  const compaction = await compactLake({ lake });
  const glob = join(lake, 'events', '**', '*.parquet').replace(/'/g, "''");
  const after = await sizes(join(lake, 'events'));
  const columns = await rows(
    `select split_part(path_in_schema, ', ', 1) as col, sum(total_compressed_size)::BIGINT::VARCHAR as bytes, ` +
      `string_agg(distinct encodings, ' ') as encodings, max(row_group_num_rows)::BIGINT::VARCHAR as max_rg_rows ` +
      `from parquet_metadata('${glob}') group by 1 order by sum(total_compressed_size) desc limit 8`,
  );
  const snappy = join(lake, '..', `${lake.split('/').pop()}-snappy`);
  await connection.run(
    `copy (select * from read_parquet('${glob}', hive_partitioning = true)) to '${snappy.replace(/'/g, "''")}' (format parquet, compression snappy, partition_by (family, dt))`,
  );
  const snappyBytes = (await sizes(snappy)).bytes;
  await rm(snappy, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      ingested,
      before: { ...before, seconds: previousSeconds },
      after: { ...after, seconds: compaction.seconds },
      snappyBytes,
      columns,
    }),
  );
}

function child(args: string[]): Record<string, unknown> & Record<string, number> {
  const result = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * MIB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`bench child ${args[0]} failed with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function gzipSize(path: string): Promise<number> {
  let bytes = 0;
  await pipeline(createReadStream(path), createGzip({ level: 6 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) bytes += chunk.byteLength;
  });
  return bytes;
}

const rate = (events: number, seconds: number) => `${Math.round(events / seconds).toLocaleString('en')} ev/s`;

/** Throughput on `events` generated events: DuckDB, then ingest with each worker count. */
async function throughput(dir: string, events: number, workerCounts: number[]): Promise<TableRow[]> {
  const input = join(dir, `events-${events}.ndjson`);
  await generate(input, events);
  const size = (await stat(input)).size;
  console.log(`${events.toLocaleString('en')} generated events, ${mib(size)}`);
  const duck = child(['--duckdb', input, join(dir, `duck-${events}`)]);
  console.log(`  DuckDB baseline: ${duck.seconds.toFixed(1)} s, ${rate(events, duck.seconds)}`);
  const rows: TableRow[] = [];
  for (const workers of workerCounts) {
    const run = child(['--ingest', input, join(dir, `lake-${events}-${workers}`), String(workers), '1']);
    console.log(
      `  ingest, ${workers} worker(s): ${run.seconds.toFixed(1)} s, ${rate(events, run.seconds)}, ${run.cpuSeconds.toFixed(1)} CPU s, ` +
        `peak RSS ${mib(run.maxRssKiB * 1024)}, ${run.files} files, ${mib(run.bytesWritten)}`,
    );
    rows.push(
      targetRow(
        `ingest ${events / 1000}k events, ${workers} worker(s)${workers === availableParallelism() ? ' (all cores)' : ''}`,
        rate(events, run.seconds),
        `DuckDB ${rate(events, duck.seconds)}`,
        duck.seconds / run.seconds,
        workers === availableParallelism() ? { min: 1.0 } : {},
      ),
    );
    if (workers === availableParallelism()) {
      const busy = run.mainBusySeconds / events;
      rows.push(
        targetRow(
          `ingest ${events / 1000}k events: main thread (reads, splits, batches; serial)`,
          `${(busy * 1e6).toFixed(1)} µs/event busy: at most ${rate(1, busy)} on any number of cores`,
          `all threads ${((run.cpuSeconds / events) * 1e6).toFixed(1)} CPU-µs/event`,
          run.mainBusySeconds / run.cpuSeconds,
          {},
        ),
      );
    }
  }
  return rows;
}

/**
 * Splits NDJSON into `parts` files, dealing out blocks of BLOCK_LINES lines round robin: each file
 * spans every day, in time-ordered stretches, as the objects of successive Firehose buffers do.
 */
async function splitRoundRobin(input: string, parts: number): Promise<string[]> {
  const paths = Array.from({ length: parts }, (_, i) => `${input}.part${i}`);
  const outs = paths.map((path) => createWriteStream(path));
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  let i = 0;
  for await (const line of lines) {
    const out = outs[Math.floor(i++ / BLOCK_LINES) % parts]!;
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  await Promise.all(outs.map(async (out) => (out.end(), once(out, 'finish'))));
  return paths;
}

/** About 40 minutes of the generated events at 1M in 30 days: a few Firehose buffer intervals. */
const BLOCK_LINES = 1000;

/**
 * Deliveries a storage lake is fed in: like Firehose's buffers, they leave several files in each
 * partition. `--quick` feeds two: each is an ingest process, about 2 s of start-up alone.
 */
const DELIVERIES = 4;
const QUICK_DELIVERIES = 2;

/**
 * Storage of a compacted lake of `events` generated events, with and without raw, against gzip -6
 * of the input. The lake is fed in DELIVERIES ingest runs (each a share of the input's blocks), so
 * every partition holds several files and compaction rewrites all of them, as on a lake Firehose or
 * `serve` feeds; one ingest run of one file would leave most partitions as the ingest wrote them.
 */
async function storage(dir: string, events: number, deliveries = DELIVERIES): Promise<TableRow[]> {
  const input = join(dir, `events-${events}.ndjson`);
  await stat(input).catch(() => generate(input, events));
  const gz = await gzipSize(input);
  const shares = await splitRoundRobin(input, deliveries);
  const perEvent = (bytes: number) => `${(bytes / events).toFixed(1)} B/event`;
  const rows: TableRow[] = [];
  for (const raw of [true, false]) {
    const lake = join(dir, `store-${events}-${raw ? 'raw' : 'noraw'}`);
    for (const share of shares)
      child(['--ingest', share, lake, String(availableParallelism()), raw ? '1' : '0']);
    const s = child(['--storage', lake]) as unknown as StorageReport;
    const label = `storage ${events / 1000}k events, ${raw ? 'with' : 'without'} raw`;
    console.log(
      `  lake ${raw ? 'with' : 'without'} raw (${events.toLocaleString('en')} events, gzip -6 ${mib(gz)} = ${perEvent(gz)}):\n` +
        `    as ingested (${deliveries} runs): ${s.ingested.files} files, ${mib(s.ingested.bytes)}, ${perEvent(s.ingested.bytes)}\n` +
        `    previous compaction (zstd 3, file order): ${mib(s.before.bytes)}, ${perEvent(s.before.bytes)}, ${s.before.seconds.toFixed(1)} s\n` +
        `    compacted: ${s.after.files} files, ${mib(s.after.bytes)}, ${perEvent(s.after.bytes)} (footers ${perEvent(s.after.footers)}), ` +
        `${s.after.seconds.toFixed(1)} s (${(s.after.seconds / s.before.seconds).toFixed(2)}x the previous)\n` +
        `    largest columns: ${s.columns.map((c) => `${c.col} ${perEvent(Number(c.bytes))} (${c.encodings}; ${c.max_rg_rows} rows/rg)`).join(', ')}`,
    );
    rows.push(
      targetRow(`${label}, compacted`, mib(s.after.bytes), `gzip -6 ${mib(gz)}`, s.after.bytes / gz, {
        max: raw ? 1.0 : 0.4,
      }),
      targetRow(
        `  previous compaction (zstd 3, file order)`,
        mib(s.before.bytes),
        `gzip -6 ${mib(gz)}`,
        s.before.bytes / gz,
        {},
      ),
      targetRow(
        `  compacted, as Snappy (Firehose's conversion)`,
        mib(s.snappyBytes),
        `gzip -6 ${mib(gz)}`,
        s.snappyBytes / gz,
        {},
      ),
      targetRow(
        `  compaction time (zstd 9, sorted)`,
        `${s.after.seconds.toFixed(1)} s`,
        `previous ${s.before.seconds.toFixed(1)} s`,
        s.after.seconds / s.before.seconds,
        {},
      ),
    );
  }
  await Promise.all(shares.map((share) => rm(share, { force: true })));
  return rows;
}

interface LakeSize {
  bytes: number;
  footers: number;
  files: number;
}

/** What storageChild prints. */
interface StorageReport {
  ingested: LakeSize;
  before: LakeSize & { seconds: number };
  after: LakeSize & { seconds: number };
  snappyBytes: number;
  columns: { col: string; bytes: string; encodings: string; max_rg_rows: string }[];
}

/** Peak RSS ingesting 250 MB and 1 GB of NDJSON (all workers). */
async function memory(dir: string): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for (const mb of [250, 1024]) {
    const input = join(dir, `synth-${mb}.ndjson`);
    await synthesize(input, mb * MIB);
    const run = child([
      '--ingest',
      input,
      join(dir, `lake-synth-${mb}`),
      String(availableParallelism()),
      '1',
    ]);
    const rss = run.maxRssKiB * 1024;
    console.log(
      `  ${mb} MiB input: ${run.seconds.toFixed(1)} s, ${rate(run.records, run.seconds)}, peak RSS ${mib(rss)}`,
    );
    rows.push(targetRow(`peak RSS, ${mb} MiB input`, mib(rss), '1 GiB', rss / 1024 ** 3, { max: 1.0 }));
    await rm(input, { force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--duckdb') return duckdbChild(rest[0]!, rest[1]!);
  if (mode === '--ingest') return ingestChild(rest[0]!, rest[1]!, Number(rest[2]), rest[3] === '1');
  if (mode === '--storage') return storageChild(rest[0]!);

  const quick = process.argv.includes('--quick');
  const storageOnly = process.argv.includes('--storage-only');
  const cores = availableParallelism();
  const workerCounts = [...new Set([1, 2, cores])];
  const dir = join(tmpdir(), `engagement-lake-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const rows: TableRow[] = [];
    if (storageOnly) {
      rows.push(...(await storage(dir, quick ? 20_000 : 1_000_000, quick ? QUICK_DELIVERIES : DELIVERIES)));
    } else if (quick) {
      rows.push(...(await throughput(dir, 20_000, workerCounts)));
      rows.push(...(await storage(dir, 20_000, QUICK_DELIVERIES)));
    } else {
      rows.push(...(await throughput(dir, 300_000, workerCounts)));
      rows.push(...(await throughput(dir, 1_000_000, [cores])));
      rows.push(...(await storage(dir, 1_000_000)));
      rows.push(...(await memory(dir)));
    }
    reportRows(rows);
  } finally {
    if (!process.env.BENCH_KEEP) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
