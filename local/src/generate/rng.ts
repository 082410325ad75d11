/**
 * A small seeded pseudo-random number generator for the synthetic event generator.
 *
 * `sfc32` (Chris Doty-Humphrey's Small Fast Counting generator, public domain) seeded through
 * `cyrb128` (a string hash): the same seed string always yields the same sequence, on every
 * platform and Node version. `Math.random` is never used, so output is byte-for-byte reproducible.
 */

/** Hashes a string into four 32-bit words, the seed state of `sfc32`. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX = '0123456789abcdef';
const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A weighted choice table: each entry is a value and its (relative, non-negative) weight. */
export type Weighted<T> = readonly (readonly [T, number])[];

/**
 * Deterministic random source. Every method draws from one `sfc32` stream, so the order of calls
 * is part of the output: generators must call it in a fixed order for a given seed.
 *
 * @example
 * const rng = new Rng('7');
 * rng.int(1, 6); // the same die roll for seed '7', every time
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(seed);
    // Warm up: the first outputs of a freshly seeded sfc32 are weakly mixed.
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One value of a weighted table, with probability proportional to its weight. */
  weighted<T>(table: Weighted<T>): T {
    let total = 0;
    for (const [, weight] of table) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of table) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return table[table.length - 1][0];
  }

  /** An exponentially distributed duration with the given mean (for waits between events). */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /**
   * A log-normally distributed duration: half the values fall below `median`, and `spread` (the
   * sigma of the underlying normal) makes the tail long, as real open and click delays are.
   */
  logNormal(median: number, spread: number): number {
    // Box-Muller; 1 - next() keeps the logarithm's argument in (0, 1].
    const normal = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(spread * normal);
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.next() * 16)];
    return out;
  }

  /** `length` decimal digits (a leading zero is possible). */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 10);
    return out;
  }

  /** `length` lower-case letters and digits. */
  alnum(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM[Math.floor(this.next() * 36)];
    return out;
  }

  /** A random (version 4 layout) UUID. */
  uuid(): string {
    const variant = HEX[8 + Math.floor(this.next() * 4)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }
}
