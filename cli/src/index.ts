import { CommanderError } from 'commander';
import { EngagementLakeError } from '../../transform/src/errors';
import { buildProgram } from './cli';

/**
 * The only place that turns errors into exit codes. Known errors print one line; bugs print one
 * line and a hint; `--debug` adds the stack to both.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    await program.parseAsync(argv.filter((arg) => arg !== '--debug'));
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    if (error instanceof EngagementLakeError) {
      process.stderr.write(`error: ${error.message}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `internal error: ${message} (a bug: please report it; rerun with --debug for details)\n`,
      );
    }
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
