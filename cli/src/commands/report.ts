/**
 * `engagement-lake report`: the lake as charts in one self-contained HTML file, built from the
 * saved queries run on the local lake (DuckDB) or on Athena.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { UserInputError } from '../../../transform/src/errors';
import { displayPath } from '../report/format';
import { gatherReportData } from '../report/gather';
import { renderReport } from '../report/html';
import { athenaRunner, localRunner, type ReportRunner } from '../report/runner';
import { buildSections } from '../report/sections';

export interface ReportOptions {
  lake: string;
  out: string;
  from?: string;
  to?: string;
  open?: boolean;
  engine: 'duckdb' | 'athena';
  workgroup?: string;
  database?: string;
  region?: string;
  /** Injected Athena client and poll wait (tests). */
  athenaClient?: AthenaClient;
  athenaSleep?: (ms: number) => Promise<void>;
  /** Where the "wrote …" line goes (default stdout). */
  log?: (line: string) => void;
  now?: Date;
}

export interface ReportSummary {
  /** Absolute path of the HTML file. */
  path: string;
  bytes: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(flag: string, value: string | undefined): void {
  if (value === undefined) return;
  const time = Date.parse(`${value}T00:00:00Z`);
  const valid = DAY.test(value) && !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
  if (!valid) throw new UserInputError(`${flag} must be a day as YYYY-MM-DD, got '${value}'`);
}

async function openRunner(options: ReportOptions): Promise<ReportRunner> {
  if (options.engine !== 'athena') return localRunner(options.lake);
  if (!options.workgroup || !options.database)
    throw new UserInputError('--engine athena needs --workgroup <name> and --database <glue database>');
  const { AthenaClient: Client } = await import('@aws-sdk/client-athena');
  return athenaRunner({
    client: options.athenaClient ?? new Client(options.region ? { region: options.region } : {}),
    workgroup: options.workgroup,
    database: options.database,
    sleep: options.athenaSleep,
  });
}

/** Opens the file with the desktop's viewer; a machine without one just keeps the printed path. */
function openInBrowser(path: string, log: (line: string) => void): Promise<void> {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((done) => {
    const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
    child.on('spawn', () => {
      child.unref();
      done();
    });
    child.on('error', () => {
      log(`could not start ${command} to open it: open ${displayPath(path)} in a browser`);
      done();
    });
  });
}

/** The SDK's own words for a missing region, as a one-line error that says what to do. */
function explainAwsError(error: unknown): unknown {
  if (error instanceof Error && /region is missing/i.test(error.message))
    return new UserInputError('no AWS region: pass --region <region> or set AWS_REGION');
  return error;
}

/** Writes the report and returns where. @throws UserInputError for bad flags or a missing lake */
export async function runReport(options: ReportOptions): Promise<ReportSummary> {
  checkDay('--from', options.from);
  checkDay('--to', options.to);
  if (options.from && options.to && options.from > options.to)
    throw new UserInputError(`--from ${options.from} is after --to ${options.to}; swap them`);
  const now = options.now ?? new Date();
  const runner = await openRunner(options);
  let html: string;
  try {
    const data = await gatherReportData(runner, { from: options.from, to: options.to }, now);
    html = renderReport(data, buildSections(data), now);
  } catch (error) {
    throw explainAwsError(error);
  } finally {
    runner.close();
  }
  const path = resolve(options.out);
  mkdirSync(dirname(path), { recursive: true });
  // Written whole then renamed, so a browser never opens half a page.
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  log(`wrote ${displayPath(path)} (${(html.length / 1024 ** 2).toFixed(1)} MiB, opens offline)`);
  if (options.open) await openInBrowser(path, log);
  return { path, bytes: Buffer.byteLength(html) };
}
