import { appendFileSync } from 'node:fs';

/** One measured figure. `ratio` is time(measured) / time(baseline) in the same run: lower is better. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  baseline?: string;
}

/**
 * One line of the summary table `npm run bench` prints: a figure, its baseline measured in the same
 * run, their ratio (as the target states it) and the target.
 */
export interface TableRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: number | null;
  /** e.g. `>= 1.0x`, `<= 1.67x`; empty when the figure is for information. */
  target: string;
  met: boolean | null;
}

/** Seconds one synchronous run of `fn` takes (after one warm-up run on a tenth of the work is the caller's job). */
export function timeIt(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function printResults(title: string, results: BenchResult[]): void {
  console.log(`\n## ${title}`);
  for (const r of results) {
    const ratio = r.ratio === undefined ? '' : `  (${r.ratio.toFixed(2)}x ${r.baseline})`;
    console.log(
      `${r.name.padEnd(50)} ${r.value.toFixed(r.value < 10 ? 3 : 0).padStart(12)} ${r.unit}${ratio}`,
    );
  }
}

/** A row whose target is `ratio >= min` (higher is better) or `ratio <= max`. */
export function targetRow(
  figure: string,
  value: string,
  baseline: string,
  ratio: number,
  target: { min?: number; max?: number },
): TableRow {
  const met =
    target.min !== undefined ? ratio >= target.min : target.max !== undefined ? ratio <= target.max : null;
  const text =
    target.min !== undefined ? `>= ${target.min}x` : target.max !== undefined ? `<= ${target.max}x` : '';
  return { figure, value, baseline, ratio, target: text, met };
}

/** Hands table rows to bench/run.ts (a JSON line each in the file BENCH_TABLE names), else prints them. */
export function reportRows(rows: TableRow[]): void {
  const file = process.env.BENCH_TABLE;
  if (file) appendFileSync(file, rows.map((row) => JSON.stringify(row) + '\n').join(''));
  else printTable(rows);
}

/** The table, aligned, with the ratio and whether its target is met. */
export function printTable(rows: TableRow[]): void {
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.baseline,
    r.ratio === null ? '' : `${r.ratio.toFixed(2)}x`,
    r.target,
    r.met === null ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
}

/** MiB, one decimal. */
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
