/**
 * `npm run bench`: every benchmark, each in its own process so that its peak RSS is its own, then
 * one table of every figure with its baseline (measured in the same run), ratio and target.
 * `--quick` (or BENCH_QUICK=1) runs small inputs, for a smoke check in about a minute; the full run
 * also writes the table as JSON to bench/results/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRANSFORM_NODE_OPTIONS } from '../infra/src/lambda-node-options';
import { printTable, type TableRow } from './util';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
/** Benches of the Lambda handlers: run with the functions' NODE_OPTIONS, as deployed. */
const LAMBDA_BENCHES = new Set(['transform.ts', 'backfill-handler.ts']);
const benches: [string, string[]][] = [
  ['transform.ts', quick ? ['--events', '20000'] : []],
  ['ingest.ts', quick ? ['--quick'] : []],
  ['s3-ingest.ts', quick ? ['--quick'] : []],
  ['backfill-handler.ts', quick ? ['--events', '5000'] : []],
  ...(quick
    ? []
    : ([
        ['scan-fraction.ts', []],
        ['queries.ts', []],
      ] as [string, string[]][])),
];

const table = join(tmpdir(), `engagement-lake-bench-table-${process.pid}.jsonl`);
let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n# bench/${file} ${args.join(' ')}`);
  const nodeOptions = LAMBDA_BENCHES.has(file) ? TRANSFORM_NODE_OPTIONS.split(' ') : [];
  const result = spawnSync(
    process.execPath,
    [...nodeOptions, '--import', 'tsx', join(__dirname, file), ...args],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_TABLE: table },
    },
  );
  if (result.status !== 0) failed += 1;
}
let rows: TableRow[] = [];
try {
  rows = readFileSync(table, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TableRow);
} catch {
  // no rows: every bench failed before reporting
}
rmSync(table, { force: true });
console.log(`\n# summary (${availableParallelism()} cores${quick ? ', quick' : ''})`);
printTable(rows);
if (!quick) {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    path,
    JSON.stringify({ at: new Date().toISOString(), cores: availableParallelism(), rows }, null, 2) + '\n',
  );
  console.log(`\nwritten to ${path}`);
}
process.exitCode = failed === 0 ? 0 : 1;
