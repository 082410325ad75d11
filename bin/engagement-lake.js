#!/usr/bin/env node
// The installed entry point: runs the TypeScript CLI under tsx, the same program as `npm run lake`.
// A child process with `--import tsx` is the one way tsx handles both require() and the commands'
// lazy import(); signals are forwarded so that `serve` still flushes on SIGTERM.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const child = spawn(
  process.execPath,
  [
    '--import',
    require.resolve('tsx'),
    join(__dirname, '..', 'cli', 'src', 'bin.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
