/**
 * Puts generated events in time order (by the latest time each carries: arrival or envelope
 * time) with bounded memory. The window is walked in slices; each slice gets its share of the
 * scenarios, and their events wait in a min-heap until their time comes, so a funnel's later
 * events (opens hours or days after the send) come out when they happen. The heap holds only
 * the events still in flight, a small fraction of the output.
 */
import { Batch, type GenContext, HOUR, type Scenario } from './context';
import type { Weighted } from './rng';

interface Pending {
  time: number;
  /** Generation order: breaks ties, so equal times keep a deterministic order. */
  seq: number;
  line: string;
}

/** A binary min-heap of pending lines by (time, seq). */
class PendingHeap {
  private readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending | undefined {
    return this.items[0];
  }

  push(item: Pending): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Pending | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left], items[smallest])) smallest = left;
        if (right < items.length && before(items[right], items[smallest])) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** About this many lines are generated per slice: small enough to yield early for huge runs. */
const LINES_PER_SLICE = 1000;

/**
 * An endless stream of fresh (never repeated) lines in time order. `expected` is how many the
 * caller will take. The window is cut into slices (one hour, or shorter for huge runs); scenarios
 * start uniformly inside the current slice until the lines generated so far reach the slice's
 * share, `expected * sliceEnd / window`, so the lines spread evenly over the window. Then every
 * pending line due before the slice's end is yielded in time order. Should the caller take more
 * than expected, the last slice keeps producing.
 */
export function* timeline(
  ctx: GenContext,
  scenarios: Weighted<Scenario>,
  expected: number,
): Generator<string> {
  const window = ctx.end - ctx.start;
  const sliceMs = Math.max(
    1000,
    Math.min(HOUR, Math.floor((window * LINES_PER_SLICE) / Math.max(expected, 1))),
  );
  const heap = new PendingHeap();
  let seq = 0;
  /** Runs one scenario starting inside [from, to); returns how many lines it wrote. */
  const run = (from: number, to: number): number => {
    const batch = new Batch(ctx.end);
    const scenario = ctx.rng.weighted(scenarios);
    scenario(ctx, from + Math.floor(ctx.rng.next() * (to - from)), batch);
    batch.lines.forEach((line, i) => heap.push({ time: batch.times[i], seq: seq++, line }));
    return batch.lines.length;
  };
  let generated = 0;
  for (let sliceStart = ctx.start; sliceStart < ctx.end; sliceStart += sliceMs) {
    const sliceEnd = Math.min(ctx.end, sliceStart + sliceMs);
    const share = (expected * (sliceEnd - ctx.start)) / window;
    while (generated < share) generated += run(sliceStart, sliceEnd);
    // Scenarios never start before the current slice, so everything due before its end is final.
    for (let top = heap.peek(); top !== undefined && top.time < sliceEnd; top = heap.peek()) {
      yield (heap.pop() as Pending).line;
    }
  }
  const lastStart = Math.max(ctx.start, ctx.end - sliceMs);
  for (;;) {
    while (heap.size === 0) run(lastStart, ctx.end);
    yield (heap.pop() as Pending).line;
  }
}
