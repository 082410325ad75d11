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
 * Run: npx tsx bench/ingest.ts [--quick]   (BENCH_KEEP=1 keeps the files)
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { generateEvents } from '../local/src/generate';
import { mib, reportRows, targetRow, type TableRow } from './util';

const MIB = 1024 * 1024;
const FIXTURES = join(__dirname, '..', '..', 'shared', 'fixtures', 'documented');

/** Writes `events` generated events (30 days, time-ordered) as NDJSON. */
async function generate(path: string, events: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (const line of generateEvents({ events, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 30 })) {
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
  const started = performance.now();
  const summary = await ingest({ inputs: [input], lake, workers, includeRaw: raw });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      seconds,
      records: summary.records,
      rows: summary.rows,
      failed: summary.failedRecords,
      files: summary.files,
      bytesWritten: summary.bytesWritten,
      cpuSeconds: (used.user + used.system) / 1e6,
      maxRssKiB: process.resourceUsage().maxRSS,
    }),
  );
}

/** Compacts the lake, then reports its bytes, bytes per column, and its size rewritten as Snappy. */
async function storageChild(lake: string): Promise<void> {
  const { compactLake } = await import('../local/src/compact');
  await compactLake({ lake });
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const glob = join(lake, 'events', '**', '*.parquet').replace(/'/g, "''");
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const [{ files, bytes }] = (await rows(
    `select count(*)::BIGINT::VARCHAR as files, sum(size)::BIGINT::VARCHAR as bytes from (select distinct file_name, file_size_bytes as size from parquet_file_metadata('${glob}'))`,
  )) as { files: string; bytes: string }[];
  const columns = await rows(
    `select split_part(path_in_schema, ', ', 1) as col, sum(total_compressed_size)::BIGINT::VARCHAR as bytes, ` +
      `string_agg(distinct encodings, ' ') as encodings, max(row_group_num_rows)::BIGINT::VARCHAR as max_rg_rows ` +
      `from parquet_metadata('${glob}') group by 1 order by sum(total_compressed_size) desc limit 6`,
  );
  const snappy = join(lake, '..', `${lake.split('/').pop()}-snappy`);
  await connection.run(
    `copy (select * from read_parquet('${glob}', hive_partitioning = true)) to '${snappy.replace(/'/g, "''")}' (format parquet, compression snappy, partition_by (family, dt))`,
  );
  const [{ snappyBytes }] = (await rows(
    `select sum(file_size_bytes)::BIGINT::VARCHAR as snappyBytes from parquet_file_metadata('${join(snappy, '**', '*.parquet').replace(/'/g, "''")}')`,
  )) as { snappyBytes: string }[];
  await rm(snappy, { recursive: true, force: true });
  console.log(
    JSON.stringify({ files: Number(files), bytes: Number(bytes), snappyBytes: Number(snappyBytes), columns }),
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
  }
  return rows;
}

/** Storage of a compacted lake of `events` generated events, with and without raw, against gzip -6. */
async function storage(dir: string, events: number): Promise<TableRow[]> {
  const input = join(dir, `events-${events}.ndjson`);
  await stat(input).catch(() => generate(input, events));
  const gz = await gzipSize(input);
  const rows: TableRow[] = [];
  for (const raw of [true, false]) {
    const lake = join(dir, `store-${events}-${raw ? 'raw' : 'noraw'}`);
    child(['--ingest', input, lake, String(availableParallelism()), raw ? '1' : '0']);
    const s = child(['--storage', lake]);
    const columns = (
      s.columns as unknown as { col: string; bytes: string; encodings: string; max_rg_rows: string }[]
    )
      .map((c) => `${c.col} ${mib(Number(c.bytes))} (${c.encodings}; ${c.max_rg_rows} rows/rg)`)
      .join(', ');
    console.log(
      `  lake ${raw ? 'with' : 'without'} raw, compacted: ${s.files} files, ${mib(s.bytes)}; largest columns: ${columns}`,
    );
    rows.push(
      targetRow(
        `storage ${events / 1000}k events, compacted, ${raw ? 'with' : 'without'} raw`,
        mib(s.bytes),
        `gzip -6 ${mib(gz)}`,
        s.bytes / gz,
        {
          max: raw ? 1.0 : 0.4,
        },
      ),
      targetRow(
        `  the same as Snappy (Firehose's conversion)`,
        mib(s.snappyBytes),
        `gzip -6 ${mib(gz)}`,
        s.snappyBytes / gz,
        {},
      ),
    );
  }
  return rows;
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
  const cores = availableParallelism();
  const workerCounts = [...new Set([1, 2, cores])];
  const dir = join(tmpdir(), `engagement-lake-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const rows: TableRow[] = [];
    if (quick) {
      rows.push(...(await throughput(dir, 20_000, workerCounts)));
      rows.push(...(await storage(dir, 20_000)));
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
