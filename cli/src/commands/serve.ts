import { UserInputError } from '../../../transform/src/errors';
import { isValidStreamName, STREAM_NAME_RULE } from '../../../local/src/firehose-api';
import { startServer } from '../../../local/src/serve';
import { SPOOL_FOLDER } from '../../../local/src/spool';
import { piiPolicyOption } from '../pii-option';

export interface ServeCommandOptions {
  port: string;
  lake: string;
  bufferSeconds: string;
  bufferMib: string;
  /** `--stream`, repeatable: the only delivery stream names accepted (none: any valid name). */
  stream?: string[];
  /** `--pii`, as typed: keep, hash or drop. */
  pii?: string;
}

function parseNumber(flag: string, raw: string, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UserInputError(
      `${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got '${raw}'`,
    );
  }
  return value;
}

/** Checks each `--stream` value against the API's name rule; none given means any name is accepted. */
function parseStreams(raw: readonly string[]): string[] | undefined {
  for (const name of raw) {
    if (!isValidStreamName(name))
      throw new UserInputError(`--stream must be ${STREAM_NAME_RULE}, got '${name}'`);
  }
  return raw.length > 0 ? [...new Set(raw)] : undefined;
}

/** Signals that end `serve`: Ctrl-C, `kill`, systemd and container runtimes, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves on the first stop signal, and keeps handling the later ones until `release()`: a runtime
 * that relays signals (npm, tsx, a shell) sends the same signal again to the process group, and a
 * default handler would kill the flush. Each later signal prints one line instead.
 */
function untilStopSignal(undelivered: () => number): { stopped: Promise<void>; release: () => void } {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let seen = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!seen) {
      seen = true;
      stop();
      return;
    }
    process.stderr.write(
      `${signal}: still delivering ${undelivered()} records; they are safe in the spool\n`,
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const release = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  return { stopped, release };
}

/**
 * `engagement-lake serve`: a local Firehose endpoint on 127.0.0.1 until SIGINT, SIGTERM or SIGHUP,
 * which delivers everything accepted into the lake before returning; later signals do not
 * interrupt that. Records are acknowledged only once they are in the lake's write-ahead spool, so a
 * kill or a crash loses none: the next `serve` on the lake delivers them first. Buffering defaults
 * to Firehose's values for Parquet delivery (64 MiB / 60 s); pass smaller ones to see data sooner.
 * With `--stream`, only the named delivery streams exist, so a mistyped name fails here as on AWS.
 */
export async function runServe(options: ServeCommandOptions): Promise<void> {
  const port = parseNumber('--port', options.port, 0, 65535, true);
  const bufferSeconds = parseNumber('--buffer-seconds', options.bufferSeconds, 1, 900, false);
  const bufferMib = parseNumber('--buffer-mib', options.bufferMib, 0.001, 128, false);
  const streams = parseStreams(options.stream ?? []);
  const pii = piiPolicyOption(options.pii);
  let server;
  try {
    server = await startServer({
      port,
      lake: options.lake,
      bufferSeconds,
      bufferBytes: Math.round(bufferMib * 1024 * 1024),
      streams,
      pii,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserInputError(`port ${port} is in use; pass another with --port`, { cause: error });
    if (code === 'EACCES')
      throw new UserInputError(
        `port ${port} needs privileges to listen on; pass one above 1023 with --port`,
        {
          cause: error,
        },
      );
    throw error;
  }
  const running = server;
  const signals = untilStopSignal(() => running.undeliveredRecords);
  try {
    const { replayed } = running;
    if (replayed.segments > 0) {
      process.stderr.write(
        `delivered ${replayed.records} records an earlier run had acknowledged but not delivered (${replayed.segments} spool segments${replayed.tornBytes > 0 ? `; ${replayed.tornBytes} bytes of unacknowledged writes dropped` : ''}${replayed.damagedBytes > 0 ? `; ${replayed.damagedBytes} damaged bytes kept in the error output` : ''})\n`,
      );
    }
    process.stderr.write(
      `Firehose endpoint on http://127.0.0.1:${running.port} -> ${options.lake} (buffer ${bufferMib} MiB / ${bufferSeconds} s${streams ? `; streams: ${streams.join(', ')}` : ''}); Ctrl-C to flush and stop\n`,
    );
    await signals.stopped;
    let stats;
    try {
      stats = await running.close();
    } catch (error) {
      process.stderr.write(
        `the records not delivered stay in ${options.lake}/${SPOOL_FOLDER}; the next serve on this lake delivers them\n`,
      );
      throw error;
    }
    process.stderr.write(
      `delivered ${stats.records} records: ${stats.rows} rows in ${stats.files} files, ${stats.failedRecords} failed\n`,
    );
  } finally {
    signals.release();
  }
}
