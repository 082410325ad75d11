/**
 * A child process for the crash tests: loads the lake code, says `ready`, waits for `go` on stdin,
 * then runs one `ingest` or `compact` and says `done`. Started ahead of time (`node --import tsx`),
 * so the parent's kill lands in the work itself, not in module loading.
 *
 * Usage: node --import tsx crash-child.ts ingest|compact LAKE [INPUT]
 */
/** Small limits: many files and many commits, so there are many moments to be killed at. */
export const SMALL_INGEST = {
  commitBytes: 16 * 1024,
  bufferLimits: { maxRowsPerPartition: 16, maxBytesPerPartition: 1 << 30, maxTotalBytes: 1 << 30 },
  workers: 0,
};

/** The one command, its modules loaded (loading both commands' would double each child's start). */
async function command(mode: string, lake: string, input: string): Promise<() => Promise<unknown>> {
  if (mode === 'ingest') {
    const { ingest } = await import('../../local/src/ingest');
    return () => ingest({ inputs: [input], lake, ...SMALL_INGEST });
  }
  const { compactLake } = await import('../../local/src/compact');
  return () => compactLake({ lake });
}

async function main(): Promise<void> {
  const [mode = '', lake = '', input = ''] = process.argv.slice(2);
  const run = await command(mode, lake, input);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  await run();
  process.stdout.write('done\n');
  process.exit(0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  });
}
