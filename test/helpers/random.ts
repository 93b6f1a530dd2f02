/** A seeded PRNG (mulberry32) for tests that want many varied but repeatable values. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform u32. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n) for n <= 2^32. */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** BigInt in [0, n) for any n > 0 (uniform enough for tests). */
  big(n: bigint): bigint {
    let x = 0n;
    for (let bits = 0n; 1n << bits < n << 32n; bits += 32n) x = (x << 32n) | BigInt(this.u32());
    return x % n;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
