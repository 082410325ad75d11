/**
 * `npm start`: the whole product on generated data. Generates events over the last 30 days into a
 * fresh lake, ingests them through the transform the Firehose Lambda runs, runs every saved query on
 * DuckDB, writes the HTML report, and says where everything is and what to try next.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ingest, type IngestSummary } from '../../../local/src/ingest';
import { loadSavedQueries } from '../../../queries/src/catalog';
import { openLocalLake, type LocalLake } from '../../../queries/src/duckdb-engine';
import { bindValues, resolveParams } from '../../../queries/src/params';
import { UserInputError } from '../../../transform/src/errors';
import { runGenerate } from './generate';
import { runReport } from './report';

export interface DemoOptions {
  lake: string;
  events: string;
  /** Where the report lines go (default stdout). */
  log?: (line: string) => void;
  /** "Now", for the generated window and the query date defaults. */
  now?: number;
}

export interface DemoQueryRun {
  name: string;
  rows: number;
  milliseconds: number;
}

export interface DemoSummary {
  lake: string;
  input: string;
  ingest: IngestSummary;
  queries: DemoQueryRun[];
  /** The HTML report, `<lake>/report.html`. */
  report: string;
  seconds: number;
}

/** What a lake folder may hold; anything else means the folder is not ours to delete. */
const LAKE_ENTRIES = new Set(['events', 'errors', 'input', '_ingested', '_spool', 'report.html']);

/** Empties `lake` for a fresh run, refusing a folder that holds anything a lake does not. */
function prepareFreshLake(lake: string): void {
  if (existsSync(lake)) {
    const foreign = readdirSync(lake).filter((entry) => !LAKE_ENTRIES.has(entry));
    if (foreign.length > 0) {
      throw new UserInputError(
        `'${lake}' holds ${foreign.slice(0, 3).join(', ')}, which is not a lake; pass --lake <new folder> for the demo`,
      );
    }
    rmSync(lake, { recursive: true, force: true });
  }
  mkdirSync(join(lake, 'input'), { recursive: true });
}

/** Saved queries about one message or one person need an id: take one that exists in the lake. */
async function exampleParams(lake: LocalLake): Promise<Map<string, Map<string, string>>> {
  const first = async (sql: string): Promise<string> => {
    const result = await lake.run(sql);
    return String(Object.values(result.rows[0] ?? { v: 'none' })[0]);
  };
  const messageId = await first(
    "select message_id from events where family = 'email' and message_id is not null order by message_id limit 1",
  );
  const subject = await first(
    'select endpoint_id from events where endpoint_id is not null order by endpoint_id limit 1',
  );
  return new Map([
    ['message_timeline', new Map([['message_id', messageId]])],
    ['endpoint_access', new Map([['subject', subject]])],
  ]);
}

async function runEveryQuery(lakeDir: string, now: Date): Promise<DemoQueryRun[]> {
  const lake = await openLocalLake(lakeDir);
  try {
    const examples = await exampleParams(lake);
    const runs: DemoQueryRun[] = [];
    for (const query of loadSavedQueries()) {
      const values = resolveParams(query, examples.get(query.name) ?? new Map(), now);
      const started = performance.now();
      const result = await lake.run(query.sql, bindValues(query, values));
      runs.push({ name: query.name, rows: result.rows.length, milliseconds: performance.now() - started });
    }
    return runs;
  } finally {
    lake.close();
  }
}

function report(summary: DemoSummary, log: (line: string) => void): void {
  const { ingest: run } = summary;
  const lake = relative(process.cwd(), summary.lake) || '.';
  const failed = Object.entries(run.failed)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  log('');
  log(
    `ingested ${run.records} records → ${run.rows} rows, ${run.failedRecords} failed${failed ? ` (${failed})` : ''}`,
  );
  log(`wrote ${run.files} Parquet files under ${lake}/events/ in ${run.seconds.toFixed(1)} s`);
  log('');
  log('saved queries (DuckDB, default parameters):');
  for (const q of summary.queries)
    log(
      `  ${q.name.padEnd(24)} ${String(q.rows).padStart(6)} rows  ${q.milliseconds.toFixed(0).padStart(5)} ms`,
    );
  log('');
  log(
    `report:  ${relative(process.cwd(), summary.report)}   (charts of all of it; open it in a browser, works offline)`,
  );
  log(`input:   ${relative(process.cwd(), summary.input)}`);
  log(`lake:    ${lake}/events/family=<family>/dt=<YYYY-MM-DD>/*.parquet`);
  log(`errors:  ${lake}/errors/processing-failed/ (Firehose's error-record JSON)`);
  log(`total:   ${summary.seconds.toFixed(1)} s`);
  log('');
  log('next:');
  log('  npm run -s lake -- queries');
  log(`  npm run -s lake -- report --lake ${lake} --open`);
  log(`  npm run -s lake -- query email_funnel --lake ${lake}`);
  log(
    `  npm run -s lake -- query --lake ${lake} --sql "select event_name, count(*) as n from events group by 1 order by 2 desc"`,
  );
  log('  npm run -s lake -- ingest <your Pinpoint/SES/End User Messaging archives> --lake <dir>');
  log('  npm run -s lake -- serve   # a local Firehose endpoint for your app');
  log(
    '  npm run -s lake -- compact --lake <dir>   # after many ingests or serve flushes: one file per partition',
  );
}

/** Runs the demo and returns what it did; prints a report through `log`. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now();
  const lake = resolve(options.lake);
  prepareFreshLake(lake);

  const input = join(lake, 'input', 'generated.ndjson');
  log(`generating ${options.events} events over the last 30 days…`);
  await runGenerate({
    events: options.events,
    seed: '1',
    days: '30',
    duplicates: '0.01',
    out: input,
    now,
    log: () => {},
  });
  log('ingesting them through the transform the Firehose Lambda runs…');
  const ingested = await ingest({ inputs: [input], lake });
  log('running every saved query…');
  const queries = await runEveryQuery(lake, new Date(now));
  log('writing the report…');
  const { path: reportPath } = await runReport({
    lake,
    out: join(lake, 'report.html'),
    engine: 'duckdb',
    now: new Date(now),
    log: () => {},
  });

  const summary = {
    lake,
    input,
    ingest: ingested,
    queries,
    report: reportPath,
    seconds: (performance.now() - started) / 1000,
  };
  report(summary, log);
  return summary;
}
