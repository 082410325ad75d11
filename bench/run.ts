/**
 * `npm run bench`: every benchmark, each in its own process so that its peak RSS is its own.
 * Each reports ratios against a baseline measured in the same run, because these machines are noisy.
 * BENCH_QUICK=1 shrinks the inputs (for a smoke run); BENCH_MB sets the ingest input size.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const quick = process.env.BENCH_QUICK === '1';
const benches: [string, string[]][] = [
  ['transform.ts', quick ? ['--events', '20000'] : []],
  ['ingest.ts', []],
  ['queries.ts', quick ? ['--events', '200000'] : []],
];

let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n# bench/${file} ${args.join(' ')}`);
  const env = quick ? { ...process.env, BENCH_MB: process.env.BENCH_MB ?? '32' } : process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, file), ...args], {
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
