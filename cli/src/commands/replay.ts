/**
 * `engagement-lake replay`: re-drives the error output through the current transform, into the
 * lake (`--lake`) or back into a Firehose delivery stream (`--from … --stream …`).
 */
import { replayLake, type ReplaySummary } from '../../../local/src/replay';
import { replayToStream, type StreamReplaySummary } from '../../../local/src/replay-stream';
import { UserInputError } from '../../../transform/src/errors';
import { piiPolicyOption } from '../pii-option';

export interface ReplayCommandOptions {
  /** A lake folder or `s3://bucket/prefix/` (default `lake`). */
  lake?: string;
  /** Firehose's S3 error output, `s3://bucket/errors/`; goes with `stream`. */
  from?: string;
  stream?: string;
  region?: string;
  s3Endpoint?: string;
  firehoseEndpoint?: string;
  json?: boolean;
  /** `--pii`, as typed: keep, hash or drop (into a lake only; a stream's Lambda applies its own). */
  pii?: string;
}

/** Runs the replay the options name and prints its summary. */
export async function runReplay(options: ReplayCommandOptions): Promise<ReplaySummary | StreamReplaySummary> {
  const toStream = options.from !== undefined || options.stream !== undefined;
  if (toStream && (options.from === undefined || options.stream === undefined))
    throw new UserInputError('--from and --stream go together: --from s3://bucket/errors/ --stream NAME');
  if (toStream && options.lake !== undefined)
    throw new UserInputError(
      '--lake replays into the lake, --from/--stream into a delivery stream: pass one or the other',
    );
  const summary = toStream
    ? await replayToStream({
        from: options.from!,
        stream: options.stream!,
        region: options.region,
        s3Endpoint: options.s3Endpoint,
        firehoseEndpoint: options.firehoseEndpoint,
      })
    : await replayLake({
        lake: options.lake ?? 'lake',
        s3Endpoint: options.s3Endpoint,
        pii: piiPolicyOption(options.pii),
      });
  const text = 'stream' in summary ? formatStreamSummary(summary) : formatLakeSummary(summary);
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${text}\n`);
  return summary;
}

const count = (n: number) => n.toLocaleString('en');

function keptLines(kept: readonly { key: string; reason: string }[]): string[] {
  return kept.map((k) => `  kept ${k.key}: ${k.reason}`);
}

/** records = now in the lake + still failing; the files replaced and kept. */
export function formatLakeSummary(s: ReplaySummary): string {
  const reasons = Object.entries(s.failed)
    .map(([reason, n]) => `${reason} ${count(n)}`)
    .join(', ');
  return [
    `replayed ${count(s.records)} records from ${count(s.replacedFiles)} error files of ${s.lake}`,
    `  now in the lake: ${count(s.okRecords)} records, ${count(s.rows)} rows in ${count(s.files)} files`,
    `  still failing: ${count(s.failedRecords)}${reasons ? ` (${reasons})` : ''}, in ${count(s.errorFiles)} new error files`,
    ...(s.recoveredRuns ? [`  finished ${s.recoveredRuns} interrupted replay(s) first`] : []),
    ...keptLines(s.kept),
  ].join('\n');
}

export function formatStreamSummary(s: StreamReplaySummary): string {
  return [
    `put ${count(s.records)} records from ${count(s.replacedObjects)} of ${count(s.objects)} objects under ${s.from} into stream ${s.stream} (${count(s.calls)} PutRecordBatch calls, ${count(s.retriedRecords)} records sent again)`,
    '  records that fail again go to the stream’s error output',
    ...keptLines(s.kept),
  ].join('\n');
}
