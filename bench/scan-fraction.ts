/**
 * Scan fraction of every saved query: the Parquet bytes Athena would scan (and bill) for one run,
 * against the whole lake's Parquet bytes. Target: under 2% for a query over one day of a 90-day lake.
 *
 * Builds (once, cached under .bench/) a 90-day lake of generated events, `ingest --compact`ed; then
 * runs each saved query twice on the local engine, profiled:
 * - one day: start = end = the middle day of the lake; other parameters match real rows (the busiest
 *   message of that day, an endpoint with events that day);
 * - defaults: every parameter at its default with "today" = the lake's last day (30 days for most
 *   queries; the whole lake for suppression_candidates, endpoint_access and retention_cohorts'
 *   history). This run gives the `scanFraction` of cli/src/cost/prices.json, whose unit is bytes
 *   read / bytes stored (all families) for the days the run reads.
 *
 * What counts (queries/src/scan-bytes.ts): for each `READ_PARQUET` scan of DuckDB's profile, the
 * compressed column chunks of the columns it returns or filters on, in the files its partition
 * filters keep; times the number of times Athena runs the scan (Trino inlines a CTE per reference,
 * DuckDB materialises it). Row groups a reader could skip by their statistics are counted as read;
 * footers are shown apart; DuckDB's own reads (its file-system log) are shown as a check.
 *
 * Run: npx tsx bench/scan-fraction.ts [--lake DIR] [--day YYYY-MM-DD] [--subject ID] [--json FILE]
 *        [--events 900000] [--days 90] [--start 2026-08-01] [--seed 3]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSavedQueries } from '../queries/src/catalog';
import { openLocalLake, type LocalLake } from '../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../queries/src/params';
import {
  measureQueryScan,
  readLakeMetadata,
  type LakeMetadata,
  type ScanMeasurement,
} from '../queries/src/scan-bytes';
import type { SavedQuery } from '../queries/src/types';
import { reportRows, targetRow } from './util';

/** A single-day query must read less than this share of the lake. */
const TARGET = 0.02;

interface Options {
  events: number;
  days: number;
  start: string;
  seed: number;
  lake: string;
  day?: string;
  subject?: string;
  json?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const events = Number(value('--events') ?? 900_000);
  const days = Number(value('--days') ?? 90);
  const start = value('--start') ?? '2026-08-01';
  const seed = Number(value('--seed') ?? 3);
  const lake =
    value('--lake') ?? join('.bench', `scan-fraction-lake-${events}-${days}d-${start}-seed${seed}`);
  return {
    events,
    days,
    start,
    seed,
    lake: resolve(lake),
    day: value('--day'),
    subject: value('--subject'),
    json: value('--json'),
  };
}

async function cli(args: readonly string[]): Promise<void> {
  const bin = join(__dirname, '..', 'bin', 'engagement-lake.js');
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`engagement-lake ${args.join(' ')} exited with ${code}`);
}

