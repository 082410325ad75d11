/**
 * Shared by the SIGKILL tests: a seeded random source (the seed is logged, and CRASH_SEED replays
 * it), warm child processes to kill, and what a reader sees of a lake afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { duckdbRows, eventsSql, listFiles } from '../local/helpers';

const CHILD = join(__dirname, 'crash-child.ts');
const ROOT = join(__dirname, '..', '..');

/** A seeded uniform random source in [0, 1) (mulberry32), with its seed. */
export function seededRandom(label: string): { seed: number; next: () => number } {
  const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : Date.now() % 2 ** 31;
  console.log(`${label}: CRASH_SEED=${seed}`);
  let state = seed >>> 0;
  return {
    seed,
    next: () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    },
  };
}

export interface WarmChild {
  child: ChildProcess;
  /** Resolves once the child has loaded its modules and waits for `go`. */
  ready: Promise<void>;
  /** How it ended: `done` printed (finished), and the signal. */
  exit: Promise<{ finished: boolean; code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts a child that runs `mode` on `lake` once told to go. */
export function warmChild(mode: 'ingest' | 'compact', lake: string, input?: string): WarmChild {
  const args = ['--import', 'tsx', CHILD, mode, lake, ...(input === undefined ? [] : [input])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += String(chunk);
      if (/^ready$/m.test(out)) resolve();
    });
    child.once('exit', () => reject(new Error(`the ${mode} child ended before it was ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  const exit = new Promise<{
    finished: boolean;
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) =>
    child.once('close', (code, signal) => resolve({ finished: /^done$/m.test(out), code, signal, stderr })),
  );
  return { child, ready, exit };
}

/** Tells a ready child to go and SIGKILLs it `delayMs` later (if it is still running). */
export async function goAndKill(warm: WarmChild, delayMs: number) {
  await warm.ready;
  warm.child.stdin!.write('go\n');
  const timer = setTimeout(() => warm.child.kill('SIGKILL'), delayMs);
  const result = await warm.exit;
  clearTimeout(timer);
  return result;
}

/**
 * What readers see: every `*.parquet` under `events/` (a glob sees no `.name.tmp` temporary), read
 * whole by DuckDB (an unreadable file throws), with its rows, distinct event ids, and error records.
 */
export async function lakeView(lake: string) {
  const files = await listFiles(lake);
  const parquet = files.filter((file) => file.startsWith('events/') && file.endsWith('.parquet'));
  const hiddenNamesVisible = parquet.filter((file) => /(^|\/)\./.test(file));
  let rows = 0;
  let ids: string[] = [];
  if (parquet.length > 0) {
    const read = await duckdbRows(eventsSql(lake, 'event_id, dt, family'));
    rows = read.length;
    ids = [
      ...new Set(read.map((row) => `${String(row.family)}/${String(row.dt)}/${String(row.event_id)}`)),
    ].sort();
  }
  let errorRecords = 0;
  for (const file of files.filter((f) => f.startsWith('errors/') && !/(^|\/)\./.test(f))) {
    errorRecords += (await readFile(join(lake, file), 'utf8'))
      .split('\n')
      .filter((line) => line !== '').length;
  }
  return { parquetFiles: parquet.length, hiddenNamesVisible, rows, ids, errorRecords };
}
