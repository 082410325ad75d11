/**
 * Ingest benchmark: synthesizes ~1 GB of NDJSON from the documented AWS examples (each copy made
 * unique, so every line is a distinct event), then measures in separate child processes:
 * - baseline: stream the file, split lines, JSON.parse each;
 * - ingest: the full local pipeline (split, Firehose handler, Parquet zstd).
 * Reports records/s, MB/s, peak RSS (process.resourceUsage().maxRSS) and the ratio to the baseline.
 *
 * Run: npx tsx bench/ingest.ts            (BENCH_MB=256 for a shorter run; BENCH_KEEP=1 keeps the files;
 *                                          BENCH_WORKERS=n sets the handler workers, default by cores)
 *
 * Measured 2026-11-28 on the 2-core dev machine, shared with other jobs (load average 3–6):
 * 1,025 MiB, 1,070,000 records: baseline 8.1 s (132,224 records/s, peak RSS 141 MiB);
 * ingest 213.3 s (5,016 records/s, 4.8 MiB/s, 26x the baseline), peak RSS 594 MiB
 * (V8 heap 255 MiB, external 135 MiB), 237 Parquet files, 32.4 MiB written.
 * After the handler worker pool and the cold-partition flush (2026-11-28 15:48, load average 4):
 * 1 handler worker (the 2-core default): ingest 142.4 s (7,515 records/s, 125.7 CPU s, main thread
 * busy 52%), peak RSS 621 MiB, 257 Parquet files (this input cycles through every partition, so
 * files are cut by the 16 MiB per-partition threshold, not by time order). 2 workers: peak RSS
 * 673 MiB; 2 workers also writing the Parquet files (`workerWrites`): 988 MiB, hence off by default.
 * Part of the speed-up is the transform's own optimisations landing the same afternoon.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const FIXTURES = join(__dirname, '..', '..', 'shared', 'fixtures', 'documented');
const MIB = 1024 * 1024;

async function templates(): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(FIXTURES)).filter((n) => n.endsWith('.ndjson')).sort()) {
    for (const line of (await readFile(join(FIXTURES, name), 'utf8')).split('\n'))
      if (line.trim()) out.push(line.trim());
  }
  return out;
}

/** Writes `targetBytes` of NDJSON: the templates over and over, each copy with its own sequence field. */
async function synthesize(path: string, targetBytes: number): Promise<number> {
  const lines = await templates();
  const out = createWriteStream(path);
  let written = 0;
  let count = 0;
  while (written < targetBytes) {
    let chunk = '';
    for (let i = 0; i < 1000; i++) {
      const line = lines[count % lines.length];
      chunk += `{"bench_seq":${count},${line.slice(1)}\n`;
      count++;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return count;
}

async function baselineChild(path: string): Promise<void> {
  const started = performance.now();
  let records = 0;
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) records += JSON.parse(line) ? 1 : 0;
  }
  if (rest) records += JSON.parse(rest) ? 1 : 0;
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({ records, seconds, maxRssKiB: process.resourceUsage().maxRSS }) + '\n',
  );
}

async function ingestChild(path: string, lake: string): Promise<void> {
  const { ingest } = await import('../local/src/ingest');
  // Where the memory is, sampled: V8 heap, and buffers outside it (Arrow, the wasm Parquet writer).
  const peak = { heapUsedMiB: 0, externalMiB: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsedMiB = Math.max(peak.heapUsedMiB, Math.round(m.heapUsed / MIB));
    peak.externalMiB = Math.max(peak.externalMiB, Math.round(m.external / MIB));
  }, 100);
  const workers = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : undefined;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const summary = await ingest({ inputs: [path], lake, workers });
  clearInterval(sampler);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      ...summary,
      ...peak,
      maxRssKiB: process.resourceUsage().maxRSS,
      // Every thread's CPU time (workers included), and how busy the main thread was.
      cpuSeconds: (used.user + used.system) / 1e6,
      mainBusy: performance.eventLoopUtilization(elu).utilization,
      workers: workers ?? (await import('../local/src/handler-pool')).defaultWorkerCount(),
    }) + '\n',
  );
}

function runChild(args: string[]): Record<string, number> {
  const result = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * MIB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`child ${args[0]} failed with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--baseline') return baselineChild(rest[0]);
  if (mode === '--ingest') return ingestChild(rest[0], rest[1]);

  const targetMiB = Number(process.env.BENCH_MB ?? 1024);
  const dir = join(tmpdir(), `engagement-lake-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const input = join(dir, 'events.ndjson');
  const lake = join(dir, 'lake');
  try {
    console.log(`synthesizing ${targetMiB} MiB of NDJSON in ${dir} …`);
    const lines = await synthesize(input, targetMiB * MIB);
    const bytes = (await stat(input)).size;
    console.log(`  ${lines} lines, ${(bytes / MIB).toFixed(0)} MiB`);

    const base = runChild(['--baseline', input]);
    console.log(
      `baseline (read + JSON.parse): ${base.seconds.toFixed(1)} s, ${Math.round(base.records / base.seconds)} records/s, peak RSS ${(base.maxRssKiB / 1024).toFixed(0)} MiB`,
    );
    const run = runChild(['--ingest', input, lake]);
    console.log(
      `ingest (${run.workers} handler workers): ${run.seconds.toFixed(1)} s, ${run.recordsPerSecond} records/s, ${(bytes / MIB / run.seconds).toFixed(1)} MiB/s, ` +
        `${run.cpuSeconds.toFixed(1)} CPU s, main thread busy ${(run.mainBusy * 100).toFixed(0)}%, ` +
        `peak RSS ${(run.maxRssKiB / 1024).toFixed(0)} MiB (main thread: peak V8 heap ${run.heapUsedMiB} MiB, external ${run.externalMiB} MiB)`,
    );
    console.log(
      `  records ${run.records} (ok ${run.okRecords}, failed ${run.failedRecords}), rows ${run.rows}, ` +
        `${run.files} Parquet files, ${(run.bytesWritten / MIB).toFixed(1)} MiB written`,
    );
    console.log(`ingest / baseline time: ${(run.seconds / base.seconds).toFixed(1)}x`);
  } finally {
    if (!process.env.BENCH_KEEP) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