/** `generate` then `ingest --compact`, into a folder renamed once complete (a killed build is not reused). */
async function ensureLake(o: Options): Promise<void> {
  if (existsSync(join(o.lake, 'events'))) return;
  const building = `${o.lake}.building`;
  const ndjson = `${o.lake}.ndjson`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const started = performance.now();
  const generate = ['generate', '--events', String(o.events), '--days', String(o.days)];
  await cli([...generate, '--start', o.start, '--seed', String(o.seed), '--out', ndjson]);
  await cli(['ingest', ndjson, '--lake', building, '--compact']);
  rmSync(ndjson, { force: true });
  renameSync(building, o.lake);
  process.stdout.write(`built ${o.lake} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

type Given = Record<string, string>;

interface Run {
  readonly query: string;
  readonly kind: 'one day' | 'defaults';
  readonly params: Record<string, unknown>;
  readonly measurement: ScanMeasurement;
}

/**
 * Parameters that match real rows (a made-up id would measure an empty answer), each with events in
 * the range read: the busiest message; and a person, the median of the endpoints with more than one
 * event (a generated lake has one-event email endpoints and recurring app and SMS users with hundreds
 * of events over most days; `--subject` picks another).
 */
async function realIds(lake: LocalLake, from: string, to: string, subject?: string): Promise<Given> {
  const first = async (sql: string): Promise<string> => {
    const id = (await lake.run(sql, [from, to])).rows[0]?.id;
    if (typeof id !== 'string') throw new Error(`no id between ${from} and ${to}: ${sql}`);
    return id;
  };
  return {
    message_id: await first(
      'select message_id as id from events where dt between ? and ? and message_id is not null group by 1 order by count(*) desc, 1 limit 1',
    ),
    subject:
      subject ??
      (await first(
        `with counts as (
           select endpoint_id, count(*) as n from events
           where endpoint_id in (select endpoint_id from events where dt between ? and ?)
           group by 1 having count(*) > 1
         )
         select endpoint_id as id from counts
         order by abs(n - (select median(n) from counts)), 1 limit 1`,
      )),
  };
}

function givenFor(query: SavedQuery, given: Given): Map<string, string> {
  return new Map(Object.entries(given).filter(([name]) => query.params.some((p) => p.name === name)));
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.001 ? 3 : 2)}%`;
const mb = (bytes: number): string => (bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 2);

/** Why a run reads what it reads, in a few words: the days, the families, repeated scans, pruning. */
function notes(m: ScanMeasurement, lake: LakeMetadata, runDays: readonly string[]): string[] {
  const out: string[] = [];
  const families = new Set(m.partitions.map((p) => p.split('/')[0].slice('family='.length)));
  const allFamilies = new Set(lake.files.map((f) => f.family));
  const outside = m.days.filter((d) => !runDays.includes(d));
  if (outside.length > 0) {
    out.push(`reads ${m.days.length} days (${m.days[0]}..${m.days[m.days.length - 1]})`);
  }
  out.push(families.size === allFamilies.size ? 'all families' : [...families].sort().join('+'));
  for (const s of m.scans) {
    if (s.athenaRuns > 1) out.push(`a CTE scan Athena runs ${s.athenaRuns}x (DuckDB once)`);
    if (s.filesOpened !== undefined && s.filesOpened < s.files.length) {
      out.push(`DuckDB opened ${s.filesOpened} of ${s.files.length} files, untraced: all counted`);
    }
    if (s.prunedAtRunTime) {
      out.push(
        `join pruned to ${s.files.length} files at run time (without: ${mb(s.bytesWithoutRunTimePruning)} MB)`,
      );
    }
  }
  if (m.rows === 0) out.push('EMPTY ANSWER');
  return out;
}

function table(header: string[], rows: string[][], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Four significant digits: enough for a cost model, stable across runs of the same lake. */
const significant = (x: number): number => Number(x.toPrecision(4));

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  await ensureLake(o);
  const lake = await openLocalLake(o.lake);
  try {
    const metadata = await readLakeMetadata(lake.connection, o.lake);
    const days = [...new Set(metadata.files.map((f) => f.dt))].sort();
    const day = o.day ?? days[Math.floor((days.length - 1) / 2)];
    const last = days[days.length - 1];
    const now = new Date(`${last}T00:00:00Z`);
    const oneDayIds = await realIds(lake, day, day, o.subject);
    const defaultIds = await realIds(lake, addDays(last, -6), last, o.subject);
    const chunkTotal = metadata.chunks.reduce((s, c) => s + c.bytes, 0);
    process.stdout.write(
      `lake ${o.lake}: ${metadata.files.length} files in ${new Set(metadata.files.map((f) => `${f.family}/${f.dt}`)).size} partitions, ` +
        `${days[0]}..${last} (${days.length} days), ${mb(metadata.bytes)} MB of Parquet ` +
        `(${mb(chunkTotal)} MB column chunks, ${mb(metadata.bytes - chunkTotal)} MB footers and indexes)\n` +
        `one day: ${day} (message_id ${oneDayIds.message_id}, subject ${oneDayIds.subject}); ` +
        `defaults: today = ${last} (message_id ${defaultIds.message_id}, subject ${defaultIds.subject})\n\n`,
    );

    const runs: Run[] = [];
    for (const query of loadSavedQueries()) {
      const kinds: Array<[Run['kind'], Given]> = [
        ['one day', { ...oneDayIds, start: day, end: day }],
        ['defaults', defaultIds],
      ];
      for (const [kind, given] of kinds) {
        const params = resolveParams(query, givenFor(query, given), now);
        const measurement = await measureQueryScan(
          lake.connection,
          metadata,
          query.sql,
          bindValues(query, params),
        );
        runs.push({ query: query.name, kind, params, measurement });
      }
    }

    const partitionCount = new Set(metadata.files.map((f) => `${f.family}/${f.dt}`)).size;
    const oneDay = runs.filter((r) => r.kind === 'one day');
    process.stdout.write(`## One day (start = end = ${day})\n\n`);
    process.stdout.write(
      table(
        [
          'query',
          'rows',
          'partitions read',
          'columns read',
          'bytes read',
          'lake bytes',
          'fraction',
          'target',
          'pass',
          'DuckDB read',
          'footers',
          'with footers',
          'why',
        ],
        oneDay.map((r) => {
          const m = r.measurement;
          const fraction = m.bytes / metadata.bytes;
          return [
            r.query,
            String(m.rows),
            `${m.partitions.length}/${partitionCount}`,
            String(m.columns.length),
            m.bytes.toLocaleString('en'),
            metadata.bytes.toLocaleString('en'),
            pct(fraction),
            `< ${pct(TARGET)}`,
            fraction < TARGET ? 'pass' : 'FAIL',
            m.duckdbBytes.toLocaleString('en'),
            m.footerBytes.toLocaleString('en'),
            pct((m.bytes + m.footerBytes) / metadata.bytes),
            notes(m, metadata, [day]).join('; '),
          ];
        }),
        new Set([1, 2, 3, 4, 5, 6, 9, 10, 11]),
      ) + '\n\n',
    );

    // Into `npm run bench`'s table: the fraction is the ratio, against the whole lake.
    reportRows(
      oneDay.map((r) =>
        targetRow(
          `scan fraction, ${r.query}, one day of ${days.length}`,
          `${mb(r.measurement.bytes)} MB`,
          `whole lake ${mb(metadata.bytes)} MB`,
          r.measurement.bytes / metadata.bytes,
          { max: TARGET },
        ),
      ),
    );

    process.stdout.write('Columns read (one day):\n');
    for (const r of oneDay) process.stdout.write(`- ${r.query}: ${r.measurement.columns.join(', ')}\n`);

    process.stdout.write(`\n## Default parameters (today = ${last})\n\n`);
    const bytesOfDays = (list: readonly string[]): number =>
      metadata.files.filter((f) => list.includes(f.dt)).reduce((s, f) => s + f.bytes, 0);
    const defaults = runs.filter((r) => r.kind === 'defaults');
    const allFamilies = [...new Set(metadata.files.map((f) => f.family))].sort();
    const list = defaults.map((r) => {
      const m = r.measurement;
      const families = [...new Set(m.partitions.map((p) => p.split('/')[0].slice('family='.length)))].sort();
      return {
        name: r.query,
        days: m.days.length === days.length ? 'lake' : m.days.length,
        families: families.length === allFamilies.length ? 'all' : families,
        scanFraction: significant(m.bytes / bytesOfDays(m.days)),
        status: 'measured',
      };
    });
    process.stdout.write(
      table(
        [
          'query',
          'range',
          'days read',
          'partitions read',
          'bytes read',
          'of the lake',
          'of the days read (scanFraction)',
          'why',
        ],
        defaults.map((r, i) => {
          const m = r.measurement;
          const range =
            r.params.start === undefined ? '' : `${String(r.params.start)}..${String(r.params.end)}`;
          return [
            r.query,
            range,
            String(m.days.length),
            `${m.partitions.length}/${partitionCount}`,
            m.bytes.toLocaleString('en'),
            pct(m.bytes / metadata.bytes),
            String(list[i].scanFraction),
            notes(m, metadata, m.days).join('; '),
          ];
        }),
        new Set([2, 3, 4, 5, 6]),
      ) + '\n\n',
    );
    process.stdout.write('prices.json queries.list:\n');
    for (const entry of list) process.stdout.write(`${JSON.stringify(entry)},\n`);

    if (o.json) {
      writeFileSync(
        o.json,
        JSON.stringify({ lake: o.lake, lakeBytes: metadata.bytes, day, today: last, runs, list }, null, 2),
      );
    }
  } finally {
    lake.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
