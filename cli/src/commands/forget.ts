/**
 * `engagement-lake forget`: removes every row about one person (the rows `endpoint_access` returns
 * for the subject) from a folder or S3 lake, and the person's records from the error output.
 */
import { forgetSubject, type ForgetSummary } from '../../../local/src/forget';
import { PII_KEY_ENV, piiKeyFromText } from '../../../transform/src/pii-key';

export interface ForgetCommandOptions {
  subject: string;
  /** A lake folder or `s3://bucket/prefix/`. */
  lake: string;
  s3Endpoint?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Forgets the subject and prints what changed (or, with --dry-run, what would). */
export async function runForget(options: ForgetCommandOptions): Promise<ForgetSummary> {
  const summary = await forgetSubject({
    subject: options.subject,
    lake: options.lake,
    s3Endpoint: options.s3Endpoint,
    dryRun: options.dryRun,
    // A lake written with --pii hash holds the subject's hash: with the key set, look for both.
    piiKey: process.env[PII_KEY_ENV] ? piiKeyFromText(process.env[PII_KEY_ENV], PII_KEY_ENV) : undefined,
  });
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatForgetSummary(summary)}\n`);
  return summary;
}

/** The human summary: files and rows, error records, then each file. */
export function formatForgetSummary(s: ForgetSummary): string {
  const verb = s.dryRun ? 'would remove' : 'removed';
  return [
    `rows:       ${verb} ${s.rows} from ${s.files.length} Parquet file(s)${s.recovered ? ` (${s.recovered} interrupted rewrite(s) finished first)` : ''}`,
    `errors:     ${verb} ${s.errorRecords} record(s) from ${s.errorFiles} error file(s)`,
    `time:       ${s.seconds.toFixed(1)} s`,
    ...s.files.map((f) => `file:       ${f.file}: ${f.rowsRemoved} of ${f.rowsBefore} rows`),
    ...s.notes.map((note) => `note:       ${note}`),
  ].join('\n');
}
