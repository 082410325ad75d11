import { access, constants, mkdir } from 'node:fs/promises';
import { UserInputError } from '../../transform/src/errors';

/**
 * Creates the lake folder if needed and checks it is writable, so a bad `--lake` fails up front
 * with one line instead of after reading half the input.
 */
export async function ensureLakeFolder(lake: string): Promise<void> {
  try {
    await mkdir(lake, { recursive: true });
    await access(lake, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
    const why =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'not a folder'
          : code;
    throw new UserInputError(
      `cannot write to the lake folder '${lake}': ${why}; pass a writable folder with --lake`,
      {
        cause: error,
      },
    );
  }
}
