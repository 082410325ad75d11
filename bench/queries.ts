/**
 * Benchmark of the saved queries on the local engine: builds (once, cached under .bench/) a lake of
 * 10 million synthetic events over 60 days, then times each saved query with its default range.
 * Run: npx tsx bench/queries.ts [--events N]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadSavedQueries } from '../queries/src/catalog';
import { openLocalLake } from '../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../queries/src/params';
import { buildSyntheticLake } from './synthetic-lake';

async function main(): Promise<void> {
  const eventsArg = process.argv.indexOf('--events');
  const events = eventsArg > 0 ? Number(process.argv[eventsArg + 1]) : 10_000_000;
  const today = new Date().toISOString().slice(0, 10);
  const dir = join('.bench', `queries-lake-v3-${events}-${today}`);
  if (!existsSync(join(dir, 'events'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const started = performance.now();
    await buildSyntheticLake(dir, { events, days: 60, endDate: today });
    process.stdout.write(
      `built ${events.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s under ${dir}\n`,
    );
  }
  const lake = await openLocalLake(dir);
  const subjects: Record<string, string> = { message_id: 'msg-42', subject: 'ep-42' };
  // CPU seconds (all DuckDB threads) alongside wall time: on a shared machine the wall time swings
  // with other work, the CPU time much less.
  // The baseline, timed in the same run: one pass over the default 30 days reading a few columns.
  // Each query's ratio against it says how much work the query adds to a plain partition scan.
  const baselineSql =
    'select family, count(*) as n, count(distinct endpoint_id) as endpoints from events where dt between ? and ? group by 1';
  const [from, to] = [new Date(Date.now() - 30 * 86_400_000), new Date()].map((d) =>
    d.toISOString().slice(0, 10),
  );
  await lake.run(baselineSql, [from, to]); // warm the footer cache for both sides
  const baselineStarted = performance.now();
  await lake.run(baselineSql, [from, to]);
  const baseline = (performance.now() - baselineStarted) / 1000;
  process.stdout.write(`baseline (30-day scan, count by family): ${baseline.toFixed(2)} s\n`);
  process.stdout.write('query                   rows    seconds  cpu_seconds  x_baseline\n');
  try {
    for (const query of loadSavedQueries()) {
      const given = new Map(
        query.params.filter((p) => p.default === undefined).map((p) => [p.name, subjects[p.name] ?? 'x']),
      );
      const values = bindValues(query, resolveParams(query, given, new Date()));
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const { rows } = await lake.run(query.sql, values);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const cells = [
        query.name.padEnd(22),
        String(rows.length).padStart(6),
        seconds.toFixed(2).padStart(9),
        cpuSeconds.toFixed(2).padStart(12),
        (seconds / baseline).toFixed(1).padStart(11),
      ];
      process.stdout.write(`${cells.join(' ')}\n`);
    }
  } finally {
    lake.close();
  }
}

void main();
