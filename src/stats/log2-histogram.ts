/**
 * bcc's log2 histogram: slot k counts integer values v with bit length k, that is
 * v in [2^(k−1), 2^k − 1]; slot 0 holds v = 0 and is printed with slot 1 as "0 -> 1".
 */
export const SLOTS = 64;

export class Log2Histogram {
  readonly counts = new Float64Array(SLOTS);

  /** Adds a non-negative value, truncated to an integer (bcc counts whole µs or ms). */
  add(value: number): void {
    const v = Math.floor(value);
    const slot = v < 1 ? 0 : Math.min(SLOTS - 1, bitLength(v));
    this.counts[slot]!++;
  }

  merge(other: Log2Histogram): void {
    for (let i = 0; i < SLOTS; i++) this.counts[i]! += other.counts[i]!;
  }

  clear(): void {
    this.counts.fill(0);
  }
}

/** The bit length of a positive integer below 2^53 (what bcc's bpf_log2l returns). */
export function bitLength(v: number): number {
  let n = 0;
  let x = v;
  while (x >= 4294967296) {
    x = Math.floor(x / 4294967296);
    n += 32;
  }
  return n + 32 - Math.clz32(x);
}
