/**
 * A backfill job's progress and completion report, summarised for `backfill status`. Pure: the
 * command fetches DescribeJob and the report objects, these functions read them.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html
 */
import type { JobDescriptor } from '@aws-sdk/client-s3-control';

/** Statuses after which S3 writes the report and nothing more happens. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['Complete', 'Failed', 'Cancelled']);

/** One line of a task report. */
export interface TaskReportLine {
  bucket: string;
  /** Decoded (the report keeps the manifest's URL-encoded form). */
  key: string;
  taskStatus: string;
  errorCode: string;
  httpStatus: string;
  resultMessage: string;
}

/** Failed tasks with the same code and (normalised) message. */
export interface FailureGroup {
  code: string;
  message: string;
  count: number;
  /** Up to three `s3://` objects, to start looking. */
  examples: string[];
}

/** What the report says, totalled. */
export interface ReportSummary {
  tasks: number;
  succeeded: number;
  failed: number;
  /** Sums of the counts successful tasks returned (records = ok + failed, per object). */
  records: number;
  rows: number;
  failedRecords: number;
  failures: FailureGroup[];
}

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/**
 * The lines of a task report. Its columns are Bucket, Key, VersionId, TaskStatus, then the error
 * code and the HTTP status (AWS's own examples show both orders, so the three-digit one is the
 * status), then the result message.
 */
export function parseTaskReport(text: string): TaskReportLine[] {
  return parseCsv(text).map(([bucket, key, , taskStatus, a = '', b = '', ...rest]) => {
    const aIsStatus = /^\d{3}$/.test(a);
    return {
      bucket,
      key: safeDecode(key),
      taskStatus,
      httpStatus: aIsStatus ? a : b,
      errorCode: aIsStatus ? b : a,
      resultMessage: rest.join(','),
    };
  });
}

/** The report files the job's `manifest.json` lists. */
export function reportFiles(manifestJson: string): { bucket: string; key: string }[] {
  const manifest = JSON.parse(manifestJson) as { Results?: { Bucket: string; Key: string }[] };
  return (manifest.Results ?? []).map((r) => ({ bucket: r.Bucket, key: r.Key }));
}

const COUNTS = /records=(\d+) rows=(\d+) failed=(\d+)/;

/** Totals the task lines: successes' counts, failures grouped by code and message. */
export function summarizeReport(lines: readonly TaskReportLine[]): ReportSummary {
  const summary: ReportSummary = {
    tasks: 0,
    succeeded: 0,
    failed: 0,
    records: 0,
    rows: 0,
    failedRecords: 0,
    failures: [],
  };
  const groups = new Map<string, FailureGroup>();
  for (const line of lines) {
    summary.tasks += 1;
    if (line.taskStatus === 'succeeded') {
      summary.succeeded += 1;
      const counts = COUNTS.exec(line.resultMessage);
      if (counts) {
        summary.records += Number(counts[1]);
        summary.rows += Number(counts[2]);
        summary.failedRecords += Number(counts[3]);
      }
      continue;
    }
    summary.failed += 1;
    const code = line.errorCode || line.taskStatus;
    const message = normaliseMessage(line.resultMessage);
    const id = `${code}\n${message}`;
    const group = groups.get(id) ?? { code, message, count: 0, examples: [] };
    group.count += 1;
    if (group.examples.length < 3) group.examples.push(`s3://${line.bucket}/${line.key}`);
    groups.set(id, group);
  }
  summary.failures = [...groups.values()].sort(
    (a, b) => b.count - a.count || (a.message < b.message ? -1 : 1),
  );
  return summary;
}

/** Drops what differs between two occurrences of the same failure (request ids, times). */
function normaliseMessage(message: string): string {
  return message
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .trim();
}

function safeDecode(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

const number = (n: number | undefined) => (n ?? 0).toLocaleString('en');

function duration(seconds: number | undefined): string {
  const s = Math.round(seconds ?? 0);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * The status text: the job's state and progress, S3's reasons if the job failed, and, once the
 * report exists, the rows written and the failed tasks grouped by reason.
 */
export function formatJobStatus(
  job: JobDescriptor,
  report: { location: string; summary: ReportSummary } | null,
): string {
  const progress = job.ProgressSummary ?? {};
  const total = progress.TotalNumberOfTasks ?? 0;
  const succeeded = progress.NumberOfTasksSucceeded ?? 0;
  const failed = progress.NumberOfTasksFailed ?? 0;
  const lines = [
    `job ${job.JobId}: ${job.Status}${job.StatusUpdateReason ? ` (${job.StatusUpdateReason})` : ''}`,
    `tasks: ${number(total)} total, ${number(succeeded)} succeeded, ${number(failed)} failed, ` +
      `${number(Math.max(total - succeeded - failed, 0))} to go; active ${duration(progress.Timers?.ElapsedTimeInActiveSeconds)}`,
  ];
  for (const reason of job.FailureReasons ?? []) {
    lines.push(`job failure: ${reason.FailureCode ?? 'unknown'}: ${reason.FailureReason ?? ''}`);
  }
  if (!report) {
    lines.push(
      FINAL_STATUSES.has(job.Status ?? '')
        ? 'report: none (S3 writes one only when at least one task ran)'
        : 'report: written when the job ends; run this again then',
    );
    return lines.join('\n');
  }
  const s = report.summary;
  lines.push(
    `report: ${report.location}`,
    `  objects: ${number(s.succeeded)} done, ${number(s.failed)} failed`,
    `  records: ${number(s.records)} read, ${number(s.rows)} rows written, ${number(s.failedRecords)} in the error output (errors/)`,
  );
  if (s.failures.length > 0) {
    lines.push('  failed tasks by reason:');
    for (const f of s.failures) {
      lines.push(
        `    ${f.code} x${number(f.count)}: ${f.message || '(no message)'} (e.g. ${f.examples.join(', ')})`,
      );
    }
    lines.push('  run `engagement-lake backfill` again to retry them: objects already done are skipped');
  }
  return lines.join('\n');
}
