import { UserInputError } from '../../../transform/src/errors';
import { isValidStreamName, STREAM_NAME_RULE } from '../../../local/src/firehose-api';
import { startServer } from '../../../local/src/serve';

export interface ServeCommandOptions {
  port: string;
  lake: string;
  bufferSeconds: string;
  bufferMib: string;
  /** `--stream`, repeatable: the only delivery stream names accepted (none: any valid name). */
  stream?: string[];
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

/**
 * `engagement-lake serve`: a local Firehose endpoint on 127.0.0.1 until SIGINT/SIGTERM, which
 * delivers everything accepted into the lake before returning. Buffering defaults to Firehose's
 * values for Parquet delivery (64 MiB / 60 s); pass smaller ones to see data sooner. With
 * `--stream`, only the named delivery streams exist, so a mistyped name fails here as on AWS.
 */
export async function runServe(options: ServeCommandOptions): Promise<void> {
  const port = parseNumber('--port', options.port, 0, 65535, true);
  const bufferSeconds = parseNumber('--buffer-seconds', options.bufferSeconds, 1, 900, false);
  const bufferMib = parseNumber('--buffer-mib', options.bufferMib, 0.001, 128, false);
  const streams = parseStreams(options.stream ?? []);
  let server;
  try {
    server = await startServer({
      port,
      lake: options.lake,
      bufferSeconds,
      bufferBytes: Math.round(bufferMib * 1024 * 1024),
      streams,
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
  process.stderr.write(
    `Firehose endpoint on http://127.0.0.1:${server.port} -> ${options.lake} (buffer ${bufferMib} MiB / ${bufferSeconds} s${streams ? `; streams: ${streams.join(', ')}` : ''}); Ctrl-C to flush and stop\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const stats = await server.close();
  process.stderr.write(
    `delivered ${stats.records} records: ${stats.rows} rows in ${stats.files} files, ${stats.failedRecords} failed\n`,
  );
}
