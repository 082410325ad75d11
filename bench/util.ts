/** One measured figure. `ratio` is time(measured) / time(baseline) in the same run: lower is better. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  baseline?: string;
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
