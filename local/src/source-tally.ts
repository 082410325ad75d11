/**
 * Per-source counts for the checkpoint markers. Batches mix records of several sources and the
 * delivery engine counts only totals, so each record carries the index of the source it came from
 * and a thin wrapper around the batch runner tallies the handler's verdicts by that index.
 */
import type { SourceRecord } from './batcher';
import type { BatchRunner } from './handler-pool';
import type { SourceCounts } from './ledger';

/** A record tagged with the index of its source in the run's source list. */
export interface TaggedRecord extends SourceRecord {
  source: number;
}

/**
 * Each record's verdict in a runner's result: an array of outcomes carrying their row `lines`, or
 * `{ records: [{ ok, rows }] }`. Both shapes are read, so the tally does not depend on which one the
 * delivery engine's runner returns.
 */
function verdictsOf(result: unknown): { ok: boolean; rows: number }[] {
  const list = Array.isArray(result) ? result : ((result as { records?: unknown[] })?.records ?? []);
  return list.map((item) => {
    const verdict = item as { ok: boolean; rows?: number; lines?: unknown[] };
    return { ok: verdict.ok, rows: verdict.rows ?? verdict.lines?.length ?? 0 };
  });
}

/** Counts per source index, filled in as the handler's results come back. */
export class SourceTally {
  private readonly counts = new Map<number, SourceCounts>();

  /** The counts of one source (zeros when none of its records came back yet). */
  of(source: number): SourceCounts {
    return this.counts.get(source) ?? { records: 0, okRecords: 0, failedRecords: 0, rows: 0 };
  }

  /** Forgets a source once its marker is written. */
  forget(source: number): void {
    this.counts.delete(source);
  }

  /** Counts one batch's results against the sources of its records (untagged records are not counted). */
  add(batch: readonly SourceRecord[], result: unknown): void {
    verdictsOf(result).forEach((verdict, i) => {
      const source = (batch[i] as Partial<TaggedRecord>).source;
      if (source === undefined) return;
      const counts = this.of(source);
      counts.records += 1;
      if (verdict.ok) {
        counts.okRecords += 1;
        counts.rows += verdict.rows;
      } else counts.failedRecords += 1;
      this.counts.set(source, counts);
    });
  }

  /**
   * The runner, with every batch's results counted. A proxy rather than a copy: every other member
   * (concurrency, encoding, closing) stays the runner's own.
   */
  counting(runner: BatchRunner): BatchRunner {
    const run: BatchRunner['run'] = async (batch, invocationId) => {
      const result = await runner.run(batch, invocationId);
      this.add(batch, result);
      return result;
    };
    return new Proxy(runner, {
      get(target, property) {
        if (property === 'run') return run;
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
